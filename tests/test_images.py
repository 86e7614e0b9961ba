"""Pictures in document bodies (``![说明](images/x.png)``), in every output, read back from the real engines.

A copy of the minimal manual gets two pictures made with Pillow here: a wide PNG alone in its paragraph
(a figure with its description as caption) and a small JPEG inside a line of text; a GIF beside the
policies folder is shown from ``../images/``.  Then: ``manual check`` is clean; the site has the pictures
next to its pages and Chromium shows them within a 390 px phone's width; the PDF embeds them within the
text block; the DOCX has real inline pictures within the text width, their alt text kept; a changed
picture is a changed document; a release freezes the pictures and ``manual verify`` passes; a Word file
with a picture imports into a document whose site page shows it.  The broken cases are fixtures
(tests/fixtures/broken/image-*); the ones a fixture cannot hold (a symbolic link, an absolute path) are here.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil

import pytest

import browser
from conftest import MINIMAL, copy_manual, run_cli
from generator.model.build import read_manual
from generator.model.fingerprint import fingerprint, normative
from generator.rules.check import check

pytestmark = pytest.mark.slow

WIDE = (1600, 600)  # px: at 96 per inch 423 mm, far wider than the 172 mm text block
TEXT_BLOCK_PT = (210 - 20 - 18) / 25.4 * 72  # A4 less the PDF's margins (templates/print/page.css.j2)


def picture(fmt: str, size, colour) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", size, colour)
    ImageDraw.Draw(im).rectangle((size[0] // 8, size[1] // 8, size[0] // 2, size[1] // 2), fill=(250, 200, 0))
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def add_pictures(root):
    (root / "policies" / "images").mkdir(parents=True, exist_ok=True)
    (root / "policies" / "images" / "visit-flow.png").write_bytes(picture("PNG", WIDE, (30, 120, 200)))
    (root / "policies" / "images" / "icon.jpg").write_bytes(picture("JPEG", (48, 24), (200, 30, 30)))
    (root / "images").mkdir(exist_ok=True)
    (root / "images" / "logo.gif").write_bytes(picture("GIF", (120, 60), (20, 160, 60)))
    path = root / "policies" / "0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\n![回访流程图](images/visit-flow.png)\n\n回访时出示工牌 ![工牌标志](images/icon.jpg) 并说明来意。\n"
                    + "\n![公司标志](../images/logo.gif)\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = add_pictures(copy_manual(MINIMAL, tmp_path_factory.mktemp("images") / "m"))
    result = run_cli("build", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_check_is_clean_and_the_model_knows_each_picture(built):
    result = run_cli("check", "--format", "json", "--root", built)
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["findings"] == []
    manual, _ = read_manual(built)
    doc = manual.document("0101-2020")
    seen = [(i.src, i.path, i.mime, i.width, i.height, i.sha256) for i in doc.images]
    assert seen == [
        ("images/visit-flow.png", "policies/images/visit-flow.png", "image/png", *WIDE,
         sha((built / "policies/images/visit-flow.png").read_bytes())),
        ("images/icon.jpg", "policies/images/icon.jpg", "image/jpeg", 48, 24,
         sha((built / "policies/images/icon.jpg").read_bytes())),
        ("../images/logo.gif", "images/logo.gif", "image/gif", 120, 60, sha((built / "images/logo.gif").read_bytes()))]
    assert manual.document("0102-2020").images == []


def test_site_copies_the_pictures_next_to_the_pages(built):
    page = (built / "site/documents/0101-2020.html").read_text(encoding="utf-8")
    for name in ("policies/images/visit-flow.png", "policies/images/icon.jpg", "images/logo.gif"):
        data = (built / name).read_bytes()
        copy = f"images/{sha(data)[:16]}{os.path.splitext(name)[1]}"
        assert (built / "site" / copy).read_bytes() == data
        assert f'src="../{copy}"' in page
    assert "<figcaption>回访流程图</figcaption>" in page and 'alt="工牌标志"' in page


@pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))
@pytest.mark.parametrize("width", [390, 1280])
def test_chromium_shows_the_pictures_within_the_column(built, width, artifacts):
    with browser.serve(built / "site") as base, browser.chromium() as chromium:
        tab = chromium.new_page(viewport={"width": width, "height": 900})
        tab.goto(f"{base}/documents/0101-2020.html")
        tab.wait_for_load_state("load")
        shown = tab.eval_on_selector_all(
            "article img[src*='images/']",
            "els => els.map(e => ({alt: e.alt, natural: e.naturalWidth, complete: e.complete,"
            " right: e.getBoundingClientRect().right, width: e.getBoundingClientRect().width}))")
        page_width = tab.evaluate("document.documentElement.clientWidth")
        tab.screenshot(path=str(artifacts / f"images-{width}.png"), full_page=True)
    assert sorted(s["alt"] for s in shown) == ["公司标志", "回访流程图", "工牌标志"]
    for s in shown:
        assert s["complete"] and s["natural"] > 0, s
        assert 0 < s["width"] <= page_width and s["right"] <= page_width, (s, page_width)
    wide = next(s for s in shown if s["alt"] == "回访流程图")
    assert wide["width"] < WIDE[0]  # scaled to the column, not at its natural 1600 px


def _images_drawn(page):
    """(name, width in pt) of every image XObject the page draws, the transformation matrix followed."""
    from pypdf.generic import ContentStream

    xobjects = page["/Resources"].get("/XObject") or {}
    images = {name for name in xobjects if xobjects[name].get_object()["/Subtype"] == "/Image"}
    stack, ctm, out = [], [1, 0, 0, 1, 0, 0], []

    def mul(m, n):
        return [m[0] * n[0] + m[1] * n[2], m[0] * n[1] + m[1] * n[3], m[2] * n[0] + m[3] * n[2],
                m[2] * n[1] + m[3] * n[3], m[4] * n[0] + m[5] * n[2] + n[4], m[4] * n[1] + m[5] * n[3] + n[5]]

    def walk(content, ctm):
        for operands, op in ContentStream(content, page.pdf).operations:
            if op == b"q":
                stack.append(list(ctm))
            elif op == b"Q":
                ctm[:] = stack.pop()
            elif op == b"cm":
                ctm[:] = mul([float(x) for x in operands], ctm)
            elif op == b"Do" and operands[0] in images:
                out.append((operands[0], (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5))
            elif op == b"Do":
                form = xobjects[operands[0]].get_object()
                saved = list(ctm)
                walk(form, ctm)
                ctm[:] = saved

    walk(page.get_contents(), ctm)
    return out


@pytest.mark.parametrize("pdf", ["dist/documents/0101-2020.pdf", "dist/manual.pdf"])
def test_pdf_embeds_the_pictures_within_the_text_block(built, pdf):
    from pypdf import PdfReader

    reader = PdfReader(built / pdf)
    drawn = [(i, name, w) for i, page in enumerate(reader.pages) if "0101-2020" in (page.extract_text() or "")
             for name, w in _images_drawn(page)]
    assert len(drawn) == 3, drawn
    widths = sorted(w for _, _, w in drawn)
    assert widths[-1] <= TEXT_BLOCK_PT + 0.5  # the wide one: scaled to the text block
    assert widths[-1] > TEXT_BLOCK_PT * 0.9  # … and filling it
    assert widths[0] == pytest.approx(48 * 0.75, abs=0.5)  # the icon at its natural size (96 px per inch)
    text = "".join(reader.pages[i].extract_text() for i in {i for i, _, _ in drawn})
    assert "回访流程图" in text  # the caption


def test_docx_has_real_inline_pictures_within_the_text_width(built):
    import docx

    for path in ("dist/documents/0101-2020.docx", "dist/manual.docx"):
        document = docx.Document(str(built / path))
        section = document.sections[-1]
        room = section.page_width - section.left_margin - section.right_margin
        shapes = document.inline_shapes
        assert [s._inline.docPr.get("descr") for s in shapes] == ["回访流程图", "工牌标志", "公司标志"]
        wide = shapes[0]
        assert wide.width <= room and wide.width > room * 0.9
        assert wide.height / wide.width == pytest.approx(WIDE[1] / WIDE[0], rel=0.01)
        assert shapes[1].width == pytest.approx(48 * 9525, rel=0.01)
        blobs = {sha(rel.target_part.blob) for rel in document.part.rels.values() if "image" in rel.reltype}
        assert sha((built / "policies/images/visit-flow.png").read_bytes()) in blobs
        texts = [p.text for p in document.paragraphs]
        assert "回访流程图" in texts  # the caption under the lone picture


def test_outputs_are_deterministic(built):
    from generator.publishers.docx.render import document_docx
    from generator.publishers.pdf.render import render_document_pdf

    manual, _ = read_manual(built)
    doc = manual.document("0101-2020")
    assert document_docx(manual, doc) == document_docx(manual, doc)
    assert render_document_pdf(manual, doc) == render_document_pdf(manual, doc)


def test_a_changed_picture_is_a_changed_document(tmp_path):
    root = add_pictures(copy_manual(MINIMAL, tmp_path / "m"))
    manual, _ = read_manual(root)
    before = fingerprint(manual.document("0101-2020"))
    assert "images" not in normative(manual.document("0102-2020"))  # a body without pictures: as before
    (root / "policies/images/visit-flow.png").write_bytes(picture("PNG", WIDE, (200, 30, 30)))
    manual, _ = read_manual(root)
    assert fingerprint(manual.document("0101-2020")) != before
    # Approved with the old picture's fingerprint: stale once the picture changes.
    path = root / "policies/0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "approved: {name: 王五, role: 总经理, date: 2020-02-20}",
        f"approved: {{name: 王五, role: 总经理, date: 2020-02-20, fingerprint: '{before}'}}"), encoding="utf-8")
    _, findings = check(root)
    # … and, as for changed text, the approved version needs a new one (version-bump).
    assert sorted((f.rule, f.path) for f in findings if f.severity == "error") == [
        ("approval-stale", "policies/0101-2020.md"), ("version-bump", "policies/0101-2020.md")]


def test_release_freezes_the_pictures_and_verify_passes(tmp_path):
    root = add_pictures(copy_manual(MINIMAL, tmp_path / "m"))
    result = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root)
    assert result.returncode == 0, result.stderr
    source = root / "editions/2020.1/source"
    for name in ("policies/images/visit-flow.png", "policies/images/icon.jpg", "images/logo.gif"):
        assert (source / name).read_bytes() == (root / name).read_bytes()
    manifest = json.loads((root / "editions/2020.1/manifest.json").read_text(encoding="utf-8"))
    assert "images/logo.gif" in manifest["source_files"]
    verify = run_cli("verify", "--edition", "2020.1", "--root", root)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # The frozen source reads with its pictures (an edition's site is built from it).
    frozen, _ = read_manual(source)
    assert [i.usable for i in frozen.document("0101-2020").images] == [True, True, True]
    # The edition's own site (site/editions/2020.1/) shows its frozen pictures.
    built = run_cli("build", "site", "--root", root)
    assert built.returncode == 0, built.stderr
    page = (root / "site/editions/2020.1/documents/0101-2020.html").read_text(encoding="utf-8")
    logo = (root / "images/logo.gif").read_bytes()
    copy = f"images/{sha(logo)[:16]}.gif"
    assert f'src="../{copy}"' in page and (root / "site/editions/2020.1" / copy).read_bytes() == logo
    # After the release a changed picture needs a new version, like changed text …
    (root / "images/logo.gif").write_bytes(picture("GIF", (120, 60), (0, 0, 0)))
    _, findings = check(root)
    assert ("version-bump", "policies/0101-2020.md") in [(f.rule, f.path) for f in findings]
    # … manual diff shows it (against the edition's frozen picture), not "no change" …
    diff = run_cli("diff", "0101-2020", "--since", "2020.1", "--root", root)
    assert diff.returncode == 0, diff.stderr
    assert "../images/logo.gif sha256:" in diff.stdout and "1 条修改" in diff.stdout, diff.stdout
    # … and the revision and its sign-offs go through as for a text change.
    env = {"MANUAL_TODAY": "2020-06-10"}
    revise = run_cli("revise", "0101-2020", "--summary", "更换公司标志", "--root", root, env=env)
    assert revise.returncode == 0, revise.stderr
    for step, name, role in (("prepared", "张三", "业务员"), ("reviewed", "李四", "业务经理"), ("approved", "王五", "总经理")):
        signed = run_cli("approve", "0101-2020", "--step", step, "--name", name, "--role", role, "--date", "2020-06-10",
                         "--yes", "--root", root, env=env)
        assert signed.returncode == 0, signed.stderr
    result = run_cli("check", "--root", root, env=env)
    assert result.returncode == 0, result.stdout
    assert "approval-stale" not in result.stdout and "version-bump" not in result.stdout


def _body_with(root, line: str):
    path = root / "policies/0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    return path.read_text(encoding="utf-8").count("\n")


@pytest.mark.parametrize("src", ["/etc/hostname", "data:image/png;base64,iVBORw0KGgo=", "//example.org/x.png",
                                 "images/../../../outside.png", "images/link.png"])
def test_a_picture_outside_the_manual_is_refused(tmp_path, src):
    root = copy_manual(MINIMAL, tmp_path / "m")
    outside = tmp_path / "outside.png"
    outside.write_bytes(picture("PNG", (10, 10), (0, 0, 0)))
    (root / "policies/images").mkdir()
    os.symlink(outside, root / "policies/images/link.png")
    line = _body_with(root, f"![外部图片]({src})")
    _, findings = check(root)
    assert [(f.rule, f.path, f.line, f.severity) for f in findings] == [
        ("image-outside", "policies/0101-2020.md", line, "error")]
    manual, _ = read_manual(root)
    assert manual.document("0101-2020").image(src) is None  # no output reads it


def test_a_symbolic_link_inside_the_manual_is_a_picture(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "images").mkdir()
    (root / "images/real.png").write_bytes(picture("PNG", (10, 10), (0, 0, 0)))
    (root / "policies/images").mkdir()
    os.symlink(root / "images/real.png", root / "policies/images/link.png")
    _body_with(root, "![图](images/link.png)")
    _, findings = check(root)
    assert findings == []


def test_svg_and_huge_files_are_refused_with_the_limits_named(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "policies/images").mkdir()
    (root / "policies/images/chart.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                                                    "</svg>", encoding="utf-8")
    with open(root / "policies/images/big.png", "wb") as handle:
        handle.write(picture("PNG", (10, 10), (0, 0, 0)))
        handle.truncate(6 * 1024 * 1024)
    _body_with(root, "![图](images/chart.svg)\n\n![大图](images/big.png)")
    _, findings = check(root)
    assert [f.rule for f in findings] == ["image-format", "image-too-large"]
    assert "5 MB" in findings[1].message("en") and "6.0 MB" in findings[1].message("en")
    assert "PNG" in findings[0].message("zh-CN")


def test_imported_word_picture_is_shown_on_the_site(tmp_path):
    import docx
    from docx.shared import Mm

    legacy = docx.Document()
    for text in ("某某科技有限公司", "业务部管理手册", "2020年3月1日", "第一章 客户管理", "1.1 客户回访制度",
                 "一、每月回访重要客户。"):
        legacy.add_paragraph(text)
    flow = picture("PNG", (800, 300), (30, 120, 200))
    legacy.add_paragraph().add_run().add_picture(io.BytesIO(flow), width=Mm(120))
    for text in ("二、回访后记录回访结果。", "编制:张三 审核:李四 批准:王五 2020年03月01日"):
        legacy.add_paragraph(text)
    source = tmp_path / "legacy.docx"
    legacy.save(str(source))
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out)
    assert result.returncode == 0, result.stderr
    [path] = [p for p in (out / "policies").glob("*.md") if "![" in p.read_text(encoding="utf-8")]
    saved = sorted((out / "policies/images").iterdir())
    assert [p.read_bytes() for p in saved] == [flow]
    assert f"](<images/{saved[0].name}>)" in path.read_text(encoding="utf-8")
    report = (out / "import-report.md").read_text(encoding="utf-8")
    assert f"保存为 policies/images/{saved[0].name}" in report
    result = run_cli("build", "site", "--root", out)
    assert result.returncode == 0, result.stderr
    page = (out / "site/documents" / (path.stem + ".html")).read_text(encoding="utf-8")
    copy = f"images/{sha(flow)[:16]}.png"
    assert f'src="../{copy}"' in page and (out / "site" / copy).read_bytes() == flow
    if browser.missing() is None:
        with browser.serve(out / "site") as base, browser.chromium() as chromium:
            tab = chromium.new_page(viewport={"width": 390, "height": 800})
            tab.goto(f"{base}/documents/{path.stem}.html")
            tab.wait_for_load_state("load")
            natural = tab.eval_on_selector(f"img[src$='{copy}']", "e => e.naturalWidth")
        assert natural == 800
    shutil.rmtree(out / "site")


def test_the_preview_shows_a_picture_added_while_it_runs(tmp_path):
    """``manual serve``: a picture added to a page while the preview runs is on the page at once, served."""
    import urllib.request

    from conftest import REPO
    from test_preview import _get, _wait_for, serving

    root = copy_manual(REPO, tmp_path / "m")
    with serving(root, tmp_path / "serve.log") as base:
        flow = picture("PNG", (640, 240), (30, 120, 200))
        (root / "policies/images").mkdir()
        (root / "policies/images/flow.png").write_bytes(flow)
        policy = root / "policies/0110-2014.md"
        policy.write_text(policy.read_text("utf-8") + "\n![客户回访流程](images/flow.png)\n", encoding="utf-8")
        copy = f"images/{sha(flow)[:16]}.png"
        page = _wait_for(lambda: (h := _get(base + "documents/0110-2014.html")) and copy in h and h, timeout=60)
        assert page and "<figcaption>客户回访流程</figcaption>" in page
        with urllib.request.urlopen(base + copy, timeout=30) as resp:
            assert resp.read() == flow
