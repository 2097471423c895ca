"""A small reader of the WordNet 3.0 database files: synsets with lemmas, gloss and pointers.

The classification benchmark (``reproductions.benchmarks.wordnet``) needs only
(category, definition) pairs; the instruction benchmark and the general probe
need lemmas, antonym and hypernym pointers as well, so this reader keeps the
whole synset line. Format: wndb(5WN) — ``offset lex_filenum ss_type w_cnt
word lex_id ... p_cnt [ptr_symbol offset pos source/target]... | gloss``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reproductions.benchmarks.wordnet import LEXNAMES, WordNetNotFoundError, wordnet_dir

DATA_FILES: dict[str, str] = {"n": "data.noun", "v": "data.verb", "a": "data.adj"}
WORDNET_PACKAGE = "wordnet-base"


@dataclass(frozen=True)
class Pointer:
    symbol: str
    offset: int
    pos: str
    source: int  # 0: semantic (whole synset); else the 1-based index of the source lemma
    target: int


@dataclass(frozen=True)
class Synset:
    pos: str  # n, v, a (satellites 's' are folded into 'a')
    offset: int
    lexname: str
    lemmas: tuple[str, ...]  # underscores turned into spaces, adjective markers removed
    pointers: tuple[Pointer, ...]
    definition: str  # the gloss up to its first quoted example

    @property
    def key(self) -> tuple[str, int]:
        return (self.pos, self.offset)


def _lemma(word: str) -> str:
    if word.endswith(")") and "(" in word:  # adjective syntactic markers: (a), (p), (ip)
        word = word[: word.index("(")]
    return word.replace("_", " ")


def parse_line(line: str) -> Synset | None:
    """One synset from a data-file line, or ``None`` for the licence header."""
    if line.startswith("  ") or not line.strip():
        return None
    head, _, gloss = line.partition(" | ")
    f = head.split()
    offset, lexnum, ss_type, w_cnt = int(f[0]), int(f[1]), f[2], int(f[3], 16)
    words = tuple(_lemma(f[4 + 2 * i]) for i in range(w_cnt))
    k = 4 + 2 * w_cnt
    p_cnt = int(f[k])
    ptrs = []
    for i in range(p_cnt):
        sym, off, pos, st = f[k + 1 + 4 * i : k + 5 + 4 * i]
        ptrs.append(Pointer(sym, int(off), "a" if pos == "s" else pos, int(st[:2], 16), int(st[2:], 16)))
    definition = gloss.split('; "', 1)[0].strip().rstrip(";").strip()
    return Synset("a" if ss_type == "s" else ss_type, offset, LEXNAMES[lexnum], words, tuple(ptrs), definition)


def source_files(directory: Path | None = None) -> dict[str, Path]:
    """The data files to read; one line naming the Debian package when any is missing."""
    directory = directory or wordnet_dir()
    files = {pos: directory / name for pos, name in DATA_FILES.items()}
    missing = [p.name for p in files.values() if not p.is_file()]
    if missing:
        raise WordNetNotFoundError(f"WordNet files {missing} not found in {directory}: apt-get install {WORDNET_PACKAGE} (or set CLATLAS_WORDNET_DIR)")
    return files


def file_hashes(directory: Path | None = None) -> dict[str, str]:
    """SHA-256 of every data file read, recorded in result files so a run names its exact source."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in source_files(directory).values()}


@lru_cache(maxsize=2)
def load_lexicon(directory: str | None = None) -> dict[tuple[str, int], Synset]:
    """Every noun, verb and adjective synset, keyed by (pos, offset)."""
    out: dict[tuple[str, int], Synset] = {}
    for pos, path in source_files(Path(directory) if directory else None).items():
        with path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                s = parse_line(line)
                if s is not None:
                    out[(pos, s.offset)] = s
    return out
