"""Codes shaped like ISO clause numbers (``QM-4.1``, ``QM-7.5-2018``, ``QP-8.2.1-01``) and the messages about
the code scheme (issue #16, review d: B-qm)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from generator.model.codes import infer_scheme

# An ISO 9001 quality manual: a revision record on the cover (oldest row first), chapters 4/5/7 as ISO numbers
# them, each clause coded 【QM-4.1】, one code with another edition's year (2018 in the 2021 edition).
ISO_MANUAL = """\
广州博瑞电子科技有限公司
质量手册
文件编号：BR-QM-2021
版本：C/0

修订记录
版本\t修订内容\t修订人\t日期
A/0\t首次发布\t刘洋\t2017-05-01
B/0\t按ISO 9001:2015换版\t刘洋\t2018-09-15
C/0\t组织架构调整\t陈静\t2021-03-10

4 组织环境
4.1 理解组织及其环境【QM-4.1】
4.1.1 公司每年年初由总经理组织分析内外部因素。
4.1.2 相关活动由管理者代表组织。
4.2 理解相关方的需求和期望【QM-4.2】
4.2.1 管理者代表负责识别相关方及其要求。
编制：刘洋  审核：陈静  批准：黄志强  日期：2021年3月10日

5 领导作用
5.1 领导作用和承诺【QM-5.1】
5.1.1 总经理对质量管理体系的有效性负责。
5.3 组织的岗位、职责和权限【QM-5.3】
5.3.1 总经理任命管理者代表。
编制：刘洋  审核：陈静  批准：黄志强  日期：2021年3月10日

