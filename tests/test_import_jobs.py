"""`manual import` of job descriptions (岗位说明书): a GBK text of labelled records (岗位名称：/所属部门：/直接上级：/
岗位职责：1、…/任职资格：…, one inline ``岗位职责：1.…；2.…``) with one 文件编号 on its cover, and Word files in the usual HR
form (one table per post under a heading, merged 职责 cells): each post is a ``jobs:`` entry (title, covers,
reports_to, duties, the rest as its note) and a role of roles.yaml reporting to its 直接上级; the cover's code and
date are the document's and the manual's; one document per post only when each post has its own code.  Imported
through the CLI and read back: the documents, roles.yaml, conservation of every line and cell, the defects the
inputs plant (a blank 批准, ``年 月 日``, another company's name, forms that do not exist) reported by `manual check`
with no org or job finding, and the job page of the built site."""
from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml

from conftest import run_cli
from legacy_docx import write_text
from test_import_legacy import documents, normalise, normalise_all

from generator.authoring.importjobs import FIELD, field_pairs, is_job_file, items_of, table_record
from generator.authoring.importfile import Block
from generator.authoring.importtables import LABEL
from generator.model import PLACEHOLDER

pytestmark = pytest.mark.xdist_group("import-jobs")



def roles(root: Path) -> dict:
    return yaml.safe_load((root / "manual" / "roles.yaml").read_text(encoding="utf-8"))


