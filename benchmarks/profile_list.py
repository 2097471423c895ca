"""Where the time of one list-page request goes, section by section, in process (no HTTP).

Run from a checkout's root (``--root``, default: this repository) against a
built database; prints one JSON object of median milliseconds per section
over the list URLs of ``benchmarks/bench_web.py``:

    python benchmarks/profile_list.py --db catalog.sqlite [--root OTHER_CHECKOUT]

The sections are those the handler of ``/papers`` runs in order: filter
parsing, the index's filtering and paging, facet counts, the paper rows (SQL
before the cards existed; a look-up of the prebuilt cards since), the
sidebar, the Jinja render, gzip. ``asgi`` is one whole request through the
app (FastAPI routing, every middleware, the handler, the response) and
``stack`` is what that adds to the sections. The server itself (uvicorn,
sockets) is not in here: ``bench_web`` gets it from the server's CPU time
under load. It also works on a checkout from before the cards and the Python
sidebar (for a before/after); the sections it lacks are reported as absent.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import math
import random
import statistics
import sys
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

FAMILIES = ["PLM", "LLM", "VLM"]
PAIRS = ["DIL", "TIL", "CIL", "HTB", "BTB"]
TECHNIQUES = ["traditional", "continual-pretraining", "parameter-efficient", "instruction-tuning"]


def list_urls() -> list[str]:
    rng = random.Random(0)  # the same triples as bench_web
    triples = [(rng.choice(FAMILIES), rng.choice(PAIRS), rng.choice(TECHNIQUES)) for _ in range(60)]
    return ["/papers?" + urlencode({"family": f, "increment": i, "technique": t}) for f, i, t in triples] + [f"/papers?page={p}" for p in range(1, 21)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--gzip-level", type=int, default=None, help="default: the app's GZIP_LEVEL")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(args.root.resolve()))

    from catalog.taxonomy import AXES
    from webapp import middleware, queries
    from webapp.app import create_app
    from webapp.filters import parse_filter

    app = create_app(args.db)
    atlas = app.state.atlas
    level = args.gzip_level or getattr(middleware, "GZIP_LEVEL", 6)
    new = hasattr(atlas, "cards")
    if new:
        from webapp import facetview
        from webapp.cards import REPRO_LINK_TITLES
    else:
        from webapp.routes_pages import REPRO_LINK_TITLES  # the old checkout's module
    urls = list_urls()

    def sections(url: str) -> dict[str, float]:
        out: dict[str, float] = {}
        t = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal t
            now = time.perf_counter()
            out[name] = (now - t) * 1000
            t = now

        vocab, con, idx = atlas.vocab(), atlas.con(), atlas.index()
        lap("atlas look-ups")
        f = parse_filter(parse_qsl(url.split("?", 1)[1], keep_blank_values=True), vocab)
        lap("filter parsing")
        if hasattr(idx, "_axis_masks"):
            masks = idx._axis_masks(f)
            comps = idx.components(con, f, masks)
        else:
            comps = idx.components(con, f)
        full = idx._and(idx.n, list(comps.values()))
        order = idx.order[f.effective_sort]
        chosen = order[full[order]]
        total = int(chosen.size)
        keys = [idx.keys[i] for i in chosen[f.offset : f.offset + f.per_page].tolist()]
        lap("index: filter, sort, page")
        facets = idx._facets(f, comps, full, masks) if hasattr(idx, "_axis_masks") else idx._facets(f, comps)
        lap("facet counts")
        pages = max(1, math.ceil(total / f.per_page))
        if new:
            built = atlas.cards()
            cards = [c for k in keys if (c := built.get(k)) is not None]
            lap("paper rows: SQL fetch / prebuilt cards")
            badges = atlas.cached("badges", lambda con: facetview.badges(vocab.taxonomy))
            side = facetview.sidebar(f, facets, vocab.taxonomy, REPRO_LINK_TITLES, badges)
            lap("sidebar (Python)")
            html = atlas.env.get_template("papers.html").render(request=None, path="/papers", f=f, total=total, cards=cards, sidebar=side, pages=pages)
        else:
            rows = queries.rows_for_keys(con, keys, "")
            lap("paper rows: SQL fetch / prebuilt cards")
            html = atlas.env.get_template("papers.html").render(
                request=None,
                path="/papers",
                f=f,
                total=total,
                rows=rows,
                facets=facets,
                pages=pages,
                tax=vocab.taxonomy,
                AXES=AXES,
                REPRO_LINK_TITLES=REPRO_LINK_TITLES,
            )
        lap("Jinja render")
        gzip.compress(html.encode(), level)
        lap("gzip")
        return out

    async def whole(url: str) -> float:
        path, qs = url.split("?", 1)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": qs.encode(),
            "root_path": "",
            "headers": [(b"host", b"127.0.0.1"), (b"accept-encoding", b"gzip")],
            "client": ("127.0.0.1", 1),
            "server": ("127.0.0.1", 80),
            "state": {},
        }

        async def receive() -> MutableMapping[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: MutableMapping[str, Any]) -> None:
            pass

        t = time.perf_counter()
        await app(scope, receive, send)
        return (time.perf_counter() - t) * 1000

    async def run_whole(n: int) -> list[float]:
        return [await whole(urls[i % len(urls)]) for i in range(n)]

    for u in urls[:40]:  # warm-up: the index (and cards) are built on first use
        sections(u)
    asyncio.run(run_whole(20))
    # alternate the two measurements in blocks, so that both see the same load
    per: dict[str, list[float]] = {}
    whole_ms: list[float] = []
    for block in range(4):
        for i in range(args.requests // 4):
            for k, v in sections(urls[(block * 97 + i) % len(urls)]).items():
                per.setdefault(k, []).append(v)
        whole_ms += asyncio.run(run_whole(args.requests // 4))
    result = {k: statistics.median(v) for k, v in per.items()}
    result["asgi"] = statistics.median(whole_ms)
    result["gzip level"] = level
    result["stack"] = result["asgi"] - sum(v for k, v in result.items() if k not in ("asgi", "atlas look-ups", "gzip level"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
