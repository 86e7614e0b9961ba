"""Document control, the whole cycle of issue 21's "Done when", on a copy of the shipped manual, through the
CLI as a user runs it: release 2014.1; issue three controlled copies; a substantive change of 0110-2014 with
its approved change request (``manual new change``, ``manual revise --change``, ``manual approve``); release
2014.2; the check reports the three copies not recalled and the missing acknowledgements; recall the copies;
print the 阅知确认表 and record the signed sheet from a CSV; the check is clean.  Each step's output is read
back: the 受控 stamp on every page of each controlled PDF, the register files, the sheet, the site pages."""
from __future__ import annotations

import json
import re

import pytest
import yaml
from pypdf import PdfReader

from conftest import REPO, copy_manual, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("control-cycle")]

TODAY = "2026-11-30"
STAFF = """  - id: E101
    name: 王售后
    roles:
      - {role: 售后服务部外协员, from: 2010-01-01}
  - id: E102
    name: 李主管
    roles:
      - {role: 业务主管, from: 2010-01-01}
  - id: E103
    name: 赵业务
    roles:
      - {role: 业务员, from: 2010-01-01}
"""
DOC = "policies/0110-2014.md"


def cli(root, *args):
    result = run_cli(*args, "--root", root, env={"MANUAL_TODAY": TODAY})
    assert result.returncode == 0, f"manual {' '.join(map(str, args))}: {result.stdout}{result.stderr}"
    return result


