"""YAML as text: the one scalar writer and the targeted edits that keep a source file's comments and layout.

``manual init``, ``manual new``, ``manual import`` and ``manual approve`` write or
edit YAML by hand, so that comments, key order and line ends survive; every value
they write goes through ``yaml_scalar``.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..common.outputs import atomic_write_bytes

BOM = b"\xef\xbb\xbf"


def _dump(value, style=None) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9,
                          default_style=style).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    elif text.endswith("..."):
        text = text[:-3].rstrip()
    return text


def _reads_back(text: str, value, flow: bool) -> bool:
    try:
        return yaml.safe_load(f"k: {text}") == {"k": value} and (not flow or yaml.safe_load(f"{{k: {text}}}") == {"k": value})
    except yaml.YAMLError:
        return False


def yaml_scalar(value, *, flow: bool = False) -> str:
    """``value`` as a one-line YAML scalar that reads back as the same value after ``key: ``,
    and with ``flow`` also inside a flow collection (``{k: …}``, ``[…]``)."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        raise ValueError("a value must be a single line")
    text = _dump(value)
    if flow and not _reads_back(text, value, flow):
        text = _dump(value, style="'" if isinstance(value, str) else None)
    if not _reads_back(text, value, flow):  # pragma: no cover - defensive
        raise ValueError(f"cannot write {value!r} as a YAML scalar")
    return text


def flow_mapping(entry: dict) -> str:
    """``{key: value, …}`` on one line."""
    return "{" + ", ".join(f"{k}: {yaml_scalar(v, flow=True)}" for k, v in entry.items()) + "}"


def _node_at(root, path):
    node = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    node = v
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode):
            if not isinstance(key, int) or key >= len(node.value):
                return None
            node = node.value[key]
        else:
            return None
    return node


def _value_at(data, path):
    for key in path:
        data = data[key]
    return data


def append_to_list(text: str, path: tuple, value: str) -> str:
    """``text`` (YAML) with ``value`` appended to the list at ``path``.

    A targeted edit: flow lists (``[a, b]``) get ``, value`` after the last
    item, block lists a new ``- value`` line under the last one; the rest of
    the text, comments included, is unchanged.  Raises ValueError when the
    list is not there or the edit would not read back as intended.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    node = _node_at(root, path)
    if not isinstance(node, yaml.SequenceNode):
        raise ValueError(f"no list at {'.'.join(map(str, path))}")
    scalar = yaml_scalar(value, flow=node.flow_style)
    if node.flow_style:
        if node.value:
            at = node.value[-1].end_mark.index
            new = text[:at] + ", " + scalar + text[at:]
        else:
            at = node.start_mark.index + 1  # just after '['
            new = text[:at] + scalar + text[at:]
    else:
        last = node.value[-1]
        indent = " " * node.start_mark.column
        if last.end_mark.column == 0:  # the item ended at the start of the next line
            at = last.end_mark.index
            new = text[:at] + f"{indent}- {scalar}\n" + text[at:]
        else:
            eol = text.find("\n", last.end_mark.index)
            eol = len(text) if eol == -1 else eol
            new = text[:eol] + f"\n{indent}- {scalar}" + text[eol:]
    before = _value_at(yaml.safe_load(text), path)
    after = _value_at(yaml.safe_load(new), path)
    if after != list(before) + [value]:
        raise ValueError(f"the edit of {'.'.join(map(str, path))} did not read back as intended")
    return new


def insert_key_after(text: str, after_key: str, line: str) -> str:
    """``text`` with ``line`` inserted after the top-level ``after_key:`` line."""
    m = re.search(rf"^{re.escape(after_key)}:.*$", text, flags=re.M)
    if not m:
        raise ValueError(f"no top-level key '{after_key}'")
    return text[: m.end()] + "\n" + line + text[m.end():]


def read_source_text(path: Path) -> tuple[str, str, bool]:
    """(text with \\n line ends, the file's line end, whether it had a BOM): for edits that keep both."""
    raw = path.read_bytes()
    bom = raw.startswith(BOM)
    text = raw[len(BOM):].decode("utf-8") if bom else raw.decode("utf-8")
    eol = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), eol, bom


