"""Safe YAML reading with source positions.

PyYAML's loaders lose line numbers, silently keep the last of two duplicate
keys and happily expand alias bombs.  Source files of a manual need none of
YAML's anchors and aliases, so this reader composes the node graph (which is
linear in the size of the text, aliases are not expanded there) and then
builds plain Python data itself:

* every key and list item is mapped to its (line, column), 1-based;
* a duplicate key is an error at the second occurrence;
* an anchor or alias is refused at once;
* tags other than YAML's core scalars are refused.

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
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the build of PyYAML
    _BaseLoader = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MEMO_LIMIT = 50_000  # distinct plain scalars remembered (dates, names, codes repeat from file to file)


class _Loader(_BaseLoader):
    """The safe loader, with the implicit tag of a plain scalar remembered.

    The composer asks the (Python) resolver for the tag of every untagged
    node; the answer depends only on the scalar's text, and in a manual the
    same texts (dates, roles, names, codes) come back in every file.  Path
    resolvers are not used (``yaml_path_resolvers`` is empty), so descending
    and ascending are no-ops, as in ``BaseResolver`` itself.
    """

    _tags: dict[str, str] = {}

    def resolve(self, kind, value, implicit):
        if self.yaml_path_resolvers:  # pragma: no cover - nobody registers any
            return super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode:
            if not implicit[0]:
                return _STR
            tags = _Loader._tags
            tag = tags.get(value)
            if tag is None:
                if len(tags) > _MEMO_LIMIT:
                    tags.clear()
                tag = tags[value] = super().resolve(kind, value, implicit)
            return tag
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node, current_index):
        if self.yaml_path_resolvers:  # pragma: no cover
            super().descend_resolver(current_node, current_index)

    def ascend_resolver(self):
        if self.yaml_path_resolvers:  # pragma: no cover
            super().ascend_resolver()

MAX_BYTES = 1_000_000  # a policy is a few KiB; a megabyte is already absurd
MAX_NODES = 200_000


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


_VALUES_LIMIT = 50_000
_values: dict[tuple[str, str], object] = {}  # (tag, text) -> int, float, bool, None or date: immutable


class _Builder:
    def __init__(self, positions: Positions):
        self.pos = positions
        self.spots = positions.spots
        self.count = 0
        self._scalar = None

    def scalar(self, node):
        """A core-schema scalar (int, float, bool, null, timestamp), remembered by its text."""
        key = (node.tag, node.value)
        value = _values.get(key, _values)
        if value is not _values:
            return value
        if self._scalar is None:
            self._scalar = yaml.constructor.SafeConstructor()
        value = self._scalar.construct_object(node, deep=False)
        if len(_values) > _VALUES_LIMIT:
            _values.clear()
        _values[key] = value
        return value

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
            return node.value
        if tag not in _SCALAR_TAGS:
            self._bad_tag(node)
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

# -- the fast path -------------------------------------------------------------------------
# Nearly every source file is written in a small, regular part of YAML: block
# mappings with plain keys, block sequences, one-line flow collections, plain
# and simply quoted one-line scalars, comments.  ``_Simple`` reads exactly that
# part line by line, several times faster than composing libyaml's node graph,
# and gives up (returns None) at the first thing outside it: then the file
# goes through the full loader above, which also produces every error.  Its
# scalars are resolved and constructed by the same resolver and constructor,
# its positions are the composer's marks (1-based line, column in characters).

class _NotSimple(Exception):
    pass


# Plain keys of up to 128 characters (libyaml refuses implicit keys longer than 1024).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +|$)")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}): +")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
_FLOW_PLAIN = re.compile(r"[^,\[\]{}]+")
_SPACES = re.compile(r" *")
# In a flow, libyaml takes "sha256:8f…" as one scalar, but stops (or fails) at ": ", ":?" and ":" at its end.
_FLOW_COLON = re.compile(r":(?:[ ?]|$)")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Anything but YAML's printable characters, the BOM, and line breaks other than "\n" (NEL, U+2028,
# U+2029 end a line for libyaml): full loader.
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_SIMPLE_MAX = 64_000


class _Simple:
    def __init__(self, positions: Positions):
        self.spots = positions.spots
        self.duplicates = positions.duplicates
        self.lines: list[tuple[int, int, str]] = []

    def load(self, text: str):
        if len(text) > _SIMPLE_MAX or _UNUSUAL.search(text):
            raise _NotSimple
        lines = self.lines
        for number, raw in enumerate(text.split("\n"), 1):
            content = raw.lstrip(" ")
            if content and content[0] != "#":
                lines.append((number, len(raw) - len(content), content.rstrip(" ")))
        if not lines or lines[0][1] != 0:
            raise _NotSimple
        data, i = self.block(0, 0, ())
        if i != len(lines) or not isinstance(data, dict):
            raise _NotSimple
        return data

    # -- block context -------------------------------------------------------------
    def block(self, i: int, indent: int, path: tuple):
        content = self.lines[i][2]
        if content[0] == "-" and (len(content) == 1 or content[1] == " "):
            return self.sequence(i, indent, path)
        return self.mapping(i, indent, path)

    def mapping(self, i: int, indent: int, path: tuple):
        lines, spots = self.lines, self.spots
        out: dict = {}
        while i < len(lines):
            number, at, content = lines[i]
            if at < indent:
                break
            if at > indent:
                raise _NotSimple
            m = _KEY.match(content)
            if m is None:
                raise _NotSimple
            key = m.group(1)
            here = (number, at + 1)
            where = path + (key,)
            if key in out:
                self.duplicates.append((where, here[0], here[1], spots.get(where, (0, 0))[0]))
            spots[where] = here
            rest = content[m.end():]
            if not rest or rest[0] == "#":
                i += 1
                nxt = lines[i] if i < len(lines) else None
                if nxt is not None and nxt[1] > indent:
                    out[key], i = self.block(i, nxt[1], where)
                elif nxt is not None and nxt[1] == indent and nxt[2][0] == "-" and \
                        (len(nxt[2]) == 1 or nxt[2][1] == " "):
                    out[key], i = self.sequence(i, indent, where)
                else:
                    raise _NotSimple  # an empty value: rare, left to the full loader
            else:
                out[key] = self.inline(rest, number, at + m.end(), where)
                i += 1
        return out, i

    def sequence(self, i: int, indent: int, path: tuple):
        lines, spots = self.lines, self.spots
        items: list = []
        while i < len(lines):
            number, at, content = lines[i]
            if at < indent:
                break
            if at > indent or content[0] != "-":
                raise _NotSimple
            if len(content) == 1 or content[1] != " ":
                raise _NotSimple  # "-" alone (a nested block or an empty item), or "-x"
            rest = content[2:]
            skip = len(rest) - len(rest.lstrip(" "))
            rest = rest[skip:]
            column = at + 2 + skip
            where = path + (len(items),)
            spots[where] = (number, column + 1)
            if rest[0] == "#":
                raise _NotSimple
            if _KEY.match(rest):  # "- key: value": a mapping whose keys stand at this column
                lines[i] = (number, column, rest)
                value, i = self.mapping(i, column, where)
                items.append(value)
            else:
                items.append(self.inline(rest, number, column, where))
                i += 1
        return items, i

    def inline(self, text: str, number: int, column: int, path: tuple):
        """The value that fills the rest of a line (``column``: where ``text`` starts, 0-based)."""
        first = text[0]
        if first == "[" or first == "{":
            return self.flow_line(text, number, column, path)
        if first == "'" or first == '"':
            value, end = self.quoted(text, 0)
            self.end_of_line(text, end)
            return value
        if first in _INDICATORS:
            raise _NotSimple
        cut = text.find(" #")
        plain = text if cut == -1 else text[:cut].rstrip(" ")
        if ": " in plain or plain.endswith(":"):
            raise _NotSimple
        return _plain_value(plain)

    @staticmethod
    def end_of_line(text: str, end: int):
        """Only a comment (after a space) may follow a quoted scalar or a flow."""
        rest = text[end:].lstrip(" ")
        if rest and (rest[0] != "#" or rest == text[end:]):
            raise _NotSimple

    def flow_line(self, text: str, number: int, column: int, path: tuple):
        """A one-line flow collection, remembered by its text: the same lines (sign-offs,
        revisions, field definitions) recur in file after file.  Each file gets its own copy."""
        known = _FLOWS.get(text)
        if known is None:
            spots, duplicates = self.spots, self.duplicates
            self.spots, self.duplicates = {}, []
            try:
                value, end = self.flow(text, 0, 1, 0, ())
                self.end_of_line(text, end)
                clean = not self.duplicates
                offsets = [(rel, col) for rel, (_, col) in self.spots.items()]
            finally:
                self.spots, self.duplicates = spots, duplicates
            if not clean:  # a key twice in one flow: read it again where it stands
                value, _ = self.flow(text, 0, number, column, path)
                return value
            if len(_FLOWS) > _MEMO_LIMIT:
                _FLOWS.clear()
            _FLOWS[text] = known = (value, offsets)
        value, offsets = known
        spots = self.spots
        for rel, col in offsets:
            spots[path + rel] = (number, column + col)
        return _copy(value)

    # -- one line ----------------------------------------------------------------------
    @staticmethod
    def quoted(text: str, i: int):
        if text[i] == "'":
            m = _SINGLE.match(text, i)
            if m is None:
                raise _NotSimple
            return m.group(1).replace("''", "'"), m.end()
        m = _DOUBLE.match(text, i)
        if m is None:
            raise _NotSimple
        return m.group(1), m.end()

    def flow(self, text: str, i: int, number: int, column: int, path: tuple):
        spots = self.spots
        n = len(text)
        if text[i] == "[":
            items: list = []
            i = _SPACES.match(text, i + 1).end()
            if i < n and text[i] == "]":
                return items, i + 1
            while True:
                where = path + (len(items),)
                spots[where] = (number, column + i + 1)
                value, i = self.flow_node(text, i, number, column, where)
                items.append(value)
                i = _SPACES.match(text, i).end()
                if i >= n:
                    raise _NotSimple
                if text[i] == "]":
                    return items, i + 1
                if text[i] != ",":
                    raise _NotSimple
                i = _SPACES.match(text, i + 1).end()
        out: dict = {}
        i = _SPACES.match(text, i + 1).end()
        if i < n and text[i] == "}":
            return out, i + 1
        while True:
            m = _FLOW_KEY.match(text, i)
            if m is None:
                raise _NotSimple
            key = m.group(1)
            here = (number, column + i + 1)
            where = path + (key,)
            if key in out:
                self.duplicates.append((where, here[0], here[1], spots.get(where, (0, 0))[0]))
            spots[where] = here
            out[key], i = self.flow_node(text, m.end(), number, column, where)
            i = _SPACES.match(text, i).end()
            if i >= n:
                raise _NotSimple
            if text[i] == "}":
                return out, i + 1
            if text[i] != ",":
                raise _NotSimple
            i = _SPACES.match(text, i + 1).end()

    def flow_node(self, text: str, i: int, number: int, column: int, path: tuple):
        if i >= len(text):
            raise _NotSimple
        first = text[i]
        if first == "[" or first == "{":
            return self.flow(text, i, number, column, path)
        if first == "'" or first == '"':
            return self.quoted(text, i)
        if first in _INDICATORS:
            raise _NotSimple
        m = _FLOW_PLAIN.match(text, i)
        raw = m.group(0)
        if "#" in raw or "  " in raw or (":" in raw and _FLOW_COLON.search(raw)):
            raise _NotSimple  # comments, "a: b", "a:?" in a flow: the full loader knows the rules
        return _plain_value(raw.rstrip(" ")), m.end()


_FLOWS: dict[str, tuple] = {}  # one-line flow text -> (value, [(relative path, column offset)])


def _copy(value):
    """A fresh copy of the mappings and lists of ``value`` (scalars are immutable and shared)."""
    cls = value.__class__
    if cls is dict:
        return {k: _copy(v) if v.__class__ is dict or v.__class__ is list else v for k, v in value.items()}
    if cls is list:
        return [_copy(v) if v.__class__ is dict or v.__class__ is list else v for v in value]
    return value


def _plain_value(text: str):
    """A plain scalar, resolved and constructed as the full loader would."""
    tags = _Loader._tags
    tag = tags.get(text)
    if tag is None:
        if len(tags) > _MEMO_LIMIT:
            tags.clear()
        tag = tags[text] = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR:
        return text
    key = (tag, text)
    value = _values.get(key, _values)
    if value is not _values:
        return value
    if tag not in _SCALAR_TAGS:  # pragma: no cover - the resolver knows only the core tags
        raise _NotSimple
    try:
        value = yaml.constructor.SafeConstructor().construct_object(yaml.ScalarNode(tag, text), deep=False)
    except Exception:  # noqa: BLE001 - e.g. 2014-13-45: the full loader reports it at its line
        raise _NotSimple from None
    if len(_values) > _VALUES_LIMIT:
        _values.clear()
    _values[key] = value
    return value


def _load_simple(text: str, line_offset: int):
    """(data, positions) by the fast path, or None when ``text`` needs the full loader."""
    if _Loader.yaml_path_resolvers:  # pragma: no cover - nobody registers any
        return None
    positions = Positions(line_offset=line_offset)
    try:
        return _Simple(positions).load(text), positions
    except (_NotSimple, IndexError):
        return None


def load_yaml(text: str, line_offset: int = 0):
    """Parse ``text`` into plain data and positions.

    Raises ``SourceError`` for syntax errors, aliases, unknown tags and
    multi-document streams.  Duplicate keys do not raise: they are listed in
    ``positions.duplicates`` so that the caller can report every one.
    """
    simple = _load_simple(text, line_offset)
    if simple is not None:
        return simple
    positions = Positions(line_offset=line_offset)
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
