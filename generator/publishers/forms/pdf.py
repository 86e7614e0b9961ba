"""Fillable PDF forms: WeasyPrint renders, pypdf and pyHanko finish.

``fillable_pdf(manual, form)`` is the form's ``.pdf``: the page ``html.page_html``
draws (with ``pdf=True``), made fillable in the steps below.

The steps, and the WeasyPrint pitfalls each one handles:

1. WeasyPrint (``pdf_forms=True``) turns the form's ``<input>``s into AcroForm
   fields named by their ``name``, in the field font (see ``font``).
2. A signature is laid out as a text input named ``SIG-<id>``; its box is
   read from WeasyPrint's output, and pyHanko adds an empty, visible
   signature field (``/Sig``) named ``<id>`` in that box
   (``append_signature_field`` with ``SigFieldSpec``).
3. pypdf, one pass: a radio group's child widgets repeat the group's name
   (``/T``), which gives duplicate field names (``method.method``) that
   break signing and some viewers, so the repeated ``/T``, ``/TU`` and
   ``/FT`` are removed from the kids; each field gets its printed label as
   tooltip (``/TU``); the placeholders go; the file is written whole with a
   fixed document ID and no dates, so the same form gives the same bytes on
   every build (pyHanko's incremental update carries a random ID and the
   current time).

A check box's export value is always ``/on`` (WeasyPrint ignores the
``value`` attribute): fill check boxes with ``/on``.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re

from ...common.engines import release_memory
from ...model import Form, Manual, formspec
from .font import CHECK_FONT, FIELD_FONT, standard_cjk_font, zapf_dingbats_font
from .html import page_html
from .spec import footer_text, sheet_rows


# -- rendering -----------------------------------------------------------------------
def quiet_loggers():
    for name in ("weasyprint", "fontTools", "pypdf", "pyhanko"):
        logging.getLogger(name).setLevel(logging.ERROR)


def render(html: str, *, base_url: str | None = None, placeholders: list | None = None) -> bytes:
    """WeasyPrint with AcroForm fields.  ``placeholders``, a list, receives the signature
    placeholders' ``(name, page_index, box)`` as WeasyPrint lays them out (read from its PDF
    objects before they are written: reading them back from the file means parsing the whole
    embedded field font's width table, about a second per form)."""
    quiet_loggers()
    import weasyprint

    def finisher(_document, pdf):
        if placeholders is not None:
            placeholders.extend(_placeholder_boxes(pdf))

    pdf = weasyprint.HTML(string=html, base_url=base_url).write_pdf(pdf_forms=True, finisher=finisher)
    release_memory()  # WeasyPrint's boxes form reference cycles; free them now, not several forms later
    return pdf


def _placeholder_boxes(pdf) -> list:
    """``[(name, page_index, (x1, y1, x2, y2))]`` of the widgets titled SIG-<name> in WeasyPrint's
    pydyf objects (before the file is written)."""
    import pydyf

    kids = list(pdf.pages["Kids"])
    page_of = {int(number): i for i, number in enumerate(kids[0::3])}  # Kids holds "N 0 R" as N, 0, R
    boxes = []
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/Widget":
            continue
        title = obj.get("T")
        title = getattr(title, "string", title)
        if not isinstance(title, str) or not title.startswith(SIGNATURE_PLACEHOLDER):
            continue
        page_ref = obj.get("P")
        page_ref = page_ref.decode("ascii") if isinstance(page_ref, bytes) else str(page_ref)
        page_index = page_of.get(int(page_ref.split()[0]), 0)
        rect = [float(v) for v in obj["Rect"]]
        boxes.append((title[len(SIGNATURE_PLACEHOLDER):], page_index,
                      (min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3]))))
    return boxes


def _widgets(writer):
    from pypdf.generic import ArrayObject

    for page_index, page in enumerate(writer.pages):
        annots = page.get("/Annots")
        if annots is None:
            continue
        for ref in ArrayObject(annots.get_object()):
            yield page_index, page, ref, ref.get_object()


def root_fields(refs) -> list:
    """The top-level fields of ``refs``: WeasyPrint lists a radio group's kid widgets in
    ``/AcroForm /Fields`` rather than the group; the field tree wants the group."""
    out, seen = [], set()
    for ref in refs:
        node_ref, node = ref, ref.get_object()
        while node.get("/Parent") is not None:
            node_ref = node.raw_get("/Parent")
            node = node_ref.get_object()
        key = getattr(node_ref, "idnum", None) or id(node)
        if key not in seen:
            seen.add(key)
            out.append(node_ref)
    return out


SIGNATURE_PLACEHOLDER = "SIG-"  # + field id: the text input that marks a signature box (ids are lower-case)


