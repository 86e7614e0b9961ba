"""The print edition as DOCX (python-docx), for departments that edit in Word.

``manual build docx`` writes ``dist/manual.docx`` (cover, TOC field, every
document, the forms appendix) and ``dist/documents/<code>.docx`` (one
document with the forms it uses).  The content is the same as the PDF's: both
take it from ``printmodel``.

What makes it a proper Word document:

* Word's built-in styles: Title, Heading 1 (one per document, so the
  navigation pane lists the documents), Heading 2/3 (sections of a body),
  Table Grid;
* a TOC field (``TOC \\o "1-3" \\h \\z \\u``), marked dirty so that Word fills
  in the page numbers when the file is opened;
* one section per document: its header names company · manual (and 草稿
  DRAFT while the document is not in force), its footer the document's
  code, version and ``第 PAGE 页 / 共 NUMPAGES 页`` as fields;
* real tables for the meta data, staffing, job duties, workflow steps,
  revision history and the 编制/审核/批准 sign-off;
* East Asian fonts on every style: the template's theme-font attributes
  (which override ``w:eastAsia``) are removed from all styles and from the
  document defaults, Noto Serif CJK SC / Noto Sans CJK SC are set
  explicitly, and the East Asian language is zh-CN;
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
from ..render.body import plain_text
from .xml import THEME_ATTRS, el as _el, parse_w as _parse_w, qn as _qn, set_lang as _set_lang, set_rfonts as _set_rfonts
from .fast import remember_partnames
from ...model.citations import split_citations
from ...model import Block, Document, Form, Manual
from ...common.outputs import ZIP_EPOCH, atomic_write_bytes, normalize_zip
from ...labels import labels
from ...model.org import org_outline
from ..render import view as pm
from ..render.pool import in_workers, worker_context
from ...common.engines import release_memory

EXT = "docx"

SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
SANS_STYLES = {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "TOC Heading",
               "Header", "Footer", "Caption"}
INK = "1F2937"
LINK = "1E4F91"
RED = "B91C1C"
HEAD_FILL = "EEF2F7"

# A4 and the PDF's margins, in millimetres.
PAGE_W, PAGE_H = 210, 297
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 24, 22, 20, 18


def _docx():
    import docx  # noqa: F401  (imported lazily: 0.2 s)

    return docx


# -- document set-up -------------------------------------------------------------------------------
def _setup_styles(document) -> None:
    """East Asian fonts on every style, no theme fonts, zh-CN, sober heading colours."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    styles_el = document.styles.element
    # Document defaults: explicit fonts, East Asian language zh-CN.
    rpr_default = styles_el.find(_qn("w:docDefaults")).find(_qn("w:rPrDefault")).find(_qn("w:rPr"))
    _set_rfonts(rpr_default, SERIF)
    _set_lang(rpr_default)
    # Every style of the template: strip theme fonts; set ours on the styles that carry fonts.
    for style_el in styles_el.findall(_qn("w:style")):
        name_el = style_el.find(_qn("w:name"))
        rpr = style_el.find(_qn("w:rPr"))
        if rpr is not None and rpr.find(_qn("w:rFonts")) is not None:
            name = (name_el.get(_qn("w:val"), "") if name_el is not None else "").lower()
            sans = name in {s.lower() for s in SANS_STYLES} or name.startswith("heading")
            _set_rfonts(rpr, SANS if sans else SERIF)
    # Theme fonts anywhere else in styles.xml (table styles' conditional formats …): major → sans, minor → serif.
    for rfonts in styles_el.iter(_qn("w:rFonts")):
        theme = rfonts.get(_qn("w:asciiTheme")) or rfonts.get(_qn("w:eastAsiaTheme")) or ""
        if any(_qn(a) in rfonts.attrib for a in THEME_ATTRS):
            for attr in THEME_ATTRS:
                rfonts.attrib.pop(_qn(attr), None)
            font = SANS if theme.startswith("major") else SERIF
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                rfonts.set(_qn(attr), font)
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Header", "Footer",
                 "Table Grid", "List Paragraph", "Caption", "TOC Heading"):
        style = document.styles[name]
        rpr = style.element.get_or_add_rPr()
        _set_rfonts(rpr, SANS if name in SANS_STYLES else SERIF)

    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.3
    for name, size, center in (("Title", 26, True), ("Heading 1", 16, True), ("Heading 2", 12.5, False),
                               ("Heading 3", 11, False)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(INK)
        if center:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.styles["Heading 1"].paragraph_format.space_before = Pt(0)
    document.styles["Heading 1"].paragraph_format.space_after = Pt(8)
    document.styles["Heading 2"].paragraph_format.space_before = Pt(10)
    document.styles["Heading 2"].paragraph_format.space_after = Pt(4)
    document.styles["Heading 3"].paragraph_format.space_before = Pt(8)
    document.styles["Heading 3"].paragraph_format.space_after = Pt(3)
    title_ppr = document.styles["Title"].element.get_or_add_pPr()
    border = title_ppr.find(_qn("w:pBdr"))
    if border is not None:
        title_ppr.remove(border)
    width = Mm(PAGE_W - MARGIN_LEFT - MARGIN_RIGHT)
    for name in ("Header", "Footer"):
        ppr = document.styles[name].element.get_or_add_pPr()
        for tabs in ppr.findall(_qn("w:tabs")):
            ppr.remove(tabs)
        tabs = _el("w:tabs")
        tabs.append(_el("w:tab", w__val="center", w__pos=str(int(width.twips / 2))))
        tabs.append(_el("w:tab", w__val="right", w__pos=str(int(width.twips))))
        ppr.insert(0, tabs)
        document.styles[name].font.size = Pt(8.5)
        document.styles[name].font.color.rgb = RGBColor.from_string("4B5563")


def _setup_settings(document) -> None:
    settings = document.settings.element
    lang = settings.find(_qn("w:themeFontLang"))
    if lang is not None:
        lang.set(_qn("w:eastAsia"), "zh-CN")
    # Ask Word to fill in the TOC's page numbers when the file is opened.
    if settings.find(_qn("w:updateFields")) is None:
        update = _el("w:updateFields", w__val="true")
        zoom = settings.find(_qn("w:zoom"))
        if zoom is not None:
            zoom.addnext(update)
        else:
            settings.insert(0, update)


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


def _setup_section(section) -> None:
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP), Mm(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT), Mm(MARGIN_RIGHT)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)


