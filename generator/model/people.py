"""Who signed: a sign-off's signer in the people registry (manual/people.yaml).

A sign-off names its signer by ``person: ID``, or by ``name:`` when exactly one
person of the registry has that name.  Without a registry names are free text,
and the signer is known by name only.
"""
from __future__ import annotations

from . import Manual, Person, SignOff


def by_name(manual: Manual) -> dict[str, list[Person]]:
    """The registry's people by name (a name two people share lists both)."""
    index = manual.__dict__.get("_people_by_name")
    if index is None or index[0] is not manual.people:
        names: dict[str, list[Person]] = {}
        for person in manual.people.values():
            names.setdefault(person.name.strip(), []).append(person)
        index = (manual.people, names)
        manual.__dict__["_people_by_name"] = index
    return index[1]


def named(manual: Manual, name) -> list[Person]:
    """The people of the registry called ``name``."""
    return list(by_name(manual).get(str(name or "").strip(), ()))


def signer(manual: Manual, entry: SignOff) -> Person | None:
    """The registry's person who signed ``entry``: by ``person``, else by a name that only one person has."""
    if not manual.has_people:
        return None
    if entry.person:
        return manual.people.get(entry.person)
    found = named(manual, entry.name) if entry.name else []
    return found[0] if len(found) == 1 else None


def identity(manual: Manual, entry: SignOff) -> str | None:
    """Who signed, for comparing two sign-offs: the registry's id when known, else the name as written."""
    person = signer(manual, entry)
    if person is not None:
        return "person:" + person.id
    if entry.person:
        return "person:" + entry.person
    name = str(entry.name).strip() if entry.name is not None else ""
    return "name:" + name if name else None


def shown(manual: Manual, entry: SignOff) -> str:
    """The signer as a message names them: the name, else the id."""
    person = signer(manual, entry)
    return str(entry.name or (person.name if person else "") or entry.person or "")
