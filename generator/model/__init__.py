"""The one in-memory model of a manual.

Readers (``generator.read.reader``) build it from the source folders; rules
(``generator.rules``) and publishers (``generator.publishers``) only read it.
Everything is plain data: the raw mapping from the source stays available in
``meta`` so that later features (fingerprints, editions, review intervals)
can use fields without a change to these classes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..common.findings import Location
from ..read.markdown import Block, ListItem  # noqa: F401 - part of the model
from ..read.yamlsrc import Positions

SIGNOFF_STEPS = ("prepared", "reviewed", "approved")
STATUSES = ("draft", "in_review", "approved", "effective", "superseded")
IN_FORCE = ("approved", "effective")


@dataclass
class SignOff:
    step: str  # prepared | reviewed | approved
    name: str | None
    role: str | None
    date: dt.date | None
    fingerprint: str | None = None
    sample: bool = False


def _meta_text(key: str, default: str = ""):
    """A read-only property: ``meta[key]`` as text (``default`` when absent)."""
    return property(lambda self: str(self.meta.get(key, default)), doc=f"``meta['{key}']`` as text")


def signoff_from(entry, step: str) -> SignOff | None:
    """A ``SignOff`` from one step of a ``signoff:`` mapping (None when absent)."""
    if not isinstance(entry, dict):
        return None
    date = entry.get("date")
    return SignOff(step=step, name=entry.get("name"), role=entry.get("role"),
                   date=date if isinstance(date, dt.date) else None,
                   fingerprint=entry.get("fingerprint"), sample=bool(entry.get("sample", False)))


@dataclass
class Document:
    """A numbered document: policy, procedure or job description."""

    path: str
    meta: dict  # the front matter, as plain data
    positions: Positions
    body: str  # Markdown after the front matter
    body_line: int  # line of the file where ``body`` starts
    blocks: list[Block] = field(default_factory=list)
    source_sha256: str = ""

    # Convenience accessors; everything else lives in ``meta``.
    code = _meta_text("code")
    title = _meta_text("title")
    kind = _meta_text("kind")
    version = _meta_text("version")
    status = _meta_text("status")

    @property
    def effective(self) -> dt.date | None:
        value = self.meta.get("effective")
        return value if isinstance(value, dt.date) else None

    @property
    def owner(self) -> str:
        return str(self.meta.get("owner", ""))

    @property
    def slug(self) -> str:
        return self.code or Path(self.path).stem

    def signoff(self, step: str) -> SignOff | None:
        return signoff_from((self.meta.get("signoff") or {}).get(step), step)

    def signoffs(self) -> list[SignOff]:
        return [s for s in (self.signoff(step) for step in SIGNOFF_STEPS) if s]

    @property
    def revisions(self) -> list[dict]:
        return list(self.meta.get("revisions") or [])

    @property
    def references(self) -> dict:
        refs = self.meta.get("references") or {}
        return {"documents": list(refs.get("documents") or []),
                "forms": list(self.meta.get("uses_forms") or []),
                "roles": list(refs.get("roles") or [])}

    def loc(self, *path) -> Location:
        line, col = self.positions.at(path)
        return Location(self.path, line, col)


@dataclass
class Form:
    """A form template (forms/*.yaml)."""

    path: str
    meta: dict
    positions: Positions
    source_sha256: str = ""

    id = _meta_text("id")
    code = _meta_text("code")
    title = _meta_text("title")
    version = _meta_text("version")
    status = _meta_text("status", "effective")

    def fields(self) -> list[dict]:
        """All fields, sections flattened, in order."""
        out: list[dict] = []
        for section in self.meta.get("sections") or []:
            out.extend(section.get("fields") or [])
        out.extend(self.meta.get("fields") or [])
        return out

    def signoff(self, step: str) -> SignOff | None:
        return Document.signoff(self, step)  # same shape of data

    def signoffs(self) -> list[SignOff]:
        return Document.signoffs(self)

    def loc(self, *path) -> Location:
        line, col = self.positions.at(path)
        return Location(self.path, line, col)


@dataclass
class Role:
    id: str
    meta: dict
    loc: Location

    @property
    def reports_to(self) -> str | None:
        return self.meta.get("reports_to")

    @property
    def headcount(self) -> int:
        return int(self.meta.get("headcount") or 0)

    @property
    def name_en(self) -> str:
        return str(self.meta.get("en", ""))


@dataclass
class Manual:
    root: Path
    config: dict = field(default_factory=dict)  # manual/manual.yaml
    config_path: str = "manual/manual.yaml"
    config_positions: Positions = field(default_factory=Positions)
    org: dict = field(default_factory=dict)  # manual/roles.yaml
    org_path: str = "manual/roles.yaml"
    org_positions: Positions = field(default_factory=Positions)
    roles: dict[str, Role] = field(default_factory=dict)
    documents: list[Document] = field(default_factory=list)  # in the manual's order
    forms: dict[str, Form] = field(default_factory=dict)  # by form id
    # Source files that could not be read (their own findings say why).  Rules that
    # would report a reference to them as unknown stay quiet instead of piling up.
    unreadable: set[str] = field(default_factory=set)

    # -- lookups -----------------------------------------------------------
    def document(self, code: str) -> Document | None:
        index = self.__dict__.get("_by_code")
        if index is None or index[0] is not self.documents:
            by_code: dict[str, Document] = {}
            for doc in self.documents:
                by_code.setdefault(doc.code, doc)
            index = (self.documents, by_code)
            self.__dict__["_by_code"] = index
        return index[1].get(code)

    def form_by_title(self, title: str) -> Form | None:
        for form in self.forms.values():
            if form.title == title:
                return form
        return None

    @property
    def company(self) -> str:
        return str((self.config.get("company") or {}).get("name", ""))

    @property
    def title(self) -> str:
        return str((self.config.get("manual") or {}).get("title", ""))

    @property
    def edition(self) -> str:
        return str((self.config.get("manual") or {}).get("edition", ""))

    @property
    def locale(self) -> str:
        return str(self.config.get("locale", "zh-CN"))

    def in_navigation(self) -> list[Document]:
        """Documents shown in navigation and print: all but superseded ones."""
        return [d for d in self.documents if d.status != "superseded"]

    def config_loc(self, *path) -> Location:
        line, col = self.config_positions.at(path)
        return Location(self.config_path, line, col)

    def org_loc(self, *path) -> Location:
        line, col = self.org_positions.at(path)
        return Location(self.org_path, line, col)
