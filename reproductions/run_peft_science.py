"""The foundation-LM CL methods on the WordNet benchmarks: runs, mean ± std tables and the literature checks.

Usage::

    python -m reproductions.run_peft_science [--groups til cil online] [--seeds 0 1 2]
        [--reuse] [--baseline-dir /tmp/sci/results] [--report FILE]
    python -m reproductions.run_peft_science --dry-run --doc benchmarks/RESULTS-repro-peft.md [--check]

``--dry-run`` trains nothing: it only tabulates the result files that exist.
``--doc`` writes the tables, the checks and the paired comparisons between the
markers ``<!-- run_peft_science -->`` and ``<!-- /run_peft_science -->`` of a
markdown file; with ``--check`` it only fails (status 1) when that block is stale.

Three groups, each within one scenario so that methods are only compared
with methods evaluated the same way:

* ``til`` (``wordnet-5x4-til``): Progressive Prompts needs the task id, so it
  runs task-incrementally, next to IncLoRA, O-LoRA, L2P, AdapterCL and the
  7 harness baselines on the same stream;
* ``cil`` (``wordnet-5x4``): the task-agnostic methods (IncLoRA, O-LoRA,
  L2P, AdapterCL) next to the 7 harness baselines of ``run_science``
  (read from ``--out`` or ``--baseline-dir``, run only if missing);
* ``online`` (``wordnet-5x4-online-htb`` and ``-btb``): MbPA++ and Online ER
  with SeqFT as the single-pass reference.

Runs are sequential (one process, one run at a time, ``--threads`` torch
threads); ``--reuse`` keeps result files that already exist. The literature
findings are checked and printed, never enforced: a finding that does not
hold is reported with its numbers, and the benchmark is not changed to make
it hold.
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
from reproductions.run_science import METHODS as BASELINES
from reproductions.run_science import table

GROUPS: dict[str, list[tuple[str, list[str]]]] = {
    "til": [("wordnet-5x4-til", [*BASELINES, "inclora", "olora", "l2p", "adaptercl", "progprompt"])],
    "cil": [("wordnet-5x4", [*BASELINES, "inclora", "olora", "l2p", "adaptercl"])],
    "online": [("wordnet-5x4-online-htb", ["seqft", "online_er", "mbpapp"]), ("wordnet-5x4-online-btb", ["seqft", "online_er", "mbpapp"])],
}
NEW = ("inclora", "olora", "l2p", "progprompt", "adaptercl", "mbpapp", "online_er")


def values(results: dict[str, list[ReproductionResult]], m: str, k: str) -> list[float]:
    """Metric ``k`` of every run of ``m`` (the metrics read here are computed for every run of these streams)."""
    return [cast(float, r.metrics[k]) for r in results[m]]


def mean(results: dict[str, list[ReproductionResult]], m: str, k: str) -> float:
    return statistics.fmean(values(results, m, k))


def std(results: dict[str, list[ReproductionResult]], m: str, k: str) -> float:
    vals = values(results, m, k)
    return statistics.stdev(vals) if len(vals) > 1 else 0.0


def verdict(ok: bool) -> str:
    return "holds" if ok else "does NOT hold"


def noise(results: dict[str, list[ReproductionResult]], a: str, b: str, k: str) -> str:
    """A note when two means differ by less than the larger seed std."""
    gap = abs(mean(results, a, k) - mean(results, b, k))
    return " (gap within 1 std: not distinguishable from seed noise)" if gap < max(std(results, a, k), std(results, b, k)) else ""


def findings(bench: str, results: dict[str, list[ReproductionResult]]) -> list[str]:
    """The literature's qualitative claims, checked on one benchmark's means."""
    have = {m for m, rs in results.items() if rs}
    out: list[str] = []
    refs = [m for m in ("seqft", "seqlora") if m in have]
    for m in ("inclora", "olora", "progprompt", "l2p", "adaptercl"):
        if m in have and refs:
            fm = mean(results, m, "FM")
            ref_fm = {r: mean(results, r, "FM") for r in refs}
            ok = all(fm <= 0.5 * v for v in ref_fm.values())
            refs_txt = ", ".join(f"{r} {v:.2f}" for r, v in ref_fm.items())
            out.append(
                f"{m} forgets far less than {'/'.join(refs)} (FM at most half): {verdict(ok)} (FM {fm:.2f} vs {refs_txt}; BWT {mean(results, m, 'BWT'):.2f})"
            )
    if {"olora", "inclora"} <= have:
        a, b = mean(results, "olora", "AA"), mean(results, "inclora", "AA")
        out.append(
            f"O-LoRA AA at or above IncLoRA AA: {verdict(a >= b)} (AA {a:.2f} ± {std(results, 'olora', 'AA'):.2f} "
            f"vs {b:.2f} ± {std(results, 'inclora', 'AA'):.2f}){noise(results, 'olora', 'inclora', 'AA')}"
        )
    for m in ("mbpapp", "online_er"):
        if m in have and "seqft" in have:
            a, b = mean(results, m, "AA"), mean(results, "seqft", "AA")
            out.append(
                f"{m} above single-pass SeqFT on AA: {verdict(a > b)} (AA {a:.2f} vs {b:.2f}; "
                f"BWT {mean(results, m, 'BWT'):.2f} vs {mean(results, 'seqft', 'BWT'):.2f}){noise(results, m, 'seqft', 'AA')}"
            )
    if {"mbpapp", "online_er"} <= have:
        a, b = mean(results, "mbpapp", "AA"), mean(results, "online_er", "AA")
        out.append(
            f"MbPA++ at or above Online ER on AA: {verdict(a >= b)} (AA {a:.2f} ± {std(results, 'mbpapp', 'AA'):.2f} "
            f"vs {b:.2f} ± {std(results, 'online_er', 'AA'):.2f}){noise(results, 'mbpapp', 'online_er', 'AA')}"
        )
    return out


def _diag_mean(r: ReproductionResult) -> float:
    """Mean accuracy on each task right after learning it, a[j][j]."""
    a = r.accuracy_matrix
    assert a is not None, "encoder runs have an accuracy matrix"
    return statistics.fmean(a[j][j] for j in range(len(a)))


def paired(bench: str, results: dict[str, list[ReproductionResult]]) -> list[str]:
    """Seed-by-seed comparisons that the means hide (same seed = same data and initialisation)."""
    out: list[str] = []
    o = {r.seed: r for r in results.get("olora", [])}
    i = {r.seed: r for r in results.get("inclora", [])}
    seeds = sorted(set(o) & set(i))
    if seeds:
        gaps = [i[s].metrics["AA"] - o[s].metrics["AA"] for s in seeds]  # type: ignore[operator]
        la_o, la_i = [_diag_mean(o[s]) for s in seeds], [_diag_mean(i[s]) for s in seeds]
        out.append(
            "IncLoRA AA minus O-LoRA AA, seed by seed ("
            + ", ".join(f"seed {s}: {g:.2f}" for s, g in zip(seeds, gaps))
            + f"): O-LoRA lower in {sum(g > 0 for g in gaps)}/{len(seeds)}, equal in {sum(g == 0 for g in gaps)}/{len(seeds)}"
        )
        out.append(
            f"mean a[j][j] (accuracy on each task right after learning it): O-LoRA {statistics.fmean(la_o):.2f} "
            f"vs IncLoRA {statistics.fmean(la_i):.2f}, O-LoRA lower in {sum(a < b for a, b in zip(la_o, la_i))}/{len(seeds)} seeds"
        )
    for m in ("adaptercl",):
        rs = results.get(m, [])
        if rs:
            mats = [r.accuracy_matrix for r in rs if r.accuracy_matrix is not None]
            last = [statistics.fmean(a[-1][j] for a in mats) for j in range(len(mats[0]))]
            out.append(
                f"{m} accuracy per task after the last task (mean over {len(rs)} seeds): " + ", ".join(f"task {j + 1} {v:.1f}" for j, v in enumerate(last))
            )
    return out


MARK_BEGIN, MARK_END = "<!-- run_peft_science -->", "<!-- /run_peft_science -->"


def replace_block(text: str, block: str) -> str:
    """``text`` with the generated block between the markers replaced (the markers must be there)."""
    a, b = text.find(MARK_BEGIN), text.find(MARK_END)
    if a < 0 or b < a:
        raise SystemExit(f"markers {MARK_BEGIN} ... {MARK_END} not found")
    return text[: a + len(MARK_BEGIN)] + "\n" + block + "\n" + text[b:]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--groups", nargs="+", choices=sorted(GROUPS), default=["til", "cil", "online"])
    ap.add_argument("--profile", default="standard")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", type=Path, default=None, help="results root (default: the data tree's reproductions/results)")
    ap.add_argument(
        "--baseline-dir", type=Path, action="append", default=[], help="also look here for existing result files (e.g. the run_science output); repeatable"
    )
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reuse", action="store_true", help="keep existing result files instead of re-running")
    ap.add_argument("--dry-run", action="store_true", help="only tabulate the result files that exist")
    ap.add_argument("--report", type=Path, help="also write the markdown tables here")
    ap.add_argument("--doc", type=Path, help="write the tables between the run_peft_science markers of this markdown file")
    ap.add_argument("--check", action="store_true", help="with --doc: fail if its block is stale, write nothing")
    args = ap.parse_args(argv)
    if args.check and not args.doc:
        ap.error("--check needs --doc")
    args.out = args.out or results_dir()

    from reproductions import runner

    t0 = time.perf_counter()
    sections: list[str] = []
    for group in args.groups:
        for bench, methods in GROUPS[group]:
            results: dict[str, list[ReproductionResult]] = {m: [] for m in methods}
            for seed in args.seeds:
                for m in methods:
                    found = [p for d in [args.out, *args.baseline_dir] if (p := result_path(d, m, bench, args.profile, seed)).is_file()]
                    if found and (args.reuse or args.dry_run):
                        results[m].append(read_result(found[0]))
                        continue
                    if args.dry_run:
                        continue
                    print(f"[run] {m} {bench} seed {seed} ({time.perf_counter() - t0:.0f} s elapsed)", file=sys.stderr, flush=True)
                    opts = runner.RunOptions(m, bench, args.profile, seed=seed, out=args.out, threads=args.threads, progress=False)
                    r = runner.run(opts)
                    results[m].append(r)
                    print(
                        f"      AA {r.metrics['AA']:.2f} BWT {r.metrics['BWT']:.2f} FM {r.metrics['FM']:.2f} in {r.wall_time_s:.0f} s",
                        file=sys.stderr,
                        flush=True,
                    )
            seeds = sorted({r.seed for rs in results.values() for r in rs})
            sections += [
                f"### {bench} ({results[methods[0]][0].scenario if results[methods[0]] else '?'}), profile {args.profile}, "
                f"seeds {' '.join(map(str, seeds))} (mean ± sample std)",
                "",
                table(results),
                "",
                *[f"- {f}" for f in findings(bench, results)],
                *[f"- {f}" for f in paired(bench, results)],
                "",
            ]
    # The time of this invocation means nothing when it only read files.
    text = "\n".join(sections if args.dry_run else [*sections, f"sweep wall time {time.perf_counter() - t0:.0f} s"])
    if args.doc:
        old = args.doc.read_text(encoding="utf-8")
        new = replace_block(old, text.rstrip("\n"))
        if args.check:
            if new != old:
                print(f"stale: {args.doc}; run python -m reproductions.run_peft_science --dry-run --doc {args.doc}", file=sys.stderr)
                return 1
            return 0
        write_atomic(args.doc, new)
        print(f"wrote {args.doc}", file=sys.stderr)
        return 0
    print(text)
    if args.report:
        write_atomic(args.report, text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
