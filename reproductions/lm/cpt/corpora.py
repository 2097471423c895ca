"""Text corpora that Debian packages ship: where their files are, which package owns them, their documents.

Why Debian documentation: it is real English prose that nobody on this
project wrote, it installs offline with ``apt-get``, each package has a
vocabulary of its own (system calls, version control, cryptography...), and
the package version pins the exact text, so a result file can name what it
trained on. A corpus is a package, a folder, file patterns and a format
(``man``, ``html``, ``text`` or ``fortunes``); a document is one file
(one man page, one HTML page, one licence, one fortune file). Files with
identical bytes (man-page aliases installed as links or copies) are one
document, named by their first path.

Every file is read, hashed and checked when the corpus is listed, so an
empty or unreadable file stops the run before any training; a corpus whose
package is absent fails with one line naming the ``apt-get install``.
Rendered text is cached under the cache directory by file hash, so groff
runs once per man page per machine. ``CLATLAS_CORPUS_DIR_<NAME>`` (name in
upper case, ``-`` as ``_``) points a corpus at another folder (tests).
"""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reproductions import paths
from reproductions.lm.cpt.markup import fortunes_to_text, html_to_text, man_to_text, normalise
from reproductions.streams import StreamError

FORMATS: tuple[str, ...] = ("man", "html", "text", "fortunes")
RENDER_VERSION = "1"  # bump when markup.py changes what a document renders to (invalidates the text cache)


class CorpusError(StreamError):
    """A corpus file that cannot be used (empty, unreadable, renders to nothing)."""


class CorpusMissingError(CorpusError):
    """The corpus's package is not installed; the message is one line naming the apt-get command."""


@dataclass(frozen=True)
class CorpusSpec:
    """Where a corpus lives and how to read it."""

    name: str
    package: str
    description: str
    root: Path
    patterns: tuple[str, ...]
    format: str
    exclude_suffixes: tuple[str, ...] = ()

    @property
    def env(self) -> str:
        return "CLATLAS_CORPUS_DIR_" + self.name.upper().replace("-", "_")

    def folder(self) -> Path:
        return Path(os.environ.get(self.env, self.root))


@dataclass(frozen=True)
class Document:
    """One document: its name (first path, relative to the corpus folder), content hash and file."""

    name: str
    sha256: str
    path: Path
    size: int


CORPORA: dict[str, CorpusSpec] = {}


def register_corpus(spec: CorpusSpec) -> CorpusSpec:
    if spec.format not in FORMATS:
        raise ValueError(f"corpus {spec.name}: format {spec.format!r} not in {FORMATS}")
    if spec.name in CORPORA:
        raise ValueError(f"corpus {spec.name!r} registered twice")
    CORPORA[spec.name] = spec
    return spec


_MAN = Path("/usr/share/man")
register_corpus(
    CorpusSpec("syscalls", "manpages-dev", "Linux system-call manual pages (section 2 of the Linux man-pages project)", _MAN / "man2", ("*.2.gz",), "man")
)
register_corpus(
    CorpusSpec(
        "git",
        "git-man",
        "Git manual pages (commands, file formats and guides)",
        _MAN,
        ("man1/git*.1.gz", "man1/scalar.1.gz", "man5/git*.5.gz", "man7/git*.7.gz"),
        "man",
    )
)
register_corpus(
    CorpusSpec("openssl", "openssl", "OpenSSL command and concept manual pages", _MAN, ("man1/*.1ssl.gz", "man5/*.5ssl.gz", "man7/*.7ssl.gz"), "man")
)
register_corpus(CorpusSpec("valgrind", "valgrind", "the Valgrind user manual (HTML)", Path("/usr/share/doc/valgrind/html"), ("*.html",), "html"))
register_corpus(
    CorpusSpec("licenses", "base-files", "the free-software licence texts every Debian system ships", Path("/usr/share/common-licenses"), ("*",), "text")
)
register_corpus(
    CorpusSpec(
        "fortunes", "fortunes", "fortune cookies (quotations, jokes, short prose)", Path("/usr/share/games/fortunes"), ("*",), "fortunes", (".dat", ".u8")
    )
)


