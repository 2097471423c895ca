"""Continual-learning streams built from plain labelled records.

A benchmark yields :class:`Record` objects (text, label, task); this module
turns them into the scenarios of DESIGN.md §1: offline TIL / CIL / DIL and
online streams with hard (HTB) or blurry (BTB) task boundaries. It is pure
Python (no torch) so stream logic is tested quickly and exactly, and every
choice (task order, label space, mixing) is explicit and seeded.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

OFFLINE_SCENARIOS: tuple[str, ...] = ("TIL", "CIL", "DIL")
ONLINE_SCENARIOS: tuple[str, ...] = ("HTB", "BTB")
SCENARIOS: tuple[str, ...] = OFFLINE_SCENARIOS + ONLINE_SCENARIOS


@dataclass(frozen=True)
class Record:
    """One labelled text from a source dataset; ``task`` names the task (or domain) it belongs to."""

    text: str
    label: str
    task: str
    domain: str | None = None


@dataclass(frozen=True)
class Example:
    """A record placed in a stream: label index in the stream's output space, and its task index."""

    text: str
    label: int
    task: int


@dataclass
class TaskSplit:
    """One task of a stream: its classes (global label indices) and its train/test examples."""

    name: str
    classes: list[int]
    train: list[Example]
    test: list[Example]


@dataclass
class Stream:
    """A sequence of tasks plus everything an evaluator needs to score it.

    ``scenario`` decides evaluation: TIL masks logits to the task's classes
    (task id known at test time), the others predict over the full output
    space. ``boundaries_known`` is False only for blurry online streams: the
    evaluator still scores after each segment, but methods must not rely on
    the boundaries.
    """

    scenario: str
    label_names: list[str]
    tasks: list[TaskSplit]
    online: bool = False
    boundaries_known: bool = True
    info: dict[str, object] = field(default_factory=dict)

    @property
    def task_names(self) -> list[str]:
        return [t.name for t in self.tasks]

    @property
    def num_classes(self) -> int:
        return len(self.label_names)


class StreamError(ValueError):
    """The records or options cannot form the requested stream."""


def _group(records: Iterable[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for r in records:
        out.setdefault(r.task, []).append(r)
    return out


def build_offline(
    train: Sequence[Record],
    test: Sequence[Record],
    task_order: Sequence[str],
    scenario: str,
) -> Stream:
    """Build an offline TIL, CIL or DIL stream with tasks in exactly ``task_order``.

    The output space is the union of labels in order of first appearance along
    the task order, so a label shared by two tasks (Yelp and Amazon stars, or
    DIL's common classes) maps to one output. TIL and CIL share this space and
    differ only at evaluation (task-id masking); DIL expects every task to use
    the same labels and rejects records that break that.
    """
    if scenario not in OFFLINE_SCENARIOS:
        raise StreamError(f"unknown offline scenario {scenario!r}; valid: {', '.join(OFFLINE_SCENARIOS)}")
    if len(set(task_order)) != len(task_order):
        raise StreamError(f"task order repeats a task: {list(task_order)}")
    tr, te = _group(train), _group(test)
    missing = [t for t in task_order if t not in tr or t not in te]
    if missing:
        raise StreamError(f"no train or test records for task(s) {missing}")
    label_names: list[str] = []
    index: dict[str, int] = {}
    for name in task_order:
        for r in tr[name]:
            if r.label not in index:
                index[r.label] = len(label_names)
                label_names.append(r.label)
    tasks: list[TaskSplit] = []
    for t, name in enumerate(task_order):
        classes = sorted({index[r.label] for r in tr[name]})
        unknown = {r.label for r in te[name]} - {label_names[c] for c in classes}
        if unknown:
            raise StreamError(f"test labels {sorted(unknown)} of task {name!r} do not occur in its training data")
        tasks.append(
            TaskSplit(
                name=name,
                classes=classes,
                train=[Example(r.text, index[r.label], t) for r in tr[name]],
                test=[Example(r.text, index[r.label], t) for r in te[name]],
            )
        )
    if scenario == "DIL":
        first = set(tasks[0].classes)
        for task in tasks[1:]:
            if set(task.classes) != first:
                raise StreamError(f"DIL needs the same labels in every task; {task.name!r} has {sorted(label_names[c] for c in task.classes)}")
    return Stream(scenario=scenario, label_names=label_names, tasks=tasks)


def build_online(offline: Stream, boundary: str, blurry_share: float = 0.0, seed: int = 0) -> Stream:
    """Turn an offline stream into an online one with hard or blurry task boundaries.

    ``hard``: segments are the tasks' training sets, shuffled within a task.
    ``blurry``: from each task, ``round(blurry_share * n)`` training examples
    (chosen with ``seed``) move into a neighbouring task's segment (the
    previous or next one, at random; the edge tasks have one neighbour), and
    each segment is shuffled, so classes leak across boundaries as in
    blurry-boundary benchmarks. Test sets stay per task. The output space
    and prediction are class-incremental (no task id at test time).
    """
    if boundary not in ("hard", "blurry"):
        raise StreamError(f"unknown boundary {boundary!r}; valid: hard, blurry")
    if not 0.0 <= blurry_share <= 1.0:
        raise StreamError(f"blurry_share must be within [0, 1], got {blurry_share}")
    if boundary == "hard" and blurry_share:
        raise StreamError("blurry_share only applies to blurry boundaries")
    rng = random.Random(f"online:{seed}")
    n = len(offline.tasks)
    segments: list[list[Example]] = [list(t.train) for t in offline.tasks]
    if boundary == "blurry" and n > 1:
        kept: list[list[Example]] = []
        moved: list[list[Example]] = [[] for _ in range(n)]
        for t, seg in enumerate(segments):
            order = list(range(len(seg)))
            rng.shuffle(order)
            k = round(blurry_share * len(seg))
            out_idx = set(order[:k])
            kept.append([e for i, e in enumerate(seg) if i not in out_idx])
            for i in sorted(out_idx):
                nb = t + 1 if t == 0 else t - 1 if t == n - 1 else t + rng.choice((-1, 1))
                moved[nb].append(seg[i])
        segments = [kept[t] + moved[t] for t in range(n)]
    for seg in segments:
        rng.shuffle(seg)
    tasks = [TaskSplit(name=t.name, classes=list(t.classes), train=segments[i], test=list(t.test)) for i, t in enumerate(offline.tasks)]
    return Stream(
        scenario="HTB" if boundary == "hard" else "BTB",
        label_names=list(offline.label_names),
        tasks=tasks,
        online=True,
        boundaries_known=boundary == "hard",
        info={**offline.info, "boundary": boundary, "blurry_share": blurry_share},
    )


def sample_per_class(records: Sequence[Record], per_class: int, seed: int | str, *, skip: int = 0) -> list[Record]:
    """Deterministically take ``per_class`` records of each label (after skipping ``skip``).

    Each label's records are shuffled with a generator seeded by ``seed`` and
    the label, so adding a class never changes another class's sample. Raises
    when a class has too few records rather than silently unbalancing tasks.
    """
    by_label: dict[str, list[Record]] = {}
    for r in records:
        by_label.setdefault(r.label, []).append(r)
    out: list[Record] = []
    for label in sorted(by_label):
        pool = list(by_label[label])
        random.Random(f"{seed}:{label}").shuffle(pool)
        if len(pool) < skip + per_class:
            raise StreamError(f"label {label!r} has {len(pool)} records; {skip + per_class} needed")
        out.extend(pool[skip : skip + per_class])
    return out
