"""The FastAPI application factory: pages, JSON API, exports, static files.

``create_app(db_path)`` wires one :class:`Atlas` context (read-only database,
templates, cached vocabularies) into the routers. Errors are answered in the
caller's language: JSON under ``/api``, an HTML page elsewhere, with the exact
problems listed, so a bad link is a 400 that says why and never a 500.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.exceptions import HTTPException as StarletteHTTPException

from catalog.paths import default_db_path
from catalog.read import venue_year
from webapp import queries
from webapp.charts import plotly_js_gzip, plotly_js_path
from webapp.database import Database, DatabaseMissing
from webapp.filters import SORTS, FilterError, Vocabulary
from webapp.pagetable import NAV

if TYPE_CHECKING:
    from webapp.cards import PaperCards
    from webapp.index import PaperIndex

HERE = Path(__file__).resolve().parent
T = TypeVar("T")


def highlight(text: str | None) -> Markup:
    """Escape text, then turn the FTS highlight marks into ``<mark>`` (never the other way round)."""
    if not text:
        return Markup("")
    safe = str(escape(text))
    return Markup(safe.replace(queries.HL_START, "<mark>").replace(queries.HL_END, "</mark>"))


class Atlas:
    """Everything a request handler needs: the database, the templates and cached lookups."""

    def __init__(self, db_path: Path):
        self.db = Database(db_path)
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["highlight"] = highlight
        self.env.filters["venue_year"] = venue_year
        self.env.globals["SORTS"] = SORTS
        self.env.globals["NAV"] = NAV

    def con(self) -> sqlite3.Connection:
        return self.db.connection()

    def cached(self, name: str, compute: Callable[[sqlite3.Connection], T]) -> T:
        return self.db.cached(name, compute)

    def vocab(self) -> Vocabulary:
        return self.cached("vocab", queries.load_vocabulary)

    def index(self) -> PaperIndex:
        """The columnar filter/facet index of the current database (built once per build)."""
        from webapp.index import PaperIndex

        vocab = self.vocab()
        return self.cached("index", lambda con: PaperIndex(con, vocab))

    def cards(self) -> PaperCards:
        """Every paper's list card, rendered once per database build (see :mod:`webapp.cards`)."""
        from webapp.cards import build_cards

        tax = self.vocab().taxonomy
        return self.cached("cards", lambda con: build_cards(con, self.env, tax))

    def data_token(self) -> str:
        """What the database's content is: the build's data fingerprint and schema version (from ``meta``)."""

        def token(con: sqlite3.Connection) -> str:
            meta = queries.meta(con)
            return f"{meta.get('schema_version', '')}:{meta.get('data_fingerprint', '')}"

        return self.cached("data_token", token)

    def render(self, request: Request, template: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.setdefault("request", request)
        ctx.setdefault("path", request.url.path)
        html = self.env.get_template(template).render(**ctx)
        return HTMLResponse(html, status_code=status_code)


CSP = (
    b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeaders:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware): nosniff everywhere, a strict CSP on HTML.

    The CSP forbids inline scripts, so even a templating mistake could not run
    injected script; charts and the copy button live in static files.
    """

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                headers.append((b"referrer-policy", b"same-origin"))
                if any(k == b"content-type" and v.startswith(b"text/html") for k, v in headers):
                    headers.append((b"content-security-policy", CSP))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def atlas_of(request: Request) -> Atlas:
    return request.app.state.atlas


def _is_api(request: Request) -> bool:
    """JSON errors for the API and the exports (machine clients); HTML pages for everything else."""
    return request.url.path.startswith(("/api/", "/export/")) and request.url.path != "/api/docs"


def create_app(db_path: Path | str | None = None, *, access_log: bool = False) -> FastAPI:
    """The web app over the catalog at ``db_path`` (default: :func:`catalog.paths.default_db_path`).

    ``access_log`` adds one log line per request (logger ``clatlas.access``).
    """
    from webapp import middleware, openapi, routes_api, routes_pages
    from webapp.conditional import STATIC_PREFIXES, code_fingerprint

    atlas = Atlas(Path(db_path) if db_path else default_db_path())
    app = FastAPI(
        title="CL Atlas API",
        version="1",
        description="Read-only JSON API over the CL Atlas catalog of continual learning for foundation language models. "
        "List endpoints take the same filters as the HTML pages.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.atlas = atlas
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/static-vendor/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        """plotly.js as shipped by the ``plotly`` Python package: no CDN, works offline.

        Its 4.8 MB compress to about 1.4 MB, once per process (not per request, as
        the gzip middleware would); the middleware passes an encoded body through.
        """
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(plotly_js_gzip(), media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"})
        return FileResponse(plotly_js_path(), media_type="text/javascript", headers=headers)

    @app.exception_handler(FilterError)
    async def filter_error(request: Request, exc: FilterError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "invalid query parameters", "errors": exc.errors}, status_code=400)
        return atlas.render(request, "error.html", 400, title="Bad request", status=400, errors=exc.errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None))
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        page = atlas.render(request, "error.html", exc.status_code, title=title, status=exc.status_code, errors=[str(exc.detail)])
        page.headers.update(getattr(exc, "headers", None) or {})  # e.g. Allow on a 405
        return page

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        if _is_api(request):
            # FastAPI's documented 422 shape (detail = list of errors) plus readable lines
            detail = jsonable_encoder(exc.errors(), custom_encoder={Exception: str})
            return JSONResponse({"detail": detail, "errors": errors}, status_code=422)
        return atlas.render(request, "error.html", 422, title="Bad request", status=422, errors=errors)

    @app.exception_handler(DatabaseMissing)
    async def db_missing(request: Request, exc: DatabaseMissing) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=503)
        return HTMLResponse(f"<h1>Catalog not built</h1><p>{escape(str(exc))}</p>", status_code=503)

    code = code_fingerprint([HERE, HERE.parent / "catalog"])

    def etag_base(path: str) -> str | None:
        """Static files depend on the code only; everything else on the code and the database."""
        if path.startswith(STATIC_PREFIXES):
            return code
        try:
            return f"{code}:{atlas.data_token()}"
        except DatabaseMissing:
            return None

    app.add_middleware(SecurityHeaders)
    middleware.install(app, etag_base, access_log=access_log)
    # pages first: the router tries routes in order, and the busiest page (/papers) then matches after
    # a few routes instead of after every API route (no page path overlaps an /api/ or /export/ one)
    app.include_router(routes_pages.router)
    app.include_router(routes_api.router)
    openapi.install(app, atlas)
    return app
