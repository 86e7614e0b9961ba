"""Legacy manuals for the import tests: .docx built with python-docx (plus raw numbering XML) and .txt files.

API (plain functions and one builder; nothing here is imported by the generator)::

    from legacy_docx import LegacyDocx, Level, LISTS, png, write_text

    doc = LegacyDocx(styles="zh")          # heading styles: "en" → name "Heading N", styleId "HeadingN"
                                           #                 "zh" → name "标题 N", styleId "N" (as WPS writes)
                                           #                 "zh-word" → name "heading N", styleId "N" (Chinese Word)
    doc.header("某某有限公司")              # header text (footer(...) likewise); several calls → several paragraphs
    doc.properties(title="管理手册", company="某某有限公司")   # docProps/core.xml title, docProps/app.xml Company
    doc.numbering("clauses", LISTS["decimal"])          # a multilevel list: an abstractNum and its w:num
    doc.numbering("again", "clauses", start={0: 5})     # a second w:num of the same abstractNum, startOverride
    doc.numbering("base", LISTS["chinese"], style_link="条款")  # abstractNum with w:styleLink 条款, and
    doc.numbering_style("条款", "base")                  # the numbering style 条款 (numPr → list "base"),
    doc.linked_list("linked", "条款")                    # a list whose abstractNum is only numStyleLink 条款
    doc.heading("总则", 1)                              # paragraph in the style of heading level 1
    doc.heading("范围", 2, list="clauses", level=1)      # … with an automatic number (numPr on the paragraph)
    doc.number_style(2, "clauses", level=1)             # numPr on the heading-2 style itself (inherited)
    doc.style("章标题", based_on=1)                     # a custom style based on the heading-1 style
    doc.style("提纲", outline=2)                        # a custom style with w:outlineLvl 2 (0-based: level 3)
    doc.paragraph("正文。", style="提纲", outline=None)  # any paragraph; outline= puts w:outlineLvl on the paragraph
    doc.item("第一条内容。", "clauses", level=2)         # a list item: numPr ilvl/numId, text without the number
    doc.table([["岗位", "人数"], ["经理", "1"]], spans={(0, 0): 2}, vmerge={(1, 0): "restart", (2, 0): "continue"})
    doc.table([["职责", "负责销售\n负责服务"]], numbered={(0, 1): ("clauses", 2)})  # numbered paragraphs in a cell
    doc.image(png(), text="组织机构图")                  # a picture (inline w:drawing), with text in the paragraph
    doc.save(path)                                      # → path

``LISTS`` holds the multilevel lists the issue names: "decimal" (1 / 1.1 / 1.1.1, with isLgl on levels 1–8),
"chinese" (一、 / （一） / 1、 / （1）), "circle" (①), "letter" (a)), "upper" (A. / I.), "bullet" (•).
A ``Level`` is (numFmt, lvlText, start=1, restart=None, lgl=False); a plain (numFmt, lvlText) tuple will do.

``write_text(path, lines, encoding, bom=False, newline="\\n")`` writes a .txt in any Python codec ("utf-8",
"gbk", "gb18030", "utf-16-le", "utf-16-be", "big5", "shift_jis"); ``bom=True`` puts the codec's BOM first.
``png(width, height)`` is a valid PNG of one colour (no Pillow needed).
"""
from __future__ import annotations

import copy
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Pt


@dataclass(frozen=True)
class Level:
    fmt: str  # w:numFmt: decimal, chineseCounting, lowerLetter, bullet, …
    text: str  # w:lvlText: "%1.%2", "（%1）", "•"
    start: int = 1
    restart: int | None = None  # w:lvlRestart (1-based level whose advance restarts this one; 0 = never)
    lgl: bool = False  # w:isLgl: every number of this level's text shown as decimal


def _levels(*levels) -> tuple[Level, ...]:
    return tuple(level if isinstance(level, Level) else Level(*level) for level in levels)


