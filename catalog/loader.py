"""Loading and validating the whole catalog from ``data/``.

Loading never stops at the first mistake: every file is checked and every
problem is collected, so one ``clatlas validate`` run shows a contributor all
there is to fix. The result is a :class:`Catalog` (the entries that passed)
plus the list of :class:`~catalog.problems.Problem` found.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ValidationError

from catalog.bibtex import BibEntry, BibtexProblem, normalise_title, parse_entry, strip_latex
from catalog.messages import improve, scalar_text
from catalog.metrics import METRICS
from catalog.orders import declaration_problems
from catalog.problems import Problem
from catalog.remarks import gathering_remarks
from catalog.resultchecks import result_problems
from catalog.schema import ID_RE, KEY_RE, Dataset, Metric, Paper
from catalog.taxonomy import AXES, Taxonomy, load_taxonomy
from catalog.yamlsource import SourceError, YamlDocument, load_yaml, read_text

if TYPE_CHECKING:
    from catalog.links import Resolution
    from catalog.repromethods import MethodCatalog


@dataclass
class PaperRecord:
    """A validated paper with its parsed BibTeX and source file."""

    key: str
    path: Path
    paper: Paper
    bib: BibEntry
    value_texts: tuple[str | None, ...] = ()  # each result's value as written (its printed digits)

    @property
    def authors(self) -> list[str]:
        return self.bib.authors


@dataclass
class DatasetRecord:
    id: str
    path: Path
    dataset: Dataset


@dataclass
class RunRecord:
    """A reproduction result file (written by ``clatlas repro run``)."""

    id: str
    path: Path
    data: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)  # computed from the raw evaluation (catalog.runs.run_metrics)


@dataclass
class Catalog:
    taxonomy: Taxonomy
    papers: dict[str, PaperRecord] = field(default_factory=dict)
    datasets: dict[str, DatasetRecord] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    runs: list[RunRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    methods: MethodCatalog | None = None  # data/reproductions/methods.yaml, when present (catalog.repromethods)
    links: dict[str, Resolution] = field(default_factory=dict)  # paper key -> its link (catalog.links), when links.yaml validates


# --------------------------------------------------------------------------- helpers


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _pydantic_problems(
    exc: ValidationError,
    model: type[BaseModel],
    doc: YamlDocument,
    rel: str,
    entry: str,
    loc_prefix: tuple = (),
    taxonomy: Taxonomy | None = None,
) -> list[Problem]:
    """Turn pydantic's errors into located, readable problems."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        full_loc = loc_prefix + loc
        kind = err["type"]
        hint = None
        if kind == "extra_forbidden":
            parent = _model_at(model, loc[:-1])
            allowed = sorted(parent.model_fields) if parent else []
            msg = "unknown field" + (f"; allowed fields: {', '.join(allowed)}" if allowed else "")
            near = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            hint = f"did you mean {near[0]!r}?" if near else None
        elif kind == "missing":
            msg = "required field is missing"
        elif kind == "string_type" and isinstance(err.get("input"), (int, float)):
            msg = f"expected text, got the number {err['input']!r}"
            hint = "put it in quotes"
        elif kind in ("int_type", "bool_type", "float_type", "list_type", "dict_type", "model_type"):
            msg = f"{err['msg']}, got {type(err.get('input')).__name__} {err.get('input')!r}"
            if kind == "int_type" and isinstance(err.get("input"), str):
                hint = "write the number without quotes"
        else:
            msg = err["msg"]
        msg, hint = improve(err, full_loc, msg, hint, scalar_text(doc.node, full_loc), taxonomy)
        problems.append(Problem(rel, doc.line_of(full_loc), entry, _field_name(full_loc), msg, hint))
    return problems


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The nested model class found by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = getattr(current, "model_fields", {}).get(part)
        if info is None:
            return None
        current = _inner_model(info.annotation)
        if current is None:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found:
            return found
    return None


def _validate_doc(
    model: type[BaseModel], doc: YamlDocument, data: Any, rel: str, entry: str, taxonomy: Taxonomy, loc_prefix: tuple = ()
) -> tuple[Any, list[Problem]]:
    if not isinstance(data, dict):
        return None, [Problem(rel, doc.line_of(loc_prefix), entry, _field_name(loc_prefix), f"expected a mapping of fields, got {type(data).__name__}")]
    try:
        return model.model_validate(data, context={"taxonomy": taxonomy}), []
    except ValidationError as exc:
        return None, _pydantic_problems(exc, model, doc, rel, entry, loc_prefix, taxonomy)


