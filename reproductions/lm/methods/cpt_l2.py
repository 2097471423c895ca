"""L2 toward the previous stage: full continual pre-training with a quadratic pull back to the last stage's weights.

The loss of stage t > 0 is the causal-LM loss plus ``(l2_weight / 2) ·
Σ_k (θ_k − θ*_k)²``, where θ* are the weights at the end of stage t − 1.
This is EWC (Kirkpatrick et al., 2017) with every parameter's importance
set to one instead of its Fisher information — the "L2" baseline that EWC
is usually compared with — so it costs one extra copy of the weights and no
Fisher pass. The anchor is the model the stage starts from, so after a
resume it is rebuilt from the restored weights and the checkpoint needs
nothing extra.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reproductions.deps import require
from reproductions.lm.batches import Encoded
from reproductions.lm.methods._cpt import FULL_DEFAULTS, CPTMethod
from reproductions.methods import register

torch = require("torch")


@register
class CPTL2(CPTMethod):
    name = "cpt-l2"
    description = "full continual pre-training with an L2 penalty toward the previous stage's weights (EWC with unit importance)"
    default_config: ClassVar[dict[str, Any]] = {**FULL_DEFAULTS, "l2_weight": 1.0}

    def setup(self) -> None:
        super().setup()
        self.anchor: list[Any] | None = None

    def before_task(self, task_id: int, train: list[Encoded]) -> None:
        super().before_task(task_id, train)
        self.anchor = [p.detach().clone() for p in self.trainable_parameters()] if task_id > 0 else None

    def penalty(self) -> Any:
        """Σ (θ − θ*)² over the trainable weights (0 on the first stage)."""
        if self.anchor is None:
            return torch.zeros((), device=self.device)
        return sum(((p - a) ** 2).sum() for p, a in zip(self.trainable_parameters(), self.anchor))

    def training_loss(self, batch: dict[str, Any], task_id: int) -> Any:
        loss = super().training_loss(batch, task_id)
        if self.anchor is None:
            return loss
        return loss + 0.5 * float(self.cfg["l2_weight"]) * self.penalty()
