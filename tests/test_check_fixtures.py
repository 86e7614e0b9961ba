"""Each check has a broken fixture; its finding must point at the defect.

A case is a folder ``tests/fixtures/broken/<case>/``: files laid over a copy
of the minimal manual, and ``expect.yaml``:

* ``rule``, ``path``, ``line`` (``severity``, default error; ``column`` where the
  rule locates the defect within its line): the finding the defect must produce;
* ``also`` (optional): further findings the defect genuinely implies, each
  ``{rule, path, line, severity}``; nothing else may be found;
* ``remove`` (optional): paths of the minimal manual the case deletes;
* ``pad_to_bytes`` (optional): ``path`` is padded to this size at test time
  (so that no huge file is committed);
* ``note``: what is wrong, for the reader.
"""
from __future__ import annotations

import json
import re

import pytest

from conftest import BROKEN, MINIMAL, REPO, copy_manual, overlay, run_cli
from generator.rules import all_severities
from generator.rules.check import check

CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expect.yaml").is_file())


def apply_case(case: str, root) -> dict:
    """Lay the case over the manual at ``root`` (files, removals, padding); its expect.yaml."""
    expect = overlay(BROKEN / case, root)
    for rel in expect.get("remove") or []:
        (root / rel).unlink()
    if expect.get("pad_to_bytes"):
        target = root / expect["path"]
        with open(target, "ab") as handle:
            handle.write(b"\n" * max(0, expect["pad_to_bytes"] - target.stat().st_size))
    return expect


def expected_findings(expect: dict) -> list[tuple]:
    """(rule, path, line, severity) of every finding the case must produce, sorted."""
    wanted = [expect, *(expect.get("also") or [])]
    return sorted((e["rule"], e["path"], e["line"], e.get("severity", "error")) for e in wanted)


def test_minimal_manual_is_clean():
    _, findings = check(MINIMAL)
    assert findings == []


@pytest.mark.parametrize("case", CASES)
def test_broken_fixture_is_found_at_its_line(case, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    expect = apply_case(case, root)
    _, findings = check(root)
    hits = [f for f in findings if f.rule == expect["rule"] and f.path == expect["path"]]
    assert hits, f"{case}: no {expect['rule']} finding in {expect['path']}; got {[(f.rule, f.path, f.line) for f in findings]}"
    assert expect["line"] in [f.line for f in hits], f"{case}: expected line {expect['line']}, got {[f.line for f in hits]}"
    if "column" in expect:
        assert (expect["line"], expect["column"]) in [(f.line, f.column) for f in hits], \
            f"{case}: expected {expect['line']}:{expect['column']}, got {[(f.line, f.column) for f in hits]}"
    got = sorted((f.rule, f.path, f.line, f.severity) for f in findings)
    assert got == expected_findings(expect), f"{case}: exactly the expected findings (and its `also`), nothing else"
    declared = all_severities()
    for f in findings:
        assert f.severity in declared[f.rule], f"{case}: {f.rule} gave a {f.severity}, it declares {declared[f.rule]}"
        assert f.message("en") and f.message("zh-CN")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message("zh-CN")), f"{case}: no Chinese in {f}"


@pytest.mark.parametrize("case", [c for c in CASES if c in ("schema-unknown-key", "duplicate-code", "encoding", "yaml-alias-bomb")])
def test_cli_exit_code_and_json_shape(case, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    expect = apply_case(case, root)
    result = run_cli("check", "--format", "json", "--root", root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"findings", "errors", "warnings"}
    assert data["errors"] >= 1
    for f in data["findings"]:
        assert set(f) == {"severity", "rule", "path", "line", "column", "message"}
    assert any(f["rule"] == expect["rule"] and f["path"] == expect["path"] and f["line"] == expect["line"]
               for f in data["findings"])


def test_an_unreadable_file_is_one_finding_not_a_cascade(tmp_path):
    """A form that cannot be parsed is reported once, not again as every reference to it."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / "yaml-syntax", root)
    _, findings = check(root)
    assert [(f.rule, f.path) for f in findings] == [("yaml-syntax", "forms/visit-record.yaml")]


@pytest.mark.parametrize("front", [
    "code: 0102-2020\ntitle: [客户档案管理制度\n",  # invalid YAML
    "code: 0102-2020\ntitle: !custom 客户档案管理制度\n",  # a refused tag
    "- code: 0102-2020\n",  # not a mapping
])
def test_an_unreadable_policy_is_not_also_missing_from_its_chapter(front, tmp_path):
    """The chapter lists 0102-2020 and 0101-2020 references it: its unreadable file is the one finding."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "policies" / "0102-2020.md").write_text(f"---\n{front}---\n\n1. 正文。\n", encoding="utf-8")
    _, findings = check(root)
    assert [f.path for f in findings] == ["policies/0102-2020.md"], [(f.rule, f.path, f.line) for f in findings]
    assert not [f for f in findings if f.rule == "chapter-list"]


def test_an_unreadable_policy_leaves_no_gap_in_its_chapter(tmp_path):
    """A broken document in the middle of a chapter is one finding: its number is not reported missing."""
    root = copy_manual(REPO, tmp_path / "m")
    path = root / "policies" / "0108-2014.md"
    path.write_text(path.read_text(encoding="utf-8").replace("owner:", "owner: [oops", 1), encoding="utf-8")
    _, findings = check(root)
    assert [(f.rule, f.path) for f in findings] == [("yaml-syntax", "policies/0108-2014.md")], \
        [(f.rule, f.path, f.line) for f in findings]


def test_a_date_finding_shows_the_format_not_some_manuals_date(tmp_path):
    """The example in a message is generic (or the checked manual's own): no date of another manual."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    apply_case("schema-bad-date", root)
    _, findings = check(root)
    (finding,) = findings
    for lang in ("zh-CN", "en"):
        message = finding.message(lang)
        assert "YYYY-MM-DD" in message
        assert not re.search(r"\d{4}-\d{2}-\d{2}", message), message
