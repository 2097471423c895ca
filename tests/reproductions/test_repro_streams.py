"""Streams (TIL/CIL/DIL, online hard/blurry) and the WordNet benchmark builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.repro import WORDNET_FIXTURE, use_wordnet_fixture

from reproductions.profiles import get_profile
from reproductions.streams import Record, StreamError, build_offline, build_online, sample_per_class


def records(tasks: dict[str, list[str]], n: int) -> list[Record]:
    return [Record(f"{t} {lab} {i}", lab, t) for t, labs in tasks.items() for lab in labs for i in range(n)]


TASKS = {"a": ["x", "y"], "b": ["z", "w"], "c": ["u", "v"]}


def test_cil_and_til_share_one_output_space_in_task_order() -> None:
    s = build_offline(records(TASKS, 3), records(TASKS, 1), ["b", "a", "c"], "CIL")
    assert s.label_names == ["z", "w", "x", "y", "u", "v"]
    assert [t.classes for t in s.tasks] == [[0, 1], [2, 3], [4, 5]]
    assert s.task_names == ["b", "a", "c"]
    assert all(e.task == 1 for e in s.tasks[1].train)
    til = build_offline(records(TASKS, 3), records(TASKS, 1), ["b", "a", "c"], "TIL")
    assert til.label_names == s.label_names and til.scenario == "TIL"


def test_shared_labels_map_to_one_output() -> None:
    tasks = {"yelp": ["1", "2"], "amazon": ["1", "2"], "ag": ["w", "s"]}
    s = build_offline(records(tasks, 2), records(tasks, 1), ["yelp", "ag", "amazon"], "CIL")
    assert s.num_classes == 4
    assert s.tasks[0].classes == s.tasks[2].classes


def test_dil_requires_same_labels() -> None:
    same = {"d1": ["p", "n"], "d2": ["p", "n"]}
    s = build_offline(records(same, 2), records(same, 1), ["d1", "d2"], "DIL")
    assert s.num_classes == 2
    with pytest.raises(StreamError, match="same labels"):
        build_offline(records(TASKS, 2), records(TASKS, 1), list(TASKS), "DIL")


def test_offline_errors() -> None:
    with pytest.raises(StreamError, match="unknown offline scenario"):
        build_offline([], [], [], "XIL")
    with pytest.raises(StreamError, match="no train or test"):
        build_offline(records(TASKS, 1), records(TASKS, 1), ["a", "zz"], "CIL")
    with pytest.raises(StreamError, match="repeats"):
        build_offline(records(TASKS, 1), records(TASKS, 1), ["a", "a"], "CIL")


def test_hard_online_keeps_tasks_apart() -> None:
    off = build_offline(records(TASKS, 10), records(TASKS, 2), list(TASKS), "CIL")
    on = build_online(off, "hard", seed=1)
    assert on.scenario == "HTB" and on.online and on.boundaries_known
    for t, task in enumerate(on.tasks):
        assert {e.task for e in task.train} == {t}
        assert sorted(map(str, task.train)) == sorted(map(str, off.tasks[t].train))


def test_blurry_share_moves_exactly_that_share_to_neighbours() -> None:
    off = build_offline(records(TASKS, 10), records(TASKS, 2), list(TASKS), "CIL")  # 20 per task
    on = build_online(off, "blurry", blurry_share=0.25, seed=3)
    assert on.scenario == "BTB" and not on.boundaries_known
    total_foreign = 0
    for t, task in enumerate(on.tasks):
        foreign = [e for e in task.train if e.task != t]
        assert all(abs(e.task - t) == 1 for e in foreign)  # only neighbours mix in
        total_foreign += len(foreign)
    assert total_foreign == 3 * 5  # round(0.25 * 20) leave each task
    for t in range(3):  # each task kept 15 of its own
        assert sum(e.task == t for e in on.tasks[t].train) == 15
    assert sum(len(t.train) for t in on.tasks) == 60  # nothing lost or duplicated
    assert [t.test for t in on.tasks] == [t.test for t in off.tasks]


def test_online_is_deterministic_in_seed() -> None:
    off = build_offline(records(TASKS, 10), records(TASKS, 2), list(TASKS), "CIL")
    a = build_online(off, "blurry", 0.3, seed=5)
    b = build_online(off, "blurry", 0.3, seed=5)
    c = build_online(off, "blurry", 0.3, seed=6)
    assert [t.train for t in a.tasks] == [t.train for t in b.tasks]
    assert [t.train for t in a.tasks] != [t.train for t in c.tasks]
    with pytest.raises(StreamError):
        build_online(off, "blurry", 1.5)
    with pytest.raises(StreamError):
        build_online(off, "soft")


def test_sample_per_class_disjoint_and_deterministic() -> None:
    recs = records({"a": ["x", "y"]}, 10)
    tr = sample_per_class(recs, 6, "k")
    te = sample_per_class(recs, 4, "k", skip=6)
    assert not {r.text for r in tr} & {r.text for r in te}
    assert tr == sample_per_class(recs, 6, "k")
    with pytest.raises(StreamError, match="needed"):
        sample_per_class(recs, 11, "k")


def test_wordnet_fixture_parses_and_builds_5x4(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    use_wordnet_fixture(monkeypatch, tmp_path)
    from reproductions.benchmarks import get_benchmark, wordnet

    corpus = wordnet.load_corpus()
    assert len(corpus) == 320
    assert all(not text.startswith('"') and "|" not in text for _, text in corpus)
    tasks = wordnet.choose_tasks(corpus)
    assert len(tasks) == 5 and all(len(t) == 4 for t in tasks)
    assert len({c for t in tasks for c in t}) == 20 and "noun.Tops" not in {c for t in tasks for c in t}
    cache = list((tmp_path / "cache").glob("wordnet-*.json"))
    assert len(cache) == 1 and json.loads(cache[0].read_text())["sha256"] == wordnet.source_hash(WORDNET_FIXTURE)
    assert wordnet.load_corpus() == corpus  # from the cache

    prof = get_profile("smoke")
    s1 = get_benchmark("wordnet-5x4").build(prof, 0, {})
    s2 = get_benchmark("wordnet-5x4").build(prof, 0, {})
    s3 = get_benchmark("wordnet-5x4").build(prof, 1, {})
    assert s1.scenario == "CIL" and s1.num_classes == 20 and len(s1.tasks) == 5
    assert all(len(t.train) == 4 * prof.train_per_class and len(t.test) == 4 * prof.test_per_class for t in s1.tasks)
    assert [t.train for t in s1.tasks] == [t.train for t in s2.tasks]
    assert [t.train for t in s1.tasks] != [t.train for t in s3.tasks]
    assert s1.task_names == s3.task_names  # the task cut never depends on the seed
    dil = get_benchmark("wordnet-5x4-dil").build(prof, 0, {})
    assert dil.num_classes == 4
    btb = get_benchmark("wordnet-5x4-online-btb").build(prof, 0, {"blurry_share": 0.25})
    assert btb.scenario == "BTB" and btb.info["blurry_share"] == 0.25


def test_wordnet_missing_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLATLAS_WORDNET_DIR", str(tmp_path / "nowhere"))
    from reproductions.benchmarks import wordnet

    with pytest.raises(wordnet.WordNetNotFoundError, match="apt-get install -y wordnet-base"):
        wordnet.load_corpus()
