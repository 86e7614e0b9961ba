"""The DOCX as Word users get it, checked through LibreOffice's own layout (issue #17, points 1, 2 and 5).

Each manual's DOCX is converted with ``soffice --headless --convert-to pdf`` and the PDF read back:

* the layout audit's DOCX checks (the contents field's page numbers, no split sign-off table: they live in
  tests/test_layout_audit.py) on a manual of long, deeply nested documents;
* every form of the appendix is one sheet; registers are landscape;
* Chinese text is drawn by a CJK font (LibreOffice on Linux has no 宋体/黑体: its fallback draws it);
* clause numbers are Word numbering, shown as the PDF shows them, deep lists included.

On the shipped manual and on a manual of our own (``manual init`` plus documents with deep lists and
long bodies, and a wide register).  python-docx reads back the keep rules.
"""
from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from conftest import REPO, copy_manual, run_cli
from test_layout_audit import docx_split_signoffs, docx_toc, docx_toc_off

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is missing")]


def _convert(path, outdir, profile):
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(outdir), str(path)], capture_output=True, text=True, timeout=600)
    out = outdir / (path.stem + ".pdf")
    assert out.is_file(), result.stdout + result.stderr
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def _pages(pdf) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(str(pdf)).pages]


class Built:
    def __init__(self, root, docx_path, pdf, pages):
        self.root, self.docx, self.pdf, self.pages = root, docx_path, pdf, pages


