"""``manual forms fill FORM --data FILE.csv [--out DIR]``: pre-filled PDF forms in batches.

One filled PDF per CSV row (``0001-<first column>.pdf`` …) and one merged
PDF (``<form-id>-all.pdf``) in which each row's fields sit under ``r0001.``,
``r0002.`` … so that no field name repeats.

The CSV:

- is UTF-8 (with or without a BOM) or GBK/GB18030, as Excel saves it in China;
- has one header row; a column is a field id (``customer``), a field's label
  if no other field has the same label (``客户名称``), a table cell
  (``issues_1_2``: row 1, column 2) or a signature's date (``visitor_sign_date``);
- dates are ``YYYY-MM-DD``; ``YYYY/M/D`` (Excel's Chinese default) and
  ``YYYY年M月D日`` are accepted too, and written as ``YYYY-MM-DD``;
- a choice holds one of the field's options; a multichoice holds options
  separated by ``;``, ``；``, ``、`` or ``|``; a check box holds 是/否, 1/0,
  yes/no, true/false, √, x or nothing;
- a required field whose column is present must not be empty (fields whose
  column is absent are left for the hand to fill);
- empty rows are skipped;
- limits: at most MAX_CSV_BYTES (20 MB), MAX_ROWS data rows (10,000) and
  MAX_CELL characters in a cell (10,000); a NUL character is refused.

Every row is checked before anything is written (a first pass over the
CSV); any problem is reported with the CSV row number (the first row is
row 1, as in a spreadsheet) and the column, the command exits 1 and nothing
is written.  A second pass fills the rows one at a time, each file written
to disk as it is made, into a new folder that replaces the old one only
when all of them are ready (``write_batch``).
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from ...common.suggest import did_you_mean
from ...errors import CsvProblem
from ...labels import LANGS, text
from ...model import formspec
from .font import VALUE_FONT, field_glyphs, value_font
from .pdf import quiet_loggers, root_fields
from .spec import FALSE, TRUE, sheet_rows, split_choices

NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
DATE_FORMS = (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
              re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"))
MAX_REPORTED = 30
MAX_CSV_BYTES = 20 * 1024 * 1024  # a CSV file: 20 MB
MAX_ROWS = 10_000  # data rows in one batch (each filled PDF is about 300 KB: 10,000 rows are 3 GB, and the merged file as much)
MAX_CELL = 10_000  # characters in one cell
MAX_RECORD_BYTES = 400_000  # a filled record above this warns: common mail limits (issue #17)
SHOWN = 60  # characters of a wrong value quoted in a message


def message(key: str, lang: str, **values) -> str:
    """The catalogue's ``form_fill.<key>`` in ``lang``; a value given as ``{lang: text}`` is taken in ``lang``."""
    lang = lang if lang in LANGS else "zh-CN"
    return text(f"form_fill.{key}", lang, **{k: v[lang] if isinstance(v, dict) else v for k, v in values.items()})


def problem(key: str, **values) -> CsvProblem:
    """A ``CsvProblem`` told with ``form_fill.<key>``; a value given as ``{lang: text}`` is taken in each language."""
    return CsvProblem(f"form_fill.{key}", **{k: (lambda lang, v=v: v[lang]) if isinstance(v, dict) else v
                                              for k, v in values.items()})


@dataclass
class RowError:
    row: int  # the spreadsheet's row number: the first record of the file is row 1
    column: str
    key: str  # the message: ``form_fill.<key>`` of the label catalogue
    values: dict = dc_field(default_factory=dict)

    def text(self, csv_name: str, lang: str, *, warning: bool = False) -> str:
        key = ("row_warning" if warning else "row_error") if self.column else "record_warning"  # the whole row's
        return message(key, lang, csv=csv_name, row=self.row, column=self.column,
                       message=message(self.key, lang, **self.values))


@dataclass
class Record:
    """One data row, checked: ``values`` {column: typed value}, ``pdf`` {pdf field name: pdf value}."""
    row: int
    values: dict
    pdf: dict
    columns: dict = dc_field(default_factory=dict)  # pdf field name → (CSV column, field label), for warnings


@dataclass
class Table:
    """A CSV whose header names the form's fields; its rows are read (again) by ``records``."""
    form: object
    content: str  # the decoded text
    encoding: str
    header_row: int  # the header's row number (1 unless empty rows come first)
    header: list[str]
    names: list[str | None]  # field name per column (None: an unnamed, empty column to ignore)

    @property
    def columns(self) -> list[str]:
        return [n for n in self.names if n]

    def records(self, errors: list[RowError] | None = None) -> Iterator[Record]:
        """The data rows one at a time (empty rows skipped); each problem is appended to ``errors``."""
        errors = [] if errors is None else errors
        by_name = formspec.csv_columns(self.form, rows=sheet_rows(self.form)[0])
        names, header = self.names, self.header
        for index, cells in _records(self.content):
            if index <= self.header_row or not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
                errors.append(RowError(index, f"#{len(names) + 1}", "too_many_values",
                                       {"values": len(cells), "columns": len(names)}))
                continue
            values, pdf, where = {}, {}, {}
            for col_index, name in enumerate(names):
                cell = cells[col_index].strip() if col_index < len(cells) else ""
                column = header[col_index].strip() or f"#{col_index + 1}"
                if "\x00" in cell:
                    errors.append(RowError(index, column, "nul_byte", {"at": cell.index("\x00") + 1}))
                    continue
                if len(cell) > MAX_CELL:
                    errors.append(RowError(index, column, "cell_too_long", {"length": len(cell), "limit": MAX_CELL}))
                    continue
                if name is None:
                    if cell:
                        errors.append(RowError(index, column, "value_without_column"))
                    continue
                pf = by_name[name]
                if not cell:
                    if pf.required:
                        errors.append(RowError(index, column, "required_but_empty", {"label": pf.label}))
                    continue
                typed = _typed(pf, cell, index, column, errors)
                if typed is not None:
                    values[name], filled = typed
                    pdf.update(filled)
                    where.update({pdf_name: (column, pf.label) for pdf_name in filled})
            yield Record(index, values, pdf, where)


