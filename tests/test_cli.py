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


# ---------------------------------------------------------------------------
# Messages speak the manual's locale (zh-CN first), or --lang


def test_usage_errors_speak_the_manual_locale_or_lang(tmp_path, minimal):
    unknown = run_cli("build", "sit", "--root", minimal)
    assert unknown.returncode == 2 and "未知的生成目标“sit”" in unknown.stderr and "site" in unknown.stderr
    english = run_cli("build", "sit", "--root", minimal, "--lang", "en")
    assert english.returncode == 2 and "unknown build target 'sit'; did you mean 'site'?" in english.stderr
    nowhere = run_cli("check", "--root", tmp_path / "nowhere")
    assert nowhere.returncode == 2 and "没有这个文件夹" in nowhere.stderr
    outside = run_cli("check", cwd=tmp_path, env={"LANG": "C"})  # no manual: zh-CN
    assert outside.returncode == 2 and "没有找到 manual/manual.yaml" in outside.stderr
    assert "manual init" in outside.stderr and "--root" in outside.stderr  # what to do about it
    assert "Traceback" not in outside.stderr and len(outside.stderr.strip().splitlines()) == 1


def test_an_english_manual_gets_english_messages(tmp_path, minimal):
    config = minimal / "manual" / "manual.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(re.sub(r"(?m)^locale: .*$", "locale: en", text) if "locale:" in text else text + "locale: en\n",
                      encoding="utf-8")
    result = run_cli("new", "policy", "--title", "   ", "--root", minimal)
    assert result.returncode == 2 and "manual: --title must not be empty" in result.stderr
    parse = run_cli("new", "--title", "x", "--root", minimal)  # argparse's own error, still in the manual's locale
    assert parse.returncode == 2 and "usage: manual new" in parse.stderr
    assert "the following arguments are required: kind" in parse.stderr


def test_argparse_errors_are_translated(minimal):
    missing = run_cli("new", "--root", minimal)
    assert missing.returncode == 2
    assert missing.stderr.startswith("用法：manual new") and "缺少参数：kind" in missing.stderr
    choice = run_cli("new", "polcy", "--title", "x", "--root", minimal)
    assert choice.returncode == 2 and "是否应为 'policy'" in choice.stderr
    extra = run_cli("check", "--strikt", "--root", minimal)
    assert extra.returncode == 2 and "无法识别的参数：--strikt" in extra.stderr
    number = run_cli("build", "--jobs", "many", "--root", minimal, "--lang", "en")
    assert number.returncode == 2 and "argument --jobs/-j: invalid int value: 'many'" in number.stderr
    assert all("Traceback" not in r.stderr for r in (missing, choice, extra, number))


def test_a_bad_date_gets_a_generic_example(minimal):
    result = run_cli("approve", "0101-2020", "--step", "prepared", "--name", "张三", "--date", "2020-13-01",
                     "--root", minimal)
    assert result.returncode == 2 and "不是日期；请写成 YYYY-MM-DD" in result.stderr
    example = re.search(r"例如 (\d{4}-\d{2}-\d{2})", result.stderr).group(1)
    assert example not in (minimal / "policies" / "0101-2020.md").read_text(encoding="utf-8")  # not the manual's


def test_build_stopped_speaks_the_locale(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / "schema-unknown-key", root)
    result = run_cli("build", "site", "--root", root)
    assert result.returncode == 1 and "manual：生成已停止：请先修正上面的错误" in result.stderr


def test_every_catalogue_key_in_the_code_exists():
    """Every literal "cli.…" key the generator passes is in the catalogue (a typo would be an internal error)."""
    import ast

    from conftest import REPO
    from generator.labels import catalogue

    def exists(key):
        node = catalogue()
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return isinstance(node, dict) and set(node) <= {"zh-CN", "en"} and "zh-CN" in node and "en" in node

    keys = set()
    for path in (REPO / "generator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"cli\.[a-z_]+(\.[a-z0-9_]+)*", node.value):
                keys.add(node.value)
    assert len(keys) > 40
    assert sorted(k for k in keys if not exists(k)) == []


def test_a_reader_that_goes_away_is_not_an_error(minimal):
    """`manual status | head -1`: the pipe's reader closes before the output is written. The command
    ends quietly with the shell's SIGPIPE status (141), never "manual：Broken pipe" or a traceback."""
    import os
    import subprocess
    import sys

    for verb in (["status"], ["check", "--format", "json"]):
        proc = subprocess.Popen([sys.executable, "-m", "generator", *verb, "--root", str(minimal)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ))
        proc.stdout.close()  # the reader is gone before the first byte
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=300) == 141, (verb, err)
        assert err == "", (verb, err)
