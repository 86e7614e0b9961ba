"""``manual build forms``: fillable PDF, printable DOCX and HTML for every form.

The outputs are built once per module with the real CLI (WeasyPrint,
pypdf, pyHanko, python-docx) from the minimal manual plus a form with every
field type (tests/fixtures/forms/all-types.yaml), and read back as a user's
tools would: pypdf and pdfplumber for the PDF, python-docx for the DOCX,
Chromium for the HTML page.
"""
from __future__ import annotations

import io
import re
import shutil
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, copy_manual, run_cli
from generator.model import Column, Field, Form, Section, formspec
from generator.publishers.forms import spec
from generator.model.build import read_manual

FORMS = ("visit-record", "all-types")
FT = {"text": "/Tx", "date": "/Tx", "number": "/Tx", "multiline": "/Tx", "table_cell": "/Tx", "choice": "/Btn",
      "option": "/Btn", "checkbox": "/Btn", "signature": "/Sig"}


def _manual_with_all_types(dest: Path) -> Path:
    root = copy_manual(MINIMAL, dest)
    shutil.copy2(FIXTURES / "forms" / "all-types.yaml", root / "forms" / "all-types.yaml")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _manual_with_all_types(tmp_path_factory.mktemp("forms") / "m")
    result = run_cli("build", "forms", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    manual, _ = read_manual(root)
    return {"root": root, "out": root / "dist" / "forms", "manual": manual, "stderr": result.stderr}


def _field_tree(pdf_path: Path):
    """(fully qualified name, field dict) for every terminal field, walking /AcroForm /Fields."""
    from pypdf import PdfReader

    reader = PdfReader(pdf_path)
    out = []

    def walk(ref, prefix):
        node = ref.get_object()
        name = node.get("/T")
        full = f"{prefix}.{name}" if prefix and name is not None else (str(name) if name is not None else prefix)
        kids = node.get("/Kids")
        named_kids = [k for k in kids or [] if k.get_object().get("/T") is not None]
        if named_kids:
            for kid in named_kids:
                walk(kid, full)
        else:
            out.append((full, node))

    for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]:
        walk(ref, "")
    return reader, out


def _inherited(node, key):
    while node is not None:
        if key in node:
            return node[key]
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return None


# -- the build -------------------------------------------------------------------------------------
def _typed_form(*fields: Field, title: str = "") -> Form:
    form = read_manual(MINIMAL)[0].forms["visit-record"]
    form.sections = [Section(0, title, list(fields))]
    return form


def test_layout_packs_fields_into_rows_of_four_and_tables_apart():
    form = _typed_form(Field("a", width=2), Field("b", width=1), Field("c", width=2), Field("d", type="multiline"),
                       Field("t", type="table", label="明细", rows=2, columns=[Column(None, "甲"), Column("x", "乙", 3)]),
                       Field("e", width=9), title="基本信息")
    blocks = spec.layout(form)
    assert [b.kind for b in blocks] == ["section", "grid", "table", "grid"]
    assert blocks[0].title == "基本信息"
    # b is widened to fill its row when c does not fit; a multiline field takes a whole row
    assert [[(i.field.id, i.span) for i in row] for row in blocks[1].rows] == [[("a", 2), ("b", 2)], [("c", 4)],
                                                                                [("d", 4)]]
    assert blocks[2].title == "明细" and blocks[2].field.id == "t"
    assert [[(i.field.id, i.span) for i in row] for row in blocks[3].rows] == [[("e", 4)]]  # a width out of range: 4


def test_pdf_names_of_typed_fields_and_their_labels_in_each_language():
    table = Field("t", type="table", label="明细", rows=2, columns=[Column(None, "甲"), Column("x", "乙", 3)])
    form = _typed_form(table, Field("s", type="signature", label="签字"), Field("m", type="multichoice",
                                                                                options=["一", "二"]))
    assert [(c.id, c.label, c.width) for c in formspec.columns(table)] == [("1", "甲", 1.0), ("x", "乙", 3.0)]
    names = {pf.name: pf.label for pf in formspec.pdf_fields(form)}
    assert list(names) == ["t_1_1", "t_1_x", "t_2_1", "t_2_x", "s", "s_date", "m_1", "m_2"]
    assert names["t_2_x"] == "明细 · 2 · 乙" and names["s_date"] == "签字 · 日期"
    assert {pf.name: pf.label for pf in formspec.pdf_fields(form, "en")}["s_date"] == "签字 · Date"
    assert list(formspec.csv_columns(form)) == ["t_1_1", "t_1_x", "t_2_1", "t_2_x", "s_date", "m"]