def _read(path: Path, root: Path, entry: str, problems: list[Problem]) -> YamlDocument | None:
    try:
        return load_yaml(path)
    except SourceError as exc:
        problems.append(Problem(_rel(path, root), exc.line, entry, "(file)", exc.message))
    except OSError as exc:
        problems.append(Problem(_rel(path, root), None, entry, "(file)", f"cannot read file: {exc.strerror}"))
    return None


# --------------------------------------------------------------------------- per kind


def load_paper(path: Path, root: Path, taxonomy: Taxonomy, problems: list[Problem]) -> PaperRecord | None:
    """Validate one paper file; append its problems; return the record if usable."""
    key = path.stem
    rel = _rel(path, root)
    if not KEY_RE.match(key):
        problems.append(
            Problem(rel, None, key, "(file name)", "citation key must be lower-case letters and digits, starting with a letter", "see docs/data-format.md")
        )
    doc = _read(path, root, key, problems)
    if doc is None:
        return None
    paper, errs = _validate_doc(Paper, doc, doc.data, rel, key, taxonomy)
    problems.extend(errs)
    if paper is None:
        return None
    try:
        bib = parse_entry(paper.bibtex)
    except BibtexProblem as exc:
        problems.append(Problem(rel, doc.line_of(("bibtex",)), key, "bibtex", str(exc)))
        return None
    ok = True
    line = doc.line_of(("bibtex",))
    if bib.key != key:
        problems.append(
            Problem(
                rel,
                line,
                key,
                "bibtex",
                f"BibTeX key {bib.key!r} differs from the file name {key!r}",
                f"change the BibTeX key to {key}, or rename the file to {bib.key}.yaml",
            )
        )
        ok = False
    bib_title = bib.fields.get("title")
    if not bib_title:
        problems.append(Problem(rel, line, key, "bibtex.title", "BibTeX entry has no title"))
        ok = False
    elif normalise_title(bib_title) != normalise_title(paper.title):
        problems.append(
            Problem(
                rel,
                line,
                key,
                "bibtex.title",
                f"BibTeX title {strip_latex(bib_title)!r} differs from title {paper.title!r}",
                "make the two titles the same (braces and case do not matter)",
            )
        )
        ok = False
    if bib.fields.get("year", "").strip() != str(paper.year):
        problems.append(
            Problem(rel, line, key, "bibtex.year", f"BibTeX year {bib.fields.get('year')!r} differs from year {paper.year}", "make the two years the same")
        )
        ok = False
    if not bib.authors:
        problems.append(Problem(rel, line, key, "bibtex.author", "BibTeX entry has no author"))
        ok = False
    if not ok:
        return None
    texts = tuple(scalar_text(doc.node, ("results", i, "value")) for i in range(len(paper.results)))
    return PaperRecord(key, path, paper, bib, texts)


def load_dataset(path: Path, root: Path, taxonomy: Taxonomy, problems: list[Problem]) -> DatasetRecord | None:
    ds_id = path.stem
    rel = _rel(path, root)
    if not ID_RE.match(ds_id):
        problems.append(Problem(rel, None, ds_id, "(file name)", "dataset id must be lower-case letters, digits and hyphens"))
    doc = _read(path, root, ds_id, problems)
    if doc is None:
        return None
    ds, errs = _validate_doc(Dataset, doc, doc.data, rel, ds_id, taxonomy)
    problems.extend(errs)
    if ds is None:
        return None
    for fld, msg in declaration_problems(ds):
        problems.append(Problem(rel, doc.line_of(_loc(fld)), ds_id, fld, msg, "each printed name may stand for one order only"))
    for fld, text, strict in (("description", ds.description, False), *((f"survey_table1[{i}].note", t.note, True) for i, t in enumerate(ds.survey_table1))):
        found = gathering_remarks(text, number_note=strict)
        if found:
            problems.append(
                Problem(
                    rel,
                    doc.line_of(_loc(fld)),
                    ds_id,
                    fld,
                    f"speaks of how the data were gathered ({', '.join(map(repr, found))}); it is shown to readers",
                    "say only what the sources say",
                )
            )
    return DatasetRecord(ds_id, path, ds)


