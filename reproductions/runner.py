"""Run one method on one benchmark: train stage by stage, evaluate every task after each, checkpoint, write the result.

The runner owns everything methods should not have to repeat: seeding
(per stage and epoch, so a resumed run replays the same random streams),
tokenisation, the full accuracy matrix (every task after every stage,
including tasks not yet seen, so FWT is computable), the baseline row b,
checkpoints after each stage and the atomic result file.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from catalog.runfile import ReproductionResult
from reproductions import checkpoint
from reproductions.backbones import DEFAULT_BACKBONE, load_tokenizer
from reproductions.benchmarks import BenchmarkSpec, get_benchmark
from reproductions.data import Encoded, encode, iterate, num_batches
from reproductions.deps import require
from reproductions.methods import get_method
from reproductions.methods.base import Method, MethodContext, derive_seed
from reproductions.profiles import get_profile
from reproductions.runcommon import (
    PROFILE_KEYS,
    RunConfigError,  # noqa: F401  (re-exported: the CLI and the tests use reproductions.runner.RunConfigError)
    RunInterrupted,
    RunOptions,
    _disable,
    checkpoint_dir,
    command_line,
    finish,
    merge_config,
    peak_memory_mb,
    resolve_device,
    resume_point,
    run_identity,
    versions,
)
from reproductions.streams import Stream

torch = require("torch")
tqdm = require("tqdm").tqdm


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
    """Run (or resume) one reproduction and write its result file; returns the result.

    The benchmark's kind picks the loop: ``classify`` runs here, ``generate``
    (a causal chat LM) in :mod:`reproductions.lm.runner`.
    """
    if opts.threads:
        # On a shared 2-core machine one thread per run avoids OpenMP spin contention (5x faster there).
        torch.set_num_threads(int(opts.threads))
    spec = get_benchmark(opts.benchmark)
    if spec.kind == "generate":
        from reproductions.lm.runner import run_generative

        return run_generative(opts, spec)
    return run_classification(opts, spec)


def run_classification(opts: RunOptions, spec: BenchmarkSpec) -> ReproductionResult:
    """The encoder + head loop: train stage by stage, score every task after each stage by argmax accuracy."""
    started = time.perf_counter()
    log = opts.log or sys.stderr
    method_cls = get_method(opts.method)
    backbone = opts.backbone or DEFAULT_BACKBONE
    base = get_profile(opts.profile)
    online = spec.scenario in ("HTB", "BTB")
    config = merge_config(method_cls, base, dict(spec.options), opts.overrides, online)
    profile = replace(base, **{k: config[k] for k in PROFILE_KEYS})
    device = resolve_device(opts.device)
    bar = opts.progress

    stream: Stream = spec.build(profile, opts.seed, {k: config[k] for k in spec.options})
    tok = load_tokenizer(backbone)
    trains = [encode(t.train, tok, profile.max_length) for t in stream.tasks]
    tests = [encode(t.test, tok, profile.max_length) for t in stream.tasks]
    ctx = MethodContext(
        scenario=stream.scenario,
        num_classes=stream.num_classes,
        task_classes=[t.classes for t in stream.tasks],
        boundaries_known=stream.boundaries_known,
        online=stream.online,
        config=config,
        backbone=backbone,
        seed=opts.seed,
        device=device,
    )
    torch.manual_seed(derive_seed(opts.seed, 1))
    method = method_cls(ctx)
    method.setup()

    identity = run_identity(method_cls.name, spec.name, opts, backbone, config, stream.task_names)
    ckdir = checkpoint_dir(opts, method_cls.name, spec.name)
    T = len(stream.tasks)
    til = stream.scenario == "TIL"
    matrix: list[list[float]] = []
    baseline: list[float] | None = None
    prior_wall = 0.0
    start, payload = resume_point(ckdir, identity, opts.resume, log)
    if payload is not None:
        method.load_state_dict(payload["method"])
        matrix, baseline = payload["matrix"], payload["baseline"]
        prior_wall = float(payload["wall_time_s"])
        print(f"resuming {method_cls.name} on {spec.name} after task {start}/{T} from {ckdir}", file=log)

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

    trainable, total = method.count_parameters()
    result = ReproductionResult(
        method=method_cls.name,
        papers=list(method_cls.papers),
        benchmark=spec.name,
        scenario=stream.scenario,  # type: ignore[arg-type]
        profile=opts.profile,
        seed=opts.seed,
        task_names=stream.task_names,
        config={**config, "backbone": backbone, "threads": torch.get_num_threads(), "stream": stream.info},
        versions=versions(),
        device=str(device) if device.type == "cpu" else f"cuda:{torch.cuda.get_device_name(device)}",
        accuracy_matrix=matrix,
        baseline_accuracy=baseline,
        metrics={},  # filled from the accuracy matrix by finish()
        trainable_params=trainable,
        total_params=total,
        wall_time_s=round(prior_wall + time.perf_counter() - started, 3),
        peak_memory_mb=round(peak_memory_mb(device), 1),
        command=command_line(opts, spec.name),
        created=datetime.now(timezone.utc).replace(microsecond=0),
    )
    finish(result, opts, ckdir, log)
    return result
