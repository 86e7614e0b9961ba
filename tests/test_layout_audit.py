"""The layout audit: the finish of the printed outputs, checked on the built files so that it stays fixed.

The shipped manual and a fixture manual (the minimal one plus a form of every field type, a wide
register and a form of 80 fields that cannot fit one sheet) are built once each through the
``manual`` command with the real WeasyPrint; the files are read back with pypdf and pdfplumber.

Each check is an audit function that returns what it found wrong (so a test can also show that it
finds a fault: the 80-field form).  PDF checks live in the ``pdf_*`` functions; the DOCX checks go
in functions of their own beside them.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pypdf
import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("layout-audit")]

MM = 72 / 25.4
MIN_LINES = 4  # a page between the first document and the appendix holds at least this many lines
FORM_PDF_LIMIT = 400_000  # bytes: a blank fillable form small enough to email
SIGNOFF_HEADING = "编制、审核与批准"
SIGNOFF_ROWS = ("编制", "审核", "批准")


# -- building ---------------------------------------------------------------------------------------
def _build(root: Path) -> Path:
    result = run_cli("build", "pdf", "forms", "--quiet", "--jobs", "2", cwd=root, timeout=1200)
    assert result.returncode == 0, result.stderr
    return root / "dist"


@pytest.fixture(scope="module")
def shipped_dist(tmp_path_factory) -> Path:
    return _build(copy_manual(REPO, tmp_path_factory.mktemp("audit") / "shipped"))


@pytest.fixture(scope="module")
def fixture_dist(tmp_path_factory) -> Path:
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("audit") / "fixture")
    for name in ("all-types", "long-form", "wide-register"):
        shutil.copy2(FIXTURES / "forms" / f"{name}.yaml", root / "forms" / f"{name}.yaml")
    return _build(root)


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


def _lines(page) -> list[float]:
    """The text lines of a page's body (running header and footer left out): their tops."""
    tops = sorted({round(w["top"] / 3) for w in page.extract_words()
                   if 20 * MM < w["top"] and w["bottom"] < page.height - 18 * MM})
    return tops


# -- the audit: PDF -------------------------------------------------------------------------------------
def pdf_form_sheets(path: Path) -> dict[str, int]:
    """{form bookmark: pages it takes} of a PDF's forms (bookmarks that start with a form code)."""
    marks = outline(path)
    total = len(pypdf.PdfReader(str(path)).pages)
    sheets = {}
    for i, (_, title, page) in enumerate(marks):
        if "-F" not in title.split(" ")[0]:
            continue
        following = [p for _, _, p in marks[i + 1:] if p > page]
        sheets[title] = (following[0] if following else total) - page
    return sheets


def pdf_standalone_sheets(folder: Path) -> dict[str, int]:
    return {pdf.stem: len(pypdf.PdfReader(str(pdf)).pages) for pdf in sorted(folder.glob("*.pdf"))}


def pdf_sparse_pages(path: Path) -> list[tuple[int, int]]:
    """(page number, lines) of each page from the first document to the appendix with fewer than
    MIN_LINES lines of text: a stranded block."""
    marks = outline(path)
    docs = [p for d, t, p in marks if d == 0 and t[:1].isdigit()]
    appendix = [p for d, t, p in marks if d == 0 and not t[:1].isdigit() and docs and p > docs[0]]
    with pdfplumber.open(str(path)) as pdf:
        end = appendix[0] if appendix else len(pdf.pages)
        out = []
        for n in range(docs[0] if docs else 0, end):
            lines = len(_lines(pdf.pages[n]))
            if lines < MIN_LINES:
                out.append((n + 1, lines))
        return out


def pdf_split_signoffs(path: Path) -> tuple[int, list[int]]:
    """(sign-off tables found, pages where one is split): a sign-off heading must have its three rows
    (编制, 审核, 批准) below it on the same page."""
    found, split = 0, []
    with pdfplumber.open(str(path)) as pdf:
        for n, page in enumerate(pdf.pages):
            words = page.extract_words()
            for head in [w for w in words if w["text"] == SIGNOFF_HEADING]:
                found += 1
                below = {w["text"] for w in words if w["top"] > head["bottom"]}
                if not all(step in below for step in SIGNOFF_ROWS):
                    split.append(n + 1)
    return found, split


def pdf_small_chart_text(path: Path, first: str, caption: str) -> list[float]:
    """Sizes (pt) under 9 of the text of a chart: from the line starting with ``first`` (or the 40 pt
    above it, the lane headers) down to the caption starting with ``caption``."""
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines()
            tops = [ln["top"] for ln in lines if ln["text"].replace(" ", "").startswith(first.replace(" ", ""))]
            ends = [ln["top"] for ln in lines if ln["text"].replace(" ", "").startswith(caption)]
            if tops and ends:
                return sorted({round(c["size"], 2) for c in page.chars
                               if tops[0] - 40 <= c["top"] < ends[-1] and c["size"] < 8.95})
    raise AssertionError(f"no chart starting {first!r} above {caption!r} in {path.name}")


def pdf_page_mode(path: Path) -> str:
    return str(pypdf.PdfReader(str(path)).trailer["/Root"].get("/PageMode"))


# -- the shipped manual -----------------------------------------------------------------------------------
SHIPPED_FORMS = ("customer-register", "customer-card", "customer-review", "archive-access-request",
                 "archive-loan-register", "customer-visit-record", "quality-objection-report")


def test_shipped_forms_are_one_sheet_in_the_appendix(shipped_dist):
    sheets = pdf_form_sheets(shipped_dist / "manual.pdf")
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


def test_shipped_manual_has_no_stranded_pages(shipped_dist):
    assert pdf_sparse_pages(shipped_dist / "manual.pdf") == []


def test_shipped_signoff_tables_are_never_split(shipped_dist):
    documents = len(list((REPO / "policies").glob("*.md")))
    found, split = pdf_split_signoffs(shipped_dist / "manual.pdf")
    assert (found, split) == (documents, [])
    for pdf in sorted((shipped_dist / "documents").glob("*.pdf")):
        assert pdf_split_signoffs(pdf) == (1, []), pdf.name


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
