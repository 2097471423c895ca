"""WordNet 3.0 glosses labelled by lexicographer category, as a 5-task x 4-class stream.

Why WordNet: it is real text that nobody on this project wrote, it installs
offline from Debian (``apt-get install wordnet-base``), and its lexicographer
files (noun.artifact, verb.motion, ...) give a clean topical label for every
synset's gloss. The corpus is parsed from ``data.noun``/``data.verb`` and
cached under ``~/.cache/clatlas`` keyed by the files' SHA-256, so a run on
another WordNet build never reuses a stale cache.

The category choice and task cut do not depend on the seed: the 20 largest
noun/verb categories (ties by name, ``noun.Tops`` excluded), ranked by size,
dealt round-robin into 5 tasks (task k gets ranks k, k+5, k+10, k+15) so
every task mixes big and small, noun and verb classes. The seed only picks
which glosses of each class are used.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from reproductions import paths
from reproductions.benchmarks import BenchmarkSpec, register_benchmark
from reproductions.profiles import Profile
from reproductions.streams import Record, Stream, StreamError, build_offline, build_online, sample_per_class

DEFAULT_WORDNET_DIR = Path("/usr/share/wordnet")
SOURCE_FILES: tuple[str, ...] = ("data.noun", "data.verb")
NUM_TASKS = 5
CLASSES_PER_TASK = 4
EXCLUDED = frozenset({"noun.Tops"})

# The lexnames(5WN) table of WordNet 3.0: lexicographer file number -> name.
# Debian ships it only as a man page, so it is transcribed here; it is fixed
# for WordNet 3.0 (the parser checks each number it meets is in the table).
LEXNAMES: dict[int, str] = {
    0: "adj.all",
    1: "adj.pert",
    2: "adv.all",
    3: "noun.Tops",
    4: "noun.act",
    5: "noun.animal",
    6: "noun.artifact",
    7: "noun.attribute",
    8: "noun.body",
    9: "noun.cognition",
    10: "noun.communication",
    11: "noun.event",
    12: "noun.feeling",
    13: "noun.food",
    14: "noun.group",
    15: "noun.location",
    16: "noun.motive",
    17: "noun.object",
    18: "noun.person",
    19: "noun.phenomenon",
    20: "noun.plant",
    21: "noun.possession",
    22: "noun.process",
    23: "noun.quantity",
    24: "noun.relation",
    25: "noun.shape",
    26: "noun.state",
    27: "noun.substance",
    28: "noun.time",
    29: "verb.body",
    30: "verb.change",
    31: "verb.cognition",
    32: "verb.communication",
    33: "verb.competition",
    34: "verb.consumption",
    35: "verb.contact",
    36: "verb.creation",
    37: "verb.emotion",
    38: "verb.motion",
    39: "verb.perception",
    40: "verb.possession",
    41: "verb.social",
    42: "verb.stative",
    43: "verb.weather",
    44: "adj.ppl",
}


class WordNetNotFoundError(FileNotFoundError):
    """The WordNet database files are missing; the message says how to install them."""


def wordnet_dir() -> Path:
    """The WordNet directory: ``$CLATLAS_WORDNET_DIR`` (tests point it at a fixture) or Debian's."""
    return Path(os.environ.get("CLATLAS_WORDNET_DIR", DEFAULT_WORDNET_DIR))


def cache_dir() -> Path:
    return paths.cache_dir()


def parse_data_file(path: Path) -> list[tuple[str, str]]:
    """(lexname, definition) for every synset line of a WordNet ``data.*`` file.

    The gloss after ``|`` holds a definition and optional quoted examples
    (``; "..."``); only the definition is kept, because examples often quote
    the very word being defined and make the task trivially lexical.
    """
    out: list[tuple[str, str]] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if line.startswith("  ") or not line.strip():
                continue  # licence header
            head, sep, gloss = line.partition(" | ")
            fields = head.split()
            if not sep or len(fields) < 4:
                raise StreamError(f"{path}:{lineno}: not a WordNet data line")
            lexnum = int(fields[1])
            if lexnum not in LEXNAMES:
                raise StreamError(f"{path}:{lineno}: unknown lexicographer file number {lexnum}")
            definition = gloss.split('; "', 1)[0].strip().rstrip(";").strip()
            if definition:
                out.append((LEXNAMES[lexnum], definition))
    return out


def source_hash(directory: Path) -> str:
    h = hashlib.sha256()
    for name in SOURCE_FILES:
        h.update(name.encode())
        h.update((directory / name).read_bytes())
    return h.hexdigest()


