"""The entry schema: papers, placements, reported results, datasets, metrics.

Models are strict and forbid unknown fields, because in hand-edited YAML an
unknown field is almost always a typo and a quoted year is almost always a
mistake. Taxonomy values are checked against :mod:`catalog.taxonomy`, passed
in through the validation context so that tests can use their own taxonomy.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from catalog.taxonomy import Taxonomy, load_taxonomy, unknown_value_message

DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV_RE = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})$")
ACL_RE = re.compile(r"^([A-Z]\d{2}-\d{4}|\d{4}\.[a-z0-9\-]+\.\d+)$")
KEY_RE = re.compile(r"^[a-z][a-z0-9]*$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-]*$")
URL_RE = re.compile(r"^https?://\S+$")

PaperKind = Literal["method", "benchmark", "study", "survey", "tool"]
DatasetKind = Literal["dataset", "benchmark"]

NonEmpty = Annotated[str, Field(min_length=1)]
Url = Annotated[str, Field(pattern=URL_RE.pattern)]


class Strict(BaseModel):
    """Base for every data model: strict types, unknown fields rejected."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _taxonomy(info: ValidationInfo) -> Taxonomy:
    ctx = info.context or {}
    return ctx.get("taxonomy") or load_taxonomy()


def _check_axis(axis: str, value: str, info: ValidationInfo) -> str:
    allowed = _taxonomy(info).allowed(axis)
    if value not in allowed:
        msg, hint = unknown_value_message(axis, value, allowed)
        raise PydanticCustomError("taxonomy", msg + (f"; {hint}" if hint else ""))
    return value


