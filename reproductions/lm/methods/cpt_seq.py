"""Sequential continual pre-training: every weight trained on each domain in turn (the forgetting baseline)."""

from __future__ import annotations

from reproductions.lm.methods._cpt import CPTMethod
from reproductions.methods import register


@register
class CPTSeq(CPTMethod):
    name = "cpt-seq"
    description = "sequential full continual pre-training of the LM on each domain (all weights), no protection"
