"""The layout audit: the finish of the printed outputs, checked on the built files so that it stays fixed.

The shipped manual, a fixture manual (the minimal one plus a form of every field type, a wide
register and a form of 80 fields that cannot fit one sheet), an English manual (``manual init``,
``locale: en``, forms and a workflow with long English labels) and a manual numbered YD-… are built
once each through the ``manual`` command with the real WeasyPrint; the files are read back with
pypdf and pdfplumber, the DOCX through LibreOffice's own layout.

Each check is an audit function that returns what it found wrong (so a test can also show that it
finds a fault: the 80-field form).  Nothing is matched on Chinese words: documents and forms are
found by the codes of the manual's model, headings by the label catalogue in the manual's language.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import docx
import pdfplumber
import pypdf
import pytest
from docx.oxml.ns import qn

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, fill_placeholders, run_cli
from generator.labels import labels
from generator.rules.check import read_manual

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("layout-audit")]

MM = 72 / 25.4
MIN_LINES = 4  # a page between the first document and the appendix holds at least this many lines
FORM_PDF_LIMIT = 400_000  # bytes: a blank fillable form small enough to email


# -- building ---------------------------------------------------------------------------------------
@dataclass
class Built:
    """A built manual: its outputs, its language and the codes of its documents and forms."""

    root: Path
    dist: Path
    lang: str
    documents: list[str]
    forms: list[str]

    def words(self) -> dict:
        w = labels(self.lang)
        return {**w["field"], **w["print"], "step": w["step"]}


def _build(root: Path, *targets: str) -> Built:
    result = run_cli("build", *(targets or ("pdf", "forms")), "--quiet", "--jobs", "2", cwd=root, timeout=1200)
    assert result.returncode == 0, result.stdout + result.stderr
    manual, _ = read_manual(root)
    return Built(root, root / "dist", manual.locale, [d.code for d in manual.documents],
                 [f.code for f in (manual.forms.values() if isinstance(manual.forms, dict) else manual.forms)])


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Built:
    return _build(copy_manual(REPO, tmp_path_factory.mktemp("audit") / "shipped"), "pdf", "forms", "docx")


@pytest.fixture(scope="module")
def shipped_dist(shipped) -> Path:
    return shipped.dist


@pytest.fixture(scope="module")
def fixture_dist(tmp_path_factory) -> Path:
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("audit") / "fixture")
    for name in ("all-types", "long-form", "wide-register"):
        shutil.copy2(FIXTURES / "forms" / f"{name}.yaml", root / "forms" / f"{name}.yaml")
    return _build(root).dist


# -- reading -------------------------------------------------------------------------------------------
def outline(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, 0-based page) of every bookmark, in order."""
    reader = pypdf.PdfReader(str(path))
    out: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, str(item.title), reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s", "", text)


def _body_lines(page) -> list[dict]:
    """The text lines of a page's body (running header and footer left out), top to bottom."""
    return [ln for ln in page.extract_text_lines() if 20 * MM < ln["top"] and ln["bottom"] < page.height - 18 * MM]


def _lines(page) -> list[float]:
    """The tops of the text lines of a page's body."""
    return sorted({round(w["top"] / 3) for w in page.extract_words()
                   if 20 * MM < w["top"] and w["bottom"] < page.height - 18 * MM})


def _first_word(title: str) -> str:
    return title.split(" ")[0].split("\u3000")[0]


def document_pages(path: Path, codes: list[str]) -> dict[str, range]:
    """{document code: its pages (0-based)} by the bookmarks that start with a document's code, up to
    the next bookmark of any level (the forms after a document in its own PDF are not its pages)."""
    marks = outline(path)
    total = len(pypdf.PdfReader(str(path)).pages)
    out = {}
    for i, (depth, title, page) in enumerate(marks):
        if depth == 0 and _first_word(title) in codes:
            following = [p for _, _, p in marks[i + 1:] if p > page]
            out[_first_word(title)] = range(page, following[0] if following else total)
    return out


# -- the audit: PDF -------------------------------------------------------------------------------------
def pdf_form_sheets(path: Path, codes: list[str] | None = None) -> dict[str, int]:
    """{form bookmark: pages it takes} of a PDF's forms (bookmarks that start with a form code of
    ``codes``, or with something holding -F when no codes are given)."""
    marks = outline(path)
    total = len(pypdf.PdfReader(str(path)).pages)
    sheets = {}
    for i, (_, title, page) in enumerate(marks):
        first = _first_word(title)
        if (first not in codes) if codes is not None else ("-F" not in first):
            continue
        following = [p for _, _, p in marks[i + 1:] if p > page]
        sheets[title] = (following[0] if following else total) - page
    return sheets


def pdf_standalone_sheets(folder: Path) -> dict[str, int]:
    return {pdf.stem: len(pypdf.PdfReader(str(pdf)).pages) for pdf in sorted(folder.glob("*.pdf"))}


