"""SeqLoRA: one LoRA adapter (plus the head) trained on each task in sequence.

The parameter-efficient counterpart of SeqFT: the backbone stays frozen, so
forgetting is confined to the adapter and head. peft is imported only here,
so the other methods run without it.
"""

from __future__ import annotations

import warnings
from typing import Any

from reproductions.deps import require
from reproductions.methods import register
from reproductions.methods.base import Method


@register
class SeqLoRA(Method):
    name = "seqlora"
    description = "one LoRA adapter (query/value) + head fine-tuned in sequence, backbone frozen"
    papers = []
    default_config = {"lr": 5e-4, "lora_r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "lora_targets": ["query", "value"]}

    def new_model(self, head_seed: int | None = None) -> Any:
        peft = require("peft")
        model = super().new_model(head_seed)
        config = peft.LoraConfig(
            r=int(self.cfg["lora_r"]),
            lora_alpha=int(self.cfg["lora_alpha"]),
            lora_dropout=float(self.cfg["lora_dropout"]),
            target_modules=list(self.cfg["lora_targets"]),
        )
        with warnings.catch_warnings():  # peft probes a deprecated transformers attribute
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
            model.encoder = peft.get_peft_model(model.encoder, config)
        for p in model.head.parameters():
            p.requires_grad_(True)
        return model.to(self.device)
