"""Import's linear-time forms give what the former (quadratic) forms gave, on many random texts.

The former forms are kept here, word for word, as the reference; the texts are drawn from the
characters the patterns care about (numerals, 、, colons, whitespace runs, brackets, dots, codes).
Speed itself is measured by bench/import_speed.py, never here.
"""
from __future__ import annotations

import random
import re

import pytest

from generator.authoring import importer as im

CN, CJK = im.CN, im.CJK
ALPHABET = ["一", "二", "十", "、", "附", ":", "：", " ", "  ", "\t", "\n", "\n\n", "\u3000", "。", "；", ";", "《", "》",
            "表", "……", "..", ".", "0101-2014", "0102-2014", "1", "12", "名", "业务员", "经理", "核定人数", "a", "(", ")",
            "（", "）", "“", "”", ",", "?", "!"]
OLD_TOC_ENTRY = re.compile(rf"(?<![{CN}])([{CN}]{{1,3}})\s*、\s*([^…\n\t]{{1,40}}?)\s*(?:[…\.·．]{{2,}}|\t)\s*"
                           rf"({im.CODE})")
OLD_FORMS_BRACKETED = re.compile(r"附\s*[:：]?\s*((?:《[^《》\n]{1,40}》\s*[、，,及和]?\s*)+)")
OLD_MARKERS = re.compile(im.MARKERS.pattern.replace(rf"(?=[(（{CN}\dA-Za-z])(?:", "", 1)[:-1])


def texts(seed: int, count: int = 3000, longest: int = 60):
    rng = random.Random(seed)
    for _ in range(count):
        yield "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, longest)))


def old_split_appendix(text: str) -> tuple[str, str]:
    m = re.search(r"(?:\n|(?<=[。；;]))\s*(附\s*[:：].*)$", text, flags=re.S)
    return (text[: m.start()], m.group(1)) if m else (text, "")


def old_clean(text: str) -> str:
    text = re.sub(r"\s*\n\s*", "", text)
    text = re.sub(r"[ \t\u3000]+", " ", text).strip()
    text = old_to_fullwidth(text)
    wide = CJK + "，。；：、！？（）《》“”"
    return re.sub(rf"(?<=[{wide}]) +| +(?=[{wide}])", "", text)


def old_to_fullwidth(text: str) -> str:
    pairs = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
    out = []
    for i, ch in enumerate(text):
        prev = text[i - 1] if i else ""
        nxt = text[i + 1] if i + 1 < len(text) else ""
        near_cjk = bool(re.match(rf"[{CJK}）”]", prev) or re.match(rf"[{CJK}（“]", nxt))
        if ch in pairs and near_cjk and not (ch == ":" and prev.isdigit() and nxt.isdigit()):
            out.append(pairs[ch])
        elif ch == "(" and re.match(rf"[{CJK}]", nxt or " "):
            out.append("（")
        elif ch == ")" and re.match(rf"[{CJK}]", prev or " "):
            out.append("）")
        else:
            out.append(ch)
    return "".join(out)


def old_blank(text: str, spans) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = "\n" if i == a else ""
    return "".join(chars)


def spans_of(m):
    return [m.span(g) for g in range(len(m.groups()) + 1)]


def test_split_appendix_clean_and_fullwidth():
    for text in texts(1):
        assert im.split_appendix(text) == old_split_appendix(text), repr(text)
        assert im.clean(text) == old_clean(text), repr(text)
        assert im.to_fullwidth(text) == old_to_fullwidth(text), repr(text)


def test_patterns_find_the_same_matches():
    for text in texts(2):
        assert [spans_of(m) for m in im.FORMS_BRACKETED.finditer(text)] == \
            [spans_of(m) for m in OLD_FORMS_BRACKETED.finditer(text)], repr(text)
        assert [spans_of(m) for m in im.MARKERS.finditer(text)] == \
            [spans_of(m) for m in OLD_MARKERS.finditer(text)], repr(text)
        assert [m.span() for m in im.staff_lines(text)] == [m.span() for m in im.STAFF.finditer(text)], repr(text)


def test_toc_entries_are_the_same_but_for_titles_of_whitespace_only():
    for text in texts(3, longest=30):
        old = [spans_of(m) for m in OLD_TOC_ENTRY.finditer(text) if m.group(2).strip()]
        assert [spans_of(m) for m in im.TOC_ENTRY.finditer(text)] == old, repr(text)


def test_blank_keeps_the_line_breaks_of_each_span():
    rng = random.Random(4)
    for text in texts(5):
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, 2 * rng.randint(0, 3))))
        spans = list(zip(cuts[::2], cuts[1::2]))
        assert im._blank(text, spans) == old_blank(text, spans), (repr(text), spans)


@pytest.mark.parametrize("seed", [6, 7])
def test_headings_index_finds_what_a_search_finds(seed):
    """Headings.coded/bare against pattern.search from every start."""
    rng = random.Random(seed)
    parts = ["一、", "二、", "十、", "一 、 ", "标题", "甲乙", " ", "\n", "0101-2014", "0102-2014", "01012014", "……", "a"]
    for _ in range(400):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 40)))
        headings = im.Headings(text, 0)
        for numeral in ("一", "二", "十"):
            for prefix in ("0101", "0102"):
                coded = re.compile(rf"(?<![{CN}])({re.escape(numeral)})\s*、\s*([^\n]{{0,40}}?)\s*({prefix}-\d{{4}})")
                for start in range(0, len(text) + 1, 3):
                    want, got = coded.search(text, start), headings.coded(numeral, prefix, coded, start)
                    assert (want and spans_of(want)) == (got and spans_of(got)), (repr(text), numeral, prefix, start)
            for title in ("标题", "甲乙", "标 题"):
                spaced = r"\s*".join(map(re.escape, title))
                bare = re.compile(rf"(?<![{CN}])({re.escape(numeral)})\s*、\s*({spaced})()")
                for start in range(0, len(text) + 1, 3):
                    want, got = bare.search(text, start), headings.bare(numeral, title, bare, start)
                    assert (want and spans_of(want)) == (got and spans_of(got)), (repr(text), numeral, title, start)
