"""How the staff website looks and reads, in Debian's Chromium (Playwright), on the real built sites:

- a phone (390×844): the facts and the sign-offs inside the screen, no sideways scroll, forms usable;
- a desktop (1280): the sidebar, the wide document index, codes never broken at their hyphens, one 目录;
- the interface in the manual's language (a zh-CN site shows none of the theme's English, an en site does);
- printing from the site (a form page on one sheet; a document page with its code, version and page numbers);
- axe-core (vendored, tests/vendor/axe-core/) over the home, document, form, roles and index pages and the
  search results: no serious or critical violation.

The shipped manual and an English version of the minimal manual are built once and served on 127.0.0.1.
Screenshots go to tests/artifacts/.
"""
from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

import browser as browser_kit
from conftest import MINIMAL, REPO, copy_manual
from generator.model import Chapter
from generator.publishers.forms.html import page_html
from generator.publishers.site import render as site_mod
from generator.rules.check import check

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

pytest.importorskip("playwright.sync_api")
if browser_kit.missing():  # pragma: no cover - set-up installs it
    pytest.skip(browser_kit.missing(), allow_module_level=True)


def _english_manual(dest: Path) -> Path:
    root = copy_manual(MINIMAL, dest)
    path = root / "manual" / "manual.yaml"
    text = path.read_text(encoding="utf-8")
    assert "locale: zh-CN" in text
    path.write_text(text.replace("locale: zh-CN", "locale: en"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def www(tmp_path_factory):
    """The shipped manual's site and an en manual's site, built once."""
    base = tmp_path_factory.mktemp("look")
    shipped = copy_manual(REPO, base / "shipped")
    english = _english_manual(base / "english")
    www = base / "www"
    www.mkdir()
    for name, root in (("shipped", shipped), ("en", english)):
        manual, findings = check(root)
        assert not [f for f in findings if f.severity == "error"]
        site_mod.build_site(manual, out=root / "dist", quiet=True, lang=manual.locale)
        shutil.copytree(root / "site", www / name)
    return www


@pytest.fixture(scope="module")
def served(www):
    """Both sites on 127.0.0.1, under /shipped/ and /en/."""
    with browser_kit.serve(www) as url:
        yield url


@pytest.fixture(scope="module")
def served_root(www):
    """The shipped site at the root of its own server, as it is deployed (its 404 page links from /)."""
    with browser_kit.serve(www / "shipped") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with browser_kit.chromium() as b:
        yield b


def _tab(browser, viewport, locale="zh-CN"):
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, locale=locale, is_mobile=phone, has_touch=phone)
    return context, context.new_page()


@pytest.fixture
def phone(browser):
    context, page = _tab(browser, PHONE)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def desktop(browser):
    context, page = _tab(browser, DESKTOP)
    try:
        yield page
    finally:
        context.close()


def _open(page, url):
    page.goto(url)
    page.wait_for_load_state("load")
    page.wait_for_timeout(150)  # Material's script wraps the tables after load


def _no_sideways_scroll(page):
    width, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url}: the page scrolls sideways ({width} > {inner})"


BOXES = """sel => [...document.querySelectorAll(sel)].map(e => {
  const r = e.getBoundingClientRect();
  return {text: e.innerText.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom,
          width: r.width, scroll: e.scrollWidth, client: e.clientWidth};
})"""


# -- the phone -------------------------------------------------------------------------------------
DOCUMENT_PAGES = ("0110-2014", "0102-2014", "0104-2014", "0105-2014", "0113-2014")


