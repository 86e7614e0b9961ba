"""Bare codes: document and form codes written in prose without 《》 (generator.model.citations).

The matcher is derived from each manual's own code scheme; these tests use several schemes of
their own, the near misses that must not count, the rules on a real built manual, and the
references graph.  The rendering of known codes as links is in tests/test_bare_codes_render.py.
"""
from __future__ import annotations

import pytest

from conftest import MINIMAL, copy_manual
from generator.model import CodeScheme
from generator.model.build import read_manual
from generator.model.citations import bare_codes, fold, prose_runs, split_citations
from generator.model.references import links
from generator.read.markdown import parse
from generator.rules.check import check

PLAIN = CodeScheme(r"^(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$", "{chapter:02d}{seq:02d}-{year}", 2014,
                   "0108-2014", r"^\d{4}-F\d+$")
PREFIXED = CodeScheme(r"^YD-(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$", "YD-{chapter:02d}{seq:02d}-{year}",
                      2013, "YD-0302-2013", r"^YD-\d{4}-F\d+$")
CLAUSE = CodeScheme(r"^QP-(?P<clause>\d+(?:\.\d+)*)-(?P<seq>\d{2})$", "QP-{clause}-{seq:02d}", None, "QP-7.5-01",
                    r"^QR-\d+(?:\.\d+)*-\d{2}-\d{2}$")
SLASHED = CodeScheme(r"\A[A-Z]{2}/\d{3}\Z", "", None, "HR/001", "")


def found(scheme, text):
    return [(c.written, c.code, c.kind) for c in bare_codes(scheme, text)]


@pytest.mark.parametrize("text,expected", [
    ("按0108-2006执行", [("0108-2006", "0108-2006", "document")]),
    ("见0119-2014。", [("0119-2014", "0119-2014", "document")]),
    ("填写0104-F1后交回", [("0104-F1", "0104-F1", "form")]),
    ("按０１０８－２００６执行", [("０１０８－２００６", "0108-2006", "document")]),  # full-width digits and dash
    ("按0108—2006、0109–2006、0110‐2006和0111−2006执行",
     [("0108—2006", "0108-2006", "document"), ("0109–2006", "0109-2006", "document"),
      ("0110‐2006", "0110-2006", "document"), ("0111−2006", "0111-2006", "document")]),
    ("按 0108 - 2006 执行", [("0108 - 2006", "0108-2006", "document")]),  # spaces around the dash
    ("按0108 2006执行", [("0108 2006", "0108-2006", "document")]),  # spaces alone as the separator
    ("（0108-2014）；0109-2014,", [("0108-2014", "0108-2014", "document"), ("0109-2014", "0109-2014", "document")]),
    ("see 0108-2014.", [("0108-2014", "0108-2014", "document")]),  # a full stop after it is not part of it
])
def test_plain_scheme_finds_codes_however_typed(text, expected):
    assert found(PLAIN, text) == expected


@pytest.mark.parametrize("text", [
    "日期 2014-05-20 起",  # a date
    "于2014-05-20生效",
    "电话 0769-22881234",  # a phone number
    "电话：0769-2288 1234",  # a phone number in groups
    "0769 2288 1234",
    "编号10108-20145",  # a longer number
    "流水号 0108-2014-0003",
    "12-0108-2014",
    "见 http://intranet.example.com/docs/0108-2014.html",  # a web address
    "见 www.example.com/0108-2014",
    "文件 0108-2014.md",  # a file name
    "邮件 0108-2014@example.com",
    "《0108-2014 客户档案管理制度》",  # a 《》 mention: the citation rules handle it
    "2013—2014年度",  # a span of years
    "2013-2014 年",
    "ABC0108-2014",  # glued to letters
    "0108-2014x",
])
def test_near_misses_are_not_codes(text):
    assert found(PLAIN, text) == []


def test_code_spans_links_and_code_blocks_are_not_prose():
    body = ("按0108-2006执行，`0109-2006` 是示例，[0110-2006](https://example.com) 是链接。\n"
            "**见0111-2006**\n\n```\n0112-2006\n```\n\n| 编号 |\n|---|\n| 0113-2006 |\n")
    runs = prose_runs(parse(body, 10))
    codes = [(line, c.code) for line, text in runs for c in bare_codes(PLAIN, text)]
    assert codes == [(10, "0108-2006"), (11, "0111-2006"), (17, "0113-2006")]


@pytest.mark.parametrize("text,expected", [
    ("按YD-0302-2013执行", [("YD-0302-2013", "YD-0302-2013", "document")]),
    ("按ＹＤ－０３０２－２０１３执行", [("ＹＤ－０３０２－２０１３", "YD-0302-2013", "document")]),
    ("按 YD — 0302 — 2013。", [("YD — 0302 — 2013", "YD-0302-2013", "document")]),
    ("填YD-0302-F2表", [("YD-0302-F2", "YD-0302-F2", "form")]),
    ("XYD-0302-2013", []),
    ("0302-2013", []),  # without its prefix it is not a code of this scheme
    ("YD-0302-2013-F1", []),
    ("见 https://example.com/YD-0302-2013", []),
    ("2013-05-20", []),
])
def test_prefixed_scheme(text, expected):
    assert found(PREFIXED, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("按QP-7.5-01执行", [("QP-7.5-01", "QP-7.5-01", "document")]),
    ("见QP-7.5.1-03和QR-7.5-01-02", [("QP-7.5.1-03", "QP-7.5.1-03", "document"),
                                      ("QR-7.5-01-02", "QR-7.5-01-02", "form")]),
    ("见 QP－7.5－01。", [("QP－7.5－01", "QP-7.5-01", "document")]),
    ("QP-7.5-012", []),
    ("v1.QP-7.5-01", []),
    ("https://a.example/QP-7.5-01", []),
])
def test_clause_scheme(text, expected):
    assert found(CLAUSE, text) == expected


