"""Change requests (文件更改申请单, control/changes/CR-YYYY-NNN.yaml) through the real CLI: release an
edition, make a substantive change without a request (the check refuses it at the revision), start one
with ``manual new change``, approve it after the new version (refused at the request), then before it
(clean), release the second edition, and read the request back in its change record and beside the
revision on the built site."""
from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import yaml

from conftest import MINIMAL, REPO, copy_manual, run_cli
from generator.model.build import read_manual

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("change-requests")]

REVISION_10 = '  - {version: "1.0", date: 2020-02-01, summary: 首次发布, by: 业务部}\n'
REVISION_11 = ('  - {version: "1.1", date: 2020-06-01, summary: 回访频次提高为每月两次, by: 业务部, '
               'class: substantive}\n')


def substantive_change(root):
    """0101-2020 1.0 → 1.1: a rule changes, re-approved on 2020-06-05, effective 2020-06-10."""
    path = root / "policies" / "0101-2020.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("业务员每月回访重要客户一次以上。", "业务员每月回访重要客户两次以上。")
    text = text.replace('version: "1.0"\n', 'version: "1.1"\n', 1).replace("effective: 2020-03-01", "effective: 2020-06-10")
    text = text.replace("approved: {name: 王五, role: 总经理, date: 2020-02-20}",
                        "approved: {name: 王五, role: 总经理, date: 2020-06-05}")
    text = text.replace(REVISION_10, REVISION_10 + REVISION_11)
    path.write_text(text, encoding="utf-8")
    return path


def findings(root):
    result = run_cli("check", "--root", root, "--format", "json")
    return result.returncode, [(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]]


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("cr") / "m")
    first = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root)
    assert first.returncode == 0, first.stdout + first.stderr
    policy = substantive_change(root)
    steps = {"without": findings(root)}
    made = run_cli("new", "change", "--document", "0101-2020", "--title", "重要客户流失，回访频次需提高",
                   "--by", "王业务", "--root", root, env={"MANUAL_TODAY": "2020-05-20"})
    assert made.returncode == 0, made.stdout + made.stderr
    steps["made"] = made.stdout.strip()
    request = root / "control" / "changes" / "CR-2020-001.yaml"
    policy.write_text(policy.read_text(encoding="utf-8").replace("class: substantive}",
                                                                  "class: substantive, change: CR-2020-001}"),
                      encoding="utf-8")
    text = request.read_text(encoding="utf-8")
    text = text.replace("# reviewed_by: {person: 编号, date: 2020-05-20}", "reviewed_by: {name: 李四, date: 2020-05-22}")
    late = text.replace("# approved_by: {person: 编号, date: 2020-05-20}", "approved_by: {name: 王五, date: 2020-06-10}")
    request.write_text(late, encoding="utf-8")
    steps["late"] = findings(root)
    request.write_text(late.replace("date: 2020-06-10}", "date: 2020-05-25}"), encoding="utf-8")
    steps["approved"] = findings(root)
    second = run_cli("release", "2020.2", "--date", "2020-06-15", "--root", root)
    assert second.returncode == 0, second.stdout + second.stderr
    built = run_cli("build", "--quiet", "--root", root)
    assert built.returncode == 0, built.stdout + built.stderr
    return root, steps


def test_a_substantive_change_after_release_needs_a_request(cycle):
    root, steps = cycle
    rc, found = steps["without"]
    assert rc != 0 and found == [("change-missing", "policies/0101-2020.md", 20)]


def test_manual_new_change_starts_a_request_that_reads_back(cycle):
    root, steps = cycle
    assert steps["made"] == "control/changes/CR-2020-001.yaml" or steps["made"].endswith("CR-2020-001.yaml")
    data = yaml.safe_load((root / "control" / "changes" / "CR-2020-001.yaml").read_text(encoding="utf-8"))
    assert data["number"] == "CR-2020-001" and data["documents"] == ["0101-2020"]
    assert data["reason"] == "重要客户流失，回访频次需提高" and data["class"] == "实质性"
    manual, _ = read_manual(root)
    request = manual.changes["CR-2020-001"]
    assert request.change_class == "substantive" and request.signer("approved_by").name == "王五"
    assert manual.document("0101-2020").revisions[-1].change == "CR-2020-001"