class Placement(Strict):
    """One path ``setting → increment → family → technique`` in the survey's taxonomy."""

    setting: str
    increment: str
    family: str
    technique: str
    technique_source: Literal["survey", "curated"] = "survey"
    approach: str | None = None

    @field_validator("setting", "family", "technique")
    @classmethod
    def _on_axis(cls, v: str, info: ValidationInfo) -> str:
        return _check_axis(info.field_name or "", v, info)

    @field_validator("increment")
    @classmethod
    def _increment_in_setting(cls, v: str, info: ValidationInfo) -> str:
        _check_axis("increment", v, info)
        setting = info.data.get("setting")
        tax = _taxonomy(info)
        if setting and tax.setting_of(v) != setting:
            raise PydanticCustomError(
                "taxonomy",
                f"increment {v!r} does not belong to setting {setting!r}; {setting} allows: {', '.join(tax.increments_of(setting))}",
            )
        return v

    @field_validator("approach")
    @classmethod
    def _known_approach(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        allowed = list(_taxonomy(info).approaches)
        if v not in allowed:
            msg, hint = unknown_value_message("approach", v, allowed)
            raise PydanticCustomError("taxonomy", msg + (f"; {hint}" if hint else ""))
        return v


class SurveyInfo(Strict):
    """What the survey (Yang et al. 2025) itself says about a paper."""

    acronym: str | None = None
    fig2_ref: int | None = None
    in_fig2: bool = False
    in_companion_list: bool = False
    group: str | None = None


Provenance = Literal["paper-text", "extracted", "secondary"]
"""How a reported number was checked: read in the paper's own text or HTML
(``paper-text``), taken from a table extraction (``extracted``), or read in a
reprint elsewhere (``secondary``). Only ``paper-text`` counts as verified."""


class ResultSource(Strict):
    """Another place that prints the same number (a reprint in another table or paper)."""

    paper: str | None = None  # catalog key of the reprinting paper, if in the catalog
    table: NonEmpty
    url: Url | None = None


class ReportedResult(Strict):
    """One number a paper prints, with the protocol and table it comes from."""

    benchmark: NonEmpty
    task_order: str | None = None
    num_tasks: int | None = Field(default=None, ge=1)
    shots: int | None = Field(default=None, ge=1)
    backbone: NonEmpty
    method: NonEmpty
    method_paper: str | None = None
    native: bool
    metric: NonEmpty
    value: float = Field(strict=False)
    table: NonEmpty
    note: str | None = None
    provenance: Provenance
    reference: bool = False  # a non-continual reference row (multitask, per-task, single-task upper bound)
    also_in: list[ResultSource] = Field(default_factory=list)
    seeds: int | None = Field(default=None, ge=1)  # runs averaged, when the paper says
    hardware: str | None = None
    batch_size: int | None = Field(default=None, ge=1)  # effective batch size, when the paper says


YEAR_MONTH_RE = re.compile(r"^(19|20)\d\d-(0[1-9]|1[0-2])$")


class Alias(Strict):
    """Another title or arXiv id under which the same paper circulates (e.g. an earlier preprint)."""

    title: str | None = None
    arxiv: Annotated[str, Field(pattern=ARXIV_RE.pattern)] | None = None
    note: str | None = None


class Paper(Strict):
    """A paper entry (``data/papers/<key>.yaml``): bibliography, placements, content."""

    title: NonEmpty
    year: int = Field(ge=1950, le=2100)
    venue: NonEmpty
    kind: PaperKind = "method"
    doi: Annotated[str, Field(pattern=DOI_RE.pattern)] | None = None
    arxiv: Annotated[str, Field(pattern=ARXIV_RE.pattern)] | None = None
    acl_anthology: Annotated[str, Field(pattern=ACL_RE.pattern)] | None = None
    openreview: Annotated[str, Field(pattern=r"^[A-Za-z0-9_\-]{6,}$")] | None = None
    first_public: Annotated[str, Field(pattern=YEAR_MONTH_RE.pattern)] | None = None  # YYYY-MM of the first preprint
    aliases: list[Alias] = Field(default_factory=list)
    url: Url | None = None
    code_url: Url | None = None
    sources: list[Url] = Field(min_length=1)
    survey: SurveyInfo | None = None
    placements: list[Placement] = Field(default_factory=list)
    summary: NonEmpty
    datasets: list[str] = Field(default_factory=list)
    results: list[ReportedResult] = Field(default_factory=list)
    bibtex: NonEmpty


class TableRow(Strict):
    """One row of the survey's Table 1 (dataset statistics), as printed."""

    survey_ref: int | None = None
    train: int | None = None
    val: int | None = None
    test: int | None = None
    total: int | None = None
    cl_settings: list[str] = Field(default_factory=list)
    setting: Literal["offline", "online"]
    nlp_problems: list[str] = Field(default_factory=list)
    language: str | None = None
    units: dict[str, int | str | None] | None = None
    note: str | None = None

    @field_validator("cl_settings")
    @classmethod
    def _increments(cls, v: list[str], info: ValidationInfo) -> list[str]:
        for item in v:
            _check_axis("increment", item, info)
        return v


class TaskOrder(Strict):
    """One task sequence of a benchmark: its canonical id and the other names papers print for it."""

    id: NonEmpty
    aliases: list[NonEmpty] = Field(default_factory=list)


class OrderGroup(Strict):
    """Task orders that are run under one protocol and averaged together (one leaderboard's columns)."""

    id: Annotated[str, Field(pattern=ID_RE.pattern)]  # slug used in leaderboard ids, e.g. orders-1-3
    label: NonEmpty  # shown to readers, e.g. "orders 1-3"
    num_tasks: int | None = Field(default=None, ge=1)
    orders: list[TaskOrder] = Field(min_length=1)


class Dataset(Strict):
    """A dataset or a benchmark (a fixed composition of datasets/tasks)."""

    name: NonEmpty
    kind: DatasetKind = "dataset"
    description: NonEmpty
    url: Url | None = None
    paper: str | None = None
    members: list[str] = Field(default_factory=list)
    sources: list[Url] = Field(default_factory=list)
    survey_table1: list[TableRow] = Field(default_factory=list)
    task_orders: list[OrderGroup] = Field(default_factory=list)  # see catalog.orders


class Metric(Strict):
    """A CL metric of the survey's §7 (computed by :mod:`catalog.metrics`)."""

    id: NonEmpty
    name: NonEmpty
    formula: NonEmpty
    direction: Literal["higher", "lower"]
    unit: NonEmpty
    description: NonEmpty
    reported_only: bool = False  # true: papers report it but catalog.metrics does not compute it