def _loc(fld: str) -> tuple[str | int, ...]:
    """``"a[0].b"`` → ``("a", 0, "b")``, for line look-ups."""
    out: list[str | int] = []
    for part in fld.replace("]", "").split("."):
        name, *idx = part.split("[")
        out.append(name)
        out.extend(int(i) for i in idx)
    return tuple(out)


def load_metrics(path: Path, root: Path, taxonomy: Taxonomy, problems: list[Problem]) -> dict[str, Metric]:
    rel = _rel(path, root)
    if not path.exists():
        problems.append(Problem(rel, None, "metrics", "(file)", "metrics file is missing"))
        return {}
    doc = _read(path, root, "metrics", problems)
    if doc is None:
        return {}
    if not isinstance(doc.data, list):
        problems.append(Problem(rel, 1, "metrics", "(file)", "expected a list of metrics"))
        return {}
    out: dict[str, Metric] = {}
    for i, item in enumerate(doc.data):
        entry = item.get("id", f"#{i}") if isinstance(item, dict) else f"#{i}"
        metric, errs = _validate_doc(Metric, doc, item, rel, str(entry), taxonomy, (i,))
        problems.extend(errs)
        if metric is None:
            continue
        if metric.id in out:
            problems.append(Problem(rel, doc.line_of((i, "id")), metric.id, "id", "duplicate metric id"))
        elif metric.id not in METRICS and not metric.reported_only:
            problems.append(
                Problem(
                    rel,
                    doc.line_of((i, "id")),
                    metric.id,
                    "id",
                    f"no implementation for metric {metric.id!r} in catalog.metrics; implemented: {', '.join(METRICS)} "
                    "(a metric only papers report sets reported_only: true)",
                )
            )
        elif metric.id in METRICS and METRICS[metric.id].direction != metric.direction:
            problems.append(
                Problem(
                    rel,
                    doc.line_of((i, "direction")),
                    metric.id,
                    "direction",
                    f"catalog.metrics computes {metric.id} with direction {METRICS[metric.id].direction!r}",
                )
            )
        out[metric.id] = metric
    for mid in METRICS:  # read at call time, so a metric registered later is checked too
        if mid not in out and not any(p.entry == mid for p in problems):
            problems.append(Problem(rel, None, mid, "id", f"metric {mid!r} is implemented in catalog.metrics but not defined in this file"))
    return out


def load_runs(results_dir: Path, root: Path, problems: list[Problem]) -> list[RunRecord]:
    """Read reproduction result files; their schema lives with the harness."""
    runs: list[RunRecord] = []
    if not results_dir.is_dir():
        return runs
    from catalog.runs import check_run, run_metrics  # small module, no torch

    for path in sorted(results_dir.rglob("*.json")):
        if any(part.startswith(".") for part in path.relative_to(results_dir).parts):
            continue  # checkpoints and other hidden working files of a run in progress
        rel = _rel(path, root)
        run_id = str(path.relative_to(results_dir).with_suffix(""))
        try:
            data = json.loads(read_text(path))
        except SourceError as exc:
            problems.append(Problem(rel, exc.line, run_id, "(file)", exc.message))
            continue
        except json.JSONDecodeError as exc:
            problems.append(Problem(rel, exc.lineno, run_id, "(file)", f"JSON syntax error: {exc.msg}"))
            continue
        errs = check_run(data)
        problems.extend(Problem(rel, None, run_id, f, m) for f, m in errs)
        if not errs:
            runs.append(RunRecord(run_id, path, data, run_metrics(data)))
    return runs


# --------------------------------------------------------------------------- cross-entry checks


