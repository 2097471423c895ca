"""Benchmark: the web app on a synthetic catalog, against Datasette on the same SQLite file.

Measures, over HTTP on 127.0.0.1:

* latency (client-side wall time, sequential keep-alive requests after
  warm-up, one server process each) of the paper list with three taxonomy
  facets selected and every facet's counts, full-text search (the HTML list
  and the JSON API) and a paper page;
* throughput of the list page: **uncached** (every request computes its
  page: filter, facet counts, HTML, gzip) and, separately, **conditional
  GET** (the client revalidates with the ETag it holds and gets 304 Not
  Modified), for CL Atlas with 1 and 2 uvicorn workers and for Datasette
  with one process (``datasette serve``) and with 2 uvicorn workers (its ASGI
  app under the same server), on the equivalent facet page.

The host is shared (two cores, other jobs running), so every server is
started first and the load runs go in rounds that alternate between the
servers (the order rotating each round); the report gives the median of the
rounds, their range, and the load average seen during each. All servers use
the same uvicorn; its HTTP parser and event loop (httptools/uvloop or
h11/asyncio) are whatever each one's environment provides, and the report
says which. Requests ask for gzip, as browsers do (Datasette does not
compress). Every URL and the page size (25) are the same for all runs.

Run from the repo root:

    python -m benchmarks.bench_web --papers 10000 --datasette /tmp/dsvenv/bin/datasette

and it writes ``benchmarks/RESULTS-web.md``. Datasette is not a dependency:
install it into a separate virtual environment (``python -m venv /tmp/dsvenv &&
/tmp/dsvenv/bin/pip install datasette httptools uvloop``). ``--baseline PATH``
also runs the CL Atlas code of another checkout (e.g. the previous commit,
``git worktree add /tmp/base HEAD~1``) in the same rounds, for a before/after
on the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from benchmarks import loadgen

REPO = Path(__file__).resolve().parent.parent
FAMILIES = ["PLM", "LLM", "VLM"]
PAIRS = ["DIL", "TIL", "CIL", "HTB", "BTB"]
TECHNIQUES = ["traditional", "continual-pretraining", "parameter-efficient", "instruction-tuning"]
SEARCH_WORDS = ["lora", "prompt", "replay", "memory", "orthogonal", "distillation", "adapter", "dialogue", "forgetting", "expert"]
DATASETTE_SETTINGS = {"suggest_facets": "off", "facet_time_limit_ms": "2000", "sql_time_limit_ms": "5000", "default_page_size": "25"}
ACCEPT = {"Accept-Encoding": "gzip"}
DATASETTE_FACTORY = """
from datasette.app import Datasette

def app():
    return Datasette(immutables=[{db!r}], settings={settings!r}).app()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 120) -> None:
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


def pinned(cmd: list[str]) -> list[str]:
    return ["taskset", "-c", "0,1", *cmd] if shutil.which("taskset") else cmd


