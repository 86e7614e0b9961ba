"""Document control at a glance, as plain data over the model: what ``manual status`` prints, the site's
受控文件发放 page (controlled copies) and the 受控文件清单 (the register of controlled documents, a site page
and a PDF) show.

Pure functions.  The released editions' manifests (``generator.read.editions.list_editions``, oldest
first) are given by the caller: nothing here reads a file.

* ``held_copies``: the controlled copies still out, one row per holder and edition (copy numbers,
  issued dates, whether a newer released edition has superseded that edition); ``recalled_copies``:
  the ones that came back.
* ``open_requests``: change requests not yet approved, or approved but not yet carried out in a
  released version of every document they list.
* ``by_status``: documents and forms per status.
* ``register``: every document and form with its code, title, version, status, effective date, owner,
  where it is kept (its site page, the released edition it is in, the outstanding paper copies of that
  edition), its retention period and its superseded versions with the editions that hold them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import STATUSES, ChangeRequest, Copy, Document, Form, Manual
from .versions import version_key


# -- editions -----------------------------------------------------------------------------------------
def latest_edition(manifests: list[dict]) -> dict | None:
    """The edition in force: the latest released one (None before any release)."""
    return manifests[-1] if manifests else None


def edition_date(manifest: dict | None) -> str:
    return str((manifest or {}).get("released") or "")[:10]


def superseded_edition(edition: str, manifests: list[dict]) -> bool:
    """Whether ``edition`` is a released edition that a newer released edition has superseded."""
    names = [str(m.get("edition", "")) for m in manifests]
    return edition in names and edition != names[-1]


# -- controlled copies ----------------------------------------------------------------------------------
@dataclass
class HeldCopies:
    """The copies of one edition a holder still has (never recalled)."""

    holder: str  # as in the register: a person id or a post
    name: str  # the person's name when ``holder`` is a person id of manual/people.yaml, else ""
    edition: str
    copies: list[Copy] = field(default_factory=list)  # in copy-number order
    superseded: bool = False  # a newer released edition has superseded ``edition``: recall them

    @property
    def numbers(self) -> list[int]:
        return [c.copy for c in self.copies if c.copy is not None]

    @property
    def issued(self) -> list[dt.date]:
        """The distinct issue dates, oldest first."""
        return sorted({c.issued for c in self.copies if c.issued is not None})


def holder_name(manual: Manual, holder: str) -> str:
    person = manual.people.get(holder)
    return person.name if person is not None else ""


def held_copies(manual: Manual, manifests: list[dict]) -> list[HeldCopies]:
    """Outstanding controlled copies per holder and edition: holders in the order the register first
    names them, then editions oldest first as the register names them."""
    groups: dict[tuple[str, str], HeldCopies] = {}
    for c in manual.copies:
        if c.recalled is not None:
            continue
        key = (c.holder, c.edition)
        if key not in groups:
            groups[key] = HeldCopies(c.holder, holder_name(manual, c.holder), c.edition,
                                     superseded=superseded_edition(c.edition, manifests))
        groups[key].copies.append(c)
    order = {holder: i for i, holder in reversed(list(enumerate(c.holder for c in manual.copies)))}
    out = sorted(groups.values(), key=lambda g: (order[g.holder], g.edition))
    for g in out:
        g.copies.sort(key=lambda c: (c.copy is None, c.copy or 0))
    return out


def recalled_copies(manual: Manual) -> list[Copy]:
    """The copies that came back, by edition and copy number."""
    return sorted((c for c in manual.copies if c.recalled is not None),
                  key=lambda c: (c.edition, c.copy is None, c.copy or 0))


# -- change requests ------------------------------------------------------------------------------------
@dataclass
class OpenRequest:
    """A change request that is not done: not yet approved, or not yet in a released version."""

    request: ChangeRequest
    approved: bool
    carried: list[tuple[str, str]] = field(default_factory=list)  # (code, version) of the revisions naming it
    released: list[tuple[str, str]] = field(default_factory=list)  # those already in the edition in force

    @property
    def state(self) -> str:
        """not_approved | not_carried_out (approved, no revision names it yet) | not_released"""
        if not self.approved:
            return "not_approved"
        return "not_carried_out" if not self.carried else "not_released"


def _item(manual: Manual, key: str) -> Document | Form | None:
    doc = manual.document(key)
    if doc is not None:
        return doc
    if key in manual.forms:
        return manual.forms[key]
    return next((f for f in manual.forms.values() if f.code and f.code == key), None)


def released_version(manifests: list[dict], item: Document | Form) -> str | None:
    """The item's version in the edition in force (None: not in it, or nothing released)."""
    latest = latest_edition(manifests)
    if latest is None:
        return None
    entries = latest.get("documents" if isinstance(item, Document) else "forms") or []
    key, name = ("code", item.code) if isinstance(item, Document) else ("id", item.id)
    entry = next((e for e in entries if isinstance(e, dict) and e.get(key) == name), None)
    return str(entry.get("version")) if entry and entry.get("version") is not None else None