def _cross_check(cat: Catalog, root: Path) -> None:
    problems = cat.problems
    datasets = {ds_id: rec.dataset for ds_id, rec in cat.datasets.items()}
    seen: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, value) -> (paper key, field that holds it)
    for key, rec in cat.papers.items():
        p = rec.paper
        rel = _rel(rec.path, root)
        doc_lines = _LineCache(rec.path)
        for kind, value, loc in _identifiers(p):
            fld = _field_name(loc)
            if kind == "arxiv" and loc[0] == "aliases" and value == p.arxiv:
                problems.append(
                    Problem(
                        rel,
                        doc_lines.line(loc),
                        key,
                        fld,
                        f"alias arXiv id {value} is this paper's own arxiv id",
                        "an alias names another id or title; remove it",
                    )
                )
                continue
            if kind == "title" and loc[0] == "aliases" and value == normalise_title(p.title):
                problems.append(
                    Problem(rel, doc_lines.line(loc), key, fld, "alias title is this paper's own title", "an alias names another id or title; remove it")
                )
                continue
            other = seen.get((kind, value))
            if other is None:
                seen[(kind, value)] = (key, fld)
            elif other[0] != key:
                where = f"{other[1]} of papers/{other[0]}.yaml"
                problems.append(
                    Problem(
                        rel,
                        doc_lines.line(loc),
                        key,
                        fld,
                        f"duplicate {kind}: the same {kind}{'' if kind == 'title' else ' ' + value} is already used by {other[0]} ({where})",
                        f"if this is the same paper, delete this file and edit papers/{other[0]}.yaml instead (an earlier title or id goes under aliases)",
                    )
                )
        for i, ds in enumerate(p.datasets):
            if ds not in cat.datasets:
                problems.append(Problem(rel, doc_lines.line(("datasets", i)), key, f"datasets[{i}]", f"unknown dataset {ds!r}", _near(ds, cat.datasets)))
        for i, r in enumerate(p.results):
            if r.benchmark not in cat.datasets:
                problems.append(
                    Problem(
                        rel,
                        doc_lines.line(("results", i, "benchmark")),
                        key,
                        f"results[{i}].benchmark",
                        f"unknown dataset {r.benchmark!r}",
                        _near(r.benchmark, cat.datasets),
                    )
                )
            if r.metric not in cat.metrics:
                problems.append(
                    Problem(
                        rel,
                        doc_lines.line(("results", i, "metric")),
                        key,
                        f"results[{i}].metric",
                        f"unknown metric {r.metric!r}; known: {', '.join(cat.metrics)}",
                    )
                )
            if r.method_paper and r.method_paper not in cat.papers:
                problems.append(
                    Problem(
                        rel,
                        doc_lines.line(("results", i, "method_paper")),
                        key,
                        f"results[{i}].method_paper",
                        f"unknown paper {r.method_paper!r}",
                        _near(r.method_paper, cat.papers, root / "papers" / f"{r.method_paper}.yaml"),
                    )
                )
            for j, src in enumerate(r.also_in):
                if src.paper and src.paper not in cat.papers:
                    problems.append(
                        Problem(
                            rel,
                            doc_lines.line(("results", i, "also_in", j, "paper")),
                            key,
                            f"results[{i}].also_in[{j}].paper",
                            f"unknown paper {src.paper!r}",
                            _near(src.paper, cat.papers, root / "papers" / f"{src.paper}.yaml"),
                        )
                    )
        problems.extend(result_problems(key, rel, list(p.results), rec.value_texts, doc_lines.line, datasets))
        for fld, text, strict in (("summary", p.summary, False), *((f"aliases[{i}].note", a.note, True) for i, a in enumerate(p.aliases))):
            found = gathering_remarks(text, number_note=strict)
            if found:
                problems.append(
                    Problem(
                        rel,
                        doc_lines.line(_loc(fld)),
                        key,
                        fld,
                        f"speaks of how the data were gathered ({', '.join(map(repr, found))}); it is shown to readers",
                        "say only what the paper says",
                    )
                )
    for ds_id, ds_rec in cat.datasets.items():
        rel = _rel(ds_rec.path, root)
        lines = _LineCache(ds_rec.path)
        if ds_rec.dataset.paper and ds_rec.dataset.paper not in cat.papers:
            problems.append(
                Problem(
                    rel,
                    lines.line(("paper",)),
                    ds_id,
                    "paper",
                    f"unknown paper {ds_rec.dataset.paper!r}",
                    _near(ds_rec.dataset.paper, cat.papers, root / "papers" / f"{ds_rec.dataset.paper}.yaml"),
                )
            )
        for i, m in enumerate(ds_rec.dataset.members):
            if m not in cat.datasets:
                problems.append(Problem(rel, lines.line(("members", i)), ds_id, f"members[{i}]", f"unknown dataset {m!r}", _near(m, cat.datasets)))
    for run in cat.runs:
        for i, key in enumerate(run.data.get("papers") or []):
            if key not in cat.papers:
                problems.append(
                    Problem(
                        _rel(run.path, root), None, run.id, f"papers[{i}]", f"unknown paper {key!r}", _near(key, cat.papers, root / "papers" / f"{key}.yaml")
                    )
                )


