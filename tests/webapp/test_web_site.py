"""``clatlas site``: the static site links only to what it holds, and holds a page for every catalog item."""

from __future__ import annotations

import json
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("fastapi")

from support.webfixture import LORA_KEY, fixture_db, make_data  # noqa: F401,E402

from webapp.site import Site, output_path, rewrite_html  # noqa: E402

BOARD = "standard-cl-benchmark/orders-1-3/AA"


class Links(HTMLParser):
    """Every href, src and action of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("href", "src", "action") and v is not None]


def links_of(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.urls


def target_of(page: Path, url: str) -> Path | None:
    """The file an internal link of ``page`` opens (``None`` for external links and in-page anchors)."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = (page.parent / unquote(parts.path)).resolve()
    return path / "index.html" if url.split("?")[0].split("#")[0].endswith("/") or path.is_dir() else path


@pytest.fixture(scope="module")
def site(fixture_db, tmp_path_factory) -> Path:
    from webapp.site import build_site

    out = tmp_path_factory.mktemp("site") / "clatlas"  # as on a GitHub Pages project site: a sub-path
    built = build_site(fixture_db, out)
    assert built.broken == []
    return out


def test_every_internal_link_and_asset_resolves(site):
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 20
    broken, checked = [], 0
    for page in pages:
        for url in links_of(page):
            assert not url.startswith("/") or url.startswith("//"), f"{page}: root-relative link {url} breaks under a sub-path"
            target = target_of(page, url)
            if target is None:
                continue
            checked += 1
            if not target.is_file() or site.resolve() not in target.parents:
                broken.append(f"{page.relative_to(site)}: {url}")
    assert checked > 500 and broken == []


def test_one_page_per_catalog_item(site, fixture_db):
    con = sqlite3.connect(fixture_db)
    papers = {r[0] for r in con.execute("SELECT key FROM paper")}
    datasets = {r[0] for r in con.execute("SELECT id FROM dataset")}
    boards = {r[0] for r in con.execute("SELECT id FROM leaderboard")}
    assert {p.parent.name for p in (site / "papers").glob("*/index.html")} == papers
    assert {p.stem for p in (site / "papers").glob("*.bib")} == papers
    assert {p.stem for p in (site / "api" / "papers").glob("*.json")} == papers
    assert {p.parent.name for p in (site / "datasets").glob("*/index.html")} == datasets | {"survey-table-1"}
    assert {p.parent.relative_to(site / "leaderboards").as_posix() for p in (site / "leaderboards").rglob("*/index.html")} == boards
    for board in boards:
        assert (site / "export" / "leaderboards" / f"{board}.csv").is_file() and (site / "api" / "leaderboards" / f"{board}.json").is_file()
    for page in (
        "index.html",
        "papers/index.html",
        "metrics/index.html",
        "charts/index.html",
        "reproductions/index.html",
        "compare/index.html",
        "api/docs/index.html",
        "datasets/index.html",
        "leaderboards/index.html",
    ):
        assert (site / page).is_file(), page


def test_api_snapshots_and_exports(site):
    papers = json.loads((site / "api" / "papers.json").read_text(encoding="utf-8"))
    assert papers["total"] == len(papers["papers"]) == 5 and papers["pages"] == 1
    assert json.loads((site / "api" / "papers" / f"{LORA_KEY}.json").read_text(encoding="utf-8"))["key"] == LORA_KEY
    assert json.loads((site / "api" / "openapi.json").read_text(encoding="utf-8"))["openapi"].startswith("3.")
    assert (site / "export" / "papers.bib").read_text(encoding="utf-8").count("@") == 5
    assert (site / ".nojekyll").is_file()


def test_plotly_is_local_and_no_cdn(site):
    assert (site / "static-vendor" / "plotly.min.js").stat().st_size > 1_000_000
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8").lower()
        assert "cdn." not in text and "https://cdn" not in text, page
    assert '<script src="../static-vendor/plotly.min.js"' in (site / "charts" / "index.html").read_text(encoding="utf-8")