def add_signature_fields(pdf: bytes, boxes: list) -> bytes:
    """Empty, visible signature fields at the given boxes (pyHanko)."""
    if not boxes:
        return pdf
    quiet_loggers()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name, page_index, box in boxes:
        append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=page_index,
                                                    box=tuple(round(v, 2) for v in box)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def finalize(pdf: bytes, *, labels: dict[str, str], info: dict[str, str], doc_id: bytes,
             required: set[str] = frozenset(), order: list[str] = ()) -> bytes:
    """One pypdf pass over the whole file: fix what WeasyPrint left, and pin the bytes.

    - a radio group's kids lose the repeated ``/T``, ``/TU`` and ``/FT``;
    - every field gets its printed label as tooltip (``/TU``);
    - the signature placeholders go (pyHanko's ``/Sig`` fields took their boxes);
    - ``/AcroForm /Fields`` lists the top-level fields (the radio groups, not their kids);
    - the fonts (``font``): ``/DR`` holds ``STSong-Light`` (not embedded) and ZapfDingbats; every
      text field's ``/DA`` names ``STSong-Light`` at its size; the font WeasyPrint embedded for
      the fields goes;
    - check boxes and radio buttons: ``/DA``, ``/MK /CA`` (the mark a viewer that redraws them
      draws), ``/AS /Off`` and an ``/AP`` with the on state (a drawn tick or dot) and ``/Off``;
      no ``/NeedAppearances``, so that viewers show these appearances rather than redrawing;
    - the fields of ``required`` carry the Required flag (``/Ff`` bit 2);
    - tab order: each page's widgets in the reading order ``order`` (field names), and ``/Tabs /S``;
    - a fixed document ID and document info without dates (pyHanko's update has a random
      ID and the current time).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, BooleanObject, ByteStringObject, DictionaryObject, NameObject, \
        NumberObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    acro = writer.root_object.get("/AcroForm")
    acro = acro.get_object() if acro is not None else None
    if acro is not None:
        acro[NameObject("/DR")] = DictionaryObject({NameObject("/Font"): DictionaryObject({
            NameObject(f"/{FIELD_FONT}"): standard_cjk_font(writer._add_object),
            NameObject(f"/{CHECK_FONT}"): writer._add_object(zapf_dingbats_font())})})
        acro[NameObject("/DA")] = TextStringObject(f"/{FIELD_FONT} 10 Tf 0 g")
        acro[NameObject("/NeedAppearances")] = BooleanObject(False)
    rank = {name: i for i, name in enumerate(order)}
    for _, page, _, annot in list(_widgets(writer)):
        if annot.get("/Subtype") != "/Widget":
            continue
        parent = annot.get("/Parent")
        if parent is not None:
            parent = parent.get_object()
            for key in ("/T", "/TU", "/FT"):
                if key in annot:
                    del annot[key]
            field = parent
        else:
            field = annot
        name = str(field.get("/T", ""))
        if name.startswith(SIGNATURE_PLACEHOLDER):
            page[NameObject("/Annots")] = ArrayObject(a for a in page["/Annots"] if a.get_object() is not annot)
            continue
        if name in labels:
            field[NameObject("/TU")] = TextStringObject(labels[name])
        if name in required:
            field[NameObject("/Ff")] = NumberObject(int(field.get("/Ff", 0) or 0) | REQUIRED)
        ft = field.get("/FT")
        if ft == "/Tx":
            _, size = _da_font(str(annot.get("/DA") or field.get("/DA") or ""))
            for node in {id(annot): annot, id(field): field}.values():
                if "/DA" in node or node is annot:
                    node[NameObject("/DA")] = TextStringObject(f"/{FIELD_FONT} {size:g} Tf 0 g")
        elif ft == "/Btn":
            radio = bool(int(field.get("/Ff", 0) or 0) & RADIO)
            _button_appearance(writer, annot, radio)
    for page in writer.pages:
        annots = page.get("/Annots")
        if annots is None:
            continue
        annots = list(annots.get_object())

        def position(item):
            index, ref = item
            node = ref.get_object()
            while node.get("/T") is None and node.get("/Parent") is not None:
                node = node["/Parent"].get_object()
            return rank.get(str(node.get("/T", "")), len(rank)), index

        page[NameObject("/Annots")] = ArrayObject(ref for _, ref in sorted(enumerate(annots), key=position))
        page[NameObject("/Tabs")] = NameObject("/S")
    if acro is not None:
        acro[NameObject("/Fields")] = ArrayObject(
            f for f in root_fields(acro.get("/Fields", []))
            if not str(f.get_object().get("/T", "")).startswith(SIGNATURE_PLACEHOLDER))
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)  # WeasyPrint's field font
    ident = ByteStringObject(doc_id)
    writer._ID = ArrayObject([ident, ident])  # pypdf has no public setter; a random one otherwise
    writer.metadata = {f"/{key}": value for key, value in info.items() if value}
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


REQUIRED = 1 << 1  # /Ff bit 2
RADIO = 1 << 15  # /Ff bit 16


def _da_font(da: str) -> tuple[str, float]:
    """The font's resource name and size that a ``/DA`` string names (``""``, 10 if none)."""
    m = re.search(r"/([^\s/]+)\s+([\d.]+)\s+Tf", da or "")
    return (m.group(1), float(m.group(2))) if m else ("", 10.0)


