"""The continual pre-training loop: train on each domain's token blocks in turn, score held-out perplexity.

Per stage: the method trains on the domain's training blocks (every token
in the loss), then every domain's held-out blocks and the general text are
scored (:meth:`CPTMethod.block_nll`) and turned into token-weighted
perplexities, and the chat probe (when the benchmark has one) is answered
by greedy decoding. Before the first stage the untouched model is scored the
same way: that row is the FWT baseline, and the general text's and the
probe's starting point. A
checkpoint follows every stage, so an interrupted run resumed with
``--resume`` loses at most the stage in progress. Options, config
precedence, checkpoint place and the atomic result write are shared with the
other loops (:mod:`reproductions.runcommon`); the result file carries a
perplexity evaluation instead of an accuracy matrix, and its metrics are
the log-perplexity ones (:mod:`catalog.metrics`).
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from catalog.runfile import GeneralPerplexity, PerplexityScores, ProbeScores, ReproductionResult
from reproductions import checkpoint
from reproductions.benchmarks import BenchmarkSpec
from reproductions.deps import require
from reproductions.lm.backbone import SMOLLM2, backbone_note, check_causal, load_tokenizer
from reproductions.lm.batches import iterate
from reproductions.lm.cpt.blocks import BlockStream, make_blocks
from reproductions.lm.cpt.perplexity import perplexity, predictions
from reproductions.lm.cpt.profiles import CPT_PROFILES, CPTProfile
from reproductions.lm.cpt.stream import TextStream
from reproductions.lm.generate import answer_score
from reproductions.lm.instructions import Probe
from reproductions.lm.methods._cpt import CPTMethod
from reproductions.lm.methods.base import LMContext
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
PROFILE_KEYS = tuple(k for k in CPTProfile.__dataclass_fields__ if k != "name")
PPL_DIGITS = 4


def get_cpt_profile(name: str) -> CPTProfile:
    if name not in CPT_PROFILES:
        raise UnknownProfileError(f"unknown profile {name!r}; valid: {', '.join(CPT_PROFILES)}")
    return CPT_PROFILES[name]


def perplexity_methods() -> list[str]:
    """The generative methods that can run on a perplexity benchmark."""
    return sorted(n for n, c in all_methods("generate").items() if "perplexity" in getattr(c, "evaluations", ()))


def get_cpt_method(name: str) -> type[CPTMethod]:
    cls = get_method(name, kind="generate")
    if "perplexity" not in getattr(cls, "evaluations", ()):
        raise UnknownMethodError(
            f"method {name!r} is not a continual pre-training method; on a perplexity benchmark the valid methods are: {', '.join(perplexity_methods())}"
        )
    return cls


class Scorer:
    """Scores a method's perplexity on every domain's held-out blocks and on the general text, and its probe answers, timing it."""

    def __init__(self, stream: BlockStream, batch_size: int, probe: Probe | None = None) -> None:
        self.stream, self.batch_size, self.probe_set, self.seconds = stream, batch_size, probe, 0.0
        self.routing: list[list[float]] = []  # DEMix: share of domain j's blocks routed to expert j, per stage

    def _ppl(self, method: CPTMethod, blocks: list[Any]) -> float:
        t0 = time.perf_counter()
        nll = method.block_nll(blocks, self.batch_size)
        self.seconds += time.perf_counter() - t0
        return round(perplexity(nll, predictions(blocks)), PPL_DIGITS)

    def domains(self, method: CPTMethod) -> list[float]:
        row, routed = [], []
        for j, d in enumerate(self.stream.domains):
            row.append(self._ppl(method, d.heldout))
            chosen = getattr(method, "last_routing", None)
            if chosen and j < len(getattr(method, "experts", [])):
                routed.append(round(sum(1 for e in chosen if e == j) / len(chosen), 4))
        if routed:
            self.routing.append(routed)
        return row

    def general(self, method: CPTMethod) -> float:
        return self._ppl(method, self.stream.general)

    def probe(self, method: CPTMethod) -> list[float]:
        """The probe's score as a one-element list, or an empty list when the benchmark has no probe."""
        p = self.probe_set
        if p is None:
            return []
        t0 = time.perf_counter()
        value = answer_score(method, p.examples, p.scoring, p.max_new_tokens, self.batch_size)
        self.seconds += time.perf_counter() - t0
        return [value]


