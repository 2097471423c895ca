"""EWC: elastic weight consolidation (Kirkpatrick et al., 2017) in its online form.

After each task a diagonal empirical Fisher is estimated from per-example
gradients on up to ``fisher_samples`` training examples, drawn class by
class in turn (:func:`class_balanced`) so that every class of the task is in
the estimate — the training data arrive sorted by label, and the first 64
examples once covered only 2 of a task's 4 classes. Fishers accumulate
across tasks and the anchor moves to the latest weights (online EWC,
Schwarz et al., 2018, with gamma = 1), so memory stays at two copies of the
weights however many tasks come. The penalty is
``lambda/2 * sum F (theta - theta*)^2``.

lambda = 1e5 was set before the committed runs, to bring the penalty to the
scale of the task's cross-entropy, and was not tuned on test accuracy; no
committed run compares values of lambda.
"""

from __future__ import annotations

from typing import Any

from reproductions.data import Batch, Encoded, iterate
from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods.base import F, Method, derive_seed

torch = require("torch")


def class_balanced(labels: Any, n: int, generator: Any) -> Any:
    """Indices of ``n`` examples taken round-robin over the classes present (shuffled within each class)."""
    by_class = [idx[torch.randperm(len(idx), generator=generator)] for c in torch.unique(labels) for idx in [torch.nonzero(labels == c).flatten()]]
    order: list[int] = []
    depth = 0
    while len(order) < n and any(depth < len(ix) for ix in by_class):
        order += [int(ix[depth]) for ix in by_class if depth < len(ix)]
        depth += 1
    return torch.tensor(order[:n], dtype=torch.long)


@register
class EWC(Method):
    name = "ewc"
    description = "elastic weight consolidation (online, diagonal empirical Fisher) on full fine-tuning"
    papers = []
    default_config = {"ewc_lambda": 1.0e5, "fisher_samples": 64, "ewc_gamma": 1.0}

    def setup(self) -> None:
        super().setup()
        self.fisher: dict[str, Any] | None = None
        self.anchor: dict[str, Any] | None = None

    def _named_trainable(self) -> list[tuple[str, Any]]:
        return [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]

    def penalty(self) -> Any:
        if self.fisher is None or self.anchor is None:
            return None
        total = 0.0
        for n, p in self._named_trainable():
            total = total + (self.fisher[n] * (p - self.anchor[n]).pow(2)).sum()
        return 0.5 * float(self.cfg["ewc_lambda"]) * total

    def training_loss(self, batch: Batch, task_id: int) -> Any:
        loss = super().training_loss(batch, task_id)
        pen = self.penalty()
        return loss if pen is None else loss + pen

    def after_task(self, task_id: int, train: Encoded) -> None:
        n = min(len(train), int(self.cfg["fisher_samples"]))
        params = self._named_trainable()
        fisher = {name: torch.zeros_like(p) for name, p in params}
        self.model.eval()  # no dropout noise in the curvature estimate
        gen = torch.Generator().manual_seed(derive_seed(self.ctx.seed, task_id, 17))
        sample = class_balanced(train.labels, n, gen)
        for batch in iterate(train.subset(sample), 1, shuffle=False, device=self.device):
            self.model.zero_grad(set_to_none=True)
            logits = self.mask_logits(self.forward(batch, task_id), batch["tasks"])
            F.cross_entropy(logits, batch["labels"]).backward()
            for name, p in params:
                if p.grad is not None:
                    fisher[name] += p.grad.detach().pow(2) / n
        self.model.zero_grad(set_to_none=True)
        gamma = float(self.cfg["ewc_gamma"])
        if self.fisher is not None:
            fisher = {k: gamma * self.fisher[k] + v for k, v in fisher.items()}
        self.fisher = fisher
        self.anchor = {name: p.detach().clone() for name, p in params}

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["fisher"] = None if self.fisher is None else {k: v.cpu() for k, v in self.fisher.items()}
        state["anchor"] = None if self.anchor is None else {k: v.cpu() for k, v in self.anchor.items()}
        return state

    def load_state_dict(self, state: dict[str, Any]) -> None:
        super().load_state_dict(state)
        dev = self.device
        self.fisher = None if state["fisher"] is None else {k: v.to(dev) for k, v in state["fisher"].items()}
        self.anchor = None if state["anchor"] is None else {k: v.to(dev) for k, v in state["anchor"].items()}