def write_source_text(path: Path, text: str, eol: str = "\n", bom: bool = False) -> None:
    """``text`` written back with the file's line end and BOM (atomically, keeping the file's mode)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    atomic_write_bytes(path, (BOM if bom else b"") + text.replace("\n", eol).encode("utf-8"))
    if mode is not None:
        path.chmod(mode)


# -- edits of a mapping's own keys (``manual revise``, ``manual approve`` closing a change) -----------
def _span_root(text: str, base: int, end: int):
    root = yaml.compose(text[base:end], Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("the YAML is not a mapping")
    return root


def _top(root, key: str):
    for k, v in root.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None, None


def _eol(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end == -1 else end


def _last_end(node) -> int:
    """Index just after the last character of ``node``'s own text (a block collection ends at its last value)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        key, value = node.value[-1]
        return max(_last_end(value), key.end_mark.index)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _last_end(node.value[-1])
    return node.end_mark.index


def quoted_like(node, value: str) -> str:
    """``value`` as a string scalar quoted as ``node`` was ("…" unless it used '…')."""
    if getattr(node, "style", None) == "'" and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def scalar_edits(text: str, values: dict, *, after: str, remove=(), base: int = 0, end: int | None = None) -> str:
    """``text`` with top-level keys of the mapping ``text[base:end]`` set or removed, in place.

    ``values`` maps a key to the exact YAML text of its new value (one line); a key that is not
    there yet is added on a line of its own after the key ``after``.  Keys in ``remove`` lose their
    line.  Comments after a changed value stay; every other line is unchanged.
    """
    end = len(text) if end is None else end
    root = _span_root(text, base, end)
    edits = []  # (start, stop, replacement)
    missing = []
    for key, value in values.items():
        knode, vnode = _top(root, key)
        if knode is None:
            missing.append(f"{key}: {value}")
            continue
        if not isinstance(vnode, yaml.ScalarNode) or vnode.start_mark.line != vnode.end_mark.line:
            raise ValueError(f"'{key}' is not a one-line value")
        start, stop = base + vnode.start_mark.index, base + vnode.end_mark.index
        if start == stop:
            edits.append((start, stop, " " + value))
        else:
            edits.append((start, stop, value))
    for key in remove:
        knode, vnode = _top(root, key)
        if knode is None:
            continue
        if not isinstance(vnode, yaml.ScalarNode) or vnode.end_mark.line != knode.start_mark.line:
            raise ValueError(f"'{key}' is not a one-line value")
        start = text.rfind("\n", 0, base + knode.start_mark.index) + 1
        if text[start:base + knode.start_mark.index].strip():
            raise ValueError(f"'{key}' is not at the start of its line")
        stop = _eol(text, base + vnode.end_mark.index)
        edits.append((start, min(stop + 1, len(text)), ""))
    if missing:
        knode, vnode = _top(root, after)
        if knode is None:
            raise ValueError(f"no key '{after}'")
        indent = " " * knode.start_mark.column
        pos = _eol(text, base + _last_end(vnode))
        edits.append((pos, pos, "".join(f"\n{indent}{line}" for line in missing)))
    for start, stop, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text


def append_item(text: str, key: str, item: str, *, base: int = 0, end: int | None = None) -> str:
    """``text`` with ``item`` (the YAML text of a one-line flow value) appended to the top-level list ``key``
    of the mapping ``text[base:end]``, in the list's own style; a missing list is added at the end."""
    end = len(text) if end is None else end
    root = _span_root(text, base, end)
    knode, node = _top(root, key)
    if knode is None:
        pos = _eol(text, base + _last_end(root))
        return text[:pos] + f"\n{key}:\n  - {item}" + text[pos:]
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        start, stop = base + node.start_mark.index, base + node.end_mark.index
        return text[:start] + ("" if start != stop else " ") + f"[{item}]" + text[stop:]
    if not isinstance(node, yaml.SequenceNode):
        raise ValueError(f"'{key}' is not a list")
    if node.flow_style:
        if node.value:
            at = base + node.value[-1].end_mark.index
            return text[:at] + ", " + item + text[at:]
        at = base + node.start_mark.index + 1
        return text[:at] + item + text[at:]
    indent = " " * node.value[0].start_mark.column if node.value else " " * (knode.start_mark.column + 2)
    dash = text.rfind("-", 0, base + node.value[0].start_mark.index) if node.value else -1
    if dash != -1:
        indent = " " * (dash - (text.rfind("\n", 0, dash) + 1))
    pos = _eol(text, base + _last_end(node))
    return text[:pos] + f"\n{indent}- {item}" + text[pos:]
