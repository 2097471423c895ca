"""The wordnet-instruct benchmark and its probe, on the real WordNet 3.0 files (Debian wordnet-base)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.lm import need_wordnet

from reproductions.lm.instructions import held_out, split_sample
from reproductions.lm.profiles import LM_PROFILES


@pytest.fixture(scope="module")
def wi():  # noqa: ANN201
    need_wordnet()
    from reproductions.benchmarks import wordnet_instruct

    return wordnet_instruct


def test_five_tasks_with_their_own_format_and_three_orders(wi) -> None:  # noqa: ANN001
    assert set(wi.TASKS) == {"antonym", "hypernym", "category", "reverse", "definition"}
    assert {s for _, s, _, _ in wi.TASKS.values()} == {"exact", "rouge-l"}
    assert len(wi.ORDERS) >= 3 and all(sorted(o) == sorted(wi.TASKS) for o in wi.ORDERS.values())
    assert len({tuple(o) for o in wi.ORDERS.values()}) == len(wi.ORDERS)


def test_pools_are_real_and_large(wi) -> None:  # noqa: ANN001
    ant = {e.prompt: e for e in wi.antonym_pool()}
    hot = next(e for p, e in ant.items() if '"hot"' in p)
    assert "cold" in hot.accepted
    cats = wi.category_pool()
    assert {e.response for e in cats} <= set(wi.CATEGORIES)
    for name, (_, _, _, pool) in wi.TASKS.items():
        assert len(pool()) > 2000, name


def test_train_and_test_are_disjoint_by_lemma_across_all_tasks(wi) -> None:  # noqa: ANN001
    prof = LM_PROFILES["standard"]
    stream = wi.build_stream("wordnet-instruct", prof, seed=0)
    train_keys = {e.key for t in stream.tasks for e in t.train}
    test_keys = {e.key for t in stream.tasks for e in t.test}
    assert train_keys.isdisjoint(test_keys)
    assert all(not held_out(k) for k in train_keys) and all(held_out(k) for k in test_keys)
    assert [t.name for t in stream.tasks] == list(wi.ORDERS["wordnet-instruct"])
    assert all(len(t.train) == prof.train_per_task and len(t.test) == prof.test_per_task for t in stream.tasks)
    assert stream.info["source_package"] == "wordnet-base" and set(stream.info["source_sha256"]) == {"data.noun", "data.verb", "data.adj"}


def test_seed_changes_training_data_not_test_data(wi) -> None:  # noqa: ANN001
    prof = LM_PROFILES["standard"]
    a, b = (wi.build_stream("wordnet-instruct", prof, seed=s) for s in (0, 1))
    assert [t.test for t in a.tasks] == [t.test for t in b.tasks]
    assert [t.train for t in a.tasks] != [t.train for t in b.tasks]


def test_profile_task_count_and_orders(wi) -> None:  # noqa: ANN001
    smoke = wi.build_stream("wordnet-instruct-order2", LM_PROFILES["smoke"], seed=0)
    assert [t.name for t in smoke.tasks] == list(wi.ORDERS["wordnet-instruct-order2"][:3])
    with pytest.raises(ValueError, match="at least 2"):
        wi.build_stream("wordnet-instruct", replace(LM_PROFILES["smoke"], tasks=1), seed=0)


def test_probe_asks_capitals_no_task_trains(wi) -> None:  # noqa: ANN001
    pool = wi.capital_pool()
    assert len(pool) > 100
    by_country = {e.key: e for e in pool}
    assert "Lima" in by_country["Peru"].accepted and "Nairobi" in by_country["Kenya"].accepted
    probe = wi.build_probe(16)
    assert probe.scoring == "contains" and len(probe.examples) == 16
    assert all("capital" in e.prompt for e in probe.examples)


def test_split_sample_refuses_too_few(wi) -> None:  # noqa: ANN001
    pool = wi.antonym_pool()[:10]
    with pytest.raises(ValueError, match="needed"):
        split_sample(pool, 50, 5, 0, "antonym")