def _button_appearance(writer, annot, radio: bool) -> None:
    """A check box's or radio button's appearances: the on state (a tick, or a dot) and ``/Off``
    (nothing: the box or circle is printed on the page), ``/AS /Off``, and for a viewer that
    redraws: ``/DA`` (ZapfDingbats) and ``/MK /CA`` (its tick ``4`` or dot ``l``)."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, \
        StreamObject, TextStringObject

    rect = [float(v) for v in annot["/Rect"]]
    w, h = abs(rect[2] - rect[0]), abs(rect[3] - rect[1])
    states = annot.get("/AP", DictionaryObject()).get_object().get("/N", DictionaryObject()).get_object()
    on = next((str(k) for k in states if str(k) != "/Off"), "/on")

    def form(data: bytes):
        stream = StreamObject()
        stream.set_data(data)
        stream.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                       NameObject("/BBox"): ArrayObject([NumberObject(0), NumberObject(0), FloatObject(round(w, 3)),
                                                         FloatObject(round(h, 3))]),
                       NameObject("/Resources"): DictionaryObject()})
        return writer._add_object(stream)

    if radio:
        r, cx, cy, k = 0.27 * min(w, h), w / 2, h / 2, 0.5523
        mark = (f"0 g {cx + r:.3f} {cy:.3f} m {cx + r:.3f} {cy + k * r:.3f} {cx + k * r:.3f} {cy + r:.3f} {cx:.3f} {cy + r:.3f} c "
                f"{cx - k * r:.3f} {cy + r:.3f} {cx - r:.3f} {cy + k * r:.3f} {cx - r:.3f} {cy:.3f} c "
                f"{cx - r:.3f} {cy - k * r:.3f} {cx - k * r:.3f} {cy - r:.3f} {cx:.3f} {cy - r:.3f} c "
                f"{cx + k * r:.3f} {cy - r:.3f} {cx + r:.3f} {cy - k * r:.3f} {cx + r:.3f} {cy:.3f} c f")
    else:
        mark = (f"0 G {max(0.8, min(w, h) * 0.12):.2f} w 1 J 1 j {0.2 * w:.3f} {0.52 * h:.3f} m "
                f"{0.42 * w:.3f} {0.25 * h:.3f} l {0.82 * w:.3f} {0.8 * h:.3f} l S")
    annot[NameObject("/AP")] = DictionaryObject({NameObject("/N"): DictionaryObject({
        NameObject(on): form(f"q {mark} Q".encode()), NameObject("/Off"): form(b"")})})
    annot[NameObject("/AS")] = NameObject("/Off")
    annot[NameObject("/DA")] = TextStringObject(f"/{CHECK_FONT} 0 Tf 0 g")
    annot[NameObject("/MK")] = DictionaryObject({
        NameObject("/BC"): ArrayObject([NumberObject(0)] * 3), NameObject("/CA"): TextStringObject("l" if radio else "4")})


def pdf_from_html(html: str, *, labels: dict[str, str], signatures: set[str], info: dict[str, str],
                  base_url: str | None = None, required: set[str] = frozenset(), order: list[str] = ()) -> bytes:
    """The fillable PDF of a page whose signature boxes are text inputs named ``SIG-<id>``."""
    laid_out: list = []
    raw = render(html, base_url=base_url, placeholders=laid_out)
    boxes = [b for b in laid_out if b[0] in signatures]
    missing = signatures - {b[0] for b in boxes}
    if missing:  # a signature placeholder that WeasyPrint did not lay out (it would silently lack its field)
        raise RuntimeError(f"no box for the signature field(s) {', '.join(sorted(missing))}")
    signed = add_signature_fields(raw, boxes)
    return finalize(signed, labels=labels, info=info, doc_id=hashlib.md5(raw).digest(), required=required,
                    order=order)


# -- a form's PDF --------------------------------------------------------------------
def pdf_info(manual: Manual, form: Form, lang: str = "zh-CN") -> dict[str, str]:
    return {"Title": f"{form.code} {form.title}", "Author": manual.company,
            "Subject": footer_text(form, lang), "Creator": "manual-as-code (manual build forms)"}


def fillable_pdf(manual: Manual, form: Form, *, lang: str = "zh-CN") -> bytes:
    """The form's fillable PDF: its fields named as ``generator.model.formspec`` says, each with its
    printed label as tooltip."""
    fields = formspec.pdf_fields(form, lang, sheet_rows(form)[0])  # a register's rows as its sheet has them
    return pdf_from_html(page_html(manual, form, lang=lang, pdf=True), labels={pf.name: pf.label for pf in fields},
                         signatures={pf.name for pf in fields if pf.kind == "signature"},
                         info=pdf_info(manual, form, lang), required={pf.name for pf in fields if pf.required},
                         order=[pf.name for pf in fields])
