"""Dates against "today", stray copies and the one-finding-per-broken-file rule, through the real CLI.

The broken fixtures (tests/fixtures/broken/) pin each rule to its line; these tests show what the
fixtures cannot: that MANUAL_TODAY moves the date checks, a bad MANUAL_TODAY is a usage error, and
a stray copy in the shipped manual is reported at the copy only.
"""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import REPO, copy_manual, run_cli
from generator.rules.codes import copy_of


def findings(root, today: str, *extra):
    result = run_cli("check", "--root", root, "--format", "json", "--lang", "en", *extra,
                     env={"MANUAL_TODAY": today})
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


def test_the_date_checks_follow_the_pinned_today(minimal):
    # 0101-2020: approved 2020-02-20, effective 2020-03-01, last reviewed 2020-03-01.
    assert findings(minimal, "2020-03-01") == (0, [])
    code, found = findings(minimal, "2020-02-25")
    assert code == 1
    assert found == [("effective-date", "policies/0101-2020.md", 7), ("date-future", "policies/0101-2020.md", 9)]
    code, found = findings(minimal, "2020-02-15")  # now the approval (2020-02-20) is ahead too
    assert ("date-future", "policies/0101-2020.md", 17) in found
    assert ("date-future", "forms/visit-record.yaml", 16) in found


def test_an_approved_document_may_take_effect_later(minimal):
    path = minimal / "policies" / "0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8").replace("status: effective", "status: approved"), encoding="utf-8")
    assert findings(minimal, "2020-02-25") == (1, [("date-future", "policies/0101-2020.md", 9)])  # only the review


def test_a_bad_pinned_today_is_a_usage_error(minimal):
    result = run_cli("check", "--root", minimal, "--lang", "en", env={"MANUAL_TODAY": "2020-02-30"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "manual: MANUAL_TODAY='2020-02-30' is not a valid date; write it as YYYY-MM-DD or unset it"]


@pytest.mark.parametrize("name,original", [
    ("0110-2014 - 副本.md", "0110-2014"), ("0110-2014 - 副本 (2).md", "0110-2014"), ("0110-2014 (2).md", "0110-2014"),
    ("0110-2014（3）.md", "0110-2014"), ("Copy of 0110-2014.md", "0110-2014"), ("0110-2014 - Copy.md", "0110-2014"),
    ("0110-2014 copy 2.md", "0110-2014"), ("0110-2014 的副本.md", "0110-2014"), ("复件 0110-2014.md", "0110-2014"),
    ("0110-2014.md", None), ("customer-copy.yaml", None), ("0110-2014-客户回访制度.md", None),
])
def test_copy_names(name, original):
    assert copy_of(f"policies/{name}") == original


def test_a_stray_copy_in_the_shipped_manual_is_reported_at_the_copy_only(tmp_path):
    root = copy_manual(REPO, tmp_path / "m")
    shutil.copy2(root / "policies" / "0110-2014.md", root / "policies" / "0110-2014 - 副本.md")
    shutil.copy2(root / "forms" / "customer-card.yaml", root / "forms" / "customer-card - 副本.yaml")
    code, found = findings(root, "2026-11-30")
    assert code == 1
    assert found == [("duplicate-form", "forms/customer-card - 副本.yaml", 2),
                     ("stray-copy", "policies/0110-2014 - 副本.md", 3)]


def test_a_broken_policy_not_named_after_its_code_is_one_finding(tmp_path):
    """0110-2014 cannot be parsed and is saved under its title: the chapter list, the documents citing
    it and the numbering are not reported too, because its code line is found."""
    root = copy_manual(REPO, tmp_path / "m")
    text = (root / "policies" / "0110-2014.md").read_text(encoding="utf-8")
    (root / "policies" / "0110-2014.md").unlink()
    (root / "policies" / "客户回访制度.md").write_text(text.replace("owner:", "owner: [oops", 1), encoding="utf-8")
    code, found = findings(root, "2026-11-30")
    assert code == 1
    assert [(rule, path) for rule, path, _ in found] == [("yaml-syntax", "policies/客户回访制度.md")]
