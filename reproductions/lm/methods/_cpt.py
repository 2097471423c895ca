"""The base of continual pre-training (CPT) methods: token blocks in, held-out perplexity out.

Same hooks as every generative method (:class:`LMMethod`); what changes is
the data (fixed-length blocks whose labels are their inputs, so the loss
covers every token), the learning-rate schedule (re-warmed and cosine-
re-decayed at every stage, :mod:`reproductions.lm.cpt.schedule`) and the
evaluation: :meth:`CPTMethod.block_nll` gives each held-out block's summed
NLL under the current model, from which the runner computes perplexity;
``answer`` (greedy decoding, inherited) answers the benchmark's chat probe.
A method that picks a model per input (DEMix) overrides those two hooks.
CPT methods run only on perplexity benchmarks (``evaluations``).
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from reproductions.deps import require
from reproductions.lm.batches import Encoded
from reproductions.lm.cpt.perplexity import block_nll
from reproductions.lm.cpt.schedule import rewarm_cosine
from reproductions.lm.methods.base import LORA_DEFAULTS, LMMethod

torch = require("torch")

FULL_DEFAULTS: dict[str, Any] = {**LORA_DEFAULTS, "adapter": "full"}


class CPTMethod(LMMethod):
    """A continual pre-training method; subclasses set the metadata and override hooks."""

    evaluations: ClassVar[tuple[str, ...]] = ("perplexity",)
    scenarios: ClassVar[tuple[str, ...]] = ("DIL",)
    default_config: ClassVar[dict[str, Any]] = dict(FULL_DEFAULTS)

    def stage_steps(self, n: int) -> int:
        return math.ceil(n / int(self.cfg["batch_size"])) * int(self.cfg["epochs"])

    def before_task(self, task_id: int, train: list[Encoded]) -> None:
        super().before_task(task_id, train)
        factor = rewarm_cosine(self.stage_steps(len(train)), float(self.cfg["warmup_share"]), float(self.cfg["min_lr_ratio"]))
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, factor)

    def training_step(self, batch: dict[str, Any], task_id: int) -> float:
        loss = super().training_step(batch, task_id)
        self.scheduler.step()
        return loss

    def block_nll(self, blocks: list[Encoded], batch_size: int) -> list[float]:
        """Summed NLL of every block's predicted tokens under the current model (no domain id is given)."""
        return block_nll(self.model, blocks, batch_size, self.device)
