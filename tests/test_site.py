"""The staff website: a real MkDocs build, read back as HTML.

Most tests use one build of tests/fixtures/minimal with the overlay
tests/fixtures/site (structured parts, an HTML-injection attempt, a
superseded document), made once per module.  The shipped-manual tests use a
private copy of the repository's sources.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from urllib.parse import quote
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, run_cli, small_pdf
from generator.model import Chapter
from generator.model.citations import live_link
from generator.rules.check import check
from generator.publishers.site import render as site_mod

SITE_OVERLAY = FIXTURES / "site"


def _lay(src: Path, dest: Path) -> None:
    for path in src.rglob("*"):
        if path.is_file() and path.name != "README.md":
            target = dest / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def make_fixture(dest: Path) -> Path:
    copy_manual(MINIMAL, dest)
    _lay(SITE_OVERLAY, dest)
    return dest


def _checked(root: Path):
    manual, findings = check(root)
    errors = [f for f in findings if f.severity == "error"]
    assert not errors, [f"{f.path}:{f.line} {f.rule} {f.message('en')}" for f in errors]
    return manual


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The fixture manual, with fake print outputs in dist/, built once."""
    root = make_fixture(tmp_path_factory.mktemp("site") / "m")
    dist = root / "dist"
    (dist / "forms").mkdir(parents=True)
    (dist / "forms" / "visit-record.pdf").write_bytes(small_pdf("form"))
    (dist / "manual.pdf").write_bytes(small_pdf("manual"))
    manual = _checked(root)
    result = site_mod.build_site(manual, out=dist, quiet=True)
    assert result["warnings"] == []
    return root


def page(root: Path, rel: str) -> str:
    return (root / "site" / rel).read_text(encoding="utf-8")


