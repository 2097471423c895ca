"""PerTask: a separate fine-tuned model for every task (parameter isolation, no forgetting).

With a task id (TIL) the task's own model answers. Without one (CIL, DIL,
online HTB) the task-agnostic path runs every trained model and takes the most
confident one (highest softmax probability within its own task's classes), the
usual inference rule for isolated experts. Classes of tasks not yet trained
cannot be predicted, so its FWT is not meaningful outside TIL.
"""

from __future__ import annotations

from typing import Any

from reproductions.backbones import load_trainable_state, trainable_state
from reproductions.data import Batch, Encoded
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods.base import F, Method, derive_seed

torch = require("torch")


@register
class PerTask(Method):
    name = "pertask"
    description = "one independently fine-tuned model per task (task id or max-confidence routing)"
    papers = []
    scenarios = ("TIL", "CIL", "DIL", "HTB")
    needs_boundaries = True

    def setup(self) -> None:
        super().setup()
        self.base = self.model  # the untrained model: baseline row and not-yet-trained tasks
        self.experts: list[Any] = []

    def before_task(self, task_id: int, train: Encoded) -> None:
        while len(self.experts) <= task_id:
            self.experts.append(self.new_model(derive_seed(self.ctx.seed, 7919, len(self.experts))))
        self.model = self.experts[task_id]
        super().before_task(task_id, train)

    def count_parameters(self) -> tuple[int, int]:
        models = self.experts or [self.model]
        params = [p for m in models for p in m.parameters()]
        return sum(p.numel() for p in params if p.requires_grad), sum(p.numel() for p in params)

    @torch.no_grad()
    def predict(self, batch: Batch, task_id: int | None) -> Any:
        if not self.experts or task_id is not None:
            if task_id is None or task_id >= len(self.experts):
                self.model = self.base
            else:
                self.model = self.experts[task_id]
            return super().predict(batch, task_id)
        scores = None
        for t, expert in enumerate(self.experts):
            expert.eval()
            logits = expert(batch["input_ids"], batch["attention_mask"])
            logits = logits.masked_fill(~self._task_mask[t], float("-inf"))
            probs = F.softmax(logits, dim=1).masked_fill(~self._task_mask[t], float("-inf"))
            scores = probs if scores is None else torch.maximum(scores, probs)
        return scores

    def state_dict(self) -> dict[str, Any]:
        return {"experts": [trainable_state(m) for m in self.experts]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.experts = []
        for t, s in enumerate(state["experts"]):
            m = self.new_model(derive_seed(self.ctx.seed, 7919, t))
            load_trainable_state(m, s)
            self.experts.append(m)