def _identifiers(p: Paper) -> Iterable[tuple[str, str, tuple]]:
    """Every value that identifies a paper, as (kind, value, YAML location); aliases count like the paper's own.

    An alias's arXiv id is compared with every arXiv id, its title with every
    title, so one paper filed twice under two of its names is caught.
    """
    for fld, value in (
        ("doi", p.doi and p.doi.lower()),
        ("arxiv", p.arxiv),
        ("acl_anthology", p.acl_anthology),
        ("openreview", p.openreview),
        ("title", normalise_title(p.title)),
    ):
        if value:
            yield fld, value, (fld,)
    for i, alias in enumerate(p.aliases):
        if alias.arxiv:
            yield "arxiv", alias.arxiv, ("aliases", i, "arxiv")
        if alias.title and normalise_title(alias.title):
            yield "title", normalise_title(alias.title), ("aliases", i, "title")


class _LineCache:
    """Re-reads a file's node tree only when a cross-check needs a line number."""

    def __init__(self, path: Path):
        self.path = path
        self._doc: YamlDocument | None = None

    def line(self, loc: tuple) -> int | None:
        if self._doc is None:
            try:
                self._doc = load_yaml(self.path)
            except SourceError:
                return None
        return self._doc.line_of(loc)


def _near(value: str, known: Iterable[str], path: Path | None = None) -> str | None:
    if path is not None and path.is_file():  # the entry exists but did not validate
        return f"{path.name} exists but has problems of its own; fix those first"
    match = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f"did you mean {match[0]!r}?" if match else None


# --------------------------------------------------------------------------- entry point


def load_catalog(data: Path, only: set[Path] | None = None) -> Catalog:
    """Load and validate everything under ``data``.

    With ``only``, problems are reported just for those files (the whole
    catalog is still read, because duplicates and references are global).
    """
    data = data.resolve()
    try:
        taxonomy = load_taxonomy(data / "taxonomy.yaml")
    except (OSError, KeyError, TypeError, AttributeError, yaml.YAMLError) as exc:
        what = exc.strerror if isinstance(exc, OSError) else f"not a valid taxonomy file ({type(exc).__name__}: {exc})"
        empty = Taxonomy({}, {axis: [] for axis in AXES})
        return Catalog(empty, problems=[Problem(_rel(data / "taxonomy.yaml", data), None, "taxonomy", "(file)", f"cannot load the taxonomy: {what}")])
    cat = Catalog(taxonomy)
    cat.metrics = load_metrics(data / "metrics.yaml", data, taxonomy, cat.problems)
    for path in sorted((data / "datasets").glob("*.yaml")):
        ds_rec = load_dataset(path, data, taxonomy, cat.problems)
        if ds_rec:
            cat.datasets[ds_rec.id] = ds_rec
    for path in sorted((data / "papers").glob("*.yaml")):
        rec = load_paper(path, data, taxonomy, cat.problems)
        if rec:
            cat.papers[rec.key] = rec
    for path in sorted((data / "papers").iterdir()) if (data / "papers").is_dir() else []:
        if path.is_file() and path.suffix != ".yaml" and not path.name.startswith("."):
            cat.problems.append(Problem(_rel(path, data), None, path.stem, "(file name)", "paper files must end in .yaml"))
    cat.runs = load_runs(data / "reproductions" / "results", data, cat.problems)
    _cross_check(cat, data)
    from catalog.reproload import load_reproduction_links  # reads through this module's helpers

    load_reproduction_links(data, cat)
    if only is not None:
        wanted = {_rel(p.resolve(), data) for p in only}
        cat.problems = [p for p in cat.problems if p.path in wanted]
    return cat