class _Text(HTMLParser):
    """Visible text of the article (the page content), whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        if tag in ("script", "style") and self.depth:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.parts.append(data)


def article_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return re.sub(r"\s+", " ", "".join(p.parts)).replace("¶", "").strip()


def nav_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="md-nav__link', html)


# -- document pages ---------------------------------------------------------------------
def test_document_page_shows_metadata_signoff_revisions_forms_and_references(built):
    html = page(built, "documents/0101-2020.html")
    text = article_text(html)
    for expected in ("0101-2020 客户回访制度", "编号 0101-2020 版本 1.0 状态 生效 生效日期 2020-03-01 归口岗位 业务经理 下次评审 2030-03-01",
                     "签署", "编制 张三 业务员 2020-02-01", "审核 李四 业务经理 2020-02-10",
                     "批准 王五 总经理 2020-02-20",
                     "修订记录", "1.0 2020-02-01 首次发布 业务部",
                     "相关表单", "0101-F1 客户回访记录表 1.0 PDF",
                     "引用文件", "0102-2020 客户档案管理制度"):
        assert expected in text, expected
    assert '<a href="../forms/visit-record.html">客户回访记录表</a>' in html
    assert '<a href="../downloads/forms/visit-record.pdf">PDF</a>' in html
    assert f'<a href="../roles/{quote("业务经理")}.html">业务经理</a>' in html
    # The referenced document lists this one under 引用本文件的文件.
    other = article_text(page(built, "documents/0102-2020.html"))
    assert "引用本文件的文件 0101-2020 客户回访制度" in other


def test_body_clauses_are_numbered_lists_with_lettered_sub_items(built):
    html = page(built, "documents/0101-2020.html")
    m = re.search(r"<ol>\s*<li>业务员每月回访重要客户一次以上。</li>\s*<li>回访前应准备好客户资料：\s*<ol>\s*"
                  r"<li>客户名册；</li>\s*<li>产品目录。</li>\s*</ol>", html)
    assert m, html[html.find("<ol>"):html.find("<ol>") + 400]
    css = (built / "site/assets/stylesheets/manual.css").read_text(encoding="utf-8")
    assert re.search(r"ol ol\s*\{\s*list-style-type:\s*lower-alpha", css)
    assert 'href="../assets/stylesheets/manual.css"' in html


def test_citations_in_prose_link_to_the_form_or_document(built):
    html = page(built, "documents/0101-2020.html")
    assert '回访后填写<a href="../forms/visit-record.html">《客户回访记录表》</a>。' in html
    jobs = page(built, "documents/0105-2020.html")
    assert '审批<a href="../forms/visit-record.html">《客户回访记录表》</a>中的改进建议。' in jobs


def test_readable_heading_anchors(built):
    html = page(built, "documents/0101-2020.html")
    assert '<h2 id="一回访">一、回访' in html
    assert '<h2 id="签署">签署' in html


def test_source_text_is_escaped_everywhere(built):
    html = page(built, "documents/0106-2020.html")
    text = article_text(html)
    assert "投诉内容可能包含 <script>alert(1)</script> 这样的文字" in text
    assert "记录 A & B 两类投诉，符号 < 和 > 照录。" in text
    assert "张三<img src=x onerror=alert(2)>" in text
    assert "起草 <script>alert(3)</script>" in text
    assert "一、注意 <em>事项</em>" in text
    assert "0106-2020 投诉处理<i>规定</i>" in text
    for path in (built / "site").rglob("*.html"):
        raw = path.read_text(encoding="utf-8")
        for bad in ("<script>alert", "<img src=x", "<i>规定", "<em>事项", "<b>不得"):
            assert bad not in raw, (path, bad)
    # Titles reach the theme's <title> and navigation escaped once (shown as text, not markup).
    assert "<title>0106-2020 投诉处理&lt;i&gt;规定&lt;/i&gt; - " in html
    assert "&amp;lt;" not in html


def test_draft_and_in_review_documents_carry_a_banner(built):
    review = page(built, "documents/0106-2020.html")
    assert re.search(r'<div class="admonition warning">\s*<p class="admonition-title">审核中</p>\s*'
                     r"<p>本文件尚未批准，仅供审阅</p>", review)
    draft = page(built, "documents/0102-2020.html")
    assert re.search(r'<div class="admonition warning">\s*<p class="admonition-title">草稿</p>', draft)
    assert 'class="admonition' not in page(built, "documents/0101-2020.html")


def test_superseded_documents_are_built_but_not_in_navigation(built):
    html = page(built, "documents/0107-2020.html")
    assert re.search(r'<div class="admonition danger">\s*<p class="admonition-title">已作废</p>', html)
    for rel in ("index.html", "documents/0101-2020.html", "roles.html"):
        links = nav_links(page(built, rel))
        assert links, rel
        assert not any("0107-2020" in link for link in links), rel
        assert any("0106-2020" in link for link in links), rel
    listing = article_text(page(built, "documents/index.html"))
    assert "0107-2020 旧版回访办法 制度 1.0 已作废" in listing
    home = article_text(page(built, "index.html"))
    assert "旧版回访办法" not in home


# -- structured parts ---------------------------------------------------------------------
def test_org_chart_and_staffing_table(built):
    html = page(built, "documents/0103-2020.html")
    m = re.search(r'<div class="diagram orgchart">\s*(<svg.*?</svg>)\s*</div>', html, re.S)
    assert m
    assert 'data-role="业务经理"' in m.group(1) and 'class="role external" data-role="总经理"' in m.group(1)
    text = article_text(html)
    assert "人员配备 岗位 人数 行政隶属上级主管 业务经理 1 总经理 业务主管 1 业务经理 业务员 2 业务主管 合计 4" in text
    assert "岗位核定人数：4" in text


def test_workflow_diagram_and_step_table(built):
    html = page(built, "documents/0104-2020.html")
    assert re.search(r'<div class="diagram workflow">\s*<svg[^>]*class="workflow"', html)
    text = article_text(html)
    assert ("步骤 工作内容 责任岗位 相关表单 1 客户回访按《客户回访制度》回访并填写《客户回访记录表》。 业务员 客户回访记录表 "
            "2 回访审阅 业务主管 3 改进决定 业务经理") in text
    assert '<a href="../forms/visit-record.html">客户回访记录表</a>' in html
    assert '<a href="0101-2020.html">《客户回访制度》</a>' in html


def test_job_descriptions_with_reports_to_and_numbered_duties(built):
    html = page(built, "documents/0105-2020.html")
    text = article_text(html)
    assert "业务经理岗位职责 行政隶属上级主管：总经理 全面负责业务部工作。" in text
    assert "业务主管岗位职责 行政隶属上级主管：业务经理 审阅回访记录。" in text  # its own reports_to (agreeing with roles.yaml: job-reports-to)
    assert "业务员岗位职责 行政隶属上级主管：业务主管 按月回访重要客户。" in text  # from roles.yaml
    assert re.search(r'<h2 id="业务经理岗位职责">业务经理岗位职责.*?<ol>\s*<li>全面负责业务部工作。</li>\s*<li>', html,
                     re.S)


# -- index pages --------------------------------------------------------------------------------
def test_home_page_has_company_edition_and_table_of_contents(built):
    text = article_text(page(built, "index.html"))
    assert "示例管理手册 示例电子有限公司 · 业务部" in text
    assert "版次：2020 · 发布日期：2020-03-01" in text
    assert ("目录 序号 标题 编号 一、 客户回访制度 0101-2020 二、 客户档案管理制度（草稿） 0102-2020 "
            "三、 部门组织与人员配备 0103-2020") in text
    assert "六、 投诉处理<i>规定</i>（审核中） 0106-2020" in text
    assert "完整手册：PDF" in text
    offered = (built / "site/downloads/manual.pdf").read_bytes()  # dist/'s file with the 非受控 mark appended
    assert offered.startswith((built / "dist/manual.pdf").read_bytes()) and b"ManualMark" in offered
    assert (built / "site/downloads/forms/visit-record.pdf").is_file()


def test_documents_by_code(built):
    text = article_text(page(built, "documents/index.html"))
    codes = re.findall(r"\b01\d\d-2020\b", text)
    assert codes == sorted(codes) and len(set(codes)) == 7
    assert "0101-2020 客户回访制度 制度 1.0 生效 2020-03-01 业务经理 2030-03-01" in text


def test_roles_index_is_one_short_row_per_role_linking_to_its_page(built):
    html = page(built, "roles.html")
    text = article_text(html)
    assert "业务员 业务主管 2 业务员岗位职责 0 1" in text
    assert f'<a href="roles/{quote("业务员")}.html">业务员</a>' in html
    assert "签署：" not in text and "0101-2020" not in text  # sign-offs and documents live on the role pages


def test_role_page_lists_duties_documents_steps_forms_and_signoffs(built):
    text = article_text(page(built, "roles/业务员.html"))
    assert text.startswith("业务员：我的职责")
    assert "人数：2 · 行政隶属上级主管：业务主管" in text
    assert "业务员岗位职责 出处：0105-2020 岗位职责" in text
    assert "执行的流程步骤 流程 步骤 工作内容 相关表单 0104-2020 业务工作流程 1 客户回访" in text
    assert "填写的表单 0101-F1 客户回访记录表（流程步骤：客户回访）" in text
    assert "签署事项 编制（7 份）：0101-2020、0102-2020、0103-2020、0104-2020、0105-2020、0106-2020、0101-F1" in text
    boss = article_text(page(built, "roles/业务经理.html"))
    assert "归口管理的文件 0101-2020 客户回访制度" in boss
    assert "审核（" in boss and "0107-2020" not in boss  # superseded documents assign no duties


def test_forms_library_and_form_page(built):
    text = article_text(page(built, "forms/index.html"))
    assert "0101-F1 客户回访记录表 1.0 生效 0101-2020、0104-2020、0105-2020 PDF" in text
    form = page(built, "forms/visit-record.html")
    ftext = article_text(form)
    assert "0101-F1 客户回访记录表" in ftext and "客户名称" in ftext and "回访人签字" in ftext
    assert "使用本表单的文件 0101-2020 客户回访制度 0104-2020 业务工作流程 0105-2020 岗位职责" in ftext
    assert "签署 步骤 姓名 岗位 日期 编制 张三 业务员 2020-02-01" in ftext


def test_documents_due_for_review(built):
    text = article_text(page(built, "review.html"))
    due = text[:text.index("评审计划")]
    assert "基准日期 2030-02-25" in due
    for code in ("0103-2020", "0104-2020", "0105-2020"):
        assert f"{code}" in due
    assert "0101-2020" not in due  # next review 2030-03-01, not due yet
    assert "0101-2020 客户回访制度 业务经理 120 个月 2020-03-01 2030-03-01" in text


def test_changes_in_this_edition(built):
    text = article_text(page(built, "changes.html"))
    assert "2020 年版次中记录的修订" in text
    assert "0101-2020 客户回访制度 1.0 2020-02-01 首次发布 业务部" in text
    assert "0101-F1 客户回访记录表 1.0 2020-02-01 首次发布" in text
    assert "旧版回访办法" not in text  # its revision is from 2019


# -- search and theme ---------------------------------------------------------------------------
def test_search_index_covers_chinese_and_codes(built):
    index = json.loads(page(built, "search/search_index.json"))
    assert index["config"]["lang"] == ["en", "zh"]
    assert "\\u200b" in index["config"]["separator"]
    entry = next(d for d in index["docs"] if d["location"] == "documents/0101-2020.html")
    assert "0101-2020" in entry["title"]
    assert "\u200b回访\u200b" in entry["title"] + entry["text"]  # jieba segmented the Chinese
    # Documents in force rank above forms and index pages that mention the same code.
    assert entry.get("boost") == 2
    form = next(d for d in index["docs"] if d["location"] == "forms/visit-record.html")
    assert "boost" not in form


def test_theme_is_offline_and_in_chinese(built):
    html = page(built, "index.html")
    assert '<html lang="zh"' in html
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    for path in (built / "site").rglob("*.html"):
        assert "fonts.googleapis" not in path.read_text(encoding="utf-8")
    assert 'placeholder="搜索"' in html


def test_generated_sources_and_config(built):
    src = built / "build/site-src"
    assert (src / "docs/documents/0101-2020.md").is_file()
    config = (src / "mkdocs.yml").read_text(encoding="utf-8")
    assert "INHERIT:" in config and "nav:" in config and "site_dir: ../../site" in config


@pytest.mark.slow
def test_build_is_reproducible(built, tmp_path):
    root = make_fixture(tmp_path / "again")
    shutil.copytree(built / "dist", root / "dist")
    site_mod.build_site(_checked(root), out=root / "dist", quiet=True)

    def digest(base: Path):
        return {p.relative_to(base).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(base.rglob("*")) if p.is_file()}

    first, second = digest(built / "site"), digest(root / "site")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


@pytest.mark.slow
def test_manual_base_config_is_used(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    base = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(base.replace("primary: indigo", "primary: red"), encoding="utf-8")
    r = run_cli("build", "site", "--root", root, "--quiet")
    assert r.returncode == 0, r.stderr
    assert 'data-md-color-primary="red"' in (root / "site/index.html").read_text(encoding="utf-8")


# -- small helpers -------------------------------------------------------------------------------------
def test_md_text_keeps_source_text_literal():
    import markdown

    def render(text):
        return markdown.markdown(str(site_mod.md_text(text)), extensions=["tables", "sane_lists"])

    assert render("1. 不是列表") == "<p>1. 不是列表</p>"
    assert render("- 不是列表") == "<p>- 不是列表</p>"
    assert render("a|b *c* _d_ [e](f) `g` #h") == "<p>a|b *c* _d_ [e](f) `g` #h</p>"
    assert render("<script>x</script> & y") == "<p>&lt;script&gt;x&lt;/script&gt; &amp; y</p>"
    assert render("0110-2014 12.5") == "<p>0110-2014 12.5</p>"


def test_chinese_ordinals_like_the_seed():
    assert [site_mod.ordinal(n, "zh-CN") for n in (1, 10, 11, 14, 20, 21)] == \
        ["一、", "十、", "十一、", "十四、", "二十、", "二十一、"]


def test_navigation_groups_documents_by_chapter(tmp_path):
    root = make_fixture(tmp_path / "m")
    manual = _checked(root)
    manual.chapters = [Chapter(0, "01", "总则", ["0101-2020", "0102-2020"]),
                       Chapter(1, "02", "组织", ["0103-2020", "0107-2020"])]
    nav = site_mod.site_model(manual)["nav"]
    documents = nav[1]["手册文件"]
    assert documents[0] == {"01 总则": [{"0101-2020 客户回访制度": "documents/0101-2020.md"},
                                       {"0102-2020 客户档案管理制度": "documents/0102-2020.md"}]}
    assert documents[1] == {"02 组织": [{"0103-2020 部门组织与人员配备": "documents/0103-2020.md"}]}
    # Documents in no chapter still appear; the superseded one does not.
    rest = [list(e.values())[0] for e in documents[2:]]
    assert rest == ["documents/0104-2020.md", "documents/0105-2020.md", "documents/0106-2020.md"]


# -- the command ------------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_build_site_and_failed_build_keeps_the_old_site(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    r = run_cli("build", "site", "--root", root)
    assert r.returncode == 0, r.stderr
    index = root / "site/index.html"
    before = index.read_bytes()
    assert "客户回访制度" in before.decode("utf-8")
    # A broken MkDocs config: clear message, exit 2, no traceback, the old site untouched.
    (root / "mkdocs.yml").write_text("theme:\n  name: no-such-theme\n", encoding="utf-8")
    r = run_cli("build", "site", "--root", root, "--lang", "en")
    assert r.returncode == 2
    assert "MkDocs could not build the site" in r.stderr and "Traceback" not in r.stderr
    assert index.read_bytes() == before
    assert not [p for p in root.iterdir() if p.name.startswith(".site")]
    # A source error stops the build before anything is written.
    (root / "mkdocs.yml").unlink()
    policy = root / "policies/0101-2020.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("owner: 业务经理", "owner: 不存在的岗位"),
                      encoding="utf-8")
    r = run_cli("build", "site", "--root", root)
    assert r.returncode == 1
    assert "policies/0101-2020.md:" in r.stderr
    assert index.read_bytes() == before


# -- manual serve -----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(predicate, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    return None


@pytest.mark.slow
def test_serve_rebuilds_after_an_edit_and_shows_the_findings(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    log = open(tmp_path / "serve.log", "w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}/documents/0101-2020.html"
    try:
        html = _wait_for(lambda: _get(url))
        assert html and "0101-2020 客户回访制度" in html, log.read()
        policy = root / "policies/0101-2020.md"
        source = policy.read_text(encoding="utf-8")
        policy.write_text(source.replace("业务员每月回访重要客户一次以上。", "业务员每两周回访重要客户一次。"),
                          encoding="utf-8")
        changed = _wait_for(lambda: (h := _get(url)) and "每两周回访重要客户" in h and h)
        assert changed, (tmp_path / "serve.log").read_text(encoding="utf-8")
        # A source error: findings are printed, and the draft preview (issue #20) shows the edit all the
        # same, with the finding on the page (tests/test_preview.py tests the preview in full).
        policy.write_text(source.replace("owner: 业务经理", "owner: 不存在的岗位"), encoding="utf-8")
        printed = _wait_for(lambda: "policies/0101-2020.md:" in (tmp_path / "serve.log").read_text(encoding="utf-8"))
        assert printed, (tmp_path / "serve.log").read_text(encoding="utf-8")
        still = _wait_for(lambda: (h := _get(url)) and "不存在的岗位" in h and h)
        assert still and "业务员每月回访重要客户一次以上。" in still and "preview-findings" in still
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.slow
def test_serve_refuses_a_busy_port(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli("serve", "--root", root, "--port", port, timeout=120)
    assert r.returncode == 2
    assert f"无法在 127.0.0.1:{port} 上提供预览" in r.stderr and "Traceback" not in r.stderr  # the manual's locale is zh-CN


# -- the shipped manual -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory):
    root = copy_manual(REPO, tmp_path_factory.mktemp("shipped") / "shipped")
    result = site_mod.build_site(_checked(root), out=root / "dist", quiet=True)
    return root, result


@pytest.mark.slow
def test_shipped_site_builds_without_warnings(shipped_site):
    root, result = shipped_site
    assert result["warnings"] == []
    # The repository's own mkdocs.yml is the base: Chinese and Latin search, no web fonts.
    assert "INHERIT: ../../mkdocs.yml" in (root / "build/site-src/mkdocs.yml").read_text(encoding="utf-8")
    index = json.loads(page(root, "search/search_index.json"))
    assert index["config"]["lang"] == ["en", "zh"]
    assert "fonts.googleapis" not in page(root, "index.html")
    for n in range(1, 15):
        assert (root / f"site/documents/01{n:02d}-2014.html").is_file()


@pytest.mark.slow
def test_shipped_customer_visit_policy_page(shipped_site):
    root, _ = shipped_site
    html = page(root, "documents/0110-2014.html")
    text = article_text(html)
    assert "0110-2014 客户回访制度" in text
    assert "签署 步骤 姓名 岗位 日期 编制 示例甲" in text
    assert "注：签署人姓名为示例姓名。" in text
    assert '<a href="../forms/customer-visit-record.html">《客户回访记录表》</a>' in html


@pytest.mark.slow
def test_shipped_structured_parts(shipped_site):
    root, _ = shipped_site
    assert '<div class="diagram orgchart">' in page(root, "documents/0102-2014.html")
    staffing = article_text(page(root, "documents/0103-2014.html"))
    assert "合计 13" in staffing and "岗位核定人数：13" in staffing
    assert '<div class="diagram workflow">' in page(root, "documents/0104-2014.html")
    jobs = article_text(page(root, "documents/0105-2014.html"))
    assert "业务经理岗位职责 行政隶属上级主管：总经理" in jobs
    home = article_text(page(root, "index.html"))
    assert "一、 客户服务宗旨 0101-2014" in home and "十四、 业务部绩效考核试行条例 0114-2014" in home


def test_editions_page_example_comes_from_the_manual(tmp_path):
    """With no edition released, the editions page suggests a name from the manual's own year."""
    manual = _checked(make_fixture(tmp_path / "m"))
    manual.edition, manual.code_scheme.year = "2031", None
    model = site_mod.site_model(manual)
    site_mod.write_sources(manual, model, tmp_path / "src")
    text = (tmp_path / "src" / "docs" / "editions.md").read_text(encoding="utf-8")
    assert "例如 2031.1" in text and "2014.1" not in text
    manual.edition, manual.date = "", None
    assert site_mod.edition_example(manual) == "1"


@pytest.mark.parametrize("href,live", [
    ("https://example.com/", True), ("http://x", True), ("mailto:a@b.c", True), ("0102-2020.md", True),
    ("../forms/visit-record.md#top", True), ("#clause-3", True),
    ("javascript:alert(1)", False), ("JavaScript:alert(1)", False), (" javascript:alert(1)", False),
    ("java\tscript:alert(1)", False), ("java\nscript:alert(1)", False), ("data:text/html,x", False),
    ("vbscript:msgbox(1)", False), ("file:///etc/passwd", False), ("//evil.example/x", False),
])
def test_link_policy_keeps_only_web_mail_and_manual_links(href, live):
    assert live_link(href) is live