def pdf_sparse_pages(path: Path, codes: list[str] | None = None) -> list[tuple[int, int]]:
    """(page number, lines) of each page from the first document to the appendix with fewer than
    MIN_LINES lines of text: a stranded block.  Documents are the bookmarks starting with one of
    ``codes`` (default: a digit)."""
    marks = outline(path)
    is_doc = (lambda t: _first_word(t) in codes) if codes is not None else (lambda t: t[:1].isdigit())
    docs = [p for d, t, p in marks if d == 0 and is_doc(t)]
    appendix = [p for d, t, p in marks if d == 0 and not is_doc(t) and docs and p > docs[0]]
    with pdfplumber.open(str(path)) as pdf:
        end = appendix[0] if appendix else len(pdf.pages)
        out = []
        for n in range(docs[0] if docs else 0, end):
            lines = len(_lines(pdf.pages[n]))
            if lines < MIN_LINES:
                out.append((n + 1, lines))
        return out


def pdf_split_signoffs(path: Path, lang: str = "zh-CN") -> tuple[int, list[int]]:
    """(sign-off tables found, pages where one is split): a sign-off heading (the catalogue's, in
    ``lang``) must have its three rows (prepared, reviewed, approved) below it on the same page."""
    w = labels(lang)
    heading = _squash(w["print"]["signoff_heading"])
    steps = [_squash(w["step"][s]) for s in ("prepared", "reviewed", "approved")]
    found, split = 0, []
    with pdfplumber.open(str(path)) as pdf:
        for n, page in enumerate(pdf.pages):
            lines = page.extract_text_lines()
            for head in [ln for ln in lines if _squash(ln["text"]) == heading]:
                found += 1
                below = [_squash(ln["text"]) for ln in lines if ln["top"] > head["bottom"]]
                if not all(any(b.startswith(step) for b in below) for step in steps):
                    split.append(n + 1)
    return found, split


def pdf_closing_alone(path: Path, codes: list[str], lang: str = "zh-CN") -> list[tuple[str, int]]:
    """(document, page number) of every page that holds only a document's closing block (the forms it
    uses, its revision history, its sign-off) and nothing of its body, whatever its line count."""
    w = labels(lang)["field"]
    openers = {_squash(w["forms"]), _squash(w["revisions"])}
    out = []
    with pdfplumber.open(str(path)) as pdf:
        for code, pages in document_pages(path, codes).items():
            started = False
            for n in pages:
                lines = _body_lines(pdf.pages[n])
                if not lines:
                    continue
                if started:  # a page after the one where the closing began: closing only
                    out.append((code, n + 1))
                    continue
                tops = [i for i, ln in enumerate(lines) if _squash(ln["text"]) in openers]
                if tops:
                    started = True
                    if tops[0] == 0:
                        out.append((code, n + 1))
    return out


def pdf_small_chart_text(path: Path, first: str, caption: str) -> list[float]:
    """Sizes (pt) under 9 of the text of a chart: from the line starting with ``first`` (or the 40 pt
    above it, the lane headers) down to the caption starting with ``caption``."""
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines()
            tops = [ln["top"] for ln in lines if ln["text"].replace(" ", "").startswith(first.replace(" ", ""))]
            ends = [ln["top"] for ln in lines if ln["text"].replace(" ", "").startswith(caption.replace(" ", ""))]
            if tops and ends:
                return sorted({round(c["size"], 2) for c in page.chars
                               if tops[0] - 40 <= c["top"] < ends[-1] and c["size"] < 8.95})
    raise AssertionError(f"no chart starting {first!r} above {caption!r} in {path.name}")


def pdf_page_mode(path: Path) -> str:
    return str(pypdf.PdfReader(str(path)).trailer["/Root"].get("/PageMode"))


def pdf_split_words(path: Path, words: list[str]) -> list[str]:
    """The ``words`` (Latin words of labels, headers, chart boxes) that the PDF splits across lines: a
    word's first part (2 letters or more) ending a line and the rest beginning the line below it, in the
    same column (a table cell or a chart box)."""
    out = set()
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            found = [(m.group(0), w) for w in page.extract_words() for m in [re.search(r"[A-Za-z]+$", w["text"])] if m]
            starts = [(m.group(0), w) for w in page.extract_words() for m in [re.match(r"[A-Za-z]+", w["text"])] if m]
            for word in words:
                for k in range(2, len(word) - 1):
                    head, tail = word[:k], word[k:]
                    for text, w in found:
                        if text != head:
                            continue
                        if any(t == tail and 0 < n["top"] - w["bottom"] < 2 * (w["bottom"] - w["top"])
                               and abs(n["x0"] - w["x0"]) < 60 for t, n in starts):
                            out.add(word)
    return sorted(out)