def findings(root):
    result = run_cli("check", "--root", root, "--format", "json", env={"MANUAL_TODAY": TODAY})
    report = json.loads(result.stdout)
    return result.returncode, [(f["rule"], f["path"], f["message"]) for f in report["findings"]]


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_whole_document_control_cycle(tmp_path):
    root = copy_manual(REPO, tmp_path / "shipped")
    with open(root / "manual/people.yaml", "a", encoding="utf-8") as people:
        people.write(STAFF)  # the staff besides the three signers: two of them hold posts 0110-2014 names
    assert findings(root) == (0, [])

    # 1. release 2014.1 and issue three controlled copies to the 业务经理
    cli(root, "release", "2014.1", "--date", "2026-06-01")
    cli(root, "issue", "2014.1", "--to", "业务经理", "--copies", "3", "--date", "2026-06-02")
    copies = yaml.safe_load((root / "control/distribution.yaml").read_text(encoding="utf-8"))["copies"]
    assert [(c["edition"], c["copy"], c["holder"], str(c["issued"]), "recalled" in c) for c in copies] == [
        ("2014.1", n, "业务经理", "2026-06-02", False) for n in (1, 2, 3)]
    edition_pages = len(PdfReader(str(root / "editions/2014.1/manual.pdf")).pages)
    for c in copies:
        pages = PdfReader(str(root / c["file"])).pages
        assert len(pages) == edition_pages
        for page in pages:
            words = page.extract_text().replace(" ", "")
            assert "受控文件" in words and f"分发号：{c['copy']:02d}" in words and "持有人：业务经理" in words
            assert "版次：2014.1" in words

    # 2. a substantive change of 0110-2014 with its change request, approved before the new version
    made = cli(root, "new", "change", "--document", "0110-2014", "--title", "大客户访问时须同时检查付款情况",
               "--by", "sample-jia")
    request = root / made.stdout.strip()
    assert request.name == "CR-2026-001.yaml"
    cli(root, "approve", "CR-2026-001", "--step", "reviewed", "--as", "sample-yi")
    cli(root, "approve", "CR-2026-001", "--step", "approved", "--as", "sample-bing")
    edit(root, DOC, "应及时检查其库存情况", "应及时检查其库存和付款情况")
    cli(root, "revise", "0110-2014", "--summary", "第4条增加付款情况检查", "--change", "CR-2026-001")
    assert yaml.safe_load((root / DOC).read_text(encoding="utf-8").split("---\n")[1])["revisions"][-1] == {
        "version": "1.2", "date": __import__("datetime").date(2026, 11, 30), "summary": "第4条增加付款情况检查",
        "by": "业务部", "class": "substantive", "change": "CR-2026-001"}
    for step, person in (("prepared", "sample-jia"), ("reviewed", "sample-yi"), ("approved", "sample-bing")):
        cli(root, "approve", "0110-2014", "--step", step, "--as", person, "--yes")

    # 3. release 2014.2: the copies of 2014.1 are out, and the staff has not acknowledged the change
    cli(root, "release", "2014.2", "--date", TODAY)
    code, found = findings(root)
    assert code == 0
    outstanding = [f for f in found if f[0] == "copy-outstanding"]
    assert [(f[1], re.search(r"分发号 (\d)", f[2]).group(1)) for f in outstanding] == [
        ("control/distribution.yaml", n) for n in "123"]
    assert all("2014.1 已被 2014.2 替代，业务经理 持有" in f[2] for f in outstanding)
    missing = [f for f in found if f[0] == "ack-missing"]
    assert [(f[1], f[2].split(" 尚未")[0]) for f in missing] == [
        (DOC, "示例甲（sample-jia）"), (DOC, "王售后（E101）"), (DOC, "李主管（E102）")]
    assert all("0110-2014 1.2 版（自 2026-11-30 起须阅知）" in f[2] for f in missing)
    assert len(found) == 6
    assert run_cli("check", "--strict", "--root", root, env={"MANUAL_TODAY": TODAY}).returncode == 1

    # 4. recall the three copies
    for n in (1, 2, 3):
        cli(root, "recall", "2014.1", "--copy", str(n), "--date", TODAY)
    copies = yaml.safe_load((root / "control/distribution.yaml").read_text(encoding="utf-8"))["copies"]
    assert [str(c.get("recalled")) for c in copies] == [TODAY] * 3

    # 5. the paper sheet, signed, recorded from a CSV
    sheet = cli(root, "ack", "sheet", "2014.2")
    pdf = root / "dist/ack/2014.2-阅知确认表.pdf"
    assert sheet.stdout.startswith("dist/ack/2014.2-阅知确认表.pdf") and pdf.is_file()
    [page_text] = [p.extract_text().replace(" ", "") for p in PdfReader(str(pdf)).pages]
    assert "部门：业务部" in page_text and "0110-2014" in page_text and "CR-2026-001" in page_text
    assert all(name in page_text for name in ("示例甲", "王售后", "李主管"))
    assert "赵业务" not in page_text  # 业务员: a post 0110-2014 does not name
    signed = tmp_path / "阅知确认表-业务部.csv"
    signed.write_text("人员,文件,版本,日期\n示例甲,0110-2014,1.2,2026-11-30\n王售后,0110-2014,1.2,2026/11/30\n"
                      "E102,0110-2014,1.2,2026年11月30日\n", encoding="utf-8")
    recorded = cli(root, "ack", "record", signed)
    assert recorded.stdout.startswith("control/acks/2026-11-30-001.yaml")
    acks = yaml.safe_load((root / "control/acks/2026-11-30-001.yaml").read_text(encoding="utf-8"))["acks"]
    assert [(a["person"], a["document"], a["version"]) for a in acks] == [
        (p, "0110-2014", "1.2") for p in ("sample-jia", "E101", "E102")]

    # 6. the check is clean, strictly; the site says so; the signed edition still verifies
    assert findings(root) == (0, [])
    assert run_cli("check", "--strict", "--root", root, env={"MANUAL_TODAY": TODAY}).returncode == 0
    cli(root, "build", "site", "--quiet")
    page = (root / "site/acks.html").read_text(encoding="utf-8")
    assert "3 / 3 人已阅知" in page and "所有须阅知的文件均已阅知" in page
    doc = (root / "site/documents/0110-2014.html").read_text(encoding="utf-8")
    assert "3 / 3 人已阅知" in doc and "CR-2026-001：大客户访问时须同时检查付款情况" in doc
    cli(root, "verify", "--edition", "2014.1")  # the edition the stamped copies were made from
