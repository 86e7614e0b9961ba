"""Located findings: what a rule or reader reports.

A finding carries its message in every language the tool speaks (zh-CN
first, English second); the report chooses one with ``--lang``.  The words of
every message come from the label catalogue (``generator/labels/messages.yaml``,
group ``findings``): a finding is made from a message key and the values of its
``{placeholders}``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..labels import labels
from .suggest import closest


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


def texts(key: str, /, **values) -> dict[str, str]:
    """The catalogue's message ``findings.<key>`` in every language, its ``{placeholders}`` filled in.

    A value may itself be such a dict (a part of a message made with ``texts``):
    each language then takes its own text of it.
    """
    out = {}
    for lang in LANGS:
        own = {name: value[lang] if isinstance(value, dict) else value for name, value in values.items()}
        out[lang] = labels(lang)["findings"][key].format(**own)
    return out


def error(rule: str, loc: Location, key: str, /, **values) -> Finding:
    """An error of ``rule`` at ``loc``, saying the catalogue's message ``key`` (see ``texts``)."""
    return Finding("error", rule, loc.path, loc.line, loc.column, texts(key, **values))


def warning(rule: str, loc: Location, key: str, /, **values) -> Finding:
    """A warning of ``rule`` at ``loc``, saying the catalogue's message ``key`` (see ``texts``)."""
    return Finding("warning", rule, loc.path, loc.line, loc.column, texts(key, **values))


def close_hint(name, candidates, *, key: str = "did-you-mean", cutoff: float = 0.5):
    """The catalogue's part ``key`` naming the known name closest to ``name`` ("" when none is close enough)."""
    close = closest(name, candidates, cutoff=cutoff)
    return texts(key, name=close) if close else ""
