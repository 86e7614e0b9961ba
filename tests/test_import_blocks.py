"""What ``read_blocks`` sees of a legacy file: real .docx built with python-docx (tests/legacy_docx.py), and
.txt in every encoding import reads.

The automatic numbers are checked against LibreOffice's own text export (``soffice --convert-to txt``,
which writes list numbers as text): every numbered paragraph of the test documents must get the
number LibreOffice shows.  Three things LibreOffice 7.4 does not implement are checked against
ECMA-376 (what Word shows) instead: w:isLgl, w:lvlRestart and decimalFullWidth.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import run_cli
from generator.authoring import importfile
from generator.authoring.importfile import Block, docx_lines, docx_page_texts, docx_properties, read_blocks
from generator.errors import UsageError
from legacy_docx import LISTS, Level, LegacyDocx, png, write_text
from test_import_limits import W_NS, bomb, docx_parts, import_fails, make_docx, raw_zip

FORMATS = ["decimal", "decimalZero", "chineseCounting", "chineseCountingThousand", "chineseLegalSimplified",
           "ideographTraditional", "japaneseCounting", "decimalEnclosedCircleChinese", "decimalEnclosedCircle",
           "lowerLetter", "upperLetter", "lowerRoman", "upperRoman"]
STARTS = (1, 9, 19, 49, 99, 109, 999)


def paragraphs(path: Path) -> dict[str, Block]:
    return {b.text: b for b in read_blocks(path) if b.kind == "paragraph"}


# ---------------------------------------------------------------------------
# Numbers: LibreOffice is the oracle


def libreoffice_numbers(paths: list[Path], tmp: Path) -> dict[str, str]:
    """{paragraph text: the number before it} as LibreOffice's text export writes each paragraph."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    profile, out = tmp / "lo-profile", tmp / "lo-out"
    result = subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                             "--convert-to", "txt:Text (encoded):UTF8", "--outdir", str(out), *map(str, paths)],
                            capture_output=True, text=True, timeout=300, env=dict(os.environ, HOME=str(profile)))
    assert result.returncode == 0, result.stderr
    numbers = {}
    for path in paths:
        text = (out / (path.stem + ".txt")).read_text(encoding="utf-8-sig")
        for line in text.splitlines():
            m = re.fullmatch(r"\s*(.*?)\s*(P\d+)", line)
            if m:
                numbers[m.group(2)] = m.group(1)
    return numbers


class Texts:
    def __init__(self):
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"P{self.n}"


def formats_docx(path: Path) -> tuple[Path, int]:
    """Every format at several starts; Chinese multilevel lists; lists continued across w:num, restarted by
    startOverride; a level used before the levels above it; bullets; numbering inherited from a heading
    style; a list reached through numStyleLink; numbered paragraphs in a table cell."""
    doc, p = LegacyDocx(styles="zh"), Texts()
    for fmt in FORMATS:
        for start in STARTS:
            doc.numbering(f"{fmt}{start}", [Level(fmt, "%1、", start=start)])
            for _ in range(3):
                doc.item(p(), f"{fmt}{start}")
    doc.numbering("cn", LISTS["chinese"])
    for level in (0, 1, 1, 2, 3, 3, 4, 4, 2, 0, 1, 2, 3, 4, 1):
        doc.item(p(), "cn", level)
    doc.paragraph(p())  # not numbered: the list goes on after it
    doc.numbering("cn-again", "cn")  # another w:num of the same list: continues it
    doc.item(p(), "cn-again", 0)
    doc.item(p(), "cn-again", 1)
    doc.numbering("cn-restart", "cn", start={0: 1})  # startOverride: starts again
    doc.item(p(), "cn-restart", 0)
    doc.item(p(), "cn", 0)
    doc.numbering("deep-first", LISTS["decimal"])
    for level in (2, 2, 1, 2, 0, 3):
        doc.item(p(), "deep-first", level)
    doc.numbering("circle", LISTS["circle"])
    for level in (0, 1, 1, 0, 1):
        doc.item(p(), "circle", level)
    doc.numbering("letter", LISTS["letter"])
    for level in (0, 0, 1, 1, 0):
        doc.item(p(), "letter", level)
    doc.numbering("upper", LISTS["upper"])
    for level in (0, 1, 1, 1, 1, 0):
        doc.item(p(), "upper", level)
    doc.numbering("headings", [("chineseCounting", "第%1章"), ("decimal", "%1.%2")])
    doc.number_style(1, "headings", 0)
    doc.number_style(2, "headings", 1)
    for level in (1, 2, 2, 1, 2):
        doc.heading(p(), level)
    doc.numbering("base", LISTS["chinese"], style_link="条款")
    doc.numbering_style("条款", "base")
    doc.linked_list("linked", "条款")
    for level in (0, 1, 0):
        doc.item(p(), "linked", level)
    doc.item(p(), "base", 0)
    doc.numbering("start-nine", [Level("decimal", "%1."), Level("decimal", "%1.%2", start=9)])
    for level in (1, 1, 0, 1):
        doc.item(p(), "start-nine", level)
    doc.numbering("in-cells", LISTS["chinese"])
    doc.item(p(), "in-cells", 0)
    doc.table([[p(), f"{p()}\n{p()}"]], numbered={(0, 0): ("in-cells", 0), (0, 1): ("in-cells", 1)})
    doc.item(p(), "in-cells", 0)  # the list goes on after the table
    return doc.save(path), p.n