def new_document(manual: Manual, title: str, lang: str):
    docx = _docx()
    document = docx.Document()
    _setup_styles(document)
    _setup_settings(document)
    _drop_thumbnail(document)
    _setup_core(document, manual, title, lang)
    _setup_section(document.sections[0])
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
        self.allowed = allowed  # anchors present in this file (None: all)
        self._bookmark_id = 0
        self._first_section_used = False
        # The body's final w:sectPr: every block goes just before it.  python-docx's add_paragraph
        # and add_section search the body for it each time, which is quadratic in a whole manual.
        self._end = document.element.body.get_or_add_sectPr()
        remember_partnames(document)

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
            if target is not None:
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
                self.run(paragraph, plain_text(span.children), size=size)
            else:  # strong, em, link (an external URL is not printed; a citation in its text is linked)
                self._spans(paragraph, span.children, size, bold or kind == "strong", italic or kind == "em", last,
                            codes)

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
        if keep_next:
            fmt.keep_with_next = True
        return p

    # ---- tables
    def table(self, header: list[str] | None, rows: list[list], *, widths_mm: list[float] | None = None,
              size: float = 9.5, header_col: bool = False, head_cols=(), bold_rows: set[int] = frozenset(),
              codes: bool = False):
        """A Table Grid table of text cells (inline Markdown, citations linked; with ``codes``, a table of a
        document's body, bare codes too)."""
        from docx.shared import Mm
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        ncols = len(header) if header else max((len(r) for r in rows), default=1)
        head_cols = set(head_cols) | ({0} if header_col else set())
        total = PAGE_W - MARGIN_LEFT - MARGIN_RIGHT
        widths = [Mm(w) for w in (widths_mm or [total / ncols] * ncols)]
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

        def add_row(values, *, head_row=False, bold_row=False):
            # The row's frame parsed from markup in one go (xml.parse_w); its paragraphs are filled below.
            markup = ['<w:tr><w:trPr><w:cantSplit w:val="true"/>'
                      + ('<w:tblHeader w:val="true"/>' if head_row else "") + "</w:trPr>"]
            for j in range(ncols):
                shade = (f'<w:shd w:val="clear" w:color="auto" w:fill="{HEAD_FILL}"/>'
                         if head_row or j in head_cols else "")
                markup.append(f'<w:tc><w:tcPr><w:tcW w:w="{int(widths[min(j, len(widths) - 1)].twips)}" '
                              f'w:type="dxa"/>{shade}</w:tcPr><w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>'
                              "</w:tc>")
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
            add_row(row, bold_row=i in bold_rows)
        after = self._paragraph()
        after._p.get_or_add_pPr().append(_el("w:spacing", w__after="40"))
        return table

    # ---- sections, header and footer
    def start_section(self, *, header_left: str, header_right: str, footer: str | None, draft: bool = False):
        """A new section on a new page (the first call reuses the document's first section)."""
        from docx.enum.section import WD_SECTION

        if self._first_section_used:
            section = self._add_section(WD_SECTION.NEW_PAGE)
        else:
            section = self.doc.sections[0]
            self._first_section_used = True
        _setup_section(section)
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

    def toc(self, entries: list[dict], forms: list[Form]):
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        lab = self.lab
        self.start_section(header_left=pm.header_text(self.manual), header_right=lab["contents"],
                           footer=lab["contents"])
        heading = self.styled("TOCHeading")
        self.run(heading, lab["contents"])
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = self._paragraph()
        # The field result lists the entries (without page numbers) until Word updates the field.
        placeholder = self.lab["toc_hint"]
        self.field(p, 'TOC \\o "1-3" \\h \\z \\u', placeholder, dirty=True)
        for e in entries:
            if e["kind"] == "chapter":
                self.para(e["title"], bold=True)
            else:
                self.para(f"{e['code']}　{e['title']}", indent_mm=0)
        if forms:
            self.para(lab["appendix_forms"], bold=True)
            for f in forms:
                self.para(f"{f.code}　{f.title}", indent_mm=6)

    def document_part(self, doc: Document):
        lab = self.lab
        draft = pm.is_draft(doc)
        self.start_section(header_left=pm.header_text(self.manual), header_right=f"{doc.code} {doc.title}",
                           footer=pm.footer_text(doc, self.lang), draft=draft)
        h = self.styled("Heading1")
        self.run(h, f"{doc.code}　{doc.title}")
        self.bookmark(h, pm.bookmark_name(doc))
        meta = pm.meta_rows(self.manual, doc, self.lang)
        rows = []
        for i in range(0, len(meta), 3):
            chunk = meta[i:i + 3] + [("", "")] * (3 - len(meta[i:i + 3]))
            rows.append([x for pair in chunk for x in pair])
        self.table(None, rows, widths_mm=[18, 39, 18, 39, 18, 40], size=9, head_cols=(0, 2, 4))
        if draft:
            self.para(lab["draft_banner"], align=_center(), color=RED, bold=True)
        self.blocks(doc.blocks, depth=0)
        if doc.orgchart:
            self.orgchart()
        if doc.staffing:
            self.staffing()
        if doc.workflow:
            self.workflow(doc)
        if doc.jobs:
            self.jobs(doc)
        forms = pm.doc_forms(self.manual, doc)
        if forms:
            self.heading(lab["forms"], 2)
            for f in forms:
                p = self.para(indent_mm=2, hanging_mm=4)
                self.run(p, "· ")
                self.text(p, f"{f.code} 《{f.title}》")
        self.heading(lab["revisions"], 2)
        self.revision_table(pm.revision_rows(doc, self.lang))
        rows = pm.signoff_rows(doc, self.lang)
        self.signoff_table(rows)
        if pm.has_sample_names(self.manual, rows):
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

    def blocks(self, blocks: list[Block], depth: int):
        for block in blocks:
            if block.kind == "heading":
                p = self.styled(f"Heading{min(max(block.level, 2), 3)}")
                self.inline(p, block.spans, codes=True)
            elif block.kind == "paragraph" and block.code is not None:
                self.run(self.para(indent_mm=7 * depth), block.code.rstrip("\n"), mono=True)
            elif block.kind == "paragraph":
                p = self.para(indent_mm=7 * depth)
                self.inline(p, block.spans, codes=True)
            elif block.kind == "list":
                for item in block.items:
                    label = item.number.split(".")[-1] if block.ordered else "•"
                    marker = f"{label}." if block.ordered else label
                    p = self.para(indent_mm=7 * depth, hanging_mm=7)
                    self.run(p, f"{marker}\t")
                    self.inline(p, item.spans, codes=True)
                    self.blocks(item.children, depth + 1)
            elif block.kind == "table":
                self.table(block.header_spans or None, block.row_spans, codes=True)
            elif block.kind == "rule":
                _bottom_border(self.para(indent_mm=7 * depth))

    def signoff_table(self, rows: list[dict]):
        lab = self.lab
        return self.table([lab["signoff"], lab["name"], lab["role"], lab["date"]],
                   [[r["label"], r["name"], r["role"], r["date"]] for r in rows],
                   widths_mm=[20, 50, 62, 40], header_col=True)

    def revision_table(self, rows: list[dict]):
        lab = self.lab
        self.table([lab["version"], lab["date"], lab["summary"], lab["by"]],
                   [[r["version"], r["date"], r["summary"], r["by"]] for r in rows],
                   widths_mm=[16, 26, 104, 26])

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
        lab = self.lab
        self.start_section(header_left=pm.header_text(self.manual), header_right=lab["appendix_forms"],
                           footer=lab["appendix_forms"])
        h = self.styled("Heading1")
        self.run(h, lab["appendix_forms"])
        for i, form in enumerate(forms):
            p = self.styled("Heading2")
            if i:
                p.paragraph_format.page_break_before = True
            self.run(p, f"{form.code}　{form.title}")
            self.bookmark(p, pm.bookmark_name(form))
            self.form_table(form)

    def form_table(self, form: Form):
        from docx.shared import Mm

        lab = self.lab
        instructions = form.instructions
        if instructions:
            self.para(f"{lab['instructions']}{lab['colon']}{instructions}", size=9.5)
        for section in form.sections:
            if section.title:
                p = self.para(section.title, bold=True, keep_next=True)
                p.paragraph_format.space_after = Mm(1)
            rows = []
            grids = []
            for fld in section.fields:
                ftype = fld.type
                label = (fld.label or fld.id) + (" *" if fld.required else "")
                if ftype == "table":
                    grids.append((label, pm.column_labels(fld), fld.rows or 4))
                    continue
                value = ""
                if ftype in ("choice", "multichoice"):
                    value = "　".join(f"☐ {o}" for o in fld.options)
                elif ftype == "checkbox":
                    value = "☐"
                rows.append([label, value, ftype, fld.rows or 1])
            if rows:
                t = self.table(None, [[r[0], r[1]] for r in rows], widths_mm=[40, 132], header_col=True)
                for row, r in zip(t.rows, rows):
                    if r[2] in ("multiline", "signature"):
                        row.height = Mm(7 * (min(r[3], 12) if r[2] == "multiline" else 2))
            for label, columns, nrows in grids:
                self.para(label, bold=True, keep_next=True)
                if columns:
                    t = self.table(columns, [[""] * len(columns) for _ in range(min(nrows, 60))])
                    for row in t.rows[1:]:
                        row.height = Mm(7)

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
            rpr.append(_el("w:rFonts", w__ascii="DejaVu Sans Mono", w__hAnsi="DejaVu Sans Mono"))
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
    w.toc(pm.toc_entries(manual, lang), forms)
    for doc in pm.print_documents(manual):
        w.document_part(doc)
    if forms:
        w.forms_appendix(forms)
    if edition is not None:
        w.changes(edition)
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

    return cache_mod.digest("docx", cache_mod.versions("python-docx", "lxml"), cache_mod.code_digest(*CODE), lang)


def document_key(manual: Manual, doc: Document, lang: str = "zh-CN", *, base: str | None = None) -> str:
    """The cache key of ``dist/documents/<code>.docx``: the document's source data, the forms it
    prints, what it draws from the whole manual, python-docx's version and the generator's code."""
    from ..render import cache as cache_mod

    base = base or cache_mod.digest(_engine_key(lang), _manual_inputs(manual))
    forms = [[f.id, f.source_sha256] for f in pm.doc_forms(manual, doc)]
    return cache_mod.digest(base, cache_mod.renderer_id(document_docx), doc.path, doc.source_sha256, forms)


def manual_key(manual: Manual, lang: str = "zh-CN") -> str:
    """The cache key of ``dist/manual.docx``: everything in the manual."""
    from ..render import cache as cache_mod

    return cache_mod.digest(_engine_key(lang), cache_mod.renderer_id(manual_docx), _content(manual),
                            _content(manual.chapters), [[d.path, d.source_sha256] for d in manual.documents],
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
