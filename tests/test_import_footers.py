"""`manual import` of a .docx whose sections' footers hold content (issue #16, conservation: footers).

``footers.docx`` is written here with python-docx (raw XML for the page-number fields): a 程序文件汇编 whose
procedures each sit in their own Word section, and whose footers hold what Chinese templates put there:

* section 1 (the cover): the company name only in the footer;
* section 2: a tabbed sign-off line (编制 \\t 审核 \\t 批准 \\t 日期), a ``第 {PAGE} 页 共 {NUMPAGES} 页`` line and a
  ``受控文件`` stamp;
* section 3: a sign-off table (编制 | 审核 | 批准 | 日期 over the names, 批准 left blank) and the same page line;
* section 4: a sign-off line with ``第 1 页 共 9 页`` typed after it, and a second section (5) continuing the
  procedure whose footer is linked to section 4's (read once).

Imported through the CLI, the tests read back: each sign-off in its document's front matter (the blank 批准
reported by ``manual check`` at that document), the footer positions ``第 N 节页脚第 K 段`` and the report's
line naming the sections whose footers were read, the page numbers and the stamp under 未导入 with their
reasons and nowhere else, the company name, and conservation in normalised characters and counts."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml
from docx.enum.section import WD_SECTION

from conftest import run_cli
from legacy_docx import field_runs, page_numbers, run
from generator.authoring.importfile import Place, read_blocks
from test_import_legacy import check_json, documents, findings_of, normalise, normalise_all, written_text

pytestmark = pytest.mark.xdist_group("import-footers")

COMPANY = "浙江恒通机械有限公司"
COVER = ["程序文件汇编", "2018年5月1日"]
SIGNED = "编制：张伟\t审核：李娜\t批准：王强\t日期：2018年5月1日"
PROCEDURES = [  # (code, title, body lines)
    ("HT-QP-01-2018", "文件控制程序", ["1 目的", "确保使用有效版本的文件。", "2 职责", "2.1 办公室负责文件的编号和发放。"]),
    ("HT-QP-02-2018", "采购控制程序", ["1 目的", "确保采购产品符合规定要求。", "2 程序", "2.1 合格供方列入合格供方名录。"]),
    ("HT-QP-03-2016", "不合格品控制程序", ["1 目的", "防止不合格品的非预期使用。", "2 程序", "2.1 由品保部组织评审。"]),
]
CONTINUED = ["3 记录", "3.1 评审记录由品保部保存。"]
PAGE_LINE = "第 1 页 共 9 页"
CONTROL = "文件编号：HT-QP-03-2016\t版本：A/0"







def make_footers(folder: Path) -> tuple[Path, list[str], int]:
    """The file, every text a reader sees in it (a footer's text as often as it is read: a linked footer is
    not read again), and how many paragraphs (table cells) the import reads."""
    d = docx.Document()
    texts = list(COVER)
    for text in COVER:
        d.add_paragraph(text)
    first = d.sections[0].footer
    first.is_linked_to_previous = False
    first.paragraphs[0].text = COMPANY
    texts.append(COMPANY)
    for n, (code, title, lines) in enumerate(PROCEDURES):
        section = d.add_section(WD_SECTION.NEW_PAGE)
        footer = section.footer
        footer.is_linked_to_previous = False
        heading = title if n == 2 else f"{code} {title}"  # (the third's code only in its footer)
        d.add_paragraph(heading, style="Heading 1")
        texts.append(heading)
        for text in lines:
            d.add_paragraph(text)
        texts += lines
        if n == 0:  # a tabbed sign-off line, page numbers (fields), a control stamp
            footer.paragraphs[0].text = SIGNED
            page_numbers(footer.add_paragraph())
            footer.add_paragraph("受控文件")
            texts += [SIGNED, PAGE_LINE, "受控文件"]
        elif n == 1:  # a sign-off table, 批准 blank; page numbers again (this section's own footer: read)
            table = footer.add_table(2, 4, docx.shared.Cm(16))
            for c, (label, value) in enumerate([("编制", "张伟"), ("审核", "李娜"), ("批准", ""),
                                                ("日期", "2018年5月1日")]):
                table.cell(0, c).text = label
                table.cell(1, c).text = value
            page_numbers(footer.paragraphs[0])
            texts += [PAGE_LINE, "编制", "审核", "批准", "日期", "张伟", "李娜", "2018年5月1日"]
        else:  # the control line; the first section's sign-off again, page numbers typed after a tab
            footer.paragraphs[0].text = CONTROL
            footer.add_paragraph(f"{SIGNED}\t{PAGE_LINE}")
            texts += [CONTROL, SIGNED, PAGE_LINE]
            d.add_section(WD_SECTION.NEW_PAGE)  # the procedure goes on; its footer linked: not read again
            for text in CONTINUED:
                d.add_paragraph(text)
            texts += CONTINUED
    path = folder / "footers.docx"
    d.save(path)
    # Each text is one paragraph read: a tabbed line's content one (its page numbers another), a cell one.
    return path, texts, len(texts)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, list[str], int, Path]:
    folder = tmp_path_factory.mktemp("footers")
    path, texts, count = make_footers(folder)
    target = folder / "out"
    result = run_cli("import", path, "--out", target, "-q")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return path, texts, count, target


def report_of(root: Path) -> tuple[str, str]:
    report = (root / "import-report.md").read_text(encoding="utf-8")
    head, listed = report.split("## 未导入 / not imported", 1)
    return head, listed


def test_the_reader_puts_each_footer_at_the_end_of_its_section(imported):
    path, _, _, _ = imported
    blocks = read_blocks(path)
    footers = [b for b in blocks if isinstance(b.position, Place) and b.position.part == "footer"]
    signed = SIGNED.replace("\t", "  ")
    assert [(str(b.position), b.role, b.text or b.kind) for b in footers] == [
        ("1 节页脚第 1", "footer", COMPANY),
        ("2 节页脚第 1", "footer", signed),  # (a tabbed sign-off: one line again)
        ("2 节页脚第 2", "furniture", PAGE_LINE), ("2 节页脚第 3", "stamp", "受控文件"),
        ("3 节页脚第 1", "furniture", PAGE_LINE), ("3 节页脚第 2", "footer", "table"),
        ("4 节页脚第 1", "footer", "文件编号：HT-QP-03-2016  版本：A/0"),  # (under the section's heading)
        ("4 节页脚第 2", "footer", signed), ("4 节页脚第 2", "furniture", PAGE_LINE)]
    # Section 5's footer is section 4's (linked): not read again.
    assert not [b for b in footers if b.position.section == 5]
    # A footer comes after its section's last body block, before the next section's first; a control line
    # right under the section's heading.
    texts = [b.text or b.kind for b in blocks]
    k = texts.index("受控文件")
    assert texts[k - 3:k + 2] == ["2.1 办公室负责文件的编号和发放。", signed, PAGE_LINE, "受控文件",
                                  "HT-QP-02-2018 采购控制程序"]
    k = texts.index("不合格品控制程序")
    assert texts[k - 2:k + 3] == [PAGE_LINE, "table", "不合格品控制程序", "文件编号：HT-QP-03-2016  版本：A/0", "1 目的"]
    assert texts[-5:] == ["2.1 由品保部组织评审。", signed, PAGE_LINE, "3 记录", "3.1 评审记录由品保部保存。"]


def test_a_footer_sign_off_or_control_line_is_its_document_s_own(imported):
    _, _, _, root = imported
    docs = documents(root)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {c: t for c, t, _ in PROCEDURES}
    names = {"prepared": "张伟", "reviewed": "李娜", "approved": "王强"}
    for code in ("HT-QP-01-2018", "HT-QP-03-2016"):  # the same sign-off in two sections' footers: each its own
        signoff = docs[code][0]["signoff"]
        assert {step: signoff[step]["name"] for step in names} == names, code
        assert str(signoff["approved"]["date"]) == "2018-05-01"
    signoff = docs["HT-QP-02-2018"][0]["signoff"]
    assert signoff["prepared"]["name"] == "张伟" and not signoff["approved"]["name"]
    for code, (_, body) in docs.items():
        assert "编制" not in body and "批准" not in body and "文件编号" not in body, (code, body)
    # 3 记录 (section 5) is still 不合格品控制程序's.
    assert "评审记录由品保部保存。" in docs["HT-QP-03-2016"][1]
    head, _ = report_of(root)
    assert "HT-QP-03-2016：文件控制信息（第 4 节页脚第 1 段）写入文件头" in head
    assert "HT-QP-02-2018：签署中批准人姓名空白（第 3 节页脚第 2 段）" in head


def test_check_reports_the_blank_approval_at_its_document(imported):
    _, _, _, root = imported
    data = check_json(root)
    blank = [(f["path"], f["line"]) for f in data["findings"]
             if f["rule"] == "signoff-complete" and "批准签署缺少签署人" in f["message"]]
    assert blank == [("policies/HT-QP-02-2018.md", 14)], data["findings"]
    # The code read from a footer's control line is kept as written: its year is reported.
    assert findings_of(data, "code-year", "policies/HT-QP-03-2016.md"), data["findings"]


def test_footer_positions_and_page_furniture_in_the_report(imported):
    _, _, _, root = imported
    head, listed = report_of(root)
    assert "Word 各节的页脚作为该节末尾的段落读入（第 1、2、3、4 节" in head
    assert "第 2 节页脚第 3 段是受控印记" in head
    for place in ("2 节页脚第 2", "3 节页脚第 1", "4 节页脚第 2"):
        assert f"- 第 {place} 段（只有页码等页面信息（页码域或“第 X 页 共 Y 页”），不是正文）：{PAGE_LINE}" in listed
    assert "- 第 2 节页脚第 3 段（页脚中的受控/非受控印记，是发放状态而不是正文）：受控文件" in listed
    assert f"- 第 1 节页脚第 1 段（页脚中的公司名称，只用于识别公司名称）：{COMPANY}" in listed
    for output in [*root.rglob("*.md"), *root.rglob("*.yaml")]:
        if output.name != "import-report.md":
            text = output.read_text(encoding="utf-8")
            assert "共 9 页" not in text and "受控文件" not in text, output


def test_the_company_name_from_a_footer_keeps_working(imported):
    _, _, _, root = imported
    manual = (root / "manual" / "manual.yaml").read_text(encoding="utf-8")
    assert f"company: {COMPANY}" in manual or COMPANY in yaml.safe_dump(yaml.safe_load(manual), allow_unicode=True)
    head, _ = report_of(root)
    assert f"公司名称“{COMPANY}”取自页眉/页脚" in head


def test_no_text_is_lost(imported):
    _, texts, count, root = imported
    out = normalise_all(written_text(root))
    missing = Counter("".join(normalise(t) for t in texts)) - Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    head, listed = report_of(root)
    m = re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", head)
    total, taken, left = map(int, m.groups())
    assert total == taken + left == count  # both counted by the ledger, neither derived
    assert left == len(re.findall(r"^- 第 [^，（\n]+ 段（", listed, re.M)) == 5  # 3 page lines, the stamp, the company


def test_english_report_names_footer_positions():
    from generator.authoring.importlabels import report_language
    with report_language("en"):
        assert f"paragraph {Place(9, 2, 'default', 1, 'footer')}" == "paragraph 1 of the footer of section 2"
        assert f"paragraph {Place(9, 3, 'first', 2, 'footer')}" == "paragraph 2 of the first-page footer of section 3"
    assert f"第 {Place(9, 3, 'even', 2, 'footer')} 段" == "第 3 节偶数页页脚第 2 段"


def test_footers_cannot_multiply_the_text(tmp_path):
    """A hostile file: 2,000 sections alternating two footers (a sign-off and page numbers each).  Each footer
    part is read once: the blocks made from footers are never more than the footer parts hold."""
    from test_import_limits import make_docx

    w_ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sect = '<w:sectPr xmlns:r="{rel}"><w:footerReference w:type="default" r:id="rIdF{n}"/></w:sectPr>'
    body = "".join(f'<w:p><w:pPr>{sect.format(rel=rel, n=k % 2)}</w:pPr>{run(f"第{k}节正文")}</w:p>' for k in range(2000))
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{w_ns}">'
                f"<w:body>{body}<w:p>{run('末段')}</w:p></w:body></w:document>")
    footer = '<?xml version="1.0" encoding="UTF-8"?><w:ftr xmlns:w="' + w_ns + '"><w:p>{}</w:p><w:p>{}</w:p></w:ftr>'
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rIdF0" Type="{rel}/footer" Target="footer1.xml"/>'
            f'<Relationship Id="rIdF1" Type="{rel}/footer" Target="footer2.xml"/></Relationships>')
    pages = run("第 ") + field_runs("PAGE", "1") + run(" 页")
    source = make_docx(tmp_path / "many.docx", {
        "word/_rels/document.xml.rels": rels,
        "word/footer1.xml": footer.format(run("编制：张伟 审核：李娜 批准：王强"), pages),
        "word/footer2.xml": footer.format(run("编制：刘洋 审核：陈晨 批准：周杰"), pages)}, document=document)
    blocks = read_blocks(source)
    footers = [b for b in blocks if isinstance(b.position, Place)]
    assert [(b.role, b.text) for b in footers] == [
        ("footer", "编制：张伟 审核：李娜 批准：王强"), ("furniture", "第 1 页"),
        ("footer", "编制：刘洋 审核：陈晨 批准：周杰"), ("furniture", "第 1 页")]
    assert [b.text for b in blocks[:4]] == ["第0节正文", "编制：张伟 审核：李娜 批准：王强", "第 1 页", "第1节正文"]
    assert len(blocks) == 2000 + 4 + 1 and blocks[-1].text == "末段"


def test_a_control_line_goes_to_the_start_of_a_section_without_headings(tmp_path):
    d = docx.Document()
    d.add_paragraph("封面")
    section = d.add_section(WD_SECTION.NEW_PAGE)
    section.footer.is_linked_to_previous = False
    section.footer.paragraphs[0].text = "文件编号：AB-01\t【非受控】"
    for text in ("采购控制程序", "1 目的"):
        d.add_paragraph(text)
    d.save(tmp_path / "plain.docx")
    blocks = read_blocks(tmp_path / "plain.docx")
    assert [(b.text, b.role) for b in blocks] == [("封面", ""), ("文件编号：AB-01", "footer"), ("采购控制程序", ""),
                                                  ("1 目的", ""), ("【非受控】", "stamp")]
    assert int(blocks[1].position) == int(blocks[2].position) and str(blocks[1].position) == "2 节页脚第 1"