# -- the audit: DOCX, through LibreOffice's layout ---------------------------------------------------------------
def docx_to_pdf(path: Path, outdir: Path) -> Path:
    outdir.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["soffice", f"-env:UserInstallation=file://{outdir / 'profile'}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(outdir), str(path)],
                            capture_output=True, text=True, timeout=600)
    out = outdir / (path.stem + ".pdf")
    assert out.is_file(), result.stdout + result.stderr
    return out


def docx_toc(path: Path) -> list[tuple[str, int]]:
    """The contents list as written in the DOCX: (entry text, the page its PAGEREF result says)."""
    document = docx.Document(str(path))
    out = []
    for h in document.element.body.iter(qn("w:hyperlink")):
        instr = "".join(t.text or "" for t in h.iter(qn("w:instrText")))
        if "PAGEREF" not in instr:
            continue
        texts = [t.text or "" for t in h.iter(qn("w:t"))]
        out.append((texts[0], int(texts[-1])))
    return out


def docx_toc_off(docx_path: Path, pages: list[str]) -> list[tuple[str, int, list[int]]]:
    """(entry, page the contents field says, pages LibreOffice puts it on) of every entry of the contents
    field whose page number is not where its heading lands; [] if the field carries none."""
    toc = docx_toc(docx_path)
    assert len(toc) >= 3, "the contents field carries no page numbers"
    out = []
    for title, page in toc:
        want = _squash(title)
        landing = [i for i, text in enumerate(pages, 1) if i > 2
                   and any(_squash(line) == want for line in text.splitlines())]
        if landing[:1] != [page]:
            out.append((title, page, landing[:1]))
    return out


def docx_split_signoffs(pages: list[str], lang: str) -> tuple[int, list[int]]:
    """(sign-off tables found, pages where one is split or stands without the revision history before
    it).  Read on each page's text with line breaks and spaces removed, so that a word LibreOffice
    breaks in a narrow cell (English "Approve/d") still reads whole."""
    w = labels(lang)
    f = w["field"]
    head = _squash(f["signoff"] + f["name"] + f["role"] + f["date"])
    last, revisions = _squash(w["step"]["approved"]), _squash(f["revisions"])
    seen, bad = 0, []
    for i, text in enumerate(pages[2:], 3):
        flat = _squash(text)
        at = flat.find(head)
        while at >= 0:
            seen += 1
            nxt = flat.find(head, at + 1)
            table = flat[at:nxt if nxt > 0 else len(flat)]
            if last not in table[:400] or revisions not in flat[:at]:
                bad.append(i)
            at = nxt
    return seen, bad


# -- the shipped manual -----------------------------------------------------------------------------------
SHIPPED_FORMS = ("customer-register", "customer-card", "customer-review", "archive-access-request",
                 "archive-loan-register", "customer-visit-record", "quality-objection-report")


def test_shipped_forms_are_one_sheet_in_the_appendix(shipped):
    sheets = pdf_form_sheets(shipped.dist / "manual.pdf", shipped.forms)
    assert len(sheets) == len(SHIPPED_FORMS)
    assert {title: n for title, n in sheets.items() if n != 1} == {}


def test_shipped_forms_are_one_sheet_standalone(shipped_dist):
    sheets = pdf_standalone_sheets(shipped_dist / "forms")
    assert set(sheets) == set(SHIPPED_FORMS)
    assert {form: n for form, n in sheets.items() if n != 1} == {}


def test_shipped_documents_forms_are_one_sheet_in_each_documents_pdf(shipped_dist):
    for pdf in sorted((shipped_dist / "documents").glob("*.pdf")):
        assert {t: n for t, n in pdf_form_sheets(pdf).items() if n != 1} == {}, pdf.name
        # No empty divider page: the first page after the document is a form, and each page has text.
        reader = pypdf.PdfReader(str(pdf))
        assert all(len((p.extract_text() or "").strip()) > 40 for p in reader.pages), pdf.name


def test_shipped_manual_has_no_stranded_pages(shipped):
    assert pdf_sparse_pages(shipped.dist / "manual.pdf", shipped.documents) == []


def test_no_page_holds_only_a_closing_block(shipped):
    """After a chart (0102's org chart, 0104's swimlane chart) or a long table, the revision history and
    the sign-off keep something of the body with them."""
    assert pdf_closing_alone(shipped.dist / "manual.pdf", shipped.documents, shipped.lang) == []
    for pdf in sorted((shipped.dist / "documents").glob("*.pdf")):
        assert pdf_closing_alone(pdf, shipped.documents, shipped.lang) == [], pdf.name


def test_shipped_signoff_tables_are_never_split(shipped):
    found, split = pdf_split_signoffs(shipped.dist / "manual.pdf", shipped.lang)
    assert (found, split) == (len(shipped.documents), [])
    for pdf in sorted((shipped.dist / "documents").glob("*.pdf")):
        assert pdf_split_signoffs(pdf, shipped.lang) == (1, []), pdf.name


