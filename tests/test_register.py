"""The 受控文件清单 (register of controlled documents) and the 受控文件发放 page, read back from the built
outputs: the site pages' HTML (and Chromium at 390 px: no table overflows the phone's screen), the PDF's text
per page (pypdf) and its layout (landscape, header on every page, no row split, same bytes every time)."""
from __future__ import annotations

import dataclasses
import io

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

import browser as browser_kit
from conftest import MINIMAL, copy_manual, run_cli
from control_fixture import make_controlled_manual
from generator.model.build import read_manual
from generator.publishers.pdf.register import render_register_pdf
from generator.read.editions import list_editions
from generator.rules.check import check

pytestmark = pytest.mark.xdist_group("register")

HEADER = ["编号", "名称", "版本", "状态", "生效日期", "归口岗位", "存放位置", "保存期限", "已作废版本"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = make_controlled_manual(tmp_path_factory.mktemp("register") / "m")
    result = run_cli("build", "pdf", "site", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def _tables(path) -> list[list[list[str]]]:
    """Every table of the page's article: rows of cell texts (header row first)."""
    tree = lxml_html.fromstring(path.read_text(encoding="utf-8"))
    out = []
    for table in tree.xpath("//article//table"):
        rows = [[" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]
                for row in table.xpath(".//tr")]
        out.append(rows)
    return out


def test_register_page_lists_every_document_and_form(built):
    page = built / "site/register.html"
    documents, forms = _tables(page)
    assert documents[0] == HEADER and forms[0] == HEADER
    assert documents[1:] == [
        ["0101-2020", "客户回访制度", "1.0", "生效", "2020-03-01", "业务经理", "网站；版次 2020.2；纸质受控副本 01", "永久", "无"],
        # 1.2 is a draft; 2020.2 holds 1.1 (in force), 2020.1 held 1.0 (superseded); the manual's default retention
        ["0102-2020", "客户档案管理制度", "1.2", "草稿", "", "业务经理",
         "网站；版次 2020.2（版本 1.1）；纸质受控副本 01", "3 年（默认）", "1.0（2020.1）"],
    ]
    assert [row[0] for row in forms[1:]] == ["0101-F1"] and forms[1][7] == "3 年（默认）"
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    links = tree.xpath("//article//table//a/@href")
    assert "documents/0101-2020.html" in links and "forms/visit-record.html" in links
    assert "现行版次 2020.2（发布日期 2020-06-01）" in tree.xpath("string(//article)")
    # The PDF of the same register is offered, the very file of dist/.
    assert tree.xpath("//article//a[contains(@href, 'register.pdf')]/@href") == ["downloads/register.pdf"]
    offered, master = (built / "site/downloads/register.pdf").read_bytes(), (built / "dist/register.pdf").read_bytes()
    assert offered.startswith(master) and offered != master  # the master, with the 非受控 mark appended
    from pypdf import PdfReader

    assert all("非受控文件" in page.extract_text() for page in PdfReader(built / "site/downloads/register.pdf").pages)


def test_copies_page_lists_copies_out_and_recalled(built):
    page = built / "site/copies.html"
    out, back = _tables(page)
    assert out[0] == ["持有人", "版次", "分发号", "发放日期", "状态"]
    assert out[1:] == [["业务经理", "2020.1", "01", "2020-03-05", "已作废，应回收（现行 2020.2）"],
                       ["业务经理", "2020.2", "01", "2020-06-02", "现行"],
                       ["总经理", "2020.1", "03", "2020-03-06", "已作废，应回收（现行 2020.2）"]]
    assert back[1:] == [["2020.1", "02", "业务经理", "2020-03-05", "2020-04-01"]]
    tree = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    marked = tree.xpath("//article//span[contains(@class, 'copy-superseded')]/text()")
    assert len(marked) == 2


def test_both_pages_are_in_the_navigation_after_the_editions(built):
    tree = lxml_html.fromstring((built / "site/index.html").read_text(encoding="utf-8"))
    hrefs = [h for h in tree.xpath("//nav[contains(@class, 'md-nav--primary')]//a/@href")]
    assert "register.html" in hrefs and "copies.html" in hrefs
    assert hrefs.index("editions.html") < hrefs.index("register.html") < hrefs.index("copies.html")


def test_register_pdf_text_and_page(built):
    reader = PdfReader(str(built / "dist/register.pdf"))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert float(page.mediabox.width) > float(page.mediabox.height)  # landscape A4
    text = page.extract_text()
    flat = text.replace(" ", "")
    for word in ["受控文件清单", "示例电子有限公司", "现行版次2020.2（发布日期2020-06-01）", *HEADER,
                 "0101-2020", "0102-2020", "0101-F1", "永久", "3年（默认）", "1.0（2020.1）", "纸质受控副本01",
                 "第1页/共1页"]:
        assert word in flat, word
    assert reader.metadata.title == "受控文件清单 · 示例管理手册"


def test_a_long_register_repeats_its_header_and_never_splits_a_row(built):
    manual, _ = read_manual(built)
    base = manual.documents[0]
    manual.documents = [dataclasses.replace(base, code=f"01{n:02d}-2020", title=f"测试文件第{n}号（长标题，用于换行检查）",
                                            path=f"policies/01{n:02d}-2020.md")
                        for n in range(1, 71)]
    found = list_editions(built)
    data = render_register_pdf(manual, found)
    assert render_register_pdf(manual, found) == data  # same source, same bytes
    pages = [p.extract_text().replace(" ", "").replace("\n", "") for p in PdfReader(io.BytesIO(data)).pages]
    assert len(pages) >= 3
    for n, text in enumerate(pages, start=1):
        assert "".join(HEADER) in text, f"page {n}: no table header"
        assert f"第{n}页/共{len(pages)}页" in text
    for n in range(1, 71):
        holding = [i for i, text in enumerate(pages) if f"01{n:02d}-2020" in text]
        assert len(holding) == 1, (n, holding)
        # The whole row on that page: its title and its last cells.
        assert f"测试文件第{n}号（长标题，用于换行检查）" in pages[holding[0]]


def test_the_register_pdf_is_the_same_each_build(built):
    before = (built / "dist/register.pdf").read_bytes()
    result = run_cli("build", "pdf", "--root", built)
    assert result.returncode == 0, result.stderr
    assert (built / "dist/register.pdf").read_bytes() == before


def test_retention_values_are_checked(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    config = root / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "retention: 0\n", encoding="utf-8")
    doc = root / "policies/0101-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("owner: 业务经理\n", "owner: 业务经理\nretention: true\n", 1),
                   encoding="utf-8")
    _, findings = check(root)
    schema = sorted((f.path, f.line) for f in findings if f.rule == "schema")
    last = len(config.read_text(encoding="utf-8").splitlines())
    line = doc.read_text(encoding="utf-8").splitlines().index("retention: true") + 1
    assert schema == [("manual/manual.yaml", last), ("policies/0101-2020.md", line)]


@pytest.mark.skipif(browser_kit.missing() is not None, reason=str(browser_kit.missing()))
@pytest.mark.parametrize("path", ["register.html", "copies.html"])
def test_the_tables_fit_a_phone(built, path):
    with browser_kit.serve(built / "site") as url, browser_kit.chromium() as b:
        context = b.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.goto(f"{url}/{path}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(400)  # Material wraps the tables, manual.js stacks the wide ones
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        outside = page.evaluate("""() => [...document.querySelectorAll('article table tbody td')]
            .filter(c => c.offsetParent).map(c => c.getBoundingClientRect())
            .filter(r => r.right > innerWidth + 1 || r.left < -1).length""")
        assert outside == 0
        assert "2020.1" in page.locator("article").inner_text()
        context.close()
