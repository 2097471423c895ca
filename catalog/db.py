"""The SQLite schema of the built catalog, declared with SQLModel.

The web app and the exports read these tables (read-only); the build is
the only writer. Column names are the contract between the two, so they are
declared once here. Lists that are only ever displayed (sources, problems)
are stored as JSON text; everything that is filtered or joined on has its own
column or link table.
"""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class PaperRow(SQLModel, table=True):
    __tablename__ = "paper"

    key: str = Field(primary_key=True)
    title: str
    year: int = Field(index=True)
    venue: str = Field(index=True)
    kind: str = Field(index=True)
    doi: str | None = None
    arxiv: str | None = None
    acl_anthology: str | None = None
    openreview: str | None = None
    first_public: str | None = None  # YYYY-MM of the first preprint
    aliases_json: str = "[]"  # other titles / arXiv ids: [{"title", "arxiv", "note"}]
    url: str | None = None
    code_url: str | None = None
    summary: str
    bibtex: str
    entry_type: str
    authors: str  # display string "A, B and C"; the link table holds the list
    sources_json: str
    survey_acronym: str | None = None
    survey_fig2_ref: int | None = None
    survey_in_fig2: bool = False
    survey_in_companion_list: bool = False
    survey_group: str | None = None
    in_survey: bool = Field(default=False, index=True)  # the survey (Yang et al.) lists it: its ``survey:`` block is present
    has_code: bool = Field(default=False, index=True)
    has_reproduction: bool = Field(default=False, index=True)
    repro_link: str | None = Field(default=None, index=True)  # exact / family / none (paper_link), None when not linked
    source_path: str


class AuthorRow(SQLModel, table=True):
    __tablename__ = "author"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)


class PaperAuthorRow(SQLModel, table=True):
    __tablename__ = "paper_author"

    paper_key: str = Field(foreign_key="paper.key", primary_key=True)
    position: int = Field(primary_key=True)
    author_id: int = Field(foreign_key="author.id", index=True)


class PlacementRow(SQLModel, table=True):
    __tablename__ = "placement"
    # the full path, for "papers on the same placement" look-ups
    __table_args__ = (Index("ix_placement_path", "setting", "increment", "family", "technique"),)

    id: int | None = Field(default=None, primary_key=True)
    paper_key: str = Field(foreign_key="paper.key", index=True)
    setting: str = Field(index=True)
    increment: str = Field(index=True)
    family: str = Field(index=True)
    technique: str = Field(index=True)
    technique_source: str
    approach: str | None = None


class TaxonomyValueRow(SQLModel, table=True):
    __tablename__ = "taxonomy_value"

    axis: str = Field(primary_key=True)
    value: str = Field(primary_key=True)
    position: int
    label: str
    description: str
    setting: str | None = None
    extension: bool = False  # CL Atlas's own value, beyond the survey's taxonomy
    rationale: str | None = None  # why the extension was needed (shown with it)


class DatasetRow(SQLModel, table=True):
    __tablename__ = "dataset"

    id: str = Field(primary_key=True)
    name: str
    kind: str
    description: str
    url: str | None = None
    paper_key: str | None = Field(default=None, foreign_key="paper.key")
    sources_json: str
    source_path: str


class DatasetTableRow(SQLModel, table=True):
    """A row of the survey's Table 1 about a dataset (a dataset may have two)."""

    __tablename__ = "dataset_table1"

    id: int | None = Field(default=None, primary_key=True)
    dataset_id: str = Field(foreign_key="dataset.id", index=True)
    survey_ref: int | None = None
    train: int | None = None
    val: int | None = None
    test: int | None = None
    total: int | None = None
    cl_settings: str  # comma-separated increment ids
    setting: str
    nlp_problems_json: str
    language: str | None = None
    unit_count: int | None = None
    unit_kind: str | None = None
    note: str | None = None


class DatasetMemberRow(SQLModel, table=True):
    __tablename__ = "dataset_member"

    benchmark_id: str = Field(foreign_key="dataset.id", primary_key=True)
    member_id: str = Field(foreign_key="dataset.id", primary_key=True)
    position: int


class PaperDatasetRow(SQLModel, table=True):
    __tablename__ = "paper_dataset"

    paper_key: str = Field(foreign_key="paper.key", primary_key=True)
    dataset_id: str = Field(foreign_key="dataset.id", primary_key=True, index=True)


class MetricRow(SQLModel, table=True):
    __tablename__ = "metric"

    id: str = Field(primary_key=True)
    name: str
    formula: str
    direction: str
    unit: str
    description: str
    position: int


class LeaderboardRow(SQLModel, table=True):
    """A board: one benchmark under one protocol (order group, shots) and one metric (see ``catalog.boards``)."""

    __tablename__ = "leaderboard"

    id: str = Field(primary_key=True)
    benchmark_id: str = Field(foreign_key="dataset.id", index=True)
    order_group: str | None = None  # declared group id (data/datasets/<id>.yaml task_orders), or None
    order_label: str | None = None
    num_tasks: int | None = None
    shots: int | None = None
    metric_id: str = Field(foreign_key="metric.id", index=True)
    columns_json: str  # the board's columns: canonical orders, "avg", "" (no order)
    rank_by: str  # the column ranks use by default
    position: int


