"""HTTP done right: HEAD on every GET route, strong ETags with 304, Cache-Control, gzip, relative redirects, CORS, access log."""

from __future__ import annotations

import logging

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, client, fixture_db  # noqa: F401,E402

from webapp.conditional import etag_for, matching_tag  # noqa: E402
from webapp.middleware import relative_location  # noqa: E402
from webapp.pagetable import BOARD_EXAMPLE, example_urls  # noqa: E402

BOARD = BOARD_EXAMPLE
PAGES = example_urls()  # every page of webapp/pagetable.py
API = [
    "/api/papers",
    "/api/papers/wang2023orthogonal",
    "/api/taxonomy",
    "/api/datasets",
    "/api/datasets/ag-news",
    "/api/metrics",
    "/api/results",
    "/api/leaderboards",
    f"/api/leaderboards/{BOARD}",
    "/api/methods",
    f"/api/compare?method=paper:wang2023orthogonal&method=paper:{LORA_KEY}",
    "/api/reproductions",
    "/api/openapi.json",
]
EXPORTS = ["/export/papers.bib", "/export/papers.csv", "/export/papers.json", f"/export/leaderboards/{BOARD}.csv", f"/export/leaderboards/{BOARD}.json"]
STATIC = ["/static/atlas.css", "/static/atlas.js", "/static/favicon.svg", "/static-vendor/plotly.min.js"]
EVERY_GET = PAGES + API + EXPORTS + STATIC


def _flat_routes(routes: list) -> list:
    """Routes with included routers expanded (FastAPI keeps them as one entry per router)."""
    out = []
    for r in routes:
        inner = getattr(r, "original_router", None)
        out.extend(_flat_routes(inner.routes) if inner is not None else [r])
    return out


def test_every_get_route_is_exercised(client):
    """A new GET route must join the lists above, so HEAD, ETag and gzip are checked on it too."""
    from starlette.routing import Match, Mount

    covered = set()
    all_routes = _flat_routes(client.app.routes)
    for url in EVERY_GET:
        path = url.split("?")[0]
        for route in all_routes:
            match, _ = route.matches({"type": "http", "path": path, "method": "GET", "root_path": ""})
            if match is Match.FULL:
                covered.add(route.path)
                break
    routes = {r.path for r in all_routes if isinstance(r, Mount) or "GET" in (getattr(r, "methods", None) or ())}
    assert routes <= covered, routes - covered


@pytest.mark.parametrize("url", EVERY_GET)
def test_head_answers_like_get_without_body(client, url):
    get, head = client.get(url), client.head(url)
    assert get.status_code == head.status_code == 200, url
    assert head.content == b""
    for name in ("content-type", "content-length", "content-encoding", "etag", "cache-control"):
        assert head.headers.get(name) == get.headers.get(name), (url, name)


def test_head_of_missing_page_is_404_without_body(client):
    r = client.head("/papers/nope")
    assert r.status_code == 404 and r.content == b"" and int(r.headers["content-length"]) > 0


@pytest.mark.parametrize("url", PAGES + API + EXPORTS + STATIC)
def test_strong_etag_and_304(client, url):
    r = client.get(url)
    tag = r.headers["etag"]
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert "max-age=" in r.headers["cache-control"]
    assert client.get(url).headers["etag"] == tag  # stable while nothing changes
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_etag_depends_on_path_query_and_encoding(client):
    tags = {client.get(u).headers["etag"] for u in ("/papers", "/papers?family=LLM", "/papers?family=PLM", "/api/papers")}
    assert len(tags) == 4
    gz = client.get("/papers").headers["etag"]
    plain = client.get("/papers", headers={"Accept-Encoding": "identity"}).headers["etag"]
    assert gz == plain[:-1] + '-gz"'  # two byte sequences, two strong tags
    # a client holding either form revalidates (it has a copy under the tag it sends)
    assert client.get("/papers", headers={"If-None-Match": f'"x", {plain}'}).status_code == 304
    assert client.get("/papers", headers={"Accept-Encoding": "identity", "If-None-Match": gz}).status_code == 304


def test_errors_carry_no_etag(client):
    for url in ("/papers/nope", "/papers?family=XXX", "/api/papers/nope"):
        assert "etag" not in client.get(url).headers, url


def test_etag_changes_when_the_catalog_is_rebuilt(tmp_path):
    from fastapi.testclient import TestClient
    from support.webfixture import build_empty_db, make_data

    from catalog.build import build_database
    from webapp.app import create_app

    db = build_empty_db(tmp_path)
    c = TestClient(create_app(db))
    before = c.get("/api/papers").headers["etag"]
    static = c.get("/static/atlas.css").headers["etag"]
    build_database(make_data(tmp_path / "full"), db)
    r = c.get("/api/papers", headers={"If-None-Match": before})
    assert r.status_code == 200 and r.headers["etag"] != before and r.json()["total"] == 5
    assert c.get("/static/atlas.css").headers["etag"] == static  # assets depend on the code only