def http_stack(python: str) -> str:
    """Which HTTP parser and event loop uvicorn picks in that interpreter (``--http auto --loop auto``)."""
    probe = "import importlib.util as u; print(('httptools' if u.find_spec('httptools') else 'h11') + '/' + ('uvloop' if u.find_spec('uvloop') else 'asyncio'))"
    try:
        return subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=60).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    list_urls: list[str]
    stack: str
    workers: int
    uncached: list[dict] = field(default_factory=list)
    conditional: list[dict] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_ours(name: str, db: Path, workers: int, python: str, root: Path, urls: list[str]) -> Server:
    port = free_port()
    env = dict(os.environ, CLATLAS_DB=str(db))
    cmd = [
        python,
        "-m",
        "uvicorn",
        "webapp.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(pinned(cmd), cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(f"http://127.0.0.1:{port}/api/metrics", proc)
    return Server(name, proc, port, urls, http_stack(python), workers)


def start_datasette(name: str, exe: str, db: Path, workers: int, tmp: Path, urls: list[str]) -> Server:
    """``datasette serve`` for one process; its ASGI app under ``uvicorn --workers N`` otherwise."""
    port = free_port()
    python = str(Path(exe).with_name("python"))
    if workers == 1:
        cmd = [exe, "serve", "-i", str(db), "--host", "127.0.0.1", "--port", str(port)]
        for k, v in DATASETTE_SETTINGS.items():
            cmd += ["--setting", k, v]
        cwd = None
    else:
        (tmp / "ds_factory.py").write_text(
            DATASETTE_FACTORY.format(db=str(db), settings={k: (False if v == "off" else int(v)) for k, v in DATASETTE_SETTINGS.items()})
        )
        cmd = [
            python,
            "-m",
            "uvicorn",
            "ds_factory:app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        cwd = tmp
    proc = subprocess.Popen(pinned(cmd), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_ready(f"http://127.0.0.1:{port}/-/versions.json", proc)
    return Server(name, proc, port, urls, http_stack(python), workers)


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


def latencies(targets: dict[str, tuple[str, list[str]]], n: int, warmup: int = 20) -> dict[str, tuple[list[float], int]]:
    """``n`` sequential keep-alive requests to each server (``who: (base URL, URLs)``), interleaved request by request
    (the order rotating), so that all of them see the same load; the times in ms and the number of HTTP errors of each."""
    clients = {who: httpx.Client(base_url=base, timeout=30) for who, (base, _) in targets.items()}
    out: dict[str, tuple[list[float], int]] = {who: ([], 0) for who in targets}
    try:
        for who, (_, urls) in targets.items():
            for u in urls[:warmup]:
                clients[who].get(u)
        order = list(targets)
        for k in range(n):
            for who in order[k % len(order) :] + order[: k % len(order)]:
                urls = targets[who][1]
                t = time.perf_counter()
                r = clients[who].get(urls[k % len(urls)])
                times, errors = out[who]
                times.append((time.perf_counter() - t) * 1000)
                out[who] = (times, errors + (r.status_code >= 400))
    finally:
        for c in clients.values():
            c.close()
    return out


def summary(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "n": len(times)}


def etags(server: Server) -> list[str]:
    """The ETag of every list URL as a gzip-accepting client receives it."""
    out = []
    with httpx.Client(base_url=server.base, timeout=30, headers=ACCEPT) as client:
        for u in server.list_urls:
            out.append(client.get(u).headers.get("etag", ""))
    return out


def load_round(server: Server, seconds: float, connections: int, conditional: bool) -> dict:
    requests = []
    tags = etags(server) if conditional else [""] * len(server.list_urls)
    for u, tag in zip(server.list_urls, tags):
        headers = dict(ACCEPT, **({"If-None-Match": tag} if conditional and tag else {}))
        requests.append(loadgen.request_bytes("127.0.0.1", server.port, u, headers))
    before = cpu_seconds(server.proc.pid)
    load_before = os.getloadavg()[0]
    result = loadgen.run("127.0.0.1", server.port, requests, seconds, connections)
    result["server_cpu_ms"] = (cpu_seconds(server.proc.pid) - before) * 1000 / max(result["requests"], 1)
    result["loadavg"] = (load_before + os.getloadavg()[0]) / 2
    return result


def profile_breakdown(python: str, root: Path, db: Path, requests: int) -> dict[str, float]:
    """Milliseconds per section of one list request in process (``benchmarks/profile_list.py`` run on ``root``'s code)."""
    script = Path(__file__).resolve().with_name("profile_list.py")
    out = subprocess.run(
        pinned([python, str(script), "--db", str(db), "--root", str(root), "--requests", str(requests)]), cwd=root, capture_output=True, text=True, timeout=900
    )
    if out.returncode:
        raise RuntimeError(f"profile_list failed on {root}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def med(rounds: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in rounds)


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--papers", type=int, default=10_000)
    ap.add_argument("--db", type=Path, default=None, help="reuse a built database instead of generating one")
    ap.add_argument("--datasette", default=shutil.which("datasette"), help="datasette executable (skipped when absent)")
    ap.add_argument("--python", default=sys.executable, help="interpreter that runs the CL Atlas server (default: this one)")
    ap.add_argument("--baseline", type=Path, default=None, help="another checkout whose CL Atlas code also runs, for a before/after")
    ap.add_argument("--requests", type=int, default=300, help="sequential requests per server and latency row (interleaved)")
    ap.add_argument("--rounds", type=int, default=5, help="load rounds per server (alternating)")
    ap.add_argument("--seconds", type=float, default=5, help="duration of each load run")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--profile-requests", type=int, default=400, help="list requests per in-process breakdown run")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "RESULTS-web.md")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="clatlas-bench-web-"))
    servers: list[Server] = []
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
        load_urls = list_urls + [f"/papers?page={p}" for p in range(1, 21)]
        ds_list = datasette_list_urls(triples)
        has_ds = bool(args.datasette and Path(args.datasette).exists())

        ours1 = start_ours("CL Atlas, 1 worker", db, 1, args.python, REPO, load_urls)
        servers.append(ours1)
        servers.append(start_ours("CL Atlas, 2 workers", db, 2, args.python, REPO, load_urls))
        base1 = None
        if args.baseline:
            base1 = start_ours(f"CL Atlas baseline ({args.baseline.name}), 1 worker", db, 1, args.python, args.baseline.resolve(), load_urls)
            servers.append(base1)
        ds1 = None
        if has_ds:
            ds1 = start_datasette("Datasette, 1 process (datasette serve)", args.datasette, db, 1, tmp, ds_list)
            servers.append(ds1)
            servers.append(start_datasette("Datasette, 2 workers (uvicorn --workers 2)", args.datasette, db, 2, tmp, ds_list))

        # ---------------------------------------------------------------- in-process breakdown of one list request
        roots = {"now": REPO} | ({"baseline": args.baseline.resolve()} if args.baseline else {})
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in roots}
        for _ in range(2):  # alternating, so that both see the same load
            for who, root in roots.items():
                runs[who].append(profile_breakdown(args.python, root, db, args.profile_requests))
        breakdown = {who: {k: statistics.mean(r[k] for r in rs if k in r) for k in rs[0]} for who, rs in runs.items()}

        # ---------------------------------------------------------------- latency (one process each), interleaved
        ours_rows = {
            "list, 3 facets selected + all facet counts (HTML)": list_urls,
            "FTS search, HTML list with facet counts": ["/papers?" + urlencode({"q": w}) for w in SEARCH_WORDS],
            "FTS search, JSON API": ["/api/papers?" + urlencode({"q": w}) for w in SEARCH_WORDS],
            "paper page (HTML)": [f"/papers/{k}" for k in keys],
        }
        fts = {w: urlencode({"_search": w, "_fts_table": "paper_fts", "_fts_pk": "rowid"}) for w in SEARCH_WORDS}
        ds_rows = {
            "list, 3 facets selected + all facet counts (HTML)": ds_list,
            "FTS search, HTML list with facet counts": [f"/catalog/paper?{fts[w]}&_facet=year&_facet=venue" for w in SEARCH_WORDS],
            "FTS search, JSON API": [f"/catalog/paper.json?{fts[w]}" for w in SEARCH_WORDS],
            "paper page (HTML)": [f"/catalog/paper/{k}" for k in keys],
            "paper table via _where + 5 paper facets (HTML)": datasette_paper_facet_urls(triples),
        }
        lat: dict[str, dict[str, list[float]]] = {"ours": {}, "baseline": {}, "datasette": {}}
        errors = 0
        for name in {**ours_rows, **ds_rows}:
            targets = {
                who: (server.base, rows[name])
                for who, server, rows in (("ours", ours1, ours_rows), ("baseline", base1, ours_rows), ("datasette", ds1, ds_rows))
                if server is not None and name in rows
            }
            for who, (times, errs) in latencies(targets, args.requests).items():
                lat[who][name] = times
                errors += errs if who == "ours" else 0

        # ---------------------------------------------------------------- throughput, alternating rounds
        for s in servers:  # warm every worker (each builds its index and paper cards on first use)
            loadgen.run("127.0.0.1", s.port, [loadgen.request_bytes("127.0.0.1", s.port, u, ACCEPT) for u in s.list_urls], 4, args.connections)
        for rnd in range(args.rounds):
            order = servers[rnd % len(servers) :] + servers[: rnd % len(servers)]
            for s in order:
                s.uncached.append(load_round(s, args.seconds, args.connections, conditional=False))
                print(f"round {rnd + 1} {s.name}: {s.uncached[-1]['rps']:.0f} req/s (load {s.uncached[-1]['loadavg']:.1f})", file=sys.stderr)
            for s in order:
                if s.name.startswith("CL Atlas") and "baseline" not in s.name:
                    s.conditional.append(load_round(s, args.seconds, args.connections, conditional=True))
        ds_conditional = None
        if ds1 is not None:
            with httpx.Client(base_url=ds1.base, timeout=30) as client:
                ds_conditional = "etag" in client.get(ds_list[0]).headers
        args.loadavg = os.getloadavg()
        write_report(args.out, n_papers, lat, errors, servers, ds_conditional, breakdown, args)
        print(args.out.read_text(encoding="utf-8"))
    finally:
        for s in servers:
            stop(s.proc)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def write_report(
    out: Path,
    n_papers: int,
    lat: dict,
    errors: int,
    servers: list[Server],
    ds_conditional: bool | None,
    breakdown: dict[str, dict[str, float]],
    args: argparse.Namespace,
) -> None:
    ours, base, ds = lat["ours"], lat["baseline"], lat["datasette"]
    targets = {
        "list, 3 facets selected + all facet counts (HTML)": 20,
        "FTS search, HTML list with facet counts": 10,
        "FTS search, JSON API": 10,
        "paper page (HTML)": 10,
    }
    all_rounds = [r for s in servers for r in s.uncached + s.conditional]
    loads = [r["loadavg"] for r in all_rounds]
    stacks = sorted({f"{s.name.split(',')[0]}: {s.stack}" for s in servers})
    lines = [
        "# Web app benchmark",
        "",
        f"Synthetic catalog of {n_papers:,} papers (`benchmarks/synthetic.py`, seed 0), built with `catalog.build`. "
        f"Host: {platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}. "
        "Servers and load generator share the same cores (pinned with `taskset -c 0,1` where available), all traffic over 127.0.0.1. "
        f"The host is shared with other jobs: 1-minute load average during the load rounds {min(loads):.1f}–{max(loads):.1f} "
        f"(median {statistics.median(loads):.1f}), so every server ran in the same alternating rounds. "
        f"uvicorn's HTTP parser/event loop: {'; '.join(stacks)}.",
        "",
        f"Latency: {sum(len(v) for v in ours.values()) // max(len(ours), 1)} sequential keep-alive requests per row (httpx), client-side wall time in ms, "
        "interleaved request by request between the servers (so all see the same load), "
        "rotating over varied URLs (60 random facet triples, 10 search words, 200 random papers), "
        "after warm-up; one server process each.",
        "",
    ]
    head = "| request | CL Atlas p50 | p95 | target p50 |"
    sep = "|---|---:|---:|---:|"
    if base:
        head += " baseline p50 | p95 |"
        sep += "---:|---:|"
    head += " Datasette p50 | p95 | Datasette / CL Atlas (p50) |"
    sep += "---:|---:|---:|"
    lines += [head, sep]
    for name, times in ours.items():
        m = summary(times)
        row = f"| {name} | {m['p50']:.2f} | {m['p95']:.2f} | ≤ {targets.get(name, '–')} |"
        if base:
            b = summary(base[name])
            row += f" {b['p50']:.2f} | {b['p95']:.2f} |"
        if name in ds:
            d = summary(ds[name])
            row += f" {d['p50']:.2f} | {d['p95']:.2f} | {d['p50'] / m['p50']:.1f}× |"
        else:
            row += " – | – | – |"
        lines.append(row)
    for name, times in ds.items():
        if name not in ours:
            d = summary(times)
            lines.append(f"| {name} (Datasette only) | – | – | – |" + (" – | – |" if base else "") + f" {d['p50']:.2f} | {d['p95']:.2f} | – |")
    lines += ["", f"HTTP errors during the CL Atlas latency runs: {errors}.", ""]

    first = servers[0].uncached[0]
    lines += [
        f"Throughput of the list page ({first['tool']}: a closed loop of {first['connections']} keep-alive connections, "
        f"{args.rounds} rounds of {args.seconds:g} s per server, the servers alternating within each round; "
        "CL Atlas URLs rotate over 60 facet triples and 20 pages, Datasette's over the same 60 triples as placement facet pages). "
        "Uncached: every request computes its page. Requests/s and server CPU are medians over the rounds; "
        "server CPU counts every process of the server; client CPU is the load generator's.",
        "",
        "| server | uncached requests/s (median) | range over rounds | p50 under load (ms) | server CPU per request (ms) "
        "| client CPU per request (ms) | requests | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in servers:
        r = s.uncached
        lines.append(
            f"| {s.name} | {med(r, 'rps'):.0f} | {min(x['rps'] for x in r):.0f}–{max(x['rps'] for x in r):.0f} | "
            f"{med(r, 'p50_ms'):.1f} | {med(r, 'server_cpu_ms'):.2f} | {med(r, 'client_cpu_ms'):.2f} | "
            f"{sum(x['requests'] for x in r)} | {sum(x['errors'] for x in r)} |"
        )
    ours1, ours2 = servers[0], servers[1]
    ds_servers = [s for s in servers if s.name.startswith("Datasette")]
    if ds_servers:
        ds1 = ds_servers[0]
        best_ours = max((ours1, ours2), key=lambda s: med(s.uncached, "rps"))
        best_ds = max(ds_servers, key=lambda s: med(s.uncached, "rps"))

        def paired(a: Server, b: Server) -> str:
            ratios = sorted(x["rps"] / y["rps"] for x, y in zip(a.uncached, b.uncached))
            return f"{med(a.uncached, 'rps') / med(b.uncached, 'rps'):.1f}× (per-round ratios {ratios[0]:.1f}–{ratios[-1]:.1f}×)"

        lines += [
            "",
            "Throughput ratio CL Atlas / Datasette, uncached list page (ratio of the medians):",
            "",
            f"* one process each (1 worker vs `datasette serve`): {paired(ours1, ds1)};",
        ]
        if len(ds_servers) > 1:
            lines.append(f"* 2 workers each: {paired(ours2, ds_servers[1])};")
        lines.append(f"* best configuration of each ({best_ours.name} vs {best_ds.name}): {paired(best_ours, best_ds)}.")

        def cpu(s: Server) -> float:
            return med(s.uncached, "server_cpu_ms")

        def cores(s: Server) -> str:
            return f"{med(s.uncached, 'rps') * cpu(s) / 1000:.2f}"

        pairs = [(ours1, ds1)] + ([(ours2, ds_servers[1])] if len(ds_servers) > 1 else [])
        lines += [
            "",
            "What the ratios are made of: the server CPU per list page and the share of the cores each server got (requests/s × CPU per request, in cores):",
            "",
        ]
        for ours_s, ds_s in pairs:
            lines.append(
                f"* {ours_s.name}: {cpu(ours_s):.2f} ms per page, {cores(ours_s)} cores; {ds_s.name}: {cpu(ds_s):.2f} ms per page, "
                f"{cores(ds_s)} cores; Datasette spends {cpu(ds_s) / cpu(ours_s):.1f}× the CPU per page."
            )
        lines += [
            "",
            "The kernel shares the cores among runnable threads, and the host's other jobs take their part. A CL Atlas worker "
            "is one Python thread; a Datasette worker also runs its SQL in a pool of threads, which SQLite lets run outside "
            "the GIL, so under contention it can obtain a larger share of the two cores (the cores above). "
            "The throughput ratio measures that share as well as the cost of a page; the CPU per page is the cost alone. "
            "At the CPU per page measured here, two cores given to the server alone would sustain about "
            + "; ".join(f"{2000 / cpu(s):.0f} requests/s for {s.name}" for s in (ours2 if len(ds_servers) > 1 else ours1, ds_servers[-1]))
            + " (an extrapolation, not a measurement).",
        ]
    cond = [s for s in servers if s.conditional]
    if cond:
        lines += [
            "",
            "Conditional GET of the same list URLs (`If-None-Match` with the page's ETag; answered 304 before any filtering "
            "or rendering). Reported separately: it is what a revalidating browser or proxy costs, not a computed page.",
            "",
            "| server | 304 requests/s (median) | range over rounds | p50 under load (ms) | server CPU per request (ms) | statuses |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for s in cond:
            r = s.conditional
            statuses: dict[int, int] = {}
            for x in r:
                for k, v in x["statuses"].items():
                    statuses[k] = statuses.get(k, 0) + v
            lines.append(
                f"| {s.name} | {med(r, 'rps'):.0f} | {min(x['rps'] for x in r):.0f}–{max(x['rps'] for x in r):.0f} | "
                f"{med(r, 'p50_ms'):.1f} | {med(r, 'server_cpu_ms'):.2f} | {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} |"
            )
        if ds_conditional is not None:
            lines += [
                "",
                "Datasette sends an ETag on these pages too (not measured here)."
                if ds_conditional
                else "Datasette sends no ETag on these pages, so it has no conditional-GET row.",
            ]
    lines += breakdown_lines(breakdown, servers, args)
    lines += [
        "",
        "Notes: CL Atlas counts facets with an in-memory columnar index built once per database build (`webapp/index.py`) and "
        "renders each paper's list card once per database build (`webapp/cards.py`); both are build-time artifacts, and every "
        "request still filters, counts, writes its sidebar and page, and compresses it. Datasette runs one SQL query per facet. "
        'The Datasette "equivalent" for the list page is faceted on the `placement` table (its closest model of our taxonomy facets); '
        "the `_where` row shows the paper-level facets through the same filter. Datasette ran with `-i` (immutable), "
        "`suggest_facets off`, page size 25; its 2-worker run serves `Datasette(immutables=[db], settings=...).app()` under uvicorn.",
        "",
        f"Reproduce: `python -m benchmarks.bench_web --papers {n_papers} --datasette /tmp/dsvenv/bin/datasette"
        + (" --python PYTHON" if args.python != sys.executable else "")
        + (" --baseline PATH" if args.baseline else "")
        + "`.",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")


def breakdown_lines(breakdown: dict[str, dict[str, float]], servers: list[Server], args: argparse.Namespace) -> list[str]:
    """Where one list request's time goes, now (and in the baseline checkout), from ``benchmarks/profile_list.py``."""
    cols = list(breakdown)
    names = []
    for who in cols:
        names += [k for k in breakdown[who] if k not in names and k not in ("asgi", "stack", "atlas look-ups", "gzip level")]
    label = {"now": "this code", "baseline": f"baseline ({args.baseline.name})" if args.baseline else "baseline"}
    lines = [
        "",
        "Where the time of one uncached list request goes (`benchmarks/profile_list.py`: in process, no HTTP, median ms over "
        f"{args.profile_requests} list URLs of the load test, two runs alternating"
        + (" with the baseline" if len(cols) > 1 else "")
        + "; wall time on the shared host, so the absolute values carry its load):",
        "",
        "| section | " + " | ".join(label[c] for c in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for name in names:
        shown = name if name != "gzip" else "gzip (level " + " / ".join(str(int(breakdown[c].get("gzip level", 6))) for c in cols) + ")"
        lines.append(f"| {shown} | " + " | ".join(f"{breakdown[c][name]:.2f}" if name in breakdown[c] else "–" for c in cols) + " |")
    lines.append("| FastAPI routing, middleware (ETag, gzip wrapper, headers), response | " + " | ".join(f"{breakdown[c]['stack']:.2f}" for c in cols) + " |")
    lines.append("| **whole request through the ASGI app** | " + " | ".join(f"**{breakdown[c]['asgi']:.2f}**" for c in cols) + " |")
    one = {s.name: s for s in servers}
    server_cpu = []
    for c in cols:
        sname = "CL Atlas, 1 worker" if c == "now" else next((s.name for s in servers if "baseline" in s.name), None)
        s = one.get(sname) if sname else None
        server_cpu.append(f"{med(s.uncached, 'server_cpu_ms'):.2f}" if s else "–")
    lines.append("| server CPU per request under load (1 worker: uvicorn, sockets and the app; from the throughput table) | " + " | ".join(server_cpu) + " |")
    return lines


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
