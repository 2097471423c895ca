"""``wordnet-instruct``: continual instruction tuning on five WordNet 3.0 instruction kinds.

Why WordNet: real lexical data that nobody on this project wrote, installed
offline from Debian (``wordnet-base``), rich enough for several instruction
kinds with different output formats, each checkable without a judge model.
Tasks (scoring in :mod:`reproductions.lm.scoring`):

* ``antonym`` — give the antonym of an adjective (``!`` pointers of
  ``data.adj``); exact match against any antonym of the word.
* ``hypernym`` — name the more general term of a monosemous noun (its ``@``
  pointers); exact match against any lemma of any hypernym.
* ``category`` — name the lexicographer category of a monosemous noun from a
  listed set of ten (``noun.animal`` → "animal"); exact match.
* ``reverse`` — which word has this definition (a monosemous noun's gloss);
  exact match against any one-word lemma of the synset.
* ``definition`` — write a short definition of a monosemous noun; ROUGE-L F1
  against the WordNet gloss.

Only monosemous nouns (one noun synset) are used where a word is asked
about, so the expected answer is not ambiguous between senses. Train and
test are disjoint by lemma across all tasks (:func:`held_out`). The general
probe (``capitals``) asks for the capital of a country, built from WordNet's
own "capital of X" lemmas and glosses, a kind of question no task trains.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

from reproductions.benchmarks import BenchmarkSpec, register_benchmark
from reproductions.benchmarks.wordnet import wordnet_dir
from reproductions.lm.instructions import InstructionExample, InstructionStream, InstructionTask, Probe, held_out, split_sample
from reproductions.lm.profiles import LMProfile
from reproductions.lm.wordnet_lexicon import Synset, file_hashes, load_lexicon

CATEGORIES: tuple[str, ...] = (
    "animal",
    "artifact",
    "body",
    "food",
    "location",
    "person",
    "plant",
    "substance",
    "time",
    "feeling",
)
ORDERS: dict[str, tuple[str, ...]] = {
    "wordnet-instruct": ("antonym", "hypernym", "category", "reverse", "definition"),
    "wordnet-instruct-order2": ("definition", "reverse", "category", "hypernym", "antonym"),
    "wordnet-instruct-order3": ("category", "definition", "antonym", "reverse", "hypernym"),
}
_WORD = re.compile(r"^[a-z][a-z-]*[a-z]$")
_CAPITAL_GLOSS = re.compile(r"^(?:the )?capital (?:and largest city )?of ((?:the )?[A-Z][\w'.-]*(?: [A-Z][\w'.-]*)*)")


def _single(word: str) -> bool:
    return bool(_WORD.match(word))


@lru_cache(maxsize=2)
def _noun_senses() -> dict[str, list[Synset]]:
    senses: dict[str, list[Synset]] = defaultdict(list)
    for s in load_lexicon().values():
        if s.pos == "n":
            for lemma in s.lemmas:
                senses[lemma.lower()].append(s)
    return senses


def _monosemous_nouns() -> list[tuple[str, Synset]]:
    """(word, synset) for lower-case one-word nouns that have exactly one noun sense."""
    return [(w, ss[0]) for w, ss in sorted(_noun_senses().items()) if len(ss) == 1 and _single(w) and w in ss[0].lemmas]


def antonym_pool() -> list[InstructionExample]:
    lex = load_lexicon()
    answers: dict[str, set[str]] = defaultdict(set)
    for s in lex.values():
        if s.pos != "a":
            continue
        for p in s.pointers:
            if p.symbol == "!" and p.source and p.target:
                word, other = s.lemmas[p.source - 1], lex[(p.pos, p.offset)].lemmas[p.target - 1]
                if _single(word) and _single(other):
                    answers[word].add(other)
    return [
        InstructionExample(
            f'Give the antonym of the adjective "{w}". Answer with one word.',
            sorted(a)[0],
            tuple(sorted(a)),
            min(w, *a),  # a pair and its reverse share one key, so they land on the same side
        )
        for w, a in sorted(answers.items())
    ]


def hypernym_pool() -> list[InstructionExample]:
    lex = load_lexicon()
    out = []
    for w, s in _monosemous_nouns():
        hyps = [lex[(p.pos, p.offset)] for p in s.pointers if p.symbol == "@"]
        accepted = sorted({lemma for h in hyps for lemma in h.lemmas if lemma.lower() == lemma})
        if accepted:
            out.append(
                InstructionExample(f'Name a more general term (a hypernym) for the noun "{w}". Answer with the term only.', accepted[0], tuple(accepted), w)
            )
    return out


def category_pool() -> list[InstructionExample]:
    choices = ", ".join(CATEGORIES)
    out = []
    for w, s in _monosemous_nouns():
        cat = s.lexname.split(".", 1)[1]
        if cat in CATEGORIES:
            out.append(
                InstructionExample(f'Which of these categories does the noun "{w}" belong to: {choices}? Answer with the category only.', cat, (cat,), w)
            )
    return out


def reverse_pool() -> list[InstructionExample]:
    out = []
    for w, s in _monosemous_nouns():
        words = tuple(sorted(x for x in s.lemmas if _single(x)))
        if s.definition and w not in s.definition.lower():
            out.append(InstructionExample(f'Which noun means "{s.definition}"? Answer with one word.', w, words, w))
    return out


def definition_pool() -> list[InstructionExample]:
    out = []
    for w, s in _monosemous_nouns():
        n = len(s.definition.split())
        if 4 <= n <= 16:
            out.append(InstructionExample(f'Write a short dictionary definition of the noun "{w}".', s.definition, (s.definition,), w))
    return out


TASKS: dict[str, tuple[str, str, int, Any]] = {
    # name: (description, scoring, max_new_tokens, pool builder)
    "antonym": ("antonym of an adjective, one word", "exact", 6, antonym_pool),
    "hypernym": ("more general term of a noun", "exact", 8, hypernym_pool),
    "category": ("one of ten WordNet noun categories", "exact", 4, category_pool),
    "reverse": ("the noun that a definition defines", "exact", 6, reverse_pool),
    "definition": ("a short definition of a noun", "rouge-l", 16, definition_pool),
}


def capital_pool() -> list[InstructionExample]:
    """(country → capital) questions from WordNet lemmas "capital of X" and glosses "(the) capital of X"."""
    pairs: dict[str, set[str]] = defaultdict(set)
    for s in load_lexicon().values():
        if s.pos != "n" or s.lexname != "noun.location":
            continue
        city = s.lemmas[0]
        countries = [lemma[len("capital of ") :] for lemma in s.lemmas if lemma.startswith("capital of ")]
        m = _CAPITAL_GLOSS.match(s.definition)
        if m:
            countries.append(m.group(1))
        for c in countries:
            if city[0].isupper() and c[0].isupper() and "capital" not in city.lower():
                pairs[c].add(city)
    return [InstructionExample(f"What is the capital of {c}?", sorted(cities)[0], tuple(sorted(cities)), c) for c, cities in sorted(pairs.items())]


def build_probe(size: int) -> Probe:
    pool = capital_pool()
    if len(pool) < size:
        raise ValueError(f"probe capitals: {len(pool)} questions, {size} needed")
    import random

    return Probe(
        "capitals",
        "capital of a country (WordNet), answered in free form; correct if the answer names the capital",
        "contains",
        12,
        random.Random("capitals").sample(pool, size),
    )


def build_stream(benchmark: str, profile: LMProfile, seed: int) -> InstructionStream:
    tasks = []
    order = ORDERS[benchmark][: profile.tasks]
    if len(order) < 2:
        raise ValueError(f"profile {profile.name!r} keeps {profile.tasks} task(s); a continual stream needs at least 2")
    for name in order:
        desc, scoring, max_new, pool = TASKS[name]
        train, test = split_sample(pool(), profile.train_per_task, profile.test_per_task, seed, name)
        tasks.append(InstructionTask(name, desc, scoring, max_new, train, test))
    info = {"source": str(wordnet_dir()), "source_package": "wordnet-base", "source_sha256": file_hashes(), "order": list(order)}
    return InstructionStream(tasks, build_probe(profile.probe_size), "TIL", info)


def _builder(benchmark: str):  # noqa: ANN202 - a BuildFn
    def _build(profile: Any, seed: int, options: dict[str, Any]) -> InstructionStream:
        return build_stream(benchmark, profile, seed)

    return _build


for _name, _order in ORDERS.items():
    register_benchmark(
        BenchmarkSpec(
            _name,
            "TIL",
            "WordNet 3.0 continual instruction tuning, 5 instruction kinds (" + " → ".join(_order) + "); generative",
            _builder(_name),
            needs="wordnet-base",
            kind="generate",
        )
    )

__all__ = ["ORDERS", "TASKS", "build_stream", "capital_pool", "held_out"]
