"""SeqLoRA: one LoRA adapter trained on every task in turn (parameter-efficient, but no CL mechanism)."""

from __future__ import annotations

from reproductions.lm.methods.base import LMMethod
from reproductions.methods import register


@register
class LMSeqLoRA(LMMethod):
    name = "seqlora"
    description = "one LoRA on the chat LM, fine-tuned on each task in turn"
