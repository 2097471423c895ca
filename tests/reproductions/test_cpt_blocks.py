"""Token blocks for continual pre-training: packing, sampling, labels, and the stream's block sample."""

from __future__ import annotations

import pytest

from reproductions.lm.cpt import blocks
from reproductions.lm.cpt.stream import DomainText, TextDocument, TextStream
from reproductions.streams import StreamError


class CharTokenizer:
    """One token per character (its code point); end-of-text is 0."""

    eos_token_id = 0

    def __call__(self, texts: list[str], add_special_tokens: bool = True, verbose: bool = True) -> dict[str, list[list[int]]]:
        assert add_special_tokens is False
        return {"input_ids": [[ord(c) for c in t] for t in texts]}


def doc(name: str, text: str) -> TextDocument:
    return TextDocument(name, "0" * 64, text)


def test_token_stream_separates_documents_with_eos() -> None:
    assert blocks.token_stream(CharTokenizer(), [doc("a", "ab"), doc("b", "c")]) == [97, 98, 0, 99, 0]
    assert blocks.token_stream(CharTokenizer(), []) == []


def test_pack_makes_full_consecutive_blocks_and_drops_the_rest() -> None:
    assert blocks.pack(list(range(10)), 4) == [(0, 1, 2, 3), (4, 5, 6, 7)]
    assert blocks.pack([1, 2, 3], 4) == []
    with pytest.raises(ValueError):
        blocks.pack([1, 2, 3], 1)


def test_blocks_are_examples_with_the_loss_on_every_token() -> None:
    ex = blocks.as_examples([(5, 6, 7)])[0]
    assert ex.input_ids == ex.labels == (5, 6, 7)
    assert ex.response_tokens == 3


def test_sample_is_seeded_and_checks_supply() -> None:
    pool: list[blocks.Block] = [(i, i) for i in range(20)]
    a, b = blocks.sample(pool, 5, "k", "x"), blocks.sample(pool, 5, "k", "x")
    assert a == b and len(set(a)) == 5
    assert blocks.sample(pool, 5, "other", "x") != a
    with pytest.raises(StreamError, match="3 blocks available, 4 needed"):
        blocks.sample(pool[:3], 4, "k", "domain toy")


def _stream() -> TextStream:
    dom = [DomainText(n, n, f"{n}-pkg", [doc(f"{n}{i}", n * 40) for i in range(6)], [doc(f"{n}h", n.upper() * 60)]) for n in ("ab", "cd")]
    return TextStream(dom, DomainText("gen", "general", "g-pkg", [], [doc("g", "general text " * 20)]), "DIL", {"k": 1})


def test_make_blocks_keeps_sides_apart_and_fixes_the_heldout_sample() -> None:
    s0 = blocks.make_blocks(_stream(), CharTokenizer(), 8, 6, 3, 2, seed=0)
    s1 = blocks.make_blocks(_stream(), CharTokenizer(), 8, 6, 3, 2, seed=1)
    assert s0.domain_names == ["ab", "cd"] and s0.block_size == 8 and s0.info == {"k": 1}
    d = s0.domains[0]
    assert len(d.train) == 6 and len(d.heldout) == 3 and len(s0.general) == 2
    train_chars = {chr(t) for e in d.train for t in e.input_ids if t}
    held_chars = {chr(t) for e in d.heldout for t in e.input_ids if t}
    assert train_chars <= {"a", "b"} and held_chars <= {"A", "B"}  # held-out documents never reach training
    assert all(len(e.input_ids) == 8 for e in d.train + d.heldout)
    assert s0.domains[0].heldout == s1.domains[0].heldout and s0.general == s1.general  # same text scored for every seed
    assert s0.domains[0].train != s1.domains[0].train or s0.domains[1].train != s1.domains[1].train


def test_make_blocks_reports_a_domain_too_small() -> None:
    with pytest.raises(StreamError, match="domain ab \\(held-out side\\)"):
        blocks.make_blocks(_stream(), CharTokenizer(), 8, 6, 50, 2, seed=0)
