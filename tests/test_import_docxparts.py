"""`manual import` of what a .docx keeps outside its body text (issue #16, review 3: H-1, X-1 … X-4).

Two Word files are written here (python-docx plus raw XML where python-docx cannot):

* ``sections.docx``: a 程序文件汇编 whose procedures each sit in their own Word section, the title and the
  code only in that section's header (a tabbed paragraph; a first-page header with w:titlePg; a table),
  page numbers (PAGE/NUMPAGES fields) in the headers, a section that continues a procedure (its header
  linked to the previous one: read once), and a 2014 code in a 2016 manual;
* ``fields.docx``: Heading 1 documents with codes, a TOC field in TOC 1 paragraphs (one entry's year
  differs from its heading), a footnote and an endnote, tracked changes (an insertion, a deletion, a
  paragraph deleted whole), a comment, a body paragraph that is only ``第 {PAGE} 页 共 {NUMPAGES} 页`` and a
  field inside a real sentence.

Each is imported through the CLI; the tests read the written files and import-report.md back: the
documents (codes, titles), where each piece of text went (the footnote in its paragraph, deleted text
and comments only under 未导入, page numbers nowhere but 未导入), the report's lines, conservation in
normalised characters and counts, and `manual check` reporting the planted code year."""
from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from conftest import run_cli
from legacy_docx import field_runs, page_numbers, run
from generator.authoring.importfile import Fields, Place, read_blocks
from test_import_legacy import check_json, documents, findings_of, normalise, normalise_all, written_text

pytestmark = pytest.mark.xdist_group("import-docxparts")

COMPANY = "江苏华信精工有限公司"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"








# ---------------------------------------------------------------------------
# sections.docx: one procedure per Word section, title and code in the header

COVER = [COMPANY, "程序文件汇编", "2016年3月1日"]
PROCEDURES = [  # (title, code, body lines, header layout)
    ("文件控制程序", "HX-QP-01-2016", ["1 目的", "确保使用有效版本的文件。", "2 职责", "2.1 办公室负责文件的编号和发放。",
                                  "编制：张伟 审核：李娜 批准：王强 日期：2016年3月1日"], "tabs"),
    ("采购控制程序", "HX-QP-02-2016", ["1 目的", "确保采购产品符合规定要求。", "2 程序", "2.1 合格供方列入《合格供方名录》。"],
     "first-page"),
    ("不合格品控制程序", "HX-QP-03-2014", ["1 目的", "防止不合格品的非预期使用。", "2 程序", "2.1 由品保部组织评审。",
                                    "编制：张伟 审核：李娜 批准： 日期：2016年 月 日"], "table"),
]
CONTINUED = ["3 记录", "3.1 采购记录由采购部保存。", "编制：张伟 审核：李娜 批准：王强 日期：2016年3月1日"]  # (a new section)


def make_sections(folder: Path) -> tuple[Path, list[str], int]:
    """The file, every text a reader sees in it that is content (page numbers are not), and how many
    paragraphs the import reads (each text one)."""
    d = docx.Document()
    texts = list(COVER)
    for text in COVER:
        d.add_paragraph(text)
    for title, code, lines, layout in PROCEDURES:
        section = d.add_section(WD_SECTION.NEW_PAGE)
        header = section.header
        header.is_linked_to_previous = False
        line = f"{COMPANY}\t{title}\t文件编号：{code}  版本：A/0"
        if layout == "tabs":
            header.paragraphs[0].text = line
            page_numbers(header.add_paragraph())  # page numbers only: not read
            texts += [COMPANY, title, f"文件编号：{code}  版本：A/0"]  # (a tabbed line: three paragraphs)
        elif layout == "first-page":
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_header.paragraphs[0].text = line
            header.paragraphs[0].text = line  # the same on the other pages: read once
            texts += [title, f"文件编号：{code}  版本：A/0"]  # (the company: as the previous section's header)
        else:  # a one-row grid: company | title | code and version | page numbers
            table = header.add_table(1, 4, docx.shared.Cm(16))
            for c, value in enumerate([COMPANY, title, f"文件编号：{code}"]):
                table.cell(0, c).text = value
            table.cell(0, 2).add_paragraph("版本：A/0")
            page_numbers(table.cell(0, 3).paragraphs[0])  # a cell of page numbers: not read
            texts += [title, f"文件编号：{code}", "版本：A/0"]  # (the company cell: as the previous header's)
        for text in lines:
            d.add_paragraph(text)
        texts += lines
        if layout == "first-page":  # the procedure goes on in a section of its own (landscape), header linked
            d.add_section(WD_SECTION.NEW_PAGE)
            for text in CONTINUED:
                d.add_paragraph(text)
            texts += CONTINUED
    path = folder / "sections.docx"
    d.save(path)
    return path, texts, len(texts)


