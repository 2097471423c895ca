"""EWC's Fisher sample covers every class of a task (the data arrive sorted by label)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from reproductions.methods.ewc import class_balanced  # noqa: E402


def test_fisher_sample_is_class_balanced_on_sorted_labels() -> None:
    labels = torch.tensor([0] * 40 + [1] * 40 + [2] * 40 + [3] * 40)  # sorted, as a task's training set is
    idx = class_balanced(labels, 64, torch.Generator().manual_seed(0))
    assert len(idx) == 64 and len(set(idx.tolist())) == 64
    assert torch.bincount(labels[idx]).tolist() == [16, 16, 16, 16]


def test_small_classes_are_exhausted_then_the_rest_fill_in() -> None:
    labels = torch.tensor([5] * 2 + [7] * 10)
    idx = class_balanced(labels, 8, torch.Generator().manual_seed(1))
    assert torch.bincount(labels[idx], minlength=8)[5] == 2 and len(idx) == 8
    assert len(class_balanced(labels, 100, torch.Generator().manual_seed(1))) == 12
