"""Marks laid over every page of a finished PDF, the PDF itself untouched: the 受控 stamp of a controlled
copy (``manual issue``).

The mark is a one-page PDF that WeasyPrint draws at the page's own size, merged onto each page with
pypdf (one drawing per page size).  The source PDF is read, never written: a signed edition PDF
keeps its signature; the stamped file is a new one, written atomically.
"""
from __future__ import annotations

import html
import io
from pathlib import Path

from ..common.outputs import atomic_write_bytes

RED = "#b91c1c"
FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


def _stamp_html(width: float, height: float, title: str, lines: list[str]) -> str:
    rows = "".join(f'<div class="l">{html.escape(line)}</div>' for line in lines)
    return (f"<html><head><style>@page {{ size: {width}pt {height}pt; margin: 0 }}"
            f" body {{ margin: 0; font-family: {FONTS} }}"
            f" .s {{ position: absolute; top: 14pt; right: 16pt; border: 1.5pt solid {RED}; color: {RED};"
            f" padding: 3pt 8pt; text-align: center; background: rgba(255,255,255,0.85) }}"
            f" .t {{ font-size: 15pt; font-weight: bold; letter-spacing: 3pt }} .l {{ font-size: 8pt }}"
            f"</style></head><body><div class=\"s\"><div class=\"t\">{html.escape(title)}</div>{rows}</div>"
            f"</body></html>")


def _mark_page(source: str):
    import weasyprint
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(weasyprint.HTML(string=source).write_pdf())).pages[0]


def overlay(src: Path, dest: Path, make_html) -> bytes:
    """``src`` with the mark ``make_html(width, height)`` draws laid over every page, written to ``dest``
    (atomically); returns the bytes written."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(src))
    writer = PdfWriter()
    marks: dict = {}
    for page in reader.pages:
        box = page.mediabox
        size = (round(float(box.width), 2), round(float(box.height), 2))
        if size not in marks:
            marks[size] = _mark_page(make_html(*size))
        writer.add_page(page).merge_translated_page(marks[size], float(box.left), float(box.bottom))
    buffer = io.BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    atomic_write_bytes(Path(dest), data)
    return data


def controlled_copy(src: Path, dest: Path, title: str, lines: list[str]) -> bytes:
    """The controlled copy of ``src``: the stamp (``title`` over ``lines``) in the top right corner of every page."""
    return overlay(src, dest, lambda w, h: _stamp_html(w, h, title, lines))

