"""Located findings: what a rule or reader reports.

A finding carries its message in every language the tool speaks (zh-CN
first, English second); the report chooses one with ``--lang``.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Location:
    path: str  # relative to the manual's root, with forward slashes
    line: int = 1
    column: int = 1


LANGS = ("zh-CN", "en")


@dataclass
class Finding:
    severity: str  # error | warning
    rule: str
    path: str
    line: int
    column: int
    messages: dict = field(default_factory=dict)  # lang -> text

    def message(self, lang: str = "zh-CN") -> str:
        return self.messages.get(lang) or self.messages.get("en") or next(iter(self.messages.values()), "")

    def sort_key(self):
        return (self.path, self.line, self.column, self.rule)


def error(rule: str, loc: Location, en: str, zh: str | None = None) -> Finding:
    return Finding("error", rule, loc.path, loc.line, loc.column, {"en": en, "zh-CN": zh or en})


def warning(rule: str, loc: Location, en: str, zh: str | None = None) -> Finding:
    return Finding("warning", rule, loc.path, loc.line, loc.column, {"en": en, "zh-CN": zh or en})
