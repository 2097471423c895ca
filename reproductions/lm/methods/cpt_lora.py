"""LoRA continual pre-training: one LoRA adapter trained on each domain in turn, the backbone frozen.

A frozen backbone bounds how far the model can drift from its pre-trained
function (the update is low-rank), which limits both learning and
forgetting; there is no other mechanism, so it is the parameter-efficient
counterpart of ``cpt-seq``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reproductions.lm.methods._cpt import CPTMethod
from reproductions.lm.methods.base import LORA_DEFAULTS
from reproductions.methods import register


@register
class CPTLoRA(CPTMethod):
    name = "cpt-lora"
    description = "one LoRA on the frozen LM, continually pre-trained on each domain in turn"
    default_config: ClassVar[dict[str, Any]] = dict(LORA_DEFAULTS)
