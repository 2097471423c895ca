"""The generative loop: continual instruction tuning of a causal chat LM, stage by stage.

Per stage: train the method on the task's instructions (response-token
loss), then answer every task's test prompts by greedy decoding and score
them (:mod:`reproductions.lm.scoring`), and answer the general probe. Before
the first stage the untouched model is scored the same way: that row is the
FWT baseline and the probe's starting point. A checkpoint follows every
stage, so an interrupted run resumed with ``--resume`` loses at most the
stage in progress. Options, config precedence, checkpoint place and the
atomic result write are shared with the classification loop
(:mod:`reproductions.runcommon`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from catalog.runfile import ProbeScores, ReproductionResult
from reproductions import checkpoint
from reproductions.benchmarks import BenchmarkSpec
from reproductions.deps import require
from reproductions.lm.backbone import SMOLLM2, backbone_note, check_causal, load_tokenizer
from reproductions.lm.batches import encode_all, iterate
from reproductions.lm.generate import answer_score
from reproductions.lm.instructions import InstructionStream
from reproductions.lm.methods.base import LMContext, LMMethod
from reproductions.lm.profiles import LM_PROFILES, LMProfile
from reproductions.methods import UnknownMethodError, all_methods, get_method
from reproductions.methods.base import derive_seed
from reproductions.profiles import UnknownProfileError
from reproductions.runcommon import (
    RunInterrupted,
    RunOptions,
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

torch = require("torch")
PROFILE_KEYS = tuple(k for k in LMProfile.__dataclass_fields__ if k != "name")


def get_lm_profile(name: str) -> LMProfile:
    if name not in LM_PROFILES:
        raise UnknownProfileError(f"unknown profile {name!r}; valid: {', '.join(LM_PROFILES)}")
    return LM_PROFILES[name]


class Scorer:
    """Scores a method on every task's test prompts and on the probe, timing the decoding."""

    def __init__(self, stream: InstructionStream, batch_size: int) -> None:
        self.stream, self.batch_size, self.seconds = stream, batch_size, 0.0

    def _score(self, method: LMMethod, examples: list[Any], scoring: str, max_new: int) -> float:
        t0 = time.perf_counter()
        value = answer_score(method, examples, scoring, max_new, self.batch_size)
        self.seconds += time.perf_counter() - t0
        return value

    def tasks(self, method: LMMethod) -> list[float]:
        return [self._score(method, t.test, t.scoring, t.max_new_tokens) for t in self.stream.tasks]

    def probe(self, method: LMMethod) -> float:
        p = self.stream.probe
        return self._score(method, p.examples, p.scoring, p.max_new_tokens)


