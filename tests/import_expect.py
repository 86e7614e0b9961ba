"""What the layout tests of `manual import` assert the same way (tests/test_import_layouts3.py,
tests/test_import_codes3.py): each input imported through the CLI, its documents, sections and clauses as
expected, no text lost, the planted defects reported by `manual check`."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import yaml

from conftest import run_cli
from test_import_legacy import CODE, LABELS, check_json, documents, findings_of, normalise, normalise_all, written_text

from generator.read.markdown import clauses, parse


def import_each(folder: Path, inputs: dict[str, tuple[Path, list[str]]]) -> dict[str, tuple[list[str], Path]]:
    """{name: (the input's lines, the imported manual)}: every input imported with `manual import … -q`."""
    out = {}
    for name, (path, texts) in inputs.items():
        target = folder / f"{name}-out"
        result = run_cli("import", path, "--out", target, "-q")
        assert result.returncode == 0 and "Traceback" not in result.stderr, (name, result.stderr)
        out[name] = (texts, target)
    return out


def report_of(root: Path) -> str:
    return (root / "import-report.md").read_text(encoding="utf-8")


def assert_documents(root: Path, expected: dict) -> None:
    """The documents (code, title, sections, clauses) of ``expected["documents"]``, the report's table saying the
    same, and manual.yaml's company, year and chapters."""
    docs = documents(root)
    assert list(docs) == sorted(code for code, *_ in expected["documents"])
    report = report_of(root)
    for code, title, sections, count in expected["documents"]:
        meta, body = docs[code]
        blocks = parse(body, 1)
        assert meta["title"] == title and meta["imported"] is True, code
        assert (sum(1 for b in blocks if b.kind == "heading"), len(list(clauses(blocks)))) == (sections, count), \
            (code, body)
        assert re.search(rf"^\| {re.escape(code)} \| {title} \| \w+ \| [^|]+ \| {sections} \| {count} \|", report, re.M)
    config = yaml.safe_load((root / "manual/manual.yaml").read_text(encoding="utf-8"))
    assert config["company"]["name"] == expected["company"]
    assert config["code_scheme"]["year"] == expected["year"]
    assert [c for chapter in config["chapters"] for c in chapter["documents"]] == [c for c, *_ in expected["documents"]]


def assert_nothing_lost(lines: list[str], root: Path, control: re.Pattern, given: int | None = None) -> None:
    """Every character of ``lines`` (less the control labels ``control`` matches) in the written files or the
    report's 未导入, each body line in one piece, and the report's counts adding up to ``given`` paragraphs (the
    non-empty lines when not given)."""
    out = normalise_all(written_text(root))
    needed = Counter("".join(control.sub("", normalise(p)) for p in lines))
    missing = needed - Counter(out)
    assert not missing, "".join(sorted(missing.elements()))
    for line in lines:  # each body line in one piece
        if LABELS.search(line) or control.search(line) or CODE.search(line) or re.search(r"\d{4}\s*[年.\-/]", line):
            continue
        assert normalise(line) in out, line
    report = report_of(root)
    total, taken, left = map(int, re.search(r"段落（表格按单元格计）：输入 (\d+)，导入 (\d+)，未导入 (\d+)", report).groups())
    assert total == taken + left == (given if given is not None else sum(1 for p in lines if p.strip()))
    listed = report.split("## 未导入 / not imported", 1)[1]
    assert left == len(re.findall(r"^- 第 \d+ [行段]（", listed, re.M))


def assert_planted_defects(root: Path, expected: dict) -> dict:
    """`manual check` reports each planted defect of ``expected`` at its document (code of another year, blank
    批准 with an incomplete date, an unknown 《form》, another company) and no structural finding; its JSON."""
    data = check_json(root)
    path = "policies/{}.md".format
    for code in expected["code_year"]:
        assert findings_of(data, "code-year", path(code)), data["findings"]
    assert not [f for f in data["findings"] if f["rule"] == "code-year" and f["path"] not in map(path, expected["code_year"])]
    for code in expected["blank_approver"]:
        hits = findings_of(data, "signoff-complete", path(code))
        assert [f for f in hits if "批准" in f["message"] and "name" in f["message"]], hits
        assert [f for f in hits if "年月日" in f["message"]], hits
    for code, title in expected["unknown_form"]:
        assert [f for f in findings_of(data, "citation-unknown", path(code)) if title in f["message"]], data["findings"]
    for code, company in expected["foreign"]:
        hits = [f for f in findings_of(data, "company-foreign", path(code))
                if re.match(r"'([^']+)'", f["message"]).group(1) in company]
        assert hits, data["findings"]
    assert not [f for f in data["findings"] if f["rule"] in ("duplicate-code", "code-scheme", "chapter-list",
                                                              "file-name", "front-matter")]
    return data
