"""Overhead of `clatlas repro sweep` over running the same cells one after another by hand.

A 4-cell smoke grid (two encoder methods × two seeds on ``wordnet-5x4``) runs
three ways into fresh folders (the profile's settings are recorded with the
times): by hand (four ``python -m reproductions run`` commands in a row),
through the sweep's local backend with ``--jobs 1``, and
through the Ray backend on a local instance started for it (when Ray is
installed). Reported: wall times, the local sweep's overhead (target ≤ 5 %)
and Ray's overhead per cell, written to ``benchmarks/RESULTS-sweep.json`` with
``--write``. Rounds alternate so background load hits all sides alike.

    python -m reproductions.bench_sweep [--rounds 2] [--write]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from catalog.paths import REPO_ROOT
from reproductions.profiles import get_profile
from reproductions.sweep import Grid, cell_command, run_sweep

OUT = REPO_ROOT / "benchmarks" / "RESULTS-sweep.json"
GRID = Grid("bench", ["seqlora", "replay"], ["wordnet-5x4"], [0, 1], profile="smoke")


def by_hand(out: Path) -> float:
    t = time.perf_counter()
    for cell in GRID.cells():
        subprocess.run(cell_command(GRID, cell, out, os.cpu_count() or 1), check=True, capture_output=True)
    return time.perf_counter() - t


def swept(out: Path, backend: str) -> float:
    t = time.perf_counter()
    with open(os.devnull, "w") as sink:
        outcomes = run_sweep(GRID, out, jobs=1, backend=backend, log=sink)
    if any(o.status != "done" for o in outcomes):
        raise SystemExit(f"a cell failed: {[o.error for o in outcomes if o.error]}")
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    has_ray = importlib.util.find_spec("ray") is not None
    rounds = []
    for r in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            row = {"hand_s": by_hand(Path(tmp) / "hand"), "local_s": swept(Path(tmp) / "local", "local")}
            if has_ray:
                row["ray_s"] = swept(Path(tmp) / "ray", "ray")
        rounds.append({k: round(v, 2) for k, v in row.items()})
        print(f"round {r + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in rounds[-1].items()), flush=True)
    hand = statistics.median(x["hand_s"] for x in rounds)
    local = statistics.median(x["local_s"] for x in rounds)
    res: dict[str, Any] = {
        "grid": "seqlora, replay × wordnet-5x4 × seeds 0, 1 (smoke)",
        "cells": len(GRID.cells()),
        "profile": get_profile(GRID.profile).as_config(),  # the cells' size: the smoke profile changes, the record keeps what ran
        "rounds": rounds,
        "local_overhead": round(local / hand - 1, 4),
    }
    print(f"local sweep overhead: {100 * res['local_overhead']:+.1f} % (target <= +5 %)")
    if has_ray:
        ray_s = statistics.median(x["ray_s"] for x in rounds)
        res["ray_overhead_per_cell_s"] = round((ray_s - hand) / len(GRID.cells()), 2)
        print(f"ray backend: {res['ray_overhead_per_cell_s']:+.1f} s per cell over running by hand (local instance start included)")
    if args.write:
        res["command"] = "python -m reproductions.bench_sweep " + " ".join(argv if argv is not None else sys.argv[1:])
        OUT.write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
