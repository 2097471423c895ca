"""The standard CL benchmark loader on small local files in the Hugging Face datasets' format (no download)."""

from __future__ import annotations

import csv
import json
import sys
import types
from pathlib import Path

import pytest

from reproductions.benchmarks import get_benchmark, standard_cl
from reproductions.profiles import get_profile
from reproductions.streams import StreamError

# One row shape per hub dataset (the field names of fancyzhx/ag_news, Yelp/yelp_review_full, ...).
ROWS = {
    "ag_news": lambda i, y: {"text": f"news story {i}", "label": y},
    "yelp": lambda i, y: {"text": f"yelp review {i}", "label": y},
    "amazon": lambda i, y: {"title": f"title {i}", "content": f"amazon review {i}", "label": y},
    "dbpedia": lambda i, y: {"title": f"Entity {i}", "content": f"entity description {i}", "label": y},
    "yahoo": lambda i, y: {"id": i, "topic": y, "question_title": f"q {i}", "question_content": "", "best_answer": f"a {i}"},
}


def write_local(root: Path, per_class: int = 3, fmt: str = "jsonl") -> None:
    for name, make in ROWS.items():
        n_labels = len(standard_cl.SOURCES[name].label_names)
        for split in ("train", "test"):
            rows = [make(f"{split}{i}-{y}", y) for y in range(n_labels) for i in range(per_class)]
            d = root / name
            d.mkdir(parents=True, exist_ok=True)
            if fmt == "jsonl":
                (d / f"{split}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
            else:
                with (d / f"{split}.csv").open("w", newline="") as fh:
                    w = csv.DictWriter(fh, fieldnames=list(rows[0]))
                    w.writeheader()
                    w.writerows(rows)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_local_files_build_the_33_class_stream(tmp_path: Path, fmt: str) -> None:
    write_local(tmp_path, fmt=fmt)
    prof = get_profile("smoke")  # 6 train + 2 test per class > 3 available: use a smaller override below
    from dataclasses import replace

    prof = replace(prof, train_per_class=2, test_per_class=1)
    s = get_benchmark("standard-cl-order1").build(prof, 0, {"data_dir": str(tmp_path)})
    assert s.task_names == ["yelp", "ag_news", "dbpedia", "amazon", "yahoo"]
    assert s.num_classes == 33  # yelp and amazon share the 5 star labels; AG and Yahoo "Sports" do not merge
    assert s.tasks[0].classes == s.tasks[3].classes
    assert [len(t.train) for t in s.tasks] == [10, 8, 28, 10, 20]
    amazon = s.tasks[3].train[0].text
    assert amazon.startswith("title ") and "amazon review" in amazon  # title + content joined
    yahoo = s.tasks[4].train[0].text
    assert yahoo.startswith("q ") and " a " in yahoo  # empty question_content skipped
    again = get_benchmark("standard-cl-order1").build(prof, 0, {"data_dir": str(tmp_path)})
    assert [t.train for t in s.tasks] == [t.train for t in again.tasks]
    o2 = get_benchmark("standard-cl-order2").build(prof, 0, {"data_dir": str(tmp_path)})
    assert o2.task_names == ["dbpedia", "yahoo", "ag_news", "amazon", "yelp"]


def test_env_var_selects_local_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    write_local(tmp_path)
    monkeypatch.setenv("CLATLAS_STANDARD_CL_DIR", str(tmp_path))
    s = get_benchmark("standard-cl-order3").build(replace(get_profile("smoke"), train_per_class=1, test_per_class=1), 0, {})
    assert s.task_names == ["yelp", "yahoo", "amazon", "dbpedia", "ag_news"]


def test_missing_split_and_bad_label(tmp_path: Path) -> None:
    write_local(tmp_path, per_class=6)
    (tmp_path / "yelp" / "test.jsonl").unlink()
    with pytest.raises(StreamError, match="test"):
        standard_cl.load_task_records("yelp", get_profile("smoke"), 0, tmp_path)
    (tmp_path / "ag_news" / "train.jsonl").write_text(json.dumps({"text": "x", "label": 9}) + "\n")
    with pytest.raises(StreamError, match="outside"):
        standard_cl.load_task_records("ag_news", get_profile("smoke"), 0, tmp_path)


def test_hub_path_calls_datasets_load_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def load_dataset(hub_id, config, split):  # noqa: ANN001, ANN202 - stand-in for datasets.load_dataset
        calls.append((hub_id, config, split))
        return [{"text": f"t{i}", "label": i % 4} for i in range(12)]

    monkeypatch.setitem(sys.modules, "datasets", types.SimpleNamespace(load_dataset=load_dataset))
    from dataclasses import replace

    tr, te = standard_cl.load_task_records("ag_news", replace(get_profile("smoke"), train_per_class=2, test_per_class=1), 0)
    assert calls == [("fancyzhx/ag_news", None, "train"), ("fancyzhx/ag_news", None, "test")]
    assert len(tr) == 8 and len(te) == 4


def test_hub_without_datasets_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from reproductions.deps import MissingDependencyError

    monkeypatch.setitem(sys.modules, "datasets", None)
    monkeypatch.delenv("CLATLAS_STANDARD_CL_DIR", raising=False)
    with pytest.raises(MissingDependencyError, match=r"clatlas\[hf\]"):
        standard_cl.load_rows("yelp", "train")
