"""A small catalog database for the web tests, built the real way plus a few rows by hand.

The data directory is the shared ``tests/fixtures/minicatalog`` (three real
papers) plus papers written here: one whose title and summary hold HTML and
script (it must render as text), one LoRA paper beyond the survey with code,
an alias, a first-preprint month, a placement on the extension technique
``model-merging`` and reported results, and reported results on two leaderboards:
on the AA board, two backbones, a reference row, an unranked re-run spelled
differently ("O-Lora") and verified and unverified numbers. The method catalog
and links of ``tests/fixtures/reprolinks`` link every method paper. Reproduction
runs are inserted into the built file directly, because their result-file
schema belongs to the harness; the rows follow ``catalog.db`` exactly.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import yaml

from catalog.build import build_database
from catalog.paths import data_dir

HERE = Path(__file__).resolve().parents[1]  # tests/
MINI = HERE / "fixtures" / "minicatalog"
LINKS_FIXTURE = HERE / "fixtures" / "reprolinks"

XSS_KEY = "evil2024script"
XSS_TITLE = '<script>alert("xss")</script> Continual <b>LoRA</b> Injection'
XSS_SUMMARY = 'A summary with <img src=x onerror=alert(1)> markup & an <a href="javascript:alert(2)">anchor</a> in it.'
LORA_KEY = "smith2024lowrank"


def _bib(key: str, title: str, year: int, authors: str, booktitle: str) -> str:
    return f"@inproceedings{{{key},\n  title = {{{title}}},\n  author = {{{authors}}},\n  booktitle = {{{booktitle}}},\n  year = {{{year}}},\n}}\n"


def _extra_papers() -> dict[str, dict]:
    return {
        XSS_KEY: dict(
            title=XSS_TITLE,
            year=2024,
            venue="arXiv",
            kind="method",
            url="https://example.org/evil",
            sources=["https://example.org/evil"],
            placements=[dict(setting="offline", increment="CIL", family="VLM", technique="parameter-efficient", technique_source="curated")],
            summary=XSS_SUMMARY,
            datasets=["ag-news"],
            results=[],
            bibtex=_bib(XSS_KEY, XSS_TITLE, 2024, "Evil, Eve and Mallory, Mal", "Proceedings of Nowhere"),
        ),
        LORA_KEY: dict(
            title="Low-Rank Experts for Lifelong Instruction Following",
            year=2024,
            venue="ACL 2024",
            kind="method",
            url="https://example.org/lowrank",
            code_url="https://github.com/example/lowrank",
            sources=["https://example.org/lowrank"],
            first_public="2023-11",
            aliases=[dict(title="Routing Among Low-Rank Specialists", arxiv="2311.00001", note="the first preprint's title")],
            placements=[
                dict(setting="offline", increment="TIL", family="LLM", technique="parameter-efficient", technique_source="curated"),
                dict(setting="offline", increment="TIL", family="LLM", technique="instruction-tuning", technique_source="curated"),
                dict(setting="offline", increment="TIL", family="LLM", technique="model-merging", technique_source="curated"),
            ],
            summary="Gives each task its own LoRA expert and routes between them, evaluated on a long task sequence.",
            datasets=["standard-cl-benchmark", "long-sequence-benchmark"],
            results=[
                *[
                    dict(
                        benchmark="standard-cl-benchmark",
                        task_order=o,
                        num_tasks=4,
                        shots=None,
                        backbone="T5-large",
                        method="LoRA-Experts",
                        method_paper=LORA_KEY,
                        native=True,
                        metric="AA",
                        value=v,
                        table="Table 2",
                        note=None,
                        provenance="paper-text",
                    )
                    for o, v in (("1", 78.1), ("2", 77.0), ("3", 76.9), ("avg", 77.3))
                ],
                # a re-run of O-LoRA, spelled as this paper prints it, with no average: listed but not ranked by avg
                dict(
                    benchmark="standard-cl-benchmark",
                    task_order="1",
                    num_tasks=4,
                    shots=None,
                    backbone="T5-large",
                    method="O-Lora",
                    method_paper="wang2023orthogonal",
                    native=False,
                    metric="AA",
                    value=75.0,
                    table="Table 2",
                    note="re-run",
                    provenance="extracted",
                ),
                # a reference row above every method: shown apart, never ranked
                dict(
                    benchmark="standard-cl-benchmark",
                    task_order="avg",
                    num_tasks=4,
                    shots=None,
                    backbone="T5-large",
                    method="MTL",
                    method_paper=None,
                    native=False,
                    metric="AA",
                    value=80.0,
                    table="Table 2",
                    note="multitask upper bound",
                    provenance="paper-text",
                    reference=True,
                ),
                # another backbone: ranked on its own
                dict(
                    benchmark="standard-cl-benchmark",
                    task_order="avg",
                    num_tasks=4,
                    shots=None,
                    backbone="LLaMA-7B",
                    method="LoRA-Experts",
                    method_paper=LORA_KEY,
                    native=True,
                    metric="AA",
                    value=70.0,
                    table="Table 4",
                    note=None,
                    provenance="paper-text",
                    seeds=3,
                    hardware="8x A100 80GB",
                    batch_size=32,
                ),
                dict(
                    benchmark="standard-cl-benchmark",
                    task_order="1",
                    num_tasks=4,
                    shots=None,
                    backbone="T5-large",
                    method="LoRA-Experts",
                    method_paper=LORA_KEY,
                    native=True,
                    metric="BWT",
                    value=-1.5,
                    table="Table 3",
                    note=None,
                    provenance="paper-text",
                ),
            ],
            bibtex=_bib(LORA_KEY, "Low-Rank Experts for Lifelong Instruction Following", 2024, "Smith, Ana and Kim, Bo", "Proceedings of ACL 2024"),
        ),
    }


def make_data(dest: Path) -> Path:
    """Write the fixture data directory under ``dest`` and return it."""
    data = dest / "data"
    shutil.copytree(MINI, data, ignore=shutil.ignore_patterns("README.md"))
    for name in ("taxonomy.yaml", "metrics.yaml"):
        shutil.copy(data_dir() / name, data / name)
    for key, body in _extra_papers().items():
        (data / "papers" / f"{key}.yaml").write_text(yaml.safe_dump(body, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # native O-LoRA numbers in its own paper (extracted, so unverified), on the same leaderboard as the re-run above
    path = data / "papers" / "wang2023orthogonal.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["first_public"] = "2023-10"
    doc["results"] = [
        dict(
            benchmark="standard-cl-benchmark",
            task_order=o,
            num_tasks=4,
            shots=None,
            backbone="T5-large",
            method="O-LoRA",
            method_paper="wang2023orthogonal",
            native=True,
            metric="AA",
            value=v,
            table="Table 1",
            note=None,
            provenance="extracted",
        )
        for o, v in (("1", 75.4), ("avg", 75.8))
    ]
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # the method catalog and links of tests/fixtures/reprolinks, plus links for the two papers written here
    (data / "reproductions").mkdir()
    shutil.copy(LINKS_FIXTURE / "methods.yaml", data / "reproductions" / "methods.yaml")
    links = (LINKS_FIXTURE / "links.yaml").read_text(encoding="utf-8")
    links += (
        f"  {XSS_KEY}:\n    link: none\n    reason: vlm\n"
        f"  {LORA_KEY}:\n    link: family\n    family: lora\n    methods: [classify/olora]\n"
        "    note: O-LoRA shares one LoRA per task; it has no router between experts.\n"
    )
    (data / "reproductions" / "links.yaml").write_text(links, encoding="utf-8")
    return data


REPRO = dict(
    id="olora/wordnet-5x4-til/smoke-seed0",
    method="olora",
    method_kind="classify",
    benchmark="wordnet-5x4-til",
    scenario="TIL",
    profile="smoke",
    seed=0,
    trainable_params=1_000_000,
    total_params=770_000_000,
    wall_time_s=412.0,
    peak_memory_mb=9000.0,
    command="clatlas repro run olora --benchmark wordnet-5x4-til --profile smoke --seed 0",
    created="2025-01-01T00:00:00Z",
    device="cpu",
    matrix_json=json.dumps([[80.0, None], [77.1, 69.3]]),
    config_json="{}",
    versions_json="{}",
    task_names_json=json.dumps(["T1", "T2"]),
    source_path="olora/wordnet-5x4-til/smoke-seed0.json",
)
REPRO_METRICS = {"AA": 73.2, "AIA": 80.1, "FM": 3.1, "BWT": -2.9, "FWT": 0.4}  # long format: one row per metric


def build_fixture_db(dest: Path) -> Path:
    """Build the fixture database at ``dest/catalog.sqlite`` (with one reproduction run)."""
    data = make_data(dest)
    db = dest / "catalog.sqlite"
    build_database(data, db)
    con = sqlite3.connect(db)
    try:
        cols = ", ".join(REPRO)
        con.execute(f"INSERT INTO reproduction ({cols}) VALUES ({', '.join('?' * len(REPRO))})", list(REPRO.values()))
        con.executemany(
            "INSERT INTO reproduction_metric (reproduction_id, metric_id, value) VALUES (?, ?, ?)", [(REPRO["id"], mid, v) for mid, v in REPRO_METRICS.items()]
        )
        con.execute("INSERT INTO reproduction_paper (reproduction_id, paper_key) VALUES (?, ?)", (REPRO["id"], "wang2023orthogonal"))
        con.execute("UPDATE paper SET has_reproduction = 1 WHERE key = ?", ("wang2023orthogonal",))
        con.commit()
    finally:
        con.close()
    return db


def build_empty_db(dest: Path) -> Path:
    """A valid database with taxonomy and metrics but no papers, datasets, results or runs."""
    data = dest / "empty"
    (data / "papers").mkdir(parents=True)
    (data / "datasets").mkdir()
    for name in ("taxonomy.yaml", "metrics.yaml"):
        shutil.copy(data_dir() / name, data / name)
    db = dest / "empty.sqlite"
    build_database(data, db)
    return db


# --------------------------------------------------------------------------- pytest fixtures (import them by name)

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("webdb"))


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_empty_db(tmp_path_factory.mktemp("webempty"))


@pytest.fixture(scope="session")
def client(fixture_db: Path):
    from fastapi.testclient import TestClient

    from webapp.app import create_app

    with TestClient(create_app(fixture_db)) as c:
        yield c


@pytest.fixture(scope="session")
def empty_client(empty_db: Path):
    from fastapi.testclient import TestClient

    from webapp.app import create_app

    with TestClient(create_app(empty_db)) as c:
        yield c
