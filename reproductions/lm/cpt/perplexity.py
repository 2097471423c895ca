"""Held-out perplexity of a causal LM on token blocks: per-block NLL sums and their token-weighted perplexity.

Every position of a block but the first is predicted from the tokens before
it, so a block of L tokens gives L − 1 predictions. A domain's perplexity
is exp(Σ NLL / Σ predictions) over all its held-out blocks — the
token-weighted corpus perplexity, not a mean of per-block perplexities
(which would overweight easy blocks). Per-block sums are kept because a
method may choose a different model per block (DEMix routing).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from reproductions.deps import require
from reproductions.lm.batches import Encoded

torch = require("torch")
F = torch.nn.functional


@torch.no_grad()
def block_nll(model: Any, blocks: Sequence[Encoded], batch_size: int, device: Any = None, prefix: int = 0) -> list[float]:
    """Summed negative log-likelihood (nats) of each block's predicted tokens, or of its first ``prefix`` ones."""
    model.eval()
    out: list[float] = []
    for start in range(0, len(blocks), batch_size):
        ids = torch.tensor([b.input_ids for b in blocks[start : start + batch_size]], dtype=torch.long, device=device)
        logits = model(input_ids=ids).logits[:, :-1].float()
        nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1), reduction="none").view(ids.shape[0], -1)
        if prefix:
            nll = nll[:, :prefix]
        out.extend(nll.sum(1).tolist())
    return out


def predictions(blocks: Sequence[Encoded]) -> int:
    """How many tokens the blocks' perplexity averages over (L − 1 per block)."""
    return sum(len(b.input_ids) - 1 for b in blocks)


def perplexity(nll_sums: Sequence[float], tokens: int) -> float:
    """exp of the mean NLL per predicted token."""
    if tokens <= 0:
        raise ValueError("perplexity needs at least one predicted token")
    return math.exp(sum(nll_sums) / tokens)
