"""Small pure-ASGI middlewares, one HTTP concern each: HEAD, redirects, CORS, access log.

Pure ASGI (not ``BaseHTTPMiddleware``) because each wraps every request and
costs a few microseconds this way. :func:`install` stacks them, together with
gzip and the conditional-GET layer of :mod:`webapp.conditional`, in the one
order that works: the access log sees what left the server; HEAD is turned
into GET before anything else looks at the method; CORS and the Location
fix apply to 304s too; the ETag layer sits outside gzip so it can tell the
two encodings apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ACCESS_LOGGER = "clatlas.access"
API_PREFIX = "/api/"
GZIP_LEVEL = 1  # the list page: 5.4 KB instead of 4.6 KB at level 6, for a third of the CPU (0.19 vs 0.56 ms)
GZIP_MIN_SIZE = 500


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first request header called ``name`` (lower-case bytes), if any."""
    for k, v in scope.get("headers", ()):
        if k == name:
            return v
    return None


class HeadAsGet:
    """Answer HEAD exactly like GET (status and headers, Content-Length included) but without the body.

    FastAPI routes declared with ``@get`` answer HEAD with 405; a crawler or
    ``curl -I`` should see what GET would send.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        done = False

        async def send_without_body(message: Message) -> None:
            nonlocal done
            if message["type"] == "http.response.start":
                await send(message)
            elif not done and message["type"] in ("http.response.body", "http.response.pathsend"):
                more = message["type"] == "http.response.body" and message.get("more_body", False)
                if not more:
                    done = True
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
            else:
                await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_without_body)


def relative_location(location: str) -> str:
    """A Location as a path on this site: scheme and host dropped, never ``//host`` (which browsers read as another site)."""
    parts = urlsplit(location)
    path = "/" + (parts.path or "/").lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


class RelativeRedirects:
    """Make every redirect's Location a path, so a forged ``Host`` header is never reflected back.

    Starlette's trailing-slash redirect builds an absolute URL from the
    request's Host (``/papers/`` with ``Host: evil.example`` answered
    ``Location: http://evil.example/papers``). A relative Location keeps the
    reader on whatever host and scheme they came through.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_relative(message: Message) -> None:
            if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
                message["headers"] = [
                    (k, relative_location(v.decode("latin-1")).encode("latin-1") if k.lower() == b"location" else v) for k, v in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, send_relative)


CORS_HEADERS = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", b"ETag, Content-Length")]


class ApiCors:
    """CORS for the read-only JSON API: any origin may GET or HEAD ``/api/*`` (no credentials, nothing to protect).

    A preflight (OPTIONS with ``Access-Control-Request-Method``) is answered
    here; any other method still meets the app's 405.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method") is not None:
            asked = header(scope, b"access-control-request-headers")
            headers = [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
                (b"access-control-max-age", b"86400"),
                (b"content-length", b"0"),
            ]
            if asked:
                headers.append((b"access-control-allow-headers", asked))
            await send({"type": "http.response.start", "status": 204, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *CORS_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_cors)


class AccessLog:
    """One line per request on the ``clatlas.access`` logger: client, request line, status, bytes sent, milliseconds.

    Only installed when asked for (``clatlas serve --access-log``), so a
    quiet server pays nothing for it.
    """

    def __init__(self, app: ASGIApp, logger: logging.Logger | None = None):
        self.app = app
        self.log = logger or logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, sent = 500, 0

        async def counting_send(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            client = scope.get("client") or ("-", 0)
            target = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            self.log.info(
                '%s "%s %s HTTP/%s" %d %d %.1fms',
                client[0],
                scope["method"],
                target,
                scope.get("http_version", "1.1"),
                status,
                sent,
                (time.perf_counter() - started) * 1000,
            )


def install(app: Any, etag_base: Callable[[str], str | None], *, access_log: bool = False) -> None:
    """Add the HTTP layers to a Starlette/FastAPI ``app`` (the last added runs first).

    ``etag_base(path)`` gives the validator of the content a path is served
    from (see :class:`webapp.conditional.ConditionalGet`).
    """
    from starlette.middleware.gzip import GZipMiddleware

    from webapp.conditional import ConditionalGet

    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_SIZE, compresslevel=GZIP_LEVEL)
    app.add_middleware(ConditionalGet, etag_base=etag_base)
    app.add_middleware(RelativeRedirects)
    app.add_middleware(ApiCors)
    app.add_middleware(HeadAsGet)
    if access_log:
        app.add_middleware(AccessLog)