class ResultRow(SQLModel, table=True):
    """A reported number, with its canonical task order and the board it belongs to."""

    __tablename__ = "result"

    id: int | None = Field(default=None, primary_key=True)
    paper_key: str = Field(foreign_key="paper.key", index=True)
    benchmark_id: str = Field(foreign_key="dataset.id", index=True)
    task_order: str | None = None  # canonical (catalog.orders.resolve); "avg" for a printed average
    task_order_printed: str | None = None  # as the paper prints it
    order_group: str | None = None
    num_tasks: int | None = None
    shots: int | None = None
    backbone: str
    backbone_key: str = Field(index=True)
    method: str  # as printed
    method_key: str = Field(index=True)  # identity on the boards (catalog.boards.method_key)
    method_name: str  # one display name per method_key
    method_paper_key: str | None = Field(default=None, foreign_key="paper.key", index=True)
    native: bool
    reference: bool = False
    metric_id: str = Field(foreign_key="metric.id", index=True)
    value: float
    table_ref: str
    note: str | None = None
    provenance: str
    also_in_json: str = "[]"
    seeds: int | None = None
    hardware: str | None = None
    batch_size: int | None = None
    leaderboard: str = Field(foreign_key="leaderboard.id", index=True)


class ReproductionRow(SQLModel, table=True):
    """One reproduction run (a result file written by ``clatlas repro run``)."""

    __tablename__ = "reproduction"

    id: str = Field(primary_key=True)  # method/benchmark/profile-seedN
    method: str = Field(index=True)
    method_kind: str | None = None  # classify / generate: the benchmark's kind (repro_benchmark)
    benchmark: str
    scenario: str
    profile: str
    seed: int
    trainable_params: int | None = None
    total_params: int | None = None
    wall_time_s: float | None = None
    peak_memory_mb: float | None = None
    command: str
    created: str
    device: str | None = None
    matrix_json: str
    config_json: str
    versions_json: str
    task_names_json: str
    source_path: str


class ReproductionMetricRow(SQLModel, table=True):
    """One metric of one run, long format: a new metric in catalog.metrics adds rows, not columns."""

    __tablename__ = "reproduction_metric"

    reproduction_id: str = Field(foreign_key="reproduction.id", primary_key=True)
    metric_id: str = Field(primary_key=True, index=True)
    value: float


class ReproductionPaperRow(SQLModel, table=True):
    __tablename__ = "reproduction_paper"

    reproduction_id: str = Field(foreign_key="reproduction.id", primary_key=True)
    paper_key: str = Field(foreign_key="paper.key", primary_key=True, index=True)


class ReproBenchmarkRow(SQLModel, table=True):
    """A benchmark of the reproduction harness (data/reproductions/methods.yaml)."""

    __tablename__ = "repro_benchmark"

    id: str = Field(primary_key=True)
    kind: str  # classify / generate
    scenario: str
    description: str
    position: int


class ReproMethodRow(SQLModel, table=True):
    """A method of the reproduction harness (data/reproductions/methods.yaml), named ``kind/id``."""

    __tablename__ = "repro_method"

    ref: str = Field(primary_key=True)  # kind/id, e.g. generate/olora
    kind: str
    method_id: str  # the name result files and ``clatlas repro run`` use
    label: str
    approach: str
    backbone: str
    backbone_label: str
    backbone_note: str
    benchmarks_json: str  # ids, the first one shown first
    papers_json: str  # catalog keys it reproduces exactly
    names_json: str  # how tables print it as a baseline
    position: int


class PaperLinkRow(SQLModel, table=True):
    """How a paper relates to the reproductions (data/reproductions/links.yaml, see catalog.links)."""

    __tablename__ = "paper_link"

    paper_key: str = Field(foreign_key="paper.key", primary_key=True)
    link: str = Field(index=True)  # exact / family / none
    note: str | None = None
    family: str | None = None
    family_label: str | None = None
    reason: str | None = None
    reason_text: str | None = None
    benchmark: str | None = None  # a stand-in benchmark (benchmark papers)
    label: str | None = None  # how the stand-in is labelled wherever it is shown


class PaperLinkMethodRow(SQLModel, table=True):
    __tablename__ = "paper_link_method"

    paper_key: str = Field(foreign_key="paper.key", primary_key=True)
    position: int = Field(primary_key=True)  # 0: the method shown first
    method_ref: str = Field(foreign_key="repro_method.ref", index=True)


class MetaRow(SQLModel, table=True):
    """Build facts: when, from which data (its fingerprint), schema version."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True)
    value: str


SCHEMA_VERSION = "3"

# FTS5 over what a reader may type to find a paper: its title, the survey's
# acronym shown on its card, authors, other titles (aliases), arXiv ids (its
# own and its aliases') and the summary; rowid = paper.rowid so joins are
# cheap. Prefix indexes keep ``word*`` queries (every search word is one) fast.
FTS_COLUMNS = ("title", "acronym", "authors", "aliases", "ids", "summary")
FTS_DDL = f"CREATE VIRTUAL TABLE paper_fts USING fts5(key UNINDEXED, {', '.join(FTS_COLUMNS)}, tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')"
