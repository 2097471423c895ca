"""Reproduction sweeps: run a grid of (method, benchmark, seed) cells, resumably, locally or on Ray.

A grid names methods, benchmarks, seeds, one profile, a backbone, a device
and config overrides (flags, or a YAML file under ``reproductions/sweeps/``).
Every cell whose result file already exists is skipped; an interrupted cell
continues from its last checkpoint (each cell runs with ``--resume``), so
re-running a sweep completes only what is missing. A failing cell is
reported with its error and does not stop the others. The grid is checked
before anything runs: an unknown method (for a benchmark's kind) or
benchmark is refused, naming the entry.

Backends: ``local`` runs each cell as its own ``python -m reproductions run``
process, ``jobs`` at a time with ``cores // jobs`` torch threads each so jobs
do not oversubscribe the cores; ``ray`` submits each cell as a Ray task with
its CPU/GPU needs (a local Ray instance when no address is given) and writes
the returned result file into the results directory here. The summary
(mean ± std per method × benchmark and metric) is computed from the result
files with pandas.
"""

from __future__ import annotations

import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from catalog.metrics import METRIC_IDS
from catalog.paths import results_dir
from catalog.runfile import read_result, result_path, write_atomic

SWEEPS_DIR = Path(__file__).resolve().parent / "sweeps"
BACKENDS = ("local", "ray")


class SweepError(ValueError):
    """A grid that cannot run (unknown method, benchmark, file or field); the message names the entry."""


@dataclass(frozen=True)
class Cell:
    method: str
    benchmark: str
    seed: int

    @property
    def label(self) -> str:
        return f"{self.method}/{self.benchmark}/seed{self.seed}"


@dataclass
class Grid:
    """What a sweep runs: the product methods × benchmarks × seeds, with shared run settings."""

    name: str
    methods: list[str]
    benchmarks: list[str]
    seeds: list[int]
    profile: str = "smoke"
    backbone: str | None = None
    device: str = "cpu"
    overrides: dict[str, Any] = field(default_factory=dict)

    def cells(self) -> list[Cell]:
        """Seed-major order, so an interrupted sweep has every method on the first seeds."""
        return [Cell(m, b, s) for s, b, m in itertools.product(self.seeds, self.benchmarks, self.methods)]


GRID_FIELDS = {"methods", "benchmarks", "seeds", "profile", "backbone", "device", "overrides", "description"}