def run_cpt(opts: RunOptions, spec: BenchmarkSpec) -> ReproductionResult:
    """Run (or resume) one continual pre-training reproduction and write its result file."""
    started = time.perf_counter()
    log = opts.log or sys.stderr
    backbone = opts.backbone or SMOLLM2
    method_cls = get_cpt_method(opts.method)
    base = get_cpt_profile(opts.profile)
    config = merge_config(method_cls, base, dict(spec.options), opts.overrides, online=False)
    profile = replace(base, **{k: config[k] for k in PROFILE_KEYS})
    device = resolve_device(opts.device)
    text: TextStream = spec.build(profile, opts.seed, {k: config[k] for k in spec.options})  # corpus errors surface first
    check_causal(backbone)  # then a wrong backbone, still before any training
    tok = load_tokenizer(backbone)
    stream = make_blocks(text, tok, profile.block_size, profile.train_blocks, profile.eval_blocks, profile.general_blocks, opts.seed)
    print(
        f"data: {len(stream.domains)} domains x {profile.train_blocks} training / {profile.eval_blocks} held-out blocks of "
        f"{profile.block_size} tokens, {profile.general_blocks} general blocks ({time.perf_counter() - started:.1f} s)",
        file=log,
    )
    trains = [d.train for d in stream.domains]
    names = stream.domain_names
    ctx = LMContext(len(names), names, config, backbone, opts.seed, device, tok)
    torch.manual_seed(derive_seed(opts.seed, 1))
    method = method_cls(ctx)
    method.setup()

    identity = run_identity(method_cls.name, spec.name, opts, backbone, config, names)
    ckdir = checkpoint_dir(opts, method_cls.name, spec.name)
    T = len(names)
    scorer = Scorer(stream, int(config["eval_batch_size"]), text.probe)
    matrix: list[list[float]] = []
    baseline: list[float] | None = None
    general: list[float] = []
    probe: list[float] = []
    prior = {"wall": 0.0, "train": 0.0, "eval": 0.0, "tokens": 0}
    start, payload = resume_point(ckdir, identity, opts.resume, log)
    if payload is not None:
        method.load_state_dict(payload["method"])
        matrix, baseline, general, prior = payload["matrix"], payload["baseline"], payload["general"], payload["timing"]
        probe = payload["probe"]
        scorer.routing = payload.get("routing", [])
        print(f"resuming {method_cls.name} on {spec.name} after domain {start}/{T} from {ckdir}", file=log)

    if baseline is None:
        baseline = scorer.domains(method)
        general = [scorer.general(method)]
        probe = scorer.probe(method)
        print(f"base model: perplexity {baseline}, general {general[0]:.2f}" + (f", probe {probe[0]:.1f}" if probe else ""), file=log)
    bs, pad = int(config["batch_size"]), tok.pad_token_id
    train_s, tokens = 0.0, 0
    for i in range(start, T):
        torch.manual_seed(derive_seed(opts.seed, i, 2))
        data = method.stage_data(i, trains[i], trains[: i + 1])
        method.before_task(i, data)
        t0 = time.perf_counter()
        loss = float("nan")
        for e in range(int(config["epochs"])):
            gen = torch.Generator().manual_seed(derive_seed(opts.seed, i, e, 3))
            for batch in iterate(data, bs, pad, generator=gen, device=device):
                loss = method.training_step(batch, i)
                tokens += int(batch["attention_mask"].sum())
        method.after_task(i, trains[i])
        train_s += time.perf_counter() - t0
        matrix.append(scorer.domains(method))
        general.append(scorer.general(method))
        probe += scorer.probe(method)
        print(
            f"domain {i + 1}/{T} {names[i]}: last loss {loss:.3f}; perplexity {matrix[-1]}; general {general[-1]:.2f}"
            + (f"; probe {probe[-1]:.1f}" if probe else ""),
            file=log,
        )
        timing = {
            "wall": prior["wall"] + time.perf_counter() - started,
            "train": prior["train"] + train_s,
            "eval": prior["eval"] + scorer.seconds,
            "tokens": prior["tokens"] + tokens,
        }
        checkpoint.save(
            ckdir,
            i,
            {
                "method": method.state_dict(),
                "matrix": matrix,
                "baseline": baseline,
                "general": general,
                "probe": probe,
                "routing": scorer.routing,
                "timing": timing,
            },
            identity,
        )
        if opts.stop_after_task == i and i < T - 1:
            raise RunInterrupted(f"stopped after domain {i + 1}/{T} as requested; resume with --resume")

    trainable, total = method.count_parameters()
    ppl = PerplexityScores(
        matrix=matrix,
        baseline=baseline,
        tokens=[predictions(d.heldout) for d in stream.domains],
        block_size=stream.block_size,
        general=GeneralPerplexity(name=stream.general_name, description=stream.general_description, tokens=predictions(stream.general), values=general),
    )
    extra: dict[str, Any] = {"routing_to_own_expert": scorer.routing} if scorer.routing else {}
    p = text.probe
    probe_scores = ProbeScores(name=p.name, description=p.description, scoring=p.scoring, size=len(p.examples), scores=probe) if p is not None else None
    result = ReproductionResult(
        method=method_cls.name,
        papers=list(method_cls.papers),
        benchmark=spec.name,
        scenario=text.scenario,  # type: ignore[arg-type]
        profile=opts.profile,
        seed=opts.seed,
        task_names=names,
        config={
            **config,
            "backbone": backbone,
            "threads": torch.get_num_threads(),
            "stream": stream.info,
            "train_blocks_per_domain": [len(t) for t in trains],
            **extra,
        },
        versions=versions(),
        device=str(device) if device.type == "cpu" else f"cuda:{torch.cuda.get_device_name(device)}",
        metrics={},  # filled from the perplexities and the probe by finish()
        trainable_params=trainable,
        total_params=total,
        wall_time_s=round(prior["wall"] + time.perf_counter() - started, 3),
        peak_memory_mb=round(peak_memory_mb(device), 1),
        command=command_line(opts, spec.name),
        created=datetime.now(timezone.utc).replace(microsecond=0),
        backbone_note=backbone_note(backbone),
        train_tokens=int(prior["tokens"] + tokens),
        train_time_s=round(prior["train"] + train_s, 3),
        eval_time_s=round(prior["eval"] + scorer.seconds, 3),
        perplexity=ppl,
        probe=probe_scores,
    )
    finish(result, opts, ckdir, log)
    return result
