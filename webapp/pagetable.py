"""The table of HTML pages: each page's route, its label in the top navigation (if any) and example URLs.

Why one table: the navigation bar (``base.html``), the HTTP tests (HEAD,
ETag, gzip on every page) and the browser's 400 px layout test all read it,
and a test checks it against the page router, so a new page is one row here
and cannot be left out of the nav or the tests by accident. The examples
name entries of the repository's catalog (the test fixture builds from it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    """One page route; ``nav`` is its label in the top navigation, or None when it is reached by links."""

    route: str
    nav: str | None
    examples: tuple[str, ...]


BOARD_EXAMPLE = "standard-cl-benchmark/orders-1-3/AA"

PAGES: tuple[Page, ...] = (
    Page("/", None, ("/",)),
    Page("/papers", "Papers", ("/papers", "/papers?family=LLM", "/papers?q=LoRA")),
    Page("/papers/{key}.bib", None, ("/papers/wang2023orthogonal.bib",)),
    Page("/papers/{key}", None, ("/papers/wang2023orthogonal",)),
    Page("/datasets", "Datasets", ("/datasets", "/datasets?table1=1")),
    Page("/datasets/{ds_id}", None, ("/datasets/ag-news", "/datasets/standard-cl-benchmark")),
    Page("/metrics", "Metrics", ("/metrics",)),
    Page("/leaderboards", "Leaderboards", ("/leaderboards",)),
    Page("/leaderboards/{lb_id:path}", None, (f"/leaderboards/{BOARD_EXAMPLE}",)),
    Page("/compare", None, ("/compare",)),
    Page("/reproductions", "Reproductions", ("/reproductions",)),
    Page("/charts", "Charts", ("/charts",)),
    Page("/api/docs", "API", ("/api/docs",)),
)

NAV: tuple[tuple[str, str], ...] = tuple((p.route, p.nav) for p in PAGES if p.nav)


def example_urls(html_only: bool = False) -> list[str]:
    """Every example URL, in table order; ``html_only`` leaves out non-HTML pages (the .bib download)."""
    return [u for p in PAGES if not (html_only and p.route.endswith(".bib")) for u in p.examples]
