"""The in-memory index must answer exactly like the SQL reference (tests/support/sql_reference.py) for any filter."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

pytest.importorskip("numpy")

from support import sql_reference  # noqa: E402
from support.webfixture import fixture_db  # noqa: F401,E402

from catalog.build import build_database  # noqa: E402
from catalog.taxonomy import AXES  # noqa: E402
from webapp import queries  # noqa: E402
from webapp.database import Database  # noqa: E402
from webapp.filters import SORTS, parse_filter  # noqa: E402
from webapp.index import PaperIndex  # noqa: E402


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory) -> Path:
    from benchmarks.synthetic import make_catalog

    tmp = tmp_path_factory.mktemp("synth")
    data = make_catalog(tmp / "data", 300, seed=7)
    return build_database(data, tmp / "synth.sqlite").path


def random_params(rng: random.Random, vocab, venues: list[str]) -> list[tuple[str, str]]:
    params: list[tuple[str, str]] = []
    for axis in AXES:
        if rng.random() < 0.35:
            params += [(axis, v) for v in rng.sample(vocab.taxonomy.allowed(axis), rng.randint(1, 2))]
    if rng.random() < 0.2 and venues:
        params.append(("venue", rng.choice(venues)))
    if rng.random() < 0.2:
        params.append(("kind", rng.choice(sorted(vocab.kinds))))
    if rng.random() < 0.25:
        params += [("reproduction", v) for v in rng.sample(vocab.allowed("reproduction"), rng.randint(1, 2))]
    if rng.random() < 0.2 and vocab.datasets:
        params.append(("dataset", rng.choice(sorted(vocab.datasets))))
    if rng.random() < 0.3:
        params.append(("year_min", str(rng.randint(2016, 2024))))
    if rng.random() < 0.3:
        params.append(("year_max", str(rng.randint(2024, 2026))))
    for name in ("has_code", "has_reproduction"):
        if rng.random() < 0.25:
            params.append((name, rng.choice(["1", "0"])))
    if rng.random() < 0.35:
        params.append(("q", rng.choice(["lora", "continual learning", "memory*", "prompt", "xyzzy", "Wang", "orthogonal subspace"])))
    params.append(("sort", rng.choice(list(SORTS))))
    params.append(("per_page", str(rng.choice([5, 25, 200]))))
    return params


def compare(db_path: Path, rounds: int, seed: int) -> None:
    db = Database(db_path)
    con = db.connection()
    vocab = queries.load_vocabulary(con)
    index = PaperIndex(con, vocab)
    venues = sorted(vocab.venues)
    rng = random.Random(seed)
    for _ in range(rounds):
        params = random_params(rng, vocab, venues)
        # an increment must belong to a selected setting; drop impossible pairs the parser rejects
        try:
            f = parse_filter(params, vocab)
        except Exception:
            continue
        total, keys, facets = index.search(con, f, with_facets=True)
        assert total == sql_reference.count_papers(con, f), params
        if f.effective_sort != "relevance":  # bm25 ties may order differently; membership is checked by total
            assert keys == sql_reference.filtered_keys(con, f), params
        else:
            assert set(keys) <= set(sql_reference.filtered_keys(con, f, paged=False))
        assert facets == sql_reference.facet_counts(con, f, vocab), params
        all_keys = index.search(con, f, paged=False)[1]
        assert len(all_keys) == total


def test_index_matches_sql_on_fixture(fixture_db):
    compare(fixture_db, 150, seed=1)


def test_index_matches_sql_on_synthetic_catalog(synthetic_db):
    compare(synthetic_db, 150, seed=2)