def _build(root, tmp, *what) -> Built:
    result = run_cli("build", "docx", *what, "--root", root, "--no-cache", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    path = root / "dist" / "manual.docx"
    pdf = _convert(path, tmp / "lo", tmp / "lo-profile")
    return Built(root, path, pdf, _pages(pdf))


# -- the shipped manual --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docx-layout-shipped")
    return _build(copy_manual(REPO, tmp / "shipped"), tmp)


# -- a manual of our own: deep lists, long bodies, a wide register -----------------------------------------------------
DEEP = """
## 一、深层条款

1. 第一条：本条有子项。
   1. 子项甲
      1. 细目一
      2. 细目二
         1. 再下一层
   2. 子项乙
2. 第二条：要点之下的编号。
   - 要点
     1. 要点下的编号
3. 第三条。
"""

WIDE_FORM = """sections:
  - title: 登记信息
    fields:
      - {id: period, label: 登记期间, type: text, required: true, width: 2}
      - {id: keeper, label: 登记人, type: text, width: 2}
  - title: 登记明细
    fields:
      - id: entries
        label: 明细
        type: table
        rows: 15
        columns: [客户编号, 客户名称, 类别, 行业, 联系人, 电话, 地址, 产品, 业务员, 日期, 备注, 签收]
  - title: 审核
    fields:
      - {id: checker, label: 审核人签字, type: signature, width: 2}
      - {id: head, label: 主管签字, type: signature, width: 2}
"""


def _clauses(n: int, seed: int) -> str:
    """``n`` clauses of varied length, some with sub-items: a body that runs over page ends."""
    words = "客户资料应由档案保管人统一登记，按编号顺序存放，借阅须经业务主管批准并在登记表上签字。"
    out = []
    for i in range(1, n + 1):
        length = 20 + (i * 37 + seed * 11) % 140
        out.append(f"{i}. " + (words * 4)[:length])
        if (i + seed) % 5 == 0:
            indent = " " * len(f"{i}. ")
            out.append(indent + "1. " + words[: 10 + i % 30])
            out.append(indent + "2. " + words[: 5 + i % 20])
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docx-layout-own")
    root = tmp / "own"
    assert run_cli("init", root).returncode == 0
    made = []
    for k, title in enumerate(["深层条款制度", "档案借阅规定", "客户走访办法", "投诉处理细则"]):
        result = run_cli("new", "policy", "--title", title, "--root", root)
        assert result.returncode == 0, result.stderr
        path = sorted((root / "policies").glob("*.md"))[-1]
        text = path.read_text(encoding="utf-8")
        head, _ = text.rsplit("\n---\n", 1)
        body = (DEEP if k == 0 else "") + "\n## 二、条款\n\n" + _clauses(18 + 17 * k, k)
        path.write_text(head + "\n---\n" + body, encoding="utf-8")
        made.append(path)
    result = run_cli("new", "form", "--title", "宽表登记册", "--root", root)
    assert result.returncode == 0, result.stderr
    form = next(p for p in (root / "forms").glob("*.yaml") if "宽表登记册" in p.read_text(encoding="utf-8"))
    text = form.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^paper:.*$", "paper: A4-landscape", text) if re.search(r"(?m)^paper:", text) \
        else text.replace("\nsections:", "\npaper: A4-landscape\nsections:", 1)
    text = re.sub(r"(?ms)^sections:.*?(?=^signoff:)", WIDE_FORM, text)
    form.write_text(text, encoding="utf-8")
    return _build(root, tmp, "pdf")


@pytest.fixture(params=["shipped", "own"])
def built(request) -> Built:
    return request.getfixturevalue(request.param)


def test_layout_audit_docx_checks_pass_on_long_deep_documents(own):
    """The layout audit's DOCX checks (tests/test_layout_audit.py, where they run on the shipped, an
    English and a YD-… manual) on this manual's long, deeply nested documents: the contents field's page
    numbers are where LibreOffice lays the headings out, and no sign-off table is split or alone."""
    assert docx_toc_off(own.docx, own.pages) == []
    contents = _squash(own.pages[1])
    assert _squash(docx_toc(own.docx)[0][0]) in contents and "右键" not in contents and "更新域" not in contents
    seen, bad = docx_split_signoffs(own.pages, "zh-CN")
    assert seen >= 5 and bad == []


def test_every_form_is_one_sheet_and_registers_are_landscape(built):
    toc = docx_toc(built.docx)
    forms = [(t, p) for t, p in toc if re.match(r"\S+-F\d", t)]
    assert forms
    ends = [p for _, p in forms[1:]] + [len(built.pages) + 1]
    for (title, page), end in zip(forms, ends):
        assert end - page == 1 or (end == len(built.pages) + 1 and page == len(built.pages)), (title, page, end)
    reader = pypdf.PdfReader(str(built.pdf))
    document = docx.Document(str(built.docx))
    landscape = {s.footer.paragraphs[0].text.split()[1] for s in document.sections
                 if s.page_width > s.page_height}
    for title, page in forms:
        box = reader.pages[page - 1].mediabox
        code = title.split("\u3000")[0]
        assert (box.width > box.height) == (code in landscape), title
    assert landscape  # both manuals have a register


def test_libreoffice_draws_the_chinese_with_a_cjk_font(built):
    fonts = subprocess.run(["pdffonts", str(built.pdf)], capture_output=True, text=True).stdout
    assert re.search(r"CJK|WenQuanYi|Droid", fonts), fonts
    assert "修订记录" in "".join(built.pages)


def test_keep_rules_read_back(built):
    document = docx.Document(str(built.docx))
    for name in ("Heading 1", "Heading 2", "Heading 3", "Form Heading"):
        assert document.styles[name].paragraph_format.keep_with_next, name
    signoffs = 0
    for table in document.tables:
        rows = table.rows
        assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
        first = rows[0]._tr.trPr
        if [c.text for c in rows[0].cells][:2] == ["签署", "姓名"]:
            signoffs += 1
            assert first.find(qn("w:tblHeader")) is not None
            for row in rows[:-1]:  # every row keeps with the next: the table never splits
                assert all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)
    assert signoffs >= 5
    # the fonts a Chinese Office install has
    normal = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "宋体"
    assert document.styles["Heading 1"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    with open(built.docx, "rb") as f:
        import zipfile

        fonts = zipfile.ZipFile(f).read("word/fontTable.xml").decode("utf-8")
    assert 'w:name="宋体"' in fonts and 'w:val="SimSun"' in fonts and 'w:val="SimHei"' in fonts


def test_deep_lists_number_as_in_the_pdf(own):
    """The clause numbers LibreOffice shows for Word's numbering are the ones the PDF prints, level by level."""
    def text(pdf) -> str:  # poppler's text: it keeps WeasyPrint's list markers
        return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout

    pdf_text, docx_text = text(own.root / "dist" / "manual.pdf"), text(own.pdf)

    def marker(text: str, item: str) -> str:
        for line in text.splitlines():
            m = re.match(r"\s*(\S+?\.?)\s*" + re.escape(item), line)
            if m:
                return m.group(1)
        return ""

    expected = {"第一条：本条有子项。": "1.", "子项甲": "a.", "细目一": "i.", "细目二": "ii.", "再下一层": "i.",
                "子项乙": "b.", "第二条：要点之下的编号。": "2.", "要点下的编号": "a.", "第三条。": "3."}
    for item, number in expected.items():
        assert marker(pdf_text, item) == number, (item, "pdf")
        assert marker(docx_text, item) == number, (item, "docx")
    # and they are Word numbering, not typed text
    document = docx.Document(str(own.docx))
    paragraph = next(p for p in document.paragraphs if p.text == "细目二")
    assert paragraph._p.pPr.numPr.ilvl.val == 2


def test_binding_gutter_mirrors_the_margins_in_libreoffice(tmp_path):
    """``print.binding_gutter_mm: 10``: the DOCX asks for mirrored margins with a 10 mm gutter, and
    LibreOffice draws right-hand (odd) pages with the wide margin on the left, left-hand (even) pages with
    it on the right; no text, table included, runs into the outer margin (issue #17, review 10)."""
    import pdfplumber

    root = tmp_path / "m"
    assert run_cli("init", root, "--lang", "en").returncode == 0
    manual_yaml = root / "manual" / "manual.yaml"
    manual_yaml.write_text(manual_yaml.read_text(encoding="utf-8") + "\nprint: {binding_gutter_mm: 10}\n",
                           encoding="utf-8")
    built = _build(root, tmp_path)
    document = docx.Document(str(built.docx))
    assert document.settings.element.find(qn("w:mirrorMargins")) is not None
    assert {round(s.gutter.mm) for s in document.sections if s.page_width < s.page_height and s.left_margin.mm > 16} \
        == {10}
    forms_at = min(p for t, p in docx_toc(built.docx) if re.match(r"\S+-F\d", t))  # form sheets keep their margins
    mm = 25.4 / 72
    sides = {0: [], 1: []}
    with pdfplumber.open(built.pdf) as pdf:
        assert forms_at >= 5
        for number, page in enumerate(pdf.pages[:forms_at - 1], 1):
            body = [c for c in page.chars if 40 < c["top"] < page.height - 40 and c["text"].strip()]
            if body:
                sides[number % 2].append((min(c["x0"] for c in body) * mm, (page.width - max(c["x1"] for c in body)) * mm))
    assert sides[0] and sides[1]
    odd_left, odd_right = min(s[0] for s in sides[1]), min(s[1] for s in sides[1])
    even_left, even_right = min(s[0] for s in sides[0]), min(s[1] for s in sides[0])
    # inner margin + 10 mm (20 + 10) on the left of odd pages, the right of even ones; the outer margin (18)
    # on the other side
    assert odd_left >= 29.5 and odd_right >= 17.5, sides[1]
    assert 17.5 <= even_left < 20 and even_right >= 29.5, sides[0]


def test_registers_fill_their_sheet(built):
    """A register's table runs down its landscape sheet as the PDF's does: its last ruled line is in the
    lowest fifth of the page, not half-way down (issue #17, review 10)."""
    import pdfplumber

    toc = docx_toc(built.docx)
    document = docx.Document(str(built.docx))
    landscape = {s.footer.paragraphs[0].text.split()[1] for s in document.sections if s.page_width > s.page_height}
    pages = [p for t, p in toc if t.split("\u3000")[0] in landscape]
    assert pages
    with pdfplumber.open(built.pdf) as pdf:
        for number in pages:
            page = pdf.pages[number - 1]
            rules = [e["bottom"] for e in page.lines + page.rects if e["bottom"] < page.height - 30]
            assert max(rules) >= 0.8 * page.height, (number, max(rules) / page.height)


ENGLISH_CLAUSE = ("The responsible department shall record every customer complaint, including its date, the "
                  "customer's name, the product and batch concerned, a description of the nonconformity and the "
                  "immediate containment actions, within one working day of receiving it; ")


def test_english_contents_page_numbers_match_libreoffice(tmp_path):
    """An English manual whose policy has long English clauses (a page and more of wrapped Latin text): the
    contents field's page numbers are the pages LibreOffice lays the headings out on (issue #17, review 4)."""
    root = tmp_path / "en"
    assert run_cli("init", root, "--lang", "en").returncode == 0
    result = run_cli("new", "policy", "--title", "Complaint Handling Procedure", "--root", root)
    assert result.returncode == 0, result.stderr
    path = sorted((root / "policies").glob("*.md"))[-1]
    head, _ = path.read_text(encoding="utf-8").rsplit("\n---\n", 1)
    clauses = "\n".join(f"{i}. " + ENGLISH_CLAUSE * (1 + i % 4) + f"clause {i} ends here." for i in range(1, 31))
    path.write_text(head + "\n---\n\n## 1. Clauses\n\n" + clauses + "\n", encoding="utf-8")
    built = _build(root, tmp_path)
    assert docx_toc_off(built.docx, built.pages) == []
