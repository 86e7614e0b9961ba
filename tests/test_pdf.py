"""The PDF print edition: built with the real WeasyPrint, read back with pypdf.

The minimal manual (one effective document, one draft, one form) is built
once per module through the ``manual`` command; the shipped manual once, in
the slow tests.
"""
from __future__ import annotations

import hashlib
import re
import shutil

import pypdf
import pytest

from conftest import MINIMAL, REPO, copy_manual, run_cli

from generator.publishers.pdf import render as pdf_pub

from generator.publishers.pdf import plan as pdf_plan

from generator.publishers.pdf import html as pdf_html
from generator.publishers.render import view as pm
from generator.model import Chapter
from generator.model.build import read_manual

TOC_LINE = re.compile(r"^(?P<code>\d{4}-\d{4})\s+(?P<title>.+?)\s*(?:草稿\s*)?\.{3,}\s*(?P<page>\d+)$")


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def page_texts(path) -> list[str]:
    return [p.extract_text() or "" for p in pypdf.PdfReader(str(path)).pages]


def outline(path) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark."""
    reader = pypdf.PdfReader(str(path))
    out = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return out


def toc_numbers(path) -> dict[str, int]:
    """code → page number as printed on the TOC pages (from the 目录 bookmark to the first document)."""
    marks = [(title, page) for depth, title, page in outline(path) if depth == 0]
    first = dict(marks)["目录"]
    last = next(page for title, page in marks if title[:1].isdigit()) - 1
    found = {}
    for text in page_texts(path)[first - 1:last]:
        for line in text.splitlines():
            m = TOC_LINE.match(line.strip())
            if m:
                found[m["code"]] = int(m["page"])
    return found


def font_names(path) -> set[str]:
    names = set()
    for page in pypdf.PdfReader(str(path)).pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont", "")))
    return names


def check_toc_matches_outline(path, codes: list[str]) -> None:
    texts = page_texts(path)
    printed = toc_numbers(path)
    assert list(printed) == codes, printed
    marks = {title.split()[0]: page for depth, title, page in outline(path) if depth == 0 and title[:1].isdigit()}
    assert [c for c in marks] == codes
    for code in codes:
        assert printed[code] == marks[code], (code, printed[code], marks[code])
        # and the page really starts that document: its code and title at the top
        assert code in texts[marks[code] - 1]


@pytest.fixture(scope="module")
def minimal_build(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("pdf") / "minimal")
    result = run_cli("build", "pdf", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


def test_build_writes_the_manual_and_one_file_per_document(minimal_build):
    dist = minimal_build / "dist"
    assert (dist / "manual.pdf").is_file()
    assert sorted(p.name for p in (dist / "documents").glob("*.pdf")) == ["0101-2020.pdf", "0102-2020.pdf"]
    for path in [dist / "manual.pdf", *(dist / "documents").glob("*.pdf")]:
        reader = pypdf.PdfReader(str(path))
        assert len(reader.pages) >= 1
        box = reader.pages[0].mediabox
        assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    assert not list(dist.rglob("*.tmp"))


def test_text_has_every_code_and_title_in_order(minimal_build):
    texts = page_texts(minimal_build / "dist" / "manual.pdf")
    cover = texts[0]
    assert "示例电子有限公司" in cover and "示例管理手册" in cover and "2020" in cover
    body = "\n".join(texts[2:])  # after the cover and the table of contents
    positions = [body.find(f"{code} {title}") for code, title in
                 [("0101-2020", "客户回访制度"), ("0102-2020", "客户档案管理制度")]]
    assert -1 not in positions and positions == sorted(positions)
    # the clauses with their lettered sub-items, the cited form, the appendix
    assert "业务员每月回访重要客户一次以上" in body and "客户名册" in body
    assert "附录：表单" in body and "客户回访记录表" in body


def test_toc_page_numbers_match_the_bookmarks(minimal_build):
    check_toc_matches_outline(minimal_build / "dist" / "manual.pdf", ["0101-2020", "0102-2020"])


def test_bookmarks_one_per_document_without_inner_headings(minimal_build):
    marks = outline(minimal_build / "dist" / "manual.pdf")
    top = [title for depth, title, _ in marks if depth == 0]
    assert top == ["目录", "0101-2020 客户回访制度", "0102-2020 客户档案管理制度", "附录：表单"]
    assert not any("回访" == t or t.startswith("一、") for _, t, _ in marks)  # h2 of a body is not a bookmark
    assert [(d, t) for d, t, _ in marks if d == 1] == [(1, "0101-F1 客户回访记录表")]  # form bookmarks carry codes


def test_running_header_and_footer(minimal_build):
    texts = page_texts(minimal_build / "dist" / "manual.pdf")
    total = len(texts)
    doc_page = next(i for i, t in enumerate(texts) if "0101-2020 客户回访制度" in t and "目 录" not in t)
    text = texts[doc_page]
    assert "示例电子有限公司 · 示例管理手册" in text
    assert "0101-2020 · 版本 1.0" in text
    assert f"第 {doc_page + 1} 页 / 共 {total} 页" in text
    assert "第 1 页" not in texts[0]  # the cover has no footer


def test_signoff_and_revision_tables(minimal_build):
    text = "\n".join(page_texts(minimal_build / "dist" / "documents" / "0101-2020.pdf"))
    for row in ("编制 张三 业务员 2020-02-01", "审核 李四 业务经理 2020-02-10", "批准 王五 总经理 2020-02-20"):
        assert row in text
    assert "修订记录" in text and "1.0 2020-02-01 首次发布 业务部" in text


def test_embedded_fonts_are_cjk(minimal_build):
    names = {n.split("+", 1)[-1].replace("-", "") for n in font_names(minimal_build / "dist" / "manual.pdf")}
    assert any("NotoSerifCJK" in n or "NotoSansCJK" in n or "WenQuanYi" in n for n in names), names


def test_draft_watermark_only_on_the_draft_documents_pages(minimal_build):
    texts = page_texts(minimal_build / "dist" / "manual.pdf")
    marks = outline(minimal_build / "dist" / "manual.pdf")
    start = {t.split()[0]: p for d, t, p in marks if d == 0}
    draft_pages = range(start["0102-2020"], start["附录：表单"])
    for number, text in enumerate(texts, start=1):
        assert ("DRAFT" in text) == (number in draft_pages), number
    # the stand-alone draft document carries it on every page, the effective one on none
    assert all("DRAFT" in t for t in page_texts(minimal_build / "dist" / "documents" / "0102-2020.pdf"))
    assert not any("DRAFT" in t for t in page_texts(minimal_build / "dist" / "documents" / "0101-2020.pdf"))


def test_citation_is_an_internal_link_to_the_form(minimal_build):
    reader = pypdf.PdfReader(str(minimal_build / "dist" / "manual.pdf"))
    doc_page = next(p for p in reader.pages if "0101-2020 客户回访制度" in p.extract_text()
                    and "目 录" not in p.extract_text())
    dests = [a.get_object().get("/Dest") for a in doc_page.get("/Annots") or []
             if a.get_object().get("/Subtype") == "/Link"]
    assert "form-visit-record" in [str(d) for d in dests]
    assert "form-visit-record" in [str(k) for k in reader.named_destinations]


def test_two_builds_are_byte_identical(minimal_build, tmp_path):
    first = {p.relative_to(minimal_build / "dist"): sha256(p) for p in (minimal_build / "dist").rglob("*.pdf")}
    manual, _ = read_manual(minimal_build)
    pdf_pub.build(manual, out=tmp_path / "again", quiet=True, jobs=2)  # documents in worker processes this time
    second = {p.relative_to(tmp_path / "again"): sha256(p) for p in (tmp_path / "again").rglob("*.pdf")}
    assert first == second and len(first) == 4  # the manual, two documents, the register (受控文件清单)


def test_source_text_is_escaped(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    policy = root / "policies" / "0102-2020.md"
    policy.write_text(policy.read_text(encoding="utf-8") + "3. 不得执行 <script>alert(1)</script> 与 <b>粗体</b>。\n",
                      encoding="utf-8")
    manual, _ = read_manual(root)
    html = pdf_html.document_html(manual, manual.document("0102-2020"))
    assert "<script>" not in html and "&lt;script&gt;" in html
    text = "\n".join(page_texts_bytes(pdf_pub.render_document_pdf(manual, manual.document("0102-2020"))))
    assert "<script>alert(1)</script>" in text and "<b>粗体</b>" in text


def page_texts_bytes(data: bytes) -> list[str]:
    import io

    return [p.extract_text() or "" for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_failed_render_leaves_earlier_files_intact(minimal_build, tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    shutil.copytree(minimal_build / "dist", dist)
    before = {p: sha256(p) for p in dist.rglob("*.pdf")}
    manual, _ = read_manual(minimal_build)
    calls = {"n": 0}
    real = pdf_pub.render_part

    def failing(html):
        calls["n"] += 1
        if calls["n"] == 2:  # the first part rendered, the second fails
            raise RuntimeError("renderer crashed")
        return real(html)

    monkeypatch.setattr(pdf_pub, "render_part", failing)
    with pytest.raises(RuntimeError):
        pdf_pub.build(manual, out=dist, quiet=True, cache=False)
    assert {p: sha256(p) for p in dist.rglob("*.pdf")} == before
    assert not [p for p in dist.rglob("*") if p.name.endswith(".tmp")]


def test_broken_source_stops_the_build_and_keeps_outputs(minimal_build, tmp_path):
    root = copy_manual(minimal_build, tmp_path / "m")
    shutil.copytree(minimal_build / "dist", root / "dist")
    before = {p: sha256(p) for p in (root / "dist").rglob("*.pdf")}
    policy = root / "policies" / "0101-2020.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("0102-2020]", "0180-2020]"), encoding="utf-8")
    result = run_cli("build", "pdf", "--root", root)
    assert result.returncode == 1 and "ref-document" in result.stderr and "Traceback" not in result.stderr
    assert {p: sha256(p) for p in (root / "dist").rglob("*.pdf")} == before


def test_edition_pdf_has_the_change_record(tmp_path):
    manual, _ = read_manual(copy_manual(MINIMAL, tmp_path / "m"))  # a copy: the edition PDF uses the manual's build cache
    edition = {"edition": "2020.2", "released": manual.date, "previous": "2020.1",
               "changes": {"added": [{"code": "0102-2020", "title": "客户档案管理制度", "new_version": "1.0"}],
                           "removed": [],
                           "changed": [{"code": "0101-2020", "title": "客户回访制度", "old_version": "0.9",
                                        "new_version": "1.0",
                                        "redline": [{"op": "change", "parts": [["equal", "业务员每月回访"],
                                                                               ["delete", "一般"],
                                                                               ["insert", "重要"],
                                                                               ["equal", "客户"]]}]}]}}
    path = pdf_pub.render_edition(manual, tmp_path / "manual.pdf", edition=edition)
    texts = page_texts(path)
    assert "版次：2020.2" in texts[0]
    last = texts[-1]
    assert "修订记录（本版变更）" in last and "上一版次：2020.1" in last
    assert "新增 0102-2020 客户档案管理制度" in last and "修改 0101-2020 客户回访制度 0.9 1.0" in last
    assert "业务员每月回访一般重要客户" in last.replace("\n", "")


# -- the shipped manual ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_build(tmp_path_factory):
    root = copy_manual(REPO, tmp_path_factory.mktemp("pdf-shipped") / "shipped")
    manual, _ = read_manual(root)
    if len(manual.documents) < 14:
        pytest.skip("the shipped manual is not complete yet")
    paths = pdf_pub.build(manual, out=root / "dist", quiet=True)
    return manual, paths


@pytest.mark.slow
def test_shipped_manual_pdf(shipped_build):
    manual, paths = shipped_build
    path = paths[0]
    codes = [d.code for d in pm.print_documents(manual)]
    assert codes == [f"01{n:02d}-2014" for n in range(1, 15)]
    check_toc_matches_outline(path, codes)
    texts = page_texts(path)
    body = "\n".join(texts[2:])
    positions = [body.find(f"{d.code} {d.title}") for d in pm.print_documents(manual)]
    assert -1 not in positions and positions == sorted(positions)
    cover = texts[0]
    assert "东莞市属瑞电子有限公司" in cover and "业务部门管理手册" in cover and "受控文件" in cover
    assert "编制" in cover and "示例甲" in cover
    # staffing table of 0103 drawn from manual/roles.yaml, job duties of 0105 as tables
    start = {t.split()[0]: p for d, t, p in outline(path) if d == 0}
    staffing = texts[start["0103-2014"] - 1]
    assert "岗位核定人数 13" in staffing and "合计 13" in staffing
    assert "业务员 销售经理 4" in staffing
    jobs = "\n".join(texts[start["0105-2014"] - 1:start["0106-2014"] - 1])
    assert "主要职责" in jobs and "适用岗位" in jobs
    # the org chart and the workflow diagram are drawn (their SVG text is in the PDF)
    # the org chart, on 0102's pages (with the closing block, which keeps it: not alone on a page)
    chart = texts[start["0102-2014"] - 1] + texts[start["0102-2014"]]
    assert "1 人" in chart and "组织框架图" in chart and "编制、审核与批准" in texts[start["0102-2014"]]
    workflow = "\n".join(texts[start["0104-2014"] - 1:start["0105-2014"] - 1])
    assert "责任岗位" in workflow
    assert len(paths) == 16 and all(p.is_file() for p in paths)  # the manual, 14 documents, the register


def test_contents_with_chapters(tmp_path):
    """Chapter rows in the contents; every page number printed there points at the page its
    document starts on."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    manual, _ = read_manual(root)
    manual.chapters = [Chapter(0, "01", "第一章 客户", ["0101-2020"]), Chapter(1, "02", "第二章 档案", ["0102-2020"])]
    entries = pdf_plan.manual_plan(manual).toc
    assert [e["title"] for e in entries if e["kind"] == "chapter"][:2] == ["01 第一章 客户", "02 第二章 档案"]
    path = tmp_path / "manual.pdf"
    path.write_bytes(pdf_pub.render_manual_pdf(manual))
    text = "\n".join(page_texts(path))
    assert "01 第一章 客户" in text and "02 第二章 档案" in text
    check_toc_matches_outline(path, ["0101-2020", "0102-2020"])


