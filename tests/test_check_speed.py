"""`manual check` made fast (issue #10) finds exactly what the plain way finds.

Each shortcut is compared with the way it replaces, on the shipped manual, the
broken fixtures and a 300-document synthetic manual full of defects:

* the YAML fast path (``yamlsrc._load_simple``) against libyaml's composer,
  also on thousands of random mutations of real source files;
* reading in two processes (``reader.read_files``) against reading in one,
  including a copy that fails;
* the rules' shared prose (``rules.memo``) against each rule run on its own;
* the CLI's JSON report against the in-process, one-process check.

Speed itself is never asserted here (bench/run.py measures it).
"""
from __future__ import annotations

import json
import random
import re
import sys
import time
from pathlib import Path

import pytest

from conftest import BROKEN, MINIMAL, REPO, copy_manual, overlay, run_cli
from generator.read import reader, yamlsrc
from generator.rules import report
from generator import rules
from generator.rules.check import check

sys.path.insert(0, str(REPO / "bench"))


# -- a synthetic manual with defects of every kind -------------------------------------------
def dirty_manual(out: Path, documents: int = 300, readable: bool = True) -> Path:
    """bench/synth.py's manual, with forbidden terms, unknown citations, misspelt company names,
    duplicate keys, schema errors, unknown references, tables, quotes, code blocks, CRLF and BOMs;
    ``readable=False`` adds files that cannot be read at all (syntax, aliases, encoding, empty)."""
    import synth

    synth.write_manual(out, documents, max(1, documents // 10))
    config = out / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "terminology:\n  forbidden:\n"
                      "    - {term: 蜀瑞, use: 属瑞, why: 误写}\n    - {term: 库存周期, use: 周转期}\n"
                      "    - {term: 示列集团}\n", encoding="utf-8")
    policies = sorted((out / "policies").glob("*.md"))
    for i, path in enumerate(policies):
        text = path.read_text(encoding="utf-8")
        if i % 7 == 0:
            text = text.replace("## 二、适用范围", "## 二、适用范围\n\n蜀瑞公司与示列集团有限公司、示例集圑有限公司签约，"
                                "见《不存在的表》和《业务记录表9999》。\n")
        if i % 11 == 0:
            text = text.replace("owner: 业务经理", "owner: 业务经理\ntitle: 重复标题")
        if i % 13 == 0:
            text = text.replace("version: '1.0'\nstatus", "version: 1.0\nstatus")
        if i % 17 == 0:
            text = text.replace("kind: policy", "kind: policy\nkindd: x")
        if i % 19 == 0:
            text = text.replace("references: {documents: [", "references: {documents: [9999-2014, ")
        if i % 23 == 0:
            text = text.replace("effective: 2014-05-20", "effective: 2014-05")
        if i % 41 == 0:
            text = text.replace("approved: {name: 示例丙, role: 总经理", "approved: {name: 示例甲, role: 业务经理")
        if i % 43 == 0:
            text = text.replace("\n", "\r\n")
        if i % 47 == 0:
            text = "\ufeff" + text
        if i % 53 == 0:
            text = text.replace("1. ", "1. 库存\n   周期很长。", 1)
        if i % 59 == 0:
            text = text.replace("title: 业务管理制度", "title: 业务管理制度蜀瑞")
        if i % 61 == 0:
            text = text.replace("## 一、目的", "## 一、目的\n\n| 表 | 说明 |\n|---|---|\n| 《没有的表》 | 蜀瑞 |\n\n"
                                "> 引用 示列集团有限公司\n\n```\n蜀瑞 code\n```\n")
        if i % 67 == 0:
            text = re.sub(r"title: (业务管理制度\d+)", r"title: '\1''甲'", text).replace("kind: policy", 'kind: "policy"')
        if not readable:
            if i % 29 == 0:
                text = text.replace("owner: 业务经理", "owner: 业务经理\n  bad: indent: here")
            if i % 31 == 0:
                text = text.replace("signoff:", "x: &a [1]\ny: *a\nsignoff:")
            if i % 37 == 0:
                text = text.replace("\n---\n\n", "\n\n", 1)
            if i % 71 == 0:
                text = text.replace("effective: 2014-05-20", "effective: 2014-13-45")
        path.write_bytes(text.encode("utf-8"))
    forms = sorted((out / "forms").glob("*.yaml"))
    for i, path in enumerate(forms):
        text = path.read_text(encoding="utf-8")
        if i % 5 == 0:
            text = text.replace("label: 说明", "label: 说明蜀瑞 见《无此表》")
        if i % 7 == 0:
            text = text.replace("id: form-", "id: form-000", 1)
        if i % 9 == 0:
            text = text.replace("options: [上门, 电话]", "options: []")
        if i % 11 == 0:
            text = text.replace("paper: A4", "paper: A4\npaper: A3")
        path.write_text(text, encoding="utf-8")
    if not readable:
        policies[5].write_bytes(b"")
        policies[6].write_bytes("---\ncode: x\n".encode("utf-8"))
        policies[8].write_bytes("---\ncode: 0101-2014\n---\n\n正文".encode("utf-8") + b"\xff\xfe")
        forms[3].write_text("id: [unclosed\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> Path:
    return dirty_manual(tmp_path_factory.mktemp("dirty") / "m")


@pytest.fixture(scope="module")
def dirty_unreadable(tmp_path_factory) -> Path:
    return dirty_manual(tmp_path_factory.mktemp("unreadable") / "m", readable=False)


def as_rows(findings):
    return [(f.severity, f.rule, f.path, f.line, f.column, f.message("zh-CN"), f.message("en")) for f in findings]


def model_state(manual):
    """Everything the readers put into the model, as comparable plain values."""
    docs = [(d.path, repr(d.meta), d.positions, d.body, d.body_line, d.blocks, d.source_sha256)
            for d in manual.documents]
    forms = [(f.path, repr(f.meta), f.positions, f.source_sha256) for f in manual.forms.values()]
    return docs, forms, sorted(manual.unreadable), repr(manual.config), repr(manual.org)


# -- the YAML fast path -------------------------------------------------------------------
def _full(text: str, offset: int = 0):
    """libyaml's composer alone (the fast path switched off)."""
    original = yamlsrc._load_simple
    yamlsrc._load_simple = lambda text, line_offset: None
    try:
        return _outcome(text, offset)
    finally:
        yamlsrc._load_simple = original


def _outcome(text: str, offset: int = 0):
    try:
        data, positions = yamlsrc.load_yaml(text, offset)
    except yamlsrc.SourceError as exc:
        return ("error", exc.rule, exc.message, exc.line, exc.column)
    # repr keeps the types apart (1 and 1.0 and True, dates and their text)
    return ("data", repr(data), dict(positions.spots) if positions else None,
            list(positions.duplicates) if positions else None)


def _yaml_texts():
    texts = []
    paths = sorted([*REPO.glob("policies/*.md"), *REPO.glob("forms/*.yaml"), *REPO.glob("manual/*.yaml"),
                    *(REPO / "tests" / "fixtures").rglob("*.md"), *(REPO / "tests" / "fixtures").rglob("*.yaml")])
    for path in paths:
        if path.name == "expect.yaml":
            continue
        try:
            text = yamlsrc.read_text(path)
            texts.append(reader.split_front_matter(text)[0] if path.suffix == ".md" else text)
        except yamlsrc.SourceError:
            continue
    return texts


def test_fast_yaml_path_reads_the_shipped_sources_as_libyaml_does():
    texts = _yaml_texts()
    assert len(texts) > 60
    fast = [t for t in texts if yamlsrc._load_simple(t, 0) is not None]
    shipped = [yamlsrc.read_text(p) for p in sorted(REPO.glob("forms/*.yaml"))]
    assert all(yamlsrc._load_simple(t, 0) is not None for t in shipped)  # the fast path is really taken
    assert len(fast) > len(texts) * 3 // 4
    for text in texts:
        assert _outcome(text, 4) == _full(text, 4), text[:200]


CORNERS = [
    "a: 1\nb: 1.5\nc: true\nd: yes\ne: ~\nf: null\ng: 2014-05-20\nh: 2014-5-2\ni: 0x1f\nj: 1_000\nk: 1:20\nl: .inf\n",
    "a: '1.0'\nb: \"2.0\"\nc: 'it''s'\nd: 'x' # comment\ne: x # comment\nf: x#y\ng: sha256:8f54c3\n",
    "a: {b: 1, c: [x, 'y', \"z\"], d: {e: []}, f: {}}\ng: [ a , b ]\nh: [a:b, c]\ni: {j: , k: 1}\n",
    "a:\n  - {b: 1}\n  - c: 2\n    d: [3]\n  - plain text\nb:\n- x\n- y\nc:\n  d:\n    e: 1\n",
    "a: 1\na: 2\nb: {c: 1, c: 2}\nd:\n  - {e: 1, e: 2}\n",
    "on: 1\noff: 2\nNull: 3\nTrue: 4\n",
    "a: x: y\n", "a: [1, 2\n", "a: 'open\n", "a: \"esc\\n\"\n", "a: |\n  block\n", "a: >\n  folded\n",
    "a: multi\n  line\n", "- a\n- b\n", "plain\n", "a:\n", "a: &x 1\nb: *x\n", "<<: {a: 1}\n", "a: !!str 1\n",
    "a: 2014-13-45\n", "? a\n: 1\n", "a: 1\n---\nb: 2\n", "a:\tb\n", "a: x\u2028y\n", "a: x\x85y\n", "a: \ufeffx\n",
    "a: [x,]\n", "a: {b: 1,}\n", "a: - x\n", "a: -1\nb: -x\nc: ?x\nd: :x\n", "  a: 1\n", "a: 1\n  b: 2\n",
    "a: {b: [c, {d: e}], f: 'g'}\n", "a: 1 # c\n# full line\n\n  # indented comment\nb: 2\n", "",
    "a: x  y\nb: {c: x  y}\nc: 'a  b'\n", "k" * 1100 + ": 1\n", "b: {" + "k" * 1100 + ": 1}\n", "a: R&D\nb: [R&D, x*y]\n",
    "a: =\nb: <<\n", "a: 中文：冒号\nb: {c: 中文，逗号}\nd: 《书名》\n", "a: 1e3\nb: +1\nc: 0o17\n",
]


@pytest.mark.parametrize("text", CORNERS)
def test_fast_yaml_path_corner_cases_match_libyaml(text):
    assert _outcome(text, 2) == _full(text, 2)


def test_remembered_flow_lines_are_copied_not_shared():
    """The same sign-off line in two files gives two independent mappings."""
    text = "signoff:\n  prepared: {name: 甲, role: 经理, date: 2014-05-12, tags: [a, b]}\n"
    first, _ = yamlsrc.load_yaml(text)
    second, positions = yamlsrc.load_yaml("x: 1\n" + text, 10)
    assert first == {"signoff": second["signoff"]}
    first["signoff"]["prepared"]["name"] = "乙"
    first["signoff"]["prepared"]["tags"].append("c")
    assert second["signoff"]["prepared"] == {"name": "甲", "role": "经理", "date": second["signoff"]["prepared"]["date"],
                                             "tags": ["a", "b"]}
    line = text.splitlines()[1]
    assert positions.at(("signoff", "prepared", "tags", 1)) == (13, line.index("b]") + 1)  # its own line and column


def test_fast_yaml_path_matches_libyaml_on_random_mutations():
    """Random edits of real files: where the fast path answers, it answers as libyaml does."""
    texts = _yaml_texts()
    pieces = list(":-#'\" {}[],\n&*!|>?%@`") + [
        "  ", "\t", "yes", "1.5", "2014-05-20", "~", "null", "0x1f", "：", "x", "\\", "''", "\u3000", "\x85",
        "\u2028", "key: ", "- ", "\n  ", "\n- ", ": ", "0o17", "1_000", ".inf", "1:20", "\n    ", " # c", "x:y",
        "\x00", "\ufeff", "<<", "2014-05-20T10:00:00Z"]
    rng = random.Random(20261128)
    taken = 0
    for _ in range(3000):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.6:
                text = text[:at] + rng.choice(pieces) + text[at:]
            else:
                text = text[:at] + text[at + rng.randint(1, 4):]
        taken += yamlsrc._load_simple(text, 1) is not None
        assert _outcome(text, 1) == _full(text, 1), repr(text[:300])
    assert taken > 300  # the mutations do reach the fast path


# -- reading in two processes ---------------------------------------------------------------
def test_two_processes_read_the_same_model_and_findings(dirty):
    one_manual, one = check(dirty, jobs=1)
    two_manual, two = check(dirty, jobs=2)
    assert as_rows(one) == as_rows(two)
    assert model_state(one_manual) == model_state(two_manual)
    rules_found = {f.rule for f in one}
    assert {"term-forbidden", "citation-unknown", "company-name", "schema", "duplicate-key",
            "ref-document"} <= rules_found


def test_two_processes_with_unreadable_files(dirty_unreadable):
    one_manual, one = check(dirty_unreadable, jobs=1)
    two_manual, two = check(dirty_unreadable, jobs=2)
    assert as_rows(one) == as_rows(two)
    assert model_state(one_manual) == model_state(two_manual)
    assert {"yaml-syntax", "yaml-alias", "front-matter", "empty-file", "encoding"} <= {f.rule for f in one}


@pytest.mark.parametrize("case", sorted(p.name for p in BROKEN.iterdir() if (p / "expect.yaml").is_file()))
def test_two_processes_on_each_broken_fixture(case, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    overlay(BROKEN / case, root)
    one_manual, one = check(root, jobs=1)
    two_manual, two = check(root, jobs=2)
    assert as_rows(one) == as_rows(two)
    assert model_state(one_manual) == model_state(two_manual)


def test_a_failing_reader_process_is_replaced_by_reading_here(dirty, monkeypatch):
    """The forked copy dies before it answers: its share is read in this process, nothing is lost."""
    expected_manual, expected = check(dirty, jobs=1)

    def broken_pack(results):
        raise RuntimeError("the copy fails")

    monkeypatch.setattr(reader, "_pack", broken_pack)
    manual, found = check(dirty, jobs=2)
    assert as_rows(found) == as_rows(expected)
    assert model_state(manual) == model_state(expected_manual)


def test_a_reader_process_that_dies_halfway_loses_nothing(dirty, monkeypatch):
    """The copy delivers two chunks and is killed in the middle of its third: those chunks are read here."""
    import os

    expected_manual, expected = check(dirty, jobs=1)
    parent = os.getpid()
    done, read_here = [], []
    original = reader._read_here

    def dying(root, tasks):
        if os.getpid() != parent:
            done.append(1)
            if len(done) == 3:
                os.kill(os.getpid(), 9)
        else:
            read_here.append(len(tasks))
            time.sleep(0.02)  # leave the copy time to take its chunks, however busy the machine
        return original(root, tasks)

    monkeypatch.setattr(reader, "_read_here", dying)
    manual, found = check(dirty, jobs=2)
    assert as_rows(found) == as_rows(expected)
    assert model_state(manual) == model_state(expected_manual)
    files = len(list((dirty / "policies").glob("*.md"))) + len(list((dirty / "forms").glob("*.yaml")))
    delivered = files - sum(read_here)
    assert 0 < delivered <= 2 * max(read_here)  # two chunks came from the copy, the rest was read here


def test_a_file_that_cannot_be_opened_is_reported_as_in_one_process(tmp_path):
    """Two folders named like documents: both ways stop at the first one, in file order."""
    root = dirty_manual(tmp_path / "m", documents=220)
    (root / "policies" / "0102-2014.md").unlink()
    (root / "policies" / "0102-2014.md").mkdir()
    (root / "policies" / "0399-2014.md").mkdir()
    errors = []
    for jobs in (1, 2, 2):
        with pytest.raises(OSError) as caught:
            check(root, jobs=jobs)
        errors.append((type(caught.value), caught.value.filename))
    assert errors[0][1].endswith("0102-2014.md")
    assert errors == [errors[0]] * 3
    result = run_cli("check", "--root", root)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "0102-2014.md" in result.stderr


def test_no_temporary_folder_means_one_process(dirty, monkeypatch):
    expected_manual, expected = check(dirty, jobs=1)

    def no_temporary_file(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    def no_fork():
        raise AssertionError("forked without a place for the copy's answers")

    monkeypatch.setattr(reader.tempfile, "TemporaryFile", no_temporary_file)
    monkeypatch.setattr(reader.os, "fork", no_fork)
    manual, found = check(dirty, jobs=2)
    assert as_rows(found) == as_rows(expected)
    assert model_state(manual) == model_state(expected_manual)


def test_a_large_manual_forks_only_when_a_core_is_free(dirty, monkeypatch):
    """300 documents: two processes when a core is free, one when every core is busy; same findings."""
    import os

    forks = []
    real_fork = os.fork

    def counting_fork():
        forks.append(1)
        return real_fork()

    monkeypatch.setattr(reader.os, "fork", counting_fork)
    monkeypatch.setattr(reader.threading, "active_count", lambda: 1)  # as in the `manual` command
    found = {}
    for free in (True, False):
        monkeypatch.setattr(reader, "_spare_core", lambda cores, free=free: free)
        found[free] = as_rows(check(dirty)[1])
    assert len(forks) == 1
    assert found[True] == found[False]


def test_small_manuals_are_read_in_one_process(monkeypatch):
    """Below PARALLEL_MIN_FILES no process is started (the shipped manual pays no start-up)."""
    def no_fork():
        raise AssertionError("forked for a small manual")

    monkeypatch.setattr(reader.os, "fork", no_fork)
    manual, findings = check(REPO)
    assert len(manual.documents) >= 14 and not [f for f in findings if f.severity == "error"]


def test_cli_json_of_a_large_manual_equals_the_one_process_check(dirty):
    """`manual check` as a user runs it (300 documents: two processes) prints what one process finds."""
    _, findings = check(dirty, jobs=1)
    for lang in ("zh-CN", "en"):
        result = run_cli("check", "--root", dirty, "--format", "json", "--lang", lang)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert json.loads(result.stdout) == json.loads(report.as_json(findings, lang))
    result = run_cli("check", "--root", dirty)
    assert result.stdout == report.as_text(findings, "zh-CN")


# -- rules that share their prose ------------------------------------------------------------------
def test_each_rule_alone_finds_what_it_finds_in_a_full_run(dirty):
    manual, _ = check(dirty, jobs=1)
    together = rules.run_rules(manual)
    assert "_rules_memo" not in manual.__dict__  # nothing of a run is left on the model
    alone = []
    for name in sorted(rules.RULES):
        alone.extend(rules.RULES[name](manual))
    assert as_rows(together) == as_rows(alone)
