"""Controlled copies: manual issue stamps every page of the released PDF (read back with pypdf), the signed
original still verifies, control/distribution.yaml records the issue and manual recall the return."""
from __future__ import annotations

import hashlib

import pytest
import yaml
from pypdf import PdfReader

from conftest import MINIMAL, copy_manual, run_cli
from generator.rules.check import check


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("copies") / "m")
    result = run_cli("release", "2020.1", "--date", "2020-03-01", "--root", root)
    assert result.returncode == 0, result.stderr
    return root


def test_issue_stamps_every_page_and_records_the_register(released):
    root = released
    original = (root / "editions/2020.1/manual.pdf").read_bytes()
    (root / "control").mkdir(exist_ok=True)
    (root / "control/distribution.yaml").write_text("# 登记表：保留这行注释\ncopies:\n", encoding="utf-8")
    result = run_cli("issue", "2020.1", "--to", "业务经理", "--copies", "2", "--date", "2020-03-05", "--root", root)
    assert result.returncode == 0, result.stderr
    text = (root / "control/distribution.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 登记表：保留这行注释\n")
    copies = yaml.safe_load(text)["copies"]
    assert [(c["edition"], c["copy"], c["holder"], str(c["issued"])) for c in copies] == [
        ("2020.1", 1, "业务经理", "2020-03-05"), ("2020.1", 2, "业务经理", "2020-03-05")]
    for c in copies:
        pdf = root / c["file"]
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == c["sha256"]
        pages = PdfReader(str(pdf)).pages
        assert len(pages) == len(PdfReader(str(root / "editions/2020.1/manual.pdf")).pages)
        for page in pages:
            words = page.extract_text().replace(" ", "")
            assert "受控文件" in words and f"分发号：{c['copy']:02d}" in words and "持有人：业务经理" in words
    assert (root / "editions/2020.1/manual.pdf").read_bytes() == original
    verify = run_cli("verify", "--edition", "2020.1", "--root", root)
    assert verify.returncode == 0, verify.stdout + verify.stderr
    _, findings = check(root)
    assert [f for f in findings if f.rule.startswith("copy-")] == []


def test_issue_refuses_an_unknown_holder_and_edition(released):
    bad = run_cli("issue", "2020.1", "--to", "销售总监", "--root", released)
    assert bad.returncode == 2 and "销售总监" in bad.stderr and "Traceback" not in bad.stderr
    missing = run_cli("issue", "2099.9", "--to", "业务经理", "--root", released)
    assert missing.returncode == 2 and "2099.9" in missing.stderr


def test_recall_records_the_return(released):
    root = released
    if not (root / "control/distribution.yaml").exists():
        run_cli("issue", "2020.1", "--to", "业务经理", "--date", "2020-03-05", "--root", root)
    result = run_cli("recall", "2020.1", "--copy", "1", "--date", "2020-07-02", "--root", root)
    assert result.returncode == 0, result.stderr
    copies = yaml.safe_load((root / "control/distribution.yaml").read_text(encoding="utf-8"))["copies"]
    assert str(copies[0]["recalled"]) == "2020-07-02"
    again = run_cli("recall", "2020.1", "--copy", "1", "--root", root)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    unknown = run_cli("recall", "2020.1", "--copy", "99", "--root", root)
    assert unknown.returncode == 2
