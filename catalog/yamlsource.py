"""Reading YAML data files with positions, so errors can name a line.

The file is composed once into a node tree (kept for line look-ups) and
constructed from that same tree, so keeping positions costs no second parse.
The C loader is used when PyYAML was built with libyaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is several times faster; fall back to pure Python quietly
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment,unused-ignore]  # a different class where types-PyYAML is installed


class SourceError(Exception):
    """A file that cannot be read as YAML at all (encoding, emptiness, syntax)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class YamlDocument:
    """A parsed YAML document and the node tree it came from."""

    path: Path
    data: Any
    node: yaml.Node | None

    def line_of(self, loc: tuple[str | int, ...]) -> int | None:
        """1-based line of the value at ``loc`` (or of its nearest existing parent)."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == part:
                        # point at the key: that is where a reader looks
                        line = key_node.start_mark.line + 1
                        node = value_node
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def read_text(path: Path) -> str:
    """The file's text, or a :class:`SourceError` for non-UTF-8 or empty files."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(f"file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})", line) from None
    if not text.strip():
        raise SourceError("file is empty", None)
    return text


def load_yaml(path: Path) -> YamlDocument:
    """Parse one YAML file into data plus node tree; errors carry a line number."""
    text = read_text(path)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or str(exc)
        raise SourceError(f"YAML syntax error: {what}", line) from None
    except yaml.YAMLError as exc:
        raise SourceError(f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    if data is None:
        raise SourceError("file is empty", None)
    return YamlDocument(path, data, node)