@pytest.mark.parametrize("code", DOCUMENT_PAGES)
def test_phone_document_page_shows_every_fact_and_sign_off_inside_the_screen(served, phone, artifacts, code):
    _open(phone, f"{served}/shipped/documents/{code}.html")
    _no_sideways_scroll(phone)
    facts = phone.evaluate(BOXES, ".doc-facts .doc-fact")
    labels = [f["text"].split("\n")[0].strip() for f in facts]
    assert labels == ["编号", "版本", "状态", "生效日期", "归口岗位", "下次评审"], labels
    for box in facts + phone.evaluate(BOXES, ".doc-facts dd"):
        assert 0 <= box["left"] and box["right"] <= PHONE["width"], box
        assert box["scroll"] <= box["client"] + 1, box  # nothing cut inside the box
    assert code in facts[0]["text"]
    cells = phone.evaluate(BOXES, ".stack-table.signoff td")
    assert len(cells) == 12, cells  # 编制 / 审核 / 批准 × step, name, role, date
    for cell in cells + phone.evaluate(BOXES, ".stack-table.revisions td"):
        assert 0 <= cell["left"] and cell["right"] <= PHONE["width"], cell
        assert cell["scroll"] <= cell["client"] + 1, cell
    dates = [c["text"] for c in cells[3::4]]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates), dates  # whole dates
    # On the phone each cell shows its column's name before it (the table's header row is for screen readers).
    names = phone.evaluate("""() => [...document.querySelectorAll('.stack-table.signoff td')]
        .map(td => getComputedStyle(td, '::before').content)""")
    assert names[:4] == ['"步骤"', '"姓名"', '"岗位"', '"日期"'], names
    # The cells' dates are laid out whole: each on one line, not "2014-05-1" and a cut.
    heights = phone.evaluate("""() => [...document.querySelectorAll('.stack-table td.nowrap')].map(td => {
        const range = document.createRange(); range.selectNodeContents(td.lastChild);
        return range.getClientRects().length; })""")
    assert heights and set(heights) == {1}, heights
    # A revision's summary gets the width of the screen, not a few characters a line.
    summaries = phone.evaluate(BOXES, ".stack-table.revisions td:nth-child(3)")
    assert summaries and min(c["width"] for c in summaries) > 300, summaries
    phone.screenshot(path=str(artifacts / f"site-phone-{code}.png"), full_page=True)


def test_phone_form_page_has_labels_above_fields_and_wrapping_options(served, phone, artifacts):
    _open(phone, f"{served}/shipped/forms/customer-visit-record.html")
    _no_sideways_scroll(phone)
    form = phone.locator("form.mform")
    labels = phone.evaluate(BOXES, "form.mform th.mform-label")
    assert len(labels) >= 10
    for label in labels:
        assert label["width"] > 250, label  # a line of its own, not a column of two characters
        assert label["right"] <= PHONE["width"]
    # Each label stands above its field, which takes the width of the form.
    pairs = phone.evaluate("""() => [...document.querySelectorAll('form.mform th.mform-label')].map(th => {
        const td = th.nextElementSibling; const a = th.getBoundingClientRect(), b = td.getBoundingClientRect();
        return [th.innerText.trim(), a.bottom, b.top, b.width]; })""")
    for name, label_bottom, field_top, width in pairs:
        assert label_bottom <= field_top + 1 and width > 250, (name, label_bottom, field_top, width)
    for option in phone.evaluate(BOXES, "form.mform .mform-opt"):
        assert 0 <= option["left"] and option["right"] <= PHONE["width"] - 8, option  # wrapped, never clipped
    # It can be filled in on the phone: type, pick an option, and the 清空 button clears it.
    name = form.locator("input[name='customer']")
    name.fill("东莞某客户")
    form.get_by_label("电话", exact=True).check()
    assert name.input_value() == "东莞某客户"
    phone.get_by_role("button", name="清空", exact=True).click()
    assert name.input_value() == "" and not form.get_by_label("电话", exact=True).is_checked()
    phone.screenshot(path=str(artifacts / "site-phone-form.png"), full_page=True)


# -- the desktop -----------------------------------------------------------------------------------
def test_desktop_sidebar_title_does_not_cover_home(served, desktop):
    _open(desktop, f"{served}/shipped/documents/0110-2014.html")
    for scroll in (0, 400, 1200):
        desktop.evaluate(f"window.scrollTo(0, {scroll})")
        desktop.wait_for_timeout(100)
        hit = desktop.evaluate("""() => {
            const a = [...document.querySelectorAll('.md-nav--primary a.md-nav__link')]
                .find(x => x.innerText.trim() === '首页');
            const r = a.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return a.contains(top) || top === a; }""")
        assert hit, f"首页 is covered after scrolling {scroll} px"


def test_desktop_document_index_shows_every_column(served, desktop, artifacts):
    _open(desktop, f"{served}/shipped/documents/index.html")
    headers = desktop.evaluate(BOXES, "article table th")
    assert [h["text"] for h in headers][-1] == "下次评审"
    for h in headers:
        assert h["right"] <= DESKTOP["width"] and h["width"] > 0, h
    wrap = desktop.evaluate(BOXES, "article .md-typeset__scrollwrap")
    assert wrap and all(w["scroll"] <= w["client"] + 1 for w in wrap), wrap  # no column scrolled out of sight
    # The right-hand column (an empty table of contents) is not kept.
    assert not desktop.locator(".md-sidebar--secondary").is_visible()
    desktop.screenshot(path=str(artifacts / "site-desktop-documents.png"), full_page=True)


