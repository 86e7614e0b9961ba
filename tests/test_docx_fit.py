"""The DOCX's tables fitted to their text, as a user sees them (issue #17: the DOCX finish).

Each DOCX is converted with LibreOffice (``soffice --headless --convert-to pdf``) and the PDF read back
with pdfplumber, cell by cell (the ruled cells pdfplumber finds, the characters inside each, grouped into
the lines they are drawn on):

* a form's label or table header fits on one line, or its lines hold two characters at least, and no
  Latin word is broken across lines (in the standalone form DOCX and in the manual's appendix);
* a form's DOCX is as many sheets as its PDF, a register with English labels included;
* a document's metadata block has no empty cell;
* the sign-off table stands under its heading (编制、审核与批准), on the same page, in the manual DOCX
  and in the single-document DOCX; python-docx reads back that the heading keeps with the table.

On the shipped manual and on a manual of our own (``manual init`` plus a landscape register with English
labels and a card mixing Chinese and English labels; the appendix prints every form).  ``docx/fit.py``'s line breaking is also checked directly, on labels the shipped forms
broke badly before (客户编/号, 业务主管审/核, 纠正预防措/施).
"""
from __future__ import annotations

import re
import shutil
import subprocess

import docx
import pdfplumber
import pypdf
import pytest
from docx.oxml.ns import qn

from conftest import REPO, copy_manual, fill_placeholders, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is missing")]

REGISTER = """paper: A4-landscape
instructions: Keep one line per customer, in the order of the customer number; add new customers at the end.
sections:
  - title: Register information
    fields:
      - {id: period, label: Registration period, type: text, required: true, width: 2}
      - {id: keeper, label: Kept by, type: text, width: 1}
      - {id: made, label: Date compiled, type: date, width: 1}
  - title: Customers
    fields:
      - id: entries
        label: Customer list
        type: table
        rows: 15
        columns: [Customer number, Customer name, Category, Industry, Contact person, Telephone, Address,
                  Main products purchased, Salesperson in charge, Date of first order, Remarks]
  - title: Review
    fields:
      - {id: keeper_sign, label: Signature of the archive keeper, type: signature, width: 2}
      - {id: head_sign, label: Reviewed by the sales supervisor, type: signature, width: 2}
"""

CARD = """paper: A4
instructions: 每个客户一张。
sections:
  - title: 基本信息
    fields:
      - {id: cust_no, label: 客户编号, type: text, width: 1}
      - {id: name, label: 公司名称, type: text, required: true, width: 1}
      - {id: credit, label: 统一社会信用代码, type: text, width: 2}
      - {id: approve, label: 业务主管审核, type: text, width: 1}
      - {id: capa, label: 纠正预防措施, type: text, width: 1}
      - {id: web, label: 网址, type: text, width: 1}
      - {id: vat, label: VAT registration number, type: text, width: 1}
      - {id: bank, label: 开户银行及帐号, type: text, width: 2}
      - {id: amount, label: 年采购量（预计，万元）, type: number, width: 2}
      - {id: kind, label: 企业性质, type: choice, options: [国有, 民营, 外资, 合资, 其他], width: 2}
      - {id: note, label: Description of the customer's business, type: multiline, rows: 3}
      - id: contacts
        label: 联系人
        type: table
        rows: 3
        columns: [姓名, 职务, 电话, Electronic mail address, 备注]
  - title: 签字
    fields:
      - {id: filled_by, label: 填表人签字, type: signature, width: 2}
      - {id: checked_by, label: 业务主管审核, type: signature, width: 2}
"""


LONG = """paper: A4
instructions: Every field is two units wide, and some labels are single long English words.
sections:
  - title: Complaint information
    fields:
      - {id: f1, label: Counterfeit-suspected batch characteristics, type: text, required: true, width: 2}
      - {id: f2, label: 疑似假冒批次的特征与追溯信息, type: text, width: 2}
      - {id: f3, label: Internationalization, type: text, required: true, width: 2}
      - {id: f4, label: Electromagnetic compatibility, type: text, required: true, width: 2}
      - {id: f5, label: Description of the nonconformity, type: multiline, rows: 3}
  - title: Sign-off
    fields:
      - {id: sign, label: Signature of the quality assurance manager, type: signature, width: 4}
"""


def _convert(paths, outdir, profile):
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                             "--outdir", str(outdir), *map(str, paths)], capture_output=True, text=True, timeout=900)
    out = {p.stem: outdir / (p.stem + ".pdf") for p in paths}
    assert all(o.is_file() for o in out.values()), result.stdout + result.stderr
    return out


