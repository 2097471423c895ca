"""Reading ``data/reproductions/methods.yaml`` and ``links.yaml`` into the catalog, with located problems.

Both files are optional together: a catalog without reproductions (a test
fixture, a fork) has neither, and then nothing is linked. When ``links.yaml``
exists, every method paper must have a link, so a new paper without one
fails validation. Entries are validated one by one, so each problem names
its entry (a method reference, a paper key) and the field, with the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from catalog.links import Family, LinkFile, PaperLink, StandIn, link_problems, resolve
from catalog.problems import Problem
from catalog.remarks import gathering_remarks
from catalog.repromethods import BackboneInfo, BenchmarkInfo, MethodCatalog, MethodInfo, MethodsHead, catalog_problems
from catalog.yamlsource import YamlDocument

if TYPE_CHECKING:
    from catalog.loader import Catalog

METHODS_FILE = Path("reproductions") / "methods.yaml"
LINKS_FILE = Path("reproductions") / "links.yaml"


def load_reproduction_links(data: Path, cat: Catalog) -> None:
    """Fill ``cat.methods`` and ``cat.links`` from the two files and append every problem to ``cat.problems``."""
    mpath, lpath = data / METHODS_FILE, data / LINKS_FILE
    if not mpath.exists() and not lpath.exists():
        return
    from catalog.loader import _rel

    if not mpath.exists():
        cat.problems.append(Problem(_rel(lpath, data), None, "links", "(file)", f"links need the method catalog {_rel(mpath, data)}, which is missing"))
        return
    methods, doc = _load_methods(mpath, data, cat)
    if methods is None or doc is None:
        return
    cat.methods = methods
    paper_kinds = {k: r.paper.kind for k, r in cat.papers.items()}
    rel = _rel(mpath, data)
    for loc, entry, msg, hint in catalog_problems(methods, paper_kinds):
        cat.problems.append(Problem(rel, doc.line_of(loc), entry, _field(loc), msg, hint))
    for run in cat.runs:
        if methods.method_of_run(run.data["method"], run.data["benchmark"]) is None:
            cat.problems.append(
                Problem(
                    _rel(run.path, data),
                    None,
                    run.id,
                    "method",
                    f"no method of {rel} runs {run.data['method']!r} on {run.data['benchmark']!r}",
                    "add the method or the benchmark to the method catalog",
                )
            )
    if not lpath.exists():
        return
    links, ldoc = _load_links(lpath, data, cat)
    if links is None or ldoc is None:
        return
    from catalog.loader import _near

    near = {k: _near(k, cat.papers, data / "papers" / f"{k}.yaml") for k in (*links.papers, *links.benchmarks) if k not in cat.papers}
    found = link_problems(links, methods, paper_kinds, near)
    lrel = _rel(lpath, data)
    for loc, entry, msg, hint in found:
        cat.problems.append(Problem(lrel, ldoc.line_of(loc), entry, _field(loc), msg, hint))
    for key, pl in links.papers.items():
        for name, text in (("note", pl.note),):
            words = gathering_remarks(text)
            if words:
                cat.problems.append(
                    Problem(
                        lrel,
                        ldoc.line_of(("papers", key, name)),
                        key,
                        f"papers.{key}.{name}",
                        f"speaks of how the data were gathered ({', '.join(map(repr, words))}); it is shown to readers",
                        "say only what the reproduction and the paper do",
                    )
                )
    if not found and not links.failed:
        cat.links = resolve(links, methods)


# --------------------------------------------------------------------------- reading


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(file)"


def _doc(path: Path, data: Path, cat: Catalog) -> YamlDocument | None:
    """The parsed file; ``None`` after reporting why it cannot be read."""
    from catalog.loader import _read

    return _read(path, data, path.stem, cat.problems)


def _validate(model: type[BaseModel], doc: YamlDocument, value: Any, rel: str, entry: str, cat: Catalog, loc: tuple) -> Any:
    from catalog.loader import _validate_doc

    got, errs = _validate_doc(model, doc, value, rel, entry, cat.taxonomy, loc)
    cat.problems.extend(errs)
    return got


def _top(doc: YamlDocument, rel: str, entry: str, allowed: dict[str, type], required: set[str], cat: Catalog) -> dict[str, Any] | None:
    """The top-level mapping, with unknown, missing and mistyped sections reported."""
    if not isinstance(doc.data, dict):
        cat.problems.append(Problem(rel, 1, entry, "(file)", "expected a mapping of sections"))
        return None
    ok = True
    for name in doc.data:
        if name not in allowed:
            cat.problems.append(Problem(rel, doc.line_of((name,)), entry, str(name), f"unknown section; allowed: {', '.join(allowed)}"))
            ok = False
    for name in required - set(doc.data):
        cat.problems.append(Problem(rel, None, entry, name, "required section is missing"))
        ok = False
    for name, typ in allowed.items():
        if name in doc.data and doc.data[name] is not None and not isinstance(doc.data[name], typ):
            cat.problems.append(
                Problem(rel, doc.line_of((name,)), entry, name, f"expected a {'list' if typ is list else 'mapping'}, got {type(doc.data[name]).__name__}")
            )
            ok = False
    for name in _duplicate_keys(doc.node):
        cat.problems.append(Problem(rel, None, entry, name, "duplicate key: YAML keeps only the last one", "merge the two entries"))
    return dict(doc.data) if ok else None


def _duplicate_keys(node: yaml.Node | None, prefix: str = "") -> list[str]:
    """Keys that appear twice in one mapping (PyYAML silently keeps the last), at any depth."""
    out: list[str] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for k, v in node.value:
            name = f"{prefix}.{k.value}" if prefix else str(k.value)
            if k.value in seen:
                out.append(name)
            seen.add(k.value)
            out += _duplicate_keys(v, name)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out += _duplicate_keys(v, f"{prefix}[{i}]")
    return out


def _load_methods(path: Path, data: Path, cat: Catalog) -> tuple[MethodCatalog | None, YamlDocument | None]:
    from catalog.loader import _rel

    doc = _doc(path, data, cat)
    if doc is None:
        return None, None
    rel = _rel(path, data)
    top = _top(
        doc,
        rel,
        "methods",
        {"profile": str, "seeds": list, "backbones": dict, "benchmarks": list, "methods": list},
        {"profile", "seeds", "backbones", "benchmarks", "methods"},
        cat,
    )
    if top is None:
        return None, doc
    head = _validate(MethodsHead, doc, {"profile": top["profile"], "seeds": top["seeds"]}, rel, "methods", cat, ())
    if head is None:
        return None, doc
    out = MethodCatalog(head.profile, list(head.seeds))
    for bid, body in (top["backbones"] or {}).items():
        got = _validate(BackboneInfo, doc, body, rel, str(bid), cat, ("backbones", bid))
        if got is not None:
            out.backbones[str(bid)] = got
    for i, body in enumerate(top["benchmarks"] or []):
        entry = str(body.get("id", f"#{i}")) if isinstance(body, dict) else f"#{i}"
        got = _validate(BenchmarkInfo, doc, body, rel, entry, cat, ("benchmarks", i))
        if got is None:
            continue
        if got.id in out.benchmarks:
            cat.problems.append(Problem(rel, doc.line_of(("benchmarks", i, "id")), got.id, f"benchmarks[{i}].id", "duplicate benchmark id"))
        out.benchmarks[got.id] = got
    for i, body in enumerate(top["methods"] or []):
        entry = f"{body.get('kind')}/{body.get('id')}" if isinstance(body, dict) else f"#{i}"
        got = _validate(MethodInfo, doc, body, rel, entry, cat, ("methods", i))
        if got is None:
            continue
        if got.ref in out.methods:
            cat.problems.append(Problem(rel, doc.line_of(("methods", i, "id")), got.ref, f"methods[{i}].id", f"duplicate method {got.ref}"))
            continue
        out.methods[got.ref] = got
        out.positions[got.ref] = i
    return out, doc


def _load_links(path: Path, data: Path, cat: Catalog) -> tuple[LinkFile | None, YamlDocument | None]:
    from catalog.loader import _rel

    doc = _doc(path, data, cat)
    if doc is None:
        return None, None
    rel = _rel(path, data)
    top = _top(doc, rel, "links", {"families": dict, "reasons": dict, "papers": dict, "benchmarks": dict}, {"families", "reasons", "papers"}, cat)
    if top is None:
        return None, doc
    out = LinkFile({}, {}, {}, {})
    for fid, body in (top["families"] or {}).items():
        got = _validate(Family, doc, body, rel, str(fid), cat, ("families", fid))
        if got is not None:
            out.families[str(fid)] = got
    for rid, text in (top["reasons"] or {}).items():
        if not isinstance(text, str) or not text.strip():
            cat.problems.append(Problem(rel, doc.line_of(("reasons", rid)), str(rid), f"reasons.{rid}", "a reason is one sentence of text"))
            continue
        out.reasons[str(rid)] = text.strip()
    for key, body in (top["papers"] or {}).items():
        got = _validate(PaperLink, doc, body, rel, str(key), cat, ("papers", key))
        if got is None:
            out.failed.add(str(key))
        else:
            out.papers[str(key)] = got
    for key, body in (top.get("benchmarks") or {}).items():
        got = _validate(StandIn, doc, body, rel, str(key), cat, ("benchmarks", key))
        if got is None:
            out.failed.add(str(key))
        else:
            out.benchmarks[str(key)] = got
    return out, doc
