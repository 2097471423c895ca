"""Benchmark registry: name -> how to build its stream for a profile and seed.

Benchmarks register themselves with :func:`register_benchmark` where they
are defined, one module of this package per family (``wordnet``,
``standard_cl``, ``wordnet_instruct``, ``domains_cpt``); :func:`get_benchmark`
imports every module it finds by scanning the package (as the method registry
does), so a name is valid exactly when ``clatlas repro list`` shows it, and a
new benchmark family is one new module here.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# (profile, seed, options) -> stream. The types go with the kind: a classify benchmark takes a
# reproductions.profiles.Profile and returns a reproductions.streams.Stream; a generate benchmark takes an
# LMProfile and returns an InstructionStream, or a CPTProfile and a TextStream (evaluation: perplexity).
BuildFn = Callable[[Any, int, dict[str, Any]], Any]


@dataclass(frozen=True)
class BenchmarkSpec:
    """A named benchmark: its scenario, a one-line description and its stream builder.

    ``options`` are the tunable knobs it accepts (with defaults), e.g. the
    blurry share of an online stream; they are recorded in each result's config.
    """

    name: str
    scenario: str
    description: str
    build: BuildFn
    options: dict[str, Any] = field(default_factory=dict)
    needs: str | None = None  # what must be available to build it, for `repro list`
    kind: str = "classify"  # classify: encoder + head (reproductions.runner); generate: causal LM (reproductions.lm)
    # accuracy: a score matrix in percent (classification, instruction tasks);
    # perplexity: held-out perplexity per domain (continual pre-training, reproductions.lm.cpt)
    evaluation: str = "accuracy"


BENCHMARKS: dict[str, BenchmarkSpec] = {}
ALIASES: dict[str, str] = {}


class UnknownBenchmarkError(KeyError):
    """A benchmark name that is not registered; the message lists the valid ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def register_benchmark(spec: BenchmarkSpec, aliases: tuple[str, ...] = ()) -> BenchmarkSpec:
    if spec.name in BENCHMARKS:
        raise ValueError(f"benchmark {spec.name!r} registered twice")
    BENCHMARKS[spec.name] = spec
    for a in aliases:
        ALIASES[a] = spec.name
    return spec


def benchmark_modules() -> list[str]:
    """The modules of this package, one per benchmark family, found by scanning it (``_*`` excluded)."""
    return sorted(f"{__name__}.{m.name}" for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


@functools.cache  # scan and import once per process; later lookups read the filled registry
def _load_builtin() -> None:
    for mod in benchmark_modules():  # each registers its benchmarks when imported; none needs torch
        importlib.import_module(mod)


def all_benchmarks() -> dict[str, BenchmarkSpec]:
    _load_builtin()
    return dict(BENCHMARKS)


def get_benchmark(name: str) -> BenchmarkSpec:
    _load_builtin()
    key = ALIASES.get(name, name)
    if key not in BENCHMARKS:
        valid = ", ".join(sorted(BENCHMARKS))
        raise UnknownBenchmarkError(f"unknown benchmark {name!r}; valid benchmarks: {valid}")
    return BENCHMARKS[key]