def get_corpus(name: str) -> CorpusSpec:
    if name not in CORPORA:
        raise StreamError(f"unknown corpus {name!r}; valid: {', '.join(sorted(CORPORA))}")
    return CORPORA[name]


def install_hint(spec: CorpusSpec) -> str:
    return f"apt-get install {spec.package}"


def _files(spec: CorpusSpec) -> list[Path]:
    root = spec.folder()
    found: set[Path] = set()
    for pattern in spec.patterns:
        found.update(p for p in root.glob(pattern) if p.is_file() and not p.name.endswith(spec.exclude_suffixes))
    return sorted(found)


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"corpus file {path} is unreadable: {exc.strerror or exc}") from exc
    if not data.strip():
        raise CorpusError(f"corpus file {path} is empty")
    return data


def documents(spec: CorpusSpec) -> list[Document]:
    """Every document of the corpus, by name; raises before any training if the package or a file is bad."""
    root = spec.folder()
    files = _files(spec)
    if not files:
        raise CorpusMissingError(
            f"corpus {spec.name!r} needs the Debian package {spec.package} (no {', '.join(spec.patterns)} in {root}): {install_hint(spec)}"
        )
    seen: dict[str, Document] = {}
    for f in sorted(files, key=lambda p: (p.is_symlink(), p)):  # an alias link never names a document its target names
        data = _read(f)
        digest = hashlib.sha256(data).hexdigest()
        if digest not in seen:
            seen[digest] = Document(str(f.relative_to(root)), digest, f, len(data))
    return sorted(seen.values(), key=lambda d: d.name)


def package_version(package: str) -> str | None:
    """The installed version (``dpkg-query``), or ``None`` off Debian or when the package is not installed."""
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def _decode(data: bytes, doc: Document) -> bytes:
    if doc.path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise CorpusError(f"corpus file {doc.path} is not a readable gzip file: {exc}") from exc
    return data


def render(spec: CorpusSpec, doc: Document) -> str:
    """The plain text of one document (see :mod:`reproductions.lm.cpt.markup`); never empty."""
    raw = _decode(_read(doc.path), doc)
    if spec.format == "man":
        text = man_to_text(raw, str(doc.path))
    else:
        s = raw.decode("utf-8", errors="replace")
        text = html_to_text(s) if spec.format == "html" else fortunes_to_text(s) if spec.format == "fortunes" else normalise(s)
    if not text.strip():
        raise CorpusError(f"corpus file {doc.path} holds no text once its markup is removed")
    return text


def text_of(spec: CorpusSpec, doc: Document) -> str:
    """:func:`render` through a cache keyed by the file's hash and the format (so groff runs once per page)."""
    cache = paths.cache_dir() / "corpora" / f"{spec.format}-{RENDER_VERSION}-{doc.sha256[:32]}.txt"
    if cache.is_file():
        try:
            return cache.read_text(encoding="utf-8")
        except OSError:
            pass
    text = render(spec, doc)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass  # caching is an optimisation only
    return text


def corpus_digest(docs: list[Document]) -> str:
    """One SHA-256 over every document's name and hash: the corpus's identity in a result file."""
    h = hashlib.sha256()
    for d in docs:
        h.update(f"{d.name}\0{d.sha256}\n".encode())
    return h.hexdigest()


@lru_cache(maxsize=32)
def _version_cached(package: str) -> str | None:
    return package_version(package)


def corpus_info(spec: CorpusSpec, docs: list[Document]) -> dict[str, object]:
    """What a result file records about a corpus: package, version, folder, document count, bytes and digest."""
    return {
        "package": spec.package,
        "version": _version_cached(spec.package),
        "folder": str(spec.folder()),
        "patterns": list(spec.patterns),
        "format": spec.format,
        "documents": len(docs),
        "source_bytes": sum(d.size for d in docs),
        "sha256": corpus_digest(docs),
    }
