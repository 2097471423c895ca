"""Benchmark: the web app on a synthetic catalog, against Datasette on the same SQLite file.

Measures, over HTTP on 127.0.0.1 (client-side wall time, keep-alive, after warm-up):

* the paper list with three taxonomy facets selected, rendering every facet's counts;
* full-text search (the HTML list with facets, and the JSON API);
* a paper page;

then throughput of the list page under a load generator (``wrk`` when installed,
else a bounded asyncio/httpx loop), and the same for Datasette serving the
same file with the equivalent facet and search queries. Everything is bounded
in count and time and talks to 127.0.0.1 only. Run from the repo root:

    python -m benchmarks.bench_web --papers 10000 --datasette /tmp/dsvenv/bin/datasette

and it writes ``benchmarks/RESULTS-web.md``. Datasette is not a dependency:
install it into a separate virtual environment (``python -m venv /tmp/dsvenv &&
/tmp/dsvenv/bin/pip install datasette``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ["PLM", "LLM", "VLM"]
PAIRS = ["DIL", "TIL", "CIL", "HTB", "BTB"]
TECHNIQUES = ["traditional", "continual-pretraining", "parameter-efficient", "instruction-tuning"]
SEARCH_WORDS = ["lora", "prompt", "replay", "memory", "orthogonal", "distillation", "adapter", "dialogue", "forgetting", "expert"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def start_ours(db: Path, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ, CLATLAS_DB=str(db))
    cmd = [sys.executable, "-m", "uvicorn", "webapp.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0,1", *cmd]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/api/metrics", proc)
    return proc, base


def start_datasette(exe: str, db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [exe, "serve", "-i", str(db), "--host", "127.0.0.1", "--port", str(port), "--setting", "suggest_facets", "off",
           "--setting", "facet_time_limit_ms", "2000", "--setting", "sql_time_limit_ms", "5000", "--setting", "default_page_size", "25"]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0,1", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/-/versions.json", proc)
    return proc, base


def cpu_seconds(root: int) -> float:
    """User+system CPU time of a process and all its descendants (Linux /proc), 0 elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = entry.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += stats[pid][1]
        todo.extend(p for p, (ppid, _) in stats.items() if ppid == pid)
    return total


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


# --------------------------------------------------------------------------- URL sets


def facet_triples(rng: random.Random, n: int) -> list[tuple[str, str, str]]:
    return [(rng.choice(FAMILIES), rng.choice(PAIRS), rng.choice(TECHNIQUES)) for _ in range(n)]


def ours_list_urls(triples: list[tuple[str, str, str]]) -> list[str]:
    return ["/papers?" + urlencode({"family": f, "increment": i, "technique": t}) for f, i, t in triples]


def datasette_list_urls(triples: list[tuple[str, str, str]]) -> list[str]:
    """Datasette's closest equivalent: placement rows filtered on the three columns, faceted on all four axes."""
    facets = "&".join(f"_facet={a}" for a in ("setting", "increment", "family", "technique"))
    return [f"/catalog/placement?{urlencode({'family': f, 'increment': i, 'technique': t})}&{facets}" for f, i, t in triples]


def datasette_paper_facet_urls(triples: list[tuple[str, str, str]]) -> list[str]:
    """The paper table filtered through placement (``_where``), faceted on the paper columns our page also counts."""
    facets = "&".join(f"_facet={c}" for c in ("year", "venue", "kind", "has_code", "has_reproduction"))
    out = []
    for f, i, t in triples:
        where = f"key in (select paper_key from placement where family='{f}' and increment='{i}' and technique='{t}')"
        out.append(f"/catalog/paper?{urlencode({'_where': where})}&{facets}")
    return out


# --------------------------------------------------------------------------- measurement


def latencies(base: str, urls: list[str], n: int, warmup: int = 20) -> dict[str, float]:
    with httpx.Client(base_url=base, timeout=30) as client:
        for u in urls[:warmup]:
            client.get(u)
        times, errors = [], 0
        for k in range(n):
            u = urls[k % len(urls)]
            t = time.perf_counter()
            r = client.get(u)
            times.append((time.perf_counter() - t) * 1000)
            errors += r.status_code >= 400
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "n": n, "errors": errors}


WRK_LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def load_wrk(base: str, urls: list[str], seconds: int, connections: int) -> dict[str, Any]:  # numbers, and the tool's name
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_LUA % ", ".join('"' + u.replace('"', '\\"') + '"' for u in urls))
        script = fh.name
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", script, base],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(script)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return {"rps": rps, "requests": total, "errors": non2xx + sock, "tool": "wrk", "connections": connections, "seconds": seconds}