def test_matching_tag_and_etag_for():
    t = etag_for("base", "/papers", b"family=LLM")
    assert t != etag_for("base2", "/papers", b"family=LLM") and t != etag_for("base", "/papers", b"")
    assert matching_tag(f'W/"{t}"'.encode(), t) == f'"{t}"'.encode()
    assert matching_tag(f'"a", "{t}-gz"'.encode(), t) == f'"{t}-gz"'.encode()
    assert matching_tag(b"*", t) is None and matching_tag(None, t) is None


@pytest.mark.parametrize(
    "url, kind",
    [
        ("/papers", "text/html"),
        ("/api/papers", "application/json"),
        ("/export/papers.json", "application/json"),
        ("/static/atlas.js", "javascript"),
        ("/static/atlas.css", "text/css"),
        ("/static-vendor/plotly.min.js", "javascript"),
    ],
)
def test_gzip(client, url, kind):
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert kind in r.headers["content-type"]
    assert r.headers["content-encoding"] == "gzip" and "Accept-Encoding" in r.headers["vary"]
    assert int(r.headers["content-length"]) < len(r.content)  # the wire carries fewer bytes than the decoded body
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == r.content


def test_plotly_is_served_compressed(client):
    r = client.get("/static-vendor/plotly.min.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert r.headers["content-encoding"] == "gzip"
    assert int(r.headers["content-length"]) < 2_000_000 < 4_000_000 < len(r.content)
    assert b"plotly" in r.content[:5000].lower()  # it decodes to plotly.js itself


def test_slash_redirect_does_not_reflect_host(client):
    for url, where in (("/papers/", "/papers"), ("/papers/?family=LLM", "/papers?family=LLM"), ("/datasets/", "/datasets")):
        r = client.get(url, headers={"Host": "evil.example"}, follow_redirects=False)
        assert r.status_code in (301, 302, 307, 308), url
        assert r.headers["location"] == where and "evil" not in r.headers["location"]


def test_acronym_redirect_is_relative(client):
    r = client.get("/papers/O-LoRA", headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == "/papers/wang2023orthogonal"


@pytest.mark.parametrize(
    "location, path",
    [
        ("http://evil.example/papers", "/papers"),
        ("https://h/a?b=1#c", "/a?b=1#c"),
        ("/x", "/x"),
        ("//evil.example/x", "/x"),
        ("http://h", "/"),
        ("///evil.example", "/evil.example"),
    ],
)
def test_relative_location(location, path):
    assert relative_location(location) == path


def test_cors_on_the_api_only(client):
    r = client.get("/api/papers", headers={"Origin": "https://elsewhere.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert client.get("/api/papers/nope").headers["access-control-allow-origin"] == "*"  # errors are readable too
    assert "access-control-allow-origin" not in client.get("/papers").headers
    pre = client.options(
        "/api/papers",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "if-none-match"},
    )
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert set(pre.headers["access-control-allow-methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
    assert pre.headers["access-control-allow-headers"] == "if-none-match"
    assert client.options("/api/papers").status_code == 405  # not a preflight: still read-only
    assert client.post("/api/papers", headers={"Origin": "https://x.example"}).status_code == 405


def test_405_says_what_is_allowed(client):
    for url in ("/papers", "/api/papers"):
        r = client.post(url)
        assert r.status_code == 405 and "GET" in r.headers["allow"], url


def test_access_log(fixture_db, caplog):
    from fastapi.testclient import TestClient

    from webapp.app import create_app

    with caplog.at_level(logging.INFO, logger="clatlas.access"):
        c = TestClient(create_app(fixture_db, access_log=True))
        c.get("/papers?family=LLM")
        c.head("/api/papers")
    lines = [r.getMessage() for r in caplog.records if r.name == "clatlas.access"]
    assert len(lines) == 2
    assert '"GET /papers?family=LLM HTTP/1.1" 200 ' in lines[0] and lines[0].endswith("ms")
    assert '"HEAD /api/papers HTTP/1.1" 200 0 ' in lines[1]


def test_no_access_log_by_default(client, caplog):
    with caplog.at_level(logging.INFO, logger="clatlas.access"):
        client.get("/papers")
    assert not [r for r in caplog.records if r.name == "clatlas.access"]


def test_serve_access_log_flag():
    from clatlas_cli import build_parser

    assert build_parser().parse_args(["serve", "--access-log"]).access_log is True
    assert build_parser().parse_args(["serve"]).access_log is False


def test_page_table_matches_the_page_router_and_feeds_the_nav(client):
    """webapp/pagetable.py lists every page route exactly once; the nav bar shows its labelled rows, in order."""
    from webapp import routes_pages
    from webapp.pagetable import NAV, PAGES

    routes = [r.path for r in routes_pages.router.routes if "GET" in (getattr(r, "methods", None) or ())]
    assert sorted(p.route for p in PAGES) == sorted(routes)
    html = client.get("/metrics").text
    nav = html[html.index("<nav>") : html.index("</nav>")]
    assert [href for href, _ in NAV] == [seg.split('"')[1] for seg in nav.split("<a href=")[1:]]
    assert 'href="/metrics" aria-current="page"' in nav