@dataclass
class Checked:
    """What checking every row of a table found: the number of rows to fill and the problems."""
    rows: int
    errors: list[RowError]  # the first MAX_REPORTED
    error_count: int


# -- reading ------------------------------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding's name: UTF-8 (BOM or not), else GBK (read as GB18030, its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise problem("not_utf8_or_gbk", byte=exc.start + 3) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem("utf16")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):  # a zip (.xlsx) or an OLE file (.xls)
        raise problem("spreadsheet")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise problem("not_utf8_or_gbk", byte=exc.start) from None


def _records(content: str) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every record, the first being row 1.

    The csv module's own cell limit (131,072 characters) is lifted while
    reading, so that a long cell is reported here, at its row and column,
    rather than as the csv module's error; the file's size is limited instead.
    """
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(content) + 1))
    reader = csv.reader(io.StringIO(content, newline=""))
    row = 0
    try:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise problem("unreadable", row=row + 1, reason=str(exc)) from None
            row += 1
            yield row, cells
    finally:
        csv.field_size_limit(limit)


def _column_index(form) -> tuple[dict[str, formspec.PdfField], dict[str, list[str]]]:
    by_name = formspec.csv_columns(form, rows=sheet_rows(form)[0])
    by_label: dict[str, list[str]] = {}
    for name, pf in by_name.items():
        if pf.kind in ("table_cell",) or name.endswith("_date") and pf.field.type == "signature":
            continue
        by_label.setdefault(pf.label, []).append(name)
    return by_name, by_label


def _resolve_header(form, header: list[str]) -> list[str | None]:
    """Field name per column (None: an unnamed, empty column to ignore)."""
    by_name, by_label = _column_index(form)
    signatures = {f.id for f in form.fields() if f.type == "signature"}
    names: list[str | None] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header, start=1):
        col = raw.strip()
        if "\x00" in col:
            raise problem("nul_byte_header", i=i, at=col.index("\x00") + 1)
        if len(col) > SHOWN:
            raise problem("header_too_long", i=i, length=len(col), start=col[:20])
        if not col:
            names.append(None)
            continue
        if col in by_name:
            name = col
        elif len(by_label.get(col, [])) == 1:
            name = by_label[col][0]
        elif len(by_label.get(col, [])) > 1:
            raise problem("label_ambiguous", i=i, col=col, ids=", ".join(by_label[col]))
        elif col in signatures:
            raise problem("signature_column", i=i, col=col, date=formspec.signature_date_name(col))
        else:
            candidates = list(by_name) + [label for label, ids in by_label.items() if len(ids) == 1]
            hint = dict(zip(("en", "zh-CN"), did_you_mean(col, candidates, cutoff=0.6)))
            known = ", ".join(list(by_name)[:12]) + (" …" if len(by_name) > 12 else "")
            raise problem("unknown_column", i=i, col=col, form=form.id, hint=hint, known=known)
        if name in seen:
            raise problem("column_twice", i=i, col=col, name=name, first=seen[name])
        seen[name] = i
        names.append(name)
    return names


def parse_date(text: str) -> dt.date | None:
    for pattern in DATE_FORMS:
        m = pattern.fullmatch(text)
        if m:
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
    return None


def _options(pf: formspec.PdfField) -> dict[str, str]:
    """A field's options as a list in a message, in each language."""
    return {lang: text("form_fill.separator", lang).join(pf.options) for lang in LANGS}


def _shown(value: str) -> str:
    """A wrong value as a message quotes it: its first SHOWN characters."""
    return value if len(value) <= SHOWN else value[:SHOWN] + "…"