# ---------------------------------------------------------------------------
# fields.docx: TOC field, notes, tracked changes, comment, page-number fields

FOOTNOTE = "巡查记录保存三年。"
ENDNOTE = "依据《危险化学品安全管理条例》。"
COMMENT = "巡查频次是否改为每班一次？"
DELETED_PART = "第二"
DELETED_WHOLE = "此条已删除：班组长兼任安全员。"


def p(text: str = "", style: str | None = None, inner: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{run(text) if text else ''}{inner}</w:p>"


def change(kind: str, n: int, text: str) -> str:
    tag = "delText" if kind == "del" else "t"
    return (f'<w:{kind} w:id="{n}" w:author="张三" w:date="2020-02-01T00:00:00Z"><w:r><w:{tag} xml:space="preserve">'
            f'{text}</w:{tag}></w:r></w:{kind}>')


FIELDS_BODY = [
    p("天津宏瑞化工有限公司"), p("安全生产管理制度"), p("2020年3月1日"),
    '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>' + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
    'xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    + run("AQ-01-2020 安全生产责任制\t2") + "</w:p>",
    p("AQ-02-2020 动火作业管理制度\t4", "TOC1"),
    '<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>' + run("AQ-03-2020 危险化学品管理制度\t6")
    + '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
    p("AQ-01-2020 安全生产责任制", "Heading1"), p("1 目的", "Heading2"), p("明确各级人员的安全生产责任。"),
    p("2 职责", "Heading2"),
    "<w:p>" + run("总经理是安全生产") + change("del", 11, DELETED_PART) + change("ins", 12, "第一") + run("责任人。") + "</w:p>",
    '<w:p><w:commentRangeStart w:id="0"/>' + run("安全员每日巡查一次") + '<w:commentRangeEnd w:id="0"/><w:r>'
    '<w:commentReference w:id="0"/></w:r>' + run("，记录于《安全巡查记录》")
    + '<w:r><w:footnoteReference w:id="2"/></w:r>' + run("。") + "</w:p>",
    '<w:p><w:pPr><w:rPr><w:del w:id="13" w:author="张三" w:date="2020-02-01T00:00:00Z"/></w:rPr></w:pPr>'
    + change("del", 14, DELETED_WHOLE) + "</w:p>",
    "<w:p>" + run("第 ") + field_runs("PAGE", "2") + run(" 页 共 ") + field_runs("NUMPAGES", "6") + run(" 页") + "</w:p>",
    "<w:p>" + run("本制度共 ") + field_runs("NUMPAGES", "6") + run(" 页，整份发放。") + "</w:p>",
    p("编制：刘洋 审核：陈晨 批准：周杰 日期：2020年3月1日"),
    p("AQ-02-2020 动火作业管理制度", "Heading1"), p("1 要求", "Heading2"),
    p("动火前办理《动火作业许可证》。"), p("编制：刘洋 审核：陈晨 批准：周杰 日期：2020年3月1日"),
    p("AQ-03-2018 危险化学品管理制度", "Heading1"), p("1 储存", "Heading2"),
    "<w:p>" + run("危险化学品专库储存，双人双锁") + '<w:r><w:endnoteReference w:id="3"/></w:r>' + run("。") + "</w:p>",
    p("编制：刘洋 审核：陈晨 批准：周杰 日期：2020年3月1日"),
]
FIELDS_TEXTS = ["天津宏瑞化工有限公司", "安全生产管理制度", "2020年3月1日", "AQ-01-2020 安全生产责任制\t2",
                "AQ-02-2020 动火作业管理制度\t4", "AQ-03-2020 危险化学品管理制度\t6", "AQ-01-2020 安全生产责任制", "1 目的",
                "明确各级人员的安全生产责任。", "2 职责", "总经理是安全生产第一责任人。", DELETED_PART,
                "安全员每日巡查一次，记录于《安全巡查记录》。", FOOTNOTE, COMMENT, DELETED_WHOLE, "第 2 页 共 6 页",
                "本制度共 6 页，整份发放。", "编制：刘洋 审核：陈晨 批准：周杰 日期：2020年3月1日",
                "AQ-02-2020 动火作业管理制度", "1 要求", "动火前办理《动火作业许可证》。",
                "编制：刘洋 审核：陈晨 批准：周杰 日期：2020年3月1日", "AQ-03-2018 危险化学品管理制度", "1 储存",
                "危险化学品专库储存，双人双锁。", ENDNOTE, "编制：刘洋 审核：陈晨 批准：周杰 日期：2020年3月1日"]
NOTES_XML = {
    "footnotes": f'<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
                 f'<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
                 f'</w:footnote><w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r>{run(" " + FOOTNOTE)}</w:p></w:footnote>',
    "endnotes": f'<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
                f'<w:endnote w:id="3"><w:p><w:r><w:endnoteRef/></w:r>{run(" " + ENDNOTE)}</w:p></w:endnote>',
    "comments": f'<w:comment w:id="0" w:author="李四" w:date="2020-02-02T00:00:00Z"><w:p>{run(COMMENT)}</w:p></w:comment>',
}
PART_TYPES = {name: name for name in NOTES_XML}  # part name: relationship type


def make_fields(folder: Path) -> tuple[Path, list[str], int]:
    """The file, its texts, and the paragraphs read: the texts but the deleted part of a paragraph and the
    two notes (each read into its paragraph)."""
    d = docx.Document()
    d.styles["Heading 1"], d.styles["Heading 2"]  # (python-docx's template has them latent: make them real)
    toc = d.styles.add_style("toc 1", WD_STYLE_TYPE.PARAGRAPH)
    toc.element.set(f"{{{W_NS}}}styleId", "TOC1")
    d.add_paragraph("x", style="Heading 1")
    d.add_paragraph("y", style="Heading 2")
    buffer = io.BytesIO()
    d.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    path = folder / "fields.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if not info.filename.endswith((".xml", ".rels")):
                out.writestr(info, data)  # (the template's thumbnail)
                continue
            data = data.decode("utf-8")
            if info.filename == "word/document.xml":
                start, end = data.index("<w:body>") + len("<w:body>"), data.index("<w:sectPr")
                data = data[:start] + "".join(FIELDS_BODY) + data[end:]
            elif info.filename == "word/_rels/document.xml.rels":
                data = data.replace("</Relationships>", "".join(
                    f'<Relationship Id="rIdX{name}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/{kind}" Target="{name}.xml"/>' for name, kind in PART_TYPES.items()) + "</Relationships>")
            elif info.filename == "[Content_Types].xml":
                data = data.replace("</Types>", "".join(
                    f'<Override PartName="/word/{name}.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                    f'wordprocessingml.{name}+xml"/>' for name in PART_TYPES) + "</Types>")
            out.writestr(info, data.encode("utf-8"))
        for name, xml in NOTES_XML.items():
            out.writestr(f"word/{name}.xml", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                             f'<w:{name} {nsdecls("w")}>{xml}</w:{name}>')
    return path, FIELDS_TEXTS, len(FIELDS_TEXTS) - 3


# ---------------------------------------------------------------------------
# Imported once for the module

MAKERS = {"sections": make_sections, "fields": make_fields}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[Path, list[str], int, Path]]:
    folder = tmp_path_factory.mktemp("docxparts")
    out = {}
    for name, make in MAKERS.items():
        path, texts, count = make(folder)
        target = folder / f"{name}-out"
        result = run_cli("import", path, "--out", target, "-q")
        assert result.returncode == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr
        out[name] = (path, texts, count, target)
    return out


def report_of(root: Path) -> tuple[str, str]:
    """(the report before 未导入, the 未导入 section)."""
    report = (root / "import-report.md").read_text(encoding="utf-8")
    head, listed = report.split("## 未导入 / not imported", 1)
    return head, listed


def bodies(root: Path) -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in sorted((root / "policies").glob("*.md")))


def listed_whole(listed: str) -> int:
    """The entries of the 未导入 section that are whole paragraphs (not "，一部分")."""
    return len(re.findall(r"^- 第 [^，（\n]+ 段（", listed, re.M))


# ---------------------------------------------------------------------------
# H-1: a procedure per Word section, its title and code in the header


def test_each_section_header_starts_its_document(imported):
    _, _, _, root = imported["sections"]
    docs = documents(root)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {code: title for title, code, _, _ in PROCEDURES}
    # The section that continues 采购控制程序 (its header linked to the previous section's) is part of it.
    assert "## 3 记录" in docs["HX-QP-02-2016"][1] and "采购记录由采购部保存。" in docs["HX-QP-02-2016"][1]
    assert "## 1 目的" in docs["HX-QP-03-2014"][1] and "由品保部组织评审。" in docs["HX-QP-03-2014"][1]
    head, _ = report_of(root)
    assert "Word 各节的页眉作为该节开头的段落读入（第 2、3、5 节" in head
    assert "HX-QP-01-2016：文件控制信息（第 2 节页眉第 1 段）写入文件头" in head
    assert "HX-QP-02-2016：文件控制信息（第 3 节首页页眉第 1 段）写入文件头" in head


def test_a_header_is_read_once_and_its_page_numbers_not_at_all(imported):
    path, _, _, root = imported["sections"]
    headers = [b for b in read_blocks(path) if b.role == "header"]
    texts = [b.text for b in headers]
    assert texts == [COMPANY, "文件控制程序", "文件编号：HX-QP-01-2016  版本：A/0",  # section 2
                     "采购控制程序", "文件编号：HX-QP-02-2016  版本：A/0",  # section 3: first page and the others alike
                     "不合格品控制程序", "文件编号：HX-QP-03-2014", "版本：A/0"]  # section 5 (4 is linked to 3)
    assert all(isinstance(b.position, Place) for b in headers)
    assert [str(b.position) for b in headers][::3] == ["2 节页眉第 1", "3 节首页页眉第 1", "5 节页眉第 2"]
    # Each header block comes right before its section's first body paragraph.
    blocks = read_blocks(path)
    k = blocks.index(headers[3])
    assert [b.text for b in blocks[k:k + 3]] == ["采购控制程序", "文件编号：HX-QP-02-2016  版本：A/0", "1 目的"]
    for output in [*root.rglob("*.md"), *root.rglob("*.yaml")]:
        assert "共 9 页" not in output.read_text(encoding="utf-8"), output


# ---------------------------------------------------------------------------
# X-1 … X-4


def test_footnotes_and_endnotes_are_kept_in_their_paragraph(imported):
    _, _, _, root = imported["fields"]
    docs = documents(root)
    assert f"记录于《安全巡查记录》。（注：{FOOTNOTE}）" in docs["AQ-01-2020"][1]
    assert f"双人双锁。（尾注：{ENDNOTE}）" in docs["AQ-03-2018"][1]
    head, _ = report_of(root)
    assert "原稿有 1 条脚注、1 条尾注：写在引用它的段落末尾，作“（注：…）”、“（尾注：…）”（第 12、23 段）" in head


def test_tracked_changes_read_as_accepted_and_deleted_text_listed(imported):
    _, _, _, root = imported["fields"]
    written = bodies(root)
    assert "总经理是安全生产第一责任人。" in documents(root)["AQ-01-2020"][1]
    assert "安全生产第二" not in written and DELETED_WHOLE not in written
    head, listed = report_of(root)
    assert f"- 第 11 段，一部分（修订中删除）：{DELETED_PART}" in listed
    assert f"- 第 13 段（修订中删除）：{DELETED_WHOLE}" in listed
    assert "原稿有 3 处未接受的修订（插入 1 处、删除 2 处，第 11、13 段）：按接受修订后的文字导入" in head


def test_comments_are_listed_at_the_paragraph_they_annotate(imported):
    _, _, _, root = imported["fields"]
    assert COMMENT not in bodies(root)
    head, listed = report_of(root)
    assert f"- 第 12 段（批注（李四），不是正文）：{COMMENT}" in listed
    assert "原稿有 1 条批注（第 12 段）：未写入源文件" in head


def test_page_numbers_are_not_content_but_a_field_in_a_sentence_keeps_its_result(imported):
    _, _, _, root = imported["fields"]
    written = bodies(root)
    assert "第 2 页 共 6 页" not in written and "第2页共6页" not in written
    assert "本制度共6页，整份发放。" in documents(root)["AQ-01-2020"][1]  # (spaces between CJK dropped)
    head, listed = report_of(root)
    assert "- 第 14 段（只有页码等页面信息（页码域或“第 X 页 共 Y 页”），不是正文）：第 2 页 共 6 页" in listed
    assert "第 14 段只有页码等页面信息，不是正文" in head


def test_a_toc_field_is_the_table_of_contents(imported):
    _, _, _, root = imported["fields"]
    head, listed = report_of(root)
    for n, entry in ((4, "AQ-01-2020 安全生产责任制"), (5, "AQ-02-2020 动火作业管理制度"), (6, "AQ-03-2020 危险化学品管理制度")):
        assert f"- 第 {n} 段（目录（" in listed and entry in listed
    assert "封面或前言" not in listed
    assert "第 4–6 段是 Word 目录（目录域或目录样式），按目录处理" in head
    assert "AQ-03-2018：目录写作 AQ-03-2020（第 6 段），正文写作 AQ-03-2018；保留正文的编号" in head


# ---------------------------------------------------------------------------
# Conservation and defects


@pytest.mark.parametrize("name", list(MAKERS))
def test_no_text_is_lost(imported, name):
    _, texts, count, root = imported[name]
    out = normalise_all(written_text(root))
    missing = Counter("".join(normalise(t) for t in texts)) - Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    head, listed = report_of(root)
    m = re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", head)
    total, taken, left = map(int, m.groups())
    assert total == taken + left == count  # both counted by the ledger, neither derived
    assert left == listed_whole(listed)


@pytest.mark.parametrize("name,code", [("sections", "HX-QP-03-2014"), ("fields", "AQ-03-2018")])
def test_check_reports_the_planted_code_year(imported, name, code):
    _, _, _, root = imported[name]
    data = check_json(root)
    assert findings_of(data, "code-year", f"policies/{code}.md"), data["findings"]


# ---------------------------------------------------------------------------
# The reader alone


def test_positions_outside_the_body_name_themselves():
    from generator.authoring.importlabels import report_language

    place = Place(5, 2, "default", 1)
    assert place == 5 and f"第 {place} 段" == "第 2 节页眉第 1 段" and f"{place:d}" == "5"
    assert f"第 {place + 2} 段" == "第 2 节页眉第 3 段" and int(place + 2) == 7 and f"{place - 1}" == "4"
    assert f"第 {Place(9, 3, 'first', 2)} 段" == "第 3 节首页页眉第 2 段"
    with report_language("en"):
        assert f"paragraph {place}" == "paragraph 1 of the header of section 2"


def test_moved_text_simple_page_fields_and_typed_page_numbers(tmp_path):
    from test_import_limits import make_docx

    body = ("<w:p>" + run("甲") + '<w:moveFrom w:id="1" w:author="x"><w:r><w:t>挪走的</w:t></w:r></w:moveFrom>' + run("乙")
            + '<w:moveTo w:id="2" w:author="x"><w:r><w:t>挪来的</w:t></w:r></w:moveTo></w:p>'
            + '<w:p><w:r><w:t xml:space="preserve">第 </w:t></w:r><w:fldSimple w:instr=" PAGE "><w:r><w:t>3</w:t></w:r>'
            '</w:fldSimple><w:r><w:t xml:space="preserve"> 页</w:t></w:r></w:p>'
            + p("第 3 页 共 9 页") + p("Page 2 of 5") + p("第 3 页的表格") + p("共 9 页的程序")
            + '<w:p><w:r><w:t xml:space="preserve">页码：</w:t></w:r><w:fldSimple w:instr="PAGE"><w:r><w:t>3</w:t></w:r>'
            '</w:fldSimple><w:r><w:t>，见附件</w:t></w:r></w:p>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    blocks = read_blocks(make_docx(tmp_path / "m.docx", document=document))
    assert [(b.text, b.role) for b in blocks] == [
        ("甲乙挪来的", ""), ("第 3 页", "furniture"), ("第 3 页 共 9 页", "furniture"), ("Page 2 of 5", "furniture"),
        ("第 3 页的表格", ""), ("共 9 页的程序", ""), ("页码：3，见附件", "")]
    assert blocks[0].marks == (("deleted", "挪走的", ""),)


def test_notes_headers_and_fields_cannot_multiply_the_text(tmp_path):
    """A hostile file: one footnote referenced 5,000 times, 2,000 sections alternating two headers, 5,000 field
    begins never ended.  The note is copied once, each header's text comes once, the fields are bounded."""
    from test_import_limits import make_docx

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sect = '<w:sectPr xmlns:r="{rel}"><w:headerReference w:type="default" r:id="rIdH{n}"/></w:sectPr>'
    body = (f'<w:p>{run("甲")}' + '<w:r><w:footnoteReference w:id="2"/></w:r>' * 5000 + "</w:p>"
            + "".join(f'<w:p><w:pPr>{sect.format(rel=rel, n=k % 2)}</w:pPr>{run(f"第{k}节")}</w:p>' for k in range(2000))
            + '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r></w:p>' * 5000 + p("乙"))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    header = '<?xml version="1.0" encoding="UTF-8"?><w:hdr xmlns:w="' + W_NS + '">{}</w:hdr>'
    footnotes = (f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W_NS}"><w:footnote w:id="2"><w:p>'
                 f'{run("注文" * 500)}</w:p></w:footnote></w:footnotes>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rIdH0" Type="{rel}/header" Target="header1.xml"/>'
            f'<Relationship Id="rIdH1" Type="{rel}/header" Target="header2.xml"/>'
            f'<Relationship Id="rIdF" Type="{rel}/footnotes" Target="footnotes.xml"/></Relationships>')
    source = make_docx(tmp_path / "many.docx", {"word/_rels/document.xml.rels": rels, "word/footnotes.xml": footnotes,
                                                "word/header1.xml": header.format(p("页眉一")),
                                                "word/header2.xml": header.format(p("页眉二"))}, document=document)
    blocks = read_blocks(source)
    assert [b.text for b in blocks[:2]] == ["页眉一", "甲（注：" + "注文" * 500 + "）"]  # (the header: its section's first)
    assert [b.text for b in blocks if b.role == "header"] == ["页眉一", "页眉二"]
    assert len(blocks) == 1 + 2 + 2000 + 1 and blocks[-1].text == "乙"
    fields = Fields()
    for _ in range(5000):
        fields.begin()
    assert len(fields.open) == Fields.MAX_FIELDS
    for _ in range(5000 - Fields.MAX_FIELDS):
        fields.end()
    assert len(fields.open) == Fields.MAX_FIELDS  # (the ends of the begins not kept close nothing kept)


def test_the_coded_toc_path_lists_deleted_text_and_comments_too(tmp_path):
    """A .docx in the seed's layout (a coded TOC over the whole text) is read as lines, not blocks: its
    tracked deletions and comments are listed under 未导入 all the same, and its footnote is in its line."""
    from test_import_limits import make_docx

    lines = ["示例五金制品有限公司业务部管理手册2014.05.20", "一、客户服务宗旨……………0101-2014",
             "二、客户回访制度……………0102-2014", "三、样品管理规定……………0103-2014", "一、客户服务宗旨0101-2014"]
    body = "".join(p(line) for line in lines)
    body += ("<w:p>" + run("以客户为中心，") + change("del", 1, "价格第一，") + run("服务至上。")
             + '<w:r><w:commentReference w:id="0"/></w:r><w:r><w:footnoteReference w:id="2"/></w:r></w:p>')
    body += ('<w:p><w:pPr><w:rPr><w:del w:id="3" w:author="张三" w:date="2020-02-01T00:00:00Z"/></w:rPr></w:pPr>'
             + change("del", 4, "此段已删除。") + "</w:p>")
    body += "".join(p(line) for line in ["编制:张三审核:李四批准:王五2014年05月20日", "二、客户回访制度0102-2014",
                                         "一、每月回访重要客户。", "编制:张三审核:李四批准:王五2014年05月20日",
                                         "三、样品管理规定0103-2014", "1、样品须登记。", "编制:张三审核:李四批准:王五2014年05月20日"])
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rIdC" Type="{rel}/comments" Target="comments.xml"/>'
            f'<Relationship Id="rIdF" Type="{rel}/footnotes" Target="footnotes.xml"/></Relationships>')
    parts = {"word/_rels/document.xml.rels": rels}
    for name in ("footnotes", "comments"):
        parts[f"word/{name}.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><w:{name} xmlns:w="{W_NS}">'
                                     f'{NOTES_XML[name]}</w:{name}>')
    source = make_docx(tmp_path / "seed.docx", parts, document=document)
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert sorted(documents(out)) == ["0101-2014", "0102-2014", "0103-2014"]
    body = documents(out)["0101-2014"][1]
    assert f"以客户为中心，服务至上。（注：{FOOTNOTE}）" in body and "价格第一" not in body
    head, listed = report_of(out)
    assert "- 第 6 段，一部分（修订中删除）：价格第一，" in listed
    assert "- 第 7 段（修订中删除）：此段已删除。" in listed
    assert f"- 第 6 段（批注（李四），不是正文）：{COMMENT}" in listed
    m = re.search(r"输入 (\d+)，导入 (\d+)，未导入 (\d+)", head)
    total, taken, left = map(int, m.groups())
    assert total == taken + left == len(lines) + 1 + 1 + 7 + 1  # the lines, the deleted paragraph, the comment
    assert left == listed_whole(listed)


