"""Method registry: name -> Method subclass, filled by the :func:`register` decorator.

Each method lives in its own module and registers itself on import.
:func:`all_methods` imports the built-in modules lazily, so the registry (and
``clatlas repro list``) fails with an install hint, not an ImportError, when
torch is missing. A later method module only needs ``@register`` and an
entry in ``BUILTIN_MODULES``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, TypeVar

from reproductions.deps import MissingDependencyError, missing_from

if TYPE_CHECKING:
    from reproductions.methods.base import Method

BUILTIN_MODULES: tuple[str, ...] = (
    "seqft", "seqlora", "replay", "ewc", "lwf", "pertask", "mtl",
    "inclora", "olora", "l2p", "progprompt", "adaptercl", "mbpapp", "online_er",
)
REGISTRY: dict[str, type[Method]] = {}

M = TypeVar("M", bound="type[Method]")


class UnknownMethodError(KeyError):
    """A method name that is not registered; the message lists the valid ones."""

    def __str__(self) -> str:
        return str(self.args[0])


def register(cls: M) -> M:
    """Class decorator: add a Method subclass to the registry under ``cls.name``."""
    name = getattr(cls, "name", "")
    if not name:
        raise ValueError(f"{cls.__name__} has no name")
    if name in REGISTRY and REGISTRY[name] is not cls:
        raise ValueError(f"method {name!r} registered twice ({REGISTRY[name].__name__}, {cls.__name__})")
    REGISTRY[name] = cls
    return cls


def _load_builtin() -> None:
    for mod in BUILTIN_MODULES:
        try:
            importlib.import_module(f"reproductions.methods.{mod}")
        except ImportError as exc:
            raise missing_from(exc) from exc


def all_methods() -> dict[str, type[Method]]:
    _load_builtin()
    return dict(REGISTRY)


def get_method(name: str) -> type[Method]:
    _load_builtin()
    if name not in REGISTRY:
        raise UnknownMethodError(f"unknown method {name!r}; valid methods: {', '.join(sorted(REGISTRY))}")
    return REGISTRY[name]


__all__ = ["REGISTRY", "MissingDependencyError", "UnknownMethodError", "all_methods", "get_method", "register"]
