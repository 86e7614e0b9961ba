"""The staff website in a real browser: Debian's Chromium driven by Playwright.

The shipped manual's site is built once, served with http.server on
127.0.0.1, and used as a staff member would: open a policy, search in
Chinese and by code, look at the org chart.  Screenshots are kept in
tests/artifacts/.
"""
from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual
from generator.rules.check import check
from generator.publishers.site import render as site_mod

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

playwright_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists():  # pragma: no cover - set-up installs it
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Build the shipped manual's site (plus the escaping fixture) and serve both on 127.0.0.1."""
    base = tmp_path_factory.mktemp("browser")
    shipped = copy_manual(REPO, base / "shipped")
    escaping = copy_manual(MINIMAL, base / "escaping")
    for path in (FIXTURES / "site").rglob("*"):
        if path.is_file() and path.name != "README.md":
            target = escaping / path.relative_to(FIXTURES / "site")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    for root in (shipped, escaping):
        manual, findings = check(root)
        assert not [f for f in findings if f.severity == "error"]
        site_mod.build_site(manual, out=root / "dist", quiet=True)
    www = base / "www"
    www.mkdir()
    shutil.copytree(shipped / "site", www / "shipped")
    shutil.copytree(escaping / "site", www / "escaping")
    handler = functools.partial(_Quiet, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    try:
        yield page
    finally:
        context.close()


def _search(page, query: str):
    box = page.locator("input.md-search__input")
    box.click()
    # Chinese is typed through an input method: the text arrives without key presses, and the
    # search runs on the next key event (a real IME sends one when the composition ends).
    box.fill(query)
    box.press("End")
    results = page.locator(".md-search-result__item")
    results.first.wait_for(state="visible", timeout=30_000)
    return results


def test_customer_visit_policy_shows_code_and_signoff(served, tab, artifacts):
    tab.goto(f"{served}/shipped/documents/0110-2014.html")
    article = tab.locator("article")
    h1 = article.locator("h1")
    assert "0110-2014" in h1.inner_text() and "客户回访制度" in h1.inner_text()
    signoff = article.locator("h2#签署 + .md-typeset__scrollwrap table, h2#签署 ~ div table").first
    signoff.wait_for(state="visible")
    rows = [r.inner_text().split("\t") for r in signoff.locator("tbody tr").all()]
    assert [r[0] for r in rows] == ["编制", "审核", "批准"]
    assert all(r[1].strip() and r[3].strip() for r in rows), rows  # names and dates shown
    link = article.get_by_role("link", name="《客户回访记录表》")
    assert link.is_visible()
    tab.screenshot(path=str(artifacts / "site-0110-2014.png"), full_page=True)


def test_search_in_chinese_finds_the_visit_policy(served, tab, artifacts):
    tab.goto(f"{served}/shipped/index.html")
    results = _search(tab, "回访")
    titles = [t.inner_text().replace("\u200b", "") for t in results.locator("h1").all()]
    assert "0110-2014 客户回访制度" in titles, titles
    tab.screenshot(path=str(artifacts / "site-search-回访.png"))


def test_search_by_code_finds_the_archive_policy(served, tab):
    tab.goto(f"{served}/shipped/index.html")
    results = _search(tab, "0108")
    titles = [t.inner_text().replace("\u200b", "") for t in results.locator("h1").all()]
    assert titles[0] == "0108-2014 客户档案管理制度", titles


def test_org_chart_svg_is_visible(served, tab, artifacts):
    tab.goto(f"{served}/shipped/documents/0102-2014.html")
    svg = tab.locator("div.diagram.orgchart svg")
    svg.wait_for(state="visible")
    box = svg.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 150
    head = svg.locator("g[data-role='业务经理']")
    assert head.is_visible() and "业务经理" in head.text_content()
    assert svg.locator("g.role").count() >= 8
    svg.screenshot(path=str(artifacts / "site-orgchart.png"))
    tab.screenshot(path=str(artifacts / "site-0102-2014.png"), full_page=True)


def test_home_page_table_of_contents(served, tab, artifacts):
    tab.goto(f"{served}/shipped/index.html")
    text = tab.locator("article").inner_text()
    assert "东莞市属瑞电子有限公司" in text and "0110-2014" in text
    tab.get_by_role("link", name="客户回访制度").first.click()
    tab.wait_for_url("**/documents/0110-2014.html")
    tab.goto(f"{served}/shipped/index.html")
    tab.screenshot(path=str(artifacts / "site-home.png"), full_page=True)


def test_script_in_a_policy_is_shown_as_text_and_never_runs(served, tab, artifacts):
    tab.goto(f"{served}/escaping/documents/0106-2020.html")
    article = tab.locator("article")
    assert "<script>alert(1)</script>" in article.inner_text()
    assert "张三<img src=x onerror=alert(2)>" in article.inner_text()
    assert article.locator("img").count() == 0
    assert "审核中" in article.locator(".admonition.warning").inner_text()
    tab.wait_for_timeout(300)
    assert tab.dialogs == []
    tab.screenshot(path=str(artifacts / "site-escaping.png"), full_page=True)


UNSAFE = re.compile(r"^\s*(javascript|data|vbscript|file)\s*:", re.I)


def test_only_web_mail_and_manual_links_are_live_and_clicking_runs_nothing(served, tab):
    """Script, data, file and encoded links in a policy show as text; clicking every link runs no script."""
    tab.goto(f"{served}/escaping/documents/0106-2020.html")
    article = tab.locator("article")
    text = article.inner_text()
    for label in ("[脚本](javascript:alert(4))", "[VB](vbscript:msgbox(8))", "[文件](file:///etc/passwd)"):
        assert label in text, label
    hrefs = [a.get_attribute("href") or "" for a in article.locator("a").all()]
    assert "https://example.com/a?b=1&c=2" in hrefs and "mailto:hr@example.com" in hrefs
    assert not [h for h in hrefs if UNSAFE.match(h)], hrefs
    start = tab.url
    for link in article.locator("li a").all():
        href = link.get_attribute("href") or ""
        if href.startswith(("http", "mailto")):
            continue  # leaving the site (the test machine has no network)
        link.click()
        tab.wait_for_timeout(100)
        tab.goto(start)
    assert tab.dialogs == []
