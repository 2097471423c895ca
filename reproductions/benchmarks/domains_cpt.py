"""``domains-cpt``: continual pre-training on three Debian documentation corpora, scored by perplexity.

Domains, in order: Linux system-call man pages (``manpages-dev``), Git's man
pages (``git-man``) and OpenSSL's man pages (``openssl``) — kernel/C,
version-control and cryptography vocabularies. The general text, which no
stage trains on, is the licence texts of ``base-files`` (present on every
Debian system): plain legal English the backbone met in pre-training, so
its perplexity tracks what continual pre-training erodes. The chat probe is
the instruction benchmark's general-ability probe (capital questions built
from WordNet, ``wordnet-base``), answered in the chat template by greedy
decoding: what continued pre-training does to the chat model's answers
(``probe_size`` questions, 0 for none). Options
(recorded in every result): ``corpora`` (comma-separated, in stage order;
any corpus of :mod:`reproductions.lm.cpt.corpora`, e.g. ``valgrind``) and
``general`` (e.g. ``fortunes`` where that package is installed).
"""

from __future__ import annotations

from typing import Any

from reproductions.benchmarks import BenchmarkSpec, register_benchmark
from reproductions.benchmarks.wordnet_instruct import build_probe
from reproductions.lm.cpt.stream import TextStream, build_text_stream
from reproductions.lm.wordnet_lexicon import file_hashes

DEFAULT_CORPORA = "syscalls,git,openssl"
DEFAULT_GENERAL = "licenses"
PACKAGES = "manpages-dev, git-man, openssl, groff-base, wordnet-base"


def build(profile: Any, seed: int, options: dict[str, Any]) -> TextStream:
    """The text stream and its chat probe (the seed matters later, when training blocks are sampled)."""
    corpora = [c.strip() for c in str(options.get("corpora", DEFAULT_CORPORA)).split(",") if c.strip()]
    stream = build_text_stream(corpora, str(options.get("general", DEFAULT_GENERAL)).strip(), int(profile.tasks))
    if int(profile.probe_size) > 0:
        stream.probe = build_probe(int(profile.probe_size))
        stream.info["probe"] = {"name": stream.probe.name, "source_package": "wordnet-base", "source_sha256": file_hashes()}
    return stream


register_benchmark(
    BenchmarkSpec(
        "domains-cpt",
        "DIL",
        "continual pre-training on Debian docs: syscalls → git → openssl man pages; held-out perplexity per domain and on untrained licence texts; generative",
        build,
        options={"corpora": DEFAULT_CORPORA, "general": DEFAULT_GENERAL},
        needs=PACKAGES,
        kind="generate",
        evaluation="perplexity",
    )
)
