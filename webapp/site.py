"""The whole site as static files, for GitHub Pages or any file server (``clatlas site --out DIR``, in ``clatlas_cli/web.py``).

Every page is rendered by the app itself (through Starlette's TestClient,
no server), so the static site cannot drift from the live one. What a
static host cannot do is handled here:

- URLs become files: ``/papers/<key>`` → ``papers/<key>/index.html``, API
  answers → ``api/….json`` (the list endpoints with every page merged),
  exports and assets keep their paths; plotly.js is copied from the
  installed package (no CDN);
- links are rewritten to relative ones, so the site works from any
  sub-path (``https://user.github.io/clatlas/``) and the pages carry
  ``data-root`` (the way back to the site's root) for the scripts;
- the paper list's filters and search run in the browser:
  ``search-index.json`` holds what they need and ``static/site-search.js``
  reads the same query parameters as the server (``papers/?family=LLM``),
  so facet links, the search box and shared URLs keep working. Without
  JavaScript the list shows the first :data:`STATIC_PER_PAGE` papers.
- a link whose query the static site cannot answer (a board filter, a
  filtered export) points at the unfiltered file; forms that need the live
  app are hidden (``html[data-static] .live-only``).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from webapp.filters import MAX_PER_PAGE

STATIC_PER_PAGE = MAX_PER_PAGE
QUERY_PAGES = {"/datasets?table1=1": "/datasets/survey-table-1"}  # pages that exist only with a query, and where they go
KEEP_QUERY = {"/papers"}  # the static list reads its query in the browser
LIST_ENDPOINTS = {"/api/papers": ("papers", MAX_PER_PAGE), "/api/results": ("results", 1000)}
LINK = re.compile(r'(\b(?:href|src|action)=")(/[^"]*)(")')
SITE_SCRIPT = "/static/site-search.js"
HTML_UNDER_API = {"/api/docs"}  # a page, not a JSON answer
SEARCH_INDEX = "search-index.json"


class SiteError(RuntimeError):
    """A page could not be rendered (the app answered with an error)."""


def output_path(url: str) -> str:
    """The file (relative to the site root, POSIX) that serves the root-relative ``url`` (without query)."""
    path = url.split("?")[0].split("#")[0]
    if path.startswith("/api/") and path not in HTML_UNDER_API:
        return path.lstrip("/") + ("" if path.endswith(".json") else ".json")
    last = PurePosixPath(path).name
    if path.startswith(("/static/", "/static-vendor/", "/export/")) or "." in last:
        return path.lstrip("/")
    return (path.strip("/") + "/index.html").lstrip("/")


@dataclass
class Site:
    """The files written so far (URL → file) and the links that resolve to nothing."""

    out: Path
    files: dict[str, str] = field(default_factory=dict)
    broken: list[tuple[str, str]] = field(default_factory=list)

    def write(self, url: str, body: bytes) -> str:
        target = output_path(QUERY_PAGES.get(url, url))
        dest = self.out / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(body)
        self.files[url] = target
        return target

    def resolve(self, url: str, here: str) -> str | None:
        """The relative link from file ``here`` to what ``url`` (root-relative) names, or ``None`` if the site lacks it."""
        parts = urlsplit(url)
        path, query, fragment = parts.path or "/", parts.query, parts.fragment
        full = f"{path}?{query}" if query else path
        if full in self.files:
            target, keep = self.files[full], ""
        elif path in self.files:
            target, keep = self.files[path], (f"?{query}" if query and path in KEEP_QUERY else "")
        else:
            return None
        start = PurePosixPath(here).parent
        if target.endswith("index.html"):
            rel = os.path.relpath(PurePosixPath(target).parent, start)
            rel = "./" if rel == "." else rel + "/"
        else:
            rel = os.path.relpath(target, start)
        return rel + keep + (f"#{fragment}" if fragment else "")

    def root_of(self, here: str) -> str:
        depth = len(PurePosixPath(here).parent.parts)
        return "../" * depth if depth else "./"


def rewrite_html(site: Site, text: str, here: str) -> str:
    """Relative links, ``data-root`` and the static flag for the page stored at ``here``."""

    def fix(m: re.Match[str]) -> str:
        url = html.unescape(m.group(2))
        if url.startswith("//"):
            return m.group(0)
        rel = site.resolve(url, here)
        if rel is None:
            site.broken.append((here, url))
            return m.group(0)
        return m.group(1) + html.escape(rel, quote=True) + m.group(3)

    text = LINK.sub(fix, text)
    return text.replace('<html lang="en">', f'<html lang="en" data-root="{site.root_of(here)}" data-static="1">', 1)


def _get(client: Any, url: str) -> Any:
    r = client.get(url)
    if r.status_code != 200:
        raise SiteError(f"{url}: {r.status_code} {r.text[:200]}")
    return r


def _merged(client: Any, url: str, key: str, per_page: int) -> dict[str, Any]:
    """Every page of a paged API list, as one document (``page`` 1, ``per_page`` = the total)."""
    first = _get(client, f"{url}?per_page={per_page}").json()
    items = list(first[key])
    page = 2
    while len(items) < first["total"]:
        items += _get(client, f"{url}?per_page={per_page}&page={page}").json()[key]
        page += 1
    return {**first, "page": 1, "pages": 1, "per_page": max(1, len(items)), key: items}


def search_index(client: Any) -> dict[str, Any]:
    """What the browser needs to filter, count and search the paper list (the same fields the server's index uses)."""
    taxonomy = _get(client, "/api/taxonomy").json()
    papers = []
    for p in _get(client, "/export/papers.json").json():
        papers.append(
            {
                "key": p["key"],
                "title": p["title"],
                "authors": p["authors"],
                "year": p["year"],
                "first_public": p.get("first_public"),
                "venue": p["venue"],
                "kind": p["kind"],
                "code_url": p.get("code_url"),
                "has_reproduction": bool(p.get("has_reproduction")),
                "in_survey": bool(p.get("in_survey")),
                "acronym": (p.get("survey") or {}).get("acronym"),
                "aliases": [" ".join(x for x in (a.get("title"), a.get("arxiv")) if x) for a in p.get("aliases") or []],
                "ids": [x for x in (p.get("arxiv"), p.get("doi")) if x],
                "datasets": p.get("datasets") or [],
                "placements": [[pl["setting"], pl["increment"], pl["family"], pl["technique"], pl.get("approach")] for pl in p["placements"]],
                "summary": p.get("summary") or "",
            }
        )
    axes = {
        axis: [{"value": v["value"], "label": v["label"], "extension": v.get("extension", False), "rationale": v.get("rationale")} for v in values]
        for axis, values in taxonomy["axes"].items()
    }
    return {"axes": axes, "papers": papers}


def build_site(db_path: Path, out: Path) -> Site:
    """Render the catalog at ``db_path`` into ``out`` (emptied first); returns what was written and any broken links."""
    from fastapi.testclient import TestClient

    from webapp.app import create_app
    from webapp.charts import plotly_js_path

    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    site = Site(out)
    client = TestClient(create_app(db_path), headers={"Accept-Encoding": "identity"})

    # ----------------------------------------------------------- what exists
    keys = [p["key"] for p in _merged(client, "/api/papers", "papers", MAX_PER_PAGE)["papers"]]
    datasets = [d["id"] for d in _get(client, "/api/datasets").json()]
    boards = [b["id"] for b in _get(client, "/api/leaderboards").json()]
    for target in QUERY_PAGES.values():
        if output_path(target) in {output_path(f"/datasets/{d}") for d in datasets}:
            raise SiteError(f"{target} is also a dataset's page")

    pages = ["/", "/datasets", "/datasets?table1=1", "/metrics", "/leaderboards", "/compare", "/reproductions", "/charts", "/api/docs"]
    pages += [f"/papers/{k}" for k in keys] + [f"/datasets/{d}" for d in datasets] + [f"/leaderboards/{b}" for b in boards]
    files = [f"/papers/{k}.bib" for k in keys] + ["/export/papers.bib", "/export/papers.csv", "/export/papers.json"]
    files += [f"/export/leaderboards/{b}.{ext}" for b in boards for ext in ("csv", "json")]
    api = ["/api/taxonomy", "/api/datasets", "/api/metrics", "/api/leaderboards", "/api/methods", "/api/reproductions", "/api/openapi.json"]
    api += [f"/api/papers/{k}" for k in keys] + [f"/api/datasets/{d}" for d in datasets] + [f"/api/leaderboards/{b}" for b in boards]

    # ----------------------------------------------------------- render
    rendered: dict[str, str] = {}
    for url in pages:
        rendered[url] = _get(client, url).text
        site.files[url] = output_path(QUERY_PAGES.get(url, url))
    rendered["/papers"] = _get(client, f"/papers?per_page={STATIC_PER_PAGE}").text
    site.files["/papers"] = output_path("/papers")
    for url in files + api:
        site.write(url, _get(client, url).content)
    for url, (key, per_page) in LIST_ENDPOINTS.items():
        site.write(url, json.dumps(_merged(client, url, key, per_page), ensure_ascii=False).encode())
    static_dir = Path(__file__).resolve().parent / "static"
    for path in sorted(static_dir.rglob("*")):
        if path.is_file():
            site.write("/static/" + path.relative_to(static_dir).as_posix(), path.read_bytes())
    site.write("/static-vendor/plotly.min.js", plotly_js_path().read_bytes())
    (out / SEARCH_INDEX).write_text(json.dumps(search_index(client), ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    (out / ".nojekyll").write_text("", encoding="utf-8")  # GitHub Pages: serve files as they are

    for url, text in rendered.items():
        here = site.files[url]
        if url == "/papers":
            text = text.replace("</body>", f'<script src="{SITE_SCRIPT}" defer></script>\n</body>', 1)
        (out / here).parent.mkdir(parents=True, exist_ok=True)
        (out / here).write_text(rewrite_html(site, text, here), encoding="utf-8")
    return site
