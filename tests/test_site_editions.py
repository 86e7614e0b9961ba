"""Released editions on the staff website: real releases, real MkDocs builds, read back.

One module fixture releases two editions of a copy of tests/fixtures/minimal
(2020.1 signed, then 2020.2 with one changed clause), makes one more,
unreleased change to the current source, and builds the site with
``manual build site`` as a user would.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import MINIMAL, copy_manual, run_cli
from generator.publishers.site import editions as editions_site
from generator.publishers.site import render as site_mod
from test_editions import change_0101
from test_editions_signing import make_p12
from test_site import article_text, nav_links


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(base: Path, skip=()) -> dict:
    return {p.relative_to(base).as_posix(): sha(p) for p in sorted(base.rglob("*"))
            if p.is_file() and p.relative_to(base).as_posix() not in skip}


def change_0101_again(root: Path) -> None:
    """A second, unreleased change: 两次 → 三次, version 1.2."""
    path = root / "policies" / "0101-2020.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("业务员每月回访重要客户两次以上。", "业务员每月回访重要客户三次以上。")
    text = text.replace('version: "1.1"\n', 'version: "1.2"\n', 1)
    text = text.replace("summary: 回访频次提高为每月两次, by: 业务部}\n",
                        "summary: 回访频次提高为每月两次, by: 业务部}\n"
                        "  - {version: \"1.2\", date: 2020-09-01, summary: 回访频次提高为每月三次, by: 业务部}\n")
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    base = tmp_path_factory.mktemp("site-editions")
    root = copy_manual(MINIMAL, base / "m")
    p12, _, password = make_p12(base)
    first = run_cli("release", "2020.1", "--date", "2020-03-01", "--sign", p12, "--root", root,
                    env={"MANUAL_SIGN_PASSWORD": password.decode()})
    assert first.returncode == 0, first.stderr
    change_0101(root)
    second = run_cli("release", "2020.2", "--date", "2020-06-15", "--root", root)
    assert second.returncode == 0, second.stderr
    change_0101_again(root)
    before = {name: tree_digest(root / "editions" / name) for name in ("2020.1", "2020.2")}
    built = run_cli("build", "site", "--root", root)
    assert built.returncode == 0, built.stderr
    assert "warning" not in built.stderr, built.stderr
    return root, before


def html(root: Path, rel: str) -> str:
    return (root / "site" / rel).read_text(encoding="utf-8")


def banner(page: str) -> str:
    m = re.search(r'<aside class="md-banner">(.*?)</aside>', page, re.S)
    return m.group(1) if m else ""


# -- the edition sites ---------------------------------------------------------------------------------
def test_every_edition_is_browsable_from_its_own_snapshot(released):
    root, _ = released
    old = article_text(html(root, "editions/2020.1/documents/0101-2020.html"))
    new = article_text(html(root, "editions/2020.2/documents/0101-2020.html"))
    current = article_text(html(root, "documents/0101-2020.html"))
    assert "业务员每月回访重要客户一次以上。" in old and "编号 0101-2020 版本 1.0 状态 生效" in old
    assert "业务员每月回访重要客户两次以上。" in new and "编号 0101-2020 版本 1.1 状态 生效" in new
    assert "业务员每月回访重要客户三次以上。" in current  # the default site is the current source
    for edition in ("2020.1", "2020.2"):
        for rel in ("index.html", "documents/0102-2020.html", "forms/visit-record.html", "changes.html",
                    "editions.html", "search/search_index.json"):
            assert (root / "site/editions" / edition / rel).is_file(), (edition, rel)
        title = re.search(r"<title>(.*?)</title>", html(root, f"editions/{edition}/index.html")).group(1)
        assert f"版次 {edition}" in title
    # The home page of an edition names it; what is due for review today is not part of an edition.
    assert "发布版次：2020.1 · 发布日期：2020-03-01" in article_text(html(root, "editions/2020.1/index.html"))
    assert not (root / "site/editions/2020.1/review.html").exists()


@pytest.mark.slow
def test_every_page_of_a_superseded_edition_carries_the_banner(released):
    root, _ = released
    pages = sorted((root / "site/editions/2020.1").rglob("*.html"))
    assert len(pages) >= 10
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert "manual-edition-banner" not in text, path
        bar = banner(text)
        assert 'class="edition-banner edition-banner--superseded"' in bar, path
        assert "已作废 SUPERSEDED" in bar and "本页属于已作废的版次 2020.1（2020-03-01 发布）" in bar, path
        assert "现行版次：" in bar and ">2020.2</a>（2020-06-15）" in bar, path
    # The banner's links lead to the edition in force, the current manual and the list of editions.
    page = root / "site/editions/2020.1/documents/0101-2020.html"
    for href in re.findall(r'href="([^"]+)"', banner(page.read_text(encoding="utf-8"))):
        assert (page.parent / href).resolve().is_file(), href
    targets = {(page.parent / h).resolve() for h in re.findall(r'href="([^"]+)"', banner(page.read_text("utf-8")))}
    assert targets == {(root / "site/editions/2020.2/index.html").resolve(), (root / "site/index.html").resolve(),
                       (root / "site/editions.html").resolve()}


@pytest.mark.slow
def test_the_edition_in_force_has_no_superseded_banner(released):
    root, _ = released
    for path in sorted((root / "site/editions/2020.2").rglob("*.html")):
        bar = banner(path.read_text(encoding="utf-8"))
        assert "edition-banner--superseded" not in bar and "SUPERSEDED" not in bar, path
        assert "版次 2020.2（2020-06-15 发布）· 现行版次" in bar, path
    # The current source (the default site) has no edition banner at all.
    for rel in ("index.html", "documents/0101-2020.html", "editions.html"):
        assert 'class="md-banner"' not in html(root, rel)


@pytest.mark.slow
def test_old_editions_stay_out_of_the_main_search(released):
    root, _ = released
    main = json.loads(html(root, "search/search_index.json"))
    assert not [d for d in main["docs"] if d["location"].startswith("editions/")]
    assert any(d["location"] == "documents/0101-2020.html" for d in main["docs"])
    old = json.loads(html(root, "editions/2020.1/search/search_index.json"))
    text = "".join(d["text"] for d in old["docs"] if d["location"].startswith("documents/0101-2020.html"))
    assert "一次以上" in text.replace("\u200b", "")


# -- the editions index and the change records ------------------------------------------------------------
def test_editions_index_lists_every_edition(released):
    root, _ = released
    page = html(root, "editions.html")
    text = article_text(page)
    assert "现行版次为 2020.2（2020-06-15 发布）" in text
    assert ("版次 发布日期 上一版次 状态 电子签名 变更 查阅 "
            "2020.2 2020-06-15 2020.1 现行 否 1（修改 1） 页面 · 变更记录 · PDF · DOCX "
            "2020.1 2020-03-01 — 已作废 是 2（新增 2） 页面 · 变更记录 · PDF · DOCX") in text
    assert "原件的电子签名不保留" in text
    manifest = json.loads((root / "editions/2020.1/manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["manual.pdf"] in text and manifest["outputs"]["manual.docx"] in text
    # Every link of the index resolves to a file of the built site.
    article = page[page.index("<article"):page.index("</article>")]
    hrefs = [h for h in re.findall(r'href="([^"#]+)', article) if not h.startswith("http")]
    for edition in ("2020.1", "2020.2"):
        for rel in ("index.html", "changes.html", "downloads/manual.pdf", "downloads/manual.docx",
                    "downloads/manifest.json"):
            assert f"editions/{edition}/{rel}" in hrefs, (edition, rel)
    for href in hrefs:
        assert (root / "site" / href).is_file(), href
    # The navigation of the main site and of the edition sites has a 版次 entry.
    assert "editions.html" in nav_links(html(root, "index.html"))
    assert "editions.html" in nav_links(html(root, "editions/2020.1/index.html"))


@pytest.mark.slow
def test_change_record_of_an_edition_shows_the_redline(released):
    root, _ = released
    page = html(root, "editions/2020.2/changes.html")
    text = article_text(page)
    assert "版次 2020.2（2020-06-15 发布）相对于上一版次 2020.1 的变更" in text
    assert "状态 编号 标题 原版本 新版本 修改 0101-2020 客户回访制度 1.0 1.1" in text
    assert "0102-2020" not in text  # exactly the changed document
    assert "1. 业务员每月回访重要客户<del>一</del><ins>两</ins>次以上。" in page
    # The first edition's record lists what it introduced.
    first = article_text(html(root, "editions/2020.1/changes.html"))
    assert "版次 2020.1（2020-03-01 发布）为首次发布的版次" in first
    assert "新增 0101-2020 客户回访制度 1.0 新增 0102-2020 客户档案管理制度 1.0" in first


@pytest.mark.slow
def test_change_page_of_the_current_source_compares_with_the_edition_in_force(released):
    root, _ = released
    page = html(root, "changes.html")
    text = article_text(page)
    assert "与现行版次 2020.2（2020-06-15 发布）相比，当前文本的变更（尚未发布）" in text
    assert "修改 0101-2020 客户回访制度 1.1 1.2" in text
    assert "1. 业务员每月回访重要客户<del>两</del><ins>三</ins>次以上。" in page
    css = html(root, "assets/stylesheets/manual.css")
    assert re.search(r"\.redline del \{[^}]*line-through", css) and re.search(r"\.redline ins \{[^}]*#116329", css)


# -- the PDFs -------------------------------------------------------------------------------------------------
def test_superseded_pdf_is_a_stamped_copy_and_the_original_is_untouched(released):
    root, before = released
    copy = root / "site/editions/2020.1/downloads/manual.pdf"
    original = root / "editions/2020.1/manual.pdf"
    reader = PdfReader(copy)
    assert len(reader.pages) == len(PdfReader(original).pages)
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert "已作废" in text and "SUPERSEDED" in text, number
    first = reader.pages[0].extract_text()
    manifest = json.loads((root / "editions/2020.1/manifest.json").read_text(encoding="utf-8"))
    assert manifest["outputs"]["manual.pdf"] in first.replace("\n", "")
    # The original was signed; its signature cannot survive stamping and is not in the copy.
    assert PdfReader(original).get_fields()["EditionSignature"]["/FT"] == "/Sig"
    assert not reader.get_fields()
    # The edition folders are never touched by a site build.
    for name, digests in before.items():
        assert tree_digest(root / "editions" / name) == digests, name


@pytest.mark.slow
def test_the_files_of_the_edition_in_force_are_offered_as_released_with_the_uncontrolled_mark(released):
    """Not stamped 已作废; only the 非受控 mark every download carries, appended after the released bytes."""
    from docx import Document

    root, _ = released
    offered = root / "site/editions/2020.2/downloads/manual.pdf"
    assert offered.read_bytes().startswith((root / "editions/2020.2/manual.pdf").read_bytes())
    for page in PdfReader(offered).pages:
        text = page.extract_text()
        assert "SUPERSEDED" not in text and "非受控文件" in text
    document = Document(str(root / "site/editions/2020.2/downloads/manual.docx"))
    assert document.sections[0].header.paragraphs[0].text.startswith("非受控文件")
    assert not any("SUPERSEDED" in p.text for p in document.paragraphs[:3])


@pytest.mark.slow
def test_superseded_docx_is_marked_on_every_page(released, tmp_path):
    import subprocess

    from docx import Document

    root, before = released
    copy = root / "site/editions/2020.1/downloads/manual.docx"
    assert copy.read_bytes() != (root / "editions/2020.1/manual.docx").read_bytes()
    document = Document(str(copy))
    assert document.paragraphs[0].text.startswith("已作废 SUPERSEDED · 版次 2020.1（2020-03-01 发布）")
    for section in document.sections:  # the 非受控 mark of every download first, then the 已作废 stamp
        assert [p.text[:6] for p in section.header.paragraphs[:2]] == ["非受控文件，", "已作废 SU"], section.header
    # As LibreOffice prints it: the mark is on every page.
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(copy)], check=True, capture_output=True, timeout=300)
    pages = PdfReader(tmp_path / "manual.pdf").pages
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        assert "已作废 SUPERSEDED" in page.extract_text(), number
    assert tree_digest(root / "editions" / "2020.1") == before["2020.1"]


# -- the cache ----------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_edition_sites_are_cached_and_a_cold_rebuild_is_identical(released):
    # In this process, so that the generator version (a digest of the package's files, which other
    # work may be editing meanwhile) is the same for every build of the test.
    from generator.rules.check import check

    root, before = released

    def build(cache=True):
        manual, _ = check(root)
        return site_mod.build_site(manual, out=root / "dist", quiet=True, cache=cache)

    assert build()["warnings"] == []
    site = tree_digest(root / "site")
    cache = root / "build/editions-site"
    assert (cache / "2020.1/key.txt").is_file() and (cache / "2020.1/stamped.pdf").is_file()
    assert (cache / "2020.1/stamped.docx").is_file() and not (cache / "2020.2/stamped.pdf").exists()
    # A warm build copies the cached edition sites: a marker put into the cache shows up in the site.
    (cache / "2020.1/site/cache-marker.txt").write_text("cached", encoding="utf-8")
    build()
    assert (root / "site/editions/2020.1/cache-marker.txt").read_text(encoding="utf-8") == "cached"
    assert tree_digest(root / "site", skip={"editions/2020.1/cache-marker.txt"}) == site
    # --no-cache builds the edition sites again, with the same bytes; so does a build without the cache folder.
    build(cache=False)
    assert not (cache / "2020.1/site/cache-marker.txt").exists()
    assert tree_digest(root / "site") == site
    shutil.rmtree(cache)
    build()
    assert tree_digest(root / "site") == site
    assert tree_digest(root / "editions" / "2020.1") == before["2020.1"]


@pytest.mark.slow
def test_cache_key_follows_the_edition_files_the_base_config_and_the_language(released, tmp_path):
    root, _ = released
    from generator.read import editions

    manifest = next(m for m in editions.list_editions(root) if m["edition"] == "2020.1")
    base = site_mod.DEFAULT_BASE_CONFIG
    key = editions_site.cache_key(manifest, base, "zh-CN")
    assert key == editions_site.cache_key(manifest, base, "zh-CN")
    assert f"generator {editions_site.generator_version()}" in key
    assert editions_site.cache_key(manifest, base, "en") != key
    other = tmp_path / "mkdocs.yml"
    other.write_text(base.read_text(encoding="utf-8").replace("indigo", "red"), encoding="utf-8")
    assert editions_site.cache_key(manifest, other, "zh-CN") != key
    # A copy of the edition with one byte of its source changed gets another key.
    copy = tmp_path / "2020.1"
    shutil.copytree(manifest["_path"], copy)
    policy = copy / "source/policies/0101-2020.md"
    policy.chmod(0o644)
    policy.write_bytes(policy.read_bytes() + b"\n")
    assert editions_site.cache_key(dict(manifest, _path=str(copy)), base, "zh-CN") != key


# -- no editions, a damaged edition -------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_without_editions_the_pages_say_so(tmp_path, lang):
    from generator.rules.check import check

    manual, _ = check(copy_manual(MINIMAL, tmp_path / "m"))
    model = site_mod.site_model(manual, lang=lang)
    site_mod.write_sources(manual, model, tmp_path / "src")
    editions = (tmp_path / "src/docs/editions.md").read_text(encoding="utf-8")
    changes = (tmp_path / "src/docs/changes.md").read_text(encoding="utf-8")
    if lang == "zh-CN":
        assert "尚未发布任何版次" in editions and "2020 年版次中记录的修订" in changes
        assert {"版次": "editions.md"} in model["nav"]
    else:
        assert "No edition has been released yet" in editions and "Revisions recorded in the 2020 edition" in changes
        assert {"Editions": "editions.md"} in model["nav"]


@pytest.mark.slow
def test_a_damaged_edition_is_reported_without_a_traceback(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    folder = root / "editions/2020.1"
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"edition": "2020.1", "released": "2020-03-01"}),
                                          encoding="utf-8")
    result = run_cli("build", "site", "--root", root)
    assert result.returncode == 2
    assert "版次 2020.1：无法读取其源文件快照" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("build", "site", "--root", root, "--lang", "en")
    assert "edition 2020.1: cannot read its source snapshot" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists()


@pytest.mark.slow
def test_an_edition_whose_manifest_names_another_folder_is_refused(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    folder = root / "editions/2020.1"
    (folder / "source").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"edition": "../../evil", "released": "2020-03-01"}),
                                          encoding="utf-8")
    result = run_cli("build", "site", "--root", root, "--lang", "en")
    assert result.returncode == 2
    assert "editions/2020.1/manifest.json: the edition is named '../../evil', not '2020.1'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site").exists() and not (tmp_path / "evil").exists()


def test_redline_text_is_escaped_and_long_unchanged_runs_are_folded():
    lines = [{"op": "equal", "parts": [["equal", f"第 {i} 条"]]} for i in range(10)]
    lines[5] = {"op": "change", "parts": [["equal", "A "], ["delete", "<b>旧</b>"], ["insert", "<script>新</script>"]]}
    lines.append({"op": "insert", "parts": [["insert", "新增 & 条款"]]})
    out = editions_site.redline_html(lines, "zh-CN")
    assert '<p class="redline-change">A <del>&lt;b&gt;旧&lt;/b&gt;</del><ins>&lt;script&gt;新&lt;/script&gt;</ins></p>' in out
    assert '<p class="redline-insert"><ins>新增 &amp; 条款</ins></p>' in out
    assert "⋯（3 行未改动）" in out and "第 0 条" not in out and "第 3 条" in out and "第 9 条" in out
    assert "<script>" not in out and "<b>" not in out


# -- in a browser ------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_banner_and_redline_as_seen_in_chromium(released, artifacts):
    """Debian's Chromium (Playwright): the banner is on screen and in print; the redline is coloured."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed")
    root, _ = released
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"]
    site = (root / "site").as_uri()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            tab.goto(f"{site}/editions/2020.1/documents/0101-2020.html")
            bar = tab.locator(".edition-banner--superseded")
            bar.wait_for(state="visible")
            box = bar.bounding_box()
            assert box and box["y"] < 120 and box["width"] > 600  # at the top, across the page
            assert "已作废 SUPERSEDED" in bar.inner_text() and "2020.2" in bar.inner_text()
            red = tab.evaluate("getComputedStyle(document.querySelector('.md-banner')).backgroundColor")
            assert red == "rgb(183, 28, 28)", red
            tab.screenshot(path=str(artifacts / "site-edition-superseded.png"))
            tab.emulate_media(media="print")
            assert bar.is_visible()  # printed pages keep the banner
            tab.emulate_media(media="screen")
            bar.get_by_role("link", name="2020.2").click()
            tab.wait_for_url("**/editions/2020.2/index.html")
            assert tab.locator(".edition-banner--in-force").is_visible()
            assert tab.locator(".edition-banner--superseded").count() == 0

            tab.goto(f"{site}/editions/2020.2/changes.html")
            deleted, inserted = tab.locator(".redline del").first, tab.locator(".redline ins").first
            assert deleted.inner_text() == "一" and inserted.inner_text() == "两"
            style = "e => [getComputedStyle(e).textDecorationLine, getComputedStyle(e).color]"
            assert deleted.evaluate(style) == ["line-through", "rgb(164, 14, 38)"]
            assert inserted.evaluate(style) == ["underline", "rgb(17, 99, 41)"]
            tab.screenshot(path=str(artifacts / "site-edition-changes.png"), full_page=True)

            tab.goto(f"{site}/editions.html")
            assert tab.locator("article table").first.locator("tbody tr").count() == 2
            tab.screenshot(path=str(artifacts / "site-editions.png"), full_page=True)
        finally:
            browser.close()