class Built:
    def __init__(self, root, manual):
        self.root, self.manual = root, manual
        dist = root / "dist"
        self.forms = sorted((dist / "forms").glob("*.docx"))
        self.all_documents = sorted((dist / "documents").glob("*.docx"))
        self.documents = self.all_documents[:3]  # converted and read: the first three single-document files

    @property
    def form_pdfs(self):
        return {p.stem: p.with_suffix(".pdf") for p in self.forms}


def _build(root, tmp) -> tuple[Built, dict]:
    result = run_cli("build", "docx", "forms", "--root", root, "--no-cache", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    built = Built(root, root / "dist" / "manual.docx")
    converted = _convert([built.manual, *built.forms, *built.documents], tmp / "lo", tmp / "lo-profile")
    return built, converted


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docx-fit-shipped")
    return _build(copy_manual(REPO, tmp / "shipped"), tmp)


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docx-fit-own")
    root = tmp / "own"
    assert run_cli("init", root).returncode == 0
    for title, sections in (("Customer Register", REGISTER), ("客户信息登记卡", CARD), ("Long Labels", LONG)):
        result = run_cli("new", "form", "--title", title, "--root", root)
        assert result.returncode == 0, result.stderr
        form = next(p for p in (root / "forms").glob("*.yaml") if f"title: {title}" in p.read_text(encoding="utf-8"))
        text = form.read_text(encoding="utf-8")
        text = re.sub(r"(?ms)^paper:.*?(?=^signoff:)", sections, text)
        form.write_text(text, encoding="utf-8")
    return _build(root, tmp)


@pytest.fixture(params=["shipped", "own"])
def built(request):
    return request.getfixturevalue(request.param)


# -- reading a PDF cell by cell ---------------------------------------------------------------------------------------
def _lines_of(chars) -> list[str]:
    """Characters as the lines they are drawn on, top to bottom; a gap wider than a space's is a space."""
    rows: dict[float, list] = {}
    for c in sorted(chars, key=lambda c: (c["top"], c["x0"])):
        key = next((k for k in rows if abs(k - c["top"]) < 2), c["top"])
        rows.setdefault(key, []).append(c)
    out = []
    for key in sorted(rows):
        cs = sorted(rows[key], key=lambda c: c["x0"])
        text = ""
        for a, b in zip([None, *cs], cs):
            if a is not None and b["x0"] - a["x1"] > 1.2 and not a["text"].isspace() and not b["text"].isspace():
                text += " "
            text += b["text"]
        out.append(" ".join(text.replace("\u00a0", " ").split()))
    return [line for line in out if line]


def _cells(page) -> list[list[str]]:
    """Every ruled cell of the page as its lines of text."""
    out = []
    for table in page.find_tables():
        for x0, top, x1, bottom in table.cells:
            chars = [c for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                     and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
            out.append(_lines_of(chars))
    return out


def _squash(text: str) -> str:
    return re.sub(r"[\s*]", "", text)


def _labels(root) -> set[str]:
    """The labels and table headers of a manual's forms, as its source gives them."""
    import yaml

    out = {"序号"}
    for path in (root / "forms").glob("*.yaml"):
        for section in yaml.safe_load(path.read_text(encoding="utf-8")).get("sections") or []:
            for f in section.get("fields") or []:
                if f.get("type") not in ("checkbox",):
                    out.add(str(f["label"]))
                for col in f.get("columns") or []:
                    out.add(str(col["label"] if isinstance(col, dict) else col))
    return out


def _label_cells(pdf, labels: set[str]):
    """(page, label, its lines) of every cell whose text is one of ``labels`` (a red star allowed)."""
    by_key = {_squash(label): label for label in labels}
    with pdfplumber.open(str(pdf)) as doc:
        for n, page in enumerate(doc.pages, 1):
            for lines in _cells(page):
                label = by_key.get(_squash("".join(lines)))
                if label is not None:
                    yield n, label, [line.rstrip("*").strip() for line in lines]


def _bad_lines(label: str, lines: list[str]) -> str:
    """Why these lines of ``label`` are wrong, or '' (one line; or lines of two characters at least and
    every Latin word whole)."""
    if len(lines) == 1:
        return ""
    words = set(re.findall(r"[A-Za-z0-9'’.\-]+", label))
    for line in lines:
        if len(line.replace(" ", "")) < 2:
            return f"a line of one character: {lines}"
        for token in re.findall(r"[A-Za-z0-9'’.\-]+", line):
            if token not in words:
                return f"a Latin word broken: {lines}"
    return ""


# -- labels and headers ----------------------------------------------------------------------------------------------
def test_form_labels_and_headers_never_leave_one_character_or_half_a_word_on_a_line(built):
    build, pdfs = built
    labels = _labels(build.root)
    seen, bad = 0, []
    for path in [build.manual, *build.forms]:
        for page, label, lines in _label_cells(pdfs[path.stem], labels):
            seen += 1
            why = _bad_lines(label, lines)
            if why:
                bad.append(f"{path.name} p.{page} {label!r}: {why}")
    assert seen > 40
    assert not bad, "\n".join(bad)


def test_long_labels_do_wrap_and_short_ones_do_not(own):
    """The check above is not idle: labels longer than their column break (at a space or between CJK
    characters), and the shipped forms' worst cases stand on one line or two even lines."""
    build, pdfs = own
    found = {label: lines for _, label, lines in _label_cells(pdfs[build.manual.stem], _labels(build.root))}
    assert found["Signature of the archive keeper"][0].startswith("Signature")
    assert len(found["Signature of the archive keeper"]) >= 2
    assert found["统一社会信用代码"] == ["统一社会", "信用代码"]
    for label in ("客户编号", "业务主管审核", "纠正预防措施"):
        assert found[label] == [label] or min(len(x) for x in found[label]) >= 2, (label, found[label])


def test_fit_breaks_labels_the_way_a_reader_expects():
    from generator.publishers.docx.fit import Face, fit

    face = Face(("Times New Roman",))
    em = 9.5
    assert fit("客户编号", 3.2 * em, em, face)[0] == ["客户", "编号"]  # not 客户编/号
    assert fit("业务主管审核", 5.5 * em, em, face)[0] == ["业务主", "管审核"]  # not 业务主管审/核
    assert fit("纠正预防措施", 6.6 * em, em, face)[0] == ["纠正预防措施"]
    lines, size = fit("年采购量（预计，万元）", 6.5 * em, em, face)
    assert all(not line.startswith(("，", "）")) and not line.endswith("（") for line in lines)
    lines, size = fit("Electronic", 4 * em, em, face)  # a word wider than its column: smaller, not broken
    assert lines == ["Electronic"] and size < em


# -- sheets ------------------------------------------------------------------------------------------------------------
def test_each_form_docx_is_as_many_sheets_as_its_pdf(built):
    build, pdfs = built
    assert build.forms
    for path in build.forms:
        want = len(pypdf.PdfReader(str(path.with_suffix(".pdf"))).pages)
        got = len(pypdf.PdfReader(str(pdfs[path.stem])).pages)
        assert got == want == 1, (path.name, got, want)


def test_the_english_register_is_one_landscape_sheet_in_the_appendix_too(own):
    build, pdfs = own
    reader = pypdf.PdfReader(str(pdfs[build.manual.stem]))
    pages = [i for i, page in enumerate(reader.pages) if "Customer list" in (page.extract_text() or "")]
    assert len(pages) == 1, pages
    box = reader.pages[pages[0]].mediabox
    assert box.width > box.height
    following = reader.pages[pages[0] + 1].extract_text() or "" if pages[0] + 1 < len(reader.pages) else ""
    assert "Reviewed by" not in following


# -- the metadata block and the sign-off -----------------------------------------------------------------------------
def _meta_cells(pdf) -> list[list[list[str]]]:
    """The cells of each metadata block (a table whose first cell is 编号, with a 状态 cell) in a converted DOCX."""
    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for page in doc.pages:
            for table in page.find_tables():
                cells = []
                for x0, top, x1, bottom in table.cells:
                    chars = [c for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 <= x1
                             and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
                    cells.append(_lines_of(chars))
                if cells and cells[0] == ["编号"] and ["状态"] in cells:
                    out.append(cells)
    return out


def test_metadata_blocks_have_no_empty_cell(built):
    build, pdfs = built
    blocks = _meta_cells(pdfs[build.manual.stem])
    for path in build.documents:
        blocks += _meta_cells(pdfs[path.stem])
    assert len(blocks) >= len(build.all_documents) + len(build.documents) > 0
    for cells in blocks:
        assert all(cells), cells


def _text(element) -> str:
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def _page_lines(pdf) -> list[list[str]]:
    with pdfplumber.open(str(pdf)) as doc:
        return [[_squash(line) for line in (page.extract_text() or "").splitlines()] for page in doc.pages]


def test_signoff_table_stands_under_its_heading_on_one_page(built):
    build, pdfs = built
    heading, table_head = "编制、审核与批准", _squash("签署 姓名 岗位 日期")
    for path in [build.manual, *build.documents]:
        tables = 0
        for n, lines in enumerate(_page_lines(pdfs[path.stem]), 1):
            for k, line in enumerate(lines):
                if line.startswith(table_head) and n > (2 if path == build.manual else 0):
                    tables += 1
                    assert k > 0 and lines[k - 1] == heading, (path.name, n, lines[max(0, k - 2):k + 1])
        assert tables >= (len(build.all_documents) if path == build.manual else 1), path.name
    # the heading keeps with the table: Heading 2, and its paragraph stands right before the table
    document = docx.Document(str(build.manual))
    assert document.styles["Heading 2"].paragraph_format.keep_with_next
    body = list(document.element.body)
    headings = [i for i, el in enumerate(body) if el.tag == qn("w:p") and _text(el) == heading]
    assert len(headings) == len(build.all_documents)
    for i in headings:
        assert body[i + 1].tag == qn("w:tbl")
        first = _text(body[i + 1].find(qn("w:tr")))
        assert first.startswith("签署姓名")


def test_metadata_rows_fill_the_grid_for_any_number_of_pairs():
    """However many pairs a document's metadata has, every row spans the whole grid and no cell is empty."""
    from conftest import MINIMAL
    from generator.model.build import read_manual
    from generator.publishers.docx import render as docx_pub

    manual = read_manual(MINIMAL)
    manual = manual[0] if isinstance(manual, tuple) else manual
    writer = docx_pub.Writer(manual, docx_pub.new_document(manual, "t", "zh-CN"), "zh-CN", allowed=None)
    writer.start_section(header_left="", header_right="", footer=None)
    for n in range(1, 10):
        table = writer.meta_table([(f"标签{i}", f"值{i}") for i in range(n)])
        grid = len(table._tbl.find(qn("w:tblGrid")))
        assert grid == 2 * min(n, docx_pub.META_PER_ROW)
        for tr in table._tbl.findall(qn("w:tr")):
            cells = tr.findall(qn("w:tc"))
            spans = [int(tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}").get(qn("w:val")))
                     if tc.find(f"{qn('w:tcPr')}/{qn('w:gridSpan')}") is not None else 1 for tc in cells]
            assert sum(spans) == grid, (n, spans)
            assert all(_text(tc) for tc in cells), n


def test_english_document_tables_never_break_a_word_in_their_headers(tmp_path):
    """The revision, sign-off, staffing and workflow tables of an English manual's DOCX: LibreOffice draws no
    header word split over two lines ("Versio/n"): a header column is widened to its longest word."""
    root = tmp_path / "en"
    assert run_cli("init", root, "--lang", "en").returncode == 0
    config = root / "manual" / "manual.yaml"
    config.write_text(re.sub(r"(?m)^locale: .*$", "locale: en", config.read_text(encoding="utf-8")), encoding="utf-8")
    fill_placeholders(root)  # (the cover's fingerprints written afresh, after the locale too)
    result = run_cli("build", "docx", "--root", root, "--no-cache", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    pdf = _convert([root / "dist" / "manual.docx"], tmp_path / "lo", tmp_path / "lo-profile")["manual"]
    broken = []
    with pdfplumber.open(str(pdf)) as doc:
        assert len(doc.pages) > 3
        for n, page in enumerate(doc.pages, 1):
            for lines in _cells(page):
                broken += [(n, lines) for a, b in zip(lines, lines[1:])
                           if re.search(r"[A-Za-z]$", a) and re.match(r"[a-z]", b)]
    assert not broken, broken


def test_long_english_labels_widen_their_column_instead_of_shrinking(own):
    """A form whose fields are all two units wide: its label column takes room from the wide value cells,
    so a single long word (Internationalization) stays whole and readable, not 6 pt (issue #17, review 5/8)."""
    build, pdfs = own
    chars = []
    for path in build.forms:
        with pdfplumber.open(pdfs[path.stem]) as pdf:
            if "Internationalization" in (pdf.pages[0].extract_text() or "").replace("\n", ""):
                chars = pdf.pages[0].chars
    words = {}
    for c in chars:
        words.setdefault(round(c["top"]), []).append(c)
    found = {}
    for line in words.values():
        line.sort(key=lambda c: c["x0"])
        text = "".join(c["text"] for c in line)
        for word in ("Internationalization", "Counterfeit-suspected", "Electromagnetic"):
            if word in text:
                found[word] = min(c["size"] for c in line if c["text"] in word)
    assert set(found) == {"Internationalization", "Counterfeit-suspected", "Electromagnetic"}, found
    assert min(found.values()) >= 7.5, found
