"""Finding reports: text, json (and more formats as they are added)."""
from __future__ import annotations

import json

from ..common.findings import LANGS, Finding
from ..labels import labels


def counts(findings: list[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == "error")
    return errors, len(findings) - errors


def summary(findings: list[Finding], lang: str = "zh-CN") -> str:
    """The report's last line: how many errors and warnings in how many files (English for a language
    the catalogue does not have, as a finding's message)."""
    errors, warnings = counts(findings)
    files = len({f.path for f in findings})
    return labels(lang if lang in LANGS else "en")["report"]["summary"].format(
        errors=errors, warnings=warnings, files=files)


def as_text(findings: list[Finding], lang: str = "zh-CN") -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message(lang)}" for f in findings]
    lines.append(summary(findings, lang))
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
def rule_text(rule: str, lang: str = "zh-CN") -> str:
    """A one-line description of ``rule`` in ``lang`` (the catalogue's ``rules`` group)."""
    described = labels(lang)["rules"]
    if rule in described:
        return described[rule]
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
    lines.append(summary(findings, lang))
    return "\n".join(lines) + "\n"
