"""Replay: experience replay from a fixed-size, class-balanced episodic memory.

After each task the memory is rebalanced so every class seen so far keeps an
equal share of ``memory_size`` slots (new classes sampled with a seeded
generator). Each training batch is concatenated with an equally sized batch
drawn from the memory, the usual ER recipe.
"""

from __future__ import annotations

from typing import Any

from reproductions.data import Batch, Encoded, concat, make_batch, merge_batches
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods.base import Method, derive_seed

torch = require("torch")


@register
class Replay(Method):
    name = "replay"
    description = "experience replay: each batch joined by a batch from a fixed class-balanced memory"
    papers = []
    default_config = {"memory_size": 200}

    def setup(self) -> None:
        super().setup()
        self.memory: Encoded | None = None
        self._gen = torch.Generator()

    def on_segment(self, index: int) -> None:
        self._gen = torch.Generator().manual_seed(derive_seed(self.ctx.seed, index, 31))

    def training_step(self, batch: Batch, task_id: int) -> float:
        if self.memory is not None and len(self.memory):
            n = min(len(batch["labels"]), len(self.memory))
            idx = torch.randperm(len(self.memory), generator=self._gen)[:n]
            batch = merge_batches(batch, make_batch(self.memory, idx, self.device))
        return super().training_step(batch, task_id)

    def after_task(self, task_id: int, train: Encoded) -> None:
        pool = train if self.memory is None else concat([self.memory, train])
        classes = sorted(set(pool.labels.tolist()))
        quota = int(self.cfg["memory_size"]) // max(len(classes), 1)
        g = torch.Generator().manual_seed(derive_seed(self.ctx.seed, task_id, 37))
        keep: list[int] = []
        for c in classes:
            idx = torch.nonzero(pool.labels == c).flatten()
            if self.memory is None or c not in set(self.memory.labels.tolist()):
                idx = idx[torch.randperm(len(idx), generator=g)]  # new class: random sample
            keep.extend(idx[:quota].tolist())  # old class: keep the first (already random) slots
        self.memory = pool.subset(torch.tensor(sorted(keep), dtype=torch.long))

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["memory"] = None if self.memory is None else self.memory.to_state()
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.memory = None if state["memory"] is None else Encoded.from_state(state["memory"])
