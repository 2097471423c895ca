"""What every run shares, whatever its benchmark kind: options, config merging, device, versions, files.

The classification runner (:mod:`reproductions.runner`) and the generative
runner (:mod:`reproductions.lm.runner`) both build on this module, so seeding
conventions, config precedence, the command line recorded in a result, the
checkpoint location and the atomic result write exist once.
"""

from __future__ import annotations

import platform
import resource
import shlex
from dataclasses import dataclass, field, fields
from importlib import metadata
from pathlib import Path
from typing import Any

from catalog.paths import results_dir
from catalog.runfile import ReproductionResult, Versions, result_path, write_result
from reproductions import checkpoint
from reproductions.deps import require
from reproductions.paths import cache_dir
from reproductions.profiles import Profile

torch = require("torch")

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
    backbone: str | None = None  # None: the benchmark kind's default (minilm / smollm2-135m-instruct)
    overrides: dict[str, Any] = field(default_factory=dict)
    progress: bool | None = None  # None: bars only on a terminal
    stop_after_task: int | None = None
    keep_checkpoint: bool = False
    threads: int | None = None  # torch intra-op threads; None keeps torch's default
    log: Any = None  # file-like for status lines; default stderr


def command_line(opts: RunOptions, benchmark: str) -> str:
    parts = ["clatlas", "repro", "run", opts.method, "--benchmark", benchmark, "--profile", opts.profile, "--seed", str(opts.seed), "--device", opts.device]
    if opts.backbone is not None:
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


def merge_config(method_cls: Any, profile: Any, options: dict[str, Any], overrides: dict[str, Any], online: bool) -> dict[str, Any]:
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
        if isinstance(config[k], (int, float)) and isinstance(v, str):
            kind = type(config[k])
            try:
                config[k] = kind(v)
            except ValueError:
                raise RunConfigError(f"setting {k} expects {'an integer' if kind is int else 'a number'}, got {v!r}") from None
        else:
            config[k] = v
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


def run_identity(method: str, benchmark: str, opts: RunOptions, backbone: str, config: dict[str, Any], task_names: list[str]) -> dict[str, Any]:
    """What a checkpoint must match to be resumed: the run's method, benchmark, profile, seed, backbone, config and tasks.

    Why one place: the three runners save and check the same identity, so a
    checkpoint written by one can never be resumed under different settings.
    """
    return {
        "method": method,
        "benchmark": benchmark,
        "profile": opts.profile,
        "seed": opts.seed,
        "backbone": backbone,
        "config": config,
        "task_names": task_names,
    }


def resume_point(ckdir: Path, identity: dict[str, Any], resume: bool, log: Any) -> tuple[int, dict[str, Any] | None]:
    """Where a run starts: ``(0, None)``, or the stage after the last saved one and its payload.

    Why one place: every runner (classify, instruction, continual pre-training)
    must treat a checkpoint alike — resume from it only with ``--resume``, drop
    a stale one otherwise, and say which happened. Restoring the payload is the
    runner's own business.
    """
    if checkpoint.exists(ckdir):
        if resume:
            stage, payload = checkpoint.load(ckdir, identity)
            return stage + 1, payload
        print(f"note: ignoring the checkpoint in {ckdir} (no --resume); starting over", file=log)
        checkpoint.remove(ckdir)
    elif resume:
        print(f"note: no checkpoint in {ckdir}; starting from the beginning", file=log)
    return 0, None


def checkpoint_dir(opts: RunOptions, method: str, benchmark: str) -> Path:
    """Default results go to the data tree, which the build scans; their checkpoints then live in the cache.

    With ``--out`` they sit in ``OUT/.checkpoints`` (hidden folders are skipped by the build).
    """
    if opts.checkpoint_dir:
        return Path(opts.checkpoint_dir)
    root = Path(opts.out) / ".checkpoints" if opts.out else cache_dir() / "checkpoints"
    return root / method / benchmark / f"{opts.profile}-seed{opts.seed}"


def finish(result: ReproductionResult, opts: RunOptions, ckdir: Path, log: Any) -> Path:
    """Fill in the result's metrics, write it atomically, then drop the checkpoint (unless kept) and its empty parent folders.

    The stored metrics come from the raw evaluation the result holds, by the
    one rule the catalog also uses when it loads a file
    (:meth:`ReproductionResult.computed_metrics`), so no runner derives them itself.
    """
    result.metrics = result.computed_metrics()
    out = Path(opts.out) if opts.out else results_dir()
    path = result_path(out, result.method, result.benchmark, result.profile, result.seed)
    write_result(result, path)
    if not opts.keep_checkpoint:
        checkpoint.remove(ckdir)
        for parent in list(ckdir.parents)[:3]:  # tidy empty .checkpoints/<method>/<benchmark> folders
            try:
                parent.rmdir()
            except OSError:
                break
    print(f"wrote {path}", file=log)
    return path