def test_a_numbered_paragraph_deleted_whole_takes_no_number(tmp_path):
    """Changes accepted, the list reads 一、二、 — the deleted item between them does not count."""
    from legacy_docx import LISTS, LegacyDocx

    d = LegacyDocx("zh")
    d.numbering("n", LISTS["chinese"])
    d.item("第一项。", "n")
    gone = d.item("", "n")
    gone._p.get_or_add_pPr().append(parse_xml(f'<w:rPr {nsdecls("w")}><w:del w:id="1" w:author="x"/></w:rPr>'))
    gone._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="2" w:author="x"><w:r><w:delText>删去的一项。</w:delText>'
                             '</w:r></w:del>'))
    d.item("第二项。", "n")
    blocks = read_blocks(d.save(tmp_path / "list.docx"))
    assert [(b.number, b.text, b.marks) for b in blocks] == [
        ("一、", "第一项。", ()), ("", "", (("deleted", "删去的一项。", ""),)), ("二、", "第二项。", ())]


def test_even_page_headers_are_read_only_when_the_document_shows_them(tmp_path):
    for shown in (True, False):
        d = docx.Document()
        d.settings.odd_and_even_pages_header_footer = shown
        section = d.sections[0]
        section.header.is_linked_to_previous = False
        section.header.paragraphs[0].text = "采购控制程序"
        section.even_page_header.is_linked_to_previous = False
        section.even_page_header.paragraphs[0].text = "文件编号：HX-QP-02-2016"
        d.add_paragraph("1 目的")
        d.save(tmp_path / "even.docx")
        blocks = read_blocks(tmp_path / "even.docx")
        expected = [("采购控制程序", "1 节页眉第 1")] + ([("文件编号：HX-QP-02-2016", "1 节偶数页页眉第 1")] if shown else [])
        assert [(b.text, str(b.position)) for b in blocks if b.role == "header"] == expected
        assert blocks[-1].text == "1 目的"
