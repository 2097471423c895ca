"""SeqFT: fine-tune the whole model on each task in turn, with no protection against forgetting.

The lower bound every CL method is compared against.
"""

from __future__ import annotations

from reproductions.methods import register
from reproductions.methods.base import Method


@register
class SeqFT(Method):
    name = "seqft"
    description = "sequential full fine-tuning, no CL mechanism (lower bound)"
    papers = []
