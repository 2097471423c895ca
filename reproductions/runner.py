"""Run one method on one benchmark: train stage by stage, evaluate every task after each, checkpoint, write the result.

The runner owns everything methods should not have to repeat: seeding
(per stage and epoch, so a resumed run replays the same random streams),
tokenisation, the full accuracy matrix (every task after every stage,
including tasks not yet seen, so FWT is computable), the baseline row b,
checkpoints after each stage and the atomic result file.
"""

from __future__ import annotations

import platform
import resource
import shlex
import sys
import time
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from catalog.metrics import compute_all
from reproductions import checkpoint
from reproductions.backbones import DEFAULT_BACKBONE, load_tokenizer
from reproductions.benchmarks import get_benchmark
from reproductions.data import Encoded, encode, iterate, num_batches
from reproductions.deps import require
from reproductions.methods import get_method
from reproductions.methods.base import Method, MethodContext, derive_seed
from reproductions.paths import cache_dir
from reproductions.profiles import Profile, get_profile
from reproductions.results import DEFAULT_RESULTS_DIR, ReproductionResult, Versions, result_path, write_result

torch = require("torch")
tqdm = require("tqdm").tqdm

PROFILE_KEYS = tuple(f.name for f in fields(Profile) if f.name != "name")


class RunInterrupted(RuntimeError):
    """Raised by ``stop_after_task`` (tests, demos) to simulate an interruption after a checkpoint."""


class RunConfigError(ValueError):
    """Bad run options (unknown override key, unavailable device...)."""


@dataclass
class RunOptions:
    """Everything that identifies and steers one run; ``command`` is derived from it."""

    method: str
    benchmark: str
    profile: str = "smoke"
    seed: int = 0
    device: str = "cpu"
    out: Path | None = None
    checkpoint_dir: Path | None = None
    resume: bool = False
    backbone: str = DEFAULT_BACKBONE
    overrides: dict[str, Any] = field(default_factory=dict)
    progress: bool | None = None  # None: bars only on a terminal
    stop_after_task: int | None = None
    keep_checkpoint: bool = False
    threads: int | None = None  # torch intra-op threads; None keeps torch's default
    log: Any = None  # file-like for status lines; default stderr


def command_line(opts: RunOptions, benchmark: str) -> str:
    parts = ["clatlas", "repro", "run", opts.method, "--benchmark", benchmark, "--profile", opts.profile,
             "--seed", str(opts.seed), "--device", opts.device]
    if opts.backbone != DEFAULT_BACKBONE:
        parts += ["--backbone", opts.backbone]
    for k in sorted(opts.overrides):
        parts += ["--set", f"{k}={opts.overrides[k]}"]
    return shlex.join(parts)


def versions() -> Versions:
    def v(pkg: str) -> str | None:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return None

    return Versions(python=platform.python_version(), torch=v("torch"), transformers=v("transformers"), peft=v("peft"), clatlas=v("clatlas"))


def resolve_device(name: str) -> Any:
    if name == "cuda" and not torch.cuda.is_available():
        raise RunConfigError("--device cuda was requested but CUDA is not available; use --device cpu")
    if name not in ("cpu", "cuda"):
        raise RunConfigError(f"unknown device {name!r}; valid: cpu, cuda")
    return torch.device(name)


_BOOLS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def merge_config(method_cls: type[Method], profile: Profile, options: dict[str, Any], overrides: dict[str, Any], online: bool) -> dict[str, Any]:
    """Profile settings < method defaults < benchmark options < user overrides; online forces one pass."""
    config: dict[str, Any] = {**profile.as_config(), **method_cls.default_config, **options}
    unknown = sorted(set(overrides) - set(config))
    if unknown:
        raise RunConfigError(f"unknown setting(s) {unknown}; valid: {', '.join(sorted(config))}")
    for k, v in overrides.items():
        if isinstance(config[k], bool) and isinstance(v, str):  # bool("False") would be True
            if v.strip().lower() not in _BOOLS:
                raise RunConfigError(f"setting {k} expects true or false, got {v!r}")
            config[k] = _BOOLS[v.strip().lower()]
            continue
        config[k] = type(config[k])(v) if isinstance(config[k], (int, float)) and isinstance(v, str) else v
    if online:
        if overrides.get("epochs", 1) != 1:
            raise RunConfigError("online streams are single-pass: epochs must be 1")
        config["epochs"] = 1
    return config


def peak_memory_mb(device: Any) -> float:
    if device.type == "cuda":
        return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _disable(bar: bool | None) -> bool | None:
    """tqdm's ``disable``: None lets tqdm hide bars when stderr is not a terminal."""
    return None if bar is None else not bar


def evaluate(method: Method, enc: Encoded, task_id: int | None, batch_size: int, device: Any) -> float:
    correct = 0
    for batch in iterate(enc, batch_size, shuffle=False, device=device):
        pred = method.predict(batch, task_id).argmax(dim=1)
        correct += int((pred == batch["labels"]).sum())
    return 100.0 * correct / max(len(enc), 1)


def evaluate_all(method: Method, tests: list[Encoded], til: bool, batch_size: int, device: Any, bar: bool | None, desc: str) -> list[float]:
    return [
        round(evaluate(method, enc, j if til else None, batch_size, device), 4)
        for j, enc in enumerate(tqdm(tests, desc=desc, disable=_disable(bar), leave=False, unit="task"))
    ]