def _link_actions(data: bytes) -> list[dict]:
    """Every link annotation's action in a PDF: {'uri': …} or {'dest': …}."""
    import io

    out = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else {}
            if "/URI" in action:
                out.append({"uri": str(action["/URI"])})
            else:
                out.append({"dest": annot.get("/Dest") or action.get("/D")})
    return out


def test_body_links_are_web_mail_or_inside_the_manual_never_a_file(tmp_path):
    """A relative link becomes a link to the document in the PDF, never file:///…; others are text."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    path = root / "policies" / "0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n链接：[官网](https://example.com/x)、[邮件](mailto:hr@example.com)、"
                    "[另一文件](0102-2020.md)、[不存在](../../etc/passwd)、[FTP](ftp://files.example.com/y)、"
                    "[脚本](javascript:alert(1))。\n", encoding="utf-8")
    manual, _ = read_manual(root)
    data = pdf_pub.render_plan(manual, pdf_plan.document_plan(manual, manual.document("0101-2020")))
    uris = [a["uri"] for a in _link_actions(data) if "uri" in a]
    assert sorted(uris) == ["https://example.com/x", "mailto:hr@example.com"], uris
    text = "".join(page_texts_bytes(data))
    for label in ("另一文件", "不存在", "FTP", "[脚本](javascript:alert(1))"):
        assert label in text, label
    whole = pdf_pub.render_plan(manual, pdf_plan.manual_plan(manual))
    assert not [a for a in _link_actions(whole) if "uri" in a and not a["uri"].startswith(("https:", "mailto:"))]
    assert b"file://" not in whole and b"file://" not in data


def test_binding_gutter_mirrors_margins_and_starts_documents_on_right_hand_pages(tmp_path):
    import pdfplumber

    root = copy_manual(MINIMAL, tmp_path / "m")
    with open(root / "manual" / "manual.yaml", "a", encoding="utf-8") as fh:
        fh.write("print:\n  binding_gutter_mm: 12\n")
    result = run_cli("build", "pdf", "--quiet", cwd=root)
    assert result.returncode == 0, result.stderr
    path = root / "dist" / "manual.pdf"
    marks = outline(path)
    starts = [page for depth, title, page in marks if depth == 0 and title[:1].isdigit()]
    assert starts and all(page % 2 == 1 for page in starts)  # 1-based: right-hand pages
    mm = 72 / 25.4
    with pdfplumber.open(str(path)) as pdf:
        def left_edge(n):  # of the body text (the running header starts at the margin too)
            return min(w["x0"] for w in pdf.pages[n - 1].extract_words()) / mm
        assert abs(left_edge(starts[0]) - 32) < 1  # 20 mm + 12 mm gutter on a right-hand page
        blanks = [n for n in range(1, len(pdf.pages) + 1) if not pdf.pages[n - 1].extract_words()]
        assert all(n % 2 == 0 for n in blanks)  # only versos are ever left blank
    for single in (root / "dist" / "documents").glob("*.pdf"):  # a single document is no book: no empty page
        with pdfplumber.open(str(single)) as pdf:
            assert all(page.extract_words() for page in pdf.pages), single.name
    # Without the option nothing moves: no blank pages, the standard margin.
    plain = copy_manual(MINIMAL, tmp_path / "plain")
    assert run_cli("build", "pdf", "--quiet", cwd=plain).returncode == 0
    with pdfplumber.open(str(plain / "dist" / "manual.pdf")) as pdf:
        assert all(page.extract_words() for page in pdf.pages)
        first = [p for d, t, p in outline(plain / "dist" / "manual.pdf") if d == 0 and t[:1].isdigit()][0]
        assert abs(min(w["x0"] for w in pdf.pages[first - 1].extract_words()) / mm - 20) < 1
