"""The label catalogue: every fixed word of every output and message, zh-CN first, English second.

The words live in the YAML files of this folder, one file per area (``common.yaml``
for the words all outputs share, ``site.yaml``, ``forms.yaml`` …).  Each file maps
a group to its entries; an entry is ``key: {zh-CN: …, en: …}``, and a group may
hold groups of its own.  Every scalar is read as text (``no:`` is the key "no",
not false).

``labels(lang)`` gives ``{group: {key: text}}`` in one language (the manual's
locale); ``text("group.key", lang, **values)`` one entry with ``{name}``
placeholders filled in.  A language without its own word falls back to zh-CN.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LANGS = ("zh-CN", "en")
FOLDER = Path(__file__).resolve().parent


def _is_entry(node) -> bool:
    return isinstance(node, dict) and bool(node) and set(node) <= set(LANGS)


def _pick(node, lang: str):
    if _is_entry(node):
        return node.get(lang, node.get("zh-CN", ""))
    return {key: _pick(value, lang) for key, value in node.items()}


@lru_cache(maxsize=1)
def catalogue() -> dict:
    """Every group of every file of the catalogue, both languages (a group is defined in one file only)."""
    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    out: dict = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
        for group, entries in data.items():
            if group in out:
                raise ValueError(f"{path.name}: the label group '{group}' is defined twice in the catalogue")
            out[group] = entries
    return out


@lru_cache(maxsize=None)
def labels(lang: str = "zh-CN") -> dict:
    """``{group: {key: text}}`` in ``lang`` (zh-CN for a language the catalogue does not have)."""
    return _pick(catalogue(), lang if lang in LANGS else "zh-CN")


def text(key: str, lang: str = "zh-CN", **values) -> str:
    """One entry, ``"group.key"`` (or deeper), with its ``{placeholders}`` filled in."""
    node = labels(lang)
    for part in key.split("."):
        node = node[part]
    return node.format(**values) if values else node


def status_label(status: str, lang: str = "zh-CN") -> str:
    return labels(lang)["status"].get(status, status)


def step_label(step: str, lang: str = "zh-CN") -> str:
    return labels(lang)["step"].get(step, step)