def load_corpus(directory: Path | None = None) -> list[tuple[str, str]]:
    """All (lexname, definition) pairs of nouns and verbs, parsed once and cached by content hash."""
    directory = directory or wordnet_dir()
    missing = [n for n in SOURCE_FILES if not (directory / n).is_file()]
    if missing:
        raise WordNetNotFoundError(
            f"WordNet files {missing} not found in {directory}; install them with "
            "`apt-get update && apt-get install -y wordnet-base` or set CLATLAS_WORDNET_DIR"
        )
    digest = source_hash(directory)
    cache = cache_dir() / f"wordnet-{digest[:20]}.json"
    if cache.is_file():
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            if data.get("sha256") == digest:
                return [tuple(x) for x in data["synsets"]]
        except (OSError, ValueError, KeyError):
            pass  # unreadable cache: rebuild it below
    corpus: list[tuple[str, str]] = []
    for name in SOURCE_FILES:
        corpus.extend(parse_data_file(directory / name))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps({"sha256": digest, "synsets": corpus}), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # caching is an optimisation only
    return corpus


def choose_tasks(corpus: list[tuple[str, str]]) -> list[list[str]]:
    """The fixed 5 x 4 cut: 20 largest categories by synset count, dealt round-robin by rank."""
    counts = Counter(lex for lex, _ in corpus if lex not in EXCLUDED)
    need = NUM_TASKS * CLASSES_PER_TASK
    ranked = sorted(counts, key=lambda lex: (-counts[lex], lex))
    if len(ranked) < need:
        raise StreamError(f"WordNet corpus has {len(ranked)} usable categories; {need} needed")
    top = ranked[:need]
    return [[top[k + NUM_TASKS * r] for r in range(CLASSES_PER_TASK)] for k in range(NUM_TASKS)]


def task_name(k: int, classes: list[str]) -> str:
    return f"T{k + 1}:" + ",".join(classes)


def build_records(profile: Profile, seed: int) -> tuple[list[Record], list[Record], list[str]]:
    """Train and test records of the 5 tasks, plus the task names in their fixed order."""
    corpus = load_corpus()
    tasks = choose_tasks(corpus)
    names = [task_name(k, cls) for k, cls in enumerate(tasks)]
    task_of = {lex: names[k] for k, cls in enumerate(tasks) for lex in cls}
    seen: set[str] = set()
    pool: list[Record] = []
    for lex, text in corpus:  # a gloss shared by two synsets is kept once (first wins)
        if lex in task_of and text not in seen:
            seen.add(text)
            pool.append(Record(text=text, label=lex, task=task_of[lex], domain=lex.split(".")[0]))
    key = f"wordnet:{seed}"
    train = sample_per_class(pool, profile.train_per_class, key)
    test = sample_per_class(pool, profile.test_per_class, key, skip=profile.train_per_class)
    return train, test, names


def _to_dil(records: list[Record], tasks: list[list[str]]) -> list[Record]:
    slot = {lex: f"slot{r}" for cls in tasks for r, lex in enumerate(cls)}
    return [Record(r.text, slot[r.label], r.task, r.label) for r in records]


def build(scenario: str, online: str | None = None):  # noqa: ANN201 - returns a BuildFn
    def _build(profile: Profile, seed: int, options: dict[str, Any]) -> Stream:
        train, test, names = build_records(profile, seed)
        if scenario == "DIL":
            tasks = [n.split(":", 1)[1].split(",") for n in names]
            train, test = _to_dil(train, tasks), _to_dil(test, tasks)
        stream = build_offline(train, test, names, scenario)
        stream.info = {"source": str(wordnet_dir()), "source_sha256": source_hash(wordnet_dir())}
        if online is not None:
            stream = build_online(stream, online, float(options.get("blurry_share", 0.0)), seed)
        return stream

    return _build


_DESC = "WordNet 3.0 glosses -> lexicographer category, 5 tasks x 4 classes"
register_benchmark(BenchmarkSpec("wordnet-5x4", "CIL", f"{_DESC}; class-incremental (shared 20-way head)", build("CIL"), needs="wordnet-base"))
register_benchmark(BenchmarkSpec("wordnet-5x4-til", "TIL", f"{_DESC}; task-incremental (task id at test time)", build("TIL"), needs="wordnet-base"))
register_benchmark(BenchmarkSpec("wordnet-5x4-dil", "DIL", f"{_DESC}; domain-incremental (4 shared slots)", build("DIL"), needs="wordnet-base"))
register_benchmark(BenchmarkSpec("wordnet-5x4-online-htb", "HTB", f"{_DESC}; online single pass, hard boundaries", build("CIL", "hard"), needs="wordnet-base"))
register_benchmark(
    BenchmarkSpec(
        "wordnet-5x4-online-btb",
        "BTB",
        f"{_DESC}; online single pass, blurry boundaries (share mixed into neighbours)",
        build("CIL", "blurry"),
        options={"blurry_share": 0.1},
        needs="wordnet-base",
    )
)
