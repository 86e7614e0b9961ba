"""The 受控 stamp of a controlled copy covers nothing of the page (#21 review B8): on every page of a copy
of the shipped manual (cover with its notice, documents with running header and footer, landscape
forms), with a short and with a long holder name, no character of the original page and no other ink
lies under the stamp's rectangle, read back from the copy (pdfplumber: the stamp's red border, the
original's characters) and from its rendering (poppler)."""
from __future__ import annotations

import subprocess

import pdfplumber
import pytest
from PIL import Image

from conftest import REPO, copy_manual, run_cli
from generator.publishers.stamp import controlled_copy

pytestmark = pytest.mark.slow

LONG = "华东区域销售服务中心大客户业务部高级业务经理助理兼客户关系专员示例某某某（sample-long-holder-name）"


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    root = copy_manual(REPO, tmp_path_factory.mktemp("stamp") / "m")
    result = run_cli("build", "pdf", "--root", root, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "dist/manual.pdf"


def _stamp_rects(page) -> list[tuple]:
    """The stamp's border on a page of the copy: the red rectangles the original does not have."""
    return [(r["x0"], r["top"], r["x1"], r["bottom"]) for r in page.rects
            if r.get("stroking_color") and tuple(round(c, 2) for c in r["stroking_color"]) == (0.73, 0.11, 0.11)
            or r.get("non_stroking_color") and tuple(round(c, 2) for c in r["non_stroking_color"] or ()) == (0.73, 0.11, 0.11)]


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("holder", ["示例甲（sample-jia）", LONG])
def test_the_stamp_covers_no_text_and_no_ink_of_any_page(master, holder, tmp_path):
    copy = tmp_path / "copy.pdf"
    controlled_copy(master, copy, "受控文件", ["分发号：01", f"持有人：{holder}", "版次：2014.1"])
    with pdfplumber.open(master) as original, pdfplumber.open(copy) as stamped:
        assert len(original.pages) == len(stamped.pages)
        landscape, boxes = 0, {}
        for number, (before, after) in enumerate(zip(original.pages, stamped.pages), start=1):
            landscape += before.width > before.height
            before_red = set(_stamp_rects(before))
            rects = [r for r in _stamp_rects(after) if r not in before_red]
            assert rects, f"page {number}: no stamp"
            box = (min(r[0] for r in rects), min(r[1] for r in rects),
                   max(r[2] for r in rects), max(r[3] for r in rects))
            boxes[number] = box
            assert 0 < box[0] and box[2] < after.width and 0 < box[1] and box[3] < after.height
            under = [c["text"] for c in before.chars if _overlaps(box, (c["x0"], c["top"], c["x1"], c["bottom"]))]
            assert under == [], f"page {number}: the stamp at {box} covers {''.join(under)!r}"
            words = after.extract_text().replace(" ", "")
            assert "受控文件" in words and "分发号：01" in words
        assert landscape, "the shipped manual has landscape forms"
    # What the reader sees: on the original's rendering, the stamp's rectangle is blank paper.
    for number in (1, 2, 8, 30):
        subprocess.run(["pdftoppm", "-r", "72", "-gray", "-f", str(number), "-l", str(number), "-png",
                        str(master), str(tmp_path / "o")], check=True)
        box = boxes[number]
        image = Image.open(next(tmp_path.glob("o-*.png"))).convert("L")
        region = image.crop(tuple(int(v) for v in box)).point(lambda v: 255 if v < 250 else 0)
        assert region.getbbox() is None, f"page {number}: the stamp lies over ink of the page"
        for png in tmp_path.glob("o-*.png"):
            png.unlink()
