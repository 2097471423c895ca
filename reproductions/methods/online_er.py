"""Online ER: experience replay for single-pass streams (Chaudhry et al., 2019, "On Tiny Episodic Memories").

The online baseline of the survey's online HTB/BTB settings. Each incoming
batch of the stream is used for exactly one gradient step, concatenated with
an equally sized batch drawn uniformly from a small episodic memory; the
memory (200 examples) is filled by reservoir sampling over the stream, so
every example seen so far has the same chance to be stored and no task
boundary is needed — it runs unchanged on blurry-boundary streams. Unlike
the offline ``replay`` baseline (class-balanced memory rebuilt at task
ends), nothing here happens at a boundary. Full fine-tuning, profile
learning rate. No catalog paper (``papers = []``).
"""

from __future__ import annotations

from typing import Any

from reproductions.data import Batch, Encoded, make_batch, merge_batches
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods.base import F, Method, derive_seed

torch = require("torch")


@register
class OnlineER(Method):
    name = "online_er"
    description = "online experience replay: each stream batch used once, joined by a batch from a reservoir-sampled memory (200)"
    papers = []
    scenarios = ("HTB", "BTB")
    default_config = {"memory_size": 200}

    def setup(self) -> None:
        super().setup()
        size, width = int(self.cfg["memory_size"]), int(self.cfg["max_length"])
        z = torch.zeros((size, width), dtype=torch.long)
        e = torch.zeros((size,), dtype=torch.long)
        self.buffer = Encoded(z, z.clone(), e, e.clone())
        self.filled = 0
        self.n_seen = 0  # stream examples seen (each once)
        self._gen = torch.Generator()

    def on_segment(self, index: int) -> None:
        self._gen = torch.Generator().manual_seed(derive_seed(self.ctx.seed, index, 41))

    @property
    def memory(self) -> Encoded:
        return self.buffer.subset(torch.arange(self.filled))

    def training_step(self, batch: Batch, task_id: int) -> float:
        train = batch
        if self.filled:
            n = min(len(batch["labels"]), self.filled)
            idx = torch.randperm(self.filled, generator=self._gen)[:n]
            train = merge_batches(batch, make_batch(self.memory, idx, self.device))
        loss = super().training_step(train, task_id)
        self.reservoir_update(batch)
        return loss

    def reservoir_update(self, batch: Batch) -> None:
        size, width = len(self.buffer), self.buffer.input_ids.shape[1]
        ids = F.pad(batch["input_ids"], (0, width - batch["input_ids"].shape[1])).cpu()
        mask = F.pad(batch["attention_mask"], (0, width - batch["attention_mask"].shape[1])).cpu()
        for r in range(len(batch["labels"])):
            self.n_seen += 1
            if self.filled < size:
                slot = self.filled
                self.filled += 1
            else:
                slot = int(torch.randint(0, self.n_seen, (1,), generator=self._gen))
                if slot >= size:
                    continue
            self.buffer.input_ids[slot] = ids[r]
            self.buffer.attention_mask[slot] = mask[r]
            self.buffer.labels[slot] = batch["labels"][r].cpu()
            self.buffer.tasks[slot] = batch["tasks"][r].cpu()

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state.update(buffer=self.buffer.to_state(), filled=self.filled, n_seen=self.n_seen)
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.buffer = Encoded.from_state(state["buffer"])
        self.filled, self.n_seen = int(state["filled"]), int(state["n_seen"])