def report(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8")


def not_imported(root: Path) -> str:
    return report(root).split("## 未导入 / not imported", 1)[1]


def findings(root: Path) -> list[dict]:
    result = run_cli("check", "--root", root, "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def imported(folder: Path, source: Path) -> Path:
    out = folder / "out"
    result = run_cli("import", source, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return out


def conserved(root: Path, paragraphs: list[str]) -> None:
    """Every character of the input is in the written source (comments and the import's own revision entry
    left out) or the report's not-imported section, and the summary line adds up.  A field's label (岗位名称,
    直接上级, 岗位职责…) and a sign-off's label become keys, as the importer's own label lists say."""
    parts = []
    for path in sorted((root / "policies").glob("*.md")) + sorted((root / "manual").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        head, body = text[4:].split("\n---\n", 1) if path.suffix == ".md" else (text, "")
        head = "\n".join(re.sub(r"(^|\s)#.*$", "", line) for line in head.splitlines()
                         if not line.rstrip().endswith("by: 导入}"))
        parts += [head, body]
    parts.append(not_imported(root))
    out = normalise_all("\n".join(parts))
    # (a headcount 4人 is written 4)
    missing = Counter("".join(normalise(re.sub(r"(?<=\d)[名人]", "", LABEL.sub("", FIELD.sub("", p)))) for p in paragraphs)) - \
        Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    m = re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", report(root))
    total, taken, left = map(int, m.groups())
    assert total == taken + left == sum(1 for p in paragraphs if p.strip())
    assert left == len(re.findall(r"^- 第 \d+ [行段]（", not_imported(root), re.M))


# ---------------------------------------------------------------------------
# The readers on their own


def test_field_lines_and_items():
    assert field_pairs("岗位名称：采购员　　所属部门：采购部") == [("name", "采购员"), ("dept", "采购部")]
    assert field_pairs("负责岗位名称：的核对") == []  # (a label must open the line)
    assert items_of("1.编制采购计划；2.询价比价，填写《询价单》；3.跟踪交期。") == [
        "编制采购计划", "询价比价，填写《询价单》", "跟踪交期。"]
    assert items_of("（1）负责A；\n（2）负责B") == ["负责A", "负责B"]
    assert items_of("每月5日前报送。") == ["每月5日前报送。"]  # (5日 is no item number)


def test_a_job_table_with_a_label_across_a_row():
    rows = (("岗位名称", "出纳", "所属部门", "财务部"), ("直接上级", "财务经理", "定员", ""), ("岗位职责",),
            ("1、现金收付；\n2、银行对账。",), ("任职资格", "会计专业"))
    fields = table_record(Block("table", 1, rows=rows))
    assert fields["name"][0] == "出纳" and fields["duties"] == ("1、现金收付；\n2、银行对账。", (3, 0))
    assert "count" not in fields and fields["requirements"][0] == "会计专业"  # (定员 left blank: no value)


def test_only_job_descriptions_take_this_path():
    job = [Block("paragraph", 1, "岗位名称：采购员"), Block("paragraph", 2, "岗位职责："),
           Block("paragraph", 3, "1、编制采购计划。")]
    assert is_job_file(job)
    staffing = [Block("table", 1, rows=(("职位名称", "主要职责", "直接上级"), ("生产主管", "编制生产计划", "厂长")))]
    assert not is_job_file(staffing)  # (a staffing table with a 职责 column: importtables' jobs)
    manual = job + [Block("paragraph", 4 + k, f"{k + 1} 第{k + 1}条制度的内容很长，说明各部门的责任。") for k in range(3)]
    assert not is_job_file(manual)  # more prose than job records: a manual with a job in it
    numbered = job[:2] + [Block("paragraph", 3 + k, text, number=f"{k + 1}.") for k, text in
                          enumerate(["编制采购计划。", "跟踪交期。", "办理退换。"])]
    assert is_job_file(numbered)  # (Word's automatic numbers are not in the text)


# ---------------------------------------------------------------------------
# 1. A GBK text: records of labelled lines, one code on the cover


TEXT = ["苏州恒通电子有限公司", "岗位说明书汇编", "文件编号：HT-HR-005-2020　　版本：B/0", "2020年3月1日", "",
        "岗位名称：采购主管", "所属部门：采购部", "直接上级：运营总监", "岗位职责：",
        "（1）制定年度采购计划并组织实施；", "（2）审核供应商的报价，签批《采购申请单》；", "（3）组织供应商年度评审。",
        "任职资格：本科及以上学历，五年采购经验。", "",
        "岗位名称：采购员", "所属部门：采购部", "直接上级：采购主管", "定员：3人", "岗位职责：",
        "1、按计划询价、比价、下单；", "2、跟踪交期，每周更新《交货跟踪表》；", "3、办理来料退换。",
        "任职资格：", "1、大专及以上学历；", "2、有昆山宏达精密五金有限公司等同行企业经验者优先。", "",
        "岗位名称：质检员", "所属部门：品质部", "直接上级：品质经理",
        "岗位职责：1.按标准进行来料检验；2.记录检验结果；3.隔离不合格品。", "任职资格：中专及以上学历。", "",
        "编制：人事行政部　　审核：周立　　批准：　　　　日期：2020年　月　日"]


@pytest.fixture(scope="module")
def text_jobs(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hengtong")
    source = write_text(folder / "恒通岗位.txt", TEXT, "gbk", newline="\r\n")
    return imported(folder, source)


def test_text_one_document_of_jobs(text_jobs):
    docs = documents(text_jobs)
    assert list(docs) == ["HT-HR-005-2020"]  # the cover's code, not a document per duty line
    meta, body = docs["HT-HR-005-2020"]
    assert meta["kind"] == "job" and meta["title"] == "岗位说明书汇编" and body.strip() == ""
    assert [(j["title"], j["covers"], j.get("reports_to"), len(j["duties"])) for j in meta["jobs"]] == [
        ("采购主管岗位职责", ["采购主管"], "运营总监", 3), ("采购员岗位职责", ["采购员"], "采购主管", 3),
        ("质检员岗位职责", ["质检员"], "品质经理", 3)]
    assert meta["jobs"][2]["duties"] == ["按标准进行来料检验", "记录检验结果", "隔离不合格品。"]  # inline 1.…；2.…
    assert meta["jobs"][0]["duties"][1] == "审核供应商的报价，签批《采购申请单》"
    assert meta["jobs"][1]["note"] == ("所属部门：采购部；任职资格：1. 大专及以上学历；"
                                       "2. 有昆山宏达精密五金有限公司等同行企业经验者优先。")
    assert meta["signoff"]["approved"]["name"] == "" and meta["signoff"]["reviewed"]["name"] == "周立"
    config = yaml.safe_load((text_jobs / "manual" / "manual.yaml").read_text(encoding="utf-8"))
    assert config["company"]["name"] == "苏州恒通电子有限公司"
    assert str(config["manual"]["date"]) == "2020-03-01"  # the cover's date
    assert "版本" in not_imported(text_jobs) and "B/0" in not_imported(text_jobs)  # (B/0 is no version the schema takes)


def test_text_posts_are_roles_reporting_to_their_superiors(text_jobs):
    data = roles(text_jobs)
    by_id = {r["id"]: r for r in data["roles"]}
    assert by_id["采购员"]["reports_to"] == "采购主管" and by_id["采购员"]["headcount"] == 3
    assert by_id["采购主管"]["reports_to"] == "运营总监" and by_id["质检员"]["reports_to"] == "品质经理"
    # Superiors outside the file are roles too; several of them: a placeholder head above, said in the report.
    assert data["department_head"] == "部门负责人"
    assert by_id["运营总监"]["reports_to"] == "部门负责人" and by_id["品质经理"]["reports_to"] == "部门负责人"
    assert "department_head 写作占位角色“部门负责人”" in report(text_jobs)
    assert "原稿是岗位说明书：3 个岗位写入 jobs:" in report(text_jobs)


def test_text_check_reports_the_planted_defects_only(text_jobs):
    found = findings(text_jobs)
    path = "policies/HT-HR-005-2020.md"
    assert any(f["rule"] == "signoff-complete" and "批准签署缺少签署人" in f["message"] for f in found)
    assert any(f["rule"] == "signoff-complete" and "年月日" in f["message"] for f in found)
    assert any(f["rule"] == "company-foreign" and f["path"] == path and
               re.match(r"'([^']{4,})'", f["message"]).group(1) in "昆山宏达精密五金有限公司" for f in found)
    assert {m for f in found if f["rule"] == "citation-unknown"
            for m in re.findall(r"《(.+?)》", f["message"])} == {"采购申请单", "交货跟踪表"}
    assert not [f for f in found if f["severity"] == "error"], found
    assert not [f for f in found if f["rule"] in ("org-tree", "job-coverage", "job-reports-to", "ref-role", "schema")]


def test_text_conservation(text_jobs):
    conserved(text_jobs, TEXT)


# ---------------------------------------------------------------------------
# 2. Word: one table per post under a heading (the usual HR form), merged cells


def job_table(d, rows):
    t = d.add_table(rows=len(rows), cols=4)
    for r, row in enumerate(rows):
        if len(row) == 2:  # label | value across three columns
            t.cell(r, 1).merge(t.cell(r, 3))
        for c, value in enumerate(row):
            t.cell(r, c).text = value
    return t


def word_jobs(path: Path, codes: bool) -> list[str]:
    """The .docx, and every paragraph and non-empty table cell of it (what conservation counts).  With
    ``codes``, each post has a 岗位编号 of its own."""
    d = docx.Document()
    for line in ("东莞宏盛家具有限公司", "岗位说明书", "文件编号：HS-HR-010-2019", "2019年8月15日"):
        d.add_paragraph(line)
    posts = [("车间主任", "生产部", "生产副总", "1", "1、组织车间生产，完成生产计划；\n2、负责车间安全，填写《安全检查表》；\n3、考核班组长。",
              "大专以上学历，五年家具行业管理经验。"),
             ("班组长", "生产部", "车间主任", "4人", "1、安排班组作业；\n2、首件确认。", "高中以上学历；曾在深圳嘉顺实业有限公司任职者优先。")]
    cells = []
    for k, (name, dept, boss, count, duties, quals) in enumerate(posts, 1):
        d.add_heading(f"{name}岗位说明书", 1)
        rows = [["岗位名称", name, "所属部门", dept], ["直接上级", boss, "定员", count], ["岗位职责", duties],
                ["任职资格", quals]]
        if codes:
            rows.insert(0, ["岗位编号", f"HS-JD-0{k}", "版本", "1"])
        job_table(d, rows)
        cells += [c for row in rows for c in row]
        d.add_paragraph(f"编制：人事部 审核：刘洋 批准：{'' if k == 2 else '陈总'} 日期：2019年{'' if k == 2 else '8'}月{'' if k == 2 else '10'}日")
    d.save(path)
    return [p.text for p in d.paragraphs if p.text.strip()] + [c for c in cells if c.strip()]


@pytest.fixture(scope="module")
def word(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("hongsheng")
    units = word_jobs(folder / "宏盛.docx", codes=False)
    return imported(folder, folder / "宏盛.docx"), units


def test_word_job_tables_become_jobs_and_roles(word):
    root, units = word
    docs = documents(root)
    assert list(docs) == ["HS-HR-010-2019"]
    meta, body = docs["HS-HR-010-2019"]
    assert meta["kind"] == "job" and meta["title"] == "岗位说明书" and "|" not in body  # no Markdown tables
    assert [(j["title"], j["covers"], j.get("reports_to"), len(j["duties"])) for j in meta["jobs"]] == [
        ("车间主任岗位说明书", ["车间主任"], "生产副总", 3), ("班组长岗位说明书", ["班组长"], "车间主任", 2)]
    assert meta["jobs"][0]["duties"][1] == "负责车间安全，填写《安全检查表》"
    by_id = {r["id"]: r for r in roles(root)["roles"]}
    assert by_id["车间主任"]["headcount"] == 1 and by_id["班组长"]["headcount"] == 4
    assert by_id["班组长"]["reports_to"] == "车间主任" and by_id["车间主任"]["reports_to"] == "生产副总"
    assert roles(root)["department_head"] == "生产副总"  # the one superior over all
    # The report says where each post came from.
    assert re.search(r"岗位“车间主任”来自第 \d+ 段的岗位说明书表格：jobs: 一项（3 条职责，直接上级 生产副总）", report(root))
    # The cover date is the manual's, not the first paragraph of the document.
    config = yaml.safe_load((root / "manual" / "manual.yaml").read_text(encoding="utf-8"))
    assert str(config["manual"]["date"]) == "2019-08-15" and "2019年8月15日" not in body
    # Two different sign-offs for one document: the last is written, the other listed with its position.
    assert meta["signoff"]["approved"]["name"] == ""
    assert re.search(r"- 第 \d+ 段（另一处签署，与写入文件头的签署（第 \d+ 段）不同", not_imported(root))


def test_word_checks_and_conservation(word):
    root, units = word
    found = findings(root)
    assert any(f["rule"] == "signoff-complete" and "批准签署缺少签署人" in f["message"] for f in found)
    assert any(f["rule"] == "company-foreign" and "嘉顺实业有限公司" in f["message"] for f in found)
    assert not [f for f in found if f["severity"] == "error"], found
    assert not [f for f in found if f["rule"] in ("org-tree", "job-coverage", "job-reports-to", "ref-role", "schema")]
    conserved(root, units)


def test_word_each_post_with_its_own_code_is_a_document(tmp_path):
    units = word_jobs(tmp_path / "宏盛2.docx", codes=True)
    root = imported(tmp_path, tmp_path / "宏盛2.docx")
    docs = documents(root)
    assert list(docs) == ["HS-JD-01", "HS-JD-02"]
    first, second = docs["HS-JD-01"][0], docs["HS-JD-02"][0]
    assert (first["title"], second["title"]) == ("车间主任岗位说明书", "班组长岗位说明书")
    assert [j["covers"] for j in first["jobs"]] == [["车间主任"]] and [j["covers"] for j in second["jobs"]] == [["班组长"]]
    # Each its own sign-off: the first fully signed, the second's blank 批准 kept blank.
    assert first["signoff"]["approved"]["name"] == "陈总" and second["signoff"]["approved"]["name"] == ""
    assert "HS-HR-010-2019" in not_imported(root)  # the cover's code is no post's: listed
    # A cell that is no field of a job (版本 | 1) is listed with its row and column.
    assert re.search(r"- 第 \d+ 段（岗位说明书表格中不是岗位字段的内容；表格第 1 行第 3 列）：版本", not_imported(root))
    assert not [f for f in findings(root) if f["severity"] == "error"]
    conserved(root, units)


@pytest.mark.slow
def test_word_jobs_build_a_site_whose_job_page_lists_the_duties(word, tmp_path):
    root = tmp_path / "built"
    shutil.copytree(word[0], root)
    result = run_cli("build", "site", "--root", root, timeout=1200)
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "documents" / "HS-HR-010-2019.html").read_text(encoding="utf-8")
    for text in ("车间主任岗位说明书", "组织车间生产，完成生产计划", "首件确认", "生产副总"):
        assert text in page, text


def test_a_blank_post_name_is_a_placeholder_not_a_crash(tmp_path):
    lines = ["青岛海诚机械有限公司", "岗位说明书", "岗位名称：", "直接上级：厂长", "岗位职责：", "1、负责设备维护。",
             "岗位名称：电工", "直接上级：厂长", "岗位职责：1、负责配电；2、负责照明。"]
    root = imported(tmp_path, write_text(tmp_path / "海诚.txt", lines))
    (meta, _), = documents(root).values()
    assert [(j["covers"], j["duties"]) for j in meta["jobs"]] == [
        ([PLACEHOLDER], ["负责设备维护。"]), (["电工"], ["负责配电", "负责照明。"])]
    assert roles(root)["department_head"] == "厂长"  # the one superior over all
    assert "岗位名称空白" in report(root)
    strict = run_cli("check", "--strict", "--root", root)
    assert strict.returncode != 0 and "manual/roles.yaml" in strict.stdout + strict.stderr
    conserved(root, lines)


def test_text_titles_with_codes_make_a_document_per_post(tmp_path):
    lines = ["常州金盛纺织有限公司", "岗位说明书",
             "挡车工岗位说明书 JS-GW-01", "岗位名称：挡车工", "直接上级：值班长", "岗位职责：", "1、看管织机；", "2、处理断头。",
             "编制：李红 审核：王刚 批准：赵总 日期：2022年4月1日",
             "值班长岗位说明书 JS-GW-02", "岗位名称：值班长", "直接上级：车间主任", "岗位职责：1、排班；2、交接班检查。",
             "编制：李红 审核：王刚 批准： 日期：2022年 月 日"]
    root = imported(tmp_path, write_text(tmp_path / "金盛.txt", lines))
    docs = documents(root)
    assert list(docs) == ["JS-GW-01", "JS-GW-02"]
    assert [(m["title"], [j["covers"] for j in m["jobs"]], m["signoff"]["approved"]["name"])
            for m, _ in docs.values()] == [("挡车工岗位说明书", [["挡车工"]], "赵总"), ("值班长岗位说明书", [["值班长"]], "")]
    by_id = {r["id"]: r for r in roles(root)["roles"]}
    assert by_id["挡车工"]["reports_to"] == "值班长" and by_id["值班长"]["reports_to"] == "车间主任"
    assert roles(root)["department_head"] == "车间主任"
    found = findings(root)
    assert not [f for f in found if f["severity"] == "error"], found
    assert any(f["rule"] == "signoff-complete" and f["path"] == "policies/JS-GW-02.md" and "批准签署缺少签署人" in f["message"]
               for f in found)
    conserved(root, lines)


def test_the_post_with_no_superior_heads_the_tree(tmp_path):
    lines = ["杭州明远科技有限公司", "岗位说明书", "岗位名称：研发工程师", "直接上级：研发经理", "岗位职责：1、产品开发；2、技术文档。",
             "岗位名称：研发经理", "岗位职责：1、管理研发部；2、制定研发计划。"]
    root = imported(tmp_path, write_text(tmp_path / "明远.txt", lines))
    data = roles(root)
    assert data["department_head"] == "研发经理"
    assert [(r["id"], r.get("reports_to")) for r in data["roles"]] == [("研发经理", None), ("研发工程师", "研发经理")]
    assert not [f for f in findings(root) if f["severity"] == "error"]
    conserved(root, lines)
