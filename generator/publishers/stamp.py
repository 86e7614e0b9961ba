"""Marks laid over every page of a finished PDF or DOCX, the file itself untouched: the 受控 stamp of a
controlled copy (``manual issue``) and the 非受控 mark of the copies the site offers for download.

PDF: the mark is a one-page PDF that WeasyPrint draws at the page's own size (one drawing per page
size and text).  It is added to the file as an **incremental update** (pyHanko's incremental
writer): the original bytes stay the first bytes of the copy, unchanged, and the appended revision
adds to every page a content stream that draws the mark (the page's own content wrapped in ``q``/``Q``
first, so that nothing it leaves set moves the mark).  So a signed edition PDF keeps its signature:
it still validates for the signed revision, and the mark shows as a later change; a fillable form
keeps its fields, ``/AcroForm`` and ``Required`` flags, since none of them is rewritten.  The copy is
byte-identical run to run: the update's document ID is derived from the original and the mark, and
the info dictionary is left as it is (no modification date).

DOCX: the mark is the first paragraph of every page header in use (python-docx), saved with fixed zip
entry times.
"""
from __future__ import annotations

import hashlib
import html
import io
import zipfile
from functools import lru_cache
from pathlib import Path

from ..common.outputs import atomic_write_bytes

RED = "#b91c1c"
FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'
MARK_FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif'  # subsets to a few KB (Noto CJK: ~140 KB)


def _stamp_html(width: float, height: float, title: str, lines: list[str]) -> str:
    """The 受控 stamp, drawn in the top left corner of a page of the given size (``add_mark`` moves it to
    a blank place of each page): the title beside its lines, which run on in one row (compact, so that it fits
    a page's top margin) and wrap at ``STAMP_WIDTH`` (a long holder name)."""
    rows = "".join(f'<span class="l">{html.escape(line)}</span> ' for line in lines)
    return (f"<html><head><style>@page {{ size: {width}pt {height}pt; margin: 0 }}"
            f" body {{ margin: 0; font-family: {FONTS} }}"
            f" .s {{ position: absolute; top: 0; left: 0; max-width: {STAMP_WIDTH}pt; border: 1.2pt solid {RED};"
            f" color: {RED}; padding: 1.5pt 5pt; display: flex; align-items: center; background: #fff }}"
            f" .t {{ font-size: 12pt; font-weight: bold; letter-spacing: 2pt; margin-right: 5pt; white-space: nowrap }}"
            f" .d {{ font-size: 6.5pt; line-height: 1.25 }} .l {{ margin-right: 4pt }}"
            f"</style></head><body><div class=\"s\"><div class=\"t\">{html.escape(title)}</div><div class=\"d\">{rows}</div>"
            f"</div></body></html>")


STAMP_WIDTH = 300  # pt: the stamp's widest; a longer holder name wraps
EDGE = 10  # pt: the least distance of the stamp from the page's edge (a printer's unprintable rim)
GAP = 3  # pt: the least distance of the stamp from anything drawn on the page
SCALE = 1  # pixels per pt of the renderings that find the blank places


def _ink_boxes(data: bytes, scale: float = SCALE) -> list:
    """Each page of ``data`` rendered (pdfium) to a greyscale image in which ink is white and paper black,
    so that ``image.crop(box).getbbox()`` is None exactly where the page is blank."""
    import pypdfium2

    pages = []
    document = pypdfium2.PdfDocument(data)
    try:
        for page in document:
            image = page.render(scale=scale, grayscale=True).to_pil().convert("L")
            pages.append(image.point(lambda v: 255 if v < 250 else 0))
            page.close()
    finally:
        document.close()
    return pages