def _typed(pf: formspec.PdfField, value: str, row: int, column: str, errors: list[RowError]):
    """(value for the model, {pdf name: pdf value}) or None on an error (appended to ``errors``)."""
    label = pf.label
    if pf.kind in ("date",):
        day = parse_date(value)
        if day is None:
            errors.append(RowError(row, column, "not_a_date", {"value": _shown(value), "label": label}))
            return None
        return day.isoformat(), {pf.name: day.isoformat()}
    if pf.kind == "number":
        if not NUMBER.fullmatch(value):
            errors.append(RowError(row, column, "not_a_number", {"value": _shown(value), "label": label}))
            return None
        return value, {pf.name: value}
    if pf.kind == "choice":
        if value not in pf.options:
            errors.append(RowError(row, column, "not_an_option", {"value": _shown(value), "options": _options(pf)}))
            return None
        return value, {pf.name: f"/{pf.options.index(value)}"}
    if pf.kind == "multichoice":
        chosen = split_choices(value)
        wrong = [c for c in chosen if c not in pf.options]
        if wrong:
            errors.append(RowError(row, column, "not_an_option", {"value": _shown(wrong[0]),
                                                                   "options": _options(pf)}))
            return None
        return chosen, {formspec.option_name(pf.field.id, pf.options.index(c) + 1): "/on" for c in chosen}
    if pf.kind == "checkbox":
        key = value.strip().lower()
        if key in TRUE:
            return True, {pf.name: "/on"}
        if key in FALSE:
            return False, {}
        errors.append(RowError(row, column, "not_yes_or_no", {"value": _shown(value), "label": label}))
        return None
    return value, {pf.name: value}


def read_csv(form, data: bytes) -> Table:
    """The CSV's header, checked against the form; raises ``CsvProblem`` for a problem with the file as a whole."""
    if len(data) > MAX_CSV_BYTES:
        raise problem("too_big", size=_mb(len(data)), limit=_mb(MAX_CSV_BYTES))
    content, encoding = decode(data)
    for row, cells in _records(content):
        if any(cell.strip() for cell in cells):
            names = _resolve_header(form, cells)
            if not any(names):
                raise problem("no_field_named")
            return Table(form, content, encoding, row, cells, names)
    raise problem("empty")


class _FirstErrors(list):
    """The first MAX_REPORTED problems, and the count of all."""
    count = 0

    def append(self, error: RowError) -> None:
        self.count += 1
        if len(self) < MAX_REPORTED:
            super().append(error)


def read_csv_file(form, path: Path) -> Table:
    """``read_csv`` of a file, of which no more than the limit is read, whatever its size."""
    with open(path, "rb") as fh:
        data = fh.read(MAX_CSV_BYTES + 1)
        if len(data) > MAX_CSV_BYTES:
            raise problem("too_big", size=_mb(os.fstat(fh.fileno()).st_size), limit=_mb(MAX_CSV_BYTES))
    return read_csv(form, data)


def check_rows(table: Table) -> Checked:
    """Check every row; stop with ``CsvProblem`` at more than MAX_ROWS rows."""
    errors = _FirstErrors()
    rows = 0
    for record in table.records(errors):
        rows += 1
        if rows > MAX_ROWS:
            raise problem("too_many_rows", row=record.row, limit=f"{MAX_ROWS:,}")
    return Checked(rows, list(errors), errors.count)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


# -- filling ------------------------------------------------------------------------------
MIN_SIZE = 6.0  # points: a value is shrunk down to this size to fit its box, and no further
LINE_SPACING = 1.2  # a multiline value's line height, times the font size
PAD = 2.0  # points between a box's edge and its text
# Chinese line breaking (kinsoku): no line starts with the first set, none ends with the second.
NO_LINE_START = set("。，、；：？！）》」』】〕〉〗〙〛”’…‥·・％‰℃,.;:?!)]}%")
NO_LINE_END = set("（《「『【〔〈〖〘〚“‘([{")


def _can_break(text: str, i: int) -> bool:
    """May a line end between ``text[i - 1]`` and ``text[i]``?"""
    before, after = text[i - 1], text[i]
    if after in NO_LINE_START or before in NO_LINE_END:
        return False
    return not (before.isascii() and after.isascii() and before.isalnum() and after.isalnum())  # a Latin word


