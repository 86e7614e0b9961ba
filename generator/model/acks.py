"""Read-and-acknowledge (阅知): who must acknowledge which version of which document, and since when.

Pure functions over the model, shared by the check (``rules.acks``), the site and the paper sheet
(``publishers.acksheet``):

* a document's **current version** needs acknowledging when the document is in force (approved or
  effective) and the revision entry of that version is a substantive change: ``class: substantive`` on
  the revision, or a change request (``change: CR-…``) of class 实质性 / substantive;
* **who**: every person of manual/people.yaml who holds, today (``MANUAL_TODAY`` pins it), a role the
  document names: its owner, the roles of its workflow steps, the posts its job descriptions cover and
  the roles it references (an alias of a role counts as the role);
* **since when**: the version's effective date, else its 批准 (approval) date;
* an acknowledgement is a record of control/acks/ naming the person, the document's code and the version,
  dated neither before the version's effective (else approval) date nor after today: one that is does not
  count (the check's ``ack-date``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from . import IN_FORCE, Document, Manual, Revision
from .review import today as today_of


@dataclass
class Requirement:
    """The current version of ``document`` is a substantive change that ``people`` must acknowledge."""

    document: Document
    revision: Revision  # the revision entry of the current version
    since: dt.date | None  # its effective date, else its approval date
    people: list[str] = field(default_factory=list)  # person ids, in people.yaml's order
    acknowledged: set[str] = field(default_factory=set)  # those of ``people`` with a record

    @property
    def version(self) -> str:
        return self.document.version

    @property
    def pending(self) -> list[str]:
        return [p for p in self.people if p not in self.acknowledged]


def role_ids(manual: Manual, names, alias: dict | None = None) -> list[str]:
    """The role ids ``names`` stand for (an alias counts as its role), each once, in order (``alias``: the
    alias → id map, when the caller has made it once)."""
    if alias is None:
        alias = aliases(manual)
    out = []
    for name in names:
        rid = name if name in manual.roles else alias.get(name, name)
        if rid and rid not in out:
            out.append(rid)
    return out


def aliases(manual: Manual) -> dict[str, str]:
    return {a: rid for rid, role in manual.roles.items() for a in role.aliases}


def document_roles(manual: Manual, doc: Document, alias: dict | None = None) -> list[str]:
    """The roles ``doc`` names: owner, workflow steps' roles, the posts its jobs cover, referenced roles."""
    return role_ids(manual, [doc.owner, *(s.role for s in doc.workflow),
                             *(post for job in doc.jobs for post in job.covers), *doc.cited_roles], alias)


def substantive(manual: Manual, rev: Revision) -> bool:
    """Whether a revision entry is a substantive change (its own ``class`` or its change request's)."""
    if rev.change_class == "substantive":
        return True
    request = manual.changes.get(rev.change) if rev.change else None
    return request is not None and request.change_class == "substantive"


def current_revision(doc: Document) -> Revision | None:
    return next((r for r in reversed(doc.revisions) if r.version == doc.version), None)


def since(doc: Document) -> dt.date | None:
    approved = doc.signoff("approved")
    return doc.effective or (approved.date if approved is not None else None)


def held_roles(manual: Manual, on: dt.date, alias: dict | None = None) -> dict[str, set[str]]:
    """person id → the role ids they hold on ``on``."""
    alias = aliases(manual) if alias is None else alias
    return {pid: set(role_ids(manual, person.roles_on(on), alias)) for pid, person in manual.people.items()}


def date_problem(manual: Manual, ack, on: dt.date | None = None) -> tuple[str, dt.date] | None:
    """Why a record's date cannot be true, or None: ``("early", since)`` when it acknowledges the document's
    current version before that version took effect (or was approved), ``("future", today)`` when it is
    after today.  Such a record does not count."""
    if ack.date is None:
        return None
    on = on or today_of(manual)
    if ack.date > on:
        return "future", on
    doc = manual.document(ack.document) if ack.document else None
    if doc is not None and ack.version == doc.version:
        start = since(doc)
        if start is not None and ack.date < start:
            return "early", start
    return None


def acknowledged(manual: Manual, on: dt.date | None = None) -> set[tuple[str, str, str]]:
    """(person, document code, version) of every record whose date can be true (``date_problem``)."""
    on = on or today_of(manual)
    return {(a.person, a.document, a.version) for a in manual.acks if date_problem(manual, a, on) is None}


def requirements(manual: Manual, on: dt.date | None = None) -> list[Requirement]:
    """Every document whose current version must be acknowledged, in the manual's order, with who must
    and who has (``on``: the day whose post holders count; default today)."""
    if not manual.people:
        return []
    on = on or today_of(manual)
    done = acknowledged(manual)
    alias = aliases(manual)
    held = held_roles(manual, on, alias)
    out = []
    for doc in manual.documents:
        if doc.status not in IN_FORCE:
            continue
        rev = current_revision(doc)
        if rev is None or not substantive(manual, rev):
            continue
        wanted = set(document_roles(manual, doc, alias))
        people = [pid for pid, roles in held.items() if wanted & roles]
        if not people:
            continue
        out.append(Requirement(doc, rev, since(doc), people,
                               {p for p in people if (p, doc.code, doc.version) in done}))
    return out


def for_document(manual: Manual, doc: Document, on: dt.date | None = None) -> Requirement | None:
    """The requirement of ``doc``'s current version, or None when it needs no acknowledgement."""
    return next((r for r in requirements(manual, on) if r.document is doc), None)


def department(manual: Manual, person_id: str, on: dt.date) -> str | None:
    """The group a person signs the paper sheet in: the manual's department (its ``department``, "" when
    it names none) when they hold one of its posts (a role not marked ``external``) on ``on``; else None
    (people outside the department)."""
    person = manual.people[person_id]
    for rid in role_ids(manual, person.roles_on(on)):
        role = manual.roles.get(rid)
        if role is not None and not role.external:
            return manual.department
    return None


def posts(manual: Manual, person_id: str, on: dt.date) -> list[str]:
    """The roles a person holds on ``on``, in people.yaml's order."""
    return manual.people[person_id].roles_on(on)