def test_shipped_charts_print_no_text_under_9pt(shipped_dist):
    docs = shipped_dist / "documents"
    assert pdf_small_chart_text(docs / "0104-2014.pdf", "1. 客户开发", "工作流程：") == []
    assert pdf_small_chart_text(docs / "0102-2014.pdf", "业务经理", "组织框架图") == []


def test_shipped_pdfs_open_with_bookmarks(shipped_dist):
    assert pdf_page_mode(shipped_dist / "manual.pdf") == "/UseOutlines"
    assert pdf_page_mode(shipped_dist / "documents" / "0104-2014.pdf") == "/UseOutlines"


def test_shipped_form_pdfs_are_small_enough_to_email(shipped_dist):
    sizes = {pdf.name: pdf.stat().st_size for pdf in (shipped_dist / "forms").glob("*.pdf")}
    assert {name: size for name, size in sizes.items() if size > FORM_PDF_LIMIT} == {}


# -- the fixture manual: forms of our own -------------------------------------------------------------------
# Forms of the fixtures that cannot fit their paper, which the audit must report: the 80-field form
# (A4), and the form of every field type, laid out on A5 landscape (half an A4 sheet).
TOO_LONG = {"long-form": "0102-F2 超长测试表", "all-types": "0102-F1 全类型测试表"}


def test_fixture_forms_fit_one_sheet_except_those_that_cannot(fixture_dist):
    appendix = pdf_form_sheets(fixture_dist / "manual.pdf")
    standalone = pdf_standalone_sheets(fixture_dist / "forms")
    assert set(appendix) == {"0101-F1 客户回访记录表", "0102-F3 订货登记簿", *TOO_LONG.values()}
    # The audit reports the forms that take more than one sheet, and only those: they are not cut.
    assert {t for t, n in appendix.items() if n != 1} == set(TOO_LONG.values())
    assert {f for f, n in standalone.items() if n != 1} == set(TOO_LONG)
    assert appendix["0102-F2 超长测试表"] >= 2 and standalone["long-form"] >= 2


def test_a_form_that_cannot_fit_prints_every_field(fixture_dist):
    reader = pypdf.PdfReader(str(fixture_dist / "forms" / "long-form.pdf"))
    text = "".join(p.extract_text() or "" for p in reader.pages)
    assert all(f"第{n}项" in text for n in range(1, 81))  # nothing cut off
    assert set(reader.get_fields()) >= {f"f{n:02d}" for n in range(1, 81)} | {"sign"}
    with pdfplumber.open(str(fixture_dist / "manual.pdf")) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert all(f"第{n}项" in text for n in range(1, 81))


def test_a_wide_register_fills_one_landscape_sheet(fixture_dist):
    path = fixture_dist / "forms" / "wide-register.pdf"
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height
    rows = {name.split("_")[1] for name in reader.get_fields() if name.startswith("orders_")}
    assert len(rows) > 8  # more rows than the 8 declared: they fill the sheet
    with pdfplumber.open(str(path)) as pdf:
        p = pdf.pages[0]
        bottom = max(r["bottom"] for r in p.rects)
        assert bottom > p.height - 14 * MM - 30 * MM  # the ruled rows reach the foot of the page box
        # No line of a column header holds one character alone.
        words = p.extract_words()
        no = next(w for w in words if w["text"] == "序号")
        alone = [w["text"] for w in words if abs(w["top"] - no["top"]) < 14 and len(w["text"]) == 1]
        assert alone == []


def test_fixture_manual_has_no_stranded_pages_or_split_signoffs(fixture_dist):
    path = fixture_dist / "manual.pdf"
    assert pdf_sparse_pages(path) == []
    found, split = pdf_split_signoffs(path)
    assert (found, split) == (2, [])
    assert pdf_page_mode(path) == "/UseOutlines"


def test_the_audit_finds_a_closing_block_alone(tmp_path):
    """A page that starts with the revision history (the closing block, nothing of the body) is a failure
    however many lines it has; a closing block under the last lines of its body is not."""
    from weasyprint import HTML

    lines = "".join(f"<p>第{n}条 正文。</p>" for n in range(1, 9))
    closing = "<h2>修订记录</h2><p>1.0 2020-01-01 首次发布</p><h2>编制、审核与批准</h2>" + \
        "".join(f"<p>{s} 示例 业务员 2020-01-01</p>" for s in ("编制", "审核", "批准"))
    style = "<style>@page { size: A4; margin: 25mm 20mm } h2 { bookmark-level: none }</style>"
    alone = tmp_path / "alone.pdf"
    HTML(string=f"{style}<h1>0101-2020 标题</h1>{lines}<div style='break-before: page'>{closing}</div>"
                "<h1 style='break-before: page'>0102-2020 另一</h1><p>正文。</p>").write_pdf(alone)
    kept = tmp_path / "kept.pdf"
    HTML(string=f"{style}<h1>0101-2020 标题</h1>{lines}{closing}").write_pdf(kept)
    codes = ["0101-2020", "0102-2020"]
    assert pdf_closing_alone(alone, codes) == [("0101-2020", 2)]
    assert pdf_closing_alone(kept, codes) == []