def test_search_index_and_script(site):
    index = json.loads((site / "search-index.json").read_text(encoding="utf-8"))
    assert {p["key"] for p in index["papers"]} == {
        "demassondautume2019episodic",
        "razdaibiedina2023progressive",
        "wang2023orthogonal",
        "evil2024script",
        LORA_KEY,
    }
    lora = next(p for p in index["papers"] if p["key"] == LORA_KEY)
    assert ["offline", "TIL", "LLM", "model-merging", None] in lora["placements"] and lora["code_url"]
    assert "Routing Among Low-Rank Specialists 2311.00001" in lora["aliases"]
    assert [v["value"] for v in index["axes"]["family"]] == ["PLM", "LLM", "VLM"]
    listing = (site / "papers" / "index.html").read_text(encoding="utf-8")
    assert '<script src="../static/site-search.js" defer></script>' in listing
    assert 'data-root="../" data-static="1"' in listing
    # without JavaScript the list still shows the papers
    assert listing.count('class="paper-title"') == 5


def test_links_keep_the_list_query_and_drop_the_others(site):
    home = (site / "index.html").read_text(encoding="utf-8")
    assert 'href="papers/?in_survey=1"' in home and 'data-root="./"' in home
    board = (site / "leaderboards" / BOARD / "index.html").read_text(encoding="utf-8")
    assert 'href="../../../../export/leaderboards/standard-cl-benchmark/orders-1-3/AA.csv"' in board  # a filtered export: the whole board
    assert 'class="board-filter live-only"' in board
    datasets = (site / "datasets" / "index.html").read_text(encoding="utf-8")
    assert 'href="survey-table-1/"' in datasets
    assert 'href="../api/papers.json"' in (site / "papers" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "url, path",
    [
        ("/", "index.html"),
        ("/papers", "papers/index.html"),
        ("/papers/x2024y", "papers/x2024y/index.html"),
        ("/papers/x2024y.bib", "papers/x2024y.bib"),
        ("/api/papers", "api/papers.json"),
        ("/api/papers/x", "api/papers/x.json"),
        ("/api/openapi.json", "api/openapi.json"),
        ("/api/docs", "api/docs/index.html"),
        ("/export/papers.csv", "export/papers.csv"),
        (f"/leaderboards/{BOARD}", f"leaderboards/{BOARD}/index.html"),
        ("/static/atlas.css", "static/atlas.css"),
        ("/papers?family=LLM", "papers/index.html"),
    ],
)
def test_output_path(url, path):
    assert output_path(url) == path


def test_rewrite_html_is_relative_to_the_page(tmp_path):
    site = Site(
        tmp_path,
        files={"/": "index.html", "/papers": "papers/index.html", "/papers/a2024b": "papers/a2024b/index.html", "/static/atlas.css": "static/atlas.css"},
    )
    page = '<html lang="en"><a href="/papers?family=LLM&amp;q=x">l</a><a href="/">h</a><link href="/static/atlas.css"><a href="/nope">n</a>'
    out = rewrite_html(site, page, "papers/a2024b/index.html")
    assert 'href="../?family=LLM&amp;q=x"' in out and 'href="../../"' in out and 'href="../../static/atlas.css"' in out
    assert 'data-root="../../"' in out and site.broken == [("papers/a2024b/index.html", "/nope")]


def test_cli_site(tmp_path, capsys):
    from clatlas_cli import main

    data = make_data(tmp_path)
    rc = main(["site", "--out", str(tmp_path / "out"), "--db", str(tmp_path / "c.sqlite"), "--data", str(data)])
    assert rc == 0, capsys.readouterr().err
    assert (tmp_path / "out" / "papers" / LORA_KEY / "index.html").is_file()
    assert "pages) to" in capsys.readouterr().err
