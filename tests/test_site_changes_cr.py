"""The change record names the change requests (#21 review B10), and the 阅知 page's stacked cards keep
their labels apart on a phone (C18).

One manual (tests/test_acks.py's: 0101-2020 1.1 carries out the substantive CR-2020-001, released as
2020.2), built whole, read back: the 本版变更 page of edition 2020.2's site (HTML), the edition PDF's change
record (pypdf) and DOCX's (python-docx), the PDF and DOCX revision tables' 更改申请单 column; then
acks.html in Chromium at 390 px."""
from __future__ import annotations

import html
import re

import docx
import pytest
from pypdf import PdfReader

import browser as browser_kit
from conftest import run_cli
from test_acks import changed  # noqa: F401 - the module fixture: 2020.2 with CR-2020-001

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("acks")]

REQUEST = "CR-2020-001（实质性）：重要客户流失，回访频次需提高"


@pytest.fixture(scope="module")
def built(changed):  # noqa: F811
    result = run_cli("build", "--root", changed, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    return changed


def _text(path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


def test_the_edition_change_record_lists_the_change_request_beside_the_changed_document(built):
    page = html.unescape((built / "site/editions/2020.2/changes.html").read_text(encoding="utf-8"))
    rows = [re.sub(r"<[^>]+>|\s+", "", r) for r in re.findall(r"<tr>(.*?)</tr>", page, re.S)]
    assert any("更改申请单" in r for r in rows)
    assert any("0101-2020" in r and REQUEST in r for r in rows), rows
    # the edition PDF's change record and its DOCX's
    pdf = _text(built / "editions/2020.2/manual.pdf")
    record = pdf[pdf.index("原版本新版本"):]  # the change record's table, from its head on
    assert record.startswith("原版本新版本更改申请单") and "0101-2020客户回访制度1.01.1" + REQUEST in record, record[:200]
    tables = docx.Document(str(built / "editions/2020.2/manual.docx")).tables
    cells = [[c.text for c in row.cells] for t in tables for row in t.rows]
    assert any("0101-2020" in r and REQUEST in r for r in cells), cells[-5:]
    # the first edition had no request: its record has no such column
    first = html.unescape((built / "site/editions/2020.1/changes.html").read_text(encoding="utf-8"))
    assert "更改申请单" not in re.sub(r"<[^>]+>", "", first.split("</thead>")[0].rsplit("<table", 1)[-1])


def test_a_revision_table_has_a_change_request_column_only_when_a_revision_names_one(built):
    pdf = _text(built / "dist/documents/0101-2020.pdf")
    assert "更改申请单" in pdf and "CR-2020-001" in pdf
    assert "更改申请单" not in _text(built / "dist/documents/0102-2020.pdf")
    document = docx.Document(str(built / "dist/documents/0101-2020.docx"))
    heads = [[c.text for c in t.rows[0].cells] for t in document.tables]
    revision = next(h for h in heads if "修订内容" in h)
    assert revision[-1] == "更改申请单"
    assert any(row.cells[-1].text == "CR-2020-001" for t in document.tables for row in t.rows)
    other = docx.Document(str(built / "dist/documents/0102-2020.docx"))
    assert all("更改申请单" not in [c.text for c in t.rows[0].cells] for t in other.tables)


@pytest.mark.skipif(browser_kit.missing() is not None, reason=str(browser_kit.missing()))
def test_the_acks_cards_keep_their_labels_apart_on_a_phone(built):
    with browser_kit.serve(built / "site") as url, browser_kit.chromium() as b:
        context = b.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{url}/acks.html")
        page.wait_for_load_state("load")
        page.wait_for_timeout(400)  # Material wraps the tables, manual.js stacks the wide ones
        # Each stacked cell's label (its ::before) measured as laid out: the cell must be at least as
        # tall as its label, so a label that wraps ("须阅知起始日期") never runs into the next cell's.
        cells = page.evaluate("""() => [...document.querySelectorAll('article .stack-table td')]
            .filter(c => c.offsetParent && getComputedStyle(c, '::before').content !== 'none').map(c => {
              const before = getComputedStyle(c, '::before'), probe = document.createElement('div');
              for (const p of ['font', 'width', 'white-space', 'line-height', 'letter-spacing', 'word-break'])
                probe.style.setProperty(p, before.getPropertyValue(p));
              probe.style.position = 'absolute'; probe.style.visibility = 'hidden';
              probe.textContent = c.dataset.label || ''; c.appendChild(probe);
              const label = probe.getBoundingClientRect().height; probe.remove();
              const style = getComputedStyle(c), box = c.getBoundingClientRect();
              return {label: c.dataset.label, labelHeight: label,
                      room: box.height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)};
            })""")
        assert any(c["label"] == "须阅知起始日期" for c in cells), cells
        crowded = [c for c in cells if c["labelHeight"] > c["room"] + 0.5]
        assert crowded == [], crowded
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        context.close()