def test_build_writes_three_outputs_per_form(built):
    for form_id in FORMS:
        for ext in ("pdf", "docx", "html"):
            path = built["out"] / f"{form_id}.{ext}"
            assert path.is_file() and path.stat().st_size > 0, path
    assert not [p for p in built["out"].iterdir() if p.name.startswith(".")], "temporary files left behind"


@pytest.mark.parametrize("form_id", FORMS)
def test_every_declared_field_exists_with_its_type(built, form_id):
    reader, fields = _field_tree(built["out"] / f"{form_id}.pdf")
    names = Counter(name for name, _ in fields)
    dupes = [n for n, c in names.items() if c > 1]
    assert not dupes, f"duplicate field names: {dupes}"
    by_name = {name: node for name, node in fields}
    form = built["manual"].forms[form_id]
    for pf in formspec.pdf_fields(form, rows=spec.sheet_rows(form)[0]):
        assert pf.name in by_name, f"{form_id}: no PDF field {pf.name} ({pf.label})"
        node = by_name[pf.name]
        assert _inherited(node, "/FT") == FT[pf.kind], f"{pf.name}: {_inherited(node, '/FT')}"
        assert str(node.get("/TU")) == pf.label, "the tooltip is the printed label"
        flags = int(_inherited(node, "/Ff") or 0)
        if pf.kind == "choice":
            assert flags & (1 << 15), f"{pf.name} is a radio group"
            assert [str(o) for o in node["/Opt"]] == pf.options
            assert len(node["/Kids"]) == len(pf.options)
            for kid in node["/Kids"]:
                assert "/T" not in kid.get_object(), "radio kids must not repeat the group's name"
        if pf.kind == "multiline":
            assert flags & (1 << 12), f"{pf.name} is multi-line"
    # pypdf's own view agrees, and sees nothing undeclared
    declared = {pf.name for pf in formspec.pdf_fields(form, rows=spec.sheet_rows(form)[0])}
    assert set(reader.get_fields()) == declared


def test_signature_fields_sit_on_the_signature_line(built):
    import pdfplumber

    path = built["out"] / "all-types.pdf"
    reader, fields = _field_tree(path)
    sigs = {name: node for name, node in fields if _inherited(node, "/FT") == "/Sig"}
    assert set(sigs) == {"visitor_sign", "boss_sign"}
    with pdfplumber.open(path) as pdf:
        for name, node in sigs.items():
            page_ref = node["/P"]
            index = [p.indirect_reference for p in reader.pages].index(page_ref.indirect_reference
                                                                      if hasattr(page_ref, "indirect_reference")
                                                                      else page_ref)
            x1, y1, x2, y2 = (float(v) for v in node["/Rect"])
            assert x2 - x1 > 60 and y2 - y1 > 15, f"{name}: a visible box to sign in"
            page = pdf.pages[index]
            top = page.height - y2
            words = page.crop((0, max(0, top - 5), page.width, page.height - y1 + 5)).extract_text() or ""
            label = {"visitor_sign": "经办人签字", "boss_sign": "主管签字"}[name]
            assert label in words, f"{name}: the box is on the row labelled {label}; found {words!r}"
            # the printed signature line is just under the box
            lines = [ln for ln in page.lines + page.edges
                     if abs(ln["top"] - ln["bottom"]) < 1 and x1 - 2 <= ln["x0"] <= x1 + 20
                     and abs(ln["top"] - (page.height - y1)) < 6]
            assert lines, f"{name}: no signature line under the field"