def test_the_audit_finds_a_split_word(tmp_path):
    """A label cell too narrow for its word, broken anywhere, is found; the same label wrapped between
    words is not."""
    from weasyprint import HTML

    cell = "<table style='border-collapse: collapse'><tr><td style='width: {w}; border: 1px solid; {extra}'>" \
           "Unified social credit code</td><td>value</td></tr></table>"
    split = tmp_path / "split.pdf"
    HTML(string=cell.format(w="12mm", extra="overflow-wrap: anywhere; word-break: break-all")).write_pdf(split)
    whole = tmp_path / "whole.pdf"
    HTML(string=cell.format(w="20mm", extra="")).write_pdf(whole)
    assert pdf_split_words(split, ["Unified", "social", "credit"]) != []
    assert pdf_split_words(whole, ["Unified", "social", "credit"]) == []


# -- an English manual and a manual numbered YD-…: the audit speaks their language ---------------------------
EN_CARD = """# an English form with long labels
id: account-card
code: 0105-F2
title: Customer account card
version: "1.0"
status: effective
effective: 2026-11-30
owner: 业务主管
paper: A4
instructions: Fill in when a customer account is opened.
sections:
  - title: Customer
    fields:
      - {id: number, label: Customer number, type: text, required: true, width: 1}
      - {id: credit, label: Unified social credit code, type: text, required: true, width: 1}
      - {id: department, label: Responsible department, type: text, width: 1}
      - {id: representative, label: Responsibilities, type: text, width: 1}
      - {id: address, label: Registered office address, type: text, width: 4}
      - id: contacts
        label: Contacts
        type: table
        rows: 3
        columns: [Contact person, Responsible department, Telephone number, Unified social credit code]
  - title: Approval
    fields:
      - {id: sign, label: Approved by, type: signature, width: 4}
signoff:
  prepared: {name: 张明, role: 业务主管, date: 2026-11-30, sample: true}
  reviewed: {name: 李华, role: 部门经理, date: 2026-11-30, sample: true}
  approved: {name: 王强, role: 总经理, date: 2026-11-30, sample: true, version: "1.0"}
revisions:
  - {version: "1.0", date: 2026-11-30, summary: First issue, by: Sales}
"""

EN_REGISTER = """id: account-register
code: 0105-F3
title: Customer account register
version: "1.0"
status: effective
effective: 2026-11-30
owner: 业务主管
paper: A4
sections:
  - title: Register
    fields:
      - {id: period, label: Registration period, type: text, width: 2}
      - {id: keeper, label: Kept by, type: text, width: 2}
      - id: accounts
        label: Accounts
        type: table
        rows: 30
        columns: [Customer number, Customer name, Responsible department, Unified social credit code, Telephone]
signoff:
  prepared: {name: 张明, role: 业务主管, date: 2026-11-30, sample: true}
  reviewed: {name: 李华, role: 部门经理, date: 2026-11-30, sample: true}
  approved: {name: 王强, role: 总经理, date: 2026-11-30, sample: true, version: "1.0"}
revisions:
  - {version: "1.0", date: 2026-11-30, summary: First issue, by: Sales}
"""

EN_WORKFLOW = """workflow:
  - {id: receive, title: Receive and register the customer's purchase order, role: 业务员, forms: [account-card]}
  - {id: assign, title: Responsibility assignment to the responsible department, role: Responsible department}
  - {id: review, title: Creditworthiness verification, role: 业务主管, forms: [account-register]}
  - {id: approve, title: Authorization of exceptional conditions, role: 部门经理}
"""

LONG_WORDS = ["Unified", "social", "credit", "Customer", "number", "Responsible", "department", "Responsibilities",
              "Registered", "Contact", "Telephone", "Creditworthiness", "verification", "Authorization",
              "exceptional", "conditions", "assignment", "Responsibility", "Representative"]


def _unfingerprint(root: Path) -> None:
    """Edited examples: their recorded fingerprints would no longer match, so the sign-offs keep none."""
    for path in [root / "manual" / "manual.yaml", *root.glob("policies/*.md"), *root.glob("forms/*.yaml")]:
        path.write_text(re.sub(r",\s*fingerprint: sha256:[0-9a-f]+", "", path.read_text(encoding="utf-8")),
                        encoding="utf-8")


