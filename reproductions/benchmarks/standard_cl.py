"""The standard CL text-classification benchmark (de Masson d'Autume et al., 2019, MbPA++).

Five datasets (Zhang et al., 2015) learned in sequence: AG News, Yelp,
Amazon, DBpedia, Yahoo Answers. Yelp and Amazon share the five star labels,
so the output space has 4 + 5 + 14 + 10 = 33 classes, the usual setup of the
MbPA++ / LAMOL / IDBR line. The usual task orders 1-3 are registered as
``standard-cl-order1..3`` (``standard-cl`` is order 1).

Data come from the Hugging Face hub through ``datasets`` (extra ``hf``) on
machines that can reach it, or from local files in the same format: a
directory with ``<dataset>/<split>.jsonl`` (or ``.csv`` with a header) whose
rows have the hub datasets' field names. Tests use such local files and never
download. ``$CLATLAS_STANDARD_CL_DIR`` (or the ``data_dir`` option) selects the
local directory.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reproductions.benchmarks import BenchmarkSpec, register_benchmark
from reproductions.deps import require
from reproductions.profiles import Profile
from reproductions.streams import Record, Stream, StreamError, build_offline, sample_per_class

# Label names are namespaced by source so that AG News "Sports" and Yahoo "Sports"
# stay two classes, while Yelp and Amazon deliberately share the star labels.
STARS = ["review/1 star", "review/2 stars", "review/3 stars", "review/4 stars", "review/5 stars"]


@dataclass(frozen=True)
class HFSource:
    """Where one member dataset lives on the hub and how its rows map to (text, label)."""

    hub_id: str
    text_fields: tuple[str, ...]
    label_field: str
    label_names: tuple[str, ...]
    config: str | None = None

    def to_record(self, row: Mapping[str, Any], task: str) -> Record:
        parts = [str(row.get(f) or "").strip() for f in self.text_fields]
        label = int(row[self.label_field])
        if not 0 <= label < len(self.label_names):
            raise StreamError(f"{task}: label {label} outside 0..{len(self.label_names) - 1}")
        return Record(text=" ".join(p for p in parts if p), label=self.label_names[label], task=task, domain=task)


SOURCES: dict[str, HFSource] = {
    "ag_news": HFSource("fancyzhx/ag_news", ("text",), "label", ("news/World", "news/Sports", "news/Business", "news/Sci/Tech")),
    "yelp": HFSource("Yelp/yelp_review_full", ("text",), "label", tuple(STARS)),
    # Zhang et al.'s Amazon Review Full has no canonical hub id; override with
    # $CLATLAS_AMAZON_HUB_ID if this mirror is unavailable (rows: title, content, label 0-4).
    "amazon": HFSource(os.environ.get("CLATLAS_AMAZON_HUB_ID", "DDDDZQ/amazon_review_NIPS2015"), ("title", "content"), "label", tuple(STARS)),
    "dbpedia": HFSource(
        "fancyzhx/dbpedia_14",
        ("title", "content"),
        "label",
        tuple(
            f"dbpedia/{n}"
            for n in (
                "Company",
                "EducationalInstitution",
                "Artist",
                "Athlete",
                "OfficeHolder",
                "MeanOfTransportation",
                "Building",
                "NaturalPlace",
                "Village",
                "Animal",
                "Plant",
                "Album",
                "Film",
                "WrittenWork",
            )
        ),
    ),
    "yahoo": HFSource(
        "community-datasets/yahoo_answers_topics",
        ("question_title", "question_content", "best_answer"),
        "topic",
        tuple(
            f"yahoo/{n}"
            for n in (
                "Society & Culture",
                "Science & Mathematics",
                "Health",
                "Education & Reference",
                "Computers & Internet",
                "Sports",
                "Business & Finance",
                "Entertainment & Music",
                "Family & Relationships",
                "Politics & Government",
            )
        ),
    ),
}

# Task orders of de Masson d'Autume et al. (2019), reused by LAMOL, IDBR, etc.
ORDERS: dict[int, list[str]] = {
    1: ["yelp", "ag_news", "dbpedia", "amazon", "yahoo"],
    2: ["dbpedia", "yahoo", "ag_news", "amazon", "yelp"],
    3: ["yelp", "yahoo", "amazon", "dbpedia", "ag_news"],
}


def _read_local(directory: Path, name: str, split: str) -> list[dict[str, Any]] | None:
    for ext in ("jsonl", "json", "csv"):
        path = directory / name / f"{split}.{ext}"
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as fh:
                if ext == "csv":
                    return list(csv.DictReader(fh))
                return [json.loads(line) for line in fh if line.strip()]
    return None


def load_rows(name: str, split: str, data_dir: Path | None = None) -> Iterable[Mapping[str, Any]]:
    """Rows of one member dataset's split: local files when present, else the hub via ``datasets``."""
    if name not in SOURCES:
        raise StreamError(f"unknown standard-cl dataset {name!r}; valid: {', '.join(SOURCES)}")
    if data_dir is not None:
        rows = _read_local(data_dir, name, split)
        if rows is None:
            raise StreamError(f"no {split}.jsonl/.json/.csv for {name!r} under {data_dir}")
        return rows
    datasets = require("datasets")
    src = SOURCES[name]
    return datasets.load_dataset(src.hub_id, src.config, split=split)


def load_task_records(name: str, profile: Profile, seed: int, data_dir: Path | None = None) -> tuple[list[Record], list[Record]]:
    """Class-balanced train and test records of one member dataset (deterministic in ``seed``)."""
    src = SOURCES[name]
    out = []
    for split, n in (("train", profile.train_per_class), ("test", profile.test_per_class)):
        records = [src.to_record(row, name) for row in load_rows(name, split, data_dir)]
        out.append(sample_per_class(records, n, f"standard-cl:{seed}:{name}:{split}"))
    return out[0], out[1]


def build_stream(order: int, profile: Profile, seed: int, options: Mapping[str, Any]) -> Stream:
    if order not in ORDERS:
        raise StreamError(f"unknown task order {order}; valid: {', '.join(map(str, ORDERS))}")
    raw_dir = options.get("data_dir") or os.environ.get("CLATLAS_STANDARD_CL_DIR")
    data_dir = Path(raw_dir) if raw_dir else None
    train: list[Record] = []
    test: list[Record] = []
    for name in ORDERS[order]:
        tr, te = load_task_records(name, profile, seed, data_dir)
        train += tr
        test += te
    stream = build_offline(train, test, ORDERS[order], "CIL")
    stream.info = {"order": order, "source": str(data_dir) if data_dir else "huggingface-hub"}
    return stream


def _builder(order: int):  # noqa: ANN202
    return lambda profile, seed, options: build_stream(order, profile, seed, options)


_DESC = "AG News, Yelp, Amazon, DBpedia, Yahoo (33 classes, Hugging Face datasets)"
for _o in ORDERS:
    register_benchmark(
        BenchmarkSpec(
            f"standard-cl-order{_o}",
            "CIL",
            f"standard CL benchmark, order {_o}: {' -> '.join(ORDERS[_o])}; {_DESC}",
            _builder(_o),
            options={"data_dir": None},
            needs="datasets + network (or local files)",
        ),
        aliases=("standard-cl",) if _o == 1 else (),
    )
