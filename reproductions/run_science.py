"""The science check: the 7 baseline methods x several seeds on one benchmark, mean +- std table.

Usage::

    python -m reproductions.run_science [--benchmark wordnet-5x4] [--profile standard]
        [--seeds 0 1 2] [--methods seqft ...] [--threads 1] [--reuse]

Runs are sequential (one process, one run at a time) because the target
machine has 2 cores shared with other work; ``--reuse`` keeps result files
that already exist, so an interrupted sweep continues where it stopped.
The hypotheses of the issue are checked and printed, never enforced: a
failed check is a finding to investigate and document, not a reason to
change the benchmark.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import cast

from catalog.paths import results_dir
from catalog.runfile import ReproductionResult, read_result, result_path, write_atomic

METHODS = ["seqft", "seqlora", "replay", "ewc", "lwf", "pertask", "mtl"]
SEQUENTIAL = ["seqft", "seqlora", "replay", "ewc", "lwf"]


def mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def fmt(values: list[float], digits: int = 2) -> str:
    m, s = mean_std(values)
    return f"{m:.{digits}f} ± {s:.{digits}f}"


def table(results: dict[str, list[ReproductionResult]]) -> str:
    head = "| method | n | AA | AIA | BWT | FWT | FM | trainable params | wall time (s) |"
    lines = [head, "|" + "---|" * 9]
    for m, rs in results.items():
        if not rs:
            continue
        g = lambda k, rs=rs: [r.metrics[k] for r in rs if r.metrics[k] is not None]  # noqa: E731
        lines.append(
            f"| {m} | {len(rs)} | {fmt(g('AA'))} | {fmt(g('AIA'))} | {fmt(g('BWT'))} | {fmt(g('FWT'))} | {fmt(g('FM'))} | "
            f"{rs[0].trainable_params:,} | {fmt([r.wall_time_s for r in rs], 1)} |"
        )
    return "\n".join(lines)


def _verdict(ok: bool, a: list[float], b: list[float]) -> str:
    """'holds' / 'does NOT hold', flagged when the gap is within one standard deviation (seed noise)."""
    gap = abs(statistics.fmean(a) - statistics.fmean(b))
    noise = max(mean_std(a)[1], mean_std(b)[1])
    verdict = "holds" if ok else "does NOT hold"
    return verdict + (" (gap within 1 std: not distinguishable from seed noise)" if gap <= noise else "")


def hypotheses(results: dict[str, list[ReproductionResult]]) -> list[str]:
    """The issue's expectations, each reported with the numbers, never enforced."""
    # AA and BWT are computed for every run of these streams (at least 2 tasks), hence the casts
    vals = lambda m, k: [cast(float, r.metrics[k]) for r in results[m]]  # noqa: E731
    mean = lambda m, k: statistics.fmean(vals(m, k))  # noqa: E731
    out = []
    have = {m for m, rs in results.items() if rs}
    if "seqft" in have:
        bwt = mean("seqft", "BWT")
        out.append(f"SeqFT forgets (BWT < 0): {'holds' if bwt < 0 else 'does NOT hold'} (BWT {fmt(vals('seqft', 'BWT'))})")
        for m in ("replay", "ewc", "lwf"):
            if m in have:
                ok = mean(m, "BWT") > bwt
                out.append(
                    f"{m} forgets less than SeqFT (BWT {fmt(vals(m, 'BWT'))} vs {fmt(vals('seqft', 'BWT'))}): "
                    + _verdict(ok, vals(m, "BWT"), vals("seqft", "BWT"))
                )
    if "mtl" in have:
        for m in SEQUENTIAL:
            if m in have:
                ok = mean("mtl", "AA") >= mean(m, "AA")
                out.append(f"MTL AA >= {m} AA ({fmt(vals('mtl', 'AA'))} vs {fmt(vals(m, 'AA'))}): " + _verdict(ok, vals("mtl", "AA"), vals(m, "AA")))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benchmark", default="wordnet-5x4")
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--methods", nargs="+", default=METHODS)
    ap.add_argument("--out", type=Path, default=None, help="results root (default: the data tree's reproductions/results)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reuse", action="store_true", help="keep existing result files instead of re-running")
    ap.add_argument("--report", type=Path, help="also write the markdown table here")
    args = ap.parse_args(argv)
    args.out = args.out or results_dir()

    from reproductions import runner

    results: dict[str, list[ReproductionResult]] = {m: [] for m in args.methods}
    t0 = time.perf_counter()
    for seed in args.seeds:
        for m in args.methods:
            path = result_path(args.out, m, args.benchmark, args.profile, seed)
            if args.reuse and path.is_file():
                results[m].append(read_result(path))
                print(f"[reuse] {path}", file=sys.stderr)
                continue
            print(f"[run] {m} seed {seed} ({time.perf_counter() - t0:.0f} s elapsed)", file=sys.stderr, flush=True)
            opts = runner.RunOptions(m, args.benchmark, args.profile, seed=seed, out=args.out, threads=args.threads, progress=False)
            r = runner.run(opts)
            results[m].append(r)
            print(f"      AA {r.metrics['AA']:.2f} BWT {r.metrics['BWT']:.2f} in {r.wall_time_s:.0f} s", file=sys.stderr, flush=True)
    report = [
        f"## {args.benchmark}, profile {args.profile}, seeds {' '.join(map(str, args.seeds))} (mean ± sample std)",
        "",
        table(results),
        "",
        *[f"- {h}" for h in hypotheses(results)],
        "",
        f"sum of run wall times {sum(r.wall_time_s for rs in results.values() for r in rs):.0f} s; this invocation {time.perf_counter() - t0:.0f} s",
    ]
    text = "\n".join(report)
    print(text)
    if args.report:
        write_atomic(args.report, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