def load_httpx(base: str, urls: list[str], seconds: int, connections: int) -> dict[str, Any]:  # numbers, and the tool's name
    """Fallback load loop: ``connections`` concurrent keep-alive clients, bounded by time."""

    async def run() -> tuple[int, int]:
        done = errors = 0
        stop_at = time.perf_counter() + seconds
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
            async def worker(k: int) -> None:
                nonlocal done, errors
                i = k
                while time.perf_counter() < stop_at:
                    try:
                        r = await client.get(urls[i % len(urls)])
                        errors += r.status_code >= 400
                    except httpx.HTTPError:
                        errors += 1
                    done += 1
                    i += connections
            await asyncio.gather(*(worker(k) for k in range(connections)))
        return done, errors

    t = time.perf_counter()
    done, errors = asyncio.run(run())
    return {"rps": done / (time.perf_counter() - t), "requests": done, "errors": errors, "tool": "httpx", "connections": connections, "seconds": seconds}


def load(base: str, urls: list[str], seconds: int, connections: int, cpu_of: int | None = None) -> dict[str, Any]:  # numbers, and the tool's name
    """Warm every worker (each builds its own index on first use), then measure.

    With ``cpu_of`` (the server's pid) it also reports the server's CPU
    milliseconds per request: on a host shared with other jobs, that is the
    number that says what two dedicated cores would sustain.
    """
    load_httpx(base, urls, 3, connections)
    before = cpu_seconds(cpu_of) if cpu_of else 0.0
    result = load_wrk(base, urls, seconds, connections) if shutil.which("wrk") else load_httpx(base, urls, seconds, connections)
    if cpu_of and result["requests"]:
        result["cpu_ms"] = (cpu_seconds(cpu_of) - before) * 1000 / result["requests"]
    return result


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=10_000)
    ap.add_argument("--db", type=Path, default=None, help="reuse a built database instead of generating one")
    ap.add_argument("--datasette", default=shutil.which("datasette"), help="datasette executable (skipped when absent)")
    ap.add_argument("--requests", type=int, default=300, help="sequential requests per latency measurement")
    ap.add_argument("--seconds", type=int, default=10, help="duration of each load run")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS-web.md")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="clatlas-bench-web-"))
    try:
        if args.db:
            db = args.db.resolve()
        else:
            from benchmarks.synthetic import make_catalog
            from catalog.build import build_database

            t = time.perf_counter()
            data = make_catalog(tmp / "data", args.papers)
            db = build_database(data, tmp / "catalog.sqlite").path
            print(f"built {args.papers} papers in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        import sqlite3

        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        keys = [r[0] for r in con.execute("SELECT key FROM paper ORDER BY random() LIMIT 200")]
        n_papers = con.execute("SELECT COUNT(*) FROM paper").fetchone()[0]
        con.close()

        rng = random.Random(0)
        triples = facet_triples(rng, 60)
        list_urls = ours_list_urls(triples)
        search_urls = ["/papers?" + urlencode({"q": w}) for w in SEARCH_WORDS]
        api_search_urls = ["/api/papers?" + urlencode({"q": w}) for w in SEARCH_WORDS]
        paper_urls = [f"/papers/{k}" for k in keys]
        load_urls = list_urls + [f"/papers?page={p}" for p in range(1, 21)]

        rows: dict[str, dict[str, dict[str, float]]] = {}
        proc, base = start_ours(db, workers=1)
        try:
            rows["ours"] = {
                "list, 3 facets selected + all facet counts (HTML)": latencies(base, list_urls, args.requests),
                "FTS search, HTML list with facet counts": latencies(base, search_urls, args.requests),
                "FTS search, JSON API": latencies(base, api_search_urls, args.requests),
                "paper page (HTML)": latencies(base, paper_urls, args.requests),
            }
            load_1 = load(base, load_urls, args.seconds, args.connections)
        finally:
            stop(proc)
        proc, base = start_ours(db, workers=2)
        try:
            load_2 = load(base, load_urls, args.seconds, args.connections, cpu_of=proc.pid)
        finally:
            stop(proc)

        ds_load = None
        if args.datasette and Path(args.datasette).exists():
            proc, base = start_datasette(args.datasette, db)
            try:
                ds_list = datasette_list_urls(triples)
                rows["datasette"] = {
                    "list, 3 facets selected + all facet counts (HTML)": latencies(base, ds_list, args.requests),
                    "paper table via _where + 5 paper facets (HTML)": latencies(base, datasette_paper_facet_urls(triples), args.requests),
                    "FTS search, HTML list with facet counts": latencies(
                        base,
                        [f"/catalog/paper?{urlencode({'_search': w, '_fts_table': 'paper_fts', '_fts_pk': 'rowid'})}&_facet=year&_facet=venue"
                         for w in SEARCH_WORDS],
                        args.requests),
                    "FTS search, JSON API": latencies(
                        base, [f"/catalog/paper.json?{urlencode({'_search': w, '_fts_table': 'paper_fts', '_fts_pk': 'rowid'})}" for w in SEARCH_WORDS],
                        args.requests),
                    "paper page (HTML)": latencies(base, [f"/catalog/paper/{k}" for k in keys], args.requests),
                }
                ds_load = load(base, ds_list, args.seconds, args.connections)
            finally:
                stop(proc)
        args.loadavg = os.getloadavg()
        write_report(args.out, n_papers, rows, load_1, load_2, ds_load, args)
        print(args.out.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def write_report(out: Path, n_papers: int, rows: dict, load_1: dict, load_2: dict, ds_load: dict | None, args: argparse.Namespace) -> None:
    ours = rows["ours"]
    ds = rows.get("datasette", {})
    targets = {"list, 3 facets selected + all facet counts (HTML)": 20, "FTS search, HTML list with facet counts": 10,
               "FTS search, JSON API": 10, "paper page (HTML)": 10}
    lines = [
        "# Web app benchmark",
        "",
        f"Synthetic catalog of {n_papers:,} papers (`benchmarks/synthetic.py`, seed 0), built with `catalog.build`. "
        f"Host: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}. "
        "Server and load generator share the same cores (pinned with `taskset -c 0,1` where available), all traffic over 127.0.0.1. "
        f"Load average at the end of the run (other jobs on the host included): {', '.join(f'{x:.1f}' for x in args.loadavg)}.",
        "",
        f"Latency: {args.requests} sequential keep-alive requests per row, client-side wall time in ms, rotating over varied URLs "
        "(60 random facet triples, 10 search words, 200 random papers), after warm-up; one uvicorn worker.",
        "",
        "| request | CL Atlas p50 | p95 | target p50 | Datasette p50 | p95 | Datasette / CL Atlas (p50) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, m in ours.items():
        d = ds.get(name)
        ratio = f"{d['p50'] / m['p50']:.1f}×" if d else "–"
        lines.append(f"| {name} | {m['p50']:.2f} | {m['p95']:.2f} | ≤ {targets.get(name, '–')} | "
                     f"{d['p50']:.2f} | {d['p95']:.2f} | {ratio} |" if d else
                     f"| {name} | {m['p50']:.2f} | {m['p95']:.2f} | ≤ {targets.get(name, '–')} | – | – | – |")
    for name, d in ds.items():
        if name not in ours:
            lines.append(f"| {name} (Datasette only) | – | – | – | {d['p50']:.2f} | {d['p95']:.2f} | – |")
    errs = sum(m["errors"] for m in ours.values())
    lines += [
        "",
        f"HTTP errors during the latency runs: {errs}.",
        "",
        f"Throughput of the list page ({load_1['tool']}, {load_1['connections']} connections, {load_1['seconds']} s each, "
        "URLs rotating over 60 facet triples and 20 pages):",
        "",
        "| server | requests/s | requests | errors |",
        "|---|---:|---:|---:|",
        f"| CL Atlas, uvicorn 1 worker | {load_1['rps']:.0f} | {load_1['requests']} | {load_1['errors']} |",
        f"| CL Atlas, uvicorn 2 workers (2 cores) | {load_2['rps']:.0f} | {load_2['requests']} | {load_2['errors']} |",
    ]
    if ds_load:
        lines.append(f"| Datasette (one process), equivalent placement facet page | {ds_load['rps']:.0f} | {ds_load['requests']} | {ds_load['errors']} |")
        lines += ["", f"Throughput ratio CL Atlas / Datasette: {load_1['rps'] / ds_load['rps']:.1f}× with one worker each, "
                      f"{load_2['rps'] / ds_load['rps']:.1f}× with CL Atlas on 2 workers."]
    if load_2.get("cpu_ms"):
        lines += ["", f"Server CPU per list-page request (2-worker run, all uvicorn processes): {load_2['cpu_ms']:.2f} ms, "
                      f"i.e. about {2000 / load_2['cpu_ms']:.0f} requests/s on 2 cores dedicated to the server."]
    lines += [
        "",
        "Notes: CL Atlas counts facets with an in-memory columnar index built once per database build (`webapp/index.py`); "
        "Datasette runs one SQL query per facet. The Datasette \"equivalent\" for the list page faceted on the `placement` table "
        "(its closest model of our taxonomy facets); the `_where` row shows the paper-level facets through the same filter. "
        "Datasette ran with `-i` (immutable), `suggest_facets off`, page size 25.",
        "",
        f"Reproduce: `python -m benchmarks.bench_web --papers {n_papers} --datasette /tmp/dsvenv/bin/datasette`.",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