def numbered_texts(path: Path) -> dict[str, str]:
    """{text: number} of every paragraph, a table cell's paragraphs ("number text") included."""
    found = {}
    for block in read_blocks(path):
        if block.kind == "paragraph":
            found[block.text] = block.number
        for row in block.rows:
            for cell in row:
                for line in cell.split("\n"):
                    number, _, text = line.rpartition(" ")
                    found[text] = number
    return found


def test_numbers_are_those_libreoffice_shows(tmp_path):
    source, count = formats_docx(tmp_path / "formats.docx")
    oracle = libreoffice_numbers([source], tmp_path)
    mine = numbered_texts(source)
    assert len(oracle) == count and len(mine) == count
    assert mine == oracle
    assert [mine[f"P{n}"] for n in range(count - 4, count + 1)] == ["一、", "二、", "（一）", "（二）", "三、"]
    # … and what they are, by hand, for the formats the issue names
    shown = [mine[f"P{n}"] for n in range(1, count + 1)]
    assert "一、" in shown and "十九、" in shown and "一百零九、" in shown and "九百九十九、" in shown
    assert "壹拾玖、" in shown and "①、" in shown and "⑳、" in shown and "㊿、" in shown and "ww、" in shown
    assert "XIX、" in shown and "01、" in shown and "甲、" in shown


def test_list_levels_headings_and_text_without_number(tmp_path):
    source, _ = formats_docx(tmp_path / "formats.docx")
    blocks = [b for b in read_blocks(source) if b.kind == "paragraph"]
    cn = blocks[len(FORMATS) * len(STARTS) * 3:][:15]
    assert [(b.number, b.list_level) for b in cn[:4]] == [("一、", 0), ("（一）", 1), ("（二）", 1), ("1、", 2)]
    assert all(re.fullmatch(r"P\d+", b.text) for b in blocks)  # the number is never in the text
    chapters = [b for b in blocks if b.heading is not None]
    assert [(b.heading, b.number) for b in chapters] == [(1, "第一章"), (2, "一.1"), (2, "一.2"), (1, "第二章"),
                                                          (2, "二.1")]
    assert all(b.list_level is None for b in blocks if not b.number)


def word_only_docx(path: Path) -> Path:
    doc = LegacyDocx()
    doc.numbering("legal", [Level("chineseCounting", "第%1章"), Level("decimal", "%1.%2", lgl=True),
                            Level("decimal", "%1.%2.%3", restart=0, lgl=True), Level("decimal", "%4)", restart=1)])
    for n, level in enumerate((0, 1, 2, 2, 3, 1, 2, 3, 0, 1, 2, 3), 1):
        doc.item(f"L{n}", "legal", level)
    doc.numbering("wide", [("decimalFullWidth", "%1．"), ("none", ""), ("bullet", "\uf0b7")])
    for n, level in enumerate((0, 0, 1, 2, 0), 1):
        doc.item(f"W{n}", "wide", level)
    return doc.save(path)


