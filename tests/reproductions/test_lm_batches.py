"""Chat-template training batches: loss on response tokens only, right padding; decoding with left padding."""

from __future__ import annotations

import pytest
from support.lm import need_smollm2

from reproductions.lm.instructions import InstructionExample

EX = InstructionExample('Give the antonym of the adjective "hot". Answer with one word.', "cold", ("cold",), "cold")


@pytest.fixture(scope="module")
def tok():  # noqa: ANN201
    need_smollm2()
    from reproductions.lm.backbone import load_tokenizer

    return load_tokenizer()


def test_labels_cover_exactly_the_response_and_end_of_turn(tok) -> None:  # noqa: ANN001
    from reproductions.lm.batches import IGNORE, encode_example

    e = encode_example(tok, EX, 96)
    assert len(e.input_ids) == len(e.labels)
    first = next(i for i, x in enumerate(e.labels) if x != IGNORE)
    assert all(x == IGNORE for x in e.labels[:first]) and all(x != IGNORE for x in e.labels[first:])
    target = tok.decode(list(e.labels[first:]))
    assert target.startswith("cold") and tok.eos_token in target  # the model learns to stop
    assert "antonym" in tok.decode(list(e.input_ids[:first]))  # the prompt is input, not target


def test_long_responses_are_cut_and_long_prompts_refused(tok) -> None:  # noqa: ANN001
    from reproductions.lm.batches import encode_example

    e = encode_example(tok, InstructionExample("Define it.", "word " * 200, ("x",), "k"), 64)
    assert len(e.input_ids) == 64
    with pytest.raises(ValueError, match="does not fit"):
        encode_example(tok, InstructionExample("word " * 200, "x", ("x",), "k"), 64)


def test_collate_pads_right_and_masks_padding(tok) -> None:  # noqa: ANN001
    from reproductions.lm.batches import IGNORE, collate, encode_example

    a = encode_example(tok, EX, 96)
    b = encode_example(tok, InstructionExample("Name a capital.", "Paris is the capital of France.", ("Paris",), "k"), 96)
    batch = collate([a, b], tok.pad_token_id)
    short = 0 if len(a.input_ids) < len(b.input_ids) else 1
    n = min(len(a.input_ids), len(b.input_ids))
    assert batch["attention_mask"][short, :n].all() and not batch["attention_mask"][short, n:].any()
    assert (batch["labels"][short, n:] == IGNORE).all()