def test_fields_name_a_standard_cjk_font_not_embedded_and_forms_are_small(built):
    """The fields' font is STSong-Light (Adobe-GB1, UniGB-UCS2-H), named, not embedded: no font program
    in /DR, and a form of at most 400 KB (it was 2.8 MB with the whole field font)."""
    from pypdf import PdfReader

    for form_id in FORMS:
        path = built["out"] / f"{form_id}.pdf"
        assert path.stat().st_size <= 400_000, f"{form_id}.pdf is {path.stat().st_size} bytes"
        reader = PdfReader(path)
        acro = reader.trailer["/Root"]["/AcroForm"]
        fonts = acro["/DR"]["/Font"]
        song = fonts["/STSong"].get_object()
        assert song["/Encoding"] == "/UniGB-UCS2-H" and "/ToUnicode" in song
        cid = song["/DescendantFonts"][0].get_object()
        assert cid["/BaseFont"] == "/STSong-Light" and cid["/CIDSystemInfo"]["/Ordering"] == "GB1"
        assert not any(k in cid["/FontDescriptor"].get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        assert not any("MformField" in str(f.get_object().get("/BaseFont")) for f in fonts.values())
        for name, field in _field_tree(path)[1]:
            if _inherited(field, "/FT") == "/Tx":
                assert str(field["/DA"]).startswith("/STSong "), name


@pytest.mark.parametrize("form_id", FORMS)
def test_pdf_shows_title_company_labels_and_footer(built, form_id):
    import pdfplumber

    form = built["manual"].forms[form_id]
    with pdfplumber.open(built["out"] / f"{form_id}.pdf") as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
    text = "\n".join(pages)
    squeezed = re.sub(r"\s+", "", text)
    assert "示例电子有限公司" in squeezed
    assert re.sub(r"\s+", "", form.title) in squeezed
    for f in form.fields():
        assert re.sub(r"\s+", "", f.label) in squeezed, f.label
    assert text.count(f"表单编号 {form.code}") == len(pages), "one footer a page (the in-flow one is hidden)"
    for page_text in pages:  # every page's footer: code and version, page x of y
        assert f"表单编号 {form.code}" in page_text and f"版本 {form.version}" in page_text
        assert re.search(r"第 \d+ 页 / 共 \d+ 页", page_text)
    paper = {"A4": (595, 842), "A5-landscape": (595, 420)}[form.paper]
    with pdfplumber.open(built["out"] / f"{form_id}.pdf") as pdf:
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == paper


def test_chinese_values_filled_with_pypdf_read_back(built, tmp_path):
    """pypdf's own filling works on the template, and so does the batch filler."""
    from pypdf import PdfReader, PdfWriter

    from generator.publishers.forms.fill import fill_pdf, read_values

    template = (built["out"] / "all-types.pdf").read_bytes()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(template)))
    writer.set_need_appearances_writer(True)
    values = {"customer": "东莞市属瑞电子有限公司", "feedback": "客户反映：\n显示器偏色", "items_1_name": "液晶屏",
              "visitor_sign_date": "2014-05-20"}
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    buf = io.BytesIO()
    writer.write(buf)
    back = read_values(buf.getvalue())
    for name, value in values.items():
        assert back[name] == value

    filled = fill_pdf(template, {**values, "level": "/1", "products_2": "/on", "stock_checked": "/on"})
    back = read_values(filled)
    for name, value in values.items():
        assert back[name] == value
    assert back["level"] == "一般客户"
    assert back["products_2"] is True and back["products_1"] is False
    assert back["stock_checked"] is True
    assert fill_pdf(template, values) == fill_pdf(template, values), "filling is reproducible"
    # the value is drawn in the field's appearance: a viewer that does not redraw fields shows it too
    import pdfplumber

    path = tmp_path / "filled.pdf"
    path.write_bytes(filled)
    from pypdf import PdfReader as R

    widget = next(a.get_object() for a in R(path).pages[0]["/Annots"] if a.get_object().get("/T") == "customer")
    stream = widget["/AP"]["/N"].get_object().get_data()
    assert b"Tj" in stream and b"/WQY" in stream  # drawn with the value font's subset (a literal string of glyph ids)
    with pdfplumber.open(path) as pdf:
        assert pdf.pages[0].annots, "the fields are annotations on the page"