@pytest.fixture(scope="module")
def english(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("audit") / "english"
    assert run_cli("init", root, "--lang", "en").returncode == 0
    fill_placeholders(root)  # the company and the signers (张明, 李华, 王强), as a user fills them in
    config = root / "manual" / "manual.yaml"
    config.write_text(re.sub(r"(?m)^locale: .*$", "locale: en", config.read_text(encoding="utf-8")), encoding="utf-8")
    roles = root / "manual" / "roles.yaml"
    roles.write_text(roles.read_text(encoding="utf-8").rstrip() + "\n  - {id: Responsible department, external: true}\n",
                     encoding="utf-8")
    (root / "forms" / "account-card.yaml").write_text(EN_CARD, encoding="utf-8")
    (root / "forms" / "account-register.yaml").write_text(EN_REGISTER, encoding="utf-8")
    procedure = next(p for p in (root / "policies").glob("*.md") if "\nworkflow:" in p.read_text(encoding="utf-8"))
    text = procedure.read_text(encoding="utf-8")
    text = re.sub(r"(?ms)^workflow:.*?(?=^signoff:)", EN_WORKFLOW, text)
    text = re.sub(r"(?m)^uses_forms: .*$", "uses_forms: [visit-record, account-card, account-register]", text)
    procedure.write_text(text, encoding="utf-8")
    _unfingerprint(root)
    return _build(root, "pdf", "forms", "docx")


@pytest.fixture(scope="module")
def prefixed(tmp_path_factory) -> Built:
    from test_code_schemes import SCHEMES, rewrite

    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("audit") / "prefixed")
    scheme, chapter, codes, form_code, _, _ = SCHEMES["YD-NNNN-YYYY"]
    rewrite(root, scheme, chapter, codes, form_code)
    return _build(root, "pdf", "forms", "docx")


@pytest.fixture(params=["shipped", "english", "prefixed"])
def any_manual(request) -> Built:
    return request.getfixturevalue(request.param)


def test_the_whole_pdf_audit_passes(any_manual):
    m = any_manual
    manual = m.dist / "manual.pdf"
    assert m.documents and m.forms
    assert {t: n for t, n in pdf_form_sheets(manual, m.forms).items() if n != 1} == {}
    assert len(pdf_form_sheets(manual, m.forms)) == len(m.forms)
    assert {f: n for f, n in pdf_standalone_sheets(m.dist / "forms").items() if n != 1} == {}
    assert pdf_sparse_pages(manual, m.documents) == []
    assert pdf_closing_alone(manual, m.documents, m.lang) == []
    found, split = pdf_split_signoffs(manual, m.lang)
    assert (found, split) == (len(m.documents), [])  # found by the heading of the manual's own language
    assert pdf_page_mode(manual) == "/UseOutlines"
    sizes = {pdf.name: pdf.stat().st_size for pdf in (m.dist / "forms").glob("*.pdf")}
    assert {name: size for name, size in sizes.items() if size > FORM_PDF_LIMIT} == {}


def test_english_words_are_never_split(english):
    """Form labels, table headers and swimlane boxes with long English words: every word whole on a line."""
    for path in [english.dist / "manual.pdf", *(english.dist / "forms").glob("*.pdf")]:
        assert pdf_split_words(path, LONG_WORDS) == [], path.name
    with pdfplumber.open(str(english.dist / "forms" / "account-card.pdf")) as pdf:
        text = "\n".join(ln["text"] for ln in pdf.pages[0].extract_text_lines())
    for word in ("Unified", "Responsibilities", "Telephone", "department"):
        assert re.search(rf"\b{word}\b", text), word


def test_english_register_prints_its_30_rows_down_to_the_foot(english):
    path = english.dist / "forms" / "account-register.pdf"
    reader = pypdf.PdfReader(str(path))
    assert len(reader.pages) == 1
    rows = {name.split("_")[1] for name in reader.get_fields() if name.startswith("accounts_")}
    assert len(rows) == 30  # every declared row printed
    with pdfplumber.open(str(path)) as pdf:
        page = pdf.pages[0]
        ruled = max(r["bottom"] for r in page.rects)
        # The rows reach the foot of the page box (A4 less its 14 mm margin): what is left is the room
        # the form's own footer line takes in the manual's appendix and a margin of safety, no blank band.
        assert page.height - 14 * MM - ruled < 9 * MM


def test_docx_contents_field_carries_the_pages_headings_land_on(any_manual, tmp_path):
    """The DOCX's contents field holds page numbers (its current result), and they are the pages
    LibreOffice lays the headings out on; no sign-off table is split or stands without its revisions."""
    pdf = docx_to_pdf(any_manual.dist / "manual.docx", tmp_path / "lo")
    pages = [page.extract_text() or "" for page in pypdf.PdfReader(str(pdf)).pages]
    off = docx_toc_off(any_manual.dist / "manual.docx", pages)
    if any_manual.lang == "en":
        # README: Latin text breaks lines differently from font to font, so a number may be one page
        # off until Word updates the field; never more, and never missing.
        off = [(title, page, landing) for title, page, landing in off if not landing or abs(landing[0] - page) > 1]
    assert off == []
    seen, bad = docx_split_signoffs(pages, any_manual.lang)
    assert seen >= len(any_manual.documents) and bad == []