def test_is_lgl_lvl_restart_full_width_bullets_as_word_shows_them(tmp_path):
    """ECMA-376 §17.9: isLgl shows every level's number in decimal (第一章 → 1.1); lvlRestart 0 never
    restarts a level, n restarts it only after level n; decimalFullWidth is ０-９.  (LibreOffice 7.4
    shows 一.1, restarts every lower level and writes ASCII digits.)"""
    blocks = paragraphs(word_only_docx(tmp_path / "word.docx"))
    assert [blocks[f"L{n}"].number for n in range(1, 13)] == [
        "第一章", "1.1", "1.1.1", "1.1.2", "1)", "1.2", "1.2.3", "2)", "第二章", "2.1", "2.1.4", "1)"]
    assert [(blocks[f"W{n}"].number, blocks[f"W{n}"].list_level) for n in range(1, 6)] == [
        ("１．", 0), ("２．", 0), ("", 1), ("•", 2), ("３．", 0)]


def test_format_numbers_by_hand():
    fmt = importfile.format_number
    assert [fmt(n, "chineseCounting") for n in (1, 10, 11, 20, 21, 100, 101, 110, 1000, 1001, 1010)] == [
        "一", "十", "十一", "二十", "二十一", "一百", "一百零一", "一百一十", "一千", "一千零一", "一千零一十"]
    assert [fmt(n, "chineseLegalSimplified") for n in (1, 10, 11, 20, 105)] == ["壹", "壹拾", "壹拾壹", "贰拾",
                                                                              "壹佰零伍"]
    assert [fmt(n, "decimalEnclosedCircleChinese") for n in (1, 20, 21, 50, 51)] == ["①", "⑳", "㉑", "㊿", "51"]
    assert [fmt(n, "lowerLetter") for n in (1, 26, 27, 53)] == ["a", "z", "aa", "aaa"]
    assert [fmt(n, "upperRoman") for n in (4, 9, 14, 1994)] == ["IV", "IX", "XIV", "MCMXCIV"]
    assert [fmt(n, "ideographTraditional") for n in (1, 10, 11)] == ["甲", "癸", "11"]
    assert fmt(7, "decimalZero") == "07" and fmt(12, "decimalZero") == "12" and fmt(3, "cardinalText") == "3"


# ---------------------------------------------------------------------------
# Headings


@pytest.mark.parametrize("styles", ["en", "zh", "zh-word"])
def test_heading_levels_from_styles_and_outline_levels(tmp_path, styles):
    doc = LegacyDocx(styles=styles)
    for level in (1, 2, 3, 4):
        doc.heading(f"H{level}", level)
    doc.style("章标题", based_on=1)
    doc.style("节标题", based_on="章标题")  # based on a style based on heading 1
    doc.style("提纲三", outline=2)  # outline level 2 (0-based) = heading 3
    doc.style("正文标题", based_on=2, outline=9)  # a heading style made body text by outline level 9
    doc.style("Title 标题")  # no number: a title, not a heading
    doc.paragraph("chapter", style="章标题")
    doc.paragraph("section", style="节标题")
    doc.paragraph("outline", style="提纲三")
    doc.paragraph("body", style="正文标题")
    doc.paragraph("own outline", outline=3)  # w:outlineLvl on the paragraph itself
    doc.paragraph("own body", style="章标题", outline=9)
    doc.paragraph("title", style="Title 标题")
    doc.paragraph("plain")
    blocks = paragraphs(doc.save(tmp_path / "h.docx"))
    assert {text: b.heading for text, b in blocks.items()} == {
        "H1": 1, "H2": 2, "H3": 3, "H4": 4, "chapter": 1, "section": 1, "outline": 3, "body": None,
        "own outline": 4, "own body": None, "title": None, "plain": None}
    with zipfile.ZipFile(tmp_path / "h.docx") as z:  # the naming really is the one the test means
        styles_xml = z.read("word/styles.xml").decode("utf-8")
    expected = {"en": 'w:styleId="Heading1"', "zh": '<w:name w:val="标题 1"/>', "zh-word": '<w:name w:val="heading 1"/>'}
    assert expected[styles] in styles_xml
    if styles != "en":
        assert 'w:styleId="1"' in styles_xml


