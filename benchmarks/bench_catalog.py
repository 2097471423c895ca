"""Benchmark: ``validate`` + ``build`` on synthetic catalogs, against a bare YAML parse.

Each measurement runs in a fresh Python process so that its peak memory
(``ru_maxrss`` of the child) is its own. Run from the repo root:

    python -m benchmarks.bench_catalog --sizes 10000 100000 [--write]

prints the table; ``--write`` also writes it, with the machine's core count and
load average, to ``benchmarks/RESULTS-catalog.md`` and into the README between
``<!-- bench_catalog -->`` and ``<!-- /bench_catalog -->``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
mode, data, db = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
t = time.perf_counter()
if mode == "yaml":
    import yaml
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    n = 0
    for p in sorted((data / "papers").glob("*.yaml")):
        with open(p, encoding="utf-8") as fh:
            yaml.load(fh, Loader=loader)
        n += 1
elif mode == "validate":
    from catalog.loader import load_catalog
    cat = load_catalog(data)
    assert not cat.problems, cat.problems[:3]
    n = len(cat.papers)
else:
    from catalog.build import build_database
    n = build_database(data, db).papers
secs = time.perf_counter() - t
print(json.dumps({"mode": mode, "n": n, "seconds": secs, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(mode: str, data: Path, db: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, mode, str(data), str(db)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    from benchmarks.synthetic import make_catalog

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--write", action="store_true", help="write benchmarks/RESULTS-catalog.md and the README table")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            data = make_catalog(Path(tmp) / f"data{n}", n)
            db = Path(tmp) / f"catalog{n}.sqlite"
            measure("yaml", data, db)  # warm the page cache so all three read from memory
            y = measure("yaml", data, db)
            v = measure("validate", data, db)
            b = measure("build", data, db)  # build = validate + write
            rows.append((n, y, v, b))
            print(f"{n}: yaml {y['seconds']:.1f}s, validate {v['seconds']:.1f}s, build {b['seconds']:.1f}s, peak {b['peak_mib']:.0f} MiB", file=sys.stderr)
            db.unlink(missing_ok=True)
    lines = [
        "| papers | bare YAML parse (C loader) | validate | build (validate + SQLite) | build / YAML | peak memory (build) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, y, v, b in rows:
        lines.append(
            f"| {n:,} | {y['seconds']:.1f} s | {v['seconds']:.1f} s | {b['seconds']:.1f} s | {b['seconds'] / y['seconds']:.1f}x | {b['peak_mib']:.0f} MiB |"
        )
    table = "\n".join(lines)
    print(table)
    if args.write:
        write(table)


def write(table: str) -> None:
    """The table into benchmarks/RESULTS-catalog.md (with the machine's state) and into the README block."""
    root = Path(__file__).resolve().parent.parent
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    (root / "benchmarks" / "RESULTS-catalog.md").write_text(
        "# Catalog benchmark: validate and build\n\n"
        "Written by `python -m benchmarks.bench_catalog --write` on synthetic catalogs (`benchmarks/synthetic.py`). "
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average at the end of the run "
        f"(other jobs included): {load}.\n\n" + table + "\n",
        encoding="utf-8",
    )
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    a, b = text.index("<!-- bench_catalog -->"), text.index("<!-- /bench_catalog -->")
    readme.write_text(text[: a + len("<!-- bench_catalog -->")] + "\n" + table + "\n" + text[b:], encoding="utf-8")


if __name__ == "__main__":
    main()
