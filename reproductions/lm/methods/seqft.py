"""SeqFT: full fine-tuning of every weight on each task in turn (the forgetting baseline)."""

from __future__ import annotations

from typing import Any, ClassVar

from reproductions.lm.methods.base import LORA_DEFAULTS, LMMethod
from reproductions.methods import register


@register
class LMSeqFT(LMMethod):
    name = "seqft"
    description = "sequential full fine-tuning of the chat LM (all weights), no protection against forgetting"
    default_config: ClassVar[dict[str, Any]] = {**LORA_DEFAULTS, "adapter": "full"}
