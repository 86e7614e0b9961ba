"""Form templates: unique field names, labels, options, table columns, codes."""
from __future__ import annotations

import re

from ..model import formspec
from ..common.findings import error
from . import rule


def _fields(form):
    """(path to the field in the YAML, field) for every field of the form."""
    for si, section in enumerate(form.meta.get("sections") or []):
        if isinstance(section, dict):
            for fi, f in enumerate(section.get("fields") or []):
                if isinstance(f, dict):
                    yield ("sections", si, "fields", fi), f
    for fi, f in enumerate(form.meta.get("fields") or []):
        if isinstance(f, dict):
            yield ("fields", fi), f


@rule("form-field-unique")
def form_field_unique(manual):
    """Field ids are unique within a form, and so are the PDF field names made from them
    (``issues_1_2`` of a table, ``channels_1`` of a multichoice, ``sign_date`` of a signature)."""
    findings = []
    for form in manual.forms.values():
        seen: dict[str, tuple] = {}
        for path, f in _fields(form):
            fid = f.get("id")
            if not isinstance(fid, str) or not fid:
                continue
            if fid in seen:
                first = form.loc(*seen[fid], "id")
                findings.append(error("form-field-unique", form.loc(*path, "id"),
                                      f"the field id '{fid}' is already used on line {first.line} of this form",
                                      f"字段编号 '{fid}' 已在本表单第 {first.line} 行使用"))
            else:
                seen[fid] = path
        # Names the outputs derive from the ids must not collide with another field's name.
        owner = {}
        for pf in formspec.pdf_fields(form):
            if pf.name in owner and owner[pf.name] is not pf.field:
                other = owner[pf.name]
                a, b = other.id, pf.field.id
                if a == b:
                    continue  # a duplicate id, reported above
                findings.append(error("form-field-unique", form.loc(*pf.field.path, "id"),
                                      f"the field '{b}' makes the PDF field name '{pf.name}', which the field "
                                      f"'{a}' also makes; rename one of them",
                                      f"字段 '{b}' 生成的 PDF 字段名 '{pf.name}' 与字段 '{a}' 的重复；请重命名其一"))
            else:
                owner.setdefault(pf.name, pf.field)
    return findings


@rule("form-field-label")
def form_field_label(manual):
    findings = []
    for form in manual.forms.values():
        for path, f in _fields(form):
            label = f.get("label")
            if not isinstance(label, str) or not label.strip():
                fid = f.get("id", "?")
                at = form.loc(*path, "label") if "label" in f else form.loc(*path, "id")
                findings.append(error("form-field-label", at,
                                      f"the field '{fid}' has no label; every field needs the words printed "
                                      "beside its box",
                                      f"字段 '{fid}' 缺少标签（label）；每个字段都需要印在填写框旁的名称"))
    return findings


@rule("form-choice-options")
def form_choice_options(manual):
    findings = []
    for form in manual.forms.values():
        for path, f in _fields(form):
            kind = f.get("type")
            if kind not in ("choice", "multichoice"):
                continue
            opts = f.get("options")
            fid = f.get("id", "?")
            if not isinstance(opts, list) or not opts:
                at = form.loc(*path, "options") if "options" in f else form.loc(*path, "type")
                findings.append(error("form-choice-options", at,
                                      f"the {kind} field '{fid}' has no options; list them under options:",
                                      f"选择字段 '{fid}' 没有选项；请在 options: 下列出"))
                continue
            seen = set()
            for i, opt in enumerate(opts):
                if opt in seen:
                    findings.append(error("form-choice-options", form.loc(*path, "options", i),
                                          f"the option '{opt}' of '{fid}' is listed twice",
                                          f"字段 '{fid}' 的选项 '{opt}' 重复"))
                seen.add(opt)
    return findings


@rule("form-table-columns")
def form_table_columns(manual):
    findings = []
    for form in manual.forms.values():
        for path, f in _fields(form):
            if f.get("type") != "table":
                continue
            fid = f.get("id", "?")
            cols = f.get("columns")
            if not isinstance(cols, list) or not cols:
                at = form.loc(*path, "columns") if "columns" in f else form.loc(*path, "type")
                findings.append(error("form-table-columns", at,
                                      f"the table '{fid}' has no columns; list them under columns:",
                                      f"表格字段 '{fid}' 没有定义列；请在 columns: 下列出"))
            else:
                seen = set()
                typed = next(fld for fld in form.fields() if fld.path == path)
                for i, col in enumerate(formspec.columns(typed)):
                    if col.id in seen:
                        findings.append(error("form-table-columns", form.loc(*path, "columns", i),
                                              f"the column id '{col.id}' of the table '{fid}' is used twice",
                                              f"表格字段 '{fid}' 的列编号 '{col.id}' 重复"))
                    seen.add(col.id)
            if not isinstance(f.get("rows"), int):
                findings.append(error("form-table-columns", form.loc(*path, "type"),
                                      f"the table '{fid}' has no rows: say how many lines to print (rows: 5)",
                                      f"表格字段 '{fid}' 未指定行数；请写明打印的行数（rows: 5）"))
    return findings


@rule("form-code")
def form_code(manual):
    """A form's code follows ``code_scheme.form_pattern`` when the manual sets one."""
    scheme = manual.config.get("code_scheme") or {}
    pattern = scheme.get("form_pattern")
    if not isinstance(pattern, str) or not pattern:
        return []
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return [error("form-code", manual.config_loc("code_scheme", "form_pattern"),
                      f"the form code pattern is not a valid regular expression: {exc}",
                      f"表单编号格式不是有效的正则表达式：{exc}")]
    findings = []
    seen: dict[str, str] = {}
    for form in manual.forms.values():
        if not form.code:
            continue
        if not compiled.fullmatch(form.code):
            findings.append(error("form-code", form.loc("code"),
                                  f"the form code '{form.code}' does not follow the manual's form code "
                                  f"scheme {pattern}",
                                  f"表单编号 '{form.code}' 不符合本手册的表单编号规则 {pattern}"))
        if form.code in seen:
            findings.append(error("form-code", form.loc("code"),
                                  f"the form code '{form.code}' is already used by {seen[form.code]}",
                                  f"表单编号 '{form.code}' 已被 {seen[form.code]} 使用"))
        else:
            seen[form.code] = form.path
    return findings
