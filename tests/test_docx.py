"""The DOCX print edition: built with the real python-docx, read back with
python-docx and the raw XML, and converted by LibreOffice (slow)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from conftest import MINIMAL, REPO, copy_manual, run_cli

from generator.publishers.docx import render as docx_pub
from generator.publishers.render import view as pm
from generator.model.build import read_manual

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def headings(document, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == f"Heading {level}"]


def table_rows(document) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in document.tables for row in t.rows]


@pytest.fixture(scope="module")
def minimal_build(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("docx") / "minimal")
    result = run_cli("build", "docx", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def manual_docx(minimal_build):
    return docx.Document(str(minimal_build / "dist" / "manual.docx"))


def test_files_written(minimal_build):
    dist = minimal_build / "dist"
    assert (dist / "manual.docx").is_file()
    assert sorted(p.name for p in (dist / "documents").glob("*.docx")) == ["0101-2020.docx", "0102-2020.docx"]
    assert not list(dist.rglob("*.tmp"))


def test_heading_styles_in_order(manual_docx):
    h1 = headings(manual_docx, 1)
    assert h1 == ["0101-2020　客户回访制度", "0102-2020　客户档案管理制度", "附录：表单"]
    assert "一、回访" in headings(manual_docx, 2)  # a body section, one level down
    # the forms of the appendix: "Form Heading", a heading 2 the contents field lists by its name (\t)
    forms = [p.text for p in manual_docx.paragraphs if p.style.name == "Form Heading"]
    assert forms == ["0101-F1　客户回访记录表"]
    assert manual_docx.styles["Form Heading"].base_style.name == "Heading 2"
    # the styles are Word's built-in ones (their outline level drives the navigation pane)
    style = manual_docx.styles["Heading 1"]
    assert style.style_id == "Heading1" and style.element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) == "0"


def test_clauses_with_lettered_sub_items(manual_docx):
    """Clauses and sub-items are Word numbering (numbering.xml), not typed numbers: level 0 "%1."
    decimal, level 1 "%2." lower letters, as the PDF prints them."""
    numbered = {p.text: p._p.pPr.numPr for p in manual_docx.paragraphs if p._p.pPr is not None
                and p._p.pPr.numPr is not None}
    clause, sub = numbered["业务员每月回访重要客户一次以上。"], numbered["客户名册；"]
    assert clause.ilvl.val == 0 and sub.ilvl.val == 1 and numbered["产品目录。"].ilvl.val == 1
    numbering = manual_docx.part.numbering_part.element
    num = numbering.num_having_numId(clause.numId.val)
    abstract = next(a for a in numbering.findall(qn("w:abstractNum"))
                    if a.get(qn("w:abstractNumId")) == str(num.abstractNumId.val))
    levels = {int(lvl.get(qn("w:ilvl"))): (lvl.find(qn("w:numFmt")).get(qn("w:val")),
                                             lvl.find(qn("w:lvlText")).get(qn("w:val")))
              for lvl in abstract.findall(qn("w:lvl"))}
    assert levels[0] == ("decimal", "%1.") and levels[1] == ("lowerLetter", "%2.")
    assert levels[2] == ("lowerRoman", "%3.")
    # no number typed into the text
    assert not any(p.text.startswith(("1.\t", "a.\t")) for p in manual_docx.paragraphs)


def test_tables_signoff_revisions_and_meta(manual_docx):
    rows = table_rows(manual_docx)
    assert ["编制", "张三", "业务员", "2020-02-01"] in rows
    assert ["审核", "李四", "业务经理", "2020-02-10"] in rows
    assert ["批准", "王五", "总经理", "2020-02-20"] in rows
    assert ["1.0", "2020-02-01", "首次发布", "业务部"] in rows
    # the metadata block as the PDF's: four label and value pairs a row, the last value of the short last
    # row spanning what it lacks (python-docx repeats a spanning cell): no empty cell
    meta = next(r for r in rows if r[:2] == ["编号", "0101-2020"])
    assert meta == ["编号", "0101-2020", "版本", "1.0", "状态", "生效", "生效日期", meta[7]] and meta[7]
    last = rows[rows.index(meta) + 1]
    assert last[0] == "类别" and len(last) == 8 and all(last), last
    # the draft document's sign-off table has the steps still to sign, empty
    assert ["审核", "", "", ""] in rows
    # the form appendix: the PDF's grid, label and value cells side by side, ☐ before every option
    assert any("回访方式" in r and "客户名称*" in [c for row in rows for c in row] and any(c.startswith("☐\u00a0上门") for c in r) for r in rows)


def test_toc_field_carries_its_entries_and_pages(minimal_build):
    """The contents field's current result is the list itself, with page numbers: nothing to update, no
    instruction to right-click, and Word is not asked to update fields on opening."""
    with zipfile.ZipFile(minimal_build / "dist" / "manual.docx") as z:
        body = z.read("word/document.xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
    assert 'TOC \\o "1-1" \\h \\z \\u \\t "Form Heading,2"' in body
    assert "updateFields" not in settings and 'w:dirty="true"' not in body
    assert "右键" not in body and "更新域" not in body


def test_one_section_per_document_with_code_and_page_fields(manual_docx):
    sections = manual_docx.sections
    assert len(sections) == 6  # cover, contents, two documents, forms appendix, its one form
    form = sections[5]  # a form's page: its own header and footer (code and version)
    assert "0101-F1" in form.header.paragraphs[0].text and "0101-F1" in form.footer.paragraphs[0].text
    assert "版本" in form.footer.paragraphs[0].text
    for section, code in ((sections[2], "0101-2020"), (sections[3], "0102-2020")):
        footer = section.footer
        assert not footer.is_linked_to_previous
        xml = footer._element.xml
        assert code in footer.paragraphs[0].text and "第" in footer.paragraphs[0].text
        assert " PAGE " in xml and " NUMPAGES " in xml
        assert "示例电子有限公司 · 示例管理手册" in section.header.paragraphs[0].text
        assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert "草稿" in sections[3].header.paragraphs[0].text  # the draft document
    assert "草稿" not in sections[2].header.paragraphs[0].text
    assert sections[0].header.paragraphs[0].text == ""  # the cover


def test_east_asian_fonts_and_language(minimal_build):
    with zipfile.ZipFile(minimal_build / "dist" / "manual.docx") as z:
        styles = z.read("word/styles.xml").decode("utf-8")
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        assert f"w:{attr}=" not in styles
    document = docx.Document(str(minimal_build / "dist" / "manual.docx"))
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    assert defaults.find(qn("w:rFonts")).get(qn("w:ascii")) == "Times New Roman"
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Header", "Footer", "Table Grid"):
        rfonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert rfonts.get(qn("w:eastAsia")) == ("黑体" if name.startswith(("Heading", "Title")) else "宋体"), name


def test_citations_link_to_bookmarks(minimal_build):
    document = docx.Document(str(minimal_build / "dist" / "manual.docx"))
    body = document.element.body
    anchors = [h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))]
    names = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    assert "form_visit_record" in anchors
    assert {"doc_0101_2020", "doc_0102_2020", "form_visit_record"} <= names
    assert set(anchors) <= names
    ids = [b.get(qn("w:id")) for b in body.iter(qn("w:bookmarkStart"))]
    assert len(ids) == len(set(ids))


def test_core_properties_pinned_and_two_builds_identical(minimal_build, tmp_path):
    document = docx.Document(str(minimal_build / "dist" / "manual.docx"))
    cp = document.core_properties
    assert cp.created.date().isoformat() == "2020-03-01" == cp.modified.date().isoformat()
    assert cp.revision == 1 and cp.author == "示例电子有限公司"
    with zipfile.ZipFile(minimal_build / "dist" / "manual.docx") as z:
        assert {i.date_time for i in z.infolist()} == {(2020, 3, 1, 0, 0, 0)}
        assert "docProps/thumbnail.jpeg" not in z.namelist()
    first = {p.relative_to(minimal_build / "dist"): sha256(p) for p in (minimal_build / "dist").rglob("*.docx")}
    manual, _ = read_manual(minimal_build)
    docx_pub.build(manual, out=tmp_path / "again", quiet=True)
    second = {p.relative_to(tmp_path / "again"): sha256(p) for p in (tmp_path / "again").rglob("*.docx")}
    assert first == second and len(first) == 3


def test_single_document_file(minimal_build):
    single = docx.Document(str(minimal_build / "dist" / "documents" / "0101-2020.docx"))
    assert headings(single, 1) == ["0101-2020　客户回访制度", "附录：表单"]
    assert "0102-2020　客户档案管理制度" not in [p.text for p in single.paragraphs]
    anchors = {h.get(qn("w:anchor")) for h in single.element.body.iter(qn("w:hyperlink"))}
    names = {b.get(qn("w:name")) for b in single.element.body.iter(qn("w:bookmarkStart"))}
    assert anchors and anchors <= names


def test_failed_build_leaves_earlier_files_intact(minimal_build, tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    shutil.copytree(minimal_build / "dist", dist)
    before = {p: sha256(p) for p in dist.rglob("*.docx")}
    manual, _ = read_manual(minimal_build)

    def failing(*args, **kwargs):
        raise RuntimeError("writer crashed")

    monkeypatch.setattr(docx_pub, "document_docx", failing)  # the manual renders, the documents fail
    with pytest.raises(RuntimeError):
        docx_pub.build(manual, out=dist, quiet=True)
    assert {p: sha256(p) for p in dist.rglob("*.docx")} == before
    assert not [p for p in dist.rglob("*") if p.name.endswith(".tmp")]


def _soffice_convert(path, outdir, profile):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    env = dict(os.environ, HOME=str(profile))
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                             "--convert-to", "pdf", "--outdir", str(outdir), str(path)],
                            capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    out = outdir / (path.stem + ".pdf")
    assert out.is_file(), result.stdout + result.stderr
    return out


@pytest.mark.slow
def test_libreoffice_converts_the_docx(minimal_build, tmp_path):
    out = _soffice_convert(minimal_build / "dist" / "manual.docx", tmp_path / "out", tmp_path / "lo-profile")
    text = "\n".join(p.extract_text() or "" for p in pypdf.PdfReader(str(out)).pages)
    assert "客户回访制度" in text and "客户档案管理制度" in text and "张三" in text
    assert "第 3 页" in text  # the PAGE field is evaluated


# -- the shipped manual -------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_docx(tmp_path_factory):
    root = copy_manual(REPO, tmp_path_factory.mktemp("docx-shipped") / "shipped")
    manual, _ = read_manual(root)
    if len(manual.documents) < 14:
        pytest.skip("the shipped manual is not complete yet")
    paths = docx_pub.build(manual, out=root / "dist", quiet=True)
    return manual, paths


@pytest.mark.slow
def test_shipped_manual_docx(shipped_docx, tmp_path):
    manual, paths = shipped_docx
    document = docx.Document(str(paths[0]))
    expected = [f"{d.code}　{d.title}" for d in pm.print_documents(manual)]
    assert headings(document, 1)[:14] == expected
    rows = table_rows(document)
    assert ["岗位核定人数", "", "13"] in rows and ["合计", "", "13"] in rows
    assert ["业务员", "销售经理", "4"] in rows
    assert any(r[:1] == ["适用岗位"] for r in rows)  # job descriptions
    assert any(r[0] == "1" and r[2] for r in rows if len(r) == 4)  # workflow steps: number, title, role, forms
    texts = [p.text for p in document.paragraphs]
    assert any(t.startswith("└ 销售经理") for t in texts)  # the org chart as an indented tree
    out = _soffice_convert(paths[0], tmp_path / "out", tmp_path / "lo-profile")
    assert len(pypdf.PdfReader(str(out)).pages) > 20
