"""Safe YAML reading with source positions.

PyYAML's loaders lose line numbers, silently keep the last of two duplicate
keys and happily expand alias bombs.  Source files of a manual need none of
YAML's anchors and aliases, so this reader composes the node graph (which is
linear in the size of the text, aliases are not expanded there) and then
builds plain Python data itself:

* every key and list item is mapped to its (line, column), 1-based;
* a duplicate key is an error at the second occurrence;
* an anchor or alias is refused at once;
* tags other than YAML's core scalars are refused;
* a control character (raw, or escaped in a double-quoted string) is refused
  at its own line: no output can show it;
* a date that is not in the calendar (2026-02-30) stays text, so that the
  schema reports it at its own line.

The result is plain data (dict, list, str, int, float, bool, None, date) and
a ``Positions`` object that answers "where is this value?" for a path such as
``("signoff", "approved", "date")``.
"""
from __future__ import annotations

from ..errors import SourceError

import datetime as _dt
import re
from dataclasses import dataclass, field

import yaml

try:  # libyaml's C composer is several times faster; fall back silently.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the build of PyYAML
    _Loader = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

MAX_BYTES = 1_000_000  # a policy is a few KiB; a megabyte is already absurd
MAX_NODES = 200_000
# Characters YAML does not allow in a file, and no output can show (tab and line breaks are text).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def control_error(text: str, match, line: int = 1, column: int = 1) -> SourceError:
    """The finding for a control character ``match`` in ``text``, which starts at ``line``:``column``."""
    before = text[:match.start()]
    newlines = before.count("\n")
    col = match.start() - before.rfind("\n") if newlines else column + match.start()
    return SourceError("control-character", f"U+{ord(match.group()):04X}", line + newlines, col)


@dataclass
class Positions:
    """Where each key and item of a YAML document stands in its file."""

    line_offset: int = 0
    spots: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[tuple, int, int, int]] = field(default_factory=list)

    def at(self, path=()) -> tuple[int, int]:
        """(line, column) of the value at ``path``, or of its nearest parent."""
        path = tuple(path)
        while path not in self.spots and path:
            path = path[:-1]
        line, col = self.spots.get(path, (1, 1))
        return line + self.line_offset, col

    def line(self, path=()) -> int:
        return self.at(path)[0]


_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}


class _Builder:
    def __init__(self, positions: Positions):
        self.pos = positions
        self.spots = positions.spots
        self.count = 0
        self._scalar = None

    def scalar(self, node):
        """A core-schema scalar (int, float, bool, null, timestamp)."""
        if self._scalar is None:
            self._scalar = yaml.constructor.SafeConstructor()
        return self._scalar.construct_object(node, deep=False)

    def build(self, node, path: tuple):
        self.count += 1
        if self.count > MAX_NODES:
            raise SourceError("yaml-too-large", "too many YAML nodes", node.start_mark.line + 1,
                              node.start_mark.column + 1)
        spots = self.spots
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self._bad_tag(node)
            out: dict = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise SourceError("yaml-syntax", "a key must be plain text",
                                      key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                tag = key_node.tag
                if tag == _STR:  # the usual key, built inline
                    self.count += 1
                    if self.count > MAX_NODES:
                        self.build(key_node, path)  # raises, located at the key
                    key = key_node.value
                    if key_node.style == '"' and (bad := CONTROL.search(key)):
                        raise SourceError("control-character", f"U+{ord(bad.group()):04X}",
                                          key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                else:
                    if tag == "tag:yaml.org,2002:merge":
                        raise SourceError("yaml-alias", "merge keys (<<) are not allowed in manual sources",
                                          key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                    key = self.build(key_node, path)
                    if isinstance(key, (_dt.date, float, bool)) or key is None:
                        key = str(key_node.value)
                mark = key_node.start_mark
                here = (mark.line + 1, mark.column + 1)
                at = path + (key,)
                if key in out:
                    first = spots.get(at, (0, 0))
                    self.pos.duplicates.append((at, here[0], here[1], first[0]))
                spots[at] = here
                out[key] = self.build(value_node, at)
            return out
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self._bad_tag(node)
            items = []
            for i, item in enumerate(node.value):
                mark = item.start_mark
                at = path + (i,)
                spots[at] = (mark.line + 1, mark.column + 1)
                items.append(self.build(item, at))
            return items
        tag = node.tag
        if tag == _STR:
            if node.style == '"' and (bad := CONTROL.search(node.value)):  # only escapes can put one there
                mark = node.start_mark
                raise SourceError("control-character", f"U+{ord(bad.group()):04X}", mark.line + 1, mark.column + 1)
            return node.value
        if tag not in _SCALAR_TAGS:
            self._bad_tag(node)
        if tag == _TIMESTAMP:
            try:
                return self.scalar(node)
            except ValueError:  # 2026-02-30: not in the calendar; the schema says so at its line
                return node.value
        return self.scalar(node)

    @staticmethod
    def _bad_tag(node):
        raise SourceError("yaml-tag", f"the YAML tag {node.tag!r} is not allowed here",
                          node.start_mark.line + 1, node.start_mark.column + 1)


def _refuse_anchors(text: str):
    """Refuse anchors and aliases before composing, so a bomb costs nothing."""
    loader = _Loader(text)
    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                raise SourceError(
                    "yaml-alias",
                    "YAML anchors and aliases (&name, *name) are not allowed in manual sources; "
                    "write the value out in full",
                    mark.line + 1, mark.column + 1)
    finally:
        loader.dispose()

def load_yaml(text: str, line_offset: int = 0):
    """Parse ``text`` into plain data and positions.

    Raises ``SourceError`` for syntax errors, aliases, unknown tags and
    multi-document streams.  Duplicate keys do not raise: they are listed in
    ``positions.duplicates`` so that the caller can report every one.
    """
    positions = Positions(line_offset=line_offset)
    bad = CONTROL.search(text)
    if bad:
        raise control_error(text, bad, 1 + line_offset)
    try:
        if "&" in text or "*" in text:  # no anchor or alias can exist without them
            _refuse_anchors(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "expected a single document" in str(exc):
            problem = "only one YAML document is allowed per file (remove the extra '---')"
        raise SourceError("yaml-syntax", f"invalid YAML: {problem}", line + line_offset, col) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors without marks
        raise SourceError("yaml-syntax", f"invalid YAML: {exc}", 1 + line_offset, 1) from None
    if node is None:
        return None, positions
    try:
        data = _Builder(positions).build(node, ())
    except SourceError as exc:
        exc.line += line_offset
        raise
    except (yaml.constructor.ConstructorError, ValueError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SourceError("yaml-syntax", f"invalid value: {getattr(exc, 'problem', exc)}",
                          line + line_offset, col) from None
    return data, positions


def read_text(path) -> str:
    """Read a source file as UTF-8 (BOM allowed), refusing absurd sizes."""
    import os

    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_BYTES:
            raise SourceError("file-too-large",
                              f"the file is {size:,} bytes; a source file may be at most {MAX_BYTES:,} bytes")
        raw = handle.read()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError("encoding",
                          "the file is not UTF-8 text; save it as UTF-8 (in Notepad: 另存为 → 编码 UTF-8)",
                          line, 1) from None
    if not text.strip():
        raise SourceError("empty-file", "the file is empty")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
