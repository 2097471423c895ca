"""Answer scoring of the generative benchmark: normalisation, exact match, containment, ROUGE-L."""

from __future__ import annotations

import pytest

from reproductions.lm.scoring import lcs_length, normalise, rouge_l, score


def test_normalise_keeps_words_drops_format() -> None:
    assert normalise("  The Cold.\nsecond line") == "cold"
    assert normalise("well-known, isn't it?") == "well-known isn't it"
    assert normalise("") == ""


def test_exact_match_needs_the_bare_answer() -> None:
    assert score("Cold.", ("cold",), "exact") == 100.0
    assert score("an apple", ("apple", "fruit"), "exact") == 100.0
    assert score("The antonym is cold.", ("cold",), "exact") == 0.0  # a sentence is not the asked format
    assert score("", ("cold",), "exact") == 0.0


def test_contains_accepts_sentences_on_word_boundaries() -> None:
    assert score("The capital of Peru is Lima.", ("Lima",), "contains") == 100.0
    assert score("Limassol", ("Lima",), "contains") == 0.0
    assert score("St. John's is the capital", ("St. John's",), "contains") == 100.0


def test_rouge_l_is_lcs_f1() -> None:
    assert lcs_length("a b c d".split(), "a c d e".split()) == 3
    assert rouge_l("a tool for cutting wood", "a tool for cutting wood") == pytest.approx(100.0)
    # LCS "tool for wood" = 3 of 4 answer tokens and 3 of 5 reference tokens: F1 = 2*.75*.6/1.35
    assert rouge_l("big tool for wood", "one tool for cutting wood") == pytest.approx(100 * 2 * 0.75 * 0.6 / 1.35)
    assert rouge_l("big tool for wood", "a tool for cutting wood") == pytest.approx(75.0)  # leading article dropped
    assert rouge_l("nothing shared", "a tool") == 0.0
    assert score("x", ("a tool", "x"), "rouge-l") == 100.0  # best reference counts


def test_unknown_scoring_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scoring"):
        score("a", ("a",), "bleu")
