"""Finding reports: text, json (and more formats as they are added)."""
from __future__ import annotations

import json

from ..common.findings import Finding

SUMMARY = {
    "en": "{errors} error(s), {warnings} warning(s) in {files} file(s)",
    "zh-CN": "共 {errors} 个错误，{warnings} 个警告，涉及 {files} 个文件",
}


def counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == "error")
    return errors, len(findings) - errors


def as_text(findings: list[Finding], lang: str = "zh-CN") -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message(lang)}" for f in findings]
    errors, warnings = counts(findings)
    files = len({f.path for f in findings})
    lines.append(SUMMARY.get(lang, SUMMARY["en"]).format(errors=errors, warnings=warnings, files=files))
    return "\n".join(lines) + "\n"


def as_json(findings: list[Finding], lang: str = "zh-CN") -> str:
    errors, warnings = counts(findings)
    data = {
        "findings": [
            {"severity": f.severity, "rule": f.rule, "path": f.path, "line": f.line,
             "column": f.column, "message": f.message(lang)}
            for f in findings
        ],
        "errors": errors,
        "warnings": warnings,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


FORMATS = {"text": as_text, "json": as_json}


# -- rule descriptions (SARIF tool.driver.rules) -------------------------------
RULE_TEXT = {
    "schema": ("A field has the wrong type, is missing or unknown", "字段类型错误、缺失或未知"),
    "duplicate-key": ("A YAML key is written twice", "YAML 键重复"),
    "yaml-syntax": ("The YAML cannot be read", "YAML 语法错误"),
    "yaml-alias": ("YAML anchors and aliases are not allowed", "不允许使用 YAML 锚点和别名"),
    "yaml-tag": ("A YAML tag is not allowed", "不允许使用该 YAML 标签"),
    "yaml-too-large": ("The YAML has too many nodes", "YAML 节点过多"),
    "encoding": ("The file is not UTF-8", "文件不是 UTF-8 编码"),
    "empty-file": ("The file is empty", "文件为空"),
    "file-too-large": ("The file is too large", "文件过大"),
    "front-matter": ("The document's front matter is missing or not closed", "文件头缺失或未闭合"),
    "missing-file": ("A required file is missing", "缺少必需的文件"),
    "duplicate-code": ("Two documents have the same code", "文件编号重复"),
    "duplicate-form": ("Two forms have the same id", "表单编号重复"),
    "duplicate-role": ("A role is defined twice", "角色重复定义"),
    "code-scheme": ("A code does not follow the manual's code scheme", "编号不符合编号规则"),
    "code-year": ("A code carries another edition's year", "编号年份与本版不符"),
    "code-gap": ("A gap in a chapter's numbering", "章节编号不连续"),
    "chapter-list": ("The chapter list and the documents disagree", "章节目录与文件不一致"),
    "ref-document": ("A reference to a document that does not exist", "引用了不存在的文件"),
    "ref-form": ("A reference to a form that does not exist", "引用了不存在的表单"),
    "ref-role": ("A role that manual/roles.yaml does not define", "角色未在 manual/roles.yaml 中定义"),
    "unused-form": ("A form that no document uses", "没有文件引用的表单"),
    "signoff-complete": ("A document in force without a full sign-off", "生效文件的编制/审核/批准签署不完整"),
    "signoff-order": ("Sign-off dates out of order", "签署日期顺序错误"),
    "approval-stale": ("The content changed after it was signed", "签署后内容已改动，签署失效"),
    "approval-unfingerprinted": ("A sign-off without a content fingerprint", "签署没有内容指纹"),
    "version-bump": ("Changed content without a new version and revision entry", "内容改动但未升级版本、未记修订"),
    "revision-history": ("The revision history does not end at the current version", "修订记录的最后版本与当前版本不符"),
    "revision-order": ("Revision versions or dates out of order", "修订记录的版本或日期顺序错误"),
    "review-overdue": ("A document is overdue for review", "文件评审已逾期"),
    "org-tree": ("Reporting lines that do not form one tree under the department head",
                 "汇报关系未构成以部门负责人为根的组织树"),
    "job-coverage": ("A staffed role without a job description", "有编制的岗位没有岗位职责"),
    "staffing-total": ("Headcounts that do not add up to the authorized headcount", "各岗位人数合计与核定人数不符"),
    "sod-same-person": ("The preparer is also the approver", "编制人与批准人为同一人"),
    "sod-role": ("A role that may not sign this step", "该岗位无权签署此步骤"),
    "term-forbidden": ("A forbidden or legacy term in the text", "正文使用了禁用词"),
    "citation-unknown": ("A 《title》 that names no form or document", "《》中的名称不是本手册的表单或文件"),
    "company-name": ("A misspelt company name", "公司名称与标准名称不一致"),
}


def rule_text(rule: str, lang: str = "zh-CN") -> str:
    """A one-line description of ``rule`` in ``lang``."""
    if rule in RULE_TEXT:
        en, zh = RULE_TEXT[rule]
        return en if lang == "en" else zh
    from . import RULES, _load_all

    _load_all()
    doc = (getattr(RULES.get(rule), "__doc__", None) or "").strip()
    return doc.splitlines()[0] if doc else rule


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("manual-as-code")
    except Exception:  # noqa: BLE001 - not installed: the version is informative only
        return "0"


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def as_sarif(findings: list[Finding], lang: str = "zh-CN") -> str:
    """SARIF 2.1.0 for code-scanning dashboards.

    Paths are relative to the manual's folder (``uriBaseId`` ``%SRCROOT%``);
    columns count Unicode code points (``columnKind``).
    """
    from urllib.parse import quote

    rules = sorted({f.rule for f in findings})
    index = {rule: i for i, rule in enumerate(rules)}
    driver = {
        "name": "manual",
        "fullName": "manual check (the manual as code)",
        "version": _version(),
        "rules": [{"id": rule, "name": rule,
                   "shortDescription": {"text": rule_text(rule, lang)}} for rule in rules],
    }
    results = [{
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": "error" if f.severity == "error" else "warning",
        "message": {"text": f.message(lang)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": quote(f.path), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(int(f.line), 1), "startColumn": max(int(f.column), 1)},
        }}],
    } for f in findings]
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "language": lang,
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: list[Finding], lang: str = "zh-CN") -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per finding."""
    lines = []
    for f in findings:
        kind = "error" if f.severity == "error" else "warning"
        props = ",".join([f"file={_gh_property(f.path)}", f"line={int(f.line)}", f"col={int(f.column)}",
                          f"title={_gh_property(f.rule)}"])
        lines.append(f"::{kind} {props}::{_gh_data(f.message(lang))}")
    errors, warnings = counts(findings)
    files = len({f.path for f in findings})
    lines.append(SUMMARY.get(lang, SUMMARY["en"]).format(errors=errors, warnings=warnings, files=files))
    return "\n".join(lines) + "\n"