def wrap(glyphs, text: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` points at ``size``: at a paragraph's end, else
    before the first character that does not fit, moved back to where the rules allow a break
    (no line starts with 。，、；：？！）》… nor ends with （《「『【…, Latin words kept whole);
    a line that has no such place is broken where it is full."""
    lines = []
    for paragraph in text.split("\n"):
        start, n = 0, len(paragraph)
        if not n:
            lines.append("")
        while start < n:
            end, used = start + 1, glyphs.width(paragraph[start], size)
            while end < n:
                step = glyphs.width(paragraph[end], size)
                if used + step > width:
                    break
                used, end = used + step, end + 1
            if end < n:
                cut = end
                while cut > start + 1 and not _can_break(paragraph, cut):
                    cut -= 1
                if _can_break(paragraph, cut):
                    end = cut
            lines.append(paragraph[start:end].rstrip(" "))
            start = end
            while start < n and paragraph[start] == " ":
                start += 1
    return lines


def layout_value(glyphs, text: str, size: float, w: float, h: float, multiline: bool):
    """How a value is drawn in a box ``w`` × ``h`` points: ``(size, lines, fits)``.

    A single line shrinks until it is as wide as the box, down to MIN_SIZE; a multiline
    value wraps (``wrap``) and shrinks until its lines are as tall as the box, down to
    MIN_SIZE.  ``fits`` is False when even MIN_SIZE is too large: the box shows the
    beginning, the field's value (``/V``) keeps the whole."""
    size = size or 10.0
    while True:
        if multiline:
            lines = wrap(glyphs, text, size, w - 2 * PAD)
            fits = len(lines) * size * LINE_SPACING <= h - PAD + 0.01
        else:
            lines = [text.replace("\n", " ")]
            fits = glyphs.width(lines[0], size) <= w - 2 * PAD + 0.01
        if fits or size <= MIN_SIZE:
            return size, lines, fits
        size = max(MIN_SIZE, size - 0.5)


def _appearance(glyphs, size: float, rect, text: str, multiline: bool) -> tuple[bytes, bool]:
    """A text field's normal appearance (the value in the value font, clipped to the box), and whether it fits."""
    w, h = abs(float(rect[2]) - float(rect[0])), abs(float(rect[3]) - float(rect[1]))
    size, lines, fits = layout_value(glyphs, text, size, w, h, multiline)
    ops = [b"/Tx BMC", b"q", f"1 1 {w - 2:.2f} {h - 2:.2f} re W n".encode(), b"BT", b"0 g"]
    if multiline:
        leading = size * LINE_SPACING
        y = h - PAD - glyphs.ascent * size / 1000
        ops.append(f"/{VALUE_FONT} {size:g} Tf {leading:.2f} TL {PAD:.2f} {y:.2f} Td".encode())
    else:
        height = (glyphs.ascent - glyphs.descent) * size / 1000
        y = (h - height) / 2 - glyphs.descent * size / 1000
        ops.append(f"/{VALUE_FONT} {size:g} Tf {PAD:.2f} {y:.2f} Td".encode())
    for i, line in enumerate(lines):
        ops.append((b"T* " if i else b"") + _literal(glyphs.encode(line)) + b" Tj")
    ops += [b"ET", b"Q", b"EMC"]
    return b"\n".join(ops), fits


def _da_font(da: str) -> tuple[str, float]:
    m = re.search(r"/([^\s/]+)\s+([\d.]+)\s+Tf", da or "")
    return (m.group(1), float(m.group(2))) if m else ("", 10.0)


def value_chars(values: dict[str, str]) -> set[str]:
    """The characters a value font must hold to draw ``values`` (a button's state is no text)."""
    return {ch for v in values.values() if not str(v).startswith("/") for ch in str(v)}


def _literal(data: bytes) -> bytes:
    """``data`` as a PDF literal string: its bytes as they are, only \\, ( and ) and CR escaped."""
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r") + b")"


@lru_cache(maxsize=1)
def _text_class():
    from pypdf.generic import TextStringObject

    class Text(TextStringObject):
        def write_to_stream(self, stream, encryption_key=None) -> None:
            stream.write(_literal(self.get_encoded_bytes()))

    return Text


def _value_string(value: str):
    """A field's value as a PDF text string written with its bytes as they are, not in pypdf's
    three-digit octal escapes: about 26 bytes for 11 Chinese characters instead of 68, which a register
    with every cell filled needs to stay within the size limit."""
    return _text_class()(value)


def _fill_annots(writer, annots, values: dict[str, str], font_ref, add=None) -> list[str]:
    """Set the values of the fields whose widgets are ``annots`` (refs), drawing text appearances with
    the value font ``font_ref`` (``font.value_font``); the names of the fields whose value does not fit.

    ``add`` makes an appearance stream an object of the file (``writer._add_object`` unless given).
    """
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, \
        StreamObject

    add = add or writer._add_object
    glyphs = field_glyphs()
    acro = writer.root_object["/AcroForm"].get_object()
    overflow = []
    resources = []  # the appearance streams' one resource dictionary (an object of its own, made once)
    for ref in annots:
        widget = ref.get_object()
        parent = widget.get("/Parent")
        field = widget if widget.get("/T") is not None or parent is None else parent.get_object()
        name = str(field.get("/T", ""))
        if name not in values:
            continue
        value = str(values[name])
        ft = field.get("/FT")
        if ft == "/Btn":
            state = NameObject(value if value.startswith("/") else f"/{value}")
            field[NameObject("/V")] = state
            states = widget.get("/AP", DictionaryObject()).get_object().get("/N", DictionaryObject())
            widget[NameObject("/AS")] = state if state in states.get_object() else NameObject("/Off")
            continue
        if ft != "/Tx":
            continue
        field[NameObject("/V")] = _value_string(value)
        _, size = _da_font(str(widget.get("/DA") or field.get("/DA") or acro.get("/DA") or ""))
        rect = widget["/Rect"]
        multiline = bool(int(field.get("/Ff", 0) or 0) & (1 << 12))
        data, fits = _appearance(glyphs, size, rect, value, multiline)
        if not fits:
            overflow.append(name)
        stream = StreamObject()
        stream.set_data(data)
        w, h = abs(float(rect[2]) - float(rect[0])), abs(float(rect[3]) - float(rect[1]))
        stream.update({  # (/Type /XObject is optional in an appearance stream: left out, 15 bytes a field)
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), FloatObject(round(w, 3)),
                                              FloatObject(round(h, 3))]),
            NameObject("/Resources"): resources[0] if resources else resources.append(add(DictionaryObject({
                NameObject("/Font"): DictionaryObject({NameObject(f"/{VALUE_FONT}"): font_ref})}))) or resources[0],
        })
        packed = stream.flate_encode(level=9)
        if len(packed.get_data()) + 20 >= len(data):  # a short value: plain is smaller than deflated + /Filter
            packed = stream
        widget[NameObject("/AP")] = DictionaryObject({NameObject("/N"): add(packed)})
    return overflow


def _open(template: bytes):
    from pypdf import PdfReader, PdfWriter

    return PdfWriter(clone_from=PdfReader(io.BytesIO(template)))


def _digest(values) -> bytes:
    return hashlib.md5(json.dumps(values, sort_keys=True, ensure_ascii=False).encode("utf-8")).digest()


# -- writing PDFs object by object -----------------------------------------------------------
# The filled files are written as pypdf's ``PdfWriter.write`` lays them out (header, "N 0 obj …
# endobj" in number order, xref table, trailer), byte for byte, but one object at a time: a
# batch never holds more than one row's objects, whatever its number of rows.  The tests compare
# the files with pypdf's own writer.
def _serialized(obj) -> bytes:
    out = io.BytesIO()
    obj.write_to_stream(out)
    return out.getvalue()


class _PdfOut:
    """A PDF file written in object-number order; the xref lines wait in a scratch file, not in memory."""

    def __init__(self, fh, header: str, free: list[int]):
        self.fh = fh
        self.free = free  # numbers of the free (None) objects, as pypdf lists them, then 0
        self.xref = tempfile.TemporaryFile()
        self.count = 0
        fh.write(header.encode() + b"\n")
        fh.write(b"%\xE2\xE3\xCF\xD3\n")

    def write(self, number: int, body: bytes | None = None, obj=None) -> None:
        """Object ``number`` (the next one): its serialized ``body``, or ``obj`` to serialize; neither: free."""
        assert number == self.count + 1, (number, self.count)
        self.count = number
        if body is None and obj is None:
            self.xref.write(b"%010d 00001 f \n" % self.free[self.free.index(number) + 1])
            return
        self.xref.write(b"%010d 00000 n \n" % self.fh.tell())
        self.fh.write(b"%d 0 obj\n" % number)
        if body is not None:
            self.fh.write(body)
        else:
            obj.write_to_stream(self.fh)
        self.fh.write(b"\nendobj\n")

    def append(self, side: "_SideObjects") -> None:
        """The objects made meanwhile in ``side`` (numbered from here on), copied after the others."""
        side.fh.seek(0)
        side.offsets.seek(0)
        base = self.fh.tell()
        shutil.copyfileobj(side.fh, self.fh)
        for line in side.offsets:
            self.count += 1
            self.xref.write(b"%010d 00000 n \n" % (base + int(line)))
        side.close()

    def finish(self, root, info, ids) -> None:
        """The xref table and the trailer, as ``PdfWriter._write_xref_table`` and ``_write_trailer``."""
        from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject, NumberObject

        fh = self.fh
        xref_location = fh.tell()
        fh.write(b"xref\n")
        fh.write(b"0 %d\n" % (self.count + 1))
        fh.write(b"%010d 65535 f \n" % self.free[0])
        self.xref.seek(0)
        shutil.copyfileobj(self.xref, fh)
        self.xref.close()
        fh.write(b"trailer\n")
        trailer = DictionaryObject({NameObject("/Size"): NumberObject(self.count + 1), NameObject("/Root"): root})
        if info is not None:
            trailer[NameObject("/Info")] = info
        trailer[NameObject("/ID")] = ArrayObject([ByteStringObject(i) for i in ids])
        trailer.write_to_stream(fh)
        fh.write(b"\nstartxref\n%d\n%%%%EOF\n" % xref_location)


class _SideObjects:
    """Objects written ahead of their place (a merged file's appearance streams), in a scratch file."""

    def __init__(self, first: int):
        self.next = first
        self.fh = tempfile.TemporaryFile()
        self.offsets = tempfile.TemporaryFile()

    def add(self, obj, pdf):
        from pypdf.generic import IndirectObject

        number = self.next
        self.next += 1
        self.offsets.write(b"%d\n" % self.fh.tell())
        self.fh.write(b"%d 0 obj\n" % number)
        obj.write_to_stream(self.fh)
        self.fh.write(b"\nendobj\n")
        return IndirectObject(number, 0, pdf)

    def close(self) -> None:
        self.fh.close()
        self.offsets.close()


class _Objects:
    """Resolves references: a row's own objects first (by number), then the template's."""

    def __init__(self, writer):
        self.writer = writer
        self.own: dict[int, object] = {}

    def get_object(self, ref):
        number = ref if isinstance(ref, int) else ref.idnum
        return self.own[number] if number in self.own else self.writer.get_object(number)


class FormFiller:
    """A fillable PDF read once, to write one filled copy after another (``fill``) and to merge them.

    The objects a row changes (the widgets and their fields) are copied for the
    row and put back afterwards; every other object is written from the bytes
    serialized once.
    """

    def __init__(self, template: bytes):
        from pypdf.generic import NameObject

        quiet_loggers()
        self.template = template
        self.writer = writer = _open(template)
        self.size = len(writer._objects)
        self.free = [n for n, obj in enumerate(writer._objects, start=1) if obj is None] + [0]
        self.id1 = hashlib.md5(template).digest()
        self.overflow: list[str] = []  # the fields whose value did not fit, in the last fill or row
        self.page_annots = [list(page.get("/Annots") or []) for page in writer.pages]
        self.changing = set()  # numbers of the objects a fill may change: widgets and their parent fields
        for annots in self.page_annots:
            for ref in annots:
                node = ref
                while node is not None and node.idnum not in self.changing:
                    self.changing.add(node.idnum)
                    node = node.get_object().get("/Parent")
        for n in self.changing:  # tooltips in plain bytes, not pypdf's octal escapes: about 100 bytes a field
            node = writer._objects[n - 1]
            if node is not None and isinstance(node.get("/TU"), str):
                node[NameObject("/TU")] = _value_string(str(node["/TU"]))
        self.bodies = [None if obj is None or n in self.changing else _serialized(obj)
                       for n, obj in enumerate(writer._objects, start=1)]

    def fill(self, fh, values: dict[str, str]) -> list[str]:
        """Write the template with ``values`` ({pdf field name: value}) filled in to ``fh``; the names of
        the fields whose value does not fit its box (drawn in part; ``/V`` holds it whole)."""
        from pypdf.generic import DictionaryObject

        writer = self.writer
        objects = writer._objects
        kept = {n: objects[n - 1] for n in self.changing}
        try:
            for n, obj in kept.items():
                copy = DictionaryObject(obj)
                copy.indirect_reference = obj.indirect_reference
                objects[n - 1] = copy
            font_ref = writer._add_object(value_font(field_glyphs(), value_chars(values), writer._add_object))
            overflow = []
            for annots in self.page_annots:
                overflow += _fill_annots(writer, annots, values, font_ref)
            out = _PdfOut(fh, writer.pdf_header, self.free)
            for n, obj in enumerate(objects, start=1):
                body = self.bodies[n - 1] if n <= self.size else None
                out.write(n, body, obj if body is None else None)
            out.finish(writer.root_object.indirect_reference, _info_ref(writer), (self.id1, _digest(values)))
            return overflow
        finally:
            del objects[self.size:]
            for n, obj in kept.items():
                objects[n - 1] = obj

    def merged(self, fh, rows: int) -> "MergedWriter":
        return MergedWriter(self, fh, rows)


def _info_ref(writer):
    return writer._info.indirect_reference if writer._info is not None else None


FONT_OBJECTS = 5  # the objects of ``font.value_font``: font file, descriptor, CID font, ToUnicode, the font


class MergedWriter:
    """One PDF with the template's pages once per row, each row filled with its values, written row by row.

    The rows share the page contents and the field font (the file grows by a
    few kilobytes a row); each row's fields sit under a parent field named by
    its prefix (``r0001`` …), so the full names (``r0001.customer``) never
    repeat.  The objects are numbered as if every row's pages and fields were
    copied first and then filled, each appearance stream being made in turn:
    the template's objects (the first row's fields filled, the page tree and
    the form listing every row), each further row's parent field, pages and
    fields, then every row's appearance streams, which wait in a scratch file.
    Call ``add`` once per row, ``rows`` times, then ``close``.
    """

    def __init__(self, filler: FormFiller, fh, rows: int):
        from pypdf.generic import DictionaryObject, IndirectObject

        self.filler, self.fh, self.rows = filler, fh, rows
        self.writer = writer = _open(filler.template)  # the first row is filled into this copy
        self.objects = _Objects(writer)
        self.size = len(writer._objects)
        self.pages = list(writer.pages)
        self.page_annots = [list(page.get("/Annots") or []) for page in self.pages]
        acro = writer.root_object["/AcroForm"].get_object()
        self.top = list(root_fields(acro.get("/Fields", [])))
        self.pristine = {}  # the fields and widgets as the template has them, to copy for each row

        def keep(ref):
            self.pristine[ref.idnum] = DictionaryObject(ref.get_object())
            for kid in ref.get_object().get("/Kids") or []:
                keep(kid)

        for ref in self.top:
            keep(ref)
        self.field_nodes = len(self.pristine)
        others = sum(1 for annots in self.page_annots for ref in annots if ref.idnum not in self.pristine)
        self.per_row = 1 + len(self.pages) + self.field_nodes + others  # objects of each further row
        # the value font (``font.value_font``: five objects, the font itself last), made at ``close``
        # from every row's characters, takes the numbers after the rows'; the appearance streams follow
        self.font_first = self.size + 1 + (rows - 1) * self.per_row + 1
        self.font_ref = IndirectObject(self.font_first + FONT_OBJECTS - 1, 0, self.objects)
        self.chars: set[str] = set()
        self.side = _SideObjects(self.font_first + FONT_OBJECTS)
        self.out: _PdfOut | None = None
        self.done = 0
        self.digest = hashlib.md5()

    def _parent_number(self, row: int) -> int:  # row 1, 2 …
        return self.size + 1 if row == 1 else self.size + 2 + (row - 2) * self.per_row

    def _page_numbers(self) -> Iterator[int]:
        yield from (page.indirect_reference.idnum for page in self.pages)
        for row in range(2, self.rows + 1):
            first = self._parent_number(row) + 1
            yield from range(first, first + len(self.pages))

    def _add_stream(self, obj):
        return self.side.add(obj, self.objects)

    def add(self, prefix: str, values: dict[str, str]) -> list[str]:
        """Add a row; the names of its fields whose value does not fit (as ``FormFiller.fill``)."""
        from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NumberObject, \
            TextStringObject

        self.done += 1
        if self.done > self.rows:
            raise ValueError("more rows than announced")
        self.digest.update(_digest(values))
        self.chars |= value_chars(values)
        overflow: list[str] = []
        writer, filler = self.writer, self.filler
        number = self._parent_number(self.done)
        parent_ref = IndirectObject(number, 0, self.objects)
        parent = DictionaryObject({NameObject("/T"): TextStringObject(prefix), NameObject("/Kids"): ArrayObject()})
        own = self.objects.own
        own.clear()
        own[number] = parent
        if self.done == 1:
            for field in self.top:
                field.get_object()[NameObject("/Parent")] = parent_ref
                parent["/Kids"].append(field)
            pages_node = writer.root_object["/Pages"].get_object()
            pages_node[NameObject("/Kids")] = _LazyRefs(self._page_numbers)
            pages_node[NameObject("/Count")] = NumberObject(len(self.pages) * self.rows)
            acro = writer.root_object["/AcroForm"].get_object()
            acro[NameObject("/Fields")] = _LazyRefs(lambda: map(self._parent_number, range(1, self.rows + 1)))
            for annots in self.page_annots:
                overflow += _fill_annots(writer, annots, values, self.font_ref, add=self._add_stream)
            self.out = _PdfOut(self.fh, writer.pdf_header, filler.free)
            for n, obj in enumerate(writer._objects, start=1):
                self.out.write(n, obj=obj)
            self.out.write(number, obj=parent)
            return overflow
        numbers = iter(range(number + 1, number + self.per_row))

        def new(obj):
            n = next(numbers)
            own[n] = obj
            return IndirectObject(n, 0, self.objects)

        page_refs, added = {}, []
        for page in self.pages:
            copy = DictionaryObject({k: v for k, v in page.items()
                                     if k not in ("/Annots", "/Parent", "/StructParents")})
            copy[NameObject("/Parent")] = page.raw_get("/Parent")
            ref = new(copy)
            page_refs[page.indirect_reference.idnum] = ref
            added.append((page, copy, ref))
        widgets: dict = {}

        def copy_node(ref, parent_ref):
            node = self.pristine[ref.idnum]
            copied = DictionaryObject({k: v for k, v in node.items() if k not in ("/Kids", "/Parent", "/P")})
            copied_ref = new(copied)
            copied[NameObject("/Parent")] = parent_ref
            if "/P" in node:
                copied[NameObject("/P")] = page_refs.get(node.raw_get("/P").idnum, node.raw_get("/P"))
            if "/Kids" in node:
                copied[NameObject("/Kids")] = ArrayObject(copy_node(k, copied_ref) for k in node["/Kids"])
            widgets[ref.idnum] = copied_ref
            return copied_ref

        for field in self.top:
            parent["/Kids"].append(copy_node(field, parent_ref))
        for (_page, copy, ref), template_annots in zip(added, self.page_annots):
            annots = ArrayObject()
            for annot in template_annots:
                if annot.idnum in widgets:
                    annots.append(widgets[annot.idnum])
                else:  # not a form field (none expected): a plain copy on the new page
                    other = DictionaryObject(annot.get_object())
                    other[NameObject("/P")] = ref
                    annots.append(new(other))
            copy[NameObject("/Annots")] = annots
        for _page, copy, _ref in added:
            overflow += _fill_annots(writer, list(copy["/Annots"]), values, self.font_ref, add=self._add_stream)
        for n in sorted(own):
            self.out.write(n, obj=own[n])
        own.clear()
        return overflow

    def close(self) -> None:
        from pypdf.generic import IndirectObject

        if self.done != self.rows:
            raise ValueError(f"{self.done} rows of {self.rows} announced")
        writer = self.writer
        made: list = []

        def add(obj):
            made.append(obj)
            return IndirectObject(self.font_first + len(made) - 1, 0, self.objects)

        add(value_font(field_glyphs(), self.chars, add))  # its parts are added first, the font last
        for i, obj in enumerate(made):
            self.out.write(self.font_first + i, obj=obj)
        self.out.append(self.side)
        digest = self.digest.digest()
        self.out.finish(writer.root_object.indirect_reference, _info_ref(writer), (digest, digest))


def _LazyRefs(numbers):
    """An array of references, written from the numbers ``numbers()`` gives then: ``[ 5 0 R 9 0 R ]``."""
    from pypdf.generic import ArrayObject

    class LazyRefs(ArrayObject):
        def write_to_stream(self, stream, encryption_key=None) -> None:
            stream.write(b"[")
            for number in numbers():
                stream.write(b" %d 0 R" % number)
            stream.write(b" ]")

    return LazyRefs()


def fill_pdf(template: bytes, values: dict[str, str]) -> bytes:
    """The template with ``values`` ({pdf field name: value}) filled in, edited with pypdf.

    Text fields get ``/V`` and an appearance stream drawn with a subset of the
    value font (``font.value_font``: every viewer, and paper, shows the Chinese
    value), shrunk or wrapped to fit (``layout_value``); a check box takes
    ``/on``; a radio group takes the state ``/<option index>``.  A batch uses
    ``FormFiller`` directly.
    """
    filler = FormFiller(template)
    out = io.BytesIO()
    filler.fill(out, values)
    return out.getvalue()


def merge_filled(template: bytes, rows: list[tuple[str, dict[str, str]]]) -> bytes:
    """One PDF with the template's pages once per row (see ``MergedWriter``), in memory."""
    filler = FormFiller(template)
    out = io.BytesIO()
    merged = filler.merged(out, len(rows))
    for prefix, values in rows:
        merged.add(prefix, values)
    merged.close()
    return out.getvalue()


def read_values(pdf: bytes) -> dict[str, object]:
    """Field name → what a person sees: text, the chosen option's text, True/False for a check box."""
    quiet_loggers()
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    out: dict[str, object] = {}
    for name, f in (reader.get_fields() or {}).items():
        ft, value = f.get("/FT"), f.get("/V")
        if ft == "/Btn":
            flags = int(f.get("/Ff", 0) or 0)
            if flags & (1 << 15):  # radio group: /V is the state /<index>; /Opt holds the options
                opts = [str(o) for o in (f.get("/Opt") or [])]
                state = str(value or "/Off").lstrip("/")
                out[name] = opts[int(state)] if state.isdigit() and int(state) < len(opts) else ""
            else:
                out[name] = str(value or "/Off") not in ("/Off", "")
        elif ft == "/Sig":
            out[name] = value is not None
        else:
            out[name] = "" if value is None else str(value)
    return out


# -- file names and writing ------------------------------------------------------------------
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')
LEFTOVER = re.compile(r"\.fill\..*\.tmp")  # scratch folders that a fill killed before streaming left in --out


def safe_name(text: str, limit: int = 40) -> str:
    name = UNSAFE.sub("_", str(text)).strip("._ ")
    return name[:limit].rstrip("._ ")


def row_file_name(number: int, key: str) -> str:
    suffix = safe_name(key)
    return f"{number:04d}-{suffix}.pdf" if suffix else f"{number:04d}.pdf"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def space_needed(template: bytes, rows: int) -> int:
    """A floor for a batch's size on disk: each row's file is at least the template."""
    return (rows + 1) * len(template)


def write_batch(folder: Path, form_id: str, template: bytes, records: Iterable[Record], rows: int, key_column: str,
                *, keep_others: bool, warnings: list | None = None) -> list[str]:
    """Fill ``rows`` records into ``folder``, all or nothing; the names of the files written.

    Each filled file goes to disk as soon as it is made (a batch never holds
    more than one row in memory): into a new folder beside ``folder``, which
    then replaces it whole (``common.outputs.atomic_dir``), so that a failure
    or a kill leaves ``folder`` as it was.  A value too long for its box even at
    MIN_SIZE appends a ``RowError`` (``too_long``, at its row and column) to ``warnings``, and so does a
    filled file larger than ``MAX_RECORD_BYTES`` (``record_too_big``, at its row: the form, the file and its size).  ``keep_others`` (``--out``): the
    files and folders already in ``folder`` that the batch does not replace
    are carried over into the new folder as hard links (copies where a link
    cannot be made).
    """
    from ...common.outputs import atomic_dir

    folder = Path(folder)
    filler = FormFiller(template)
    names = []
    with atomic_dir(folder) as tmp:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a batch folder is an ordinary one
        merged_name = f"{form_id}-all.pdf"
        with open(tmp / merged_name, "wb") as merged_fh:
            merged = filler.merged(merged_fh, rows)
            for number, record in enumerate(records, start=1):
                key = record.values.get(key_column, "")
                key = "" if isinstance(key, (bool, list)) else str(key)
                name = row_file_name(number, key)
                with open(tmp / name, "wb") as fh:
                    overflow = filler.fill(fh, record.pdf)
                    size = fh.tell()
                merged.add(f"r{number:04d}", record.pdf)
                if warnings is not None and size > MAX_RECORD_BYTES:
                    warnings.append(RowError(record.row, "", "record_too_big", {
                        "form": form_id, "file": name, "size": f"{size / 1000:.0f} KB",
                        "limit": f"{MAX_RECORD_BYTES // 1000} KB"}))
                if warnings is not None:
                    for pdf_name in overflow:
                        column, label = record.columns.get(pdf_name, (pdf_name, pdf_name))
                        warnings.append(RowError(record.row, column, "too_long", {"label": label, "size": f"{MIN_SIZE:g}"}))
                names.append(name)
            merged.close()
        names.append(merged_name)
        if keep_others and folder.is_dir():
            _carry_over(folder, tmp)
    return names


def _link_or_copy(src, dst) -> None:
    try:
        os.link(src, dst, follow_symlinks=False)
    except OSError:
        shutil.copy2(src, dst, follow_symlinks=False)


def _carry_over(old: Path, new: Path) -> None:
    """The entries of ``old`` that ``new`` has no entry of the same name for, linked into ``new``."""
    for entry in os.scandir(old):
        target = new / entry.name
        if os.path.lexists(target) or LEFTOVER.fullmatch(entry.name):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.copytree(entry.path, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry.path, target)
    shutil.copymode(old, new)

