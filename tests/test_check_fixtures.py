"""Each check has a broken fixture; its finding must point at the defect."""
from __future__ import annotations

import json

import pytest

from conftest import BROKEN, MINIMAL, copy_manual, overlay, run_cli
from generator.rules.check import check

CASES = sorted(p.name for p in BROKEN.iterdir() if (p / "expect.yaml").is_file())


def test_minimal_manual_is_clean():
    _, findings = check(MINIMAL)
    assert findings == []


@pytest.mark.parametrize("case", CASES)
def test_broken_fixture_is_found_at_its_line(case, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    expect = overlay(BROKEN / case, root)
    _, findings = check(root)
    hits = [f for f in findings if f.rule == expect["rule"] and f.path == expect["path"]]
    assert hits, f"{case}: no {expect['rule']} finding in {expect['path']}; got {[(f.rule, f.path, f.line) for f in findings]}"
    assert expect["line"] in [f.line for f in hits], f"{case}: expected line {expect['line']}, got {[f.line for f in hits]}"
    assert all(f.severity == expect.get("severity", "error") for f in hits)
    for f in hits:
        assert f.message("en") and f.message("zh-CN")


@pytest.mark.parametrize("case", [c for c in CASES if c in ("schema-unknown-key", "duplicate-code", "encoding", "yaml-alias-bomb")])
def test_cli_exit_code_and_json_shape(case, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    expect = overlay(BROKEN / case, root)
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
