"""Authoring: `manual init`, `manual new`, editor settings, pre-commit, terminal progress."""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FILLED_COMPANY, REPO, fill_placeholders, run_cli
from generator.authoring.yamltext import append_to_list, yaml_scalar
from generator.common.progress import note, progress, task
from generator.model import PLACEHOLDER

TODAY = "2029-04-15"  # pinned with MANUAL_TODAY: init and new write this date
PINNED = {"MANUAL_TODAY": TODAY}


def check_json(root: Path) -> dict:
    result = run_cli("check", "--root", root, "--format", "json", env=PINNED)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("\n---\n", 1)[0][4:])


def schema_line(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines()[:3]:
        m = re.match(r"# yaml-language-server: \$schema=(\S+)$", line)
        if m:
            return m.group(1)
    raise AssertionError(f"{path} has no yaml-language-server line")


# ---------------------------------------------------------------------------
# manual init


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("init")
    result = run_cli("init", "demo", cwd=where, env=PINNED)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return where / "demo"


def test_init_layout(demo):
    for rel in ("manual/manual.yaml", "manual/roles.yaml", "forms/visit-record.yaml", "schemas/document.schema.json",
                ".vscode/settings.json", ".pre-commit-config.yaml", ".gitignore", "README.md", "mkdocs.yml"):
        assert (demo / rel).is_file(), rel
    docs = sorted(p.name for p in (demo / "policies").glob("*.md"))
    assert docs == [f"01{n:02d}-2029.md" for n in range(1, 6)]
    kinds = {front_matter(demo / "policies" / name)["kind"] for name in docs}
    assert kinds == {"statement", "organisation", "procedure", "job", "policy"}
    procedure = front_matter(demo / "policies" / "0103-2029.md")
    assert len(procedure["workflow"]) >= 3
    job = front_matter(demo / "policies" / "0104-2029.md")
    assert job["jobs"] and all(j["duties"] for j in job["jobs"])
    config = yaml.safe_load((demo / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["code_scheme"]["year"] == 2029 and config["manual"]["date"] == dt.date(2029, 4, 15)
    assert config["company"]["name"] == config["company"]["short"] == PLACEHOLDER  # for the user to fill in
    people = yaml.safe_load((demo / "manual/people.yaml").read_text(encoding="utf-8"))["people"]
    assert [p["name"] for p in people] == [PLACEHOLDER + "甲", PLACEHOLDER + "乙", PLACEHOLDER + "丙"]
    # Placeholders carry comments that say what to change.
    assert "# 公司标准名称" in (demo / "manual/manual.yaml").read_text(encoding="utf-8")


def test_init_passes_check_with_a_warning_at_each_placeholder(demo):
    """What only the user can say (the company, the signers' names) is 【待填写】: `manual check` passes and
    points at each line; `--strict` (what `manual release` runs) refuses until it is filled in."""
    data = check_json(demo)
    assert data["errors"] == 0 and data["findings"]
    for f in data["findings"]:
        assert (f["rule"], f["severity"]) == ("placeholder", "warning"), f
        line = (demo / f["path"]).read_text(encoding="utf-8").splitlines()[f["line"] - 1]
        assert PLACEHOLDER in line, f
    at = {(f["path"], f["line"]) for f in data["findings"]}
    config = (demo / "manual/manual.yaml").read_text(encoding="utf-8").splitlines()
    for key in ("name", "short", "en"):
        assert ("manual/manual.yaml", config.index(next(l for l in config if l.startswith(f"  {key}: "))) + 1) in at
    assert {p for p, _ in at} == {"manual/manual.yaml", "manual/people.yaml", "forms/visit-record.yaml",
                                  "forms/change-request.yaml", *(f"policies/01{n:02d}-2029.md" for n in range(1, 6))}
    strict = run_cli("check", "--strict", "--root", demo, env=PINNED)
    assert strict.returncode == 1 and "placeholder" in strict.stdout + strict.stderr


def test_init_filled_in_passes_check_without_findings(demo, tmp_path):
    root = fill_placeholders(shutil.copytree(demo, tmp_path / "filled"))
    data = check_json(root)
    assert data["findings"] == [] and data["errors"] == 0 and data["warnings"] == 0
    assert run_cli("check", "--strict", "--root", root, env=PINNED).returncode == 0


def test_init_examples_are_signed_with_current_fingerprints(demo):
    text = (demo / "policies" / "0105-2029.md").read_text(encoding="utf-8")
    assert text.count("fingerprint: sha256:") == 3
    # Editing a clause makes the approval stale: the fingerprints are real.
    copy = demo.parent / "stale"
    shutil.copytree(demo, copy)
    path = copy / "policies" / "0105-2029.md"
    path.write_text(path.read_text(encoding="utf-8").replace("一次以上", "两次以上"), encoding="utf-8")
    rules = {f["rule"] for f in check_json(copy)["findings"]}
    assert "approval-stale" in rules


def test_init_schema_lines_point_at_the_copied_schemas(demo):
    sources = [demo / "manual/manual.yaml", demo / "manual/roles.yaml", *sorted((demo / "policies").glob("*.md")),
               *sorted((demo / "forms").glob("*.yaml"))]
    for path in sources:
        target = (path.parent / schema_line(path)).resolve()
        assert target.is_file() and target.parent == (demo / "schemas").resolve(), path
    for schema in (REPO / "generator" / "schemas").glob("*.json"):
        assert (demo / "schemas" / schema.name).read_bytes() == schema.read_bytes()


@pytest.mark.parametrize("settings_root", ["init", "repo"])
def test_vscode_settings_map_schemas_to_existing_files(demo, settings_root):
    root = demo if settings_root == "init" else REPO
    settings = json.loads((root / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    covered = set()
    for schema, globs in mapping.items():
        assert (root / schema).is_file(), schema
        json.loads((root / schema).read_text(encoding="utf-8"))
        for pattern in globs:
            covered.update(p.relative_to(root).as_posix() for p in root.glob(pattern))
    assert {"manual/manual.yaml", "manual/roles.yaml"} <= covered
    assert any(p.startswith("forms/") for p in covered)


def test_init_refuses_a_non_empty_folder(tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "keep.txt").write_text("mine", encoding="utf-8")
    result = run_cli("init", target)
    assert result.returncode == 2
    assert "不是空文件夹" in result.stderr and "Traceback" not in result.stderr  # zh-CN by default
    english = run_cli("init", target, "--lang", "en")
    assert english.returncode == 2 and "not empty" in english.stderr
    assert sorted(p.name for p in target.iterdir()) == ["keep.txt"]


def test_init_into_an_existing_empty_folder(tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    result = run_cli("init", ".", "--quiet", cwd=target, env=PINNED)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # --quiet: no progress, no notes
    assert (target / "manual" / "manual.yaml").is_file()
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary folder left behind


def test_init_makes_missing_parent_folders_as_import_does(tmp_path):
    """`manual init a/b/manual` makes a and b (as `mkdir -p`), like `manual import --out`; a file in the way is
    refused with one line and nothing is made."""
    target = tmp_path / "new" / "deeper" / "manual"
    result = run_cli("init", target, "--quiet", env=PINNED)
    assert result.returncode == 0, result.stderr
    assert (target / "manual" / "manual.yaml").is_file()
    assert not list((tmp_path / "new" / "deeper").glob(".*.tmp"))
    (tmp_path / "file").write_text("x", encoding="utf-8")
    blocked = run_cli("init", tmp_path / "file" / "sub" / "manual", "--quiet")
    assert blocked.returncode == 2 and "Traceback" not in blocked.stderr, blocked.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "new"]


def test_init_progress_lines_when_not_a_terminal(tmp_path):
    result = run_cli("init", tmp_path / "m", env=PINNED)
    assert result.returncode == 0
    lines = result.stderr.splitlines()
    assert lines[:3] == ["manual init [1/3] 仓库文件", "manual init [2/3] 示例手册", "manual init [3/3] 签署指纹"]


@pytest.mark.slow
def test_init_then_check_then_build(demo, tmp_path):
    """The issue's acceptance: `manual init demo && cd demo && manual check && manual build`."""
    root = tmp_path / "demo"
    shutil.copytree(demo, root)
    fill_placeholders(root)  # the company's name, to find it on the site
    check = run_cli("check", cwd=root, env=PINNED)
    assert check.returncode == 0, check.stdout
    build = run_cli("build", cwd=root, env=PINNED, timeout=1200)
    assert build.returncode == 0, build.stdout + build.stderr
    assert "Traceback" not in build.stderr and "internal error" not in build.stderr
    # Progress, not a terminal: one line per finished step, each kind counted up to its total.
    lines = build.stderr.splitlines()
    for kind in ("表单", "PDF 排版", "PDF 合成", "DOCX"):
        steps = [re.match(rf"{kind} \[(\d+)/(\d+)\]", line) for line in lines]
        steps = [(int(m[1]), int(m[2])) for m in steps if m]
        assert steps and [n for n, _ in steps] == list(range(1, steps[0][1] + 1)), (kind, steps)
    assert "PDF 合成 [" in build.stderr and any(l.startswith("PDF 合成 [") and l.endswith("manual.pdf") for l in lines)
    page = (root / "site" / "documents" / "0105-2029.html").read_text(encoding="utf-8")
    assert "客户回访制度" in page and FILLED_COMPANY["name"] in (root / "site" / "index.html").read_text(encoding="utf-8")
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(root / "dist" / "manual.pdf").pages)
    assert "业务部门管理手册" in text and "客户订单处理流程" in text


# ---------------------------------------------------------------------------
# manual new


def test_new_procedure_in_minimal_manual(minimal):
    config_before = (minimal / "manual/manual.yaml").read_text(encoding="utf-8")
    result = run_cli("new", "procedure", "--title", "测试流程", cwd=minimal, env=PINNED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "policies/0103-2020.md"
    meta = front_matter(minimal / "policies/0103-2020.md")
    assert meta["code"] == "0103-2020" and meta["title"] == "测试流程" and meta["kind"] == "procedure"
    assert meta["status"] == "draft" and meta["signoff"] == {} and meta["owner"] == "业务经理"
    assert meta["workflow"] and meta["revisions"][-1]["version"] == meta["version"]
    assert meta["revisions"][-1]["date"] == dt.date(2029, 4, 15)
    text = (minimal / "policies/0103-2020.md").read_text(encoding="utf-8")
    assert "#   manual approve 0103-2020 --step approved" in text  # commented sign-off template
    assert schema_line(minimal / "policies/0103-2020.md").endswith("document.schema.json")
    # The chapter list gained the code; every other line, comments included, is as it was.
    config_after = (minimal / "manual/manual.yaml").read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(config_before.splitlines(), config_after.splitlines()) if a != b]
    assert changed == [("    documents: [0101-2020, 0102-2020]", "    documents: [0101-2020, 0102-2020, 0103-2020]")]
    data = check_json(minimal)
    assert data["errors"] == 0, data["findings"]
    assert not [f for f in data["findings"] if f["path"] == "policies/0103-2020.md"]


def test_new_allocates_max_plus_one_and_keeps_allocating(minimal):
    # A gap in the numbering is not reused: the next code is the highest + 1.
    path = minimal / "policies" / "0102-2020.md"
    path.rename(minimal / "policies" / "0105-2020.md")
    moved = minimal / "policies" / "0105-2020.md"
    moved.write_text(moved.read_text(encoding="utf-8").replace("0102-2020", "0105-2020"), encoding="utf-8")
    citing = minimal / "policies" / "0101-2020.md"
    citing.write_text(citing.read_text(encoding="utf-8").replace("0102-2020", "0105-2020"), encoding="utf-8")
    config = minimal / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("0102-2020]", "0105-2020]"), encoding="utf-8")
    first = run_cli("new", "policy", "--title", "甲", "--root", minimal, env=PINNED)
    second = run_cli("new", "job", "--title", "乙", "--root", minimal, env=PINNED)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    assert Path(first.stdout.strip()).name == "0106-2020.md"
    assert Path(second.stdout.strip()).name == "0107-2020.md"
    chapters = yaml.safe_load(config.read_text(encoding="utf-8"))["chapters"]
    assert chapters[-1]["documents"][-2:] == ["0106-2020", "0107-2020"]
    job = front_matter(minimal / "policies/0107-2020.md")
    # The new job document lists every staffed post without a job description yet.
    assert job["kind"] == "job" and [j["covers"] for j in job["jobs"]] == [["业务经理"], ["业务员"]]
    assert job["jobs"][1]["title"] == "业务员岗位职责"
    data = check_json(minimal)
    assert data["errors"] == 0, data["findings"]


def test_new_with_chapter_and_block_style_list(minimal):
    config = minimal / "manual/manual.yaml"
    text = config.read_text(encoding="utf-8").replace(
        "    documents: [0101-2020, 0102-2020]\n",
        "    documents:\n      - 0101-2020   # 第一篇\n      - 0102-2020\n"
        "  - number: \"02\"\n    title: 第二章\n    documents: []\n")
    config.write_text(text, encoding="utf-8")
    one = run_cli("new", "policy", "--title", "第一章的新制度", "--chapter", "01", "--root", minimal, env=PINNED)
    two = run_cli("new", "policy", "--title", "第二章的新制度", "--root", minimal, env=PINNED)  # default: last chapter
    three = run_cli("new", "procedure", "--title", "再一个", "--chapter", "2", "--root", minimal, env=PINNED)
    assert [r.returncode for r in (one, two, three)] == [0, 0, 0], one.stderr + two.stderr + three.stderr
    assert [Path(r.stdout.strip()).name for r in (one, two, three)] == ["0103-2020.md", "0201-2020.md", "0202-2020.md"]
    after = config.read_text(encoding="utf-8")
    assert "      - 0101-2020   # 第一篇\n      - 0102-2020\n      - 0103-2020\n" in after
    assert "    documents: [0201-2020, 0202-2020]\n" in after
    assert check_json(minimal)["errors"] == 0


def test_new_keeps_windows_line_ends_and_bom(minimal):
    config = minimal / "manual/manual.yaml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes().replace(b"\n", b"\r\n"))
    result = run_cli("new", "policy", "--title", "记事本里编辑的手册", "--root", minimal, env=PINNED)
    assert result.returncode == 0, result.stderr
    raw = config.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\n") == raw.count(b"\r\n")
    assert b"documents: [0101-2020, 0102-2020, 0103-2020]\r\n" in raw
    assert check_json(minimal)["errors"] == 0


def test_new_title_is_written_safely(minimal):
    title = 'A "引号" #井号: 冒号 {花括号} & <b>'
    result = run_cli("new", "policy", "--title", title, "--root", minimal, env=PINNED)
    assert result.returncode == 0, result.stderr
    meta = front_matter(minimal / "policies/0103-2020.md")
    assert meta["title"] == title
    assert check_json(minimal)["errors"] == 0


def test_new_usage_errors(minimal):
    cases = [  # the manual's locale (zh-CN), then --lang en
        (("new", "policy", "--title", "x", "--chapter", "09"), "没有第 09 章", "no chapter 09"),
        (("new", "policy", "--title", "   "), "不能为空", "must not be empty"),
        (("new", "policy", "--title", "两行\n标题"), "必须是一行文字", "single line"),
        (("new", "form", "--title", "表", "--document", "0999-2020"), "没有这个编号的文件", "no document"),
    ]
    before = sorted(p.name for p in (minimal / "policies").iterdir())
    for args, zh, en in cases:
        for lang, message in (((), zh), (("--lang", "en"), en)):
            result = run_cli(*args, "--root", minimal, *lang)
            assert result.returncode == 2, args
            assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert sorted(p.name for p in (minimal / "policies").iterdir()) == before
    outside = run_cli("new", "policy", "--title", "x", cwd=minimal.parent)
    assert outside.returncode == 2 and "manual/manual.yaml" in outside.stderr


def test_new_form_for_a_draft_document(minimal):
    result = run_cli("new", "form", "--title", "客户档案登记表", "--document", "0102-2020", "--root", minimal, env=PINNED)
    assert result.returncode == 0, result.stderr
    path = minimal / result.stdout.strip() if not Path(result.stdout.strip()).is_absolute() else Path(result.stdout.strip())
    form = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert form["code"] == "0102-F1" and form["status"] == "draft" and form["signoff"] == {}
    assert re.fullmatch(r"[a-z][a-z0-9-]*", form["id"]) and path.name == f"{form['id']}.yaml"
    assert front_matter(minimal / "policies/0102-2020.md")["uses_forms"] == [form["id"]]
    data = check_json(minimal)
    assert data["errors"] == 0 and data["warnings"] == 0, data["findings"]
    # A second form for the same document gets the next number.
    again = run_cli("new", "form", "--title", "第二张表", "--document", "0102-2020", "--root", minimal, env=PINNED)
    form2 = yaml.safe_load((minimal / "forms" / Path(again.stdout.strip()).name).read_text(encoding="utf-8"))
    assert form2["code"] == "0102-F2"
    assert front_matter(minimal / "policies/0102-2020.md")["uses_forms"] == [form["id"], form2["id"]]


def test_new_form_leaves_a_document_in_force_alone(minimal):
    before = (minimal / "policies/0101-2020.md").read_text(encoding="utf-8")
    result = run_cli("new", "form", "--title", "回访汇总表", "--document", "0101-2020", "--root", minimal, env=PINNED)
    assert result.returncode == 0, result.stderr
    assert (minimal / "policies/0101-2020.md").read_text(encoding="utf-8") == before
    assert "重新签署" in result.stderr  # tells the user why the document was not changed
    data = check_json(minimal)
    assert data["errors"] == 0
    assert [f["rule"] for f in data["findings"]] == ["unused-form"]


def test_new_procedure_in_the_shipped_manual(shipped):
    """The issue's acceptance: `manual new procedure --title 测试流程` in the shipped manual."""
    if len(list((shipped / "policies").glob("*.md"))) < 14:
        pytest.skip("the shipped manual is not complete yet")
    result = run_cli("new", "procedure", "--title", "测试流程", cwd=shipped, env=PINNED)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "policies/0115-2014.md"
    meta = front_matter(shipped / "policies/0115-2014.md")
    assert meta["code"] == "0115-2014" and meta["status"] == "draft"
    assert schema_line(shipped / "policies/0115-2014.md") == "../generator/schemas/document.schema.json"
    data = check_json(shipped)
    mine = [f for f in data["findings"] if f["path"] == "policies/0115-2014.md"]
    assert mine == [] and data["errors"] == 0, data["findings"]


# ---------------------------------------------------------------------------
# The YAML text edits


@pytest.mark.parametrize("before, after", [
    ("a:\n  b: [x, y]  # note\n", "a:\n  b: [x, y, z]  # note\n"),
    ("a:\n  b: [x,\n      y]\nc: 1\n", "a:\n  b: [x,\n      y, z]\nc: 1\n"),
    ("a:\n  b: []\n", "a:\n  b: [z]\n"),
    ("a:\n  b:\n    - x  # one\n    - y\nc: 1\n", "a:\n  b:\n    - x  # one\n    - y\n    - z\nc: 1\n"),
    ("a:\n  b:\n  - x\n  - y\n", "a:\n  b:\n  - x\n  - y\n  - z\n"),
])
def test_append_to_list_is_a_targeted_edit(before, after):
    assert append_to_list(before, ("a", "b"), "z") == after


def test_append_to_list_refuses_a_missing_list():
    with pytest.raises(ValueError):
        append_to_list("a: 1\n", ("a", "b"), "z")


@pytest.mark.parametrize("value", ["测试流程", "a: b", "#x", "yes", "0101-2014", "'q'", '"dq"', "[x]", "2014-05-20"])
def test_yaml_scalar_round_trips(value):
    assert yaml.safe_load(f"k: {yaml_scalar(value)}\n")["k"] == value


def test_yaml_scalar_quotes_for_flow_collections_only_when_needed():
    assert yaml_scalar("甲, 乙") == "甲, 乙"  # after `key: ` a comma is text: written as it is
    flow = yaml_scalar("甲, 乙", flow=True)
    assert yaml.safe_load(f"[{flow}, x]") == ["甲, 乙", "x"]
    assert yaml_scalar("业务员", flow=True) == "业务员"
    with pytest.raises(ValueError):
        yaml_scalar("两行\n文字")


# ---------------------------------------------------------------------------
# Terminal feedback


class TTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_plain_lines_quiet_and_bar():
    plain = io.StringIO()
    assert list(progress(["a", "b"], "步骤", stream=plain)) == ["a", "b"]
    assert plain.getvalue() == "步骤 [1/2] a\n步骤 [2/2] b\n"

    quiet = io.StringIO()
    assert list(progress(["a", "b"], "步骤", quiet=True, stream=quiet)) == ["a", "b"]
    note("hello", quiet=True, stream=quiet)
    assert quiet.getvalue() == ""

    tty = TTY()
    with task("构建", total=3, stream=tty) as t:
        for label in ("x", "y", "z"):
            t.advance(label)
    out = tty.getvalue()
    assert "3/3" in out and "构建" in out and "\x1b[" in out  # a rich bar with terminal control codes


# ---------------------------------------------------------------------------
# pre-commit


def _precommit():
    exe = Path(sys.executable).with_name("pre-commit")
    return exe if exe.is_file() else shutil.which("pre-commit")


def test_precommit_files_are_valid():
    exe = _precommit()
    if exe is None:
        pytest.skip("pre-commit is not installed (.venv/bin/pip install pre-commit)")
    for cmd, name in (("validate-config", ".pre-commit-config.yaml"), ("validate-manifest", ".pre-commit-hooks.yaml")):
        result = subprocess.run([str(exe), cmd, str(REPO / name)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["id"] == "manual-check" and hooks[0]["entry"] == "manual check"


def test_precommit_hook_blocks_a_broken_manual(demo, tmp_path):
    exe = _precommit()
    if exe is None:
        pytest.skip("pre-commit is not installed (.venv/bin/pip install pre-commit)")
    root = tmp_path / "repo"
    shutil.copytree(demo, root)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PRE_COMMIT_HOME=str(tmp_path / "pc-home"), MANUAL_TODAY=TODAY,
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")

    def run(*args):
        return subprocess.run(list(args), cwd=root, env=env, capture_output=True, text=True, timeout=300)

    assert run("git", "init", "-q").returncode == 0
    assert run("git", "add", "-A").returncode == 0
    ok = run(str(exe), "run", "--all-files")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    path = root / "policies" / "0105-2029.md"
    path.write_text(path.read_text(encoding="utf-8").replace("documents: [0103-2029]", "documents: [0180-2029]"),
                    encoding="utf-8")
    run("git", "add", "-A")
    bad = run(str(exe), "run", "--all-files")
    assert bad.returncode == 1
    assert "policies/0105-2029.md" in bad.stdout and "ref-document" in bad.stdout


# ---------------------------------------------------------------------------
# The editor's view: Red Hat's YAML language server (what the VS Code YAML extension runs)


def _yaml_language_server():
    """The server's command: $YAML_LANGUAGE_SERVER (its bin script), or yaml-language-server on PATH."""
    script = os.environ.get("YAML_LANGUAGE_SERVER")
    node = shutil.which("node")
    if script and node and Path(script).is_file():
        return [node, script, "--stdio"]
    exe = shutil.which("yaml-language-server")
    return [exe, "--stdio"] if exe else None


def _lsp_diagnostics(server, root: Path, files, settings) -> dict:
    """Open ``files`` in the language server; {relative path: [(line, message)]}."""
    import queue
    import threading
    import time

    proc = subprocess.Popen(server, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    inbox: queue.Queue = queue.Queue()

    def reader():
        while True:
            headers = {}
            while True:
                line = proc.stdout.readline()
                if not line:
                    return
                line = line.decode().strip()
                if not line:
                    break
                key, value = line.split(":", 1)
                headers[key.lower()] = value.strip()
            inbox.put(json.loads(proc.stdout.read(int(headers["content-length"]))))

    def send(message):
        data = json.dumps(message).encode()
        proc.stdin.write(f"Content-Length: {len(data)}\r\n\r\n".encode() + data)
        proc.stdin.flush()

    threading.Thread(target=reader, daemon=True).start()
    root_uri = root.resolve().as_uri()
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": None, "rootUri": root_uri, "capabilities": {"workspace": {"configuration": True}},
                     "workspaceFolders": [{"uri": root_uri, "name": "manual"}]}})
    uris = {(root / f).resolve().as_uri(): f for f in files}
    diagnostics: dict = {}
    deadline = time.time() + 60
    try:
        while time.time() < deadline and len(diagnostics) < len(files):
            try:
                message = inbox.get(timeout=0.5)
            except queue.Empty:
                continue
            if message.get("id") == 1 and "result" in message:
                send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
                send({"jsonrpc": "2.0", "method": "workspace/didChangeConfiguration",
                      "params": {"settings": {"yaml": settings}}})
                for uri, rel in uris.items():
                    send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                          "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                      "text": (root / rel).read_text(encoding="utf-8")}}})
            elif message.get("method") == "workspace/configuration":
                send({"jsonrpc": "2.0", "id": message["id"],
                      "result": [settings for _ in message["params"]["items"]]})
            elif message.get("method") == "textDocument/publishDiagnostics":
                uri = message["params"]["uri"]
                if uri in uris:
                    diagnostics[uris[uri]] = [(d["range"]["start"]["line"] + 1, d["message"])
                                              for d in message["params"]["diagnostics"]]
            elif "id" in message and "method" in message:
                send({"jsonrpc": "2.0", "id": message["id"], "result": None})
    finally:
        proc.kill()
        proc.wait()
    return diagnostics


def test_yaml_language_server_validates_with_the_schemas(demo, tmp_path):
    """The settings and schema lines work in the editor: errors show, clean files stay clean."""
    server = _yaml_language_server()
    if server is None:
        pytest.skip("yaml-language-server is not installed (npm install yaml-language-server; "
                    "YAML_LANGUAGE_SERVER=node_modules/yaml-language-server/bin/yaml-language-server)")
    root = tmp_path / "edit"
    shutil.copytree(demo, root)
    settings = {"validate": True,
                "schemas": json.loads((root / ".vscode/settings.json").read_text(encoding="utf-8"))["yaml.schemas"]}
    files = ["manual/manual.yaml", "manual/roles.yaml", "forms/visit-record.yaml"]
    clean = _lsp_diagnostics(server, root, files, settings)
    assert clean == {f: [] for f in files}
    config = root / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("locale: zh-CN", "locale: zh-CN\nlocal: typo"),
                      encoding="utf-8")
    form = root / "forms/visit-record.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace('version: "1.0"\nstatus', "version: 1.0\nstatus")
                    .replace("paper: A4 ", "paper: A3 "), encoding="utf-8")
    broken = _lsp_diagnostics(server, root, files, settings)
    assert any("local" in m for _, m in broken["manual/manual.yaml"]), broken
    lines = {line for line, _ in broken["forms/visit-record.yaml"]}
    version_line = next(n for n, l in enumerate(form.read_text(encoding="utf-8").splitlines(), 1)
                        if l.startswith("version:"))
    assert version_line in lines  # a $ref into common.schema.json resolved offline
    assert any("A4-landscape" in m for _, m in broken["forms/visit-record.yaml"])
    assert broken["manual/roles.yaml"] == []
