"""A manual with document control in use, made through the CLI as a user would (tests/test_status.py,
tests/test_register.py): the minimal manual with retention periods, released as 2020.1, three controlled
copies issued (two to 业务经理, one to 总经理) and copy 02 recalled, a revision of 0102-2020 carrying out
an approved change request, released as 2020.2, a copy of 2020.2 issued, then a newer revision of 0102-2020
not yet released.  Change requests: CR-2020-001 done (approved, in 2020.2), CR-2020-002 not approved,
CR-2020-003 approved and carried out in 0102-2020 1.2, not released; CR-2020-004 approved, no revision yet."""
from __future__ import annotations

from pathlib import Path

from conftest import MINIMAL, copy_manual, run_cli

REQUEST = """number: {number}
documents: [0102-2020]
reason: {reason}
class: 编辑性
requested_by: {{name: 张三, date: 2020-04-01}}
{approved}date: 2020-04-01
"""


def _cli(root: Path, *args) -> None:
    result = run_cli(*args, "--root", root)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"


def _request(root: Path, number: str, reason: str, approved: bool) -> None:
    folder = root / "control/changes"
    folder.mkdir(parents=True, exist_ok=True)
    approval = "approved_by: {name: 王五, date: 2020-04-03}\n" if approved else ""
    (folder / f"{number}.yaml").write_text(REQUEST.format(number=number, reason=reason, approved=approval),
                                           encoding="utf-8")


def _revise_0102(root: Path, version: str, date: str, change: str) -> None:
    path = root / "policies/0102-2020.md"
    text = path.read_text(encoding="utf-8")
    old = text.split('version: "', 1)[1].split('"', 1)[0]
    text = text.replace(f'version: "{old}"', f'version: "{version}"', 1)
    entry = f'  - {{version: "{version}", date: {date}, summary: 调整评审周期, by: 业务部, change: {change}}}\n'
    text = text.replace("---\n\n", entry + "---\n\n", 1)
    path.write_text(text, encoding="utf-8")


def make_controlled_manual(root: Path) -> Path:
    copy_manual(MINIMAL, root)
    config = root / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "retention: 3\n", encoding="utf-8")
    doc = root / "policies/0101-2020.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("owner: 业务经理\n", "owner: 业务经理\nretention: 永久\n", 1),
                   encoding="utf-8")
    _cli(root, "release", "2020.1", "--date", "2020-03-01")
    _cli(root, "issue", "2020.1", "--to", "业务经理", "--copies", "2", "--date", "2020-03-05")
    _cli(root, "issue", "2020.1", "--to", "总经理", "--date", "2020-03-06")
    _cli(root, "recall", "2020.1", "--copy", "2", "--date", "2020-04-01")
    _request(root, "CR-2020-001", "评审周期由季度改为半年", approved=True)
    _request(root, "CR-2020-002", "增加客户分级", approved=False)
    _request(root, "CR-2020-003", "档案保存地点调整", approved=True)
    _request(root, "CR-2020-004", "档案借阅流程", approved=True)
    _revise_0102(root, "1.1", "2020-05-01", "CR-2020-001")
    _cli(root, "release", "2020.2", "--date", "2020-06-01")
    _cli(root, "issue", "2020.2", "--to", "业务经理", "--date", "2020-06-02")
    _revise_0102(root, "1.2", "2020-07-01", "CR-2020-003")
    return root
