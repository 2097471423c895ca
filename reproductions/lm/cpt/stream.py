"""A domain stream for continual pre-training: per domain, training and held-out documents as text.

Train and held-out are split by DOCUMENT, never inside one: a stable hash of
the document's name puts 1 in :data:`HELDOUT_SHARE` documents on the held-out
side, the same on every machine, seed and run, so held-out text is never
seen in training, not even as a neighbouring paragraph. The general text is
held out whole: no stage trains on any of it. Pure Python (no torch); the
tokenizer-dependent part (token blocks) is :mod:`reproductions.lm.cpt.blocks`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from reproductions.lm.cpt.corpora import CorpusSpec, Document, corpus_info, documents, get_corpus, text_of
from reproductions.lm.instructions import Probe
from reproductions.streams import StreamError

HELDOUT_SHARE = 5  # 1 document in 5 is held out


@dataclass(frozen=True)
class TextDocument:
    """One document's name, content hash and plain text."""

    name: str
    sha256: str
    text: str


@dataclass
class DomainText:
    """One domain (one corpus): its training and held-out documents."""

    name: str
    description: str
    package: str
    train: list[TextDocument]
    heldout: list[TextDocument]


@dataclass
class TextStream:
    """An ordered sequence of domains plus a general text no stage trains on, and optionally a chat probe.

    The probe asks the chat model questions no stage trains (as the
    instruction benchmark does), before the stream and after every stage:
    whether continued pre-training erodes what the chat model answers.
    """

    domains: list[DomainText]
    general: DomainText
    scenario: str = "DIL"
    info: dict[str, Any] = field(default_factory=dict)
    probe: Probe | None = None

    @property
    def domain_names(self) -> list[str]:
        return [d.name for d in self.domains]


def held_out(name: str, share: int = HELDOUT_SHARE) -> bool:
    """Whether the document called ``name`` is on the held-out side (1 in ``share``), by a stable hash."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % share == 0


def split_documents(docs: list[Document], share: int = HELDOUT_SHARE) -> tuple[list[Document], list[Document]]:
    """(train, held-out) documents; both must be non-empty."""
    train = [d for d in docs if not held_out(d.name, share)]
    test = [d for d in docs if held_out(d.name, share)]
    if not train or not test:
        raise StreamError(f"{len(docs)} document(s) give {len(train)} training and {len(test)} held-out; need at least one of each")
    return train, test


def _texts(spec: CorpusSpec, docs: list[Document]) -> list[TextDocument]:
    return [TextDocument(d.name, d.sha256, text_of(spec, d)) for d in docs]


def load_domain(name: str, split: bool = True) -> tuple[DomainText, dict[str, Any]]:
    """One corpus as a domain (all documents held out when ``split`` is false) and its provenance."""
    spec = get_corpus(name)
    docs = documents(spec)
    train, test = split_documents(docs) if split else ([], docs)
    info = corpus_info(spec, docs)
    info["train_documents"], info["heldout_documents"] = len(train), len(test)
    info["heldout_sha256"] = {d.name: d.sha256 for d in test}  # the evaluated text, file by file
    domain = DomainText(spec.name, spec.description, spec.package, _texts(spec, train), _texts(spec, test))
    info["train_text_bytes"] = sum(len(d.text.encode()) for d in domain.train)
    info["heldout_text_bytes"] = sum(len(d.text.encode()) for d in domain.heldout)
    return domain, info


def build_text_stream(corpora: list[str], general: str, tasks: int) -> TextStream:
    """The first ``tasks`` corpora as domains, in order, and ``general`` as the untrained general text.

    Every corpus is listed (and its packages checked) before any is rendered,
    so a missing package is reported at once, whichever corpus it is.
    """
    names = corpora[:tasks]
    if len(names) < 2:
        raise StreamError(f"a continual pre-training stream needs at least 2 domains, got {names}")
    if len(set(names)) != len(names) or general in names:
        raise StreamError(f"domains {names} and the general text {general!r} must all differ")
    for n in names + [general]:
        documents(get_corpus(n))  # fails fast with the apt-get line of the first missing package
    domains = []
    info: dict[str, Any] = {"domains": {}, "heldout_share": f"1/{HELDOUT_SHARE}", "split": "by document (stable hash of its name)"}
    for n in names:
        d, i = load_domain(n)
        domains.append(d)
        info["domains"][n] = i
    g, gi = load_domain(general, split=False)
    info["general"] = {"name": general, **gi}
    return TextStream(domains, g, "DIL", info)