def load_grid(path: Path) -> Grid:
    """A grid from YAML; unknown or missing fields are errors naming the file and field."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SweepError(f"{path}: cannot read the sweep file: {exc}") from exc
    if not isinstance(raw, dict):
        raise SweepError(f"{path}: expected a mapping with methods, benchmarks and seeds")
    unknown = sorted(set(raw) - GRID_FIELDS)
    if unknown:
        raise SweepError(f"{path}: unknown field(s) {unknown}; valid: {', '.join(sorted(GRID_FIELDS))}")
    for key in ("methods", "benchmarks", "seeds"):
        if not isinstance(raw.get(key), list) or not raw[key]:
            raise SweepError(f"{path}: {key}: expected a non-empty list")
    if not all(isinstance(s, int) for s in raw["seeds"]):
        raise SweepError(f"{path}: seeds: expected integers")
    return Grid(
        Path(path).stem,
        [str(m) for m in raw["methods"]],
        [str(b) for b in raw["benchmarks"]],
        list(raw["seeds"]),
        str(raw.get("profile", "smoke")),
        raw.get("backbone"),
        str(raw.get("device", "cpu")),
        dict(raw.get("overrides") or {}),
    )


def resolve_grid(name_or_path: str) -> Grid:
    """``name`` means ``reproductions/sweeps/<name>.yaml``; anything with a suffix is a path."""
    p = Path(name_or_path)
    if p.suffix not in (".yaml", ".yml"):
        p = SWEEPS_DIR / f"{name_or_path}.yaml"
    if not p.is_file():
        known = ", ".join(sorted(x.stem for x in SWEEPS_DIR.glob("*.yaml")))
        raise SweepError(f"no sweep file {p}; committed sweeps: {known}")
    return load_grid(p)


def check_grid(grid: Grid) -> None:
    """Refuse unknown benchmarks, methods (for each benchmark) and devices before anything runs.

    Checked against ``data/reproductions/methods.yaml`` (the harness's methods
    as data; ``clatlas validate`` checks the file and a test keeps it equal to
    the registry), read as plain YAML: importing the registry (torch) or the
    catalog's validators here would add seconds to every sweep for a check
    that two fields of that file answer.
    """
    from catalog.paths import data_dir

    path = data_dir() / "reproductions" / "methods.yaml"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        kinds = {b["id"]: b["kind"] for b in raw["benchmarks"]}
        runs_on = [(m["id"], m["kind"], m["benchmarks"]) for m in raw["methods"]]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise SweepError(f"grid {grid.name}: cannot check it against {path} ({exc!r}); run `clatlas validate`") from exc
    for b in grid.benchmarks:
        if b not in kinds:
            raise SweepError(f"grid {grid.name}: benchmarks: unknown benchmark {b!r}; valid: {', '.join(sorted(kinds))}")
        known = sorted(mid for mid, kind, benches in runs_on if b in benches)
        for m in grid.methods:
            if m not in known:
                raise SweepError(f"grid {grid.name}: methods: {m!r} has no {kinds[b]} implementation for benchmark {b!r}; valid: {', '.join(known)}")
    if grid.device not in ("cpu", "cuda"):
        raise SweepError(f"grid {grid.name}: device: {grid.device!r}; valid: cpu, cuda")


def cell_command(grid: Grid, cell: Cell, out: Path, threads: int) -> list[str]:
    cmd = [
        sys.executable,
        "-m",
        "reproductions",
        "run",
        cell.method,
        "--benchmark",
        cell.benchmark,
        "--profile",
        grid.profile,
        "--seed",
        str(cell.seed),
        "--device",
        grid.device,
        "--out",
        str(out),
        "--resume",
        "--no-progress",
        "--threads",
        str(threads),
    ]
    if grid.backbone:
        cmd += ["--backbone", grid.backbone]
    for k, v in sorted(grid.overrides.items()):
        cmd += ["--set", f"{k}={v}"]
    return cmd


@dataclass
class CellOutcome:
    cell: Cell
    status: str  # done | skipped | failed
    seconds: float = 0.0
    error: str | None = None


def _last_error(text: str) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    errs = [ln for ln in lines if ln.startswith("error:") or "Error" in ln]
    return (errs[-1] if errs else (lines[-1] if lines else "no output")).strip()[:300]


def run_local(grid: Grid, cells: list[Cell], out: Path, jobs: int, report: Callable[[CellOutcome], None], logs: Path) -> None:
    """One subprocess per cell, ``jobs`` at once, ``cores // jobs`` threads each."""
    threads = max(1, (os.cpu_count() or 1) // jobs)
    pending = list(cells)
    running: dict[Any, tuple[Cell, float, Any]] = {}
    logs.mkdir(parents=True, exist_ok=True)
    while pending or running:
        while pending and len(running) < jobs:
            cell = pending.pop(0)
            log = (logs / f"{cell.label.replace('/', '_')}.log").open("w", encoding="utf-8")
            proc = subprocess.Popen(cell_command(grid, cell, out, threads), stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            running[proc] = (cell, time.perf_counter(), log)
        time.sleep(0.2)
        for proc in [p for p in running if p.poll() is not None]:
            cell, t0, log = running.pop(proc)
            log.close()
            text = Path(log.name).read_text(encoding="utf-8", errors="replace")
            ok = proc.returncode == 0 and result_path(out, cell.method, cell.benchmark, grid.profile, cell.seed).is_file()
            report(CellOutcome(cell, "done" if ok else "failed", time.perf_counter() - t0, None if ok else _last_error(text)))


def _ray_cell(grid_fields: dict[str, Any], cell_fields: dict[str, Any], threads: int) -> dict[str, Any]:
    """Runs on a Ray worker: one cell into a temporary folder; returns its result file's JSON (or the error)."""
    import tempfile

    from reproductions.runner import RunOptions, run

    with tempfile.TemporaryDirectory() as tmp:
        try:
            r = run(
                RunOptions(
                    cell_fields["method"],
                    cell_fields["benchmark"],
                    grid_fields["profile"],
                    seed=cell_fields["seed"],
                    device=grid_fields["device"],
                    out=Path(tmp),
                    backbone=grid_fields["backbone"],
                    overrides=dict(grid_fields["overrides"]),
                    progress=False,
                    threads=threads,
                    log=open(os.devnull, "w"),
                )
            )
        except Exception as exc:  # reported per cell; the sweep goes on
            return {"error": f"{type(exc).__name__}: {exc}"}
        return {"result": r.model_dump(mode="json")}


def run_ray(grid: Grid, cells: list[Cell], out: Path, jobs: int, report: Callable[[CellOutcome], None], address: str | None) -> None:
    """Each cell a Ray task asking for its CPUs (and a GPU on ``cuda``); results are written here."""
    try:
        import ray
    except ImportError as exc:
        raise SweepError("the ray backend needs Ray: pip install 'clatlas[sweep]'") from exc
    threads = max(1, (os.cpu_count() or 1) // jobs)
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, num_cpus=None if address else jobs * threads, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    task = ray.remote(num_cpus=threads, num_gpus=1 if grid.device == "cuda" else 0)(_ray_cell)
    gf = {"profile": grid.profile, "device": grid.device, "backbone": grid.backbone, "overrides": grid.overrides}
    refs = {task.remote(gf, {"method": c.method, "benchmark": c.benchmark, "seed": c.seed}, threads): (c, time.perf_counter()) for c in cells}
    try:
        while refs:
            ready, _ = ray.wait(list(refs), num_returns=1)
            cell, t0 = refs.pop(ready[0])
            payload = ray.get(ready[0])
            if "error" in payload:
                report(CellOutcome(cell, "failed", time.perf_counter() - t0, payload["error"][:300]))
                continue
            data = payload["result"]
            write_atomic(result_path(out, data["method"], data["benchmark"], data["profile"], data["seed"]), json.dumps(data, indent=2) + "\n")
            report(CellOutcome(cell, "done", time.perf_counter() - t0))
    finally:
        if started_here:
            ray.shutdown()


def summary_table(grid: Grid, out: Path) -> str:
    """Mean ± sample std (n seeds) per method × benchmark of every metric, from the result files (markdown).

    The sample standard deviation, as the README tables and the site use;
    plain ``statistics`` rather than pandas, whose import alone costs a
    second or more of every sweep.
    """
    groups: dict[tuple[str, str], list[dict[str, float | None]]] = {}
    for c in grid.cells():
        p = result_path(out, c.method, c.benchmark, grid.profile, c.seed)
        if p.is_file():
            groups.setdefault((c.benchmark, c.method), []).append(read_result(p).computed_metrics())
    if not groups:
        return "(no results)"
    metrics = [m for m in METRIC_IDS if any(r.get(m) is not None for rows in groups.values() for r in rows)]
    lines = ["| benchmark | method | n | " + " | ".join(metrics) + " |", "|" + "---|" * (3 + len(metrics))]
    for (benchmark, method), rows in groups.items():
        cells = []
        for m in metrics:
            vals = [float(v) for r in rows if (v := r.get(m)) is not None]
            if not vals:
                cells.append("–")
                continue
            digits = 3 if m.startswith("LP-") else 1
            sd = f" ± {statistics.stdev(vals):.{digits}f}" if len(vals) > 1 else ""
            cells.append(f"{statistics.fmean(vals):.{digits}f}{sd}")
        lines.append(f"| {benchmark} | {method} | {len(rows)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_sweep(
    grid: Grid,
    out: Path | None = None,
    jobs: int = 1,
    backend: str = "local",
    address: str | None = None,
    log: Any = None,
    cell_filter: Iterable[Cell] | None = None,
) -> list[CellOutcome]:
    """Run every missing cell of ``grid``; print progress and the summary; return each cell's outcome."""
    log = log or sys.stderr
    if backend not in BACKENDS:
        raise SweepError(f"unknown backend {backend!r}; valid: {', '.join(BACKENDS)}")
    check_grid(grid)
    out = Path(out) if out else results_dir()
    cells = list(cell_filter) if cell_filter is not None else grid.cells()
    outcomes: list[CellOutcome] = []
    todo = []
    for c in cells:
        if result_path(out, c.method, c.benchmark, grid.profile, c.seed).is_file():
            outcomes.append(CellOutcome(c, "skipped"))
        else:
            todo.append(c)
    total, started = len(cells), time.perf_counter()
    print(f"sweep {grid.name}: {total} cells, {total - len(todo)} already done, {len(todo)} to run (backend {backend}, {jobs} job(s))", file=log, flush=True)

    def report(o: CellOutcome) -> None:
        outcomes.append(o)
        done = sum(1 for x in outcomes if x.status != "skipped")
        elapsed = time.perf_counter() - started
        eta = elapsed / done * (len(todo) - done) if done else 0.0
        extra = f" — {o.error}" if o.error else ""
        print(
            f"[{len(outcomes)}/{total}] {o.cell.label}: {o.status} in {o.seconds:.0f} s; elapsed {elapsed:.0f} s, about {eta:.0f} s left{extra}",
            file=log,
            flush=True,
        )

    if todo:
        if backend == "local":
            run_local(grid, todo, out, jobs, report, out / ".sweep-logs" / grid.name)
        else:
            run_ray(grid, todo, out, jobs, report, address)
    failed = [o for o in outcomes if o.status == "failed"]
    print("\n" + summary_table(grid, out), file=log)
    if failed:
        print(f"\n{len(failed)} cell(s) failed:", file=log)
        for o in failed:
            print(f"  {o.cell.label}: {o.error}", file=log)
    return outcomes
