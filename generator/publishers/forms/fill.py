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
- empty rows are skipped.

Every row is checked before anything is written; any problem is reported
with the CSV row number (the header is row 1, as in a spreadsheet) and the
column, the command exits 1 and nothing is written.  The files are made in
a temporary folder and moved into place only when all of them are ready.
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
from pathlib import Path

from ...common.suggest import did_you_mean
from ...errors import CsvProblem
from ...labels import LANGS, text
from ...model import formspec
from .pdf import quiet_loggers, root_fields
from .spec import FALSE, TRUE, sheet_rows, split_choices

NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")
DATE_FORMS = (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
              re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"))
MAX_REPORTED = 30


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
    row: int  # the spreadsheet's row number: the header is row 1
    column: str
    key: str  # the message: ``form_fill.<key>`` of the label catalogue
    values: dict = dc_field(default_factory=dict)

    def text(self, csv_name: str, lang: str) -> str:
        return message("row_error", lang, csv=csv_name, row=self.row, column=self.column,
                       message=message(self.key, lang, **self.values))


@dataclass
class Batch:
    columns: list[str]  # field names, in the CSV's order
    records: list[dict]  # per data row: {"row": n, "values": {column: typed value}, "pdf": {pdf name: value}}
    encoding: str
    errors: list[RowError] = dc_field(default_factory=list)


# -- reading ------------------------------------------------------------------------------
def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding's name: UTF-8 (BOM or not), else GBK (read as GB18030, its superset)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem("utf16")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError as exc:
        raise problem("not_utf8_or_gbk", byte=exc.start) from None


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


def _typed(pf: formspec.PdfField, value: str, row: int, column: str, errors: list[RowError]):
    """(value for the model, {pdf name: pdf value}) or None on an error (appended to ``errors``)."""
    label = pf.label
    if pf.kind in ("date",):
        day = parse_date(value)
        if day is None:
            errors.append(RowError(row, column, "not_a_date", {"value": value, "label": label}))
            return None
        return day.isoformat(), {pf.name: day.isoformat()}
    if pf.kind == "number":
        if not NUMBER.fullmatch(value):
            errors.append(RowError(row, column, "not_a_number", {"value": value, "label": label}))
            return None
        return value, {pf.name: value}
    if pf.kind == "choice":
        if value not in pf.options:
            errors.append(RowError(row, column, "not_an_option", {"value": value, "options": _options(pf)}))
            return None
        return value, {pf.name: f"/{pf.options.index(value)}"}
    if pf.kind == "multichoice":
        chosen = split_choices(value)
        wrong = [c for c in chosen if c not in pf.options]
        if wrong:
            errors.append(RowError(row, column, "not_an_option", {"value": wrong[0], "options": _options(pf)}))
            return None
        return chosen, {formspec.option_name(pf.field.id, pf.options.index(c) + 1): "/on" for c in chosen}
    if pf.kind == "checkbox":
        key = value.strip().lower()
        if key in TRUE:
            return True, {pf.name: "/on"}
        if key in FALSE:
            return False, {}
        errors.append(RowError(row, column, "not_yes_or_no", {"value": value, "label": label}))
        return None
    return value, {pf.name: value}


def read_batch(form, data: bytes) -> Batch:
    """Parse and check every row; ``Batch.errors`` lists every problem found."""
    content, encoding = decode(data)
    rows = list(csv.reader(io.StringIO(content, newline="")))
    while rows and not any(cell.strip() for cell in rows[0]):
        rows.pop(0)
    if not rows:
        raise problem("empty")
    header = rows[0]
    names = _resolve_header(form, header)
    columns = [n for n in names if n]
    if not columns:
        raise problem("no_field_named")
    by_name = formspec.csv_columns(form, rows=sheet_rows(form)[0])
    batch = Batch(columns=columns, records=[], encoding=encoding)
    for index, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(names) and any(c.strip() for c in cells[len(names):]):
            batch.errors.append(RowError(index, f"#{len(names) + 1}", "too_many_values",
                                         {"values": len(cells), "columns": len(names)}))
            continue
        values, pdf = {}, {}
        for col_index, name in enumerate(names):
            cell = cells[col_index].strip() if col_index < len(cells) else ""
            if name is None:
                if cell:
                    batch.errors.append(RowError(index, f"#{col_index + 1}", "value_without_column"))
                continue
            pf = by_name[name]
            header_name = header[col_index].strip()
            if not cell:
                if pf.required:
                    batch.errors.append(RowError(index, header_name, "required_but_empty", {"label": pf.label}))
                continue
            typed = _typed(pf, cell, index, header_name, batch.errors)
            if typed is not None:
                values[name], filled = typed
                pdf.update(filled)
        batch.records.append({"row": index, "values": values, "pdf": pdf})
    return batch


# -- filling ------------------------------------------------------------------------------
class FieldFont:
    """The text fields' font, read from the PDF: Unicode → glyph id and advance widths.

    WeasyPrint embeds the field font whole as a Type0 font with Identity-H
    encoding and an identity CID-to-GID map, so a character's code in a
    content stream is its glyph id, two bytes, big-endian.
    """

    def __init__(self, font_dict):
        from fontTools.ttLib import TTFont

        descendant = font_dict["/DescendantFonts"][0].get_object()
        program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
        font = TTFont(io.BytesIO(program), lazy=True)
        names = font.getBestCmap() or {}
        order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        self.gid = {cp: order.get(name, 0) for cp, name in names.items()}
        metrics = font["hmtx"].metrics
        scale = 1000 / font["head"].unitsPerEm
        self.advance = {gid: metrics[name][0] * scale for name, gid in order.items() if name in metrics}
        hhea = font["hhea"]
        self.ascent, self.descent = hhea.ascent * scale, hhea.descent * scale

    def encode(self, text: str) -> bytes:
        return b"".join(self.gid.get(ord(ch), 0).to_bytes(2, "big") for ch in text)

    def width(self, text: str, size: float) -> float:
        return sum(self.advance.get(self.gid.get(ord(ch), 0), 1000) for ch in text) * size / 1000


def _wrap(font: FieldFont, text: str, size: float, width: float) -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for ch in paragraph:
            if line and font.width(line + ch, size) > width:
                lines.append(line)
                line = ch.lstrip() if ch.isspace() else ch
            else:
                line += ch
        lines.append(line)
    return lines


def _appearance(font: FieldFont, font_name: str, size: float, rect, text: str, multiline: bool) -> bytes:
    """A text field's normal appearance: the value in the field font, clipped to the box."""
    w, h = abs(float(rect[2]) - float(rect[0])), abs(float(rect[3]) - float(rect[1]))
    pad = 2.0
    size = size or 10.0
    ops = [b"/Tx BMC", b"q", f"1 1 {w - 2:.2f} {h - 2:.2f} re W n".encode(), b"BT", b"0 g"]
    if multiline:
        lines = _wrap(font, text, size, w - 2 * pad)
        leading = size * 1.25
        y = h - pad - font.ascent * size / 1000
        ops.append(f"/{font_name} {size:g} Tf {leading:.2f} TL {pad:.2f} {y:.2f} Td".encode())
        for i, line in enumerate(lines):
            ops.append((b"T* " if i else b"") + b"<" + font.encode(line).hex().encode() + b"> Tj")
    else:
        text = text.replace("\n", " ")
        while size > 6 and font.width(text, size) > w - 2 * pad:  # shrink a long value to fit, down to 6 pt
            size -= 0.5
        height = (font.ascent - font.descent) * size / 1000
        y = (h - height) / 2 - font.descent * size / 1000
        ops.append(f"/{font_name} {size:g} Tf {pad:.2f} {y:.2f} Td".encode())
        ops.append(b"<" + font.encode(text).hex().encode() + b"> Tj")
    ops += [b"ET", b"Q", b"EMC"]
    return b"\n".join(ops)


def _da_font(da: str) -> tuple[str, float]:
    m = re.search(r"/([^\s/]+)\s+([\d.]+)\s+Tf", da or "")
    return (m.group(1), float(m.group(2))) if m else ("", 10.0)


def _fill_annots(writer, annots, values: dict[str, str], fonts: dict, font_key: str) -> None:
    """Set the values of the fields whose widgets are ``annots`` (refs), drawing text appearances."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, \
        StreamObject, TextStringObject

    acro = writer.root_object["/AcroForm"].get_object()
    dr_fonts = acro.get("/DR", DictionaryObject()).get_object().get("/Font", DictionaryObject()).get_object()
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
        field[NameObject("/V")] = TextStringObject(value)
        font_name, size = _da_font(str(widget.get("/DA") or field.get("/DA") or acro.get("/DA") or ""))
        font_ref = dr_fonts.raw_get(f"/{font_name}") if f"/{font_name}" in dr_fonts else None
        if font_ref is None:
            continue  # no font to draw with: NeedAppearances asks the viewer to draw the value
        key = (font_name, font_key)
        if key not in fonts:
            fonts[key] = FieldFont(font_ref.get_object())
        rect = widget["/Rect"]
        multiline = bool(int(field.get("/Ff", 0) or 0) & (1 << 12))
        stream = StreamObject()
        stream.set_data(_appearance(fonts[key], font_name, size, rect, value, multiline))
        w, h = abs(float(rect[2]) - float(rect[0])), abs(float(rect[3]) - float(rect[1]))
        stream.update({
            NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), FloatObject(round(w, 3)),
                                              FloatObject(round(h, 3))]),
            NameObject("/Resources"): DictionaryObject({NameObject("/Font"): DictionaryObject(
                {NameObject(f"/{font_name}"): font_ref})}),
        })
        widget[NameObject("/AP")] = DictionaryObject({NameObject("/N"): writer._add_object(stream)})


def _open(template: bytes):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(template)))
    writer.set_need_appearances_writer(True)
    return writer


def _write(writer, id1: bytes, id2: bytes) -> bytes:
    from pypdf.generic import ArrayObject, ByteStringObject

    writer._ID = ArrayObject([ByteStringObject(id1), ByteStringObject(id2)])  # reproducible, not random
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _digest(values) -> bytes:
    return hashlib.md5(json.dumps(values, sort_keys=True, ensure_ascii=False).encode("utf-8")).digest()


def fill_pdf(template: bytes, values: dict[str, str], *, fonts: dict | None = None) -> bytes:
    """The template with ``values`` ({pdf field name: value}) filled in, edited with pypdf.

    Text fields get ``/V`` and an appearance stream drawn with the embedded
    field font (so every viewer, and paper, shows the Chinese value), and
    ``/NeedAppearances`` lets viewers redraw them; a check box takes
    ``/on``; a radio group takes the state ``/<option index>``.

    pypdf's own ``update_page_form_field_values`` gives the same values but
    re-reads the whole 49,000-glyph font for every field (about 0.7 s a
    field), so the appearance streams are drawn here.  ``fonts`` caches the
    parsed font across the rows of a batch.
    """
    quiet_loggers()
    fonts = {} if fonts is None else fonts
    key = hashlib.md5(template).hexdigest()
    writer = _open(template)
    for page in writer.pages:
        _fill_annots(writer, list(page.get("/Annots") or []), values, fonts, key)
    return _write(writer, hashlib.md5(template).digest(), _digest(values))


def merge_filled(template: bytes, rows: list[tuple[str, dict[str, str]]], *, fonts: dict | None = None) -> bytes:
    """One PDF with the template's pages once per row, each row filled with its values.

    The rows share the page contents and the field font (the file grows by a
    few kilobytes a row); each row's fields sit under a parent field named by
    its prefix (``r0001`` …), so the full names (``r0001.customer``) never
    repeat.
    """
    quiet_loggers()
    from pypdf import PageObject
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    fonts = {} if fonts is None else fonts
    key = hashlib.md5(template).hexdigest()
    writer = _open(template)
    acro = writer.root_object["/AcroForm"].get_object()
    top = list(root_fields(acro.get("/Fields", [])))
    first_pages = list(writer.pages)

    def copy_node(ref, parent_ref, page_refs, widgets):
        node = ref.get_object()
        new = DictionaryObject({k: v for k, v in node.items() if k not in ("/Kids", "/Parent", "/P")})
        new_ref = writer._add_object(new)
        new[NameObject("/Parent")] = parent_ref
        if "/P" in node:
            new[NameObject("/P")] = page_refs.get(node.raw_get("/P").idnum, node.raw_get("/P"))
        if "/Kids" in node:
            new[NameObject("/Kids")] = ArrayObject(copy_node(k, new_ref, page_refs, widgets) for k in node["/Kids"])
        widgets[ref.idnum] = new_ref
        return new_ref

    plan = []  # (prefix, values, [(page, annot refs)]) – every copy is made before any row is filled
    parents = ArrayObject()
    for index, (prefix, values) in enumerate(rows):
        parent = DictionaryObject({NameObject("/T"): TextStringObject(prefix), NameObject("/Kids"): ArrayObject()})
        parent_ref = writer._add_object(parent)
        parents.append(parent_ref)
        if index == 0:
            for field in top:
                field.get_object()[NameObject("/Parent")] = parent_ref
                parent["/Kids"].append(field)
            plan.append((values, [list(p.get("/Annots") or []) for p in first_pages]))
            continue
        pages, page_refs = [], {}
        for page in first_pages:
            copy = PageObject(pdf=writer)
            copy.update({k: v for k, v in page.items() if k not in ("/Annots", "/Parent")})
            added = writer.add_page(copy)
            page_refs[page.indirect_reference.idnum] = added.indirect_reference
            pages.append((page, added))
        widgets: dict = {}
        for field in top:
            parent["/Kids"].append(copy_node(field, parent_ref, page_refs, widgets))
        annots_per_page = []
        for page, added in pages:
            annots = ArrayObject()
            for ref in page.get("/Annots") or []:
                if ref.idnum in widgets:
                    annots.append(widgets[ref.idnum])
                else:  # not a form field (none expected): a plain copy on the new page
                    other = DictionaryObject(ref.get_object())
                    other[NameObject("/P")] = added.indirect_reference
                    annots.append(writer._add_object(other))
            added[NameObject("/Annots")] = annots
            annots_per_page.append(list(annots))
        plan.append((values, annots_per_page))
    for values, annots_per_page in plan:
        for annots in annots_per_page:
            _fill_annots(writer, annots, values, fonts, key)
    acro[NameObject("/Fields")] = parents
    digest = hashlib.md5(b"".join(_digest(v) for _, v in rows)).digest()
    return _write(writer, digest, digest)


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


def write_batch(folder: Path, files: dict[str, bytes], *, replace_folder: bool) -> list[Path]:
    """All files appear together: made in a temporary folder, then moved into ``folder``.

    ``replace_folder``: the folder is ours (the default under dist/), so the
    old batch is swapped out whole; otherwise files are moved in one by one
    and other files in the folder are left alone.
    """
    from ...common.outputs import atomic_dir

    folder = Path(folder)
    if replace_folder or not folder.exists():
        with atomic_dir(folder) as tmp:
            os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; a batch folder is an ordinary one
            for name, data in files.items():
                (tmp / name).write_bytes(data)
        return [folder / name for name in files]
    tmp = Path(tempfile.mkdtemp(prefix=".fill.", suffix=".tmp", dir=folder))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        for name in files:
            os.replace(tmp / name, folder / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [folder / name for name in files]


# -- the command ---------------------------------------------------------------------------
