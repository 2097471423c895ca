"""Batched greedy decoding of answers, and scoring a task or probe with it.

Prompts are padded on the left so that each row's new tokens follow its own
last prompt token; ``generate`` derives position ids from the attention mask.
Prompts are sorted by length before batching to waste little compute on
padding, and answers are returned in the original order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reproductions.deps import require
from reproductions.lm.batches import prompt_text
from reproductions.lm.instructions import InstructionExample
from reproductions.lm.scoring import score

torch = require("torch")


@torch.no_grad()
def generate(model: Any, tokenizer: Any, prompts: Sequence[str], max_new_tokens: int, batch_size: int, device: Any = None) -> list[str]:
    """Greedy answers (special tokens removed) to user ``prompts`` under the chat template."""
    model.eval()
    texts = [prompt_text(tokenizer, p) for p in prompts]
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out: list[str] = [""] * len(texts)
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        enc = tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True, add_special_tokens=False)
        if device is not None:
            enc = {k: v.to(device) for k, v in enc.items()}
        gen = model.generate(**enc, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id)
        answers = tokenizer.batch_decode(gen[:, enc["input_ids"].shape[1] :], skip_special_tokens=True)
        for i, a in zip(idx, answers):
            out[i] = a.strip()
    return out


def answer_score(method: Any, examples: Sequence[InstructionExample], scoring: str, max_new_tokens: int, batch_size: int) -> float:
    """A method's greedy answers to ``examples`` (its own ``answer``: a method may pick a model per prompt), scored in percent."""
    answers = method.answer([e.prompt for e in examples], max_new_tokens, batch_size)
    return round(score_examples(answers, examples, scoring), 4)


def score_examples(answers: Sequence[str], examples: Sequence[InstructionExample], scoring: str) -> float:
    """Mean score in percent of ``answers`` against the examples' accepted answers."""
    if not examples:
        raise ValueError("no examples to score")
    return sum(score(a, ex.accepted, scoring) for a, ex in zip(answers, examples)) / len(examples)
