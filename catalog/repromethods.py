"""The reproduction methods as data: ``data/reproductions/methods.yaml``.

Why a data file: the catalog is the bottom layer and must not import
``reproductions`` (which needs torch), yet pages, links and the build need to
know which methods exist, what they stand for, where they run and which
papers they reproduce. The harness's registry stays the source of truth; a
test (``tests/reproductions/test_repro_methods_file.py``) keeps this file equal to it, so
the catalog reads the same facts without importing the harness.

A method is named by a reference ``kind/id`` (``classify/olora``,
``generate/olora``): the same id exists in both kinds, and the benchmark
decides which one runs. :func:`parse_ref` is the one place that reads such a
reference.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import Field

from catalog.schema import ID_RE, NonEmpty, Strict

Kind = Literal["classify", "generate"]
KINDS: tuple[str, ...] = ("classify", "generate")
Scenario = Literal["TIL", "CIL", "DIL", "HTB", "BTB"]
MethodId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
BenchId = Annotated[str, Field(pattern=ID_RE.pattern)]


class BackboneInfo(Strict):
    """A backbone the harness runs: how pages name it and what a reader must know about its weights."""

    label: NonEmpty
    note: NonEmpty


class BenchmarkInfo(Strict):
    """A benchmark of the harness: its kind decides which methods run on it."""

    id: BenchId
    kind: Kind
    scenario: Scenario
    description: NonEmpty


class MethodInfo(Strict):
    """One registered method (one class of ``reproductions``), with what it stands for."""

    kind: Kind
    id: MethodId
    label: NonEmpty
    approach: NonEmpty
    benchmarks: list[BenchId] = Field(min_length=1)
    backbone: NonEmpty
    papers: list[str] = Field(default_factory=list)  # exactly the class's ``papers`` attribute
    names: list[NonEmpty] = Field(default_factory=list)  # how tables print it as a baseline

    @property
    def ref(self) -> str:
        return f"{self.kind}/{self.id}"


class MethodsHead(Strict):
    """The file's top level, sections validated one entry at a time by the loader."""

    profile: NonEmpty
    seeds: list[int] = Field(min_length=1)


@dataclass
class MethodCatalog:
    """The validated contents of methods.yaml, indexed for look-ups."""

    profile: str
    seeds: list[int]
    backbones: dict[str, BackboneInfo] = field(default_factory=dict)
    benchmarks: dict[str, BenchmarkInfo] = field(default_factory=dict)
    methods: dict[str, MethodInfo] = field(default_factory=dict)  # by ref, in file order
    positions: dict[str, int] = field(default_factory=dict)  # ref -> index in the file's list (for line numbers)

    def get(self, ref: str) -> MethodInfo | None:
        return self.methods.get(ref)

    def on_benchmark(self, benchmark: str) -> list[MethodInfo]:
        """The methods that run on ``benchmark``, in file order."""
        return [m for m in self.methods.values() if benchmark in m.benchmarks]

    def method_of_run(self, method: str, benchmark: str) -> MethodInfo | None:
        """The method a result file (``method``, ``benchmark``) belongs to: the benchmark's kind decides."""
        bench = self.benchmarks.get(benchmark)
        m = self.methods.get(f"{bench.kind}/{method}") if bench else None
        return m if m is not None and benchmark in m.benchmarks else None

    def reproducing(self, paper: str) -> list[MethodInfo]:
        """The methods whose ``papers`` list ``paper`` (its exact reproductions)."""
        return [m for m in self.methods.values() if paper in m.papers]


def parse_ref(ref: str, methods: MethodCatalog) -> tuple[MethodInfo | None, str | None, str | None]:
    """``(method, message, hint)`` for a ``kind/id`` reference: the method, or why it names none."""
    kind, sep, mid = ref.partition("/")
    if not sep or not kind or not mid:
        return None, f"{ref!r} is not a method reference", "write kind/id, e.g. classify/olora or generate/seqlora"
    if kind not in KINDS:
        near = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.5)
        return None, f"unknown method kind {kind!r} in {ref!r}; kinds: {', '.join(KINDS)}", (f"did you mean {near[0]!r}?" if near else None)
    found = methods.methods.get(ref)
    if found is None:
        ids = sorted(m.id for m in methods.methods.values() if m.kind == kind)
        near = difflib.get_close_matches(mid, ids, n=1, cutoff=0.6)
        return None, f"unknown {kind} method {mid!r}; known: {', '.join(ids)}", (f"did you mean {kind}/{near[0]}?" if near else None)
    return found, None, None


def catalog_problems(methods: MethodCatalog, paper_kinds: Mapping[str, str]) -> list[tuple[tuple, str, str, str | None]]:
    """``(loc, entry, message, hint)`` for every cross-reference of methods.yaml that does not resolve."""
    out: list[tuple[tuple, str, str, str | None]] = []
    for m in methods.methods.values():
        i = methods.positions.get(m.ref, 0)
        if m.backbone not in methods.backbones:
            out.append((("methods", i, "backbone"), m.ref, f"unknown backbone {m.backbone!r}; known: {', '.join(methods.backbones)}", None))
        for j, b in enumerate(m.benchmarks):
            bench = methods.benchmarks.get(b)
            if bench is None:
                out.append((("methods", i, "benchmarks", j), m.ref, f"unknown benchmark {b!r}; known: {', '.join(methods.benchmarks)}", None))
            elif bench.kind != m.kind:
                out.append((("methods", i, "benchmarks", j), m.ref, f"benchmark {b!r} is a {bench.kind} benchmark; a {m.kind} method cannot run on it", None))
        for j, key in enumerate(m.papers):
            if key not in paper_kinds:
                out.append((("methods", i, "papers", j), m.ref, f"unknown paper {key!r}", None))
            elif paper_kinds[key] != "method":
                out.append(
                    (("methods", i, "papers", j), m.ref, f"paper {key!r} is a {paper_kinds[key]}, not a method: a method reproduces method papers", None)
                )
    return out