# -- charts at print size, headings kept with what follows (review of issue #17) ----------------------------------
BODY_TOP = 23.5 * MM  # the page's top margin is 24 mm: a running header of any number of lines sits above this
BODY_FOOT = 21.5 * MM  # the bottom margin is 22 mm: the running footer sits below this


def _body_band(page) -> list[dict]:
    """The text lines of a page's body, whatever the running header's or footer's line count."""
    return [ln for ln in page.extract_text_lines() if BODY_TOP < ln["top"] and ln["bottom"] < page.height - BODY_FOOT]


def pdf_chart_text_sizes(path: Path, caption: str) -> dict[int, float]:
    """{page number: the smallest text size (pt)} of every part of a chart whose caption starts with
    ``caption``: the body text from the top of the page (or the chart's heading) down to the caption."""
    out = {}
    key = _squash(caption)
    with pdfplumber.open(str(path)) as pdf:
        for n, page in enumerate(pdf.pages):
            lines = _body_band(page)
            ends = [ln["top"] for ln in lines if _squash(ln["text"]).startswith(key)]
            if not ends:
                continue
            sizes = [c["size"] for c in page.chars
                     if BODY_TOP < c["top"] < ends[-1] and c["bottom"] < page.height - BODY_FOOT]
            out[n + 1] = round(min(sizes), 2)
    return out


def pdf_stranded_headings(path: Path, codes: list[str], body_size: float = 10.6) -> list[tuple[int, str]]:
    """(page number, text) of every page whose body ends with a heading (a line all in text larger
    than the body's, alone on its page or not): the heading's chart, table or text went to the next page.
    The running header and footer are left out by their bands, not by counting lines.  The pages are
    the documents' (by the bookmarks of ``codes``), not a divider page that is only a heading."""
    out = []
    pages = sorted({n for r in document_pages(path, codes).values() for n in r})
    with pdfplumber.open(str(path)) as pdf:
        for n in pages[:-1]:
            page = pdf.pages[n]
            lines = _body_band(page)
            if not lines:
                continue
            last = lines[-1]
            chars = [c for c in last["chars"] if c["text"].strip()]
            if chars and min(c["size"] for c in chars) > body_size:
                out.append((n + 1, last["text"]))
    return out


BILINGUAL_COLUMNS = ["Date received 接收日期", "Customer name 客户名称", "Product and batch 产品及批号",
                     "Nonconformity description 不合格描述", "Responsible 责任人", "Closed 关闭日期"]
LONG_CJK_TITLE = "客户投诉与纠正预防措施实施效果跟踪验证登记台账"  # 21 characters a line on A4: 2 left over


def _long_steps(n: int) -> str:
    roles = ["业务主管", "部门经理", "总经理", "业务员"]
    steps = [f"  - {{id: s{i}, title: 'Verify the internationalization requirements of order {i} 核对技术规格书', "
             f"role: {roles[(i - 1) % 4]}, description: 'Check the customer specification and incoterms {i}'"
             + (", forms: [visit-record]" if i % 5 == 0 else "") + "}" for i in range(1, n + 1)]
    return "workflow:\n" + "\n".join(steps) + "\n"


@pytest.fixture(scope="module")
def long_workflow(tmp_path_factory) -> Built:
    """An English manual (``manual init --lang en``, ``locale: en``) printed with a 10 mm binding gutter, whose
    procedure 0103 keeps its 4-step workflow and a new procedure 0106 has an 18-step one across 4 roles."""
    root = tmp_path_factory.mktemp("audit") / "long"
    assert run_cli("init", root, "--lang", "en").returncode == 0
    fill_placeholders(root)
    config = root / "manual" / "manual.yaml"
    text = re.sub(r"(?m)^locale: .*$", "locale: en", config.read_text(encoding="utf-8"))
    procedure = next(p for p in (root / "policies").glob("*.md") if "\nworkflow:" in p.read_text(encoding="utf-8"))
    code = procedure.stem
    new_code = "0106" + code[4:]
    text = text.replace(f"0105{code[4:]}]", f"0105{code[4:]}, {new_code}]")  # the contents list names it
    config.write_text(text.rstrip() + "\nprint: {binding_gutter_mm: 10}\n", encoding="utf-8")
    body = procedure.read_text(encoding="utf-8").replace(f"code: {code}", f"code: {new_code}")
    body = re.sub(r"(?m)^title: .*$", "title: Customer Complaint Handling and Corrective Action Procedure", body)
    body = re.sub(r"(?ms)^workflow:.*?(?=^signoff:)", _long_steps(18), body)
    (root / "policies" / f"{new_code}.md").write_text(body, encoding="utf-8")
    register = re.sub(r"columns: \[.*\]", "columns: [" + ", ".join(BILINGUAL_COLUMNS) + "]", EN_REGISTER)
    (root / "forms" / "account-register.yaml").write_text(register, encoding="utf-8")
    (root / "forms" / "long-title.yaml").write_text(
        register.replace("id: account-register", "id: long-title").replace("code: 0105-F3", "code: 0105-F4")
        .replace("title: Customer account register", f"title: {LONG_CJK_TITLE}").replace("rows: 30", "rows: 20"),
        encoding="utf-8")
    _unfingerprint(root)
    return _build(root, "pdf", "forms")


