"""Replay: a small memory of earlier tasks' examples mixed into every later stage (on one LoRA).

After each task a seeded random ``replay_share`` of its training examples
(10 % by default: 2 of 24 in the standard profile) joins the memory; each
later stage trains on its own data plus the whole memory, shuffled together,
so replayed examples are mixed into the batches. Same LoRA as SeqLoRA, so the
difference between the two is the memory alone.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from reproductions.lm.batches import Encoded
from reproductions.lm.methods.base import LORA_DEFAULTS, LMMethod
from reproductions.methods import register


@register
class LMReplay(LMMethod):
    name = "replay"
    description = "experience replay: a 10% memory of each earlier task mixed into later stages (one LoRA)"
    default_config: ClassVar[dict[str, Any]] = {**LORA_DEFAULTS, "replay_share": 0.1}

    def setup(self) -> None:
        super().setup()
        self.memory: list[list[Encoded]] = []

    def memory_size(self, n: int) -> int:
        return max(1, round(float(self.cfg["replay_share"]) * n))

    def select(self, task_id: int, train: list[Encoded]) -> list[Encoded]:
        """Which examples of a finished task go to memory (random, seeded by run and task)."""
        return random.Random(f"replay:{self.ctx.seed}:{task_id}").sample(list(train), self.memory_size(len(train)))

    def stage_data(self, task_id: int, train: list[Encoded], seen: list[list[Encoded]]) -> list[Encoded]:
        return list(train) + [e for mem in self.memory for e in mem]

    def after_task(self, task_id: int, train: list[Encoded]) -> None:
        own = [e for e in train if e not in {x for mem in self.memory for x in mem}]
        self.memory.append(self.select(task_id, own))

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "memory": [[(e.input_ids, e.labels) for e in mem] for mem in self.memory]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.memory = [[Encoded(tuple(i), tuple(lab)) for i, lab in mem] for mem in state["memory"]]
