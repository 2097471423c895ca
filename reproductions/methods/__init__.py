"""Method registry: (kind, name) -> Method class, filled by the :func:`register` decorator.

Each method lives in its own module and registers itself on import, as in
PEFT and Avalanche. Methods come in two kinds, matching the benchmark kinds:
``classify`` methods (this package: an encoder with a head) and ``generate``
methods (``reproductions.lm.methods``: a causal chat LM). The same name may
exist in both kinds (``seqlora`` on ``wordnet-5x4`` and on
``wordnet-instruct``): the benchmark decides which one runs.

Discovery scans both packages for modules (names starting with ``_`` and
``base`` are helpers), so adding a method is one new file with ``@register``.
Loading is lazy so that ``clatlas repro list`` fails with an install hint,
not an ImportError, when torch is missing.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, TypeVar

from reproductions.deps import MissingDependencyError, missing_from

KINDS: tuple[str, ...] = ("classify", "generate")
PACKAGES: dict[str, str] = {"classify": "reproductions.methods", "generate": "reproductions.lm.methods"}
REGISTRY: dict[str, dict[str, Any]] = {kind: {} for kind in KINDS}

M = TypeVar("M", bound=type)


class UnknownMethodError(KeyError):
    """A method name that is not registered; the message lists the valid ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def register(cls: M) -> M:
    """Class decorator: add a method class to the registry of its ``kind`` under ``cls.name``."""
    name = getattr(cls, "name", "")
    kind = getattr(cls, "kind", "classify")
    if not name:
        raise ValueError(f"{cls.__name__} has no name")
    if kind not in REGISTRY:
        raise ValueError(f"{cls.__name__} has unknown kind {kind!r}; valid: {', '.join(KINDS)}")
    if name in REGISTRY[kind] and REGISTRY[kind][name] is not cls:
        raise ValueError(f"method {name!r} registered twice ({REGISTRY[kind][name].__name__}, {cls.__name__})")
    REGISTRY[kind][name] = cls
    return cls


def module_names(kind: str) -> list[str]:
    """The method modules of ``kind``'s package, found by scanning it (helpers excluded)."""
    pkg = importlib.import_module(PACKAGES[kind])
    return sorted(f"{PACKAGES[kind]}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_") and m.name != "base")


def _load(kind: str) -> None:
    for mod in module_names(kind):
        try:
            importlib.import_module(mod)
        except ImportError as exc:
            raise missing_from(exc) from exc


def all_methods(kind: str = "classify") -> dict[str, Any]:
    _load(kind)
    return dict(REGISTRY[kind])


def get_method(name: str, kind: str = "classify") -> Any:
    _load(kind)
    if name not in REGISTRY[kind]:
        raise UnknownMethodError(f"unknown method {name!r} for {kind} benchmarks; valid methods: {', '.join(sorted(REGISTRY[kind]))}")
    return REGISTRY[kind][name]


__all__ = ["KINDS", "REGISTRY", "MissingDependencyError", "UnknownMethodError", "all_methods", "get_method", "register"]
