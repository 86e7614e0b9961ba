"""The benchmark runs and writes its figures (bench/run.py).  Benchmarks are never timed tests:
nothing here asserts a speed, only that every figure is measured and recorded."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import MINIMAL, REPO

BENCH = REPO / "bench"
sys.path.insert(0, str(BENCH))


def run_bench(*args, timeout=900):
    result = subprocess.run([sys.executable, str(BENCH / "run.py"), *map(str, args)], capture_output=True,
                            text=True, timeout=timeout, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def only_json(folder):
    files = list(folder.glob("*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text(encoding="utf-8")), files[0]


def test_quick_run_checks_the_shipped_and_a_synthetic_manual(tmp_path):
    result = run_bench("--quick", "--out", tmp_path)
    data, path = only_json(tmp_path)
    assert path.name.endswith("-quick.json") and data["mode"] == "quick"
    assert data["machine"]["cores"] >= 1 and data["machine"]["versions"]["weasyprint"]
    shipped = data["check"]["shipped"]
    assert shipped["documents"] >= 1 and shipped["seconds"] > 0 and shipped["max_process_mb"] > 0
    [synthetic] = data["check"]["synthetic"]
    assert synthetic["documents"] == 50 and synthetic["returncode"] == 0  # the synthetic manual passes the check
    assert synthetic["seconds"] > 0 and synthetic["ms_per_document"] > 0
    assert "manual check" in result.stdout and str(path) in result.stdout
    assert "build" not in data  # --quick: no builds


def test_synthetic_manual_passes_the_check(tmp_path):
    import synth

    from generator.rules.check import check

    root = synth.write_manual(tmp_path / "s", 130, 13)
    manual, findings = check(root)
    assert len(manual.documents) == 130 and len(manual.forms) == 13
    assert [f for f in findings if f.severity == "error"] == []
    assert len({d.code for d in manual.documents}) == 130
    assert any(d.cited_documents for d in manual.documents)  # cross-references
    assert all(d.signoff("approved") for d in manual.documents)


@pytest.mark.slow
def test_build_floor_and_incremental_figures_on_the_minimal_manual(tmp_path):
    result = run_bench("--quick", "--build", "--no-breakdown", "--manual", MINIMAL, "--sizes", "20,40,60",
                       "--out", tmp_path)
    data, _ = only_json(tmp_path)
    build = data["build"]
    assert build["documents"] == 2 and build["jobs"] >= 1
    for run in ("full", "unchanged", "incremental"):
        assert build[run]["seconds"] > 0 and build[run]["returncode"] == 0, run
    parts = build["floor"]["parts"]
    assert set(parts) == {"weasyprint", "python_docx", "mkdocs"}
    assert parts["weasyprint"]["engine"]["files"] == 1 + 2 + 1  # the manual, two documents, one form
    assert parts["python_docx"]["engine"]["files"] == 1 + 2 + 1
    assert build["edit"]["document"] in ("0101-2020", "0102-2020")
    names = {row["target"]: row for row in data["targets"]}
    assert names["full build vs the engines' floor"]["ratio"] > 0
    assert 0 < names["rebuild after editing one document vs full build"]["ratio"]
    assert names["check grows linearly"]["measured"]
    assert "| target | goal | measured | ratio | met |" in result.stdout


def test_editing_a_fingerprinted_document_keeps_the_manual_valid(shipped):
    """The benchmark's edit of the shipped manual: new wording, a version bump, a revision and new sign-offs."""
    import run as bench_run

    from generator.rules.check import check
    from generator.model.build import read_manual

    before, _ = read_manual(shipped)
    if len(before.documents) < 14:
        pytest.skip("the shipped manual is not complete yet")
    done = bench_run.edit_one_document(shipped)
    manual, findings = check(shipped)
    assert [f for f in findings if f.severity == "error"] == []
    doc = manual.document(done["document"])
    assert "（本条已修订）" in doc.body
    old = before.document(done["document"])
    if old.signoff("approved") and old.signoff("approved").fingerprint:
        assert doc.version != old.version and len(doc.revisions) == len(old.revisions) + 1
