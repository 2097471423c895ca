"""Continual pre-training corpora: markup stripping, corpus listing and checks, the document-level split."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from reproductions.lm.cpt import corpora, markup, stream
from reproductions.lm.cpt.corpora import CorpusError, CorpusMissingError, CorpusSpec
from reproductions.streams import StreamError

MAN_PAGE = r""".\" a comment that must not appear
.TH FROB 2 2024-01-01 "Test pages"
.SH NAME
frob \- twiddle a \fBwidget\fP descriptor
.SH DESCRIPTION
The
.BR frob ()
system call twiddles
.IR fd .
.TP
.B FROB_FAST
Twiddle   quickly.
.SH SEE ALSO
.BR twiddle (2)
"""

HTML_PAGE = """<!DOCTYPE html><html><head><title>Head title</title><style>p {color: red}</style></head>
<body><h1>Memcheck &amp; friends</h1><script>var x = "<p>no</p>";</script>
<p>Valgrind finds
   leaks&nbsp;early.</p><pre>int main() {
    return 0;
}</pre><ul><li>one</li><li>two</li></ul></body></html>"""


def spec(tmp_path: Path, fmt: str, patterns: tuple[str, ...] = ("*",), name: str = "toy", exclude: tuple[str, ...] = ()) -> CorpusSpec:
    return CorpusSpec(name, f"{name}-pkg", "a toy corpus", tmp_path, patterns, fmt, exclude)


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLATLAS_CACHE_DIR", str(tmp_path / "cache"))


def test_html_to_text_keeps_visible_text_only() -> None:
    text = markup.html_to_text(HTML_PAGE)
    assert "Memcheck & friends" in text and "Valgrind finds leaks early." in text
    assert "Head title" not in text and "color" not in text and "var x" not in text and "<" not in text
    assert "int main() {\nreturn 0;\n}" in text  # <pre> keeps its line breaks (indentation is normalised away)
    assert "one\n" in text and "two" in text


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff missing: apt-get install groff-base")
def test_man_page_rendered_by_groff_without_markup() -> None:
    text = markup.man_to_text(MAN_PAGE.encode(), "frob.2")
    assert text.startswith("NAME\nfrob - twiddle a widget descriptor")
    assert "The frob() system call twiddles fd." in text
    assert "Twiddle quickly." in text  # justification spaces collapsed
    assert "comment" not in text and "\\f" not in text and ".TH" not in text and "Test pages" not in text
    assert "twiddle(2)" in text


def test_missing_groff_is_one_line_naming_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(markup.shutil, "which", lambda name: None)
    with pytest.raises(markup.MarkupError, match=r"^rendering man pages needs groff: apt-get install groff-base$"):
        markup.man_to_text(MAN_PAGE.encode(), "frob.2")


def test_fortunes_split_on_percent_lines() -> None:
    assert markup.split_fortunes("A stitch in time.\n%\n\n%\nTwo\n  lines.\n%\n") == ["A stitch in time.", "Two\nlines."]


def test_documents_dedupe_aliases_and_hash(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("the same text\n")
    (tmp_path / "a-copy.txt").write_text("the same text\n")
    (tmp_path / "c.txt").write_text("other text\n")
    (tmp_path / "z-link.txt").symlink_to(tmp_path / "c.txt")
    docs = corpora.documents(spec(tmp_path, "text"))
    assert [d.name for d in docs] == ["a-copy.txt", "c.txt"]  # copies and links are one document; links never name it
    assert all(len(d.sha256) == 64 for d in docs)
    info = corpora.corpus_info(spec(tmp_path, "text"), docs)
    assert info["documents"] == 2 and info["package"] == "toy-pkg" and len(str(info["sha256"])) == 64


def test_missing_package_is_one_line_naming_apt(tmp_path: Path) -> None:
    s = CorpusSpec("syscalls", "manpages-dev", "x", tmp_path / "absent", ("*.2.gz",), "man")
    with pytest.raises(CorpusMissingError) as exc:
        corpora.documents(s)
    msg = str(exc.value)
    assert "\n" not in msg and msg.endswith("apt-get install manpages-dev")


def test_registered_corpus_missing_names_its_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLATLAS_CORPUS_DIR_FORTUNES", str(tmp_path / "nowhere"))
    with pytest.raises(CorpusMissingError, match=r"apt-get install fortunes$"):
        stream.build_text_stream(["licenses", "fortunes"], "syscalls", 2)


@pytest.mark.parametrize("content", [b"", b"   \n"])
def test_empty_file_is_an_error_before_training(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "ok.txt").write_text("some text\n")
    (tmp_path / "empty.txt").write_bytes(content)
    with pytest.raises(CorpusError, match=r"empty\.txt is empty"):
        corpora.documents(spec(tmp_path, "text"))


def test_unreadable_and_corrupt_files_are_errors(tmp_path: Path) -> None:
    (tmp_path / "bad.2.gz").write_bytes(b"not gzip at all")
    s = spec(tmp_path, "man", ("*.2.gz",))
    doc = corpora.documents(s)[0]
    with pytest.raises(CorpusError, match="not a readable gzip file"):
        corpora.render(s, doc)
    (tmp_path / "dir.txt").mkdir()  # a folder matching the pattern is not a document
    (tmp_path / "x.txt").write_text("x")
    (tmp_path / "x.txt").chmod(0)
    try:
        with open(tmp_path / "x.txt", "rb"):
            pytest.skip("running as a user who can read mode-0 files")
    except PermissionError:
        pass
    with pytest.raises(CorpusError, match="unreadable"):
        corpora.documents(spec(tmp_path, "text", ("*.txt",)))


def test_markup_only_file_renders_to_nothing_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "blank.html").write_text("<html><head><title>t</title></head><body><script>x</script></body></html>")
    s = spec(tmp_path, "html")
    with pytest.raises(CorpusError, match="no text once its markup is removed"):
        corpora.render(s, corpora.documents(s)[0])


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff missing: apt-get install groff-base")
def test_text_of_renders_gzipped_man_pages_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "man2"
    root.mkdir()
    (root / "frob.2.gz").write_bytes(gzip.compress(MAN_PAGE.encode()))
    s = CorpusSpec("toy", "toy-pkg", "x", root, ("*.2.gz",), "man")
    doc = corpora.documents(s)[0]
    first = corpora.text_of(s, doc)
    calls: list[tuple[object, ...]] = []

    def render(*a: object) -> str:
        calls.append(a)
        return ""

    monkeypatch.setattr(corpora, "render", render)
    assert corpora.text_of(s, doc) == first and not calls  # served from the cache, keyed by the file hash


def test_document_split_is_stable_disjoint_and_by_name(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"doc{i:02d}.txt").write_text(f"document number {i}\n")
    docs = corpora.documents(spec(tmp_path, "text"))
    train, held = stream.split_documents(docs)
    assert {d.name for d in train}.isdisjoint({d.name for d in held})
    assert len(train) + len(held) == 40 and 2 <= len(held) <= 16
    assert stream.split_documents(list(reversed(docs))) == (train[::-1], held[::-1])  # no dependence on order
    assert all(stream.held_out(d.name) for d in held)


def test_split_needs_both_sides(tmp_path: Path) -> None:
    (tmp_path / "only.txt").write_text("one document\n")
    docs = corpora.documents(spec(tmp_path, "text"))
    with pytest.raises(StreamError, match="at least one of each"):
        stream.split_documents(docs)


def test_text_stream_from_toy_corpora(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("alpha", "beta", "gamma"):
        d = tmp_path / name
        d.mkdir()
        for i in range(12):
            (d / f"{name}{i}.txt").write_text(f"{name} text {i}\n")
        monkeypatch.setitem(corpora.CORPORA, name, CorpusSpec(name, f"{name}-doc", name, d, ("*.txt",), "text"))
    monkeypatch.setattr(corpora, "package_version", lambda p: "1.0-1")
    corpora._version_cached.cache_clear()
    s = stream.build_text_stream(["alpha", "beta"], "gamma", 5)
    assert s.domain_names == ["alpha", "beta"] and s.scenario == "DIL"
    assert len(s.general.heldout) == 12 and not s.general.train  # the general text is held out whole
    a = s.info["domains"]["alpha"]
    assert a["package"] == "alpha-doc" and a["version"] == "1.0-1" and a["train_documents"] + a["heldout_documents"] == 12
    assert set(a["heldout_sha256"]) == {d.name for d in s.domains[0].heldout}
    with pytest.raises(StreamError, match="must all differ"):
        stream.build_text_stream(["alpha", "beta"], "beta", 2)
    with pytest.raises(StreamError, match="at least 2 domains"):
        stream.build_text_stream(["alpha", "beta"], "gamma", 1)
