"""``clatlas repro`` (and ``python -m reproductions``): list methods/benchmarks, run a reproduction.

``add_commands(parser)`` adds the subcommands and :func:`dispatch` runs the
chosen one, turning the harness's expected errors into exit codes; the
``clatlas`` command line mounts both as ``clatlas repro`` (``clatlas_cli/repro.py``),
``register(subparsers)`` plugs them into any other argparse parser, and
``main(argv)`` runs them standalone. Heavy imports
(torch, transformers) happen only inside the commands, so ``clatlas --help``
stays fast and a missing extra is reported with the pip command to fix it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from reproductions.deps import MissingDependencyError
from reproductions.profiles import PROFILES


def _parse_set(items: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: --set expects KEY=VALUE, got {item!r}")
        out[key.strip()] = value.strip()
    return out


def cmd_list(args: argparse.Namespace) -> int:
    from reproductions.benchmarks import all_benchmarks
    from reproductions.lm.profiles import LM_PROFILES
    from reproductions.methods import KINDS, all_methods

    titles = {"classify": "Methods for encoder benchmarks (MiniLM + head)", "generate": "Methods for generative benchmarks (causal chat LM)"}
    for kind in KINDS:
        methods = all_methods(kind)
        print(f"{titles[kind]}:")
        width = max(len(n) for n in methods)
        for name, cls in sorted(methods.items()):
            papers = ", ".join(cls.papers) if cls.papers else "none"
            print(f"  {name:<{width}}  {cls.description}  [papers: {papers}; scenarios: {'/'.join(cls.scenarios)}]")
        print()
    print("Benchmarks:")
    benches = all_benchmarks()
    width = max(len(n) for n in benches)
    for name, spec in sorted(benches.items()):
        needs = f"  [needs: {spec.needs}]" if spec.needs else ""
        print(f"  {name:<{width}}  {spec.scenario}  {spec.kind:<8}  {spec.description}{needs}")
    print(f"\nProfiles: {', '.join(PROFILES)} (encoder); {', '.join(LM_PROFILES)} (generative)")
    return 0


def format_result(result: Any) -> str:
    """The accuracy (or perplexity) matrix (rows: after task i; columns: task j) and the metrics, as a text table."""
    names = [f"T{j + 1}" for j in range(len(result.task_names))]
    lines = [f"{result.method} on {result.benchmark} ({result.scenario}, profile {result.profile}, seed {result.seed})", ""]
    ppl = getattr(result, "perplexity", None)
    matrix, base = (ppl.matrix, ppl.baseline) if ppl is not None else (result.accuracy_matrix, result.baseline_accuracy)
    if ppl is not None:
        lines.append(
            "held-out perplexity" + (f"; general text ({ppl.general.name}): " + " -> ".join(f"{v:.2f}" for v in ppl.general.values) if ppl.general else "")
        )
    lines.append("after  " + " ".join(f"{n:>7}" for n in names))
    lines.append("base   " + " ".join(f"{v:7.2f}" for v in base))
    for i, row in enumerate(matrix):
        lines.append(f"{names[i]:<6} " + " ".join(f"{v:7.2f}" for v in row))
    lines.append("")
    from catalog.metrics import METRICS

    source = "loss" if ppl is not None else "matrix"  # the metrics of the matrix this run has, and of its probe
    shown = {k: v for k, v in result.metrics.items() if k not in METRICS or METRICS[k].source in (source, "probe")}
    lines.append("  ".join(f"{k}={'n/a' if v is None else f'{v:.2f}'}" for k, v in shown.items()))
    lines.append(
        f"trainable params {result.trainable_params:,} / {result.total_params:,}; "
        f"wall time {result.wall_time_s:.1f} s; peak memory {result.peak_memory_mb:.0f} MB"
    )
    lines.append("tasks: " + "; ".join(result.task_names))
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    from reproductions import runner

    opts = runner.RunOptions(
        method=args.method,
        benchmark=args.benchmark,
        profile=args.profile,
        seed=args.seed,
        device=args.device,
        out=Path(args.out) if args.out else None,
        resume=args.resume,
        backbone=args.backbone,
        overrides=_parse_set(args.set),
        progress=False if args.no_progress else None,
        threads=args.threads,
    )
    result = runner.run(opts)
    print(format_result(result))
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    from reproductions.sweep import Grid, resolve_grid, run_sweep

    if args.grid:
        grid = resolve_grid(args.grid)
    else:
        if not (args.methods and args.benchmarks):
            raise SweepUsageError("give a sweep file (e.g. `clatlas repro sweep llm-cit`) or --methods and --benchmarks")
        grid = Grid("cli", args.methods.split(","), args.benchmarks.split(","), [int(s) for s in (args.seeds or "0").split(",")])
    if args.profile:
        grid.profile = args.profile
    if args.device:
        grid.device = args.device
    if args.backbone:
        grid.backbone = args.backbone
    grid.overrides.update(_parse_set(args.set))
    outcomes = run_sweep(grid, Path(args.out) if args.out else None, args.jobs, args.backend, args.address)
    return 1 if any(o.status == "failed" for o in outcomes) else 0


class SweepUsageError(ValueError):
    """A sweep command line that names no grid."""


def add_commands(repro: argparse.ArgumentParser) -> None:
    """Add ``list``, ``run`` and ``sweep`` to ``repro`` (a parser of its own or a subcommand's)."""
    sub = repro.add_subparsers(dest="repro_command", metavar="{list,run,sweep}")
    sub.required = True
    p_list = sub.add_parser("list", help="list methods (with the papers they reproduce) and benchmarks")
    p_list.set_defaults(repro_func=cmd_list)
    p_run = sub.add_parser("run", help="run one method on one benchmark")
    p_run.add_argument("method", help="method name (see `clatlas repro list`)")
    p_run.add_argument("--benchmark", "-b", required=True, help="benchmark name (see `clatlas repro list`)")
    p_run.add_argument("--profile", "-p", default="smoke", choices=sorted(PROFILES), help="data/training size (default: smoke)")
    p_run.add_argument("--seed", type=int, default=0)
    p_run.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p_run.add_argument("--out", help="results root (default: data/reproductions/results in the repo)")
    p_run.add_argument("--resume", action="store_true", help="continue from the last finished task's checkpoint")
    p_run.add_argument(
        "--backbone",
        default=None,
        help="encoder benchmarks: 'minilm' (default); generative: 'smollm2-135m-instruct' (default); or any Hugging Face model id/path",
    )
    p_run.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a config value (repeatable)")
    p_run.add_argument("--threads", type=int, help="torch CPU threads (default: torch's choice; 1 is fastest on a busy machine)")
    p_run.add_argument("--no-progress", action="store_true", help="no progress bars")
    p_run.set_defaults(repro_func=cmd_run)
    p_sw = sub.add_parser("sweep", help="run a grid of methods x benchmarks x seeds (skips finished cells, resumes interrupted ones)")
    p_sw.add_argument("grid", nargs="?", help="a sweep under reproductions/sweeps/ (name) or a YAML path")
    p_sw.add_argument("--methods", help="comma-separated methods (instead of a sweep file)")
    p_sw.add_argument("--benchmarks", help="comma-separated benchmarks (instead of a sweep file)")
    p_sw.add_argument("--seeds", help="comma-separated seeds (default 0)")
    p_sw.add_argument("--profile", help="override the grid's profile")
    p_sw.add_argument("--device", choices=["cpu", "cuda"], help="override the grid's device")
    p_sw.add_argument("--backbone", help="override the grid's backbone")
    p_sw.add_argument("--set", action="append", metavar="KEY=VALUE", help="config override for every cell (repeatable)")
    p_sw.add_argument("--out", help="results root (default: data/reproductions/results)")
    p_sw.add_argument("--jobs", type=int, default=1, help="cells at once (local: processes; ray: concurrent tasks)")
    p_sw.add_argument("--backend", default="local", choices=["local", "ray"])
    p_sw.add_argument("--address", help="Ray cluster address (ray backend; default: start a local Ray instance)")
    p_sw.set_defaults(repro_func=cmd_sweep)


def dispatch(args: argparse.Namespace) -> int:
    """Run the chosen repro sub-command, turning expected failures into one-line errors."""
    from reproductions.benchmarks import UnknownBenchmarkError
    from reproductions.profiles import UnknownProfileError
    from reproductions.streams import StreamError
    from reproductions.sweep import SweepError

    expected: tuple[type[BaseException], ...] = (
        MissingDependencyError,
        UnknownBenchmarkError,
        UnknownProfileError,
        StreamError,
        FileNotFoundError,
        SweepError,
        SweepUsageError,
    )
    try:
        from reproductions.checkpoint import CheckpointMismatchError, CorruptCheckpointError
        from reproductions.lm.backbone import BackboneError
        from reproductions.methods import UnknownMethodError
        from reproductions.methods.base import MethodConfigError
        from reproductions.runner import RunConfigError, RunInterrupted

        expected += (UnknownMethodError, CorruptCheckpointError, CheckpointMismatchError, MethodConfigError, RunConfigError, RunInterrupted, BackboneError)
    except ImportError:
        pass  # torch missing: the command itself will raise MissingDependencyError
    except MissingDependencyError:
        pass
    try:
        return int(args.repro_func(args))
    except KeyboardInterrupt:
        print("interrupted; run the same command with --resume to continue from the last finished task", file=sys.stderr)
        return 130
    except expected as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def register(subparsers: Any) -> None:
    """Add the ``repro`` command to an argparse parser's subparsers.

    The parser sets ``func`` so a caller that dispatches with ``args.func(args)`` works too.
    """
    repro = subparsers.add_parser("repro", help="run continual-learning reproductions", description=__doc__)
    add_commands(repro)
    repro.set_defaults(func=dispatch)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reproductions", description="CL Atlas reproduction harness (same as `clatlas repro`)")
    add_commands(parser)
    args = parser.parse_args(argv)
    return dispatch(args)
