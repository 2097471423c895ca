"""Replay for continual pre-training: a share of every stage's blocks comes from the earlier domains.

Ibrahim et al. (2024) show that re-warming and re-decaying the learning
rate (which every CPT method here does, :mod:`reproductions.lm.cpt.schedule`)
plus replaying a small share of the earlier pre-training data lets continual
pre-training keep up with re-training on all data. Here a stage of ``n``
blocks keeps ``n − r`` blocks of the new domain and adds ``r = round(
replay_share · n)`` blocks drawn from the earlier domains' training samples
(spread evenly over them, seeded by run and stage), shuffled together, so a
stage costs exactly what a ``cpt-seq`` stage costs and the difference is the
replay alone. Earlier training blocks are rebuilt from the stream on resume,
so the method keeps no memory of its own.

Departures from the paper: a 135M chat model and three small documentation
domains instead of 405M/10B models on hundreds of billions of tokens; the
replayed data are the earlier CPT domains (the original pre-training data
of SmolLM2 are not available), and the schedule is a per-stage warm-up and
cosine decay rather than the paper's infinite schedules.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from reproductions.lm.batches import Encoded
from reproductions.lm.methods._cpt import FULL_DEFAULTS, CPTMethod
from reproductions.lm.methods.inscl import allocate
from reproductions.methods import register


@register
class CPTReplay(CPTMethod):
    name = "cpt-replay"
    description = "full continual pre-training with re-warmed LR and a replay share of earlier domains' blocks in every stage"
    papers: ClassVar[list[str]] = ["ibrahim2024simple"]
    default_config: ClassVar[dict[str, Any]] = {**FULL_DEFAULTS, "replay_share": 0.25}

    def replay_count(self, n: int) -> int:
        share = float(self.cfg["replay_share"])
        if not 0.0 <= share < 1.0:
            raise ValueError(f"replay_share must be in [0, 1), got {share}")
        return round(share * n)

    def stage_data(self, task_id: int, train: list[Encoded], seen: list[list[Encoded]]) -> list[Encoded]:
        earlier = seen[:-1]
        if not earlier:
            return list(train)
        r = self.replay_count(len(train))
        rng = random.Random(f"cpt-replay:{self.ctx.seed}:{task_id}")
        replayed = [b for blocks, k in zip(earlier, allocate(r, [1.0] * len(earlier))) for b in rng.sample(blocks, min(k, len(blocks)))]
        kept = rng.sample(list(train), len(train) - len(replayed))
        self.last_mix = (len(kept), len(replayed))
        return kept + replayed