def test_a_long_workflow_runs_on_across_pages_never_under_9pt_with_a_gutter(long_workflow):
    """Review of #17, 1 and 3: the 18-step chart is not scaled down to one page but runs on in parts
    (lanes repeated, numbers continuing); with a 10 mm binding gutter the 4-step chart is laid out for
    the narrower text width: no chart text under 9 pt, part by part."""
    w = labels("en")
    caption = w["print"]["workflow"] + w["print_text"]["colon"]
    assert "0106-2026" in long_workflow.documents
    for path in (long_workflow.dist / "manual.pdf", long_workflow.dist / "documents" / "0106-2026.pdf",
                 long_workflow.dist / "documents" / "0103-2026.pdf"):
        sizes = pdf_chart_text_sizes(path, caption)
        assert sizes and min(sizes.values()) >= 8.95, (path.name, sizes)
    parts = pdf_chart_text_sizes(long_workflow.dist / "documents" / "0106-2026.pdf", caption)
    assert len(parts) >= 2  # the long chart runs on
    with pdfplumber.open(str(long_workflow.dist / "documents" / "0106-2026.pdf")) as pdf:
        for n in parts:  # every part repeats the lanes, in English (roles.yaml en:), and goes on numbering
            text = _squash(pdf.pages[n - 1].extract_text())
            assert "SalesRepresentative" in text and "业务员" not in text.split("Workflow")[1][:80], n
        assert "18.Verify" in _squash("".join(pdf.pages[n - 1].extract_text() for n in parts))


def test_no_heading_ends_a_page(long_workflow, shipped):
    """Review of #17, 2: a heading stays with its chart or table, whatever the running header's lines."""
    assert pdf_stranded_headings(shipped.dist / "manual.pdf", shipped.documents) == []
    for path in (long_workflow.dist / "manual.pdf", *(long_workflow.dist / "documents").glob("*.pdf")):
        codes = long_workflow.documents if path.parent.name != "documents" else [path.stem]
        assert pdf_stranded_headings(path, codes) == [], path.name


def test_english_step_table_and_lanes_name_roles_in_english(long_workflow):
    """Review of #17, 9 and 10: the step table's header is No. | Task | Responsible | Forms, its
    Responsible column and the chart's lanes show the role's English name."""
    w = {**labels("en")["field"], **labels("en")["print"]}
    with pdfplumber.open(str(long_workflow.dist / "documents" / "0103-2026.pdf")) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
    assert w["step_title"] == "Task" and re.search(rf"{w['step_no']}\s+Task\s+{w['responsible']}", text)
    assert "Sales Representative" in text


def test_form_titles_spaced_for_chinese_only_never_leaving_two_characters_and_headers_keep_chinese_words(
        long_workflow):
    """Review of #17, 7 and 10: an English title is not letter-spaced ("C u s t o m e r"); a Chinese title
    that wraps never leaves one or two characters alone on its last line; a bilingual column header keeps
    its Chinese name whole ("Customer name 客/户名称"), standalone and in the manual's appendix."""
    forms = long_workflow.dist / "forms"
    with pdfplumber.open(str(forms / "account-register.pdf")) as pdf:
        lines = [ln["text"] for ln in pdf.pages[0].extract_text_lines()]
    assert "Customer account register" in lines, lines[:3]
    for path in (forms / "account-register.pdf", long_workflow.dist / "manual.pdf"):
        with pdfplumber.open(str(path)) as pdf:
            pages = [[_squash(ln["text"]) for ln in p.extract_text_lines()] for p in pdf.pages]
        page = next(p for p in pages if any("0105-F3" in ln for ln in p) and "Accounts" in p)
        for label in BILINGUAL_COLUMNS:
            chinese = label.split(" ")[-1]
            assert any(chinese in ln for ln in page), (path.name, chinese)
    with pdfplumber.open(str(forms / "long-title.pdf")) as pdf:
        page = pdf.pages[0]
        big = [ln for ln in page.extract_text_lines() if min(c["size"] for c in ln["chars"]) > 15]
    assert len(big) >= 2 and _squash("".join(ln["text"] for ln in big)) == LONG_CJK_TITLE
    assert len(_squash(big[-1]["text"])) >= 3, [ln["text"] for ln in big]
