"""Search on the staff website as staff use it: the shipped manual's real site in Debian's Chromium.

Each query is typed into Material's search box, as a user would, and the first result read back from the
result list (its link and title).  The set covers document and form codes typed whole or in part, titles,
phrases from clauses, role names and form names (issue #18.3).  Beyond the first result: a code finds
only what holds that code (no result marked 缺少), snippets come from the body (not the facts block), and
highlights mark whole words.
"""
from __future__ import annotations

import shutil
from urllib.parse import unquote

import pytest

import browser as browser_kit
from conftest import REPO, copy_manual
from generator.rules.check import check
from generator.publishers.site import render as site_mod

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("site_search")]

pytest.importorskip("playwright.sync_api")
if browser_kit.missing():  # pragma: no cover - set-up installs it
    pytest.skip(browser_kit.missing(), allow_module_level=True)

# query → the page the first result must open (path in the site, anchor left out)
QUERIES = {
    # codes, typed whole or in part
    "0110-2014": "documents/0110-2014.html",
    "0108-F2": "forms/customer-card.html",
    "0111-F1": "forms/quality-objection-report.html",
    "0105": "documents/0105-2014.html",
    # titles
    "库存管理条例": "documents/0112-2014.html",
    "客户回访制度": "documents/0110-2014.html",
    "大客户服务管理": "documents/0113-2014.html",
    # words and phrases from clauses
    "库存": "documents/0112-2014.html",
    "团队精神": "documents/0106-2014.html",
    "人才结构": "documents/0107-2014.html",
    "属瑞配送": "documents/0111-2014.html",
    "绩效目标": "documents/0114-2014.html",
    "对帐": "documents/0104-2014.html",  # not a word of the index (cut 对 + 帐): the page holding it comes first
    # role names: the role's own page
    "业务员": "roles/业务员.html",
    "业务跟单员": "roles/业务跟单员.html",
    "售后服务部外协员": "roles/售后服务部外协员.html",
    # form names
    "客户资料卡": "forms/customer-card.html",
    "档案外借登记表": "forms/archive-loan-register.html",
    "查档申请表": "forms/archive-access-request.html",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The shipped manual's site, built and served on 127.0.0.1."""
    base = tmp_path_factory.mktemp("search")
    root = copy_manual(REPO, base / "shipped")
    manual, findings = check(root)
    assert not [f for f in findings if f.severity == "error"]
    site_mod.build_site(manual, out=root / "dist", quiet=True)
    www = base / "www"
    shutil.copytree(root / "site", www)
    with browser_kit.serve(www) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with browser_kit.chromium() as b:
        yield b


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def search(tab, base: str, query: str) -> list[dict]:
    """Open the home page, type ``query`` into the search box and return the results as shown:
    [{"href", "title", "text", "group", "marks", "missing"}], one per link (a page and its matching sections;
    ``group``: the text of the page's whole entry), without jieba's zero-width spaces."""
    tab.goto(f"{base}/index.html")
    box = tab.locator("input.md-search__input")
    box.click()
    # Chinese arrives through an input method, without key presses: fill, then a key event ends the
    # composition as a real IME does.
    box.fill(query)
    box.press("End")
    tab.wait_for_function(
        """() => { const m = document.querySelector('.md-search-result__meta');
                   return m && /\\d|没有/.test(m.textContent) && document.querySelector('.md-search__input').value }""",
        timeout=30_000)
    tab.wait_for_timeout(300)  # the last query's results
    return tab.evaluate("""() => [...document.querySelectorAll('.md-search-result__item a')].map(a => ({
        href: a.getAttribute('href'),
        group: a.closest('.md-search-result__item').textContent.replace(/\u200b/g, ''),
        title: (a.querySelector('h1, h2') || {}).textContent.replace(/\\u200b/g, '').trim(),
        text: a.textContent.replace(/\\u200b/g, ''),
        marks: [...a.querySelectorAll('mark')].map(m => m.textContent.replace(/\\u200b/g, '')),
        missing: [...a.querySelectorAll('.md-search-result__terms del')].map(d => d.textContent)}))""")


def _page(href: str, base: str) -> str:
    return unquote(href.split("#")[0].split("?")[0]).removeprefix(base + "/").removeprefix("./")


@pytest.mark.parametrize("query,expected", list(QUERIES.items()))
def test_first_result(site, tab, query, expected):
    results = search(tab, site, query)
    assert results, f"{query}: no result"
    first = results[0]
    assert _page(first["href"], site) == expected, (query, [(_page(r["href"], site), r["title"]) for r in results[:5]])
    assert not first["missing"], first


def test_query_set_is_large_enough():
    assert len(QUERIES) >= 15


def test_a_code_finds_only_what_holds_it(site, tab):
    results = search(tab, site, "0110-2014")
    assert results and all(not r["missing"] for r in results), [r["title"] for r in results if r["missing"]]
    assert all("0110-2014" in r["group"] for r in results), [r["title"] for r in results if "0110-2014" not in r["group"]]
    # the code is highlighted as one word, never as 0110 and 2014 apart
    assert all(m == "0110-2014" for r in results for m in r["marks"]), {m for r in results for m in r["marks"]}
    partial = search(tab, site, "0110")
    pages = list(dict.fromkeys(_page(r["href"], site) for r in partial))
    assert pages[:2] == ["documents/0110-2014.html", "forms/customer-visit-record.html"], pages


def test_snippets_come_from_the_body_not_the_facts(site, tab):
    first = search(tab, site, "客户回访制度")[0]
    assert "客服部应定期对客户进行访问" in first["text"], first["text"]
    for facts in ("编号", "生效日期", "归口岗位", "下载"):
        assert facts not in first["text"], (facts, first["text"])


def test_highlights_mark_whole_words(site, tab):
    results = search(tab, site, "库存")
    marks = {m for r in results for m in r["marks"]}
    assert "库存" in marks and "库" not in marks, marks
    results = search(tab, site, "业务员")
    marks = {m for r in results for m in r["marks"]}
    assert marks and all("业务员" in m for m in marks), marks


def test_a_word_of_a_document_ranks_it_above_the_index_pages(site, tab):
    indexes = {"index.html", "documents/index.html", "forms/index.html", "roles.html", "review.html",
               "changes.html"}
    for query, document in (("库存", "documents/0112-2014.html"), ("回访", "documents/0110-2014.html")):
        pages = [_page(r["href"], site) for r in search(tab, site, query)]
        ranked = [p for p in pages if p in indexes or p == document]
        assert ranked and ranked[0] == document, (query, pages)


def test_a_word_not_in_the_manual_finds_nothing(site, tab):
    assert search(tab, site, "火箭发动机") == []


def test_shipped_role_page_of_the_sales_representative(site, tab):
    """业务员's "my duties" page on the shipped site, as Chromium shows it; the roles index links to it."""
    tab.goto(f"{site}/roles.html")
    tab.get_by_role("link", name="业务员", exact=True).first.click()
    tab.wait_for_url("**/roles/*")
    assert unquote(tab.url).endswith("roles/业务员.html")
    text = tab.locator("article").inner_text().replace("\u200b", "")
    assert "业务员：我的职责" in text and "行政隶属上级主管：销售经理" in text
    assert "业务员（商务代表）岗位职责" in text and "负责所签销售合同的谈判、起草和履行" in text  # its duties
    steps = text[text.index("执行的流程步骤"):text.index("填写的表单")]
    assert "客户开发" in steps and "需求调研" in steps and "谈判与签约" not in steps  # 谈判与签约 is 销售经理's
    forms = text[text.index("填写的表单"):text.index("签署事项")]
    assert "0108-F2 客户资料卡" in forms and "0108-F3 客户评审表" in forms  # a step's form; its signature field
    assert text[text.index("签署事项"):text.index("提及本岗位的文件")].rstrip().endswith("无。")  # 业务员 signs nothing
    tab.goto(f"{site}/roles.html")
    assert tab.evaluate("() => document.querySelector('article').scrollHeight") < 1500  # the index stays short
