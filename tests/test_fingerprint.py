"""Fingerprints: formatting does not count, content and org data do, administration does not."""
from __future__ import annotations

import re

import pytest

from conftest import MINIMAL, REPO, copy_manual
from generator.model.fingerprint import fingerprint, normative
from generator.model.build import read_manual

DOC = "policies/0101-2020.md"


def _fp(root, code="0101-2020"):
    manual, _ = read_manual(root)
    item = manual.document(code) or manual.forms.get(code)
    return fingerprint(item, manual)


def _edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def base(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    return root, _fp(root)


def test_shape_and_determinism(base):
    root, fp = base
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", fp)
    assert _fp(root) == fp
    assert _fp(root, "0102-2020") != fp
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", _fp(root, "visit-record"))


FORMATTING = [
    ("blank lines and trailing spaces", "1. 业务员每月回访重要客户一次以上。\n", "1. 业务员每月回访重要客户一次以上。   \n\n"),
    ("line wrapping inside a clause", "1. 业务员每月回访重要客户一次以上。", "1. 业务员每月回访\n   重要客户一次以上。"),
    ("lazy list numbering", "3. 回访后填写", "1. 回访后填写"),
    ("nested list indentation", "   1. 客户名册；\n   2. 产品目录。", "    1. 客户名册；\n    1. 产品目录。"),
    ("spaces after the clause number", "1. 业务员", "1.   业务员"),
    ("heading spacing", "## 一、回访", "##   一、回访  "),
    ("sign-off", "approved: {name: 王五, role: 总经理, date: 2020-02-20}",
     "approved: {name: 王六, role: 总经理, date: 2020-02-21, sample: true}"),
    ("status and version", 'version: "1.0"\nstatus: effective', 'version: "1.2"\nstatus: approved'),
    ("revisions", "summary: 首次发布", "summary: 第一版"),
    ("last review", "last_review: 2020-03-01", "last_review: 2021-03-01"),
    ("the effective date (set when published)", "effective: 2020-03-01", "effective: 2020-04-01"),
    ("YAML comments and quoting", "owner: 业务经理", "owner: \"业务经理\"   # 归口岗位"),
]


@pytest.mark.parametrize("what,old,new", FORMATTING, ids=[f[0] for f in FORMATTING])
def test_formatting_and_administration_do_not_count(base, what, old, new):
    root, fp = base
    _edit(root, DOC, old, new)
    assert _fp(root) == fp, what


CONTENT = [
    ("a clause's words", "每月回访", "每季度回访"),
    ("punctuation", "一次以上。", "一次以上；"),
    ("a new clause", "3. 回访后填写《客户回访记录表》。", "3. 回访后填写《客户回访记录表》。\n4. 回访记录存档。"),
    ("a sub-item becomes a clause", "   2. 产品目录。", "3. 产品目录。"),
    ("a clause number (list start)", "1. 业务员每月", "2. 业务员每月"),
    ("the heading level", "## 一、回访", "### 一、回访"),
    ("the title", "title: 客户回访制度", "title: 客户访问制度"),
    ("the owner", "owner: 业务经理", "owner: 业务员"),
    ("the forms used", "uses_forms: [visit-record]", "uses_forms: []"),
    ("the references", "roles: [业务员]", "roles: [业务员, 总经理]"),
    ("ASCII word spacing", "产品目录。", "产品 目录 A B。"),
    ("re-indenting that un-nests the sub-items", "2. 回访前", "2.  回访前"),
]


@pytest.mark.parametrize("what,old,new", CONTENT, ids=[c[0] for c in CONTENT])
def test_content_changes_count(base, what, old, new):
    root, fp = base
    _edit(root, DOC, old, new)
    assert _fp(root) != fp, what


def test_ascii_spacing_between_latin_words_counts_but_not_next_to_chinese(base):
    root, fp = base
    _edit(root, DOC, "产品目录。", "产品目录 ERP 系统。")
    spaced = _fp(root)
    _edit(root, DOC, "产品目录 ERP 系统。", "产品目录ERP系统。")
    assert _fp(root) == spaced  # a space next to a Chinese character is typography
    _edit(root, DOC, "产品目录ERP系统。", "产品目录ERPX系统。")
    assert _fp(root) != spaced


def test_form_fingerprint(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    fp = _fp(root, "visit-record")
    rel = "forms/visit-record.yaml"
    _edit(root, rel, 'version: "1.0"\nstatus: effective', 'version: "1.1"\nstatus: approved')
    _edit(root, rel, "{id: customer, label: 客户名称, type: text, required: true}",
          "{id: customer,   label: 客户名称,  type: text,  required: true}   # 客户")
    assert _fp(root, "visit-record") == fp
    _edit(root, rel, "label: 客户名称", "label: 客户全称")
    assert _fp(root, "visit-record") != fp


def _org_manual(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    _edit(root, "policies/0102-2020.md", "status: draft", "status: draft\nstaffing: true")
    return root


def test_documents_drawing_on_roles_cover_the_org_data(tmp_path):
    root = _org_manual(tmp_path)
    fp = _fp(root, "0102-2020")
    untouched = _fp(root, "0101-2020")
    _edit(root, "manual/roles.yaml", "{id: 业务员, reports_to: 业务经理, headcount: 2}",
          "{id: 业务员, reports_to: 业务经理, headcount: 2, en: Sales}   # 注释")
    assert _fp(root, "0102-2020") == fp  # English names and comments are not what 0102 shows
    _edit(root, "manual/roles.yaml", "headcount: 2", "headcount: 3")
    assert _fp(root, "0102-2020") != fp  # the staffing table changed
    assert _fp(root, "0101-2020") == untouched  # a plain policy does not draw on roles.yaml


def test_org_documents_need_the_manual(tmp_path):
    manual, _ = read_manual(_org_manual(tmp_path))
    doc = manual.document("0102-2020")
    with pytest.raises(ValueError, match="fingerprint\\(doc, manual\\)"):
        fingerprint(doc)
    assert "org" in normative(doc, manual)


def test_normative_content_is_documented_data(base):
    root, _ = base
    manual, _ = read_manual(root)
    data = normative(manual.document("0101-2020"), manual)
    assert set(data) == {"type", "code", "title", "kind", "owner", "uses_forms", "references", "body"}
    assert data["body"][1][1][1][2][0][1][0] == ["2.a", "客户名册；", []]


def test_every_shipped_item_has_a_fingerprint():
    """Runs on whatever the shipped manual holds; no item makes fingerprint() fail."""
    manual, _ = read_manual(REPO)
    for item in list(manual.documents) + list(manual.forms.values()):
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", fingerprint(item, manual)), item.path


def test_print_settings_do_not_reopen_the_manuals_own_approval(tmp_path):
    """A binding gutter changes how the manual is printed, not what it says: the cover's fingerprint stays."""
    from generator.model.fingerprint import manual_fingerprint

    root = copy_manual(REPO, tmp_path / "m")
    before = manual_fingerprint(read_manual(root)[0])
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "print: {binding_gutter_mm: 10}\n", encoding="utf-8")
    manual = read_manual(root)[0]
    assert manual.binding_gutter_mm == 10.0
    assert manual_fingerprint(manual) == before
    config.write_text(config.read_text(encoding="utf-8").replace("review:\n  default_months: 12",
                                                                 "review:\n  default_months: 6"), encoding="utf-8")
    assert manual_fingerprint(read_manual(root)[0]) != before  # what the manual says still counts