ONE_LINE = """() => [...document.querySelectorAll('article .code')].filter(e => e.offsetParent)
    .map(e => [e.innerText, e.getClientRects().length])"""


@pytest.mark.parametrize("path", ["index.html", "documents/index.html", "forms/index.html", "review.html",
                                  "documents/0110-2014.html", "documents/0104-2014.html",
                                  "forms/customer-card.html", "roles/%E6%80%BB%E7%BB%8F%E7%90%86.html",  # 总经理
                                  "changes.html"])
@pytest.mark.parametrize("width", [1280, 390])
def test_codes_never_break_at_their_hyphen(served, browser, path, width):
    context, page = _tab(browser, {"width": width, "height": 900})
    try:
        _open(page, f"{served}/shipped/{path}")
        codes = page.evaluate(ONE_LINE)
        assert codes, "no code on the page"
        assert all(n == 1 for _, n in codes), [c for c in codes if c[1] != 1]
    finally:
        context.close()


def test_home_page_shows_its_contents_once(served, desktop, artifacts):
    _open(desktop, f"{served}/shipped/index.html")
    visible = desktop.evaluate("""() => [...document.querySelectorAll('h1, h2, h3, .md-nav__title, .md-nav__link')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().width > 0)
        .map(e => e.textContent.replace('¶', '').trim())""")
    assert visible.count("目录") == 1, visible
    rows = desktop.locator("article table tbody tr")
    assert rows.count() == 14
    assert rows.first.inner_text().split("\t")[0].strip() == "一、"
    assert rows.last.inner_text().split("\t")[0].strip() == "十四、"  # one chapter: numbered straight through
    desktop.screenshot(path=str(artifacts / "site-desktop-home.png"), full_page=True)


