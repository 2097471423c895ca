"""Fixed-length token blocks for causal-LM pre-training, made from a domain's documents.

The usual pre-training packing: every document is tokenised, followed by the
end-of-text token, the documents are concatenated in name order, and the
stream is cut into consecutive blocks of ``block_size`` tokens (the last,
partial block dropped). Blocks may therefore straddle two documents of the
same split, as in GPT-style packing; they never mix the training and the
held-out side, which are packed separately. A run trains on a seeded sample
of the training blocks and is scored on a fixed (seed-independent) sample of
the held-out blocks, so every seed and method is scored on the same text.
The loss covers every token of a block (labels = inputs; the model shifts).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reproductions.lm.batches import Encoded
from reproductions.lm.cpt.stream import DomainText, TextDocument, TextStream
from reproductions.streams import StreamError

Block = tuple[int, ...]


def token_stream(tokenizer: Any, docs: Sequence[TextDocument]) -> list[int]:
    """All documents' tokens, each document followed by the end-of-text token."""
    eos = tokenizer.eos_token_id
    if eos is None:
        raise StreamError("the tokenizer has no end-of-text token to separate documents")
    out: list[int] = []
    if not docs:
        return out
    ids = tokenizer([d.text for d in docs], add_special_tokens=False, verbose=False)["input_ids"]
    for seq in ids:
        out.extend(seq)
        out.append(eos)
    return out


def pack(tokens: Sequence[int], block_size: int) -> list[Block]:
    """Consecutive non-overlapping blocks of ``block_size`` tokens; the remainder is dropped."""
    if block_size < 2:
        raise ValueError(f"block_size must be at least 2, got {block_size}")
    return [tuple(tokens[i : i + block_size]) for i in range(0, len(tokens) - block_size + 1, block_size)]


def sample(blocks: list[Block], n: int, key: str, what: str) -> list[Block]:
    """``n`` blocks drawn without replacement by a string-seeded generator (order as drawn)."""
    if n > len(blocks):
        raise StreamError(f"{what}: {len(blocks)} blocks available, {n} needed")
    return random.Random(key).sample(blocks, n)


def as_examples(blocks: Sequence[Block]) -> list[Encoded]:
    """Blocks as training examples of the generative harness: labels are the inputs (loss on every token)."""
    return [Encoded(b, b) for b in blocks]


@dataclass
class DomainBlocks:
    """One domain's training sample and held-out sample of blocks."""

    name: str
    train: list[Encoded]
    heldout: list[Encoded]


@dataclass
class BlockStream:
    """The token-level stream a run uses: blocks per domain plus the general text's held-out blocks."""

    domains: list[DomainBlocks]
    general: list[Encoded]
    general_name: str
    general_description: str
    block_size: int
    info: dict[str, Any]

    @property
    def domain_names(self) -> list[str]:
        return [d.name for d in self.domains]


def domain_blocks(tokenizer: Any, domain: DomainText, block_size: int, n_train: int, n_heldout: int, seed: int) -> DomainBlocks:
    train = pack(token_stream(tokenizer, domain.train), block_size)
    heldout = pack(token_stream(tokenizer, domain.heldout), block_size)
    return DomainBlocks(
        domain.name,
        as_examples(sample(train, n_train, f"{domain.name}:train:{seed}", f"domain {domain.name} (training side)")),
        as_examples(sample(heldout, n_heldout, f"{domain.name}:heldout", f"domain {domain.name} (held-out side)")),
    )


def make_blocks(stream: TextStream, tokenizer: Any, block_size: int, train_blocks: int, eval_blocks: int, general_blocks: int, seed: int) -> BlockStream:
    """Tokenise, pack and sample every domain and the general text."""
    domains = [domain_blocks(tokenizer, d, block_size, train_blocks, eval_blocks, seed) for d in stream.domains]
    g = stream.general
    general = pack(token_stream(tokenizer, g.heldout), block_size)
    general_sample = as_examples(sample(general, general_blocks, f"{g.name}:general", f"general text {g.name}"))
    return BlockStream(domains, general_sample, g.name, g.description, block_size, stream.info)
