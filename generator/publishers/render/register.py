"""The 受控文件清单 (register of controlled documents) in words, as the site page and the PDF show it: one row
per document and form (``generator.model.register``) with its values written out in the manual's language
(retention as 3 年 or as written, the edition in force that holds it, the paper copies out, the superseded
versions with their editions).
"""
from __future__ import annotations

from ...labels import labels, status_label
from ...model import Manual, register
from ...read.editions import list_editions
from ..site.paths import item_page

REGISTER_PDF = "register.pdf"  # in dist/, and under downloads/ on the site


def manifests(manual: Manual) -> list[dict]:
    return list_editions(manual.root) if manual.root is not None else []


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


def retention_text(value, default: bool, lang: str) -> str:
    """A retention period in words: ``3`` → 3 年, a word as written, None → 未规定; the manual's default marked."""
    w = labels(lang)["register"]
    if value is None:
        return w["unset"]
    if isinstance(value, int):
        text = w["one_year"] if value == 1 else w["years"].format(n=value)
    else:
        text = str(value)
    return text + (w["default_mark"] if default else "")


def register_rows(manual: Manual, found: list[dict], lang: str) -> list[dict]:
    """The register's rows in words, for the site and the PDF (``page``: the item's site page)."""
    w = labels(lang)["register"]
    sep = w["sep"]
    out = []
    for row in register.register(manual, found):
        item = row.item
        if row.edition:
            edition = w["in_edition_version"].format(edition=row.edition, version=row.edition_version) \
                if row.edition_version != item.version else w["in_edition"].format(edition=row.edition)
        else:
            edition = w["not_released"]
        old = [w["old_version"].format(version=o.version, editions=sep.join(o.editions)) for o in row.old]
        out.append({"kind": row.kind, "code": item.code or getattr(item, "id", ""), "title": item.title,
                    "version": item.version, "status": item.status, "status_label": status_label(item.status, lang),
                    "effective": _date(item.effective), "owner": item.owner, "page": item_page(item),
                    "edition": edition,
                    "paper": w["paper"].format(numbers=sep.join(f"{n:02d}" for n in row.copies)) if row.copies else "",
                    "retention": retention_text(row.retention, row.retention_default, lang),
                    "old": sep.join(old) if old else w["none"]})
    return out


def register_heading(found: list[dict], lang: str) -> str:
    """The register's "as of" line: the edition in force and its release date."""
    w = labels(lang)["register"]
    latest = register.latest_edition(found)
    if latest is None:
        return w["as_of_none"]
    return w["as_of"].format(edition=latest.get("edition", ""), date=register.edition_date(latest))