def test_home_contents_are_grouped_by_chapter_and_numbered_in_each(tmp_path):
    """As the PDF's contents: with several chapters, a heading per chapter and 一、二、… again in each."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    manual, _ = check(root)
    manual.chapters = [Chapter(0, "01", "总则", ["0101-2020"]), Chapter(1, "02", "档案", ["0102-2020"])]
    groups = site_mod.toc_groups(manual, "index.md", "zh-CN")
    assert [(g["title"], [(r["no"], r["code"]) for r in g["rows"]]) for g in groups] == [
        ("01 总则", [("一、", "0101-2020")]), ("02 档案", [("一、", "0102-2020")])]
    model = site_mod.site_model(manual)
    site_mod.write_sources(manual, model, tmp_path / "src")
    home = (tmp_path / "src" / "docs" / "index.md").read_text(encoding="utf-8")
    assert home.index("### 01 总则") < home.index("0101-2020") < home.index("### 02 档案") < home.index("0102-2020")


# -- the interface language ------------------------------------------------------------------------
ENGLISH = ("Permanent link", "Made with", "Material for MkDocs", "404 - Not found", "Not found", "Search",
           "Type to start searching", "Initializing search", "Back to top", "Skip to content", "Table of contents",
           "Navigation", "Header", "Footer", "Previous", "Next", "Clear", "Share", "Copy to clipboard",
           "matching document", "Missing")
COMMANDS = re.compile(r"\bmanual (release|build|check|serve|approve|init|new|verify)\b|\.venv|mkdocs\.yml|`")
TEXTS = """() => {
  const out = [document.body.innerText, document.title];
  for (const e of document.querySelectorAll('[title], [aria-label], [placeholder], [alt]'))
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) if (e.hasAttribute(a)) out.push(e.getAttribute(a));
  return out.join('\\n'); }"""
STAFF_PAGES = ("index.html", "documents/0110-2014.html", "documents/0104-2014.html", "forms/customer-card.html",
               "documents/index.html", "forms/index.html", "roles.html", "review.html", "changes.html",
               "editions.html", "404.html")


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_chinese_site_shows_no_english_and_no_commands(served, desktop, path):
    _open(desktop, f"{served}/shipped/{path}")
    text = desktop.evaluate(TEXTS)
    found = [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]
    assert not found, (path, found)
    assert not COMMANDS.search(text), (path, COMMANDS.search(text).group(0))
    assert desktop.evaluate("document.documentElement.lang").startswith("zh")


def test_a_chinese_site_searches_in_chinese(served, desktop):
    _open(desktop, f"{served}/shipped/index.html")
    box = desktop.locator("input.md-search__input")
    assert box.get_attribute("placeholder") == "搜索"
    box.click()
    box.fill("回访")
    box.press("End")
    desktop.locator(".md-search-result__item").first.wait_for(state="visible", timeout=30_000)
    meta = desktop.locator(".md-search-result__meta").inner_text()
    assert "符合条件的结果" in meta, meta
    text = desktop.evaluate(TEXTS)
    assert not [w for w in ENGLISH if re.search(rf"\b{re.escape(w)}\b", text)]


def test_the_404_page_speaks_the_manuals_language(served, desktop):
    _open(desktop, f"{served}/shipped/404.html")
    assert desktop.locator("article h1").inner_text() == "找不到该页面"
    _open(desktop, f"{served}/en/404.html")
    assert desktop.locator("article h1").inner_text() == "Page not found"


def test_an_english_site_shows_english(served, browser):
    context, page = _tab(browser, DESKTOP, locale="en-GB")
    try:
        _open(page, f"{served}/en/documents/0101-2020.html")
        assert page.evaluate("document.documentElement.lang") == "en"
        assert page.locator("input.md-search__input").get_attribute("placeholder") == "Search"
        titles = {a.get_attribute("title") for a in page.locator("a.headerlink").all()}
        assert titles == {"Permanent link"}, titles
        facts = [t.strip() for t in page.locator(".doc-facts dt").all_inner_texts()]
        assert facts == ["Code", "Version", "Status", "Effective", "Owner", "Next review"], facts
        heads = page.locator(".stack-table.signoff th").all_inner_texts()
        assert heads and not [h for h in heads if re.search(r"[\u4e00-\u9fff]", h)], heads
        text = page.evaluate(TEXTS)
        assert "Made with" not in text
        # the interface's own punctuation is English too (the manual's Chinese content may have its own):
        # a role page's facts line is all interface words and role names
        _open(page, f"{served}/en/roles.html")
        _open(page, f"{served}/en/" + page.locator("article table a").first.get_attribute("href"))
        facts = page.locator("article p").first.inner_text()
        assert "：" not in facts and ": " in facts, facts
        _open(page, f"{served}/en/forms/visit-record.html")
        assert page.locator(".form-sheet .toolbar button").all_inner_texts() == ["Clear", "Print"]
    finally:
        context.close()


# -- printing from the site ------------------------------------------------------------------------
def _print(page, url) -> "PdfReader":  # noqa: F821
    from pypdf import PdfReader

    _open(page, url)
    page.emulate_media(media="print")
    return PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))


@pytest.mark.parametrize("form", ["customer-visit-record", "customer-card", "customer-register",
                                  "quality-objection-report"])
def test_a_form_page_prints_just_the_form_on_one_sheet(served, desktop, artifacts, form):
    pdf = _print(desktop, f"{served}/shipped/forms/{form}.html")
    assert len(pdf.pages) == 1, f"{form}: {len(pdf.pages)} sheets"
    text = pdf.pages[0].extract_text()
    assert "填写说明" in text or "表单编号" in text
    for frame in ("手册文件", "表单库", "使用本表单的文件", "修订记录", "清空", "打印", "搜索"):
        assert frame not in text, (form, frame)


def test_the_form_page_buttons_are_the_stand_alone_forms(served, desktop):
    """The site's 清空 / 打印 are the stand-alone HTML form's toolbar (one template), wired to the form."""
    manual, _ = check(REPO)
    standalone = page_html(manual, manual.forms["customer-card"])
    toolbar = re.search(r'<div class="toolbar">.*?</div>', standalone).group(0)
    _open(desktop, f"{served}/shipped/forms/customer-card.html")
    assert desktop.locator(".form-sheet .toolbar").evaluate("e => e.outerHTML") == toolbar
    assert desktop.get_by_role("button", name="打印", exact=True).get_attribute("onclick") == "window.print()"
    target = desktop.get_by_role("button", name="清空", exact=True).get_attribute("form")
    assert desktop.locator(f"form#{target}").count() == 1


def test_a_document_page_prints_with_code_version_and_page_numbers(served, desktop):
    pdf = _print(desktop, f"{served}/shipped/documents/0104-2014.html")
    assert len(pdf.pages) >= 2
    total = len(pdf.pages)
    box = pdf.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2  # A4
    for n, sheet in enumerate(pdf.pages, start=1):
        text = sheet.extract_text().replace("⽣", "生").replace("⻚", "页")
        squeezed = re.sub(r"\s+", "", text)
        assert "0104-2014业务部" in squeezed and "版本1.1" in squeezed, (n, text[:200])
        assert f"第{n}页/共{total}页" in squeezed, (n, text[-200:])
        assert "手册文件" not in text and "搜索" not in text  # no navigation, header or search


# -- accessibility ----------------------------------------------------------------------------------
AXE_PAGES = ("index.html", "documents/0110-2014.html", "documents/0102-2014.html", "documents/0104-2014.html",
             "documents/0105-2014.html", "forms/customer-visit-record.html", "forms/customer-card.html",
             "roles.html", "documents/index.html", "forms/index.html", "review.html", "editions.html")


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("path", AXE_PAGES)
def test_axe_finds_no_serious_violation(served, desktop, path):
    _open(desktop, f"{served}/shipped/{path}")
    assert _axe(desktop) == []


def test_axe_finds_no_serious_violation_on_the_404_page(served_root, desktop):
    _open(desktop, f"{served_root}/404.html")
    assert desktop.locator("article h1").inner_text() == "找不到该页面"
    assert _axe(desktop) == []


@pytest.mark.parametrize("path", ["index.html", "documents/0110-2014.html", "forms/customer-visit-record.html"])
def test_axe_finds_no_serious_violation_on_a_phone(served, phone, path):
    _open(phone, f"{served}/shipped/{path}")
    assert _axe(phone) == []


def test_axe_finds_no_serious_violation_in_the_search_results(served, desktop):
    _open(desktop, f"{served}/shipped/index.html")
    box = desktop.locator("input.md-search__input")
    box.click()
    box.fill("客户")
    box.press("End")
    desktop.locator(".md-search-result__item").first.wait_for(state="visible", timeout=30_000)
    assert _axe(desktop) == []


@pytest.mark.parametrize("code,kind", [("0102-2014", "orgchart"), ("0104-2014", "workflow")])
def test_diagrams_have_a_text_alternative(served, desktop, code, kind):
    _open(desktop, f"{served}/shipped/documents/{code}.html")
    svg = desktop.locator(f"div.diagram.{kind} svg")
    assert svg.get_attribute("role") == "img"
    name = svg.get_attribute("aria-label") or ""
    assert len(name) > 4 and name == svg.locator("title").text_content()
    assert code in name or "属瑞" in name


def test_headings_go_down_one_level_at_a_time(served, desktop):
    for path in AXE_PAGES:
        _open(desktop, f"{served}/shipped/{path}")
        levels = desktop.evaluate("""() => [...document.querySelectorAll(
            'article h1, article h2, article h3, article h4, article h5, article h6')].map(h => +h.tagName[1])""")
        assert levels and levels[0] == 1 and levels.count(1) == 1, (path, levels)
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), (path, levels)


def test_page_titles_are_dark(served, desktop):
    _open(desktop, f"{served}/shipped/documents/0110-2014.html")
    colour = desktop.locator("article h1").evaluate("h => getComputedStyle(h).color")
    channels = [float(x) for x in re.findall(r"[\d.]+", colour)]
    alpha = channels[3] if len(channels) > 3 else 1
    assert max(channels[:3]) < 80 and alpha > 0.8, colour  # near-black, not Material's washed-out grey


CELLS_OUTSIDE = """() => { const out = [];
    for (const t of document.querySelectorAll('article table')) {
        if (t.closest('.form-fragment, .mform')) continue;
        for (const c of t.querySelectorAll('tbody td')) {
            const r = c.getBoundingClientRect();
            if (c.offsetParent && (r.right > innerWidth + 1 || r.left < -1)) out.push(c.textContent.trim().slice(0, 20));
        }
    }
    return out; }"""


@pytest.mark.parametrize("path", ["documents/0104-2014.html", "documents/index.html", "documents/0103-2014.html",
                                  "roles/%E4%B8%9A%E5%8A%A1%E5%91%98.html"])  # 业务员
def test_no_table_cell_lies_outside_the_phone_screen(served, browser, path):
    """Any table too wide for a 390 px screen (the workflow steps, 相关表单, the document index, a role's steps)
    becomes a stack of cards, each cell named by its column; none is cut or scrolled out of sight."""
    context, page = _tab(browser, {"width": 390, "height": 844})
    try:
        _open(page, f"{served}/shipped/{path}")
        page.wait_for_timeout(300)
        assert page.evaluate(CELLS_OUTSIDE) == []
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        labels = page.evaluate("[...document.querySelectorAll('.stack-auto.stack-table td')].map(td => td.dataset.label)")
        assert all(labels), labels
    finally:
        context.close()