def run(opts: RunOptions) -> ReproductionResult:
    """Run (or resume) one reproduction and write its result file; returns the result."""
    started = time.perf_counter()
    log = opts.log or sys.stderr
    if opts.threads:
        # On a shared 2-core machine one thread per run avoids OpenMP spin contention (5x faster there).
        torch.set_num_threads(int(opts.threads))
    method_cls = get_method(opts.method)
    spec = get_benchmark(opts.benchmark)
    base = get_profile(opts.profile)
    online = spec.scenario in ("HTB", "BTB")
    config = merge_config(method_cls, base, dict(spec.options), opts.overrides, online)
    profile = replace(base, **{k: config[k] for k in PROFILE_KEYS})
    device = resolve_device(opts.device)
    bar = opts.progress

    stream = spec.build(profile, opts.seed, {k: config[k] for k in spec.options})
    tok = load_tokenizer(opts.backbone)
    trains = [encode(t.train, tok, profile.max_length) for t in stream.tasks]
    tests = [encode(t.test, tok, profile.max_length) for t in stream.tasks]
    ctx = MethodContext(
        scenario=stream.scenario,
        num_classes=stream.num_classes,
        task_classes=[t.classes for t in stream.tasks],
        boundaries_known=stream.boundaries_known,
        online=stream.online,
        config=config,
        backbone=opts.backbone,
        seed=opts.seed,
        device=device,
    )
    torch.manual_seed(derive_seed(opts.seed, 1))
    method = method_cls(ctx)
    method.setup()

    identity = {"method": method_cls.name, "benchmark": spec.name, "profile": opts.profile,
                "seed": opts.seed, "backbone": opts.backbone, "config": config, "task_names": stream.task_names}
    out = Path(opts.out) if opts.out else DEFAULT_RESULTS_DIR
    # Default results go to the repo's data tree, which the catalog build scans; their
    # checkpoints then live in the cache instead. With --out they sit in OUT/.checkpoints.
    ckroot = Path(opts.out) / ".checkpoints" if opts.out else cache_dir() / "checkpoints"
    ckdir = Path(opts.checkpoint_dir) if opts.checkpoint_dir else ckroot / method_cls.name / spec.name / f"{opts.profile}-seed{opts.seed}"
    T = len(stream.tasks)
    til = stream.scenario == "TIL"
    matrix: list[list[float]] = []
    baseline: list[float] | None = None
    prior_wall = 0.0
    start = 0
    if checkpoint.exists(ckdir):
        if opts.resume:
            stage, payload = checkpoint.load(ckdir, identity)
            method.load_state_dict(payload["method"])
            matrix, baseline = payload["matrix"], payload["baseline"]
            prior_wall = float(payload["wall_time_s"])
            start = stage + 1
            print(f"resuming {method_cls.name} on {spec.name} after task {start}/{T} from {ckdir}", file=log)
        else:
            print(f"note: ignoring the checkpoint in {ckdir} (no --resume); starting over", file=log)
            checkpoint.remove(ckdir)
    elif opts.resume:
        print(f"note: no checkpoint in {ckdir}; starting from the beginning", file=log)

    bs, ebs = int(config["batch_size"]), int(config["eval_batch_size"])
    if baseline is None:
        baseline = evaluate_all(method, tests, til, ebs, device, bar, "baseline eval")
    for i in range(start, T):
        torch.manual_seed(derive_seed(opts.seed, i, 2))
        method.on_segment(i)
        data = method.stage_data(i, trains[i], trains[: i + 1])
        if stream.boundaries_known or i == 0:
            method.before_task(i, data)
        epochs = int(config["epochs"])
        with tqdm(total=epochs * num_batches(data, bs), desc=f"task {i + 1}/{T} train", disable=_disable(bar), leave=False, unit="batch") as pbar:
            for e in range(epochs):
                gen = torch.Generator().manual_seed(derive_seed(opts.seed, i, e, 3))
                for batch in iterate(data, bs, shuffle=not stream.online, generator=gen, device=device):
                    loss = method.training_step(batch, i)
                    pbar.update(1)
                    pbar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        if stream.boundaries_known or i == T - 1:
            method.after_task(i, data)
        matrix.append(evaluate_all(method, tests, til, ebs, device, bar, f"task {i + 1}/{T} eval"))
        elapsed = prior_wall + time.perf_counter() - started
        checkpoint.save(ckdir, i, {"method": method.state_dict(), "matrix": matrix, "baseline": baseline, "wall_time_s": elapsed}, identity)
        if opts.stop_after_task == i and i < T - 1:
            raise RunInterrupted(f"stopped after task {i + 1}/{T} as requested; resume with --resume")

    metrics = compute_all(matrix, baseline)
    trainable, total = method.count_parameters()
    result = ReproductionResult(
        method=method_cls.name,
        papers=list(method_cls.papers),
        benchmark=spec.name,
        scenario=stream.scenario,  # type: ignore[arg-type]
        profile=opts.profile,
        seed=opts.seed,
        task_names=stream.task_names,
        config={**config, "backbone": opts.backbone, "threads": torch.get_num_threads(), "stream": stream.info},
        versions=versions(),
        device=str(device) if device.type == "cpu" else f"cuda:{torch.cuda.get_device_name(device)}",
        accuracy_matrix=matrix,
        baseline_accuracy=baseline,
        metrics=metrics,
        trainable_params=trainable,
        total_params=total,
        wall_time_s=round(prior_wall + time.perf_counter() - started, 3),
        peak_memory_mb=round(peak_memory_mb(device), 1),
        command=command_line(opts, spec.name),
        created=datetime.now(timezone.utc).replace(microsecond=0),
    )
    path = result_path(out, method_cls.name, spec.name, opts.profile, opts.seed)
    write_result(result, path)
    if not opts.keep_checkpoint:
        checkpoint.remove(ckdir)
        for parent in list(ckdir.parents)[:3]:  # tidy empty .checkpoints/<method>/<benchmark> folders
            try:
                parent.rmdir()
            except OSError:
                break
    print(f"wrote {path}", file=log)
    return result
