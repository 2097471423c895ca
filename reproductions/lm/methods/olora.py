"""O-LoRA (Wang et al., Findings of EMNLP 2023) on a causal chat LM.

Each task gets a fresh LoRA on the attention query and value projections;
the new task's LoRA ``A`` matrices are pushed to be orthogonal to every
earlier task's (loss ``olora_lambda · Σ_layers Σ_k |A_t A_kᵀ|₁``, the
paper's λ1 = 0.5) and an optional L2 term on the new LoRA (λ2, default 0
as in most of the paper's runs). Earlier LoRAs stay fixed and active.

Departures from the paper: earlier LoRAs are merged into the base weights
after their task instead of kept as separate frozen modules (the same
function: a sum of low-rank updates; checkpoints keep each task's LoRA and
re-merge them on resume); the backbone is SmolLM2-135M-Instruct, not T5 or
LLaMA; the paper's tasks are classification with a label vocabulary, here
free-form generation.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reproductions.backbones import copy_parameters
from reproductions.deps import require
from reproductions.lm.backbone import load_causal_lm
from reproductions.lm.batches import Encoded
from reproductions.lm.methods.base import LORA_DEFAULTS, LMMethod
from reproductions.methods import register
from reproductions.methods.base import derive_seed

torch = require("torch")


def lora_state(model: Any) -> dict[str, Any]:
    return {n: p.detach().cpu().clone() for n, p in model.named_parameters() if "lora_" in n}


@register
class LMOLoRA(LMMethod):
    name = "olora"
    description = "O-LoRA: a new LoRA per task, orthogonal (in A) to the earlier tasks' LoRAs, which stay fixed"
    papers: ClassVar[list[str]] = ["wang2023orthogonal"]
    default_config: ClassVar[dict[str, Any]] = {**LORA_DEFAULTS, "lora_targets": "q_proj,v_proj", "olora_lambda": 0.5, "olora_l2": 0.0}

    def setup(self) -> None:
        super().setup()
        self.past: list[dict[str, Any]] = []  # each finished task's LoRA weights (A and B)

    def _past_a(self) -> list[dict[str, Any]]:
        if len(getattr(self, "_a_cache", [])) != len(self.past):
            self._a_cache = [{n: t.to(self.device) for n, t in sd.items() if "lora_A" in n} for sd in self.past]
        return self._a_cache

    def orthogonality_loss(self) -> Any:
        total = torch.zeros((), device=self.device)
        if not self.past:
            return total
        for n, p in self.model.named_parameters():
            if "lora_A" in n and p.requires_grad:
                for old in self._past_a():
                    total = total + (p @ old[n].T).abs().sum()
        return total

    def training_loss(self, batch: dict[str, Any], task_id: int) -> Any:
        loss = super().training_loss(batch, task_id) + float(self.cfg["olora_lambda"]) * self.orthogonality_loss()
        l2 = float(self.cfg["olora_l2"])
        if l2:
            loss = loss + l2 * sum((p**2).sum() for n, p in self.model.named_parameters() if "lora_" in n and p.requires_grad)
        return loss

    def _freeze_and_renew(self, task_id: int) -> None:
        self.past.append(lora_state(self.model))
        merged = self.model.merge_and_unload()
        self.model = self.new_model(base=merged, lora_seed=derive_seed(self.ctx.seed, 31, task_id))

    def after_task(self, task_id: int, train: list[Encoded]) -> None:
        self._freeze_and_renew(task_id)

    def count_parameters(self) -> tuple[int, int]:
        """Trainable: every task's LoRA (the method keeps T of them); total: backbone + those LoRAs."""
        per_task, total = super().count_parameters()
        n = max(1, len(self.past))
        return per_task * n, total - per_task + per_task * n

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "past": self.past}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        base = load_causal_lm(self.ctx.backbone, self.device)
        for sd in state["past"]:
            m = self.new_model(base=base)
            copy_parameters(m, sd)
            base = m.merge_and_unload()
        self.model = self.new_model(base=base)
        self.past = list(state["past"])
        super().load_state_dict(state)
