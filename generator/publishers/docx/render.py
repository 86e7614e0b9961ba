"""The print edition as DOCX (python-docx), for departments that edit in Word.

``manual build docx`` writes ``dist/manual.docx`` (cover, TOC field, every
document, the forms appendix) and ``dist/documents/<code>.docx`` (one
document with the forms it uses).  The content is the same as the PDF's: both
take it from ``printmodel``.

What makes it a proper Word document:

* Word's built-in styles: Title, Heading 1 (one per document, so the
  navigation pane lists the documents), Heading 2/3 (sections of a body),
  Form Heading (a form of the appendix), Table Grid;
* a contents list that is a TOC field (``TOC \\o "1-1" \\h \\z \\u \\t "Form Heading,2"``)
  whose current result is written: its entries with PAGEREF fields whose results are the pages
  ``typeset.paginate`` estimates, so the numbers are there when the file is opened, and Word's
  update still refreshes them (``Writer.finish_toc``);
* clauses and sub-items as Word numbering (``numbering.py``);
* one section per document: its header names company · manual (and 草稿
  DRAFT while the document is not in force), its footer the document's
  code, version and ``第 PAGE 页 / 共 NUMPAGES 页`` as fields;
* real tables for the meta data, staffing, job duties, workflow steps,
  revision history and the 编制/审核/批准 sign-off; rows never split, header rows repeat and keep
  with the next; the last clause, the revision history and the sign-off keep together;
* 宋体/黑体 (``typeset.py``) on every style with exact line heights: the template's theme-font
  attributes (which override ``w:eastAsia``) are removed from all styles and from the document
  defaults, and the East Asian language is zh-CN;
* the appendix forms in the PDF's grid, one section (and sheet) each, registers landscape (``forms.py``);
* 《title》 citations are internal hyperlinks to bookmarks on the cited
  document's or form's heading.

python-docx cannot embed SVG.  Rather than carry an SVG→PNG converter as a
runtime dependency, the org chart is printed as an indented list of the
reporting tree and the workflow as a numbered table of steps: the same data
as the PDF's diagrams, editable in Word.

Determinism: the zip entries carry the manual's date, the core properties
are pinned (created = modified = the manual's date, revision 1), and no
random ids are used (bookmark ids count up), so the same source gives
byte-identical files.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

from ...read.markdown import Span
from ..render.body import lone_image, plain_text
from .xml import THEME_ATTRS, el as _el, parse_w as _parse_w, qn as _qn, set_lang as _set_lang
from .xml import set_rfonts_pair as _set_fonts
from . import forms as appendix_forms
from .numbering import Numbering, number_paragraph, shown_label
from .typeset import (FONT_TABLE, MONO, PT, SANS_EA, SANS_LATIN, SERIF_EA, SERIF_LATIN, STYLE_METRICS, line_for,
                      paginate)
from .fit import PAD_PT, Face, at_least, column_widths, longest_word
from .fast import remember_partnames
from ...model.citations import split_citations
from ...model import Block, Document, ExternalDocument, Form, Manual
from ...common.outputs import ZIP_EPOCH, atomic_write_bytes, normalize_zip
from ...labels import labels
from ...model.org import org_outline
from ..render import view as pm
from ..render.pool import in_workers, worker_context
from ...common.engines import release_memory

EXT = "docx"

SANS_STYLES = {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "TOC Heading",
               "Caption", "Form Heading"}
INK = "1F2937"
LINK = "1E4F91"
RED = "B91C1C"
HEAD_FILL = "EEF2F7"
META_PER_ROW = 4  # label and value pairs a row of a document's metadata block (the PDF's)

# A4 and the PDF's margins, in millimetres.
PAGE_W, PAGE_H = 210, 297
PICTURE_MAX_H_MM = 230  # a body's picture at most this high: it fits a page under a heading
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 24, 22, 20, 18
# A form's page: the printed form's 15 mm at the sides (its grid is as wide as the PDF's), room for the running
# header and footer above and below.
FORM_MARGIN_TOP, FORM_MARGIN_BOTTOM, FORM_MARGIN_SIDE = 18, 16, 15


def _docx():
    import docx  # noqa: F401  (imported lazily: 0.2 s)

    return docx


# -- document set-up -------------------------------------------------------------------------------
def _serif(rpr) -> None:
    _set_fonts(rpr, SERIF_EA, SERIF_LATIN)


def _sans(rpr) -> None:
    _set_fonts(rpr, SANS_EA, SANS_LATIN)


# Styles this writer adds: (style id, name, based on, outline level or None)
_OWN_STYLES = (("TOC1", "toc 1", "Normal", None), ("TOC2", "toc 2", "Normal", None),
               ("FormHeading", "Form Heading", "Heading2", 1), ("TableText", "Table Text", "Normal", None))


def _add_style(styles_el, style_id: str, name: str, based_on: str, outline: int | None):
    style = _el("w:style", w__type="paragraph", w__customStyle="1", w__styleId=style_id)
    style.append(_el("w:name", w__val=name))
    style.append(_el("w:basedOn", w__val=based_on))
    style.append(_el("w:next", w__val="Normal"))
    style.append(_el("w:qFormat"))
    ppr = _el("w:pPr")
    if outline is not None:
        ppr.append(_el("w:outlineLvl", w__val=str(outline)))
    style.append(ppr)
    style.append(_el("w:rPr"))
    styles_el.append(style)


def _metrics(style, size: float, line: float, before: float, after: float) -> None:
    """Font size, an exact line height (固定值) and the spacing of a paragraph style."""
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    style.font.size = Pt(size)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line)
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)


def _setup_fonts_table(document) -> None:
    """宋体 and 黑体 in fontTable.xml with their English names and the GB2312 character set, so that
    Word finds them under either name (and picks a like font where neither is installed)."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt, panose, family, pitch in FONT_TABLE:
        font = _el("w:font", w__name=name)
        font.append(_el("w:altName", w__val=alt))
        font.append(_el("w:panose1", w__val=panose))
        font.append(_el("w:charset", w__val="86"))
        font.append(_el("w:family", w__val=family))
        font.append(_el("w:pitch", w__val=pitch))
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _setup_styles(document, gutter: float = 0.0) -> None:
    """宋体/黑体 on every style, no theme fonts, zh-CN, exact line heights, sober heading colours."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, RGBColor

    styles_el = document.styles.element
    for style_id, name, based_on, outline in _OWN_STYLES:
        _add_style(styles_el, style_id, name, based_on, outline)
    # Document defaults: explicit fonts, East Asian language zh-CN.
    rpr_default = styles_el.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    _serif(rpr_default)
    _set_lang(rpr_default)
    # Every style of the template: strip theme fonts; set ours on the styles that carry fonts.
    for style_el in styles_el.findall(_qn("w:style")):
        name_el = style_el.find(_qn("w:name"))
        rpr = style_el.find(_qn("w:rPr"))
        if rpr is not None and rpr.find(_qn("w:rFonts")) is not None:
            name = (name_el.get(_qn("w:val"), "") if name_el is not None else "").lower()
            sans = name in {s.lower() for s in SANS_STYLES} or name.startswith("heading")
            (_sans if sans else _serif)(rpr)
    # Theme fonts anywhere else in styles.xml (table styles' conditional formats …): major → sans, minor → serif.
    for rfonts in styles_el.iter(_qn("w:rFonts")):
        theme = rfonts.get(_qn("w:asciiTheme")) or rfonts.get(_qn("w:eastAsiaTheme")) or ""
        if any(_qn(a) in rfonts.attrib for a in THEME_ATTRS):
            (_sans if theme.startswith("major") else _serif)(rfonts.getparent())
    by_id = {"Heading1": "Heading 1", "Heading2": "Heading 2", "Heading3": "Heading 3", "TOCHeading": "TOC Heading",
             "Header": "Header", "Footer": "Footer", "FormHeading": "Form Heading", "TOC1": "toc 1",
             "TOC2": "toc 2", "TableText": "Table Text"}
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Header", "Footer",
                 "Table Grid", "List Paragraph", "Caption", "TOC Heading", "Form Heading", "Table Text",
                 "toc 1", "toc 2"):
        style = document.styles[name]
        rpr = style.element.get_or_add_rPr()
        (_sans if name in SANS_STYLES else _serif)(rpr)
    for style_id, (size, line, before, after) in STYLE_METRICS.items():
        _metrics(document.styles[by_id.get(style_id, style_id)], size, line, before, after)

    width = Mm(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - gutter)
    for name, size, center in (("Title", 26, True), ("Heading 1", 16, True), ("Heading 2", 12, False),
                               ("Heading 3", 10.5, False), ("Form Heading", 12, True)):
        style = document.styles[name]
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(INK)
        style.paragraph_format.keep_with_next = True
        style.paragraph_format.keep_together = True
        if center:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_ppr = document.styles["Title"].element.get_or_add_pPr()
    border = title_ppr.find(_qn("w:pBdr"))
    if border is not None:
        title_ppr.remove(border)
    for name, indent in (("toc 1", 0), ("toc 2", 6)):
        fmt = document.styles[name].paragraph_format
        fmt.left_indent = Mm(indent)
        fmt.tab_stops.add_tab_stop(width, alignment=_tab_right(), leader=_tab_dots())
    for name in ("Header", "Footer"):
        ppr = document.styles[name].element.get_or_add_pPr()
        for tabs in ppr.findall(_qn("w:tabs")):
            ppr.remove(tabs)
        tabs = _el("w:tabs")
        tabs.append(_el("w:tab", w__val="center", w__pos=str(int(width.twips / 2))))
        tabs.append(_el("w:tab", w__val="right", w__pos=str(int(width.twips))))
        ppr.insert(0, tabs)
        document.styles[name].font.color.rgb = RGBColor.from_string("4B5563")


def _tab_right():
    from docx.enum.text import WD_TAB_ALIGNMENT

    return WD_TAB_ALIGNMENT.RIGHT


def _tab_dots():
    from docx.enum.text import WD_TAB_LEADER

    return WD_TAB_LEADER.DOTS


def _setup_settings(document, gutter: float = 0.0) -> None:
    """zh-CN theme fonts.  No ``w:updateFields``: the contents list carries its page numbers already, so
    Word opens the file without asking to update fields (F9 still updates them).  With a binding gutter
    (``print.binding_gutter_mm``) the margins are mirrored (``w:mirrorMargins``): the gutter is on the
    inner side of every page, left on a right-hand page and right on a left-hand one, as in the PDF."""
    settings = document.settings.element
    if gutter:
        mirror = _el("w:mirrorMargins")
        before = [settings.find(_qn(tag)) for tag in ("w:zoom", "w:view", "w:writeProtection")]
        anchor = next((b for b in before if b is not None), None)
        anchor.addnext(mirror) if anchor is not None else settings.insert(0, mirror)
    lang = settings.find(_qn("w:themeFontLang"))
    if lang is not None:
        lang.set(_qn("w:eastAsia"), "zh-CN")


def _drop_thumbnail(document) -> None:
    """The template's thumbnail shows an empty page of another document; leave it out."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    pkg = document.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]


