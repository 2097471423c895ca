"""The registry of paper-list export formats: each format registers where its writer is defined.

Why a registry: ``clatlas export --format``, the web app's
``/export/papers.<suffix>`` routes and their media types all come from this
one table, so a new format is one decorated function (plus its import in
:mod:`catalog.export`, which loads every writer) and shows up everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from catalog.read import Paper
    from catalog.taxonomy import Taxonomy

Writer = Callable[["list[Paper]", "Taxonomy"], str]
W = TypeVar("W", bound=Callable[..., Any])


@dataclass(frozen=True)
class ExportFormat:
    """One export: its ``--format`` name, file suffix, media type, writer, and whether the web app serves it."""

    name: str
    suffix: str
    media_type: str
    write: Writer
    web: bool = True  # served at /export/papers.<suffix> with the list page's filters
    description: str = ""


EXPORT_FORMATS: dict[str, ExportFormat] = {}


def export_format(name: str, suffix: str, media_type: str, web: bool = True, description: str = "") -> Callable[[W], W]:
    """Register the decorated writer ``(papers, taxonomy) -> text`` as export format ``name``."""

    def deco(fn: W) -> W:
        if name in EXPORT_FORMATS:
            raise ValueError(f"export format {name!r} registered twice")
        EXPORT_FORMATS[name] = ExportFormat(name, suffix, media_type, fn, web, description or (fn.__doc__ or "").strip().splitlines()[0])
        return fn

    return deco


def web_formats() -> list[ExportFormat]:
    """The formats the web app serves, in registration order."""
    return [f for f in EXPORT_FORMATS.values() if f.web]
