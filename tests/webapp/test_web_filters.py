"""The shared filter parser, FTS escaping and match marking, without HTTP."""

from __future__ import annotations

import sqlite3

import pytest

from catalog.taxonomy import load_taxonomy
from webapp.filters import FilterError, PaperFilter, Vocabulary, fts_query, parse_filter
from webapp.textmatch import mark, snippet

VOCAB = Vocabulary(load_taxonomy(), frozenset({"ACL 2024", "arXiv"}), frozenset({"method", "survey"}), frozenset({"trace"}))


def test_parse_full_state_round_trips():
    params = [
        ("family", "LLM"),
        ("family", "VLM"),
        ("increment", "TIL"),
        ("setting", "offline"),
        ("venue", "arXiv"),
        ("year_min", "2020"),
        ("has_code", "yes"),
        ("q", "lora adapters"),
        ("sort", "title"),
        ("page", "2"),
        ("per_page", "50"),
        ("dataset", "trace"),
    ]
    f = parse_filter(params, VOCAB)
    assert f.family == ("LLM", "VLM") and f.has_code is True and f.year_min == 2020 and f.page == 2
    assert parse_filter(f.params(), VOCAB) == f


def test_errors_are_collected_together():
    with pytest.raises(FilterError) as exc:
        parse_filter([("family", "llm"), ("page", "x"), ("bogus", "1")], VOCAB)
    text = " | ".join(exc.value.errors)
    assert "did you mean 'LLM'" in text and "page must be a whole number" in text and "unknown parameter 'bogus'" in text


def test_toggle_href_matches_toggled():
    f = PaperFilter(family=("LLM",), venue=("arXiv",), q="x", fts_query='"x"', page=3, sort="title")
    for name, value in [("family", "LLM"), ("family", "PLM"), ("setting", "offline"), ("venue", "ACL 2024"), ("dataset", "trace"), ("kind", "method")]:
        assert f.toggle_href(name, value) == f.toggled(name, value).href()
    assert "page=" not in f.toggle_href("family", "PLM")


@pytest.mark.parametrize("q", ['"', 'a"b', "NEAR(a b)", "a AND", "OR", "*", "col:val", "(", "^x", "-", "😀 lora", "été", "a\x00b"])
def test_fts_query_is_always_valid_fts5(q):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO t VALUES ('lora adapters for continual learning')")
    expr = fts_query(q)
    if expr:
        con.execute("SELECT * FROM t WHERE t MATCH ?", (expr,)).fetchall()


def test_fts_prefix_and_words():
    # every word of two or more characters is a prefix; a typed * changes nothing
    assert fts_query("LoRA adapt*") == '"LoRA"* "adapt"*'
    assert fts_query("a LoRA") == '"a" "LoRA"*'
    assert fts_query("  ") == ""
    assert fts_query("*** !!") == ""  # no searchable word: the page says so


def test_fts_words_with_inner_punctuation_are_phrases():
    assert fts_query("MoE-Adapters4CL") == '"MoE Adapters4CL"*'
    assert fts_query("2310.15694") == '"2310 15694"*'


def test_fts_prefix_matches_with_the_stemmer():
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61 remove_diacritics 2', prefix='2 3')")
    con.execute("INSERT INTO t VALUES ('continual learning with MoE-Adapters4CL, arXiv 2310.15694')")
    for q in ("contin", "continual", "continually", "learn", "moe-adapters4cl", "2310.15694", "MoE-Adapt"):
        assert con.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts_query(q),)).fetchone()[0] == 1, q
    for q in ("adapters4cl-moe", "15694.2310", "lorax"):
        assert con.execute("SELECT count(*) FROM t WHERE t MATCH ?", (fts_query(q),)).fetchone()[0] == 0, q


def test_mark_and_snippet():
    assert mark("Continual <b>LoRA</b>", "lora") == "Continual <b>\ue000LoRA\ue001</b>"
    assert mark("Résumé", "resume") == "\ue000Résumé\ue001"
    assert mark("nothing here", "lora") == "nothing here"
    s = snippet(" ".join(f"w{i}" for i in range(60)) + " LoRA " + " ".join(f"v{i}" for i in range(60)), "lora")
    assert s.startswith("…") and s.endswith("…") and "\ue000LoRA\ue001" in s
    assert snippet("no match", "lora") is None
