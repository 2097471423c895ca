"""Markup to plain text: HTML with the standard library's parser, man pages with groff, fortunes by their ``%`` lines.

Why libraries and not regular expressions: HTML entities, nested markup and
``<pre>`` blocks, and troff requests, macros, escapes and tables are exactly
what ad-hoc stripping gets wrong, and a language model trained on leftover
markup learns the markup. groff renders a page the way ``man`` shows it
(``-man`` macros, ``tbl`` tables, UTF-8, no bold/underline escapes), and the
result is normalised here: the running header and footer line dropped, the
spaces that justification inserts collapsed, runs of blank lines shortened.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

from reproductions.streams import StreamError

GROFF_PACKAGE = "groff-base"
# Block-level HTML elements: their start and end break the text into lines.
_BLOCK = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_SKIP = frozenset({"script", "style", "head", "noscript", "template"})
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")


class MarkupError(StreamError):
    """A document that cannot be turned into text (renderer missing or failing, nothing left)."""


def normalise(text: str) -> str:
    """Spaces collapsed inside every line, lines stripped, at most one blank line in a row."""
    lines = [_SPACES.sub(" ", ln).strip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML page: skips scripts, styles and the head; keeps ``<pre>`` line breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif tag == "pre":
            self.pre += 1
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        if tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        # outside <pre>, a source line break is just a space (HTML whitespace rules)
        self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, one line per block element."""
    p = _TextExtractor()
    p.feed(html)
    p.close()
    return normalise("".join(p.parts))


def groff_command(width: int = 200) -> list[str]:
    """groff as ``man`` would call it for a terminal, but wide, unhyphenated, one continuous page, no escapes."""
    return ["groff", "-t", "-man", "-Tutf8", "-P-cbou", f"-rLL={width}n", "-rHY=0", "-rcR=1"]


def man_to_text(source: bytes, name: str, width: int = 200, timeout: float = 60.0) -> str:
    """The text of one man page (troff source, already decompressed) rendered by groff and normalised."""
    if shutil.which("groff") is None:
        raise MarkupError(f"rendering man pages needs groff: apt-get install {GROFF_PACKAGE}")
    try:
        out = subprocess.run(groff_command(width), input=source, capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise MarkupError(f"{name}: groff failed: {exc}") from exc
    if out.returncode != 0:
        err = out.stderr.decode("utf-8", "replace").strip().splitlines()
        raise MarkupError(f"{name}: groff exited with {out.returncode}: {err[-1] if err else 'no message'}")
    lines = [ln for ln in out.stdout.decode("utf-8", "replace").split("\n")]
    body = [i for i, ln in enumerate(lines) if ln.strip()]
    if len(body) >= 3:  # the running header (first line) and footer (last line) repeat the page name
        lines = lines[body[0] + 1 : body[-1]]
    return normalise("\n".join(lines))


def split_fortunes(text: str) -> list[str]:
    """The entries of a fortune file: blocks separated by lines holding only ``%``."""
    entries: list[str] = []
    cur: list[str] = []
    for ln in text.split("\n"):
        if ln.strip() == "%":
            entries.append("\n".join(cur))
            cur = []
        else:
            cur.append(ln)
    entries.append("\n".join(cur))
    return [e for e in (normalise(x) for x in entries) if e]


def fortunes_to_text(text: str) -> str:
    """A fortune file as text: its entries, one blank line apart."""
    return "\n\n".join(split_fortunes(text))
