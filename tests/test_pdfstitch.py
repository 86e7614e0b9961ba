"""Joining separately rendered PDF parts (generator/publishers/pdf/stitch.py), with the real WeasyPrint and
read back with pypdf and poppler: links, destinations, bookmarks, footers, fonts, bytes."""
from __future__ import annotations

import io
import shutil
import subprocess

import pypdf
import pytest

from generator.publishers.pdf import stitch as pdfstitch

weasyprint = pytest.importorskip("weasyprint")

CSS = """<style>
@page { size: A4; margin: 20mm; }
body { font-family: "Noto Serif CJK SC", serif; font-size: 12pt; }
h1 { bookmark-level: 1; font-family: "Noto Sans CJK SC", sans-serif; }
h2 { bookmark-level: 2; }
</style>"""


def part(body: str) -> bytes:
    return weasyprint.HTML(string=f"<html lang='zh'><head>{CSS}</head><body>{body}</body></html>").write_pdf()


def overlay(pages: int) -> bytes:
    html = ("<style>@page { size: A4; margin: 20mm; @bottom-center { content: '第 ' counter(page) ' 页 / 共 ' "
            "counter(pages) ' 页'; font-family: 'Noto Sans CJK SC'; } } div + div { break-before: page; }</style>"
            + "<div></div>" * pages)
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def joined():
    link_b = pdfstitch.part_link("doc-b")
    parts = [
        part("<h1 id='doc-a'>甲 制度</h1><h2 id='s'>甲的小节</h2>"
             f"<p>参见<a href='{link_b}'>《乙 规程》</a>与<a href='#s'>本节</a>。春眠不觉晓</p>"
             "<p><a href='urn:manual:nowhere'>不存在的文件</a></p>"),
        part("<h1 id='doc-b'>乙 规程</h1><h2 id='s'>乙的小节</h2>"
             "<p>回到<a href='urn:manual:doc-a'>《甲 制度》</a>；<a href='#s'>乙的本节</a>。处处闻啼鸟</p>"
             + "<p>夜来风雨声，花落知多少。</p>" * 60),
        part("<h2 id='f'>附表</h2><p>客户回访记录表</p>"),
    ]
    counts = [len(pypdf.PdfReader(io.BytesIO(p)).pages) for p in parts]
    out = pdfstitch.stitch(parts, overlay=overlay(sum(counts)), levels=[1, 1, 2], title="测试手册", lang="zh-CN",
                           keywords="甲, 乙", producer="tests")
    return {"parts": parts, "counts": counts, "pdf": out, "reader": pypdf.PdfReader(io.BytesIO(out))}


def _annots(page):
    return [a.get_object() for a in page.get("/Annots") or []]


def test_pages_and_text_of_every_part_in_order(joined):
    reader, counts = joined["reader"], joined["counts"]
    assert len(reader.pages) == sum(counts) and counts[1] >= 2
    texts = [p.extract_text() for p in reader.pages]
    assert "春眠不觉晓" in texts[0] and "处处闻啼鸟" in texts[1] and "客户回访记录表" in texts[-1]
    for n, text in enumerate(texts, 1):
        assert f"第 {n} 页 / 共 {len(texts)} 页" in text, (n, text[-40:])


def test_links_across_parts_become_internal_and_dangling_ones_go(joined):
    reader = joined["reader"]
    names = reader.named_destinations
    first = _annots(reader.pages[0])
    dests = [str(a.get("/Dest")) for a in first]
    assert "doc-b" in dests and not any("/A" in a for a in first)  # no urn: URI left, no dead link
    assert len(first) == 2  # 《乙》 and the own section; the link to "nowhere" was removed
    b_page = reader.get_destination_page_number(names["doc-b"])
    assert b_page == joined["counts"][0]
    back = _annots(reader.pages[b_page])
    assert "doc-a" in [str(a.get("/Dest")) for a in back]


def test_a_name_defined_in_two_parts_lands_in_each_own_part(joined):
    reader = joined["reader"]
    names = reader.named_destinations
    own = [str(a["/Dest"]) for a in _annots(reader.pages[joined["counts"][0]]) if str(a["/Dest"]) != "doc-a"]
    assert own == ["s~1"]
    assert reader.get_destination_page_number(names["s"]) == 0
    assert reader.get_destination_page_number(names["s~1"]) == joined["counts"][0]


def test_bookmarks_nest_by_level_across_parts(joined):
    outline = joined["reader"].outline
    titles = [o.title if not isinstance(o, list) else [x.title for x in o] for o in outline]
    assert titles == ["甲 制度", ["甲的小节"], "乙 规程", ["乙的小节", "附表"]]


def test_each_font_is_embedded_once_and_the_file_is_smaller_than_its_parts(joined):
    reader = joined["reader"]
    files: dict[str, set] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            key = "/FontFile3" if "/FontFile3" in descriptor else "/FontFile2"
            name = str(descriptor["/FontName"]).split("+", 1)[1]
            files.setdefault(name, set()).add(descriptor.raw_get(key).idnum)
    assert any("CJK" in name for name in files)
    assert all(len(ids) == 1 for ids in files.values()), files
    assert len(joined["pdf"]) < 0.7 * sum(len(p) for p in joined["parts"])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_shared_fonts_draw_the_same_glyphs(joined, tmp_path):
    """Each joined page looks exactly like its part's page above the footer (same glyph outlines)."""
    from PIL import Image, ImageChops

    def raster(pdf: bytes, page: int, name: str) -> Image.Image:
        src = tmp_path / f"{name}.pdf"
        src.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(src),
                        str(tmp_path / name)], check=True)
        img = Image.open(tmp_path / f"{name}.png").convert("L")
        return img.crop((0, 0, img.width, int(img.height * 0.9)))  # above the footer

    start = 1
    for n, (blob, count) in enumerate(zip(joined["parts"], joined["counts"])):
        a = raster(blob, 1, f"part{n}")
        b = raster(joined["pdf"], start, f"joined{n}")
        assert ImageChops.difference(a, b).getbbox() is None, n
        assert a.getextrema()[0] < 128  # not a blank page: text was drawn
        start += count


def test_same_parts_same_bytes(joined):
    counts = joined["counts"]
    again = pdfstitch.stitch(joined["parts"], overlay=overlay(sum(counts)), levels=[1, 1, 2], title="测试手册",
                             lang="zh-CN", keywords="甲, 乙", producer="tests")
    assert again == joined["pdf"]
    info = joined["reader"].metadata
    assert info["/Title"] == "测试手册" and joined["reader"].trailer["/Root"]["/Lang"] == "zh-CN"


def test_overlay_must_match_the_pages(joined):
    with pytest.raises(ValueError, match="overlay has"):
        pdfstitch.stitch(joined["parts"], overlay=overlay(1))
