"""`manual import`'s report from the label catalogue (group importreport, zh-CN and en), one convention for a
blank sign-off name on both paths (the seed's coded TOC and the outline of blocks), and --out with missing
parent folders (made, and removed again when the import fails)."""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from legacy_inputs import make_decimal, make_word_headings

from generator.labels import catalogue, text

pytestmark = pytest.mark.xdist_group("import-report")

NOT_IMPORTED = text("importreport.section_not_imported", "zh-CN")


def say(key: str, lang: str = "zh-CN", **values) -> str:
    return text(f"importreport.{key}", lang, **values)


def report_of(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8")


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8")[4:].split("\n---\n", 1)[0])


def check_json(root: Path) -> dict:
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


# ---------------------------------------------------------------------------
# The report's words


def listed_not_imported(report: str, lang: str) -> tuple[int, int]:
    """(whole, partial) items of the report's not-imported section, counted from its lines."""
    section = report.split(f"## {say('section_not_imported', lang)}\n", 1)[1]
    items = [line for line in section.splitlines() if line.startswith("- ")]
    if items == ["- " + say("not_imported_none", lang)]:
        return 0, 0
    partial = sum(1 for line in items if say("not_imported_part", lang) in line.split("（" if lang == "zh-CN" else " (")[0])
    return len(items) - partial, partial


@pytest.mark.parametrize("make", [make_decimal, make_word_headings], ids=["txt", "docx"])
def test_the_report_reads_its_summary_and_sections_from_the_catalogue(tmp_path, make):
    legacy = make(tmp_path)
    out = tmp_path / "out"
    result = run_cli("import", legacy.path, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    report = report_of(out)
    lines = report.splitlines()
    assert lines[0] == "# " + say("title", name=legacy.path.name)
    # Paragraphs in: every non-empty paragraph (a table cell each) of the input, counted here from the input.
    paragraphs = sum(1 for p in legacy.paragraphs if p.strip())
    whole, partial = listed_not_imported(report, "zh-CN")
    summary = "- " + say("summary", paragraphs=paragraphs, imported=paragraphs - whole, reported=whole,
                         partial=say("summary_partial", count=partial) if partial else "")
    assert lines[2] == summary
    assert re.fullmatch(r"- 段落（表格按单元格计）：输入 \d+，导入 \d+，未导入 \d+（原文见“未导入”一节）(；另有 \d+ 段只有一部分未导入)?。",
                        lines[2])
    headings = [line[3:] for line in lines if line.startswith("## ")]
    assert headings == [say(k) for k in ("section_documents", "section_review", "section_unclassified",
                                         "section_not_imported")]
    columns = [say(f"column_{c}") for c in ("code", "title", "kind", "where", "sections", "clauses", "forms")]
    assert "| " + " | ".join(columns) + " |" in lines
    assert "- " + say("next_step", out=out) in lines
    # A form the text cites without a layout: the catalogue's line for it, with its position.
    for code, title in legacy.defects.get("unknown_form", []):
        line = next(x for x in lines if x.startswith(f"- {code}：正文引用《{title}》"))
        where = re.search(r"（(第 [^）]+)）", line).group(1)
        assert line == "- " + say("unresolved_form", code=code, title=title, where=where)


def test_the_report_follows_lang_en(tmp_path):
    legacy = make_decimal(tmp_path)
    out = tmp_path / "out"
    result = run_cli("import", legacy.path, "--out", out, "-q", "--lang", "en")
    assert result.returncode == 0, result.stderr
    report = report_of(out)
    lines = report.splitlines()
    assert lines[0] == "# Import report: decimal.txt"
    assert lines[2].startswith("- Paragraphs (a table counted by its cells): 21 in, ")
    assert [line[3:] for line in lines if line.startswith("## ")] == ["Documents", "To review", "Not classified",
                                                                       "Not imported"]
    assert "| Code | Title | Kind | In the original | Sections | Clauses | Forms |" in lines
    # None of the report's own zh-CN words is left (the source's text and positions are Chinese, as written).
    for word in ("段落", "导入了", "需要核对", "未归类", "下一步", "原稿中没有这个表单"):
        assert word not in report
    # The manual itself is still written in its locale, zh-CN.
    config = yaml.safe_load((out / "manual" / "manual.yaml").read_text(encoding="utf-8"))
    assert config["locale"] == "zh-CN"


def test_every_report_word_has_chinese_and_english():
    entries = catalogue()["importreport"]

    def walk(node, path=""):
        for key, value in node.items():
            if set(value) <= {"zh-CN", "en"}:
                yield path + key, value
            else:
                yield from walk(value, path + key + ".")
    found = dict(walk(entries))
    assert len(found) > 60
    for key, entry in found.items():
        assert list(entry) == ["zh-CN", "en"] and entry["zh-CN"].strip() and entry["en"].strip(), key
        # The same placeholders in both languages.
        assert set(re.findall(r"{(\w+)}", entry["zh-CN"])) == set(re.findall(r"{(\w+)}", entry["en"])), key


def string_literals(path: Path):
    """(line, text) of every string literal of a module but its docstrings (f-strings: their literal parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


SENTENCE = re.compile(r"[\u4e00-\u9fff][^\\\[\]()|?*+]*[，；。（：]|[，；。（：][^\\\[\]()|?*+]*[\u4e00-\u9fff]")


def test_no_report_sentence_is_left_in_the_code():
    """The report's and the notes' sentences of these modules live in the catalogue: no string literal with
    Chinese and Chinese punctuation outside docstrings (a regular expression's characters are not a sentence)."""
    root = Path(__file__).resolve().parent.parent / "generator" / "authoring"
    for name in ("importwrite.py", "importer.py", "importsegment.py", "importlabels.py", "importextras.py"):
        found = [(n, value) for n, value in string_literals(root / name) if SENTENCE.search(value)]
        assert not found, name


# ---------------------------------------------------------------------------
# One convention for a blank sign-off name

SEED_LAYOUT = ["示例五金制品有限公司业务部管理手册2014.05.20",
               "一、客户服务宗旨……………0101-2014", "二、客户回访制度……………0102-2014", "三、样品管理规定……………0103-2014",
               "一、客户服务宗旨0101-2014", "以客户为中心，服务至上。", "编制:审核:批准:2014年05月20日",
               "二、客户回访制度0102-2014", "一、每月回访重要客户。", "二、回访后填写记录。", "编制:张三审核:批准:2014年 月 日",
               "三、样品管理规定0103-2014", "1、样品须登记。", "编制:张三审核:李四批准:王五2014年05月20日"]
BLOCK_LAYOUT = ["示例五金制品有限公司", "业务部管理手册", "2014年5月20日",
                "1 客户服务宗旨", "1.1 以客户为中心，服务至上。", "编制：审核：批准：2014年05月20日",
                "2 客户回访制度", "2.1 每月回访重要客户。", "2.2 回访后填写记录。", "编制：张三 审核： 批准： 2014年 月 日",
                "3 样品管理规定", "3.1 样品须登记。", "编制：张三 审核：李四 批准：王五 2014年5月20日"]
BLANK = {"0101-2014": {"prepared": {"name": ""}, "reviewed": {"name": ""}, "approved": {"name": "", "date": "2014-05-20"}},
         "0102-2014": {"prepared": {"name": "张三"}, "reviewed": {"name": ""}, "approved": {"name": "", "date": "2014年月日"}},
         "0103-2014": {"prepared": {"name": "张三"}, "reviewed": {"name": "李四"},
                       "approved": {"name": "王五", "date": "2014-05-20"}}}


@pytest.fixture(scope="module")
def both_paths(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("blank-names")
    out = {}
    for name, lines in (("seed", SEED_LAYOUT), ("block", BLOCK_LAYOUT)):
        path = folder / f"{name}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = run_cli("import", path, "--out", folder / name, "-q")
        assert result.returncode == 0, result.stderr
        out[name] = folder / name
    return out


def signoff_findings(root: Path) -> dict[str, list[tuple[str, str]]]:
    """{code: [(step line's text, message)]} of signoff-complete, each finding's line read back from its file."""
    out: dict[str, list] = {}
    for f in check_json(root)["findings"]:
        if f["rule"] == "signoff-complete":
            line = (root / f["path"]).read_text(encoding="utf-8").splitlines()[f["line"] - 1]
            out.setdefault(Path(f["path"]).stem, []).append((line.split(":")[0].strip(), f["message"]))
    return {k: sorted(v) for k, v in out.items()}


def test_blank_names_are_written_name_blank_on_both_paths(both_paths):
    for name, root in both_paths.items():
        signoffs = {code: {step: {k: str(v) for k, v in entry.items()} for step, entry in
                           front_matter(root / "policies" / f"{code}.md")["signoff"].items()} for code in BLANK}
        assert signoffs == BLANK, name


def test_check_reports_a_blank_name_at_its_step_the_same_way_on_both_paths(both_paths):
    seed, block = (signoff_findings(both_paths[k]) for k in ("seed", "block"))
    assert seed == block
    # Every blank name is reported at its own step's line.
    def blank_name(code, step, zh):
        return any(s == step and m.startswith(f"{zh}签署缺少签署人（name）") for s, m in seed[code])

    assert blank_name("0101-2014", "prepared", "编制")
    assert blank_name("0101-2014", "reviewed", "审核")
    assert blank_name("0101-2014", "approved", "批准")
    assert blank_name("0102-2014", "reviewed", "审核")
    assert not blank_name("0102-2014", "prepared", "编制")
    assert any(step == "approved" and "2014年月日" in message for step, message in seed["0102-2014"])
    assert not [m for step, m in seed.get("0103-2014", []) if "name" in m]


# ---------------------------------------------------------------------------
# --out with missing parents


def test_out_with_missing_parents_is_made(tmp_path):
    legacy = make_decimal(tmp_path)
    out = tmp_path / "a" / "b" / "c"
    result = run_cli("import", legacy.path, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert (out / "import-report.md").is_file() and (out / "manual" / "manual.yaml").is_file()
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == ["c"]  # no staging folder left
    # Through a folder that does not exist yet (new/..): the folders as they will be.
    result = run_cli("import", legacy.path, "--out", "new/../d/e", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "d" / "e" / "import-report.md").is_file() and not (tmp_path / "new").exists()


def test_out_under_a_file_or_not_empty_is_refused_and_nothing_is_made(tmp_path):
    legacy = make_decimal(tmp_path)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_cli("import", legacy.path, "--out", tmp_path / "file" / "b" / "c", "-q")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "file" in result.stderr and "不是文件夹" in result.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep.txt").write_text("x", encoding="utf-8")
    result = run_cli("import", legacy.path, "--out", tmp_path / "full", "-q")
    assert result.returncode == 2 and "不是空文件夹" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(before + ["full"])
    assert [p.name for p in (tmp_path / "full").iterdir()] == ["keep.txt"]


def test_a_failed_write_removes_the_parents_it_made(tmp_path):
    """The import fails while writing (a picture whose name the file system refuses): the staging folder and
    the parent folders made for --out are gone; a parent that existed stays."""
    from generator.authoring.importer import read_source, run_import, write_manual

    legacy = make_decimal(tmp_path)
    result = run_import(read_source(legacy.path))
    result.documents[-1].images.append(("bad\0name.png", b"\x89PNG"))
    (tmp_path / "kept").mkdir()
    target = tmp_path / "kept" / "new" / "deeper" / "manual"
    with pytest.raises(ValueError):
        write_manual(result, target, str(target), quiet=True)
    assert list((tmp_path / "kept").iterdir()) == []
    # The same result without the bad picture is written where it failed before.
    result.documents[-1].images.pop()
    write_manual(result, target, str(target), quiet=True)
    assert (target / "import-report.md").is_file()
