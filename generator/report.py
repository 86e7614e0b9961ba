"""Finding reports: text, json (and more formats as they are added)."""
from __future__ import annotations

import json

from .findings import Finding

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
