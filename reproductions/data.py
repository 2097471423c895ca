"""Tokenised task data and batching.

Texts are tokenised once per split (padding to ``max_length``) and every
batch is trimmed to its longest row, so short WordNet glosses cost ~13
tokens, not 32. Shuffling takes an explicit ``torch.Generator`` so the
order of batches, and therefore a resumed run, is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from reproductions.deps import require
from reproductions.streams import Example

torch = require("torch")

Batch = dict[str, Any]


@dataclass
class Encoded:
    """A tokenised set of examples: ids and masks (N x max_length), labels and task ids (N)."""

    input_ids: Any
    attention_mask: Any
    labels: Any
    tasks: Any

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    def subset(self, index: Any) -> Encoded:
        return Encoded(self.input_ids[index], self.attention_mask[index], self.labels[index], self.tasks[index])

    def to_state(self) -> dict[str, Any]:
        return {"input_ids": self.input_ids, "attention_mask": self.attention_mask, "labels": self.labels, "tasks": self.tasks}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Encoded:
        return cls(state["input_ids"], state["attention_mask"], state["labels"], state["tasks"])


def encode(examples: Sequence[Example], tokenizer: Any, max_length: int) -> Encoded:
    enc = tokenizer(
        [e.text for e in examples],
        padding="max_length",
        truncation=True,
        max_length=max_length,
        return_tensors="pt",
    )
    return Encoded(
        input_ids=enc["input_ids"],
        attention_mask=enc["attention_mask"],
        labels=torch.tensor([e.label for e in examples], dtype=torch.long),
        tasks=torch.tensor([e.task for e in examples], dtype=torch.long),
    )


def empty_like(max_length: int) -> Encoded:
    z = torch.zeros((0, max_length), dtype=torch.long)
    e = torch.zeros((0,), dtype=torch.long)
    return Encoded(z, z.clone(), e, e.clone())


def concat(parts: Sequence[Encoded]) -> Encoded:
    return Encoded(
        torch.cat([p.input_ids for p in parts]),
        torch.cat([p.attention_mask for p in parts]),
        torch.cat([p.labels for p in parts]),
        torch.cat([p.tasks for p in parts]),
    )


def make_batch(enc: Encoded, index: Any, device: Any = "cpu") -> Batch:
    """Rows ``index`` of ``enc`` as a batch dict, trimmed to the longest row."""
    mask = enc.attention_mask[index]
    width = max(int(mask.sum(1).max()), 1) if len(mask) else 1
    return {
        "input_ids": enc.input_ids[index][:, :width].to(device),
        "attention_mask": mask[:, :width].to(device),
        "labels": enc.labels[index].to(device),
        "tasks": enc.tasks[index].to(device),
    }


def merge_batches(a: Batch, b: Batch) -> Batch:
    """Concatenate two batches (e.g. current + replayed), padding to the wider one."""
    width = max(a["input_ids"].shape[1], b["input_ids"].shape[1])

    def pad(x: Any) -> Any:
        return torch.nn.functional.pad(x, (0, width - x.shape[1]))

    return {
        "input_ids": torch.cat([pad(a["input_ids"]), pad(b["input_ids"])]),
        "attention_mask": torch.cat([pad(a["attention_mask"]), pad(b["attention_mask"])]),
        "labels": torch.cat([a["labels"], b["labels"]]),
        "tasks": torch.cat([a["tasks"], b["tasks"]]),
    }


def iterate(enc: Encoded, batch_size: int, *, shuffle: bool, generator: Any = None, device: Any = "cpu") -> Iterator[Batch]:
    n = len(enc)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        yield make_batch(enc, order[start : start + batch_size], device)


def num_batches(enc: Encoded, batch_size: int) -> int:
    return (len(enc) + batch_size - 1) // batch_size
