"""The ``manual`` command end to end, in a subprocess."""
from __future__ import annotations

import json
import re
import time

from conftest import BROKEN, MINIMAL, copy_manual, overlay, run_cli


def test_check_clean_manual_text(minimal):
    result = run_cli("check", cwd=minimal)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("共 0 个错误")


def test_check_text_format_lines(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / "schema-unknown-key", root)
    result = run_cli("check", "--root", root, "--lang", "en")
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    pattern = r"policies/0101-2020\.md:17:3: error schema unknown key 'aproved' .*did you mean 'approved'\?"
    assert any(re.fullmatch(pattern, line) for line in lines), lines
    # the typo also leaves the effective document without an approval
    assert any(line.startswith("policies/0101-2020.md:14:1: error signoff-complete") for line in lines)
    assert lines[-1] == "2 error(s), 0 warning(s) in 1 file(s)"


def test_strict_turns_warnings_into_errors(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / "unused-form", root)
    assert run_cli("check", "--root", root).returncode == 0
    strict = run_cli("check", "--strict", "--root", root, "--format", "json")
    assert strict.returncode == 1
    data = json.loads(strict.stdout)
    assert data["errors"] == 1 and data["warnings"] == 0


def test_usage_and_io_errors_exit_2(tmp_path):
    assert run_cli("check", "--root", tmp_path / "nowhere").returncode == 2
    empty = run_cli("check", cwd=tmp_path)
    assert empty.returncode == 2 and "manual/manual.yaml" in empty.stderr and "Traceback" not in empty.stderr
    bad = run_cli("check", "--format", "xml", "--root", MINIMAL)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert run_cli("frobnicate").returncode == 2


def test_oversized_file_is_refused(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    path = root / "policies" / "0102-2020.md"
    path.write_text(path.read_text(encoding="utf-8") + ("填充文字。" * 120_000 + "\n"), encoding="utf-8")
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert any(f["rule"] == "file-too-large" and f["path"] == "policies/0102-2020.md" for f in data["findings"])


def test_alias_bomb_is_refused_quickly(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    levels = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, 30):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    (root / "forms" / "visit-record.yaml").write_text("\n".join(levels) + "\n", encoding="utf-8")
    start = time.monotonic()
    result = run_cli("check", "--root", root, "--format", "json")
    assert time.monotonic() - start < 60  # a generous guard against hanging, not a benchmark
    assert result.returncode == 1
    assert any(f["rule"] == "yaml-alias" for f in json.loads(result.stdout)["findings"])