LISTS = {
    "decimal": _levels(("decimal", "%1"), *(Level("decimal", ".".join(f"%{k}" for k in range(1, n + 2)), lgl=True)
                                           for n in range(1, 9))),
    "chinese": _levels(("chineseCounting", "%1、"), ("chineseCounting", "（%2）"), ("decimal", "%3、"),
                       ("decimal", "（%4）"), ("decimalEnclosedCircleChinese", "%5")),
    "circle": _levels(("decimalEnclosedCircleChinese", "%1"), ("lowerLetter", "%2)")),
    "letter": _levels(("lowerLetter", "%1)"), ("lowerRoman", "%2.")),
    "upper": _levels(("upperLetter", "%1."), ("upperRoman", "%2.")),
    "bullet": _levels(("bullet", "•"), ("bullet", "◦")),
}

HEADING_STYLES = {"en": ("Heading {n}", "Heading{n}"), "zh": ("标题 {n}", "{n}"), "zh-word": ("heading {n}", "{n}")}


def png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG image of one colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def write_text(path: Path, lines, encoding: str = "utf-8", *, bom: bool = False, newline: str = "\n") -> Path:
    """``lines`` joined with ``newline`` (plus a final one) in ``encoding``; ``bom`` puts U+FEFF first."""
    text = newline.join(lines) + newline
    data = (("\ufeff" + text) if bom else text).encode(encoding)
    path.write_bytes(data)
    return path


