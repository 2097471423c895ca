"""The per-stage learning-rate schedule of continual pre-training: re-warm, then cosine re-decay.

Ibrahim et al. (2024) continue pre-training a decayed model by warming the
learning rate up again and decaying it again on each new dataset; every
method here does so at every stage (linear warm-up over ``warmup_share`` of
the stage's steps, cosine decay to ``min_lr_ratio`` of the peak), so method
differences are not schedule differences. The warm-up starts at 1/w of the
peak, not at 0, so no step is wasted on a zero learning rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable


def rewarm_cosine(steps: int, warmup_share: float, min_ratio: float) -> Callable[[int], float]:
    """The learning-rate factor of step ``k`` (0-based) of a stage of ``steps`` steps."""
    if steps < 1:
        raise ValueError("a stage needs at least one step")
    warm = max(1, round(warmup_share * steps)) if warmup_share > 0 else 0

    def factor(k: int) -> float:
        if k < warm:
            return (k + 1) / warm
        span = max(1, steps - warm - 1)
        progress = min(1.0, (k - warm) / span)
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * progress))

    return factor
