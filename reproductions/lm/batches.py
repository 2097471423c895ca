"""Chat-template tokenisation with the loss on response tokens only, and padding done right.

Training batches are padded on the right: the real tokens then keep
positions 0..n-1, exactly as at generation time, and padded positions get
label -100 so they add nothing to the loss. Prompt tokens (system prompt,
user turn, the assistant header) also get -100: the model learns to answer,
not to reproduce the question. Generation batches are padded on the left
(see :mod:`reproductions.lm.generate`) so every row's next token follows its
last real token.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from reproductions.deps import require
from reproductions.lm.instructions import InstructionExample

torch = require("torch")
IGNORE = -100


@dataclass(frozen=True)
class Encoded:
    """One tokenised training example: ``input_ids`` and ``labels`` (-100 on prompt positions)."""

    input_ids: tuple[int, ...]
    labels: tuple[int, ...]

    @property
    def response_tokens(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE)


def prompt_text(tokenizer: Any, prompt: str) -> str:
    """The chat-formatted prompt up to and including the assistant header."""
    return tokenizer.apply_chat_template([{"role": "user", "content": prompt}], tokenize=False, add_generation_prompt=True)


def encode_example(tokenizer: Any, ex: InstructionExample, max_length: int) -> Encoded:
    """Prompt + response + end-of-turn under the model's chat template; the response is cut to fit ``max_length``."""
    head = prompt_text(tokenizer, ex.prompt)
    full = tokenizer.apply_chat_template([{"role": "user", "content": ex.prompt}, {"role": "assistant", "content": ex.response}], tokenize=False)
    if not full.startswith(head):  # templates that rewrite earlier turns: fall back to concatenation
        full = head + ex.response + (tokenizer.eos_token or "")
    p_ids = tokenizer(head, add_special_tokens=False)["input_ids"]
    r_ids = tokenizer(full[len(head) :].rstrip("\n"), add_special_tokens=False)["input_ids"]
    if len(p_ids) >= max_length:
        raise ValueError(f"prompt of {len(p_ids)} tokens does not fit max_length={max_length}: {ex.prompt[:60]!r}")
    r_ids = r_ids[: max_length - len(p_ids)]
    return Encoded(tuple(p_ids + r_ids), tuple([IGNORE] * len(p_ids) + r_ids))


def encode_all(tokenizer: Any, examples: Sequence[InstructionExample], max_length: int) -> list[Encoded]:
    return [encode_example(tokenizer, ex, max_length) for ex in examples]


def collate(items: Sequence[Encoded], pad_id: int, device: Any = None) -> dict[str, Any]:
    """Right-padded ``input_ids``, ``attention_mask`` and ``labels`` tensors."""
    n = max(len(e.input_ids) for e in items)
    ids = torch.full((len(items), n), pad_id, dtype=torch.long)
    labels = torch.full((len(items), n), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(items), n), dtype=torch.long)
    for i, e in enumerate(items):
        k = len(e.input_ids)
        ids[i, :k] = torch.tensor(e.input_ids)
        labels[i, :k] = torch.tensor(e.labels)
        mask[i, :k] = 1
    batch = {"input_ids": ids, "attention_mask": mask, "labels": labels}
    return {k: v.to(device) for k, v in batch.items()} if device is not None else batch


def num_batches(data: Sequence[Encoded], batch_size: int) -> int:
    return (len(data) + batch_size - 1) // batch_size


def iterate(data: Sequence[Encoded], batch_size: int, pad_id: int, generator: Any = None, device: Any = None) -> Iterator[dict[str, Any]]:
    """Batches in a seeded random order (``generator``) or in order when it is ``None``."""
    order = torch.randperm(len(data), generator=generator).tolist() if generator is not None else list(range(len(data)))
    for start in range(0, len(order), batch_size):
        yield collate([data[i] for i in order[start : start + batch_size]], pad_id, device)