def test_slashed_scheme_with_other_anchors():
    assert found(SLASHED, "见 HR/001。") == [("HR/001", "HR/001", "document")]
    assert found(SLASHED, "x/HR/001") == [] and found(SLASHED, "HR/0012") == []


def test_no_scheme_or_a_broken_pattern_finds_nothing():
    assert found(CodeScheme(), "按0108-2006执行") == []
    assert found(CodeScheme(pattern="(unclosed"), "按0108-2006执行") == []


def test_fold_keeps_positions():
    text = "按０１０８－２００６执行"
    assert len(fold(text)) == len(text) and fold(text) == "按0108-2006执行"


# -- on a real manual ----------------------------------------------------------------------------
FORM_PATTERN = "  example: 0101-2020\n  form_pattern: '^\\d{4}-F\\d+$'\n"


def _manual(tmp_path, clause3: str, *, superseded: bool = False):
    root = copy_manual(MINIMAL, tmp_path / "m")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("  example: 0101-2020\n", FORM_PATTERN),
                      encoding="utf-8")
    policy = root / "policies" / "0101-2020.md"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("3. 回访后填写《客户回访记录表》。", clause3), encoding="utf-8")
    if superseded:
        (root / "policies" / "0103-2020.md").write_text(
            "---\ncode: 0103-2020\ntitle: 旧回访办法\nkind: policy\nversion: \"1.0\"\nstatus: superseded\n"
            "owner: 业务经理\nsignoff: {}\nrevisions:\n  - {version: \"1.0\", date: 2019-01-01, summary: 发布, by: 业务部}\n"
            "---\n\n1. 按0101-2020和０１０３－２０２０执行（作废的文件可以提到作废的文件）。\n", encoding="utf-8")
    return root


def _found(root):
    _, findings = check(root)
    return [(f.rule, f.severity, f.path, f.line, f.column, f.message("zh-CN")) for f in findings]


def test_known_codes_check_clean_and_count_as_references(tmp_path):
    root = _manual(tmp_path, "3. 回访后填写0101-F1，资料按０１０２－２０２０保管；`0199-2020` 只是示例。")
    assert _found(root) == []
    manual, _ = read_manual(root)
    citing, cited = manual.documents
    assert links(manual).referrers(cited) == [citing]
    assert links(manual).form_users(manual.forms["visit-record"]) == [citing]
    pieces = split_citations(manual, "资料按０１０２－２０２０保管", codes=True)
    assert pieces == [("资料按", None), ("０１０２－２０２０", cited), ("保管", None)]
    assert split_citations(manual, "0101-F1 《客户回访记录表》") == [("0101-F1 ", None),
                                                                 ("《客户回访记录表》", manual.forms["visit-record"])]


def test_unknown_form_code_has_a_suggestion(tmp_path):
    root = _manual(tmp_path, "3. 回访后填写0101-F2。")
    [(rule, severity, path, line, column, message)] = _found(root)
    assert (rule, severity, path, line, column) == ("code-unknown", "error", "policies/0101-2020.md", 28, 9)
    assert "'0101-F2'" in message and "是否应为 '0101-F1'" in message


def test_year_span_and_other_chapter_are_not_reported(tmp_path):
    # chapter 20 does not exist in this manual: 2013-2014 is two years, not a code
    root = _manual(tmp_path, "3. 回访后填写《客户回访记录表》，统计2013-2014的数据。")
    assert _found(root) == []


def test_superseded_citing_superseded_is_quiet_and_outdated_names_the_current(tmp_path):
    root = _manual(tmp_path, "3. 回访后填写《客户回访记录表》，按0102-2019及0103-2020执行。", superseded=True)
    got = _found(root)
    assert [(r, s, line, col) for r, s, _, line, col, _ in got] == [("code-outdated", "error", 28, 20),
                                                                    ("code-superseded", "warning", 28, 30)]
    assert "现行的是 '0102-2020'《客户档案管理制度》" in got[0][5]
    assert "'0103-2020'《旧回访办法》已作废" in got[1][5]


def test_codes_in_workflow_and_duties_are_checked_at_their_line(tmp_path):
    root = _manual(tmp_path, "3. 回访后填写《客户回访记录表》。")
    policy = root / "policies" / "0102-2020.md"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(text.replace("owner: 业务经理\n", "owner: 业务经理\nworkflow:\n"
                                   "  - {id: a, title: 建档, role: 业务员, description: 按0108-2020建档}\n"), encoding="utf-8")
    step = "  - {id: a, title: 建档, role: 业务员, description: 按0108-2020建档}"
    got = _found(root)
    assert [(r, path, line, col) for r, _, path, line, col, _ in got] == [
        ("code-unknown", "policies/0102-2020.md", 9, step.index("0108") + 1)]