7 支持
7.1 资源【QM-7.1】
7.1.1 公司提供质量管理体系所需的资源。
7.5 成文信息【QM-7.5-2018】
7.5.1 文件的编制、审批和发放由办公室负责。
编制：刘洋  审核：陈静  批准：黄志强  日期：2021年3月10日
"""
CODES = ["QM-4.1", "QM-4.2", "QM-5.1", "QM-5.3", "QM-7.1", "QM-7.5-2018"]


@pytest.fixture(scope="module")
def iso(tmp_path_factory) -> tuple[Path, dict, list[dict]]:
    tmp = tmp_path_factory.mktemp("iso")
    source = tmp / "质量手册.txt"
    source.write_text(ISO_MANUAL, encoding="utf-8")
    out = tmp / "out"
    result = run_cli("import", source, "--out", out)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((out / "manual" / "manual.yaml").read_text(encoding="utf-8"))
    checked = run_cli("check", "--root", out, "--format", "json")
    assert checked.returncode in (0, 1), checked.stderr
    return out, config, json.loads(checked.stdout)["findings"]


def test_the_inferred_pattern_matches_every_code_of_the_source(iso):
    _, config, _ = iso
    pattern = config["code_scheme"]["pattern"]
    assert sorted(code for chapter in config["chapters"] for code in chapter["documents"]) == sorted(CODES)
    for code in CODES:
        assert re.fullmatch(pattern, code), (pattern, code)
    assert re.fullmatch(pattern, config["code_scheme"]["example"])


def test_the_chapters_are_numbered_as_the_codes_write_them(iso):
    _, config, findings = iso
    assert [(c["number"], c["title"], c["documents"]) for c in config["chapters"]] == [
        ("4", "组织环境", ["QM-4.1", "QM-4.2"]), ("5", "领导作用", ["QM-5.1", "QM-5.3"]),
        ("7", "支持", ["QM-7.1", "QM-7.5-2018"])]
    assert not [f for f in findings if f["rule"] in ("code-scheme", "chapter-code", "schema")]


def test_the_edition_is_the_newest_revision_not_the_first(iso):
    _, config, _ = iso
    assert config["manual"]["edition"] == "2021" and str(config["manual"]["date"]) == "2021-03-10"
    assert config["code_scheme"]["year"] == 2021


def test_the_code_of_another_year_is_reported_and_clause_numbers_are_no_gaps(iso):
    _, _, findings = iso
    years = [f for f in findings if f["rule"] == "code-year"]
    assert [(f["path"], f["line"]) for f in years] == [("policies/QM-7.5-2018.md", 4)]
    assert "'QM-7.5-2021'" in years[0]["message"]
    # 5.2 and 7.2–7.4 are clauses of ISO 9001 this manual does not code: no running sequence skips there
    assert not [f for f in findings if f["rule"] == "code-gap"]


@pytest.mark.parametrize("codes, chapters", [
    (["QM-4.1", "QM-4.2", "QM-10.2"], ["4", "4", "10"]),
    (["QM-7.5-2018", "QM-4.1-2021", "QM-8.2-2021"], ["7", "4", "8"]),
    (["QP-8.2.1", "QP-8.2.2", "QP-7.1.3"], ["8.2", "8.2", "7.1"]),
    (["ISO-4.1", "ISO-4.12", "ISO-5.1"], ["4", "4", "5"]),
])
def test_infer_scheme_takes_a_clause_number_as_chapter_and_sequence(codes, chapters):
    pattern, fmt = infer_scheme(codes)
    found = [re.fullmatch(pattern, code) for code in codes]
    assert all(found), (pattern, codes)
    assert [m.group("chapter") for m in found] == chapters
    for code, m in zip(codes, found):  # the format writes each code back from its parts
        assert fmt.format(chapter=int(m["chapter"]) if m["chapter"].isdigit() else m["chapter"],
                          seq=int(m["seq"]), year=m.groupdict().get("year")) == code


def test_a_running_number_after_a_clause_number_is_unchanged():
    assert infer_scheme(["QP-8.2.1-01", "QP-7.5-02"]) == (
        r"^QP-(?P<chapter>\d{1,3}(?:\.\d{1,3})*)-(?P<seq>\d{2})$", "QP-{chapter}-{seq:02d}")


def _check(root: Path) -> list[dict]:
    checked = run_cli("check", "--root", root, "--format", "json")
    assert checked.returncode in (0, 1), checked.stderr
    return json.loads(checked.stdout)["findings"]


def _set_scheme(root: Path, **changes) -> None:
    path = root / "manual" / "manual.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in changes.items():
        text = re.sub(rf"(?m)^  {key}: .*$", lambda _, k=key, v=value: f"  {k}: '{v}'", text)
    path.write_text(text, encoding="utf-8")


def test_the_example_in_the_code_scheme_message_follows_the_scheme(minimal):
    # example QM-4.1 does not follow the pattern: the message shows a code that does
    _set_scheme(minimal, example="QM-4.1")
    off = minimal / "policies" / "0102-2020.md"
    off.write_text(off.read_text(encoding="utf-8").replace("code: 0102-2020", "code: QM-4.1", 1), encoding="utf-8")
    off.rename(minimal / "policies" / "QM-4.1.md")
    config = minimal / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("0102-2020", "QM-4.1"), encoding="utf-8")
    scheme = [f for f in _check(minimal) if f["rule"] == "code-scheme"]
    assert [f["path"] for f in scheme] == ["policies/QM-4.1.md"]
    shown = re.search(r"（例如 (\S+)）", scheme[0]["message"])
    assert shown and shown.group(1) != "QM-4.1"
    assert re.fullmatch(r"(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})", shown.group(1))


def test_without_a_code_that_follows_the_scheme_the_message_says_the_pattern(minimal):
    # no code follows it, but the format writes one that does: that one is the example
    _set_scheme(minimal, pattern=r"^QM-(?P<seq>\d{3})$", format="QM-{seq:03d}", example="QM-4.1")
    scheme = [f for f in _check(minimal) if f["rule"] == "code-scheme"]
    assert scheme and all("（例如 QM-001）" in f["message"] for f in scheme)
    # nor does the format's: the message says the pattern
    _set_scheme(minimal, format="QM-{seq}")
    scheme = [f for f in _check(minimal) if f["rule"] == "code-scheme"]
    assert scheme and all("例如" not in f["message"] and r"^QM-(?P<seq>\d{3})$" in f["message"] for f in scheme)


def test_a_chapter_number_as_iso_writes_it_is_accepted_and_a_wrong_one_is_said_in_words(minimal):
    config = minimal / "manual" / "manual.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('number: "01"', 'number: "1"', 1), encoding="utf-8")
    assert not [f for f in _check(minimal) if f["rule"] in ("schema", "chapter-code")]
    config.write_text(text.replace('number: "01"', 'number: "第1章"', 1), encoding="utf-8")
    schema = [f for f in _check(minimal) if f["rule"] == "schema"]
    assert len(schema) == 1 and "04" in schema[0]["message"] and "[0-9]" not in schema[0]["message"]