def test_docx_has_labels_tables_footer_and_east_asian_fonts(built):
    import docx

    for form_id in FORMS:
        form = built["manual"].forms[form_id]
        document = docx.Document(str(built["out"] / f"{form_id}.docx"))
        cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        text = "\n".join([p.text for p in document.paragraphs] + cells)
        assert form.title in text and "示例电子有限公司" in text
        for f in form.fields():
            assert f.label in text, f.label
        for f in form.fields():
            if f.type in ("choice", "multichoice"):
                assert all(f"☐\u00a0{o}" in text or f"☐ {o}" in text for o in f.options), f.id
        footer = "\n".join(p.text for s in document.sections for p in s.footer.paragraphs)
        assert f"表单编号 {form.code}" in footer and f"版本 {form.version}" in footer
        for table in document.tables:  # real ruled tables
            assert table.style.name == "Table Grid"
        styles = document.styles.element.xml
        assert "w:eastAsiaTheme" not in styles and "w:asciiTheme" not in styles
        assert 'w:eastAsia="Noto Sans CJK SC"' in styles and 'w:eastAsia="zh-CN"' in styles
        assert document.core_properties.created.year == 2020
        with zipfile.ZipFile(built["out"] / f"{form_id}.docx") as z:
            assert {i.date_time for i in z.infolist()} == {(2020, 3, 1, 0, 0, 0)}


def test_docx_signature_rows_have_a_blank_line(built):
    import docx

    document = docx.Document(str(built["out"] / "all-types.docx"))
    found = 0
    for table in document.tables:
        for row in table.rows:
            if row.cells[0].text == "经办人签字":
                cell = row.cells[1]
                underlined = [r for p in cell.paragraphs for r in p.runs if r.font.underline and not r.text.strip()]
                assert underlined, "a blank underlined line to sign on"
                assert "日期" in cell.text
                found += 1
    assert found == 1