def test_a_loop_of_based_on_styles_ends(tmp_path):
    doc = LegacyDocx()
    doc.style("A", style_id="A")
    doc.style("B", based_on="A", style_id="B")
    doc.doc.styles["A"].base_style = doc.doc.styles["B"]  # A → B → A
    doc.paragraph("looped", style="A")
    assert paragraphs(doc.save(tmp_path / "loop.docx"))["looped"].heading is None


# ---------------------------------------------------------------------------
# Tables, positions, images


def test_tables_merged_cells_nested_tables_and_positions(tmp_path):
    doc = LegacyDocx()
    doc.numbering("n", LISTS["decimal"])
    doc.paragraph("before")
    doc.table([["岗位", "人数", "备注"], ["经理", "1"], ["", "两段\n文字", "外"]], spans={(1, 1): 2},
              vmerge={(1, 0): "restart", (2, 0): "continue"}, nested={(2, 2): [["内1", "内2"], ["内3", ""]]})
    doc.paragraph("")  # an empty paragraph has its position, and no block
    doc.item("after", "n")
    source = doc.save(tmp_path / "t.docx")
    blocks = read_blocks(source)
    assert [(b.kind, b.position) for b in blocks] == [("paragraph", 1), ("table", 2), ("paragraph", 6)]
    assert blocks[1].rows == (("岗位", "人数", "备注"), ("经理", "1"), ("", "两段\n文字", "外\n内1 内2\n内3"))
    lines = docx_lines(source)
    assert len(lines) == 6 and lines[0] == "before" and lines[5] == "1 after" and lines[4] == ""
    assert lines[1:4] == ["岗位 人数 备注", "经理 1", "两段文字 外内1 内2内3"]


def test_images_in_paragraphs_and_tables(tmp_path):
    red, blue = png(rgb=(200, 0, 0)), png(5, 5, rgb=(0, 0, 200))
    doc = LegacyDocx()
    doc.paragraph("图前")
    doc.image(red, text="组织机构图")  # text and picture: both blocks
    doc.image(blue)  # a picture alone
    doc.image(red)  # the same picture again
    table = doc.table([["签字", ""]])
    table.rows[0].cells[1].paragraphs[0].add_run().add_picture(io.BytesIO(blue))
    doc.paragraph("图后")
    blocks = read_blocks(doc.save(tmp_path / "img.docx"))
    seen = [(b.kind, b.position, b.text, b.image and b.image[1]) for b in blocks]
    assert seen == [("paragraph", 1, "图前", None), ("paragraph", 2, "组织机构图", None), ("image", 2, "", red),
                    ("image", 3, "", blue), ("image", 4, "", red), ("table", 5, "", None), ("image", 5, "", blue),
                    ("paragraph", 6, "图后", None)]
    assert all(b.image[0].startswith("image") and b.image[0].endswith(".png") for b in blocks if b.image)