def run_generative(opts: RunOptions, spec: BenchmarkSpec) -> ReproductionResult:
    """Run (or resume) one generative reproduction and write its result file.

    A perplexity benchmark (continual pre-training) runs in :mod:`reproductions.lm.cpt.runner`.
    """
    if spec.evaluation == "perplexity":
        from reproductions.lm.cpt.runner import run_cpt

        return run_cpt(opts, spec)
    started = time.perf_counter()
    log = opts.log or sys.stderr
    backbone = opts.backbone or SMOLLM2
    method_cls = get_method(opts.method, kind="generate")
    if spec.evaluation not in method_cls.evaluations:
        valid = sorted(n for n, c in all_methods("generate").items() if spec.evaluation in c.evaluations)
        raise UnknownMethodError(f"method {opts.method!r} does not run on {spec.name} ({spec.evaluation} evaluation); valid methods: {', '.join(valid)}")
    base = get_lm_profile(opts.profile)
    config = merge_config(method_cls, base, dict(spec.options), opts.overrides, online=False)
    profile = replace(base, **{k: config[k] for k in PROFILE_KEYS})
    device = resolve_device(opts.device)
    check_causal(backbone)  # a wrong backbone fails here, before any data or training
    tok = load_tokenizer(backbone)

    stream: InstructionStream = spec.build(profile, opts.seed, {k: config[k] for k in spec.options})
    trains = [encode_all(tok, t.train, profile.max_length) for t in stream.tasks]
    ctx = LMContext(len(stream.tasks), stream.task_names, config, backbone, opts.seed, device, tok)
    torch.manual_seed(derive_seed(opts.seed, 1))
    method = method_cls(ctx)
    method.setup()

    identity = run_identity(method_cls.name, spec.name, opts, backbone, config, stream.task_names)
    ckdir = checkpoint_dir(opts, method_cls.name, spec.name)
    T = len(stream.tasks)
    scorer = Scorer(stream, int(config["eval_batch_size"]))
    matrix: list[list[float]] = []
    baseline: list[float] | None = None
    probe: list[float] = []
    prior = {"wall": 0.0, "train": 0.0, "eval": 0.0, "tokens": 0}
    start, payload = resume_point(ckdir, identity, opts.resume, log)
    if payload is not None:
        method.load_state_dict(payload["method"])
        matrix, baseline, probe, prior = payload["matrix"], payload["baseline"], payload["probe"], payload["timing"]
        print(f"resuming {method_cls.name} on {spec.name} after task {start}/{T} from {ckdir}", file=log)

    if baseline is None:
        baseline = scorer.tasks(method)
        probe = [scorer.probe(method)]
        print(f"base model: tasks {baseline}, probe {probe[0]:.1f}", file=log)
    bs, pad = int(config["batch_size"]), tok.pad_token_id
    train_s, tokens = 0.0, 0
    for i in range(start, T):
        torch.manual_seed(derive_seed(opts.seed, i, 2))
        data = method.stage_data(i, trains[i], trains[: i + 1])
        method.before_task(i, data)
        t0 = time.perf_counter()
        for e in range(int(config["epochs"])):
            gen = torch.Generator().manual_seed(derive_seed(opts.seed, i, e, 3))
            for batch in iterate(data, bs, pad, generator=gen, device=device):
                loss = method.training_step(batch, i)
                tokens += int(batch["attention_mask"].sum())
        method.after_task(i, trains[i])
        train_s += time.perf_counter() - t0
        matrix.append(scorer.tasks(method))
        probe.append(scorer.probe(method))
        print(f"task {i + 1}/{T} {stream.tasks[i].name}: last loss {loss:.3f}; scores {matrix[-1]}; probe {probe[-1]:.1f}", file=log)
        timing = {
            "wall": prior["wall"] + time.perf_counter() - started,
            "train": prior["train"] + train_s,
            "eval": prior["eval"] + scorer.seconds,
            "tokens": prior["tokens"] + tokens,
        }
        checkpoint.save(ckdir, i, {"method": method.state_dict(), "matrix": matrix, "baseline": baseline, "probe": probe, "timing": timing}, identity)
        if opts.stop_after_task == i and i < T - 1:
            raise RunInterrupted(f"stopped after task {i + 1}/{T} as requested; resume with --resume")

    trainable, total = method.count_parameters()
    p = stream.probe
    result = ReproductionResult(
        method=method_cls.name,
        papers=list(method_cls.papers),
        benchmark=spec.name,
        scenario=stream.scenario,  # type: ignore[arg-type]
        profile=opts.profile,
        seed=opts.seed,
        task_names=stream.task_names,
        config={
            **config,
            "backbone": backbone,
            "threads": torch.get_num_threads(),
            "stream": stream.info,
            "train_examples": [len(t) for t in trains],
            "test_examples": [len(t.test) for t in stream.tasks],
        },
        versions=versions(),
        device=str(device) if device.type == "cpu" else f"cuda:{torch.cuda.get_device_name(device)}",
        accuracy_matrix=matrix,
        baseline_accuracy=baseline,
        metrics={},  # filled from the matrix and the probe by finish()
        trainable_params=trainable,
        total_params=total,
        wall_time_s=round(prior["wall"] + time.perf_counter() - started, 3),
        peak_memory_mb=round(peak_memory_mb(device), 1),
        command=command_line(opts, spec.name),
        created=datetime.now(timezone.utc).replace(microsecond=0),
        task_scoring=[t.scoring for t in stream.tasks],
        probe=ProbeScores(name=p.name, description=p.description, scoring=p.scoring, size=len(p.examples), scores=probe),
        backbone_note=backbone_note(backbone),
        train_tokens=int(prior["tokens"] + tokens),
        train_time_s=round(prior["train"] + train_s, 3),
        eval_time_s=round(prior["eval"] + scorer.seconds, 3),
    )
    finish(result, opts, ckdir, log)
    return result
