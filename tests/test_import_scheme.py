"""`manual import`: the code scheme inferred by comparing the codes found, and the checks it drives."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from generator.model import CodeScheme
from generator.model.codes import format_code, infer_scheme, without_year


@pytest.mark.parametrize("codes, pattern, fmt", [
    (["JN-QP-01-2014", "JN-QP-02-2013", "JN-QP-03-2014"],
     r"^JN-QP-(?P<seq>\d{2})-(?P<year>\d{4})$", "JN-QP-{seq:02d}-{year}"),
    (["HT/QM-01-2016", "HT/QM-02-2015"], r"^HT/QM-(?P<seq>\d{2})-(?P<year>\d{4})$", "HT/QM-{seq:02d}-{year}"),
    (["QP-7.4-01", "QP-7.5-01", "QP-8-02"],
     r"^QP-(?P<chapter>\d{1,3}(?:\.\d{1,3})*)-(?P<seq>\d{2})$", "QP-{chapter}-{seq:02d}"),
    (["YD-0101-2013", "YD-0302-2013"],
     r"^YD-(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$", "YD-{chapter:02d}{seq:02d}-{year}"),
    (["0101-2014"], r"^(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$", "{chapter:02d}{seq:02d}-{year}"),
    (["Q/DF 102-2012", "Q/DF 103-2012"], r"^Q/DF (?P<seq>\d{3})-(?P<year>\d{4})$", "Q/DF {seq:03d}-{year}"),
    (["XX/QM-01", "XX/QM-02"], r"^XX/QM-(?P<seq>\d{2})$", "XX/QM-{seq:02d}"),
    (["A-01-03", "A-02-01", "A-02-02"], r"^A-(?P<chapter>\d{2})-(?P<seq>\d{2})$", "A-{chapter:02d}-{seq:02d}"),
    # The odd one out does not decide the scheme: it is what code-scheme reports.
    (["ZX-QP-01", "ZX-QP-02", "ZX-QP-03-2015"], r"^ZX-QP-(?P<seq>\d{2})$", "ZX-QP-{seq:02d}"),
])
def test_the_scheme_is_what_the_codes_share(codes, pattern, fmt):
    assert infer_scheme(codes) == (pattern, fmt)
    scheme = CodeScheme(pattern=pattern, format=fmt, year=2014)
    for code in codes:
        match = re.fullmatch(pattern, code)
        if code == "ZX-QP-03-2015":
            assert match is None
            continue
        assert match, code
        # The format writes each code back from its parts (the year aside: it is the edition's).
        parts = match.groupdict()
        if parts.get("year"):
            scheme.year = int(parts["year"])
        written = format_code(scheme, parts.get("chapter") or "1", int(parts["seq"]))
        assert written == code
        if parts.get("year"):
            assert parts["year"] not in without_year(scheme, code)


def test_no_number_no_scheme():
    assert infer_scheme(["ABC", "DEF"]) is None


def manual_text(codes: list[str], date: str = "2014年3月1日") -> str:
    """A manual by chapters, each with its code in a ``文件编号：`` line under the heading."""
    out = ["江南精工机械股份有限公司", "质量手册", f"版本：A/0  发布日期：{date}"]
    titles = ["文件控制", "记录控制", "内部审核", "管理评审"]
    for n, code in enumerate(codes, 1):
        out += [f"第{n}章 {titles[n - 1]}", f"文件编号：{code}",
                f"{n}.1 目的", f"规定{titles[n - 1]}的要求。",
                f"{n}.2 职责", "a) 质量部负责归口管理；", "b) 各部门负责执行。",
                f"编制：李明 审核：周强 批准：陈刚 日期：{date}"]
    return "\n".join(out) + "\n"


def imported(tmp_path: Path, text: str) -> tuple[dict, list[dict]]:
    source = tmp_path / "manual.txt"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((out / "manual" / "manual.yaml").read_text(encoding="utf-8"))
    checked = run_cli("check", "--root", out, "--format", "json")
    assert checked.returncode in (0, 1), checked.stderr
    return config, json.loads(checked.stdout)["findings"]


def test_a_code_of_another_year_is_reported_with_the_right_code(tmp_path):
    config, findings = imported(tmp_path, manual_text(["JN-QP-01-2014", "JN-QP-02-2013", "JN-QP-03-2014"]))
    scheme = config["code_scheme"]
    assert scheme["pattern"] == r"^JN-QP-(?P<seq>\d{2})-(?P<year>\d{4})$" and scheme["year"] == 2014
    assert [c["documents"] for c in config["chapters"]] == [["JN-QP-01-2014", "JN-QP-02-2013", "JN-QP-03-2014"]]
    years = [f for f in findings if f["rule"] == "code-year"]
    assert [(f["path"], f["line"]) for f in years] == [("policies/JN-QP-02-2013.md", 4)]
    assert "'JN-QP-02-2014'" in years[0]["message"]
    assert not [f for f in findings if f["rule"] in ("code-scheme", "code-gap", "chapter-title")]


def test_chapter_and_sequence_codes_keep_their_chapters(tmp_path):
    config, findings = imported(tmp_path, manual_text(["QP-7.4-01", "QP-7.4-02", "QP-7.5-01", "QP-8-01"]))
    assert config["code_scheme"]["format"] == "QP-{chapter}-{seq:02d}" and "year" in config["code_scheme"]
    assert [(c["number"], c["documents"]) for c in config["chapters"]] == [
        ("7.4", ["QP-7.4-01", "QP-7.4-02"]), ("7.5", ["QP-7.5-01"]), ("8", ["QP-8-01"])]
    assert not [f for f in findings if f["rule"] in ("code-scheme", "code-gap", "code-year")]


def test_a_gap_in_a_chapter_is_still_reported(tmp_path):
    config, findings = imported(tmp_path, manual_text(["YD-0101-2014", "YD-0103-2014", "YD-0201-2014"]))
    assert config["code_scheme"]["pattern"] == r"^YD-(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$"
    assert [c["number"] for c in config["chapters"]] == ["01", "02"]
    gaps = [f for f in findings if f["rule"] == "code-gap"]
    assert [f["path"] for f in gaps] == ["policies/YD-0103-2014.md"]
    assert not [f for f in findings if f["rule"] in ("code-scheme", "code-year")]


# -- the messages of the import command ----------------------------------------------------------------


@pytest.mark.parametrize("content", [b"PK\x03\x04 not a zip at all", b"not even a zip header"])
def test_a_damaged_docx_is_named_in_its_one_line_error(tmp_path, content):
    source = tmp_path / "damaged manual.docx"
    source.write_bytes(content)
    result = run_cli("import", source, "--out", tmp_path / "out")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{source}：压缩文件损坏" in lines[0], result.stderr
    english = run_cli("import", source, "--out", tmp_path / "out", "--lang", "en")
    assert f"{source}: the compressed file is damaged" in english.stderr, english.stderr


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_the_lines_read_are_the_files_lines(tmp_path, ending):
    text = manual_text(["0101-2014", "0102-2014"]).replace("\n", ending or "\n")
    if not ending:
        text = text.rstrip("\n")  # no newline after the last line
    source = tmp_path / "manual.txt"
    source.write_bytes(text.encode("utf-8"))
    lines = len(text.encode("utf-8").decode("utf-8").splitlines())
    result = run_cli("import", source, "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert f"读取 {source}：{lines} 行" in result.stderr + result.stdout


# -- citation-unknown's hint ---------------------------------------------------------------------------


def test_the_citation_hint_never_proposes_a_title_with_brackets_or_a_sentence(tmp_path):
    """A document imported from a clause line may carry a sentence as its title: the hint of an unknown
    《title》 proposes real titles only (issue #16 review, defect 8)."""
    from conftest import MINIMAL, copy_manual
    root = copy_manual(MINIMAL, tmp_path / "m")
    doc = root / "policies" / "0102-2020.md"
    text = doc.read_text(encoding="utf-8")
    doc.write_text(text.replace("title: 客户档案管理制度", "title: 合格供方列入《合格供方名录》。")
                   + "3. 评审结果记入《合格供方名录》和《客户档案管理规定》。\n", encoding="utf-8")
    findings = json.loads(run_cli("check", "--root", root, "--format", "json").stdout)["findings"]
    hints = [f["message"] for f in findings if f["rule"] == "citation-unknown"]
    assert any("《客户档案管理规定》" in h for h in hints) and any("《合格供方名录》" in h for h in hints), hints
    assert not any("是否应为" in h for h in hints), hints
    # a real title still is proposed
    doc.write_text(text + "3. 评审结果记入《客户档案管理规定》。\n", encoding="utf-8")
    findings = json.loads(run_cli("check", "--root", root, "--format", "json").stdout)["findings"]
    hints = [f["message"] for f in findings if f["rule"] == "citation-unknown"]
    assert len(hints) == 1 and "是否应为《客户档案管理制度》" in hints[0], hints


def test_after_import_check_names_other_companies_whole_and_not_the_parties(tmp_path):
    text = manual_text(["QP-7.4-01", "QP-7.4-02"]).replace(
        "b) 各部门负责执行。", "b) 参照苏州华利达金属制品有限公司的标准，优先选用“宏达”牌阀门；供方由采购部评价。", 1)
    text = text.replace("江南精工机械股份有限公司", "东方电气设备制造有限公司")
    _, findings = imported(tmp_path, text)
    foreign = [f["message"] for f in findings if f["rule"] == "company-foreign"]
    assert len(foreign) == 2, foreign
    assert "'苏州华利达金属制品有限公司'" in foreign[0] and "'宏达'" in foreign[1]
    assert not any("供方" in m for m in foreign)
