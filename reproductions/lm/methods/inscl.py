"""InsCL-style replay (Wang et al., NAACL 2024): replay budget shared out by instruction dissimilarity.

InsCL replays more data from earlier tasks whose instructions differ more
from the current task's, measuring the difference with the Wasserstein
distance between instruction-embedding distributions, and picks high-
information instructions inside a task (InsInfo). Here each task's
embedding distribution is summarised by its mean prompt embedding (the
mean-pooled last hidden state of the current model over the prompt tokens)
and the distance is ``1 − cosine`` between means; the same total budget as
:mod:`replay` (``replay_share`` of a task's size per earlier task) is split
over earlier tasks in proportion to that distance (largest remainders), and
examples inside a task are drawn at random instead of by InsInfo.
"""

from __future__ import annotations

import random
from typing import Any, ClassVar

from reproductions.deps import require
from reproductions.lm.batches import IGNORE, Encoded, iterate
from reproductions.lm.methods.base import LORA_DEFAULTS, LMMethod
from reproductions.methods import register

torch = require("torch")
F = torch.nn.functional


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainders; equal if all are 0)."""
    if not weights:
        return []
    s = sum(weights)
    shares = [total * w / s for w in weights] if s > 0 else [total / len(weights)] * len(weights)
    out = [int(x) for x in shares]
    for i in sorted(range(len(shares)), key=lambda i: shares[i] - out[i], reverse=True)[: total - sum(out)]:
        out[i] += 1
    return out


@register
class LMInsCL(LMMethod):
    name = "inscl"
    description = "InsCL-style replay: memory budget per earlier task grows with its instruction distance (one LoRA)"
    papers: ClassVar[list[str]] = ["wang2024inscl"]
    default_config: ClassVar[dict[str, Any]] = {**LORA_DEFAULTS, "replay_share": 0.1}

    def setup(self) -> None:
        super().setup()
        self.pools: list[list[Encoded]] = []
        self.means: list[Any] = []

    @torch.no_grad()
    def task_embedding(self, data: list[Encoded]) -> Any:
        """Mean over examples of the mean last hidden state over prompt tokens."""
        self.model.eval()
        pad = self.ctx.tokenizer.pad_token_id
        vecs = []
        for batch in iterate(data, 16, pad, device=self.device):
            out = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], output_hidden_states=True)
            h = out.hidden_states[-1]
            prompt = ((batch["labels"] == IGNORE) & (batch["attention_mask"] == 1)).unsqueeze(-1).to(h.dtype)
            vecs.append((h * prompt).sum(1) / prompt.sum(1).clamp_min(1.0))
        return torch.cat(vecs).mean(0).cpu()

    def replay_plan(self, current: Any, n: int) -> list[int]:
        distances = [float(1.0 - F.cosine_similarity(current, m, dim=0)) for m in self.means]
        total = max(1, round(float(self.cfg["replay_share"]) * n)) * len(self.means)
        return allocate(total, distances)

    def stage_data(self, task_id: int, train: list[Encoded], seen: list[list[Encoded]]) -> list[Encoded]:
        if not self.pools:
            return list(train)
        plan = self.replay_plan(self.task_embedding(list(train)), len(train))
        self.last_plan = plan
        rng = random.Random(f"inscl:{self.ctx.seed}:{task_id}")
        replayed = [e for pool, k in zip(self.pools, plan) for e in rng.sample(pool, min(k, len(pool)))]
        return list(train) + replayed

    def after_task(self, task_id: int, train: list[Encoded]) -> None:
        own = [e for e in train if e not in {x for pool in self.pools for x in pool}]
        self.pools.append(own)
        self.means.append(self.task_embedding(own))

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "pools": [[(e.input_ids, e.labels) for e in p] for p in self.pools], "means": self.means}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        self.pools = [[Encoded(tuple(i), tuple(lab)) for i, lab in p] for p in state["pools"]]
        self.means = list(state["means"])