def test_html_page_is_fillable_printable_and_escaped(built):
    form = built["manual"].forms["all-types"]
    html = (built["out"] / "all-types.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in html
    assert "@media print" in html and "@page" in html
    assert f"表单编号 {form.code}" in html and f"版本 {form.version}" in html
    for pf in formspec.pdf_fields(form, rows=spec.sheet_rows(form)[0]):
        if pf.kind == "signature":
            continue
        assert f'name="{pf.name}"' in html, pf.name
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html
    assert "&lt;b&gt;注&lt;/b&gt;" in html
    assert 'type="reset"' in html and "window.print()" in html


def test_fragment_is_one_scoped_element_and_shows_values(tmp_path):
    from generator.publishers.forms.html import form_html_fragment

    manual, _ = read_manual(_manual_with_all_types(tmp_path / "m"))
    form = manual.forms["all-types"]
    html = form_html_fragment(manual, form)
    assert re.match(r'<form id="mf-all-types" class="mform[ "]', html.lstrip())
    assert html.rstrip().endswith("</form>")
    css = re.sub(r"/\*.*?\*/", "", re.search(r"<style>(.*?)</style>", html, re.S).group(1), flags=re.S)
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{", re.sub(r"@media[^{]+\{", "", css))
                 for s in block.split(",")]
    assert all(s.startswith(".mform") for s in selectors if s), [s for s in selectors if
                                                                  not s.startswith(".mform")]
    static = form_html_fragment(manual, form, {"customer": "<i>甲</i>公司", "level": "潜在客户",
                                               "products": ["玻璃", "加工配送"], "stock_checked": True},
                                mode="static")
    assert "&lt;i&gt;甲&lt;/i&gt;公司" in static and "<input" not in static
    assert "☑</span>潜在客户" in static and "☐</span>重要客户" in static
    assert "☑</span>玻璃" in static and "☐</span>显示器" in static and "☑</span>已检查库存" in static
    pdf_mode = form_html_fragment(manual, form, mode="pdf")
    assert 'name="SIG-visitor_sign"' in pdf_mode and "<form" not in pdf_mode


@pytest.mark.slow
def test_same_source_gives_the_same_bytes(tmp_path):
    """Two builds in two processes: byte-identical PDF, DOCX and HTML."""
    outs = []
    for i in range(2):
        root = copy_manual(MINIMAL, tmp_path / f"m{i}")
        result = run_cli("build", "forms", "--root", root, "--quiet")
        assert result.returncode == 0, result.stderr
        outs.append(root / "dist" / "forms")
    for ext in ("pdf", "docx", "html"):
        a = (outs[0] / f"visit-record.{ext}").read_bytes()
        b = (outs[1] / f"visit-record.{ext}").read_bytes()
        assert a == b, f"visit-record.{ext} differs between builds"


def test_failed_build_leaves_earlier_outputs(built, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    out = root / "dist" / "forms"
    out.mkdir(parents=True)
    (out / "visit-record.pdf").write_bytes(b"earlier")
    bad = (root / "forms" / "visit-record.yaml").read_text(encoding="utf-8").replace(
        "options: [上门, 电话]", "options: []")
    (root / "forms" / "visit-record.yaml").write_text(bad, encoding="utf-8")
    result = run_cli("build", "forms", "--root", root)
    assert result.returncode == 1
    assert "form-choice-options" in result.stderr and "Traceback" not in result.stderr
    assert (out / "visit-record.pdf").read_bytes() == b"earlier"


@pytest.mark.slow
def test_html_form_fills_and_prints_in_chromium(built, tmp_path):
    """Fill the stand-alone page in Chromium, print it to PDF: the values and the footer are on paper."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("Debian's chromium is not installed")
    import pdfplumber

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]
    page_url = (built["out"] / "visit-record.html").as_uri()
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=args)
        try:
            page = browser.new_page(locale="zh-CN")
            page.goto(page_url)
            assert page.locator("h2.mform-title").inner_text().replace(" ", "") == "客户回访记录表"
            page.fill("input[name=customer]", "东莞市长安电子厂 A-17")
            page.fill("input[name=visit_date]", "2014-06-03")
            page.check("input[name=method][value=电话]")
            page.fill("textarea[name=feedback]", "客户满意 OK-42")
            assert page.locator("input[name=method]:checked").get_attribute("value") == "电话"
            # the form is not wider than its sheet (no box runs off the ruled grid)
            overflow = page.evaluate("""() => [...document.querySelectorAll('.mform td, .mform th')]
                .filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent)""")
            assert overflow == []
            page.screenshot(path=str(tmp_path / "form.png"), full_page=True)
            pdf_bytes = page.pdf(format="A4", print_background=True)
            page.click("button[type=reset]")
            assert page.input_value("input[name=customer]") == ""
        finally:
            browser.close()
    path = tmp_path / "printed.pdf"
    path.write_bytes(pdf_bytes)
    with pdfplumber.open(path) as pdf:
        text = "".join((pg.extract_text() or "") for pg in pdf.pages)
    # Chromium's PDF text layer maps some CJK characters to radicals or variants (长 → ⻓, 户 → 戶),
    # so the typed values are recognised by their Latin part.
    squeezed = unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))
    assert "A-17" in squeezed and "OK-42" in squeezed and "2014-06-03" in squeezed
    assert "表单编号0101-F1" in squeezed and "版本1.0" in squeezed
    assert "打印" not in squeezed, "the toolbar is not printed"
    assert "YYYY" not in squeezed


@pytest.mark.slow
def test_shipped_forms_build(shipped):
    """Every shipped form: three outputs, every declared field in the PDF, no duplicate names."""
    result = run_cli("build", "forms", "--root", shipped, "--quiet")
    assert result.returncode == 0, result.stderr
    manual, _ = read_manual(shipped)
    assert {"customer-card", "customer-visit-record"} <= set(manual.forms)
    out = shipped / "dist" / "forms"
    for form_id, form in manual.forms.items():
        for ext in ("pdf", "docx", "html"):
            assert (out / f"{form_id}.{ext}").is_file()
        _, fields = _field_tree(out / f"{form_id}.pdf")
        names = Counter(name for name, _ in fields)
        assert not [n for n, c in names.items() if c > 1], form_id
        for pf in formspec.pdf_fields(form, rows=spec.sheet_rows(form)[0]):
            assert pf.name in names, f"{form_id}: {pf.name}"
        assert (out / f"{form_id}.pdf").stat().st_size < 4_000_000
    from pypdf import PdfReader

    for form_id in ("customer-card", "customer-visit-record"):
        assert len(PdfReader(out / f"{form_id}.pdf").pages) == 1, f"{form_id} fits on one sheet"