class LegacyDocx:
    """A .docx built paragraph by paragraph; see the module docstring."""

    def __init__(self, styles: str = "en"):
        self.doc = docx.Document()
        self.kind = styles
        self.abstracts: dict[str, int] = {}  # list name → abstractNumId
        self.nums: dict[str, int] = {}  # list name → numId
        self.numbering_xml: list[str] = []  # abstractNum elements, then num elements (schema order)
        self.num_xml: list[str] = []
        self.headers: list[str] = []
        self.footers: list[str] = []
        self.company: str | None = None
        body = self.doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)
        self._heading_styles: dict[int, object] = {}

    # ------------------------------------------------------------------ styles
    def heading_style(self, level: int):
        """The paragraph style of heading ``level`` in this document's naming."""
        if level in self._heading_styles:
            return self._heading_styles[level]
        name_pattern, id_pattern = HEADING_STYLES[self.kind]
        if self.kind == "en":
            style = self.doc.styles[f"Heading {level}"]
        else:
            style = self.doc.styles.add_style(f"x-heading-{level}", WD_STYLE_TYPE.PARAGRAPH)
            style.element.set(qn("w:styleId"), id_pattern.format(n=level))
            style.element.name_val = name_pattern.format(n=level)
            style.base_style = self.doc.styles["Normal"]
            style.font.bold = True
            style.font.size = Pt(16 - level)
        self._heading_styles[level] = style
        return style

    def style(self, name: str, *, based_on: int | str | None = None, outline: int | None = None, style_id=None):
        """A custom paragraph style: based on heading level ``based_on`` (or a style name), with w:outlineLvl."""
        style = self.doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        if style_id:
            style.element.set(qn("w:styleId"), style_id)
        if isinstance(based_on, int):
            style.base_style = self.heading_style(based_on)
        elif based_on:
            style.base_style = self.doc.styles[based_on]
        if outline is not None:
            style.element.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{outline}"/>'))
        return style

    def number_style(self, heading_level: int, list_name: str, level: int = 0) -> None:
        """Put numPr (this list, this ilvl) on the heading style itself: its paragraphs inherit the number."""
        style = self.heading_style(heading_level)
        style.element.get_or_add_pPr().append(self._numpr(list_name, level))

    # --------------------------------------------------------------- numbering
    def numbering(self, name: str, levels, *, start: dict[int, int] | None = None,
                  style_link: str | None = None) -> str:
        """A list ``name``: ``levels`` (a sequence of Level/tuples) makes a new abstractNum and its w:num;
        ``levels`` = the name of an existing list makes another w:num of that list's abstractNum.
        ``start`` = {ilvl: n} writes lvlOverride/startOverride on the w:num."""
        if isinstance(levels, str):
            abstract = self.abstracts[levels]
        else:
            abstract = len(self.abstracts) + 10
            lvls = []
            for ilvl, level in enumerate(_levels(*levels)):
                extra = "" if level.restart is None else f'<w:lvlRestart w:val="{level.restart}"/>'
                lgl = "<w:isLgl/>" if level.lgl else ""
                lvls.append(f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{level.start}"/>{extra}'
                            f'<w:numFmt w:val="{level.fmt}"/>{lgl}<w:lvlText w:val="{level.text}"/>'
                            f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{420 * (ilvl + 1)}" w:hanging="420"/>'
                            f'</w:pPr></w:lvl>')
            link = f'<w:styleLink w:val="{style_link}"/>' if style_link else ""
            self.numbering_xml.append(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract}">'
                                      f'<w:multiLevelType w:val="multilevel"/>{link}{"".join(lvls)}</w:abstractNum>')
        self.abstracts[name] = abstract
        num = len(self.nums) + 1
        overrides = "".join(f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{n}"/></w:lvlOverride>'
                            for ilvl, n in (start or {}).items())
        self.num_xml.append(f'<w:num {nsdecls("w")} w:numId="{num}"><w:abstractNumId w:val="{abstract}"/>'
                            f'{overrides}</w:num>')
        self.nums[name] = num
        return name

    def numbering_style(self, style_id: str, list_name: str) -> None:
        """A numbering style (w:type="numbering") whose numPr is the list ``list_name`` (made with
        ``style_link=style_id``); ``linked_list`` makes lists that point at it (numStyleLink)."""
        style = self.doc.styles.add_style(style_id, WD_STYLE_TYPE.LIST)
        style.element.set(qn("w:styleId"), style_id)
        style.element.get_or_add_pPr().append(self._numpr(list_name, 0))

    def linked_list(self, name: str, style_id: str) -> str:
        """A list ``name`` whose abstractNum has no levels, only w:numStyleLink to the numbering style."""
        abstract = len(self.abstracts) + 10
        self.numbering_xml.append(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract}">'
                                  f'<w:multiLevelType w:val="multilevel"/><w:numStyleLink w:val="{style_id}"/>'
                                  f'</w:abstractNum>')
        self.abstracts[name] = abstract
        num = len(self.nums) + 1
        self.num_xml.append(f'<w:num {nsdecls("w")} w:numId="{num}"><w:abstractNumId w:val="{abstract}"/></w:num>')
        self.nums[name] = num
        return name

    def raw_numbering(self, xml: str) -> None:
        """An abstractNum or num element written as is (numStyleLink and other rarities)."""
        (self.num_xml if xml.lstrip().startswith("<w:num ") else self.numbering_xml).append(xml)

    def _numpr(self, list_name: str | int, level: int):
        num = self.nums[list_name] if isinstance(list_name, str) else list_name
        return parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>')

    # -------------------------------------------------------------- paragraphs
    def paragraph(self, text: str = "", *, style: str | None = None, outline: int | None = None,
                  list: str | int | None = None, level: int = 0):
        p = self.doc.add_paragraph(text)
        if style is not None:
            p.style = self.doc.styles[style]
        if list is not None:
            p._p.get_or_add_pPr().append(self._numpr(list, level))
        if outline is not None:
            p._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="{outline}"/>'))
        return p

    def heading(self, text: str, level: int, *, list: str | int | None = None, item_level: int = 0):
        p = self.paragraph(text, list=list, level=item_level)
        p.style = self.heading_style(level)
        return p

    def item(self, text: str, list: str | int, level: int = 0, *, style: str | None = None):
        return self.paragraph(text, style=style, list=list, level=level)

    def table(self, rows, *, spans: dict[tuple[int, int], int] | None = None,
              vmerge: dict[tuple[int, int], str] | None = None, nested: dict[tuple[int, int], list] | None = None,
              numbered: dict[tuple[int, int], tuple[str, int]] | None = None):
        """A table of ``rows`` (cell texts; "\\n" in a text makes several paragraphs in the cell).
        ``spans`` {(row, col): n} gives a cell w:gridSpan n (the row then has fewer cells than the grid);
        ``vmerge`` {(row, col): "restart"|"continue"} writes w:vMerge; ``nested`` puts a table in a cell;
        ``numbered`` {(row, col): (list, level)} numbers every paragraph of that cell."""
        width = max(sum((spans or {}).get((r, c), 1) for c in range(len(row))) for r, row in enumerate(rows))
        table = self.doc.add_table(rows=0, cols=width)
        for r, row in enumerate(rows):
            tr = table.add_row()._tr
            tcs = tr.findall(qn("w:tc"))
            for tc in tcs[len(row):]:
                tr.remove(tc)
            for c, text in enumerate(row):
                tc = tr.findall(qn("w:tc"))[c]
                tcpr = tc.get_or_add_tcPr()
                span = (spans or {}).get((r, c))
                if span:
                    tcpr.append(parse_xml(f'<w:gridSpan {nsdecls("w")} w:val="{span}"/>'))
                merge = (vmerge or {}).get((r, c))
                if merge == "restart":
                    tcpr.append(parse_xml(f'<w:vMerge {nsdecls("w")} w:val="restart"/>'))
                elif merge:
                    tcpr.append(parse_xml(f'<w:vMerge {nsdecls("w")}/>'))
                for p in tc.findall(qn("w:p")):
                    tc.remove(p)
                for line in str(text).split("\n"):
                    p = parse_xml(f'<w:p {nsdecls("w")}><w:r><w:t xml:space="preserve">{_escape(line)}</w:t>'
                                  f'</w:r></w:p>')
                    if numbered and (r, c) in numbered:
                        p.insert(0, parse_xml(f'<w:pPr {nsdecls("w")}/>'))
                        p[0].append(self._numpr(*numbered[(r, c)]))
                    tc.append(p)
                if nested and (r, c) in nested:
                    inner = LegacyDocx(self.kind)
                    inner.table(nested[(r, c)])
                    tc.append(copy.deepcopy(inner.doc.element.body.find(qn("w:tbl"))))
                    tc.append(parse_xml(f'<w:p {nsdecls("w")}/>'))
        return table

    def image(self, data: bytes | None = None, *, text: str = "", name: str = "picture.png"):
        """A paragraph with ``text`` (may be empty) and an inline picture (w:drawing, r:embed)."""
        p = self.doc.add_paragraph(text)
        p.add_run().add_picture(io.BytesIO(data or png()))
        return p

    def page_break(self):
        from docx.enum.text import WD_BREAK
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # ------------------------------------------------------- headers and props
    def header(self, text: str) -> None:
        self.headers.append(text)

    def footer(self, text: str) -> None:
        self.footers.append(text)

    def properties(self, *, title: str | None = None, company: str | None = None) -> None:
        if title is not None:
            self.doc.core_properties.title = title
        self.company = company

    # ---------------------------------------------------------------- saving
    def save(self, path: Path) -> Path:
        path = Path(path)
        section = self.doc.sections[0]
        for texts, part in ((self.headers, section.header), (self.footers, section.footer)):
            if texts:
                part.is_linked_to_previous = False
                part.paragraphs[0].text = texts[0]
                for text in texts[1:]:
                    part.add_paragraph(text)
        numbering = self.doc.part.numbering_part.element
        for child in list(numbering):
            numbering.remove(child)
        for xml in self.numbering_xml + self.num_xml:
            numbering.append(parse_xml(xml))
        buffer = io.BytesIO()
        self.doc.save(buffer)
        data = buffer.getvalue()
        if self.company is not None:
            data = _set_company(data, self.company)
        path.write_bytes(data)
        return path


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _set_company(data: bytes, company: str) -> bytes:
    """The package with docProps/app.xml's <Company> set (python-docx does not write app.xml)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "docProps/app.xml":
                text = part.decode("utf-8")
                text = text.replace("<Company/>", f"<Company>{_escape(company)}</Company>")
                part = text.encode("utf-8")
            target.writestr(info, part)
    return out.getvalue()


# -- raw runs and fields (Word fields python-docx cannot write) ------------------------------------------------
def field_runs(instruction: str, result: str) -> str:
    """A complex field's runs (begin, instrText, separate, the cached result, end)."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> {instruction} '
            f'</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'<w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def page_numbers(paragraph) -> None:
    """第 {PAGE} 页 共 {NUMPAGES} 页 appended to a python-docx paragraph (cached results 1 and 9)."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    xml = run("第 ") + field_runs("PAGE", "1") + run(" 页 共 ") + field_runs("NUMPAGES", "9") + run(" 页")
    for element in parse_xml(f"<w:p {nsdecls('w')}>{xml}</w:p>"):
        paragraph._p.append(element)
