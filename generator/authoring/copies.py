"""The distribution register as text: ``manual issue`` adds copies, ``manual recall`` records returns.

control/distribution.yaml is edited in place (``yamltext``): comments and layout stay; each copy is one
flow mapping on its own line, ``- {edition: …, copy: …, holder: …, issued: …, file: …, sha256: …}``.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from ..read.control import DISTRIBUTION
from .yamltext import append_item, flow_mapping, read_source_text, write_source_text, yaml_scalar

EMPTY_LIST = re.compile(r"^copies:[ \t]*(?:~|null)?([ \t]*#[^\n]*)?[ \t]*$", re.M)
HEADER = "# 文件发放/回收登记表 (manual issue / manual recall write this file)\ncopies:\n"


def next_numbers(copies, edition: str, count: int) -> list[int]:
    """The next ``count`` copy numbers of ``edition`` (after the highest issued)."""
    used = [c.copy for c in copies if c.edition == edition and c.copy is not None]
    start = max(used, default=0) + 1
    return list(range(start, start + count))


def record_issues(root: Path, entries: list[dict]) -> None:
    """Append ``entries`` (edition, copy, holder, issued, file, sha256) to the register."""
    path = Path(root) / DISTRIBUTION
    if path.exists():
        text, eol, bom = read_source_text(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        text, eol, bom = HEADER, "\n", False
    entries = list(entries)
    empty = EMPTY_LIST.search(text)
    if entries and empty is not None and not (yaml.safe_load(text) or {}).get("copies"):
        # an empty ``copies:`` becomes a block list (one copy a line), not a one-line flow list
        first = flow_mapping(entries.pop(0))
        text = text[:empty.start()] + f"copies:{empty.group(1) or ''}\n  - {first}" + text[empty.end():]
    for entry in entries:
        text = append_item(text, "copies", flow_mapping(entry))
    if not text.endswith("\n"):
        text += "\n"
    write_source_text(path, text, eol, bom)


def record_recall(root: Path, edition: str, copy: int, date: dt.date) -> str:
    """Write ``recalled: date`` on the entry of copy ``copy`` of ``edition``.  Returns ``"recalled"``,
    or ``"unknown"`` (no such copy) or ``"already"`` (recalled before: nothing is written)."""
    path = Path(root) / DISTRIBUTION
    if not path.exists():
        return "unknown"
    text, eol, bom = read_source_text(path)
    root_node = yaml.compose(text, Loader=yaml.SafeLoader)
    items = None
    if isinstance(root_node, yaml.MappingNode):
        for key, value in root_node.value:
            if key.value == "copies" and isinstance(value, yaml.SequenceNode):
                items = value.value
    data = (yaml.safe_load(text) or {}).get("copies") or []
    for node, entry in zip(items or [], data):
        if isinstance(entry, dict) and str(entry.get("edition")) == edition and entry.get("copy") == copy:
            if entry.get("recalled"):
                return "already"
            value = yaml_scalar(date)
            if isinstance(node, yaml.MappingNode) and node.flow_style:
                at = node.end_mark.index - 1  # the closing brace
                text = text[:at].rstrip() + f", recalled: {value}" + text[at:]
            else:
                last = node.value[-1][1]
                eol_at = text.find("\n", last.end_mark.index)
                eol_at = len(text) if eol_at == -1 else eol_at
                indent = " " * node.start_mark.column
                text = text[:eol_at] + f"\n{indent}recalled: {value}" + text[eol_at:]
            check = [e for e in (yaml.safe_load(text) or {}).get("copies") or []
                     if isinstance(e, dict) and str(e.get("edition")) == edition and e.get("copy") == copy]
            if not check or check[0].get("recalled") != date:  # pragma: no cover - defensive
                raise ValueError("the recall did not read back as intended")
            write_source_text(path, text, eol, bom)
            return "recalled"
    return "unknown"