def drawings_docx(path: Path, count: int, image: bytes) -> Path:
    blip = ('<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
            'wordprocessingDrawing"><a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:graphicData><a:blip xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'r:embed="rIdImg"/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
    body = "<w:p><w:r><w:t>某某有限公司管理手册</w:t></w:r></w:p>" + f"<w:p>{blip}</w:p>" * count
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdImg" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image1.png"/></Relationships>')
    return make_docx(path, {"word/_rels/document.xml.rels": rels, "word/media/image1.png": image}, document=document)


def test_too_many_pictures_is_refused(tmp_path):
    ok = drawings_docx(tmp_path / "ok.docx", importfile.MAX_IMAGES, png())
    assert sum(1 for b in read_blocks(ok) if b.kind == "image") == importfile.MAX_IMAGES
    source = drawings_docx(tmp_path / "many.docx", importfile.MAX_IMAGES + 1, png())
    import_fails(tmp_path, source, "图片超过 1000 张")  # the command itself: one line, exit 2
    with pytest.raises(UsageError, match="more than 1000 pictures"):
        read_blocks(source)


def test_pictures_over_their_total_size_are_refused(tmp_path, monkeypatch):
    """The total is counted on the bytes read (each picture once); lowered here so that the test file stays small."""
    monkeypatch.setattr(importfile, "MAX_IMAGE_BYTES", 3 * len(png()) - 1)
    three = tmp_path / "three.docx"
    doc = LegacyDocx()
    for rgb in ((1, 2, 3), (4, 5, 6)):
        doc.image(png(rgb=rgb))
    doc.image(png(rgb=(1, 2, 3)))  # the same picture again: counted once
    doc.save(three)
    assert sum(1 for b in read_blocks(three) if b.kind == "image") == 3
    doc.image(png(rgb=(7, 8, 9)))
    doc.save(three)
    with pytest.raises(UsageError, match="pictures are over"):
        read_blocks(three)


def test_a_picture_is_read_through_the_guards(tmp_path):
    """A picture that inflates past its ratio is stopped while read; one that declares 1 GiB is refused unread."""
    with zipfile.ZipFile(drawings_docx(tmp_path / "x.docx", 1, b"")) as made:
        parts = {name: made.read(name) for name in ("word/document.xml", "word/_rels/document.xml.rels")}
    lying = raw_zip(tmp_path / "lying.docx", {**docx_parts(), **parts, "word/media/image1.png": bomb(4)},
                    declared={"word/media/image1.png": 10_000_000})
    with pytest.raises(UsageError, match="100:1"):
        read_blocks(lying)
    import_fails(tmp_path, lying, "word/media/image1.png", "100:1")
    huge = raw_zip(tmp_path / "huge.docx", {**docx_parts(), "word/media/image1.png": bomb(1024)})
    import_fails(tmp_path, huge, "word/media/image1.png", "128 MB")


# ---------------------------------------------------------------------------
# Headers, footers, properties


def test_header_footer_texts_and_properties(tmp_path):
    doc = LegacyDocx()
    doc.header("上海某某实业有限公司")
    doc.header("管理手册  文件编号：QM-01")
    doc.footer("上海某某实业有限公司")  # the same text again: once
    doc.footer("第 1 页")
    doc.properties(title="质量管理手册", company="上海某某实业有限公司")
    doc.paragraph("正文")
    source = doc.save(tmp_path / "hf.docx")
    assert docx_page_texts(source) == ["上海某某实业有限公司", "管理手册 文件编号：QM-01", "第 1 页"]
    assert docx_properties(source) == {"title": "质量管理手册", "company": "上海某某实业有限公司"}
    bare = LegacyDocx()
    bare.paragraph("正文")
    source = bare.save(tmp_path / "bare.docx")
    assert docx_page_texts(source) == [] and docx_properties(source) == {}


def test_headers_and_properties_go_through_the_same_guards(tmp_path):
    laughs = make_docx(tmp_path / "laughs.docx", {"word/header1.xml": '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a '
                                                  '"a">]><w:hdr xmlns:w="' + W_NS + '"/>'})
    for reader in (docx_page_texts, docx_properties, read_blocks):
        with pytest.raises(UsageError, match="DOCTYPE"):
            reader(laughs)
    big = raw_zip(tmp_path / "big.docx", {**docx_parts(), "docProps/core.xml": bomb(200)})
    for reader in (docx_page_texts, docx_properties):
        with pytest.raises(UsageError, match="128 MB|100:1"):
            reader(big)


# ---------------------------------------------------------------------------
# Text files

LINES = ["某某有限公司质量管理手册", "第一章 总则", "1.1 目的", "为了规范公司的质量管理工作，明确各部门的职责，特制定本手册。",
         "", "1.2 范围", "本手册适用于公司所有部门和岗位的管理活动（一、二、三）。"]


@pytest.mark.parametrize("encoding,bom", [("utf-8", False), ("utf-8", True), ("gbk", False), ("gb18030", False),
                                          ("utf-16-le", True), ("utf-16-be", True), ("utf-16-le", False),
                                          ("utf-16-be", False)])
@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_text_in_every_encoding_and_line_end(tmp_path, encoding, bom, newline):
    source = write_text(tmp_path / "m.txt", LINES, encoding, bom=bom, newline=newline)
    blocks = read_blocks(source)
    assert [(b.position, b.text) for b in blocks] == [(n, line) for n, line in enumerate(LINES, 1) if line]
    assert all(b.kind == "paragraph" and b.heading is None and not b.number for b in blocks)


def test_a_gbk_text_imports(tmp_path):
    source = write_text(tmp_path / "gbk.txt", ["示例有限公司业务手册2020年1月1日", "第一章 总则", "1.1 部门职责",
                                               "1、负责销售和客户服务工作。", "2、负责服务质量的检查和记录。"], "gbk")
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "负责服务质量的检查和记录" in (out / "policies" / "0101-2020.md").read_text(encoding="utf-8")


def test_short_gbk_text_is_not_judged(tmp_path):
    """Under 20 CJK characters there is too little to judge: it is read as GB18030."""
    source = write_text(tmp_path / "short.txt", ["管理手册", "第一条"], "gbk")
    assert [b.text for b in read_blocks(source)] == ["管理手册", "第一条"]


def test_content_controls_text_boxes_tabs_and_breaks(tmp_path):
    """A Word TOC sits in a content control (w:sdt): its paragraphs are the body's.  A text box is written
    twice (mc:Choice and the VML mc:Fallback): its text comes once.  Tabs and line breaks are text;
    tab stops, page breaks, deleted text and field codes are not."""
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    box = ('<w:r><mc:AlternateContent xmlns:mc="' + mc + '"><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
           '<w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>'
           '<w:txbxContent><w:p><w:r><w:t>框内</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback>'
           '</mc:AlternateContent></w:r>')
    body = ('<w:sdt><w:sdtPr/><w:sdtContent>'
            '<w:p><w:pPr><w:tabs><w:tab w:val="right" w:pos="8000"/></w:tabs></w:pPr>'
            '<w:r><w:t>一、客户服务宗旨</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>0101-2014</w:t></w:r></w:p>'
            '<w:p><w:r><w:t>二、客户管理</w:t><w:tab/><w:t>0102-2014</w:t></w:r></w:p>'
            '</w:sdtContent></w:sdt>'
            '<w:p><w:r><w:t>第一行</w:t><w:br/><w:t>第二行</w:t><w:br w:type="page"/></w:r>'
            '<w:del><w:r><w:delText>删去的</w:delText></w:r></w:del>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
            f'<w:p><w:r><w:t>有框</w:t></w:r>{box}</w:p>'
            '<w:tbl><w:sdt><w:sdtContent><w:tr><w:tc><w:p><w:r><w:t>控件中的行</w:t></w:r></w:p></w:tc></w:tr>'
            '</w:sdtContent></w:sdt></w:tbl>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
                f"<w:body>{body}</w:body></w:document>")
    source = make_docx(tmp_path / "sdt.docx", document=document)
    blocks = read_blocks(source)
    assert [(b.kind, b.position, b.text, b.rows) for b in blocks] == [
        ("paragraph", 1, "一、客户服务宗旨\t0101-2014", ()), ("paragraph", 2, "二、客户管理\t0102-2014", ()),
        ("paragraph", 3, "第一行\n第二行3", ()), ("paragraph", 4, "有框框内", ()), ("table", 5, "", (("控件中的行",),))]
    assert docx_lines(source) == ["一、客户服务宗旨\t0101-2014", "二、客户管理\t0102-2014", "第一行 第二行3", "有框框内",
                                  "控件中的行"]


def test_properties_without_their_relationships(tmp_path):
    """A package whose _rels/.rels names only the document: docProps/core.xml and app.xml are read by name."""
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
            'package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<dc:title>  业务部门\n管理手册 </dc:title><dc:subject/></cp:coreProperties>')
    app = ('<?xml version="1.0" encoding="UTF-8"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/'
           '2006/extended-properties"><Company>蜀瑞科技有限公司</Company></Properties>')
    source = make_docx(tmp_path / "p.docx", {"docProps/core.xml": core, "docProps/app.xml": app})
    assert docx_properties(source) == {"title": "业务部门 管理手册", "company": "蜀瑞科技有限公司"}


def test_nul_bytes_only_after_the_first_megabyte_are_refused(tmp_path):
    """UTF-16 is judged on the first MB; a text whose NUL bytes come later is no UTF-16 and no text."""
    source = tmp_path / "late-nul.txt"
    source.write_bytes(("管理手册第一条。\n" * 60_000).encode("utf-8") + b"\x00\x00")
    with pytest.raises(UsageError, match="neither UTF-8, UTF-16 nor GB18030"):
        read_blocks(source)