def test_the_request_must_be_approved_before_the_new_version(cycle):
    _, steps = cycle
    rc, found = steps["late"]
    assert rc != 0 and found == [("change-approval", "control/changes/CR-2020-001.yaml", 9)]
    assert steps["approved"] == (0, [])


def test_the_site_shows_the_request_beside_the_revision(cycle):
    root, _ = cycle
    html = (root / "site" / "documents" / "0101-2020.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>(.*?)</tr>", html.split('class="stack-table revisions"', 1)[1].split("</table>", 1)[0],
                      re.S)
    assert "更改申请单" in rows[0]
    assert "CR-2020-001：重要客户流失，回访频次需提高" in rows[-1] and "1.1" in rows[-1]


def test_a_second_request_gets_the_next_number_and_new_change_needs_a_document(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    for _ in range(2):
        assert run_cli("new", "change", "--document", "0102-2020", "--root", root, "--title", "改正错字",
                       "--by", "王业务", env={"MANUAL_TODAY": "2021-01-04"}).returncode == 0
    assert sorted(p.name for p in (root / "control" / "changes").iterdir()) == ["CR-2021-001.yaml", "CR-2021-002.yaml"]
    assert findings(root) == (0, [])
    missing = run_cli("new", "change", "--root", root)
    assert missing.returncode != 0 and "--document" in missing.stderr and "Traceback" not in missing.stderr
    unknown = run_cli("new", "change", "--document", "0199-2020", "--root", root)
    assert unknown.returncode != 0 and "0199-2020" in unknown.stderr


def test_the_edition_change_record_lists_the_request(cycle):
    root, _ = cycle
    record = json.loads((root / "editions" / "2020.2" / "changes.json").read_text(encoding="utf-8"))
    changed = {c["code"]: c for c in record["changed"]}
    assert changed["0101-2020"]["requests"] == [
        {"number": "CR-2020-001", "version": "1.1", "class": "substantive", "reason": "重要客户流失，回访频次需提高",
         "approved_by": "王五", "approved": "2020-05-25"}]
    first = json.loads((root / "editions" / "2020.1" / "changes.json").read_text(encoding="utf-8"))
    assert all("requests" not in c for c in first["added"] + first["changed"])


def test_manual_init_ships_the_paper_change_request_form(tmp_path):
    """The 文件更改申请单 of a new manual: a form of the usual source format, used by 0101, built to a
    fillable PDF whose fields a user fills (read back with pypdf)."""
    import pypdf

    env = {"MANUAL_TODAY": "2029-04-15"}
    assert run_cli("init", "demo", cwd=tmp_path, env=env).returncode == 0
    root = tmp_path / "demo"
    data = yaml.safe_load((root / "forms" / "change-request.yaml").read_text(encoding="utf-8"))
    assert data["title"] == "文件更改申请单" and data["code"] == "0100-F1"
    fields = [f["id"] for s in data["sections"] for f in s["fields"]]
    assert {"number", "class", "reason", "changes", "approver_sign"} <= set(fields)
    assert run_cli("check", "--root", root, env=env).returncode == 0
    built = run_cli("build", "forms", "--quiet", "--root", root, env=env)
    assert built.returncode == 0, built.stdout + built.stderr
    reader = pypdf.PdfReader(str(root / "dist" / "forms" / "change-request.pdf"))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "文件更改申请单" in text and "0100-F1" in text and "更改原因" in text and "批准人签字" in text
    assert any(name.startswith("reason") or "reason" in name for name in (reader.get_fields() or {}))


def test_manual_approve_signs_a_change_request_in_order(tmp_path):
    """``manual approve CR-… --step reviewed|approved --as PERSON``: the commented line of ``manual new change``
    is filled in place; the approval needs the review first, a signed step is not signed again, the signer
    must be in the registry; the check then finds the request approved."""
    import yaml

    root = tmp_path / "m"
    copy_manual(REPO, root)
    assert run_cli("new", "change", "--document", "0108-2014", "--title", "回访频次调整", "--root", root).returncode == 0
    path = sorted((root / "control" / "changes").glob("CR-*.yaml"))[-1]
    number = path.stem
    refused = run_cli("approve", number, "--step", "approved", "--as", "sample-bing", "--root", root)
    assert refused.returncode == 2 and "尚未审核" in refused.stderr and "Traceback" not in refused.stderr
    assert run_cli("approve", number, "--step", "reviewed", "--as", "nobody", "--root", root).returncode == 2
    assert run_cli("approve", "CR-2001-999", "--step", "reviewed", "--as", "sample-yi", "--root", root).returncode == 2
    done = run_cli("approve", number, "--step", "reviewed", "--as", "sample-yi", "--date", "2026-01-05", "--root", root)
    assert done.returncode == 0, done.stderr
    assert f"{number}.yaml:8" in done.stdout
    assert run_cli("approve", number, "--step", "approved", "--as", "sample-bing", "--date", "2026-01-06",
                   "--root", root).returncode == 0
    again = run_cli("approve", number, "--step", "approved", "--as", "sample-bing", "--root", root)
    assert again.returncode == 2 and "approved_by" in again.stderr
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["reviewed_by"] == {"person": "sample-yi", "date": dt.date(2026, 1, 5)}
    assert data["approved_by"] == {"person": "sample-bing", "date": dt.date(2026, 1, 6)}
    assert "# reviewed_by" not in path.read_text(encoding="utf-8")  # the comment line was replaced, not kept
    result = run_cli("check", "--root", root, "--format", "json")
    findings = [f for f in json.loads(result.stdout)["findings"] if f["path"].startswith("control/")]
    # what is left is the requester, a placeholder the user fills in
    assert {f["rule"] for f in findings} == {"placeholder"}, findings


def test_a_change_request_signed_in_the_future_or_by_its_requester_is_caught(tmp_path):
    """``manual approve CR-…`` refuses a date after the (pinned) today; one person signing two steps of a
    request is the check's ``change-sod`` error at the later step's line (zh-CN and en)."""
    root = tmp_path / "m"
    copy_manual(REPO, root)
    pinned = {"MANUAL_TODAY": "2026-01-10"}
    made = run_cli("new", "change", "--document", "0108-2014", "--title", "回访频次调整", "--by", "sample-jia",
                   "--root", root, env=pinned)
    assert made.returncode == 0, made.stderr
    path = sorted((root / "control" / "changes").glob("CR-*.yaml"))[-1]
    number = path.stem
    future = run_cli("approve", number, "--step", "reviewed", "--as", "sample-yi", "--date", "2026-02-01",
                     "--root", root, env=pinned)
    assert future.returncode == 2 and "2026-01-10" in future.stderr and "Traceback" not in future.stderr
    assert "\nreviewed_by:" not in path.read_text(encoding="utf-8")
    own = run_cli("approve", number, "--step", "reviewed", "--as", "sample-jia", "--date", "2026-01-05",
                  "--root", root, env=pinned)
    assert own.returncode == 0, own.stderr
    assert run_cli("approve", number, "--step", "approved", "--as", "sample-jia", "--date", "2026-01-06",
                   "--root", root, env=pinned).returncode == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    reviewed = next(i for i, line in enumerate(lines, 1) if line.startswith("reviewed_by:"))
    approved = next(i for i, line in enumerate(lines, 1) if line.startswith("approved_by:"))
    for lang, words in (("zh-CN", "职责分离"), ("en", "separation of duties")):
        result = run_cli("check", "--root", root, "--format", "json", "--lang", lang, env=pinned)
        found = [(f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]
                 if f["rule"] == "change-sod"]
        assert [line for line, _ in found] == [reviewed, approved, approved], found
        assert all("示例甲（sample-jia）" in message and words in message for _, message in found)