def _blank_place(ink, width: float, height: float, scale: float = SCALE) -> tuple[float, float] | None:
    """The top left corner (pt, from the page's top left) of a ``width`` × ``height`` rectangle of the
    page ``ink`` (``_ink_boxes``) that is blank, ``GAP`` away from all ink and ``EDGE`` from the page's
    edges; None when the page has none.  Preferred, in this order: the top margin (above everything
    drawn), the bottom margin (below everything), then the topmost blank place of the page (a form's
    empty field is blank too, but it is the reader's writing space); at each height the rightmost."""
    from PIL import Image

    w, h = int(-(-(width + 2 * GAP) * scale // 1)), int(-(-(height + 2 * GAP) * scale // 1))
    edge = int((EDGE - GAP) * scale)
    columns, rows = ink.width, ink.height
    drawn = ink.getbbox()
    first, last = (drawn[1], drawn[3]) if drawn else (rows, 0)
    tops = [*range(edge, min(first - h, rows - edge - h) + 1),
            *range(rows - edge - h, max(last, edge) - 1, -1), *range(edge, rows - edge - h + 1)]
    for top in tops:
        band = ink.crop((0, top, columns, top + h))
        if band.getbbox() is None:
            return ((columns - edge - w) / scale + GAP, top / scale + GAP)
        profile = band.resize((columns, 1), Image.Resampling.BOX).getdata()
        run = 0
        for x in range(columns - edge - 1, edge - 1, -1):
            run = run + 1 if profile[x] == 0 else 0
            if run >= w:
                return (x / scale + GAP, top / scale + GAP)
    return None


def _mark_html(width: float, height: float, text: str) -> str:
    """The 非受控 mark: one line of small red text centred in the top margin, 8 pt below the page's edge
    (above the running header of the manual's pages and the title of a form, which start lower)."""
    return (f"<html><head><style>@page {{ size: {width}pt {height}pt; margin: 0 }}"
            f" body {{ margin: 0; font-family: {MARK_FONTS} }}"
            f" .m {{ position: absolute; top: 8pt; left: 0; right: 0; text-align: center; color: {RED};"
            f" font-size: 7.5pt; line-height: 1 }}"
            f"</style></head><body><div class=\"m\">{html.escape(text)}</div></body></html>")


@lru_cache(maxsize=32)
def _drawing(source: str) -> bytes:
    """The one-page PDF WeasyPrint makes of ``source`` (kept: the same mark serves many files)."""
    import weasyprint

    return weasyprint.HTML(string=source).write_pdf()


def _incremental_writer(data: bytes, seed: bytes):
    """pyHanko's incremental writer over ``data``, made deterministic: the document ID's second half (and
    its first, when the original has none) is derived from the original and ``seed`` (pyHanko draws it
    at random) and the info dictionary is not touched (pyHanko would write the time of day as its
    modification date)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _Writer(IncrementalPdfFileWriter):
        def _update_meta(self):  # no /ModDate "now", no /Producer change: the same bytes every time
            return None

    writer = _Writer(io.BytesIO(data), strict=False)
    digest = hashlib.sha256(data + b"\0" + seed).digest()
    id1 = writer._document_id[0] if "/ID" in writer.prev.trailer else generic.ByteStringObject(digest[16:])
    writer._document_id = generic.ArrayObject([id1, generic.ByteStringObject(digest[:16])])
    return writer


def _media_box(page) -> list[float]:
    from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree  # noqa: F401 - pyHanko's own walk

    box = find_inherited_value_in_tree(page, "/MediaBox", "/Parent")
    return [float(v) for v in box]


def _page_sizes(data: bytes) -> list[tuple[float, float]]:
    """The distinct page sizes of a PDF, in page order (pypdf: quicker than a second pyHanko walk)."""
    from pypdf import PdfReader

    sizes: list = []
    for page in PdfReader(io.BytesIO(data)).pages:
        box = page.mediabox
        size = (round(float(box.width), 2), round(float(box.height), 2))
        if size not in sizes:
            sizes.append(size)
    return sizes


def add_mark(data: bytes, make_html, offsets: list | None = None, first_html=None) -> bytes:
    """``data`` (a PDF) with the drawing ``make_html(width, height)`` over every page, as an incremental
    update appended to ``data``; ``offsets`` (pt, one ``(right, down)`` per page) moves the drawing on its
    page; ``first_html(width, height)``, when given, is the first page's drawing instead.  Returns the
    new file's bytes."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    from .release import library_logs_quiet

    sizes = _page_sizes(data)
    sources = {size: make_html(*size) for size in sizes}
    seed = "\0".join(sources[size] for size in sizes).encode("utf-8")
    if first_html is not None:
        seed += b"\0" + first_html(*sizes[0]).encode("utf-8")
    with library_logs_quiet():
        writer = _incremental_writer(data, seed)
        count = int(writer.root["/Pages"]["/Count"])
        drawings: dict = {}  # (width, height) -> (name, form XObject reference)
        opening = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
        for index in range(count):
            page_ref, resources = writer.find_page_for_modification(index)
            page = page_ref.get_object()
            left, bottom, right, top = _media_box(page)
            size = (round(right - left, 2), round(top - bottom, 2))
            own = first_html is not None and index == 0
            if (size, own) not in drawings:
                source = first_html(*size) if own else sources.get(size) or make_html(*size)
                mark = PdfFileReader(io.BytesIO(_drawing(source)), strict=False)
                drawings[(size, own)] = (generic.NameObject(f"/ManualMark{len(drawings)}"),
                                         writer.import_page_as_xobject(mark, 0))
            name, xobject = drawings[(size, own)]
            dx, dy = offsets[index] if offsets else (0, 0)
            draw = writer.add_object(generic.StreamObject(
                stream_data=f"Q q 1 0 0 1 {left + dx:g} {bottom - dy:g} cm {name} Do Q\n".encode("ascii")))
            contents = page.raw_get("/Contents") if "/Contents" in page else None  # a blank page has none
            old = contents.get_object() if isinstance(contents, generic.IndirectObject) else contents
            streams = list(old) if isinstance(old, generic.ArrayObject) else [] if contents is None else [contents]
            page[generic.NameObject("/Contents")] = generic.ArrayObject([opening, *streams, draw])
            new_resources = generic.DictionaryObject(
                {generic.NameObject("/XObject"): generic.DictionaryObject({name: xobject})})
            shared = resources.get_object()
            if name in (shared.get("/XObject") or {}):
                pass  # a resource dictionary several pages share: the mark is in it already
            elif isinstance(resources, generic.IndirectObject):
                if writer.merge_resources(shared, new_resources):
                    writer.mark_update(resources)
            else:
                own = generic.DictionaryObject(resources)
                writer.merge_resources(own, new_resources)
                page[generic.NameObject("/Resources")] = writer.add_object(own)
            writer.mark_update(page_ref)
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def stamp_size(title: str, lines: list[str]) -> tuple[float, float]:
    """The stamp's width and height (pt), measured on its drawing."""
    scale = 4
    ink = _ink_boxes(_drawing(_stamp_html(595.28, 841.89, title, lines)), scale)[0]
    box = ink.getbbox() or (0, 0, 0, 0)
    return (box[2] / scale, box[3] / scale)


def stamp_places(data: bytes, title: str, lines: list[str]) -> list[tuple[float, float]]:
    """Where the stamp goes on each page of ``data`` (pt from the page's top left): the topmost, then
    rightmost, blank place it fits in (``_blank_place``); on a page with none, the top right corner."""
    width, height = stamp_size(title, lines)
    places = []
    for ink in _ink_boxes(data):
        place = _blank_place(ink, width, height)
        places.append(place if place is not None else (ink.width / SCALE - EDGE - width, EDGE))
    return places


def controlled_copy(src: Path, dest: Path, title: str, lines: list[str]) -> bytes:
    """The controlled copy of ``src``: the stamp (``title`` beside ``lines``) on every page, in a blank
    place of the page (its top margin where it fits: it covers nothing of the page), an incremental
    update of ``src`` (a signature of ``src`` stays valid for its revision), written to ``dest``
    (atomically); returns the bytes written."""
    original = Path(src).read_bytes()
    places = stamp_places(original, title, lines)
    data = add_mark(original, lambda w, h: _stamp_html(w, h, title, lines), places)
    atomic_write_bytes(Path(dest), data)
    return data


def notice_box(data: bytes, notice: str) -> tuple[float, float, float, float] | None:
    """The rectangle (pt, left, top, right, bottom from the first page's top left) of the controlled-copy
    notice ``notice`` (manual.yaml's ``controlled_copy``) on the first page of ``data`` — the cover's
    red box around it, found by the text (pdfium) and then the red ink around the text on a rendering —
    or None when the first page does not show it."""
    import pypdfium2
    from PIL import ImageChops

    notice = " ".join(notice.split())
    if not notice:
        return None
    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        width, height = page.get_size()
        textpage = page.get_textpage()
        found = None
        for probe in (notice, notice[:8]):  # the whole notice, or its start when it wraps
            found = textpage.search(probe, match_case=True).get_next()
            if found:
                break
        if not found:
            return None
        boxes = [textpage.get_charbox(i) for i in range(found[0], found[0] + found[1])]
        top, bottom = height - max(b[3] for b in boxes), height - min(b[1] for b in boxes)
        scale = 2
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
    band = (0, max(0, int((top - 24) * scale)), image.width, min(image.height, int((bottom + 24) * scale)))
    red, green, blue = image.crop(band).split()
    mask = ImageChops.multiply(red.point(lambda v: 255 if v > 140 else 0),
                               ImageChops.multiply(green.point(lambda v: 255 if v < 120 else 0),
                                                   blue.point(lambda v: 255 if v < 120 else 0)))
    box = mask.getbbox()
    if box is None:
        return None
    return (box[0] / scale, (band[1] + box[1]) / scale, box[2] / scale, (band[1] + box[3]) / scale)


def _notice_html(width: float, height: float, text: str, box: tuple) -> str:
    """The first page's drawing of a download: the 非受控 mark in the top margin, and the cover's
    controlled-copy notice ``box`` covered by white paper that carries the 非受控 mark instead, boxed in
    red as the notice was: the reader sees one message."""
    left, top, right, bottom = box
    pad = 2
    return (f"<html><head><style>@page {{ size: {width}pt {height}pt; margin: 0 }}"
            f" body {{ margin: 0; font-family: {MARK_FONTS} }}"
            f" .m {{ position: absolute; top: 8pt; left: 0; right: 0; text-align: center; color: {RED};"
            f" font-size: 7.5pt; line-height: 1 }}"
            f" .n {{ position: absolute; left: {left - pad:.2f}pt; top: {top - pad:.2f}pt;"
            f" width: {right - left + 2 * pad:.2f}pt; height: {bottom - top + 2 * pad:.2f}pt; background: #fff;"
            f" display: flex; align-items: center; justify-content: center }}"
            f" .b {{ border: 1pt solid {RED}; color: {RED}; font-size: 9.5pt; padding: 3pt 6pt; text-align: center;"
            f" width: {right - left - 14:.2f}pt }}"
            f"</style></head><body><div class=\"m\">{html.escape(text)}</div>"
            f"<div class=\"n\"><div class=\"b\">{html.escape(text)}</div></div></body></html>")


def uncontrolled_pdf(data: bytes, text: str, notice: str = "") -> bytes:
    """A PDF's download copy: ``text`` (the 非受控 mark) in the top margin of every page; when the first
    page shows the controlled-copy notice ``notice`` (the cover's 受控文件… box), the notice is covered
    and the mark put in its place (``_notice_html``)."""
    box = notice_box(data, notice) if notice else None
    first = (lambda w, h: _notice_html(w, h, text, box)) if box else None
    return add_mark(data, lambda w, h: _mark_html(w, h, text), first_html=first)


def uncontrolled_docx(data: bytes, text: str) -> bytes:
    """A DOCX's download copy: ``text`` in red as the first line of every page header in use (each
    section's own header; a header linked to the previous section shows that one's, already marked)."""
    from docx import Document as open_docx
    from docx.shared import Pt, RGBColor

    from ..common.outputs import ZIP_EPOCH, normalize_zip

    document = open_docx(io.BytesIO(data))
    even = bool(document.settings.odd_and_even_pages_header_footer)

    def prepend(header) -> None:
        paragraphs = header.paragraphs
        paragraph = paragraphs[0].insert_paragraph_before() if paragraphs else header.add_paragraph()
        paragraph.alignment = 1  # centred
        run = paragraph.add_run(text)
        run.font.size = Pt(7.5)
        run.font.color.rgb = RGBColor(0xB9, 0x1C, 0x1C)

    for i, section in enumerate(document.sections):
        headers = [section.header]
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if even:
            headers.append(section.even_page_header)
        for header in headers:
            if header.is_linked_to_previous and i > 0:
                continue  # shows the previous section's header, marked there
            if header.is_linked_to_previous:
                header.is_linked_to_previous = False  # the first section's pages need a header of their own
            prepend(header)
    buffer = io.BytesIO()
    document.save(buffer)
    entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    return normalize_zip(buffer.getvalue(), date_time=entries[0].date_time if entries else ZIP_EPOCH)
