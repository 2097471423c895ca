"""Conditional GET: a strong ETag, Cache-Control, and 304 Not Modified without rendering.

Why it is cheap: every page and API answer is a pure function of the
database, the code, and the request's path and query (the site is
read-only). So the ETag is computed *before* the handler runs, from the
data fingerprint the build stores in the ``meta`` table, a fingerprint of
the code, and the path and query; a matching ``If-None-Match`` is answered
with 304 and no query, template or gzip work at all.

gzip makes a second byte sequence of the same resource, so a strong ETag
must differ between the two: a compressed answer carries ``"<tag>-gz"``.
Either form in ``If-None-Match`` revalidates, since the client holds a
copy under the tag it sends.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from webapp.middleware import ASGIApp, Message, Receive, Scope, Send, header

STATIC_PREFIXES = ("/static/", "/static-vendor/")
PAGE_CACHE = b"public, max-age=60"  # the data change only when the catalog is rebuilt; a minute, then revalidate
STATIC_CACHE = b"public, max-age=3600"
VENDOR_CACHE = b"public, max-age=86400"  # plotly.js changes only with the installed plotly version
GZ_SUFFIX = "-gz"


def cache_control(path: str) -> bytes:
    """How long a shared or browser cache may reuse an answer before revalidating it with its ETag."""
    if path.startswith("/static-vendor/"):
        return VENDOR_CACHE
    return STATIC_CACHE if path.startswith(STATIC_PREFIXES) else PAGE_CACHE


def code_fingerprint(roots: list[Path]) -> str:
    """Hash of the code and assets that shape a response (sources, templates, static files, plotly's version).

    A deploy that changes a template changes every ETag, even when the data
    did not change.
    """
    h = hashlib.sha256()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".html", ".css", ".js", ".svg", ".json"):
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    try:
        h.update(metadata.version("plotly").encode())
    except metadata.PackageNotFoundError:
        pass
    return h.hexdigest()[:16]


def etag_for(base: str, path: str, query: bytes) -> str:
    """The tag (without quotes or suffix) of the resource at ``path?query`` under ``base``."""
    return hashlib.sha256(base.encode() + b"\0" + path.encode() + b"?" + query).hexdigest()[:32]


def matching_tag(if_none_match: bytes | None, tag: str) -> bytes | None:
    """The entity tag in ``If-None-Match`` that names ``tag`` (plain or gzip form), or ``None``.

    Comparison is weak, as RFC 9110 prescribes for If-None-Match (a ``W/``
    prefix is ignored).
    """
    if not if_none_match:
        return None
    wanted = {f'"{tag}"'.encode(), f'"{tag}{GZ_SUFFIX}"'.encode()}
    for item in if_none_match.split(b","):
        item = item.strip()
        if item.startswith(b"W/"):
            item = item[2:]
        if item in wanted:
            return item
    return None


class ConditionalGet:
    """ETag and Cache-Control on every 200 answer to GET; 304 when ``If-None-Match`` already names it.

    ``etag_base(path)`` returns the validator of what ``path`` is served from
    (code fingerprint, plus the data fingerprint for anything read from the
    database), or ``None`` when there is nothing to validate against (no
    database yet): then the request passes through untouched.
    """

    def __init__(self, app: ASGIApp, etag_base: Callable[[str], str | None]):
        self.app = app
        self.etag_base = etag_base

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        base = self.etag_base(path)
        if base is None:
            await self.app(scope, receive, send)
            return
        tag = etag_for(base, path, scope.get("query_string", b""))
        cache = cache_control(path)
        matched = matching_tag(header(scope, b"if-none-match"), tag)
        if matched is not None:
            await send(
                {"type": "http.response.start", "status": 304, "headers": [(b"etag", matched), (b"cache-control", cache), (b"vary", b"Accept-Encoding")]}
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (200, 304):
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"etag"]
                gz = any(k.lower() == b"content-encoding" and v == b"gzip" for k, v in headers)
                headers.append((b"etag", f'"{tag}{GZ_SUFFIX if gz else ""}"'.encode()))
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_tagged)
