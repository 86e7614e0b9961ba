"""Read-and-acknowledge (阅知) through the real CLI, on the minimal manual with a people registry: a
substantive change of 0101-2020 with its change request is released as 2020.2; who must acknowledge it
(model.acks), the paper sheet (pypdf text and pdftoppm pixels), recording a CSV (row and column messages,
all or nothing), the rules, the site's 阅知 page and the document's state; and ``manual revise --change``."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml
from pypdf import PdfReader

from conftest import MINIMAL, copy_manual, run_cli
from generator.model.acks import department, requirements
from generator.model.build import read_manual

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("acks")]

PEOPLE = """people:
  - id: zhangsan
    name: 张三
    roles: [{role: 业务员, from: 2019-01-01}]
  - id: lisi
    name: 李四
    roles: [{role: 业务经理, from: 2018-06-01}]
  - id: wangwu
    name: 王五
    roles: [{role: 总经理, from: 2015-01-01}]
  - id: zhaoliu
    name: 赵六
    roles: [{role: 业务员, from: 2019-01-01, to: 2019-12-31}]
"""
REQUEST = """number: CR-2020-001
documents: [0101-2020]
reason: 重要客户流失，回访频次需提高
class: 实质性
requested_by: {person: zhangsan, date: 2020-05-20}
reviewed_by: {person: lisi, date: 2020-05-22}
approved_by: {person: wangwu, date: 2020-05-25}
date: 2020-05-20
"""
REVISION_10 = '  - {version: "1.0", date: 2020-02-01, summary: 首次发布, by: 业务部}\n'


def findings(root, rule=None):
    result = run_cli("check", "--root", root, "--format", "json")
    found = [(f["rule"], f["path"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    return [f for f in found if rule is None or f[0] == rule]


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    """2020.1 released; 0101-2020 1.1 (a substantive change by CR-2020-001, now naming 总经理 too) released
    as 2020.2 on 2020-06-15."""
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("acks") / "m")
    (root / "manual/people.yaml").write_text(PEOPLE, encoding="utf-8")
    first = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root)
    assert first.returncode == 0, first.stdout + first.stderr
    (root / "control/changes").mkdir(parents=True)
    (root / "control/changes/CR-2020-001.yaml").write_text(REQUEST, encoding="utf-8")
    path = root / "policies/0101-2020.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("业务员每月回访重要客户一次以上。", "业务员每月回访重要客户两次以上，总经理每季度回访一次。")
    text = text.replace('version: "1.0"\n', 'version: "1.1"\n', 1).replace("effective: 2020-03-01",
                                                                           "effective: 2020-06-10")
    text = text.replace("approved: {name: 王五, role: 总经理, date: 2020-02-20}",
                        "approved: {name: 王五, role: 总经理, date: 2020-06-05}")
    text = text.replace("roles: [业务员]", "roles: [业务员, 总经理]")
    text = text.replace(REVISION_10, REVISION_10 + '  - {version: "1.1", date: 2020-06-01, summary: 回访频次提高为每月两次,'
                                                   ' by: 业务部, change: CR-2020-001}\n')
    path.write_text(text, encoding="utf-8")
    second = run_cli("release", "2020.2", "--date", "2020-06-15", "--root", root)
    assert second.returncode == 0, second.stdout + second.stderr
    return root


def test_who_must_acknowledge_and_since_when(changed):
    manual, _ = read_manual(changed)
    [req] = requirements(manual)
    assert (req.document.code, req.version, str(req.since)) == ("0101-2020", "1.1", "2020-06-10")
    # the owner's post (业务经理), the referenced roles (业务员, 总经理); 赵六 left 业务员 in 2019
    assert req.people == ["zhangsan", "lisi", "wangwu"] and req.acknowledged == set()
    assert req.revision.change == "CR-2020-001" and req.revision.change_class == ""  # the class is the request's
    on = manual.documents[0].effective
    assert [department(manual, p, on) for p in req.people] == ["业务部", "业务部", None]


def test_the_check_names_who_has_not_acknowledged_at_the_revision(changed):
    found = findings(changed, "ack-missing")
    assert [(f[1], f[2]) for f in found] == [("policies/0101-2020.md", 20)] * 3
    assert "张三（zhangsan） 尚未阅知 0101-2020 1.1 版（自 2020-06-10 起须阅知）" in found[0][3]


def test_the_sheet_has_one_department_per_page(changed, tmp_path):
    made = run_cli("ack", "sheet", "2020.2", "--out", tmp_path, "--root", changed)
    assert made.returncode == 0, made.stdout + made.stderr
    pdf = tmp_path / "2020.2-阅知确认表.pdf"
    assert "2 个部门，3 人" in made.stdout
    pages = PdfReader(str(pdf)).pages
    assert len(pages) == 2
    texts = [p.extract_text().replace(" ", "") for p in pages]
    for text in texts:
        assert "阅知确认表" in text and "0101-2020" in text and "客户回访制度" in text and "1.1" in text
        assert "回访频次提高为每月两次" in text and "CR-2020-001" in text and "签名" in text and "日期" in text
    assert "部门：业务部" in texts[0] and "张三" in texts[0] and "李四" in texts[0] and "王五" not in texts[0]
    assert "部门：部门以外人员" in texts[1] and "王五" in texts[1] and "张三" not in texts[1]
    assert "赵六" not in "".join(texts)
    again = tmp_path / "again"
    assert run_cli("ack", "sheet", "2020.2", "--out", again, "--root", changed).returncode == 0
    assert (again / pdf.name).read_bytes() == pdf.read_bytes()  # deterministic
    if shutil.which("pdftoppm"):
        from PIL import Image, ImageChops

        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "look")], check=True)
        for png in sorted(tmp_path.glob("look*.png")):
            image = Image.open(png).convert("L")
            box = ImageChops.invert(image).point(lambda v: 255 if v > 40 else 0).getbbox()
            assert box is not None  # something is drawn: the Chinese text and the tables
            w, h = image.size
            margin = int(5 / 25.4 * 50)  # 5 mm: nothing runs into the page's edge (cut off), running heads included
            assert box[0] >= margin and box[1] >= margin and box[2] <= w - margin and box[3] <= h - margin, box


def test_a_long_department_flows_on_with_its_heads_repeated(changed, tmp_path):
    root = tmp_path / "m"
    shutil.copytree(changed, root, ignore=shutil.ignore_patterns("site", "build", ".cache", "dist"))
    with open(root / "manual/people.yaml", "a", encoding="utf-8") as people:
        for n in range(30):
            people.write(f"  - id: S{n:02d}\n    name: 业务员{n:02d}\n    roles: [{{role: 业务员, from: 2019-01-01}}]\n")
    made = run_cli("ack", "sheet", "2020.2", "--out", tmp_path / "out", "--root", root)
    assert made.returncode == 0, made.stdout + made.stderr
    texts = [p.extract_text().replace(" ", "") for p in PdfReader(str(tmp_path / "out/2020.2-阅知确认表.pdf")).pages]
    department = [t for t in texts if "部门：业务部" in t]
    assert len(department) >= 2 and len(texts) == len(department) + 1  # then the sheet of 部门以外人员
    for text in department:  # each page says whose sheet it is and repeats the people table's head
        assert "姓名岗位须阅知文件签名日期" in text
    names = "".join(department)
    assert all(f"业务员{n:02d}" in names for n in range(30)) and "王五" not in names


def test_the_sheet_needs_a_released_edition_with_a_change(changed):
    missing = run_cli("ack", "sheet", "2099.1", "--root", changed)
    assert missing.returncode == 2 and "2099.1" in missing.stderr and "Traceback" not in missing.stderr
    none = run_cli("ack", "sheet", "2020.1", "--root", changed)
    assert none.returncode == 1 and "2020.1" in none.stderr
    for path in ("../editions/2020.2", "2020.2/../2020.1", ".hidden"):  # a name, never a path
        refused = run_cli("ack", "sheet", path, "--root", changed)
        assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr


def test_recording_refuses_a_bad_csv_whole_and_writes_a_good_one(changed, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("人员,文件,版本,日期\n"
                   "张三,0101-2020,1.1,2020-06-20\n"
                   "李四,0101-2020,1.3,2020-06-20\n"
                   "lisi,0109-2020,1.1,2020-06-20\n"
                   "王五,0101-2020,1.1,2999-01-01\n"
                   "张三,0101-2020,1.1,2020-06-21\n"
                   "孙七,0101-2020,1.1,昨天\n", encoding="utf-8")
    result = run_cli("ack", "record", bad, "--root", changed)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("bad.csv:")]
    assert [re.match(r"bad\.csv:(\d+): 第 \d+ 行，列 '(.+?)'", line).groups() for line in lines] == [
        ("3", "版本"), ("4", "文件"), ("5", "日期"), ("6", "人员"), ("7", "人员"), ("7", "日期")]
    assert "与第 2 行重复" in lines[3] and "0109-2020" in lines[1] and "2999-01-01" in lines[2]
    assert "6 处问题；未写入任何内容" in result.stderr
    assert not (changed / "control/acks").exists()

    header = tmp_path / "header.csv"
    header.write_text("姓名,文件\n张三,0101-2020\n", encoding="utf-8")
    wrong = run_cli("ack", "record", header, "--root", changed)
    assert wrong.returncode == 1 and "版本" in wrong.stderr and "Traceback" not in wrong.stderr

    good = tmp_path / "signed.csv"
    good.write_text("person,document,version,date\nzhangsan,0101-2020,1.1,2020/6/20\n李四,0101-2020,1.1,2020年6月21日\n",
                    encoding="gbk")
    done = run_cli("ack", "record", good, "--root", changed, env={"MANUAL_TODAY": "2020-07-01"})
    assert done.returncode == 0, done.stderr
    [written] = sorted((changed / "control/acks").iterdir())
    assert written.name == "2020-07-01-001.yaml" and done.stdout.startswith("control/acks/2020-07-01-001.yaml")
    data = yaml.safe_load(written.read_text(encoding="utf-8"))
    assert data["source"] == "signed.csv" and [(a["person"], a["document"], a["version"], str(a["date"]))
                                               for a in data["acks"]] == [
        ("zhangsan", "0101-2020", "1.1", "2020-06-20"), ("lisi", "0101-2020", "1.1", "2020-06-21")]
    assert [f[3].split(" 尚未")[0] for f in findings(changed, "ack-missing")] == ["王五（wangwu）"]
    twice = run_cli("ack", "record", good, "--root", changed, env={"MANUAL_TODAY": "2020-07-01"})
    assert twice.returncode == 1 and "已记录" in twice.stderr
    assert len(list((changed / "control/acks").iterdir())) == 1

    built = run_cli("build", "site", "--quiet", "--root", changed)
    assert built.returncode == 0, built.stdout + built.stderr
    page = (changed / "site/acks.html").read_text(encoding="utf-8")
    assert "2 / 3 人已阅知" in page and "王五（wangwu）" in page and "张三（zhangsan）" not in page
    doc = (changed / "site/documents/0101-2020.html").read_text(encoding="utf-8")
    assert re.search(r'<dt>阅知</dt> <dd><a href="\.\./acks\.html">2 / 3 人已阅知</a></dd>', doc)
    assert 'href="acks.html"' in (changed / "site/index.html").read_text(encoding="utf-8")  # in the navigation
    frozen = (changed / "site/editions/2020.2/documents/0101-2020.html").read_text(encoding="utf-8")
    assert "人已阅知" not in frozen and "acks.html" not in frozen  # an edition's site is as it was released


def test_an_unknown_record_is_an_error_at_its_line(changed, tmp_path):
    root = copy_manual(changed, tmp_path / "m")
    (root / "control/acks").mkdir(parents=True, exist_ok=True)
    (root / "control/acks/online-1.yaml").write_text(
        "acks:\n  - {person: zhangsan, document: 0101-2020, version: \"1.9\", date: 2020-06-20}\n", encoding="utf-8")
    found = findings(root, "ack-unknown")
    assert [(f[1], f[2]) for f in found] == [("control/acks/online-1.yaml", 2)] and "1.9" in found[0][3]


def test_revise_change_links_the_request_and_takes_its_class(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "control/changes").mkdir(parents=True)
    (root / "control/changes/CR-2020-001.yaml").write_text(REQUEST, encoding="utf-8")
    (root / "control/changes/CR-2020-002.yaml").write_text(
        REQUEST.replace("CR-2020-001", "CR-2020-002").replace("[0101-2020]", "[0102-2020]"), encoding="utf-8")
    before = (root / "policies/0101-2020.md").read_text(encoding="utf-8")
    for args, words in [(("--change", "CR-2020-009"), "CR-2020-009"), (("--change", "CR-2020-002"), "0102-2020"),
                        (("--change", "CR-2020-001", "--class", "editorial"), "substantive")]:
        refused = run_cli("revise", "0101-2020", "--summary", "回访频次提高", *args, "--root", root)
        assert refused.returncode == 2 and words in refused.stderr and "Traceback" not in refused.stderr, args
        assert (root / "policies/0101-2020.md").read_text(encoding="utf-8") == before
    done = run_cli("revise", "0101-2020", "--summary", "回访频次提高", "--change", "CR-2020-001", "--root", root,
                   env={"MANUAL_TODAY": "2020-05-26"})
    assert done.returncode == 0, done.stderr
    text = (root / "policies/0101-2020.md").read_text(encoding="utf-8")
    assert ('  - {version: "1.1", date: 2020-05-26, summary: 回访频次提高, by: 业务部, class: substantive, '
            'change: CR-2020-001}\n') in text
    manual, _ = read_manual(root)
    assert manual.document("0101-2020").revisions[-1].change == "CR-2020-001"


def test_an_acknowledgement_before_the_version_or_after_today_is_refused_and_does_not_count(changed, tmp_path):
    """0101-2020 1.1 took effect on 2020-06-10: a row dated 2020-06-01 is refused at its row and date column;
    a hand-written (or online) record dated before it or after today is an ``ack-date`` error at its line,
    and the person is still reported as not having acknowledged."""
    root = copy_manual(changed, tmp_path / "m")
    shutil.copytree(changed / "control/changes", root / "control/changes")
    shutil.copytree(changed / "editions", root / "editions")
    early = tmp_path / "early.csv"
    early.write_text("人员,文件,版本,日期\n张三,0101-2020,1.1,2020-06-01\n李四,0101-2020,1.1,2020-06-12\n",
                     encoding="utf-8")
    refused = run_cli("ack", "record", early, "--root", root, env={"MANUAL_TODAY": "2020-07-01"})
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    lines = [line for line in refused.stderr.splitlines() if line.startswith("early.csv:")]
    assert len(lines) == 1 and re.match(r"early\.csv:2: 第 2 行，列 '日期'", lines[0]), lines
    assert "2020-06-01" in lines[0] and "2020-06-10" in lines[0]
    assert not (root / "control/acks").exists()
    english = run_cli("ack", "record", early, "--root", root, "--lang", "en", env={"MANUAL_TODAY": "2020-07-01"})
    assert "before version 1.1 of 0101-2020 took effect" in english.stderr

    (root / "control/acks").mkdir(parents=True)
    (root / "control/acks/online-1.yaml").write_text(
        "acks:\n"
        "  - {person: zhangsan, document: 0101-2020, version: \"1.1\", date: 2020-06-01}\n"
        "  - {person: lisi, document: 0101-2020, version: \"1.1\", date: 2020-08-01}\n"
        "  - {person: wangwu, document: 0101-2020, version: \"1.1\", date: 2020-06-12}\n", encoding="utf-8")
    result = run_cli("check", "--root", root, "--format", "json", env={"MANUAL_TODAY": "2020-07-01"})
    found = [(f["rule"], f["path"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    dated = [f for f in found if f[0] == "ack-date"]
    assert [(f[1], f[2]) for f in dated] == [("control/acks/online-1.yaml", 2), ("control/acks/online-1.yaml", 3)]
    assert "张三（zhangsan）" in dated[0][3] and "2020-06-10" in dated[0][3]
    assert "李四（lisi）" in dated[1][3] and "2020-07-01" in dated[1][3]
    missing = [f[3].split(" 尚未")[0] for f in found if f[0] == "ack-missing"]
    assert missing == ["张三（zhangsan）", "李四（lisi）"], found  # the records that cannot be true do not count


def test_a_row_already_recorded_says_to_delete_it(changed, tmp_path):
    root = copy_manual(changed, tmp_path / "m")
    shutil.copytree(changed / "control/changes", root / "control/changes")
    shutil.copytree(changed / "editions", root / "editions")
    good = tmp_path / "signed.csv"
    good.write_text("person,document,version,date\nzhangsan,0101-2020,1.1,2020-06-20\n", encoding="utf-8")
    assert run_cli("ack", "record", good, "--root", root, env={"MANUAL_TODAY": "2020-07-01"}).returncode == 0
    again = run_cli("ack", "record", good, "--root", root, env={"MANUAL_TODAY": "2020-07-01"})
    assert again.returncode == 1 and "signed.csv:2:" in again.stderr
    assert "请从 CSV 中删去这一行" in again.stderr


def test_records_and_requests_point_to_their_schema_by_a_relative_path(changed, tmp_path):
    """``manual ack record`` and ``manual new change`` write ``$schema=`` relative to the new file."""
    root = copy_manual(changed, tmp_path / "m")
    shutil.rmtree(root / "control", ignore_errors=True)
    good = tmp_path / "signed.csv"
    good.write_text("person,document,version,date\nzhangsan,0101-2020,1.1,2020-06-20\n", encoding="utf-8")
    assert run_cli("ack", "record", good, "--root", root, env={"MANUAL_TODAY": "2020-07-01"}).returncode == 0
    made = run_cli("new", "change", "--document", "0101-2020", "--root", root, env={"MANUAL_TODAY": "2020-07-01"})
    assert made.returncode == 0, made.stderr
    for path, kind in [(next((root / "control/acks").iterdir()), "ack"),
                       (root / "control/changes/CR-2020-001.yaml", "change")]:
        line = path.read_text(encoding="utf-8").splitlines()[0]
        ref = re.match(r"# yaml-language-server: \$schema=(\S+)$", line).group(1)
        assert not ref.startswith("/") and ref.endswith(f"{kind}.schema.json"), ref
        assert (path.parent / ref).resolve().is_file(), ref
