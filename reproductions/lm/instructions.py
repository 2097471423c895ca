"""Instruction-tuning streams: tasks of (prompt, response, accepted answers), pure Python.

The generative counterpart of :mod:`reproductions.streams`: a task is an
instruction kind with its own output format and scoring rule
(:mod:`reproductions.lm.scoring`), and a stream is an ordered list of tasks
plus a general-ability probe that no task trains. No torch here, so the
benchmark logic is tested quickly and exactly.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InstructionExample:
    """One instruction: the user ``prompt``, the training ``response`` and every answer that scores.

    ``key`` is the lemma the example is about; train and test are split on it
    so that no test word is ever a training word (of any task).
    """

    prompt: str
    response: str
    accepted: tuple[str, ...]
    key: str


@dataclass
class InstructionTask:
    """One task of the stream: its instruction kind, scoring rule, decoding budget and data."""

    name: str
    description: str
    scoring: str
    max_new_tokens: int
    train: list[InstructionExample]
    test: list[InstructionExample]


@dataclass
class Probe:
    """A general-ability probe: questions of a kind no task trains, scored before and after every stage."""

    name: str
    description: str
    scoring: str
    max_new_tokens: int
    examples: list[InstructionExample]


@dataclass
class InstructionStream:
    """An ordered sequence of instruction tasks (task identity is in the prompt: TIL) plus its probe."""

    tasks: list[InstructionTask]
    probe: Probe
    scenario: str = "TIL"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def task_names(self) -> list[str]:
        return [t.name for t in self.tasks]


def held_out(key: str, share: int = 4) -> bool:
    """Whether lemma ``key`` belongs to the test side (1 in ``share``), by a stable hash, for every task alike."""
    return int(hashlib.sha1(key.lower().encode("utf-8")).hexdigest(), 16) % share == 0


def split_sample(pool: list[InstructionExample], n_train: int, n_test: int, seed: int, name: str) -> tuple[list[InstructionExample], list[InstructionExample]]:
    """Seeded training sample and a fixed (seed-independent) test sample, disjoint by ``key``.

    The test sample does not depend on the seed, so every seed is scored on
    the same questions and seed spread reflects training only.
    """
    pool = sorted(pool, key=lambda e: (e.key, e.prompt))
    train_pool = [e for e in pool if not held_out(e.key)]
    test_pool = [e for e in pool if held_out(e.key)]
    if len(train_pool) < n_train or len(test_pool) < n_test:
        raise ValueError(f"task {name}: {len(train_pool)} training and {len(test_pool)} test candidates, {n_train} and {n_test} needed")
    train = random.Random(f"{name}:train:{seed}").sample(train_pool, n_train)
    test = random.Random(f"{name}:test").sample(test_pool, n_test)
    return train, test