def _setup_core(document, manual: Manual, title: str, lang: str) -> None:
    date = manual.date
    when = dt.datetime(date.year, date.month, date.day) if isinstance(date, dt.date) else dt.datetime(2000, 1, 1)
    cp = document.core_properties
    cp.title = title
    cp.subject = manual.title
    cp.author = manual.company
    cp.last_modified_by = manual.company
    cp.comments = ""
    cp.category = manual.department
    cp.keywords = manual.edition
    cp.language = lang
    cp.created = when
    cp.modified = when
    cp.revision = 1


def _setup_section(section, *, landscape: bool = False, form: bool = False, gutter: float = 0.0) -> None:
    """A4 with the PDF's margins; a form's page (``form``) has the printed form's narrower margins, and a
    register's (``landscape``) is turned; ``gutter`` mm of binding gutter (``w:gutter``, on the inner side
    of the mirrored margins) narrows the text column of every page but a form's."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(PAGE_H), Mm(PAGE_W)) if landscape else (Mm(PAGE_W), Mm(PAGE_H))
    if form:
        section.top_margin, section.bottom_margin = Mm(FORM_MARGIN_TOP), Mm(FORM_MARGIN_BOTTOM)
        section.left_margin = section.right_margin = Mm(FORM_MARGIN_SIDE)
        section.header_distance, section.footer_distance = Mm(8), Mm(7)
    else:
        section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
        section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
        section.header_distance, section.footer_distance = Mm(12), Mm(10)
    if gutter and not form:  # a form's sheet keeps its own margins, as in the PDF
        section.gutter = Mm(gutter)


def new_document(manual: Manual, title: str, lang: str):
    docx = _docx()
    document = docx.Document()
    gutter = manual.binding_gutter_mm
    _setup_styles(document, gutter)
    _setup_fonts_table(document)
    _setup_settings(document, gutter)
    _drop_thumbnail(document)
    _setup_core(document, manual, title, lang)
    _setup_section(document.sections[0], gutter=gutter)
    return document


def to_bytes(document, manual: Manual) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    date = manual.date
    stamp = (date.year, date.month, date.day, 0, 0, 0) if isinstance(date, dt.date) and date.year >= 1980 \
        else ZIP_EPOCH
    return normalize_zip(buf.getvalue(), date_time=stamp)


# -- writer: paragraphs, runs, fields, bookmarks -------------------------------------------------------
class Writer:
    """Appends the manual's content to a python-docx Document."""

    def __init__(self, manual: Manual, document, lang: str, allowed: set[str] | None):
        self.manual = manual
        self.doc = document
        self.lang = lang
        self.lab = pm.L(lang)
        self.gutter = manual.binding_gutter_mm  # mm of binding gutter: the text column is that much narrower
        self.allowed = allowed  # anchors present in this file (None: all)
        self._bookmark_id = 0
        self._first_section_used = False
        # The body's final w:sectPr: every block goes just before it.  python-docx's add_paragraph
        # and add_section search the body for it each time, which is quadratic in a whole manual.
        self._end = document.element.body.get_or_add_sectPr()
        remember_partnames(document)
        self._numbering: Numbering | None = None  # made with the first list
        self._toc_at = None  # where the contents list goes (filled in when the body is complete)
        self._last_content = None  # the last paragraph or table row of a body so far (kept with the sign-off)
        self._body_doc: Document | None = None  # the document whose body is being written: its pictures

    # ---- blocks at the end of the body
    def _insert(self, element):
        self._end.addprevious(element)
        return element

    def _paragraph(self):
        """A new empty paragraph at the end of the body (what ``document.add_paragraph()`` makes)."""
        from docx.text.paragraph import Paragraph

        return Paragraph(self._insert(_el("w:p")), self.doc._body)

    def _add_section(self, start_type):
        """``document.add_section(start_type)`` without its search for the final w:sectPr: the
        final w:sectPr is copied into a new paragraph (which ends the previous section), loses its
        header and footer references and becomes the new section."""
        from docx.section import Section

        sentinel = self._end
        self._insert(_el("w:p")).set_sectPr(sentinel.clone())
        for ref in sentinel.xpath("w:headerReference|w:footerReference"):
            sentinel.remove(ref)
        sentinel.start_type = start_type
        return Section(sentinel, self.doc.part)

    # ---- runs (built as XML directly: python-docx's property setters are slow in bulk)
    def run(self, paragraph, text: str, *, bold=False, italic=False, mono=False, color: str | None = None,
            size: float | None = None, underline=False, strike=False):
        r = _run_el(text, bold=bold, italic=italic, mono=mono, color=color, size=size, underline=underline,
                    strike=strike)
        paragraph._p.append(r)
        return r

    def link(self, paragraph, text: str, anchor: str, *, bold=False, size=None):
        """An internal hyperlink to a bookmark."""
        h = _el("w:hyperlink", w__anchor=anchor, w__history="1")
        h.append(_run_el(text, bold=bold, color=LINK, underline=True, size=size))
        paragraph._p.append(h)

    def text(self, paragraph, text: str, *, bold=False, italic=False, mono=False, size=None, color=None,
             codes=False):
        """Plain text whose 《title》 citations (with ``codes``, also bare codes: prose a writer wrote)
        become links."""
        for piece, target in split_citations(self.manual, text, codes=codes):
            if target is not None and not isinstance(target, ExternalDocument):  # an external one: text
                anchor = pm.anchor(target)
                if self.allowed is None or anchor in self.allowed:
                    self.link(paragraph, piece, pm.bookmark_name(target), bold=bold, size=size)
                    continue
            self.run(paragraph, piece, bold=bold, italic=italic, mono=mono, size=size, color=color)

    def inline(self, paragraph, spans: list[Span], *, size=None, bold=False, codes=False):
        """Inline content (bold, italic, code, links, line breaks) as runs; 《title》 citations linked, and
        with ``codes`` (a document's body) bare codes too."""
        self._spans(paragraph, spans, size, bold, False, [""], codes)

    def _spans(self, paragraph, spans: list[Span], size, bold: bool, italic: bool, last: list[str], codes=False):
        """``last`` holds the last character printed so far: lines of CJK text join without a space."""
        for i, span in enumerate(spans):
            kind = span.kind
            if kind == "text":
                self.text(paragraph, span.text, bold=bold, italic=italic, size=size, codes=codes)
                last[0] = span.text[-1:] or last[0]
            elif kind == "code":
                self.run(paragraph, span.text, mono=True, size=size)
                last[0] = span.text[-1:] or last[0]
            elif kind == "softbreak":
                following = _first_char(spans[i + 1]) if i + 1 < len(spans) else ""
                if not (_is_wide(last[0]) and _is_wide(following)):
                    self.run(paragraph, " ", size=size)
            elif kind == "hardbreak":
                paragraph.add_run().add_break()
            elif kind == "image":
                if not self.picture(paragraph, span):
                    self.run(paragraph, plain_text(span.children), size=size)
            else:  # strong, em, link (an external URL is not printed; a citation in its text is linked)
                self._spans(paragraph, span.children, size, bold or kind == "strong", italic or kind == "em", last,
                            codes)

    def picture(self, paragraph, span: Span, indent_mm: float = 0) -> bool:
        """The body's picture ``span`` as an inline picture in ``paragraph``: its pixels at 96 per inch, scaled
        down to the text column (less ``indent_mm``) and to 230 mm of height, its description as the
        picture's alternative text; the paragraph's lines single-spaced (an exact line height would crop
        it).  False when the reference shows no picture (the caller prints its description)."""
        from docx.shared import Emu, Mm

        image = self._body_doc.image(span.href) if self._body_doc is not None else None
        if image is None:
            return False
        px = 914400 // 96  # EMU per pixel at 96 per inch
        width, height = image.width * px, image.height * px
        scale = min(1.0, Mm(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - self.gutter - indent_mm) / width,
                    Mm(PICTURE_MAX_H_MM) / height)
        shape = paragraph.add_run().add_picture(io.BytesIO(image.data), width=Emu(int(width * scale)),
                                                height=Emu(int(height * scale)))
        doc_pr = shape._inline.docPr
        doc_pr.set("name", f"{image.sha256[:16]}{image.ext}")
        doc_pr.set("descr", plain_text(span.children))
        paragraph.paragraph_format.line_spacing = 1.0
        return True

    def figure(self, span: Span, depth: int) -> bool:
        """A picture alone in its paragraph: centred, its description as a caption under it (kept together)."""
        if self._body_doc is None or self._body_doc.image(span.href) is None:
            return False
        p = self.para(align=_center(), indent_mm=7 * depth, keep_next=True)
        self.picture(p, span, 7 * depth)
        words = plain_text(span.children).strip()
        if words:
            self.para(words, align=_center(), indent_mm=7 * depth, size=9, color="4B5563")
        else:
            p.paragraph_format.keep_with_next = False
        return True

    def field(self, paragraph, instruction: str, placeholder: str = "", *, dirty: bool = False):
        """A complex field: begin, instruction, separate, the current result, end."""
        begin = paragraph.add_run()
        fc = _el("w:fldChar", w__fldCharType="begin")
        if dirty:
            fc.set(_qn("w:dirty"), "true")
        begin._r.append(fc)
        instr = paragraph.add_run()
        it = _el("w:instrText")
        it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        it.text = f" {instruction} "
        instr._r.append(it)
        sep = paragraph.add_run()
        sep._r.append(_el("w:fldChar", w__fldCharType="separate"))
        paragraph.add_run(placeholder)
        end = paragraph.add_run()
        end._r.append(_el("w:fldChar", w__fldCharType="end"))

    def bookmark(self, paragraph, name: str) -> None:
        self._bookmark_id += 1
        start = _el("w:bookmarkStart", w__id=str(self._bookmark_id), w__name=name)
        end = _el("w:bookmarkEnd", w__id=str(self._bookmark_id))
        ppr = paragraph._p.find(_qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            paragraph._p.insert(0, start)
        paragraph._p.append(end)

    def para(self, text: str = "", *, style: str | None = None, align=None, size=None, bold=False,
             color=None, indent_mm: float = 0, hanging_mm: float = 0, space_after=None, keep_next=False):
        from docx.shared import Mm, Pt

        p = self._paragraph()
        if style:
            p.style = style
        if text:
            self.text(p, text, bold=bold, size=size, color=color)
        fmt = p.paragraph_format
        if align is not None:
            fmt.alignment = align
        if indent_mm or hanging_mm:
            fmt.left_indent = Mm(indent_mm + hanging_mm)
            if hanging_mm:
                fmt.first_line_indent = Mm(-hanging_mm)
        if space_after is not None:
            fmt.space_after = Pt(space_after)
        if size and size > STYLE_METRICS["Normal"][0]:
            fmt.line_spacing = Pt(line_for(size))  # python-docx makes a length an exact line height
        if keep_next:
            fmt.keep_with_next = True
        self._last_content = p._p
        return p

    def spacer(self, *, keep_next: bool = False):
        """A thin empty paragraph (6 pt): between two tables, after a table."""
        p = self._paragraph()
        ppr = p._p.get_or_add_pPr()
        if keep_next:
            ppr.append(_el("w:keepNext"))
        ppr.append(_el("w:spacing", w__after="0", w__line=str(6 * PT), w__lineRule="exact"))
        return p

    # ---- tables
    def table(self, header: list[str] | None, rows: list[list], *, widths_mm: list[float] | None = None,
              size: float = 9.5, header_col: bool = False, head_cols=(), bold_rows: set[int] = frozenset(),
              codes: bool = False, together: bool = False):
        """A Table Grid table of text cells (inline Markdown, citations linked; with ``codes``, a table of a
        document's body, bare codes too).  Rows never split; the header row repeats on every page and keeps
        with the first row; with ``together`` every row keeps with the next (a sign-off never splits)."""
        from docx.shared import Mm
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        ncols = len(header) if header else max((len(r) for r in rows), default=1)
        head_cols = set(head_cols) | ({0} if header_col else set())
        total = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - self.gutter
        widths_mm = widths_mm or [total / ncols] * ncols
        if sum(widths_mm) > total:  # a binding gutter narrows the column: the table shrinks with it
            widths_mm = [w * total / sum(widths_mm) for w in widths_mm]
        # A header, or a bold first-column label (Prepared, Reviewed), never breaks inside a word ("Versio/n"):
        # its column widens to it, the others give way.
        face, mm = Face((SERIF_LATIN,)), 72 / 25.4
        if header and all(isinstance(h, str) for h in header):
            if any(face.width(h, size, bold=True) + PAD_PT > w * mm for h, w in zip(header, widths_mm)):
                widths_mm = [w / mm for w in column_widths(header, widths_mm, sum(widths_mm) * mm, size, face, bold=True)]
        need = [0.0] * len(widths_mm)
        for c in head_cols:
            cells = [r[c] for r in rows if c < len(r) and isinstance(r[c], str)]
            need[c] = max((longest_word(t, size, face, bold=True) + PAD_PT for t in cells), default=0.0)
        if any(n > w * mm for n, w in zip(need, widths_mm)):
            widths_mm = [w / mm for w in at_least([w * mm for w in widths_mm], need)]
        widths = [Mm(w) for w in widths_mm]
        tbl = _el("w:tbl")
        tblpr = _el("w:tblPr")
        tblpr.append(_el("w:tblStyle", w__val="TableGrid"))
        tblpr.append(_el("w:tblW", w__w=str(int(sum(w.twips for w in widths))), w__type="dxa"))
        tblpr.append(_el("w:tblLayout", w__type="fixed"))
        tblpr.append(_el("w:tblLook", w__val="04A0", w__firstRow="1", w__lastRow="0", w__firstColumn="1",
                         w__lastColumn="0", w__noHBand="0", w__noVBand="1"))
        tbl.append(tblpr)
        grid = _el("w:tblGrid")
        for w in widths:
            grid.append(_el("w:gridCol", w__w=str(int(w.twips))))
        tbl.append(grid)
        self._insert(tbl)
        table = Table(tbl, self.doc._body)

        def add_row(values, *, head_row=False, bold_row=False, keep=False):
            # The row's frame parsed from markup in one go (xml.parse_w); its paragraphs are filled below.
            markup = ['<w:tr><w:trPr><w:cantSplit w:val="true"/>'
                      + ('<w:tblHeader w:val="true"/>' if head_row else "") + "</w:trPr>"]
            keep_next = "<w:keepNext/>" if head_row or keep else ""
            for j in range(ncols):
                shade = (f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>'
                         if head_row or j in head_cols else "")
                markup.append(f'<w:tc><w:tcPr><w:tcW w:w="{int(widths[min(j, len(widths) - 1)].twips)}" '
                              f'w:type="dxa"/>{shade}</w:tcPr><w:p><w:pPr><w:pStyle w:val="TableText"/>{keep_next}'
                              "</w:pPr></w:p></w:tc>")
            markup.append("</w:tr>")
            tr = _parse_w("".join(markup))
            for j, tc in enumerate(tr.iterchildren(_qn("w:tc"))):
                value = values[j] if j < len(values) else ""
                head = head_row or j in head_cols
                para = Paragraph(tc[1], table)
                spans = value if isinstance(value, list) else plain_spans("" if value is None else str(value))
                self.inline(para, spans, size=size, bold=head or bold_row, codes=codes)
            tbl.append(tr)

        if header:
            add_row(header, head_row=True)
        for i, row in enumerate(rows):
            add_row(row, bold_row=i in bold_rows, keep=together and i < len(rows) - 1)
        self._last_content = tbl[-1] if len(tbl) > 2 else None
        self.spacer()
        return table

    def meta_table(self, pairs: list[tuple[str, str]], *, per_row: int = META_PER_ROW, size: float = 9):
        """A document's metadata block as the PDF prints it: ``per_row`` label and value pairs a row, the
        last value of a short last row spanning the cells the row lacks (no empty cells); the label
        columns as wide as their longest label, the value columns as their longest value and what is
        left shared out among them."""
        from docx.shared import Mm
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        rows = [pairs[i:i + per_row] for i in range(0, len(pairs), per_row)]
        if not rows:
            return None
        face = Face((SERIF_LATIN,))
        ncols = 2 * min(per_row, max(len(r) for r in rows))
        need = [0.0] * ncols
        for row in rows:
            for k, (label, value) in enumerate(row):
                need[2 * k] = max(need[2 * k], face.width(label, size, bold=True) + PAD_PT)
                if not (k == len(row) - 1 and len(row) < ncols // 2):  # a spanning value has room
                    need[2 * k + 1] = max(need[2 * k + 1], face.width(value, size) + PAD_PT)
        room = Mm(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - self.gutter).pt
        spare = max(room - sum(need), 0.0) / (ncols // 2)
        widths = [Mm((w + (spare if k % 2 else 0.0)) * 25.4 / 72) for k, w in enumerate(need)]
        if sum(need) > room:  # values too long for one line each: the value columns share the room evenly
            labels = sum(need[0::2])
            widths = [Mm((need[k] if k % 2 == 0 else (room - labels) / (ncols // 2)) * 25.4 / 72)
                      for k in range(ncols)]
        tbl = _el("w:tbl")
        tblpr = _el("w:tblPr")
        tblpr.append(_el("w:tblStyle", w__val="TableGrid"))
        tblpr.append(_el("w:tblW", w__w=str(int(sum(w.twips for w in widths))), w__type="dxa"))
        tblpr.append(_el("w:tblLayout", w__type="fixed"))
        tbl.append(tblpr)
        grid = _el("w:tblGrid")
        for w in widths:
            grid.append(_el("w:gridCol", w__w=str(int(w.twips))))
        tbl.append(grid)
        self._insert(tbl)
        table = Table(tbl, self.doc._body)
        for row in rows:
            markup = ['<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>']
            texts = []
            for k, (label, value) in enumerate(row):
                short = ncols // 2 - len(row)  # pairs the row lacks (the first row has them all)
                span = 1 + (2 * short if k == len(row) - 1 and short > 0 else 0)
                for col, text, head in ((2 * k, label, True), (2 * k + 1, value, False)):
                    n = span if not head else 1
                    width = int(sum(w.twips for w in widths[col:col + n]))
                    shade = f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>' if head else ""
                    grid_span = f'<w:gridSpan w:val="{n}"/>' if n > 1 else ""
                    markup.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid_span}{shade}</w:tcPr>'
                                  '<w:p><w:pPr><w:pStyle w:val="TableText"/></w:pPr></w:p></w:tc>')
                    texts.append((text, head))
            markup.append("</w:tr>")
            tr = _parse_w("".join(markup))
            for tc, (text, head) in zip(tr.iterchildren(_qn("w:tc")), texts):
                self.inline(Paragraph(tc[1], table), plain_spans(text), size=size, bold=head)
            tbl.append(tr)
        self._last_content = tbl[-1]
        self.spacer()
        return table

    # ---- sections, header and footer
    def start_section(self, *, header_left: str, header_right: str, footer: str | None, draft: bool = False,
                      landscape: bool = False, form: bool = False):
        """A new section on a new page (the first call reuses the document's first section)."""
        from docx.enum.section import WD_SECTION

        if self._first_section_used:
            section = self._add_section(WD_SECTION.NEW_PAGE)
            # The paragraph that ends the previous section takes a line of its own: a 1 pt one, so that it
            # never pushes a full page's last line onto a page of its own.
            spacing = self._end.getprevious().get_or_add_pPr().get_or_add_spacing()
            for attr, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"), ("w:lineRule", "exact")):
                spacing.set(_qn(attr), value)
        else:
            section = self.doc.sections[0]
            self._first_section_used = True
        _setup_section(section, landscape=landscape, form=form, gutter=self.gutter)
        header = section.header
        header.is_linked_to_previous = False
        footer_part = section.footer
        footer_part.is_linked_to_previous = False
        self._fill_header(header, header_left, header_right, draft)
        self._fill_footer(footer_part, footer)
        return section

    def _fill_header(self, header, left: str, right: str, draft: bool):
        p = header.paragraphs[0]
        _clear(p)
        if not (left or right or draft):
            return
        self.run(p, left)
        if draft:
            self.run(p, f"　{self.lab['draft_mark_zh']} {self.lab['draft_mark']}", bold=True, color=RED)
        self.run(p, "\t\t" + right)
        _bottom_border(p)
        size, margins = self._end.find(_qn("w:pgSz")), self._end.find(_qn("w:pgMar"))
        text_w = int(size.get(_qn("w:w"))) - int(margins.get(_qn("w:left"))) - int(margins.get(_qn("w:right"))) \
            - int(margins.get(_qn("w:gutter")) or 0)
        if text_w != _twips_mm(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT - self.gutter):  # a form's page: tab stops at its width
            tabs = _el("w:tabs")
            tabs.append(_el("w:tab", w__val="center", w__pos=str(text_w // 2)))
            tabs.append(_el("w:tab", w__val="right", w__pos=str(text_w)))
            p._p.get_or_add_pPr().append(tabs)

    def _fill_footer(self, footer, text: str | None):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = footer.paragraphs[0]
        _clear(p)
        if text is None:
            return
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        words = pm.page_words(self.lang)
        if text:
            self.run(p, f"{text}　　")
        self.run(p, words["page_pre"])
        self.field(p, "PAGE", "1")
        self.run(p, words["page_post"] + words["sep"] + words["pages_pre"])
        self.field(p, "NUMPAGES", "1")
        self.run(p, words["pages_post"])

    # ---- content
    def cover(self, edition: dict | None = None):
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        c = pm.cover(self.manual, self.lang, edition)
        self.start_section(header_left="", header_right="", footer=None)
        center = WD_ALIGN_PARAGRAPH.CENTER
        for _ in range(3):
            self.para(space_after=12)
        self.para(c["company"], align=center, size=16, space_after=2)
        if c["company_en"]:
            self.para(c["company_en"], align=center, size=9, color="6B7280")
        for _ in range(3):
            self.para(space_after=12)
        title = self.styled("Title")
        self.run(title, c["title"])
        title.alignment = center
        if c["title_en"]:
            self.para(c["title_en"], align=center, size=12, color="4B5563")
        for _ in range(2):
            self.para(space_after=12)
        self.para(f"{c['edition_label']}{pm.L(self.lang)['colon']}{c['edition']}", align=center, size=13, space_after=2)
        if c["date"]:
            self.para(f"{c['date_label']}{pm.L(self.lang)['colon']}{c['date']}", align=center, size=12)
        if c["controlled"]:
            p = self.para(c["controlled"], align=center, size=10, color=RED)
            p.paragraph_format.space_before = Pt(18)
        self.para(space_after=12)
        t = self.signoff_table(c["signoff"])
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        if c["sample_note"]:
            self.para(c["sample_note"], align=center, size=8.5, color="6B7280")

    def toc(self, entries: list[dict]):
        """The contents list's place: its entries are written by ``finish_toc`` once the body is complete."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        lab = self.lab
        self.start_section(header_left=pm.header_text(self.manual), header_right=lab["contents"],
                           footer=lab["contents"])
        heading = self.styled("TOCHeading")
        self.run(heading, lab["contents"])
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._toc_at = self._paragraph()._p
        # Chapter rows (several chapters) stand before their first document, unlinked, as in the PDF.
        self._toc_chapters: dict[str, str] = {}
        chapter = None
        for e in entries:
            if e["kind"] == "chapter":
                chapter = e["title"]
            elif chapter is not None:
                self._toc_chapters[e["anchor"]] = chapter
                chapter = None

    def finish_toc(self):
        """Write the contents list as a TOC field whose current result is the entries with their pages.

        The entries are what Word's own update makes of ``TOC \\o "1-1" \\t "Form Heading,2"``: every
        Heading 1 (the documents, the appendix) and every form heading, as hyperlinks with a PAGEREF
        field to the heading's bookmark.  The PAGEREF results are the pages ``typeset.paginate`` finds
        for the finished body; Word's update (F9) recomputes them.  Chapter rows are plain text in the
        result: an update, which lists headings only, leaves them out."""
        if self._toc_at is None:
            return
        body = self.doc.element.body
        entries = []
        seen_toc = False
        for p in body.iterchildren(_qn("w:p")):
            if p is self._toc_at:
                seen_toc = True
                continue
            style = p.style if seen_toc else None
            if style not in ("Heading1", "FormHeading"):
                continue
            marks = p.findall(_qn("w:bookmarkStart"))
            if marks:
                name = marks[0].get(_qn("w:name"))
            else:
                name = f"_Toc{len(entries) + 1:04d}"
                self.bookmark(_ParagraphRef(p), name)
            text = "".join(t.text or "" for t in p.iter(_qn("w:t")))
            entries.append((1 if style == "Heading1" else 2, text, name, p))
        results: dict[str, object] = {}
        paragraphs = []
        for level, text, name, heading in entries:
            chapter = self._chapter_of(heading)
            if chapter:
                cp = _el("w:p")
                cp.append(_parse_w('<w:pPr><w:pStyle w:val="TOC1"/><w:keepNext/></w:pPr>'))
                cp.append(_run_el(chapter, bold=True))
                paragraphs.append(cp)
            p = _el("w:p")
            p.append(_parse_w(f'<w:pPr><w:pStyle w:val="TOC{level}"/></w:pPr>'))
            h = _el("w:hyperlink", w__anchor=name, w__history="1")
            h.append(_run_el(text))
            h.append(_parse_w("<w:r><w:tab/></w:r>"))
            result = _field_runs(h, f"PAGEREF {name} \\h", "00")
            results[name] = result
            p.append(h)
            paragraphs.append(p)
        if not paragraphs:
            paragraphs.append(_el("w:p"))
        first, last = paragraphs[0], paragraphs[-1]
        ppr = first.find(_qn("w:pPr"))
        head = [_parse_w('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'),
                _parse_w('<w:r><w:instrText xml:space="preserve"> TOC \\o "1-1" \\h \\z \\u \\t "Form Heading,2" '
                         '</w:instrText></w:r>'),
                _parse_w('<w:r><w:fldChar w:fldCharType="separate"/></w:r>')]
        at = 0 if ppr is None else 1
        for k, r in enumerate(head):
            first.insert(at + k, r)
        last.append(_parse_w('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
        for p in paragraphs:
            self._toc_at.addprevious(p)
        body.remove(self._toc_at)
        self._toc_at = None
        pages = paginate(body)
        for name, t in results.items():
            t.text = str(pages.get(name, ""))

    def _chapter_of(self, heading) -> str:
        for mark in heading.findall(_qn("w:bookmarkStart")):
            for target in self.manual.documents:
                if pm.bookmark_name(target) == mark.get(_qn("w:name")):
                    return self._toc_chapters.get(pm.anchor(target), "")
        return ""

    def document_part(self, doc: Document):
        lab = self.lab
        draft = pm.is_draft(doc)
        self.start_section(header_left=pm.header_text(self.manual), header_right=f"{doc.code} {doc.title}",
                           footer=pm.footer_text(doc, self.lang), draft=draft)
        h = self.styled("Heading1")
        self.run(h, f"{doc.code}　{doc.title}")
        self.bookmark(h, pm.bookmark_name(doc))
        self.meta_table(pm.meta_rows(self.manual, doc, self.lang))
        if draft:
            self.para(lab["draft_banner"], align=_center(), color=RED, bold=True)
        self._body_doc = doc
        try:
            self.blocks(doc.blocks, depth=0)
        finally:
            self._body_doc = None
        if doc.orgchart:
            self.orgchart()
        if doc.staffing:
            self.staffing()
        if doc.workflow:
            self.workflow(doc)
        if doc.jobs:
            self.jobs(doc)
        forms = pm.doc_forms(self.manual, doc)
        # The last clause, the forms it names, the revision history and the sign-off stand together: each
        # keeps with the next, the tables' rows too, so neither table is split nor left alone on a page.
        self._keep_previous()
        if forms:
            self.heading(lab["forms"], 2)
            for f in forms:
                p = self.para(indent_mm=2, hanging_mm=4, keep_next=True)
                self.run(p, "· ")
                self.text(p, f"{f.code} 《{f.title}》")
        self.heading(lab["revisions"], 2)
        self.revision_table(pm.revision_rows(doc, self.lang))
        self._keep_previous()
        rows = pm.signoff_rows(doc, self.lang)
        note = pm.has_sample_names(self.manual, rows)
        self.heading(lab["signoff_heading"], 2)  # Heading 2 keeps with the next: the table under it
        self.signoff_table(rows)
        if note:
            self._keep_previous()
            self.para(lab["sample_note"], size=8.5, color="6B7280")

    def styled(self, style_id: str):
        """A new paragraph in a built-in style, by style id (Heading1, Title …)."""
        p = self._paragraph()
        p._p.style = style_id
        return p

    def heading(self, text: str, level: int):
        p = self.styled(f"Heading{min(max(level, 1), 3)}")
        self.text(p, text)
        return p

    def _keep_previous(self) -> None:
        """Keep the last paragraph of the body so far with what comes next; if it follows a table (the
        thin paragraph after one), the table's last row as well."""
        prev = self._end.getprevious()
        while prev is not None and prev.tag != _qn("w:p"):
            prev = prev.getprevious()
        if prev is None or prev.find(_qn("w:pPr") + "/" + _qn("w:sectPr")) is not None:
            return
        prev.get_or_add_pPr().get_or_add_keepNext()
        table = prev.getprevious()
        if table is not None and table.tag == _qn("w:tbl"):
            rows = table.findall(_qn("w:tr"))
            if rows:
                for p in rows[-1].iter(_qn("w:p")):
                    p.get_or_add_pPr().get_or_add_keepNext()

    def blocks(self, blocks: list[Block], depth: int, ordered: int = 0):
        """Body blocks; ``depth`` lists deep, ``ordered`` of them numbered lists."""
        for block in blocks:
            if block.kind == "heading":
                p = self.styled(f"Heading{min(max(block.level, 2), 3)}")
                self.inline(p, block.spans, codes=True)
            elif block.kind == "paragraph" and block.code is not None:
                self.run(self.para(indent_mm=7 * depth), block.code.rstrip("\n"), mono=True)
            elif block.kind == "paragraph":
                alone = lone_image(block.spans)
                if alone is not None and self.figure(alone, depth):
                    continue
                p = self.para(indent_mm=7 * depth)
                self.inline(p, block.spans, codes=True)
            elif block.kind == "list":
                self.list_block(block, depth, ordered)
            elif block.kind == "table":
                self.table(block.header_spans or None, block.row_spans, codes=True)
            elif block.kind == "rule":
                _bottom_border(self.para(indent_mm=7 * depth))

    def list_block(self, block: Block, depth: int, ordered: int):
        """A list as Word numbering (``numbering.py``): its level is the number of numbered lists it stands
        in (bullets: its depth), its items indented 7 mm a level, the number in the hanging indent."""
        level = min(ordered if block.ordered else depth, 8)
        num_id = None
        # A numbered list whose parsed numbers do not run on from its start (none does today: CommonMark
        # renumbers a list from its first number; kept for numbers a future parser takes as written) falls
        # back to typed numbers, the source's own: Word numbering would show others.
        if not block.ordered or _regular(block):
            if self._numbering is None:
                self._numbering = Numbering(self.doc)
            num_id = self._numbering.list_id(block.ordered, level, block.start)
        for item in block.items:
            p = self.para(indent_mm=7 * depth, hanging_mm=7)
            if num_id is not None:
                number_paragraph(p, num_id, level)
            else:
                self.run(p, f"{item.number.rsplit('.', 1)[-1]}.\t")
            self.inline(p, item.spans, codes=True)
            self.blocks(item.children, depth + 1, ordered + (1 if block.ordered else 0))

    def signoff_table(self, rows: list[dict]):
        lab = self.lab
        return self.table([lab["signoff"], lab["name"], lab["role"], lab["date"]],
                   [[r["label"], r["name"], r["role"], r["date"]] for r in rows],
                   widths_mm=[20, 50, 62, 40], header_col=True, together=True)

    def revision_table(self, rows: list[dict]):
        lab = self.lab
        if any(r.get("change") for r in rows):  # a 更改申请单 column only when a revision names a request
            self.table([lab["version"], lab["date"], lab["summary"], lab["by"], lab["change_request"]],
                       [[r["version"], r["date"], r["summary"], r["by"], r["change"]] for r in rows],
                       widths_mm=[14, 24, 82, 24, 28], together=True)
            return
        self.table([lab["version"], lab["date"], lab["summary"], lab["by"]],
                   [[r["version"], r["date"], r["summary"], r["by"]] for r in rows],
                   widths_mm=[16, 26, 104, 26], together=True)

    def orgchart(self):
        lab = self.lab
        self.heading(lab["orgchart"], 2)
        words = labels(self.lang)["print_text"]
        for node in org_outline(self.manual):
            p = self.para(indent_mm=8 * node.depth, space_after=1)
            prefix = "└ " if node.depth else ""
            self.run(p, prefix + node.role, bold=node.depth == 0 or not node.external)
            if node.external:
                self.run(p, f"（{words['outside']}）", color="6B7280")
            else:
                self.run(p, "　" + words["headcount_outline"].format(n=node.headcount), color="4B5563")

    def staffing(self):
        lab = self.lab
        data = pm.staffing(self.manual, self.lang)
        self.heading(lab["staffing"], 2)
        rows = [[r["post"], r["reports_to"], str(r["headcount"])] for r in data["rows"]]
        bold = {len(rows)}
        rows.append([lab["total"], "", str(data["total"])])
        if data["authorized"] is not None:
            bold.add(len(rows))
            rows.append([lab["authorized"], "", str(data["authorized"])])
        self.table([lab["post"], lab["reports_to"], lab["headcount"]], rows, widths_mm=[60, 82, 30],
                   bold_rows=bold)

    def workflow(self, doc: Document):
        lab = self.lab
        self.heading(lab["workflow"], 2)
        rows = []
        for s in pm.workflow_steps(self.manual, doc):
            forms = "、".join(f"《{f['title']}》" for f in s["forms"])
            title = s["title"] + (f"\n{s['description']}" if s["description"] else "")
            rows.append([str(s["number"]), title, s["role"], forms])
        self.table([lab["step_no"], lab["step_title"], lab["responsible"], lab["forms"]], rows,
                   widths_mm=[14, 78, 38, 42])

    def jobs(self, doc: Document):
        lab = self.lab
        for job in pm.jobs(self.manual, doc):
            self.heading(job["title"], 3)
            rows = [[lab["covers"], "、".join(job["covers"])]]
            if job["reports_to"]:
                rows.append([lab["reports_to"], job["reports_to"]])
            if job["note"]:
                rows.append([lab["description"], job["note"]])
            self.table(None, rows, widths_mm=[36, 136], header_col=True)
            self.table([lab["no"], lab["duties"]], [[str(i), d] for i, d in enumerate(job["duties"], 1)],
                       widths_mm=[14, 158])

    def forms_appendix(self, forms: list[Form]):
        """The appendix: a page listing the forms, then each form on a page of its own (a register turned
        to landscape), under a running header and footer of its own: the form's code and title, its code
        and version."""
        from ..forms.spec import PAPER, footer_text, paper, register_table

        lab = self.lab
        self.start_section(header_left=pm.header_text(self.manual), header_right=lab["appendix_forms"],
                           footer=lab["appendix_forms"])
        h = self.styled("Heading1")
        self.run(h, lab["appendix_forms"])
        self.table([lab["code"], lab["title"], lab["version"]], [[f.code, f.title, f.version] for f in forms],
                   widths_mm=[36, 106, 30])
        for form in forms:
            size = paper(form)
            landscape = size.endswith("landscape")
            self.start_section(header_left=pm.header_text(self.manual), header_right=f"{form.code} {form.title}",
                               footer=footer_text(form, self.lang), landscape=landscape, form=True)
            p = self.styled("FormHeading")
            self.run(p, f"{form.code}　{form.title}")
            self.bookmark(p, pm.bookmark_name(form))
            width = (PAGE_H if landscape else PAGE_W) - 2 * FORM_MARGIN_SIDE
            appendix_forms.write_form(self, form, min(width, PAPER[size][1]) if size in PAPER else width)
            appendix_forms.fit_page(p._p, self._end, grow=register_table(form) is not None)

    def changes(self, edition: dict):
        lab = self.lab
        self.start_section(header_left=pm.header_text(self.manual), header_right=lab["changes"],
                           footer=lab["changes"])
        h = self.styled("Heading1")
        self.run(h, lab["changes"])
        rows = pm.change_rows(edition, self.lang)
        line = [f"{lab['edition']}{lab['colon']}{edition.get('edition', '')}"]
        if edition.get("released"):
            line.append(f"{lab['released']}{lab['colon']}{pm.date_text(edition.get('released'))}")
        if edition.get("previous"):
            line.append(f"{lab['previous']}{lab['colon']}{edition.get('previous')}")
        self.para(labels(self.lang)["print_text"]["list_sep"].join(line))
        if not rows:
            self.para(lab["no_changes"])
            return
        if any(r["requests"] for r in rows):  # the change requests, a column only when a change names one
            self.table([lab["status"], lab["code"], lab["title"], lab["old_version"], lab["new_version"],
                        lab["change_request"]],
                       [[r["kind_label"], r["code"], r["title"], r["old_version"], r["new_version"], r["requests"]]
                        for r in rows], widths_mm=[14, 24, 44, 18, 18, 54])
        else:
            self.table([lab["status"], lab["code"], lab["title"], lab["old_version"], lab["new_version"]],
                       [[r["kind_label"], r["code"], r["title"], r["old_version"], r["new_version"]] for r in rows],
                       widths_mm=[18, 28, 82, 22, 22])
        for r in rows:
            if not r["redline"]:
                continue
            self.heading(f"{r['kind_label']}{lab['colon']}{r['code']} {r['title']}", 2)
            for line in r["redline"]:
                if line.get("op") == "equal":
                    continue
                p = self.para(size=9)
                for op, text in line.get("parts") or []:
                    if op == "insert":
                        self.run(p, text, size=9, underline=True, color="166534")
                    elif op == "delete":
                        self.run(p, text, size=9, strike=True, color="991B1B")
                    else:
                        self.run(p, text, size=9)


# -- XML odds and ends ----------------------------------------------------------------------------
def _run_el(text: str, *, bold=False, italic=False, mono=False, color=None, size=None, underline=False,
            strike=False):
    """A w:r element; tabs and line breaks become w:tab and w:br."""
    r = _el("w:r")
    if bold or italic or mono or color or size or underline or strike:
        rpr = _el("w:rPr")
        if mono:
            rpr.append(_el("w:rFonts", w__ascii=MONO, w__hAnsi=MONO))
        if bold:
            rpr.append(_el("w:b"))
        if italic:
            rpr.append(_el("w:i"))
        if strike:
            rpr.append(_el("w:strike"))
        if color:
            rpr.append(_el("w:color", w__val=color))
        if size:
            rpr.append(_el("w:sz", w__val=str(int(round(size * 2)))))
            rpr.append(_el("w:szCs", w__val=str(int(round(size * 2)))))
        if underline:
            rpr.append(_el("w:u", w__val="single"))
        r.append(rpr)
    for i, line in enumerate(str(text).split("\n")):
        if i:
            r.append(_el("w:br"))
        for k, piece in enumerate(line.split("\t")):
            if k:
                r.append(_el("w:tab"))
            if piece:
                t = _el("w:t")
                t.text = piece
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(t)
    return r



def _twips_mm(mm: float) -> int:
    from docx.shared import Mm

    return int(Mm(mm).twips)


def _center():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return WD_ALIGN_PARAGRAPH.CENTER





def _clear(paragraph) -> None:
    for child in list(paragraph._p):
        if child.tag != _qn("w:pPr"):
            paragraph._p.remove(child)


def _bottom_border(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    bdr = _el("w:pBdr")
    bdr.append(_el("w:bottom", w__val="single", w__sz="4", w__space="2", w__color="9CA3AF"))
    ppr.append(bdr)


class _ParagraphRef:
    """What ``Writer.bookmark`` needs of a paragraph: its element."""

    def __init__(self, p):
        self._p = p


def _field_runs(parent, instruction: str, result: str):
    """A complex field's runs appended to ``parent``; returns the w:t of its result."""
    parent.append(_parse_w('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'))
    instr = _el("w:r")
    it = _el("w:instrText")
    it.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    it.text = f" {instruction} "
    instr.append(it)
    parent.append(instr)
    parent.append(_parse_w('<w:r><w:fldChar w:fldCharType="separate"/></w:r>'))
    r = _run_el(result)
    parent.append(r)
    parent.append(_parse_w('<w:r><w:fldChar w:fldCharType="end"/></w:r>'))
    return r.find(_qn("w:t"))


def _regular(block: Block) -> bool:
    """Whether a numbered list's parsed numbers run on from its start (1, 2, 3 or a, b, c …) and Word's
    numbering, restarted at that start, shows the same ones."""
    if block.start < 1:
        return False
    for i, item in enumerate(block.items):
        label = item.number.rsplit(".", 1)[-1]
        n = block.start + i
        if label != str(n) and label != shown_label("lowerLetter", n):
            return False
    return True


def plain_spans(text: str) -> list[Span]:
    """Plain text (from YAML: a duty, a workflow step) as spans: its line breaks soft, like a body's."""
    out: list[Span] = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append(Span("softbreak"))
        if line:
            out.append(Span("text", line))
    return out


def _first_char(span: Span) -> str:
    """The first character a span prints ("" for formatting that opens: strong, em, link)."""
    if span.kind in ("text", "code"):
        return span.text[:1]
    if span.kind == "image":
        return plain_text(span.children)[:1]
    return ""


def _is_wide(ch: str) -> bool:
    import unicodedata

    return bool(ch) and unicodedata.east_asian_width(ch) in ("W", "F")


# -- whole files -----------------------------------------------------------------------------------
def manual_docx(manual: Manual, *, lang: str = "zh-CN", edition: dict | None = None) -> bytes:
    """The whole manual as DOCX bytes."""
    document = new_document(manual, manual.title, lang)
    w = Writer(manual, document, lang, allowed=None)
    w.cover(edition)
    forms = pm.print_forms(manual)
    w.toc(pm.toc_entries(manual, lang))
    for doc in pm.print_documents(manual):
        w.document_part(doc)
    if forms:
        w.forms_appendix(forms)
    if edition is not None:
        w.changes(edition)
    w.finish_toc()
    return to_bytes(document, manual)


def document_docx(manual: Manual, doc: Document, *, lang: str = "zh-CN") -> bytes:
    """One document (with the forms it uses) as DOCX bytes: a pure function of (manual, doc, lang)."""
    document = new_document(manual, f"{doc.code} {doc.title}", lang)
    forms = pm.doc_forms(manual, doc)
    allowed = {pm.anchor(doc)} | {pm.anchor(f) for f in forms}
    w = Writer(manual, document, lang, allowed=allowed)
    w.document_part(doc)
    if forms:
        w.forms_appendix(forms)
    return to_bytes(document, manual)


# -- cache keys and worker processes ------------------------------------------------------------------
# Fields of the model that are not content: where things stand in the source, the raw mappings, and
# the parts the keys take from elsewhere (documents and forms by their files' hashes, the chapters).
_NOT_CONTENT = frozenset({"meta", "config", "org", "positions", "config_positions", "org_positions", "loc", "root",
                          "documents", "forms", "chapters", "released", "editions", "unreadable"})


def _content(value):
    """The model's content as plain data, for cache keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _content(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in _NOT_CONTENT}
    if isinstance(value, dict):
        return {str(k): _content(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_content(v) for v in value]
    return value


def _manual_inputs(manual: Manual) -> str:
    """What every file draws on besides its own document: the manual's settings and roles (without
    the chapter list, which only the whole manual's TOC prints), and the index that citations
    resolve against (every document's code and title, every form's id, code, title and aliases)."""
    from ..render import cache as cache_mod

    index = [[d.code, d.title] for d in manual.documents]
    forms = [[f.id, f.code, f.title, f.aliases] for f in manual.forms.values()]
    return cache_mod.digest(_content(manual), index, forms)


# The generator's code a DOCX is made by (the model, the rules' helpers, the print model, this module).
CODE = ("*.py", "common/**/*", "read/**/*", "model/**/*", "labels/**/*", "publishers/*.py", "publishers/render/**/*",
        "publishers/docx/**/*")


def _engine_key(lang: str) -> str:
    from ..render import cache as cache_mod

    # the fonts too: the forms' and the metadata block's columns are fitted to glyph widths read from them (fit.py)
    return cache_mod.digest("docx", cache_mod.versions("python-docx", "lxml"), cache_mod.code_digest(*CODE),
                            cache_mod.font_digest(), lang)


def document_key(manual: Manual, doc: Document, lang: str = "zh-CN", *, base: str | None = None) -> str:
    """The cache key of ``dist/documents/<code>.docx``: the document's source data, the forms it
    prints, what it draws from the whole manual, python-docx's version and the generator's code."""
    from ..render import cache as cache_mod

    base = base or cache_mod.digest(_engine_key(lang), _manual_inputs(manual))
    forms = [[f.id, f.source_sha256] for f in pm.doc_forms(manual, doc)]
    return cache_mod.digest(base, cache_mod.renderer_id(document_docx), doc.path, doc.source_sha256, forms,
                            _pictures(doc))


def _pictures(doc: Document) -> list:
    """What a document's pictures put in its file: each reference with its file's SHA-256."""
    return [[image.src, image.path, image.sha256, image.problem] for image in doc.images]


def manual_key(manual: Manual, lang: str = "zh-CN") -> str:
    """The cache key of ``dist/manual.docx``: everything in the manual."""
    from ..render import cache as cache_mod

    return cache_mod.digest(_engine_key(lang), cache_mod.renderer_id(manual_docx), _content(manual),
                            _content(manual.chapters),
                            [[d.path, d.source_sha256, _pictures(d)] for d in manual.documents],
                            [[f.id, f.source_sha256] for f in manual.forms.values()])


def _render_file(code: str | None) -> bytes:
    """The DOCX of one document (None: the whole manual), in a worker of ``render_files``."""
    manual, lang = worker_context()
    return manual_docx(manual, lang=lang) if code is None else document_docx(manual, manual.document(code), lang=lang)


def _render_file_and_release(code: str | None) -> bytes:
    data = _render_file(code)
    release_memory()  # the whole manual's XML tree is hundreds of MB: give it back before the next file
    return data


def render_files(manual: Manual, codes: list[str | None], lang: str, jobs: int | None):
    """DOCX bytes for each code (None: the whole manual): yields ``(position in codes, bytes)`` as
    each file is made, in ``jobs`` worker processes.  Nothing waits in memory for a slower file
    before it (the whole manual, first, takes longest)."""
    task = _render_file_and_release if jobs and jobs > 1 else _render_file
    yield from in_workers(task, codes, jobs=jobs, context=(manual, lang))


def build(manual: Manual, *, out: Path, quiet: bool = False, jobs: int | None = None, cache: bool = True,
          lang: str = "zh-CN") -> list[Path]:
    """Write dist/manual.docx and dist/documents/<code>.docx; returns the paths written.

    A file whose key (``manual_key``, ``document_key``) is in ``<root>/.cache/docx/`` is taken from
    there; the others are rendered (the whole manual first), in ``jobs`` worker processes.
    Everything is rendered in memory first, then written atomically: an error leaves earlier files
    intact.  A file that already holds the same bytes is not rewritten.
    """
    from ..render import cache as cache_mod
    from ...common.progress import task

    out = Path(out)
    store = cache_mod.BuildCache(manual.root, "docx", enabled=cache)
    docs = pm.print_documents(manual)
    targets = [pm.manual_output(out, EXT)] + [pm.document_output(out, d, EXT) for d in docs]
    codes: list[str | None] = [None] + [d.code for d in docs]
    if cache:
        base = cache_mod.digest(_engine_key(lang), _manual_inputs(manual))
        keys = [manual_key(manual, lang)] + [document_key(manual, d, lang, base=base) for d in docs]
    else:
        keys = [""] * len(codes)
    def render_missing(missing: list[int]):
        with task("DOCX", total=len(missing), quiet=quiet) as done:
            for j, blob in render_files(manual, [codes[i] for i in missing], lang, jobs):
                done.advance(targets[missing[j]].name)
                yield missing[j], blob

    return pm.write_outputs(store, out, targets, keys, render_missing, ext=EXT, quiet=quiet, lang=lang)


def render_edition(manual: Manual, path: Path, *, edition: dict, lang: str = "zh-CN") -> Path:
    """The edition DOCX of ``manual release``: the whole manual plus the change record."""
    return atomic_write_bytes(Path(path), manual_docx(manual, lang=lang, edition=edition))


__all__ = ["build", "render_edition", "manual_docx", "document_docx"]
