"""`manual import` of six legacy layouts (tests/legacy_inputs.py): the documents, codes, titles, sections
and clauses each must give, no text lost (counted in normalised characters), the source's defects kept so
that `manual check` reports them, and a manual that builds once they are fixed."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from legacy_inputs import MAKERS, Legacy

from generator.read.markdown import clauses, parse

pytestmark = pytest.mark.xdist_group("import-legacy")


def split(path: Path) -> tuple[dict, str, str]:
    """(front matter, its text, body) of a document."""
    text = path.read_text(encoding="utf-8")
    head, body = text[4:].split("\n---\n", 1)
    return yaml.safe_load(head), head, body


def check_json(root: Path) -> dict:
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> dict[str, tuple[Legacy, Path]]:
    folder = tmp_path_factory.mktemp("legacy")
    out = {}
    for name, make in MAKERS.items():
        legacy = make(folder)
        target = folder / f"{name}-out"
        result = run_cli("import", legacy.path, "--out", target, "-q")
        assert result.returncode == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr
        out[name] = (legacy, target)
    return out


def documents(root: Path) -> dict[str, tuple[dict, str]]:
    found = {}
    for path in sorted((root / "policies").glob("*.md")):
        meta, _, body = split(path)
        found[str(meta["code"])] = (meta, body)
    return found


@pytest.mark.parametrize("name", list(MAKERS))
def test_documents_codes_titles_sections_and_clauses(imported, name):
    legacy, root = imported[name]
    docs = documents(root)
    assert sorted(docs) == sorted(code for code, *_ in legacy.documents)
    for code, title, sections, count in legacy.documents:
        meta, body = docs[code]
        blocks = parse(body, 1)
        assert meta["title"] == title, code
        assert meta["imported"] is True and meta["status"] == "draft"
        assert sum(1 for b in blocks if b.kind == "heading") == sections, (code, body)
        assert len(list(clauses(blocks))) == count, (code, body)
    config = yaml.safe_load((root / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["company"]["name"] == legacy.company
    assert config["code_scheme"].get("year") == legacy.year
    listed = [code for chapter in config["chapters"] for code in chapter["documents"]]
    assert listed == [code for code, *_ in legacy.documents]
    if legacy.scheme:
        assert config["code_scheme"]["pattern"].startswith("^" + legacy.scheme)
    # The report's table counts what check counts.
    report = (root / "import-report.md").read_text(encoding="utf-8")
    for code, title, sections, count in legacy.documents:
        assert re.search(rf"^\| {re.escape(code)} \| {title} \| \w+ \| [^|]+ \| {sections} \| {count} \|", report, re.M)


def test_decimal_clause_lands_in_its_section(imported):
    _, root = imported["decimal"]
    body = documents(root)["0101-2013"][1]
    blocks = parse(body, 1)
    assert [b.text for b in blocks if b.kind == "heading"] == ["1.1 招聘原则", "1.2 招聘流程"]
    # 1.2.1 is clause 1 of section 1.2.
    assert body.split("## 1.2 招聘流程\n\n", 1)[1].startswith("1. 人力资源部发布招聘信息。")


def test_word_numbers_tables_and_images(imported):
    _, root = imported["word-headings"]
    body = documents(root)["0101-2013"][1]
    assert "## 1.2 职责\n\n1. 品质部负责文件的编号与发放。\n2. 各部门负责本部门文件的保管。" in body
    staffing = documents(root)["0103-2013"][0]
    assert staffing["staffing"] is True and staffing["kind"] == "organisation"
    roles = yaml.safe_load((root / "manual/roles.yaml").read_text(encoding="utf-8"))
    assert {r["id"]: r.get("headcount") for r in roles["roles"]} == {"品质经理": 1, "检验员": 3}
    _, root = imported["control-tables"]
    meta, body = documents(root)["YD-0103-2013"]
    assert "   | 物料 | 存放区 |\n   |---|---|\n   | 原料 | A区 |" in body
    assert (root / "policies/images/YD-0103-2013-1.png").read_bytes()[:4] == b"\x89PNG"
    report = (root / "import-report.md").read_text(encoding="utf-8")
    assert "图片（第 25 段）保存为 policies/images/YD-0103-2013-1.png" in report
    assert {k: {kk: str(vv) for kk, vv in v.items()} for k, v in meta["signoff"].items()} == {
        "prepared": {"name": "张三"}, "reviewed": {"name": "李四"}, "approved": {"name": "王五", "date": "2013-05-20"}}
    assert "文件编号" not in body and "A/0" not in body  # the control table went to the front matter


# ---------------------------------------------------------------------------
# Conservation

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
KEEP = re.compile(rf"[{CJK}A-Za-z0-9]")
MARKER = re.compile(r"^\s*(?:第[一二三四五六七八九十百零\d]+[章节条]|[(（][一二三四五六七八九十\d]+[)）]|"
                    r"[一二三四五六七八九十]+[、.．]|\d+(?:[.．]\d+)*(?:[、.．)）]|\s+)(?!\d)|[\u2460-\u2473]|[a-zA-Z][)）.．、])")
LABELS = re.compile(r"编\s*制|审\s*核|批\s*准|(?:发布)?日\s*期|文件编号|版\s*本|目\s*录|行政隶属上级主管|主要职责")
DATE_UNITS = re.compile(r"(?<=\d)\s*[年月日名]")  # date units, and 名 of a headcount
CODE = re.compile(r"[A-Z]+-\d|\d{4}-\d{4}")


def normalise(text: str) -> str:
    """Characters that carry the content: CJK, Latin, digits; no whitespace or punctuation; date units,
    sign-off and control labels (they become YAML keys) and a leading list number or chapter marker
    (the Markdown numbers clauses itself) accounted for."""
    text = LABELS.sub("", DATE_UNITS.sub("", MARKER.sub("", text)))
    return "".join(KEEP.findall(text))


def written_text(root: Path) -> str:
    """What the import wrote from the source: bodies, front matter values, manual.yaml and roles.yaml
    (without their comments and the import's own revision entry), forms, and the report's not-imported
    section."""
    parts = []
    for path in sorted((root / "policies").glob("*.md")) + sorted((root / "manual").glob("*.yaml")) + \
            sorted((root / "forms").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md":
            head, body = text[4:].split("\n---\n", 1)
        else:
            head, body = text, ""
        head = "\n".join(re.sub(r"(^|\s)#.*$", "", line) for line in head.splitlines()
                         if not line.lstrip().startswith("- {version:"))
        parts += [head, re.sub(r"（原稿图片.*?）", "", body)]
    report = (root / "import-report.md").read_text(encoding="utf-8")
    parts.append(report.split("## 未导入 / not imported", 1)[1])
    return "\n".join(parts)


@pytest.mark.parametrize("name", list(MAKERS))
def test_no_text_is_lost(imported, name):
    legacy, root = imported[name]
    out = normalise_all(written_text(root))
    needed = Counter("".join(normalise(p) for p in legacy.paragraphs))
    missing = needed - Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    # Paragraph by paragraph: each body paragraph's text is there, in one piece.
    for paragraph in legacy.paragraphs:
        if LABELS.search(paragraph) or CODE.search(paragraph) or re.search(r"\d{4}\s*[年.\-/]", paragraph):
            continue
        assert normalise(paragraph) in out, paragraph
    # The summary line: paragraphs in = imported + not imported.
    report = (root / "import-report.md").read_text(encoding="utf-8")
    m = re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", report)
    assert m, report
    total, taken, left = map(int, m.groups())
    assert total == taken + left == sum(1 for p in legacy.paragraphs if p.strip())
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert left == len(re.findall(r"^- 第 \d+ [行段]（", listed, re.M))


def normalise_all(text: str) -> str:
    return "".join(KEEP.findall(DATE_UNITS.sub("", text)))


def test_text_outside_the_documents_is_reported_with_its_position(imported):
    _, root = imported["decimal"]
    report = (root / "import-report.md").read_text(encoding="utf-8")
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert "- 第 5 行（目录" in listed and "1 招聘管理……………1" in listed


# ---------------------------------------------------------------------------
# Defects kept


def findings_of(data: dict, rule: str, path: str) -> list[dict]:
    return [f for f in data["findings"] if f["rule"] == rule and f["path"] == path]


@pytest.mark.parametrize("name", list(MAKERS))
def test_check_reports_the_planted_defects(imported, name):
    legacy, root = imported[name]
    data = check_json(root)
    docs = documents(root)
    files = {code: f"policies/{code}.md" for code in docs}
    for code in legacy.defects.get("code_year", []):
        assert findings_of(data, "code-year", files[code]), data["findings"]
    for code in legacy.defects.get("incomplete_date", []):
        hits = [f for f in data["findings"] if f["path"] == files[code] and "年月日" in f["message"]]
        assert hits, data["findings"]
    for code, step in legacy.defects.get("blank_name", []):
        meta = docs[code][0]
        assert not (meta["signoff"].get(step) or {}).get("name"), meta["signoff"]  # kept blank
        report = (root / "import-report.md").read_text(encoding="utf-8")
        label = '编制审核批准'[('prepared', 'reviewed', 'approved').index(step) * 2:][:2]
        assert re.search(rf"{re.escape(code)}：签署中.*{label}.*姓名空白", report), report
        hits = [f for f in findings_of(data, "signoff-complete", files[code]) if label in f["message"]]
        assert hits and all(f["severity"] == "warning" for f in hits), data["findings"]  # reported, not silenced
    for code, title in legacy.defects.get("unknown_form", []):
        hits = [f for f in findings_of(data, "citation-unknown", files[code]) if title in f["message"]]
        assert hits, data["findings"]
        assert not list((root / "forms").glob("*.yaml"))  # no placeholder form without --placeholder-forms
    for code, name_ in legacy.defects.get("foreign_company", []):
        assert name_ in docs[code][1]  # kept as written, and reported
        hits = [f for f in data["findings"] if f["path"] == files[code] and f["rule"] in ("company-foreign", "company-name")
                and len(re.match(r"'([^']+)'", f["message"]).group(1)) >= 2
                and re.match(r"'([^']+)'", f["message"]).group(1) in name_]  # 宝钢集团有限公司 in 上海宝钢集团有限公司
        assert hits, data["findings"]
    # Nothing wrong with the import's own YAML.
    assert not [f for f in data["findings"] if f["rule"] in ("yaml-syntax", "front-matter", "duplicate-key",
                                                              "chapter-list", "duplicate-code", "code-scheme",
                                                              "file-name", "link-target", "chapter-code")]
    assert not [f for f in data["findings"] if f["rule"] == "schema" and "年月日" not in f["message"]]


@pytest.mark.parametrize("name", ["chapter-codes", "control-tables"])
def test_placeholder_forms_follow_the_code_scheme(tmp_path, name):
    legacy = MAKERS[name](tmp_path)
    out = tmp_path / "out"
    assert run_cli("import", legacy.path, "--out", out, "-q", "--placeholder-forms").returncode == 0
    code, title = legacy.defects["unknown_form"][0]
    forms = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (out / "forms").glob("*.yaml")]
    assert [f["title"] for f in forms] == [title]
    assert forms[0]["code"] == {"QP-7.2-01": "QP-7.2-01-F1", "YD-0102-2012": "YD-0102-F1"}[code]
    data = check_json(out)
    assert not [f for f in data["findings"] if (f["path"].startswith("forms/") or f["rule"].startswith(("form", "citation")))
                and f["rule"] not in ("imported", "signoff-complete")]  # (the notes every imported file gets)


def test_placeholder_forms_on_request(tmp_path):
    legacy = MAKERS["decimal"](tmp_path)
    out = tmp_path / "out"
    assert run_cli("import", legacy.path, "--out", out, "-q", "--placeholder-forms").returncode == 0
    forms = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (out / "forms").glob("*.yaml")]
    assert [(f["title"], f["imported"]) for f in forms] == [("培训记录表", True)]
    assert documents(out)["0102-2013"][0]["uses_forms"] == [forms[0]["id"]]
    assert not [f for f in check_json(out)["findings"] if f["rule"] == "citation-unknown"]


def test_year_option_when_the_source_has_no_date(tmp_path):
    legacy = MAKERS["gbk"](tmp_path)
    out = tmp_path / "out"
    assert run_cli("import", legacy.path, "--out", out, "-q", "--year", "2013").returncode == 0
    config = yaml.safe_load((out / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["code_scheme"]["year"] == 2013
    assert sorted(documents(out)) == ["0101-2013", "0102-2013"]


def test_company_from_the_header_or_the_properties(tmp_path):
    from legacy_docx import LegacyDocx

    for where in ("header", "properties"):
        d = LegacyDocx("en")
        if where == "header":
            d.header("宏远机电设备有限公司")
        else:
            d.properties(title="管理手册", company="宏远机电设备有限公司")
        d.paragraph("本手册适用于本公司各部门。")  # a sentence, no name
        d.heading("总则", 1)
        d.paragraph("1、遵守国家法律法规。")
        path = d.save(tmp_path / f"{where}.docx")
        out = tmp_path / where
        assert run_cli("import", path, "--out", out, "-q").returncode == 0
        config = yaml.safe_load((out / "manual/manual.yaml").read_text(encoding="utf-8"))
        assert config["company"]["name"] == "宏远机电设备有限公司", where


def test_no_company_name_guessed_from_a_sentence(tmp_path):
    source = tmp_path / "intro.txt"
    source.write_text("引言本手册包含公司部门管理的相关规定。\n一、总则\n1、本制度适用于全体员工。\n二、考勤\n1、按时上下班。\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    config = yaml.safe_load((out / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["company"]["name"] == "【待填写】"
    report = (out / "import-report.md").read_text(encoding="utf-8")
    assert "引言本手册包含公司部门管理的相关规定。" in report.split("## 未导入 / not imported", 1)[1]
    assert "- 第 1 行（" in report


@pytest.mark.slow
def test_fixing_the_reported_defects_is_enough_to_check_clean_and_build(imported, tmp_path):
    import shutil

    _, source = imported["control-tables"]
    root = tmp_path / "fixed"
    shutil.copytree(source, root)
    old = root / "policies/YD-0102-2012.md"
    text = old.read_text(encoding="utf-8").replace("YD-0102-2012", "YD-0102-2013").replace(
        "{date: 2013年月日}", "{name: 王五, date: 2013-05-20}")
    (root / "policies/YD-0102-2013.md").write_text(text, encoding="utf-8")
    old.unlink()
    config = root / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("YD-0102-2012", "YD-0102-2013"), encoding="utf-8")
    made = run_cli("new", "form", "--title", "供应商评价表", "--document", "YD-0102-2013", "--root", root)
    assert made.returncode == 0, made.stderr
    data = check_json(root)
    assert data["errors"] == 0, data["findings"]
    build = run_cli("build", "site", "--root", root, timeout=1200)
    assert build.returncode == 0, build.stderr
    page = (root / "site" / "documents" / "YD-0103-2013.html").read_text(encoding="utf-8")
    assert "物料按区存放" in page and "原料" in page


def test_codes_in_control_lines_under_the_heading(tmp_path):
    """文件编号： and No.: lines right under a heading give the document's code (QP-7.5-01, no year)."""
    source = tmp_path / "control.txt"
    source.write_text("某某制药有限公司\n质量手册\n一、客户管理程序\n文件编号：QP-7.5-01 版本：A\n1、建立客户档案。\n"
                      "2、每年评审。\n编制：张三 审核：李四 批准：王五 2013年1月1日\n二、采购控制程序\nNo.: QP-7.4-01\n"
                      "1、合格供方名录。\n编制：张三 审核： 批准：王五 2013年1月1日\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    docs = documents(out)
    assert {code: meta["title"] for code, (meta, _) in docs.items()} == {"QP-7.5-01": "客户管理程序",
                                                                          "QP-7.4-01": "采购控制程序"}
    assert docs["QP-7.5-01"][1].strip() == "1. 建立客户档案。\n2. 每年评审。"
    assert docs["QP-7.4-01"][0]["signoff"]["reviewed"] == {"name": ""}  # blank, kept blank
    config = yaml.safe_load((out / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert [(c["number"], c["documents"]) for c in config["chapters"]] == [("7.5", ["QP-7.5-01"]),
                                                                           ("7.4", ["QP-7.4-01"])]
    assert check_json(out)["errors"] == 0


def test_codes_from_a_coded_toc_when_the_headings_have_none(tmp_path):
    source = tmp_path / "toc.txt"
    source.write_text("宏达机械有限公司\n程序文件\n2013年1月1日\n目录\n第一章 文件控制程序……QP-4.2-01\n"
                      "第二章 记录控制程序……QP-4.2-02\n第一章 文件控制程序\n1、文件须编号。\n第二章 记录控制程序\n"
                      "1、记录须保存。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    assert {code: meta["title"] for code, (meta, _) in documents(out).items()} == {
        "QP-4.2-01": "文件控制程序", "QP-4.2-02": "记录控制程序"}
    report = (out / "import-report.md").read_text(encoding="utf-8")
    assert "QP-4.2-01：正文标题（第 7 行）没有编号；采用目录（第 5 行）中的编号 QP-4.2-01" in report
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert "- 第 5 行（目录" in listed and "第一章 文件控制程序……QP-4.2-01" in listed


def test_signed_sections_under_chapters_are_the_documents(tmp_path):
    """Each 一、 heading holds one sign-off and each 第X章 several: the 一、 headings are the documents, the
    chapters the manual's chapters."""
    source = tmp_path / "chapters.txt"
    signoff = "编制：张三 审核：李四 批准：王五 2013年1月1日\n"
    source.write_text("宏达机械有限公司\n管理制度\n2013年1月1日\n第一章 行政管理\n一、考勤制度\n1、按时上班。\n" + signoff
                      + "二、会议制度\n1、每周例会。\n" + signoff + "第二章 财务管理\n一、报销制度\n1、凭票报销。\n" + signoff,
                      encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    config = yaml.safe_load((out / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert [(c["number"], c["title"], c["documents"]) for c in config["chapters"]] == [
        ("01", "行政管理", ["0101-2013", "0102-2013"]), ("02", "财务管理", ["0201-2013"])]
    assert documents(out)["0102-2013"][0]["title"] == "会议制度"
    assert check_json(out)["errors"] == 0


def test_prose_without_headings_is_one_document(tmp_path):
    source = tmp_path / "prose.txt"
    source.write_text("某某贸易有限公司\n员工守则\n员工应遵守公司的各项规章制度。\n员工应爱护公司财物。\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    (meta, body), = documents(out).values()
    assert body.strip() == "员工应遵守公司的各项规章制度。\n\n员工应爱护公司财物。"
    report = (out / "import-report.md").read_text(encoding="utf-8")
    assert "输入 4，导入 4，未导入 0" in report
    assert check_json(out)["errors"] == 0


SLASHED = """上海明远精密机械有限公司
质量管理手册
第一章 文件控制程序 XX/QM-01
1 目的
为规范文件的编制、审批和发放，特制定本程序。
2 职责
2.1 质量部负责文件的归口管理。
2.2 各部门负责本部门文件的编制。
编制：张明 审核：李华 批准：王强 日期：2019年3月1日
第二章 记录控制程序 XX/QM-02
1 目的
为规范记录的填写和保存，特制定本程序。
编制：张明 审核：李华 批准：王强 日期：2019年3月1日
"""


def test_a_code_with_a_slash_names_its_file_with_an_underscore(tmp_path):
    """``XX/QM-01`` cannot be a file name: the file, the site page and the PDF are ``XX_QM-01`` (model.file_stem),
    and ``file-name`` accepts it."""
    source = tmp_path / "qm.txt"
    source.write_text(SLASHED, encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    assert sorted(p.name for p in (out / "policies").glob("*.md")) == ["XX_QM-01.md", "XX_QM-02.md"]
    findings = json.loads(run_cli("check", "--root", out, "--format", "json").stdout)
    findings = findings["findings"] if isinstance(findings, dict) else findings
    assert not [f for f in findings if f["severity"] == "error"], findings
    assert {f["rule"] for f in findings} <= {"imported", "signoff-complete", "placeholder"}, findings
    from generator.rules.check import check

    manual, _ = check(out)
    assert [d.slug for d in manual.documents] == ["XX_QM-01", "XX_QM-02"]
