"""The survey's taxonomy, read from ``data/taxonomy.yaml``.

This is the only place that knows the allowed values of the four axes and
which increment types belong to which setting; the schema, the build, the
web facets and the exports all ask this module. The build stores the
taxonomy in the database (``taxonomy_value``); :func:`taxonomy_from_db`
reads it back, so the web app and the exports see the taxonomy the data
were built with.
"""

from __future__ import annotations

import difflib
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from catalog.paths import data_dir

AXES: tuple[str, ...] = ("setting", "increment", "family", "technique")


@dataclass(frozen=True)
class AxisValue:
    """One allowed value of an axis, with the words the web pages show."""

    axis: str
    value: str
    label: str
    description: str
    setting: str | None = None  # only for increment values: the setting they belong to
    extension: bool = False  # True: added by CL Atlas beyond the survey's taxonomy
    rationale: str | None = None  # why an extension value was needed (shown on the site)


@dataclass(frozen=True)
class Taxonomy:
    """All axes, their values in file order, and the traditional sub-techniques."""

    axis_labels: dict[str, str]
    values: dict[str, list[AxisValue]]
    approaches: dict[str, str] = field(default_factory=dict)

    def allowed(self, axis: str) -> list[str]:
        return [v.value for v in self.values[axis]]

    def get(self, axis: str, value: str) -> AxisValue | None:
        return next((v for v in self.values.get(axis, []) if v.value == value), None)

    def increments_of(self, setting: str) -> list[str]:
        return [v.value for v in self.values["increment"] if v.setting == setting]

    def setting_of(self, increment: str) -> str | None:
        v = self.get("increment", increment)
        return v.setting if v else None


def suggest(value: str, allowed: list[str]) -> str | None:
    """The allowed value nearest to a misspelt one, ignoring case, or ``None``."""
    lowered = {a.lower(): a for a in allowed}
    if value.lower() in lowered:
        return lowered[value.lower()]
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None


def unknown_value_message(axis: str, value: object, allowed: list[str]) -> tuple[str, str | None]:
    """Message and hint for a value outside the taxonomy (shared by every checker)."""
    msg = f"{value!r} is not an allowed {axis}; allowed: {', '.join(allowed)}"
    near = suggest(str(value), allowed) if isinstance(value, str) else None
    return msg, (f"did you mean {near!r}?" if near else None)


def parse_taxonomy(raw: dict) -> Taxonomy:
    """Build a :class:`Taxonomy` from the YAML mapping (kept separate for tests)."""
    labels: dict[str, str] = {}
    values: dict[str, list[AxisValue]] = {}
    for axis in AXES:
        spec = raw["axes"][axis]
        labels[axis] = spec["label"]
        values[axis] = [
            AxisValue(
                axis,
                key,
                v["label"],
                v["description"],
                v.get("setting"),
                bool(v.get("extension", False)),
                v.get("rationale"),
            )
            for key, v in spec["values"].items()
        ]
    return Taxonomy(labels, values, dict(raw.get("approaches") or {}))


@lru_cache(maxsize=8)
def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and cache the taxonomy file (``data/taxonomy.yaml`` by default)."""
    path = path or data_dir() / "taxonomy.yaml"
    with open(path, encoding="utf-8") as fh:
        return parse_taxonomy(yaml.safe_load(fh))


AXIS_LABELS = {"setting": "Setting", "increment": "Increment type", "family": "Model family", "technique": "Technique"}


def taxonomy_from_db(con: sqlite3.Connection) -> Taxonomy:
    """The taxonomy as the build stored it (``taxonomy_value``, in file order), extensions included."""
    values: dict[str, list[AxisValue]] = {a: [] for a in AXES}
    rows = con.execute("SELECT axis, value, label, description, setting, extension, rationale FROM taxonomy_value ORDER BY axis, position")
    for axis, value, label, description, setting, extension, rationale in rows:
        if axis in values:
            values[axis].append(AxisValue(axis, value, label, description, setting, bool(extension), rationale))
    return Taxonomy(dict(AXIS_LABELS), values)