def _at_least(version: str | None, wanted: str) -> bool:
    have, need = version_key(version), version_key(wanted)
    return have is not None and need is not None and have >= need


def open_requests(manual: Manual, manifests: list[dict]) -> list[OpenRequest]:
    """Change requests not yet approved, or approved but not in a released version of every document they
    list (no revision names them yet, or the version that does is newer than the edition in force)."""
    out = []
    for number in sorted(manual.changes):
        request = manual.changes[number]
        signer = request.signer("approved_by")
        approved = signer is not None and signer.date is not None and bool(signer.person or signer.name)
        carried, released = [], []
        for key in request.documents:
            item = _item(manual, key)
            if item is None:
                continue
            for rev in item.revisions:
                if rev.change == number:
                    code = item.code or getattr(item, "id", "")
                    carried.append((code, rev.version))
                    if _at_least(released_version(manifests, item), rev.version):
                        released.append((code, rev.version))
        done = approved and carried and len(released) == len(carried) and \
            {c for c, _ in carried} >= {k for k in request.documents if _item(manual, k) is not None}
        if not done:
            out.append(OpenRequest(request, approved, carried, released))
    return out


# -- documents by status --------------------------------------------------------------------------------
def by_status(manual: Manual) -> dict[str, list[Document | Form]]:
    """Documents (the manual's order) then forms (by code), per status, in ``STATUSES`` order; empty
    statuses left out.  An unknown status is listed under its own name, last."""
    items: list = list(manual.documents) + sorted(manual.forms.values(), key=lambda f: (f.code, f.id))
    out: dict[str, list] = {s: [] for s in STATUSES}
    for item in items:
        out.setdefault(item.status or "", []).append(item)
    return {s: members for s, members in out.items() if members}


# -- the register of controlled documents (受控文件清单) ---------------------------------------------------
@dataclass
class OldVersion:
    version: str
    editions: list[str]  # the released editions that hold it, oldest first


@dataclass
class RegisterRow:
    item: Document | Form
    kind: str  # document | form
    retention: int | str | None  # the item's own, else the manual's default
    retention_default: bool  # ``retention`` is the manual's default
    edition: str  # the edition in force that holds the item ("" when none does)
    edition_version: str  # the item's version in that edition
    copies: list[int]  # outstanding paper copies of that edition (copy numbers)
    old: list[OldVersion]  # superseded versions, each with the editions that hold it

    @property
    def key(self) -> str:
        return self.item.code or getattr(self.item, "id", "")


def retention(manual: Manual, item: Document | Form) -> tuple[int | str | None, bool]:
    """(the retention period, whether it is the manual's default)."""
    if item.retention is not None:
        return item.retention, False
    return manual.retention, manual.retention is not None


def _versions_by_edition(manifests: list[dict], item: Document | Form) -> list[tuple[str, str]]:
    """(edition, version) of every released edition that holds the item, oldest first."""
    out = []
    group, key, name = (("documents", "code", item.code) if isinstance(item, Document)
                        else ("forms", "id", item.id))
    for manifest in manifests:
        for entry in manifest.get(group) or []:
            if isinstance(entry, dict) and entry.get(key) == name and entry.get("version") is not None:
                out.append((str(manifest.get("edition", "")), str(entry["version"])))
                break
    return out


def register(manual: Manual, manifests: list[dict]) -> list[RegisterRow]:
    """Every document (the manual's order, superseded ones included) and every form (by code)."""
    latest = latest_edition(manifests)
    latest_name = str(latest.get("edition", "")) if latest else ""
    out_now = sorted(c.copy for c in manual.copies
                     if c.recalled is None and c.edition == latest_name and c.copy is not None)
    rows = []
    items: list = list(manual.documents) + sorted(manual.forms.values(), key=lambda f: (f.code, f.id))
    for item in items:
        held = _versions_by_edition(manifests, item)
        in_force = [v for e, v in held if e == latest_name]
        # Superseded: the versions older editions hold that are neither the current one nor the one in force
        # (all of them, for a superseded document).
        current = set() if item.status == "superseded" else {item.version, *in_force}
        old: dict[str, list[str]] = {}
        for edition, version in held:
            if version not in current:
                old.setdefault(version, []).append(edition)
        value, default = retention(manual, item)
        rows.append(RegisterRow(item, "document" if isinstance(item, Document) else "form", value, default,
                                latest_name if in_force else "", in_force[0] if in_force else "",
                                out_now if in_force else [],
                                [OldVersion(v, e) for v, e in old.items()]))
    return rows
