"""``manual status``: what a document controller asks first, read back from the command's output (text and
JSON) on a manual with issued, recalled and superseded copies and open change requests
(tests/control_fixture.py), on a manual without any, and on a manual with errors."""
from __future__ import annotations

import json

import pytest

from conftest import MINIMAL, copy_manual, run_cli
from control_fixture import make_controlled_manual

pytestmark = pytest.mark.xdist_group("register")


@pytest.fixture(scope="module")
def controlled(tmp_path_factory):
    return make_controlled_manual(tmp_path_factory.mktemp("status") / "m")


def test_status_text_lists_editions_statuses_requests_and_copies(controlled):
    result = run_cli("status", "--root", controlled)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "文件控制状态"
    assert "手册：示例管理手册，版本 2020（2020-03-01）" in lines
    assert "现行版次：2020.2（发布日期 2020-06-01）" in lines
    assert "手册检查：没有错误，2 个警告" in lines  # the two copies of 2020.1 still out
    # Documents and forms by status.
    draft = lines.index("  草稿（1）")
    assert lines[draft + 1].split() == ["0102-2020", "客户档案管理制度", "1.2"]
    effective = lines.index("  生效（2）")
    assert [line.split()[0] for line in lines[effective + 1:effective + 3]] == ["0101-2020", "0101-F1"]
    # Open change requests: not approved; approved and carried out in 1.2, not released; approved, no revision.
    requests = [line.split() for line in lines if line.startswith("  CR-")]
    assert requests == [["CR-2020-002", "0102-2020", "未批准", "增加客户分级"],
                        ["CR-2020-003", "0102-2020", "已批准，0102-2020", "1.2", "尚未发布", "档案保存地点调整"],
                        ["CR-2020-004", "0102-2020", "已批准，尚未修订", "档案借阅流程"]]
    assert "CR-2020-001" not in result.stdout  # approved and released in 2020.2: closed
    # Copies out per holder; the superseded edition's marked; the recalled copy 02 is not out.
    copies = [line.strip() for line in lines if "分发号" in line]
    assert copies == ["业务经理：版次 2020.1 分发号 01，发放日期 2020-03-05  [已作废，应回收]",
                      "业务经理：版次 2020.2 分发号 01，发放日期 2020-06-02  [现行]",
                      "总经理：版次 2020.1 分发号 03，发放日期 2020-03-06  [已作废，应回收]"]
    assert "  已回收 1 份" in lines


def test_status_in_english(controlled):
    result = run_cli("status", "--lang", "en", "--root", controlled)
    assert result.returncode == 0, result.stderr
    assert "Edition in force: 2020.2 (released 2020-06-01)" in result.stdout
    assert "  业务经理: edition 2020.1, copies 01, issued 2020-03-05  [superseded: recall]" in result.stdout
    assert "not approved" in result.stdout and "Open change requests" in result.stdout


def test_status_json(controlled):
    result = run_cli("status", "--format", "json", "--root", controlled)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["manual"] == {"title": "示例管理手册", "edition": "2020", "date": "2020-03-01"}
    assert data["edition_in_force"] == {"edition": "2020.2", "released": "2020-06-01"}
    assert data["check"] == {"errors": 0, "warnings": 2}
    assert [d["code"] for d in data["documents_by_status"]["draft"]] == ["0102-2020"]
    assert [(d["kind"], d["code"], d["id"]) for d in data["documents_by_status"]["effective"]] == [
        ("document", "0101-2020", ""), ("form", "0101-F1", "visit-record")]
    states = {r["number"]: (r["state"], r["approved"], r["revisions"]) for r in data["open_change_requests"]}
    assert states == {
        "CR-2020-002": ("not_approved", False, []),
        "CR-2020-003": ("not_released", True, [{"code": "0102-2020", "version": "1.2", "released": False}]),
        "CR-2020-004": ("not_carried_out", True, []),
    }
    out = [(c["holder"], c["edition"], c["copies"], c["issued"], c["superseded"])
           for c in data["copies"]["outstanding"]]
    assert out == [("业务经理", "2020.1", [1], ["2020-03-05"], True),
                   ("业务经理", "2020.2", [1], ["2020-06-02"], False),
                   ("总经理", "2020.1", [3], ["2020-03-06"], True)]
    assert data["copies"]["recalled"] == [{"edition": "2020.1", "copy": 2, "holder": "业务经理",
                                           "issued": "2020-03-05", "recalled": "2020-04-01"}]


def test_status_without_editions_or_copies(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    result = run_cli("status", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "现行版次：尚未发布（manual release）" in result.stdout
    assert "没有未关闭的更改申请。" in result.stdout and "没有在外的受控副本。" in result.stdout
    data = json.loads(run_cli("status", "--format", "json", "--root", root).stdout)
    assert data["edition_in_force"] is None and data["copies"] == {"outstanding": [], "recalled": []}


def test_a_manual_with_errors_still_shows_its_status(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    doc = root / "policies/0101-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("status: effective", "status: effective\nversion2: x", 1),
                   encoding="utf-8")
    result = run_cli("status", "--root", root)
    assert result.returncode == 0, result.stderr
    assert "注意：手册检查有 1 个错误" in result.stdout and "manual check" in result.stdout
    assert "0101-2020" in result.stdout and "Traceback" not in result.stderr
    bad = run_cli("status", "--format", "xml", "--root", root)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_the_model_groups_copies_by_holder_names_people_and_lists_superseded_versions(tmp_path):
    """``model.register`` alone, on an in-memory manual: a person holder is named, copies are grouped per
    holder and edition in the register's order, a superseded document lists every released version."""
    import dataclasses
    import datetime as dt

    from generator.model import Copy, Person
    from generator.model import register
    from generator.model.build import read_manual

    manual, _ = read_manual(copy_manual(MINIMAL, tmp_path / "m"))
    manual.people = {"E001": Person(0, "E001", "张三")}
    day = dt.date(2020, 3, 5)
    manual.copies = [Copy(0, "2020.2", 2, "E001", day), Copy(1, "2020.1", 1, "总经理", day),
                     Copy(2, "2020.2", 1, "E001", day), Copy(3, "2020.1", 3, "E001", day, recalled=day)]
    manifests = [{"edition": "2020.1", "released": "2020-03-01",
                  "documents": [{"code": "0101-2020", "version": "0.9"}, {"code": "0102-2020", "version": "1.0"}]},
                 {"edition": "2020.2", "released": "2020-06-01",
                  "documents": [{"code": "0101-2020", "version": "1.0"}, {"code": "0102-2020", "version": "1.0"}]}]
    held = register.held_copies(manual, manifests)
    assert [(g.holder, g.name, g.edition, g.numbers, g.superseded) for g in held] == [
        ("E001", "张三", "2020.2", [1, 2], False), ("总经理", "", "2020.1", [1], True)]
    assert [(c.edition, c.copy) for c in register.recalled_copies(manual)] == [("2020.1", 3)]
    manual.documents[1] = dataclasses.replace(manual.documents[1], status="superseded")
    rows = {r.key: r for r in register.register(manual, manifests)}
    assert [(o.version, o.editions) for o in rows["0101-2020"].old] == [("0.9", ["2020.1"])]
    assert rows["0101-2020"].edition == "2020.2" and rows["0101-2020"].copies == [1, 2]
    assert [(o.version, o.editions) for o in rows["0102-2020"].old] == [("1.0", ["2020.1", "2020.2"])]
    assert rows["0101-F1"].edition == "" and rows["0101-F1"].copies == []  # in no released edition
