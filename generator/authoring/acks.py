"""``manual ack record FILE.csv``: completed read-and-acknowledge sheets (阅知确认表) into the source.

The CSV has one header row naming the columns ``person``, ``document``, ``version`` and ``date`` (or
``人员``, ``文件``, ``版本``, ``日期``), in any order, and one row per acknowledgement.  Every row is checked
before anything is written, as ``manual forms fill`` does, each problem told at its row (the header is
row 1) and column:

* ``person``: a person id of manual/people.yaml, or a name it lists exactly once;
* ``document``: a document's code; ``version``: one its revisions list (or its current version);
* ``date``: a date (2026-03-09, 2026/3/9, 2026年3月9日), not after today (``MANUAL_TODAY`` pins it) and, for
  a document's current version, not before that version took effect (its effective, else 批准 date);
* no (person, document, version) twice, in the file or already recorded in control/acks/.

All or nothing: with any problem nothing is written.  Otherwise the rows become one new file,
``control/acks/<today>-<NNN>.yaml`` (the next free number of the day), written atomically: files are only
ever added, so two branches that record acknowledgements merge without conflicts, and an online collector
can write files of the same format (``schemas/ack.schema.json``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..common.suggest import closest
from ..errors import CsvProblem
from ..model.acks import acknowledged, since
from ..publishers.forms.fill import decode, parse_date
from ..read.control import ACKS
from .yamltext import flow_mapping, write_source_text, yaml_scalar

COLUMNS = {"person": ("person", "人员"), "document": ("document", "文件"), "version": ("version", "版本"),
           "date": ("date", "日期")}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
HEADER = "# yaml-language-server: $schema={schema}\n# 阅知记录：manual ack record 写入（每次一个文件，只增不改）\n"


@dataclass
class RowProblem:
    """A problem of one cell: the spreadsheet's row (header = 1), the column as written, catalogue key."""

    row: int
    column: str
    key: str  # ack.record.<key>
    values: dict = field(default_factory=dict)


def _header(cells: list[str]) -> dict[str, int]:
    """Column index of each of person, document, version, date; ``CsvProblem`` when one is missing."""
    names = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, int] = {}
    for i, cell in enumerate(cells):
        key = names.get(cell.strip().lstrip("\ufeff").lower())
        if key is not None and key not in found:
            found[key] = i
    missing = [k for k in COLUMNS if k not in found]
    if missing:
        raise CsvProblem("ack.record.columns_missing", missing=", ".join(f"{k}/{COLUMNS[k][1]}" for k in missing),
                         found=", ".join(c.strip() for c in cells if c.strip()) or "—")
    return found


def _person(manual, value: str) -> tuple[str | None, tuple[str, dict] | None]:
    """The person id a cell names (an id, or a name listed once), or the problem."""
    if value in manual.people:
        return value, None
    named = [pid for pid, p in manual.people.items() if p.name == value]
    if len(named) == 1:
        return named[0], None
    if len(named) > 1:
        return None, ("person_ambiguous", {"value": value, "ids": ", ".join(named)})
    close = closest(value, [*manual.people, *(p.name for p in manual.people.values() if p.name)])
    return None, ("person_unknown", {"value": value, "hint": close or "—"})


def read_rows(manual, data: bytes) -> tuple[list[dict], list[RowProblem]]:
    """The acknowledgements of the CSV ``data`` ({person, document, version, date}) and every problem."""
    from ..model.review import today

    if len(data) > MAX_BYTES:
        raise CsvProblem("ack.record.too_large", limit=MAX_BYTES // (1024 * 1024))
    content, _ = decode(data)
    rows = list(csv.reader(io.StringIO(content, newline="")))
    header_row = next((i for i, cells in enumerate(rows) if any(c.strip() for c in cells)), None)
    if header_row is None:
        raise CsvProblem("ack.record.empty")
    columns = _header(rows[header_row])
    shown = {k: rows[header_row][i].strip() for k, i in columns.items()}
    on = today(manual)
    known = acknowledged(manual)
    seen: dict[tuple, int] = {}
    out: list[dict] = []
    problems: list[RowProblem] = []
    for index, cells in enumerate(rows[header_row + 1:], start=header_row + 2):
        if not any(c.strip() for c in cells):
            continue
        if len(out) + len(problems) >= MAX_ROWS:
            raise CsvProblem("ack.record.too_many_rows", limit=MAX_ROWS)
        cell = {k: (cells[i].strip() if i < len(cells) else "") for k, i in columns.items()}
        bad = len(problems)
        for k in COLUMNS:
            if not cell[k]:
                problems.append(RowProblem(index, shown[k], "empty_cell"))
        person = doc = date = None
        if cell["person"]:
            person, why = _person(manual, cell["person"])
            if why:
                problems.append(RowProblem(index, shown["person"], *why))
        if cell["document"]:
            doc = manual.document(cell["document"])
            if doc is None:
                close = closest(cell["document"], [d.code for d in manual.documents if d.code])
                problems.append(RowProblem(index, shown["document"], "document_unknown",
                                           {"value": cell["document"], "hint": close or "—"}))
        if doc is not None and cell["version"]:
            versions = list(dict.fromkeys([*(r.version for r in doc.revisions if r.version), doc.version]))
            if cell["version"] not in versions:
                problems.append(RowProblem(index, shown["version"], "version_unknown",
                                           {"value": cell["version"], "code": doc.code,
                                            "versions": ", ".join(versions)}))
        if cell["date"]:
            date = parse_date(cell["date"])
            if date is None:
                problems.append(RowProblem(index, shown["date"], "date_bad", {"value": cell["date"][:60]}))
            elif date > on:
                problems.append(RowProblem(index, shown["date"], "date_future",
                                           {"value": date.isoformat(), "today": on.isoformat()}))
        if date is not None and doc is not None and cell["version"] == doc.version and date <= on:
            start = since(doc)
            if start is not None and date < start:
                problems.append(RowProblem(index, shown["date"], "date_early",
                                           {"value": date.isoformat(), "code": doc.code, "version": doc.version,
                                            "since": start.isoformat()}))
        if len(problems) > bad:
            continue
        key = (person, doc.code, cell["version"])
        if key in known:
            problems.append(RowProblem(index, shown["person"], "already_recorded",
                                       {"person": person, "code": doc.code, "version": cell["version"]}))
        elif key in seen:
            problems.append(RowProblem(index, shown["person"], "twice",
                                       {"person": person, "code": doc.code, "version": cell["version"],
                                        "first": seen[key]}))
        else:
            seen[key] = index
            out.append({"person": person, "document": doc.code, "version": cell["version"], "date": date})
    return out, problems


def next_file(root: Path, on: dt.date) -> str:
    """control/acks/<on>-<NNN>.yaml, the next number of the day not yet used."""
    folder = Path(root) / ACKS
    n = 1
    while (folder / f"{on.isoformat()}-{n:03d}.yaml").exists():
        n += 1
    return f"{ACKS}/{on.isoformat()}-{n:03d}.yaml"


def write_records(root: Path, records: list[dict], on: dt.date, source_name: str) -> str:
    """One new file of control/acks/ holding ``records``; its path from the manual's folder."""
    from .scaffold import schema_ref

    rel = next_file(root, on)
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [HEADER.format(schema=schema_ref(Path(root), path, "ack")), f"recorded: {on.isoformat()}\n",
             f"source: {yaml_scalar(source_name)}\n", "acks:\n"]
    lines += [f"  - {flow_mapping(r)}\n" for r in records]
    write_source_text(path, "".join(lines))
    return rel
