"""Sign-off: completeness for documents in force, dates in order, and who signed.

* ``signoff-complete``: a document or form in force has a full 编制/审核/批准; so has one imported and not
  yet reviewed (``imported: true``), whatever its status, as a warning: a blank name, an incomplete date
  (``2013年 月 日``, kept as the legacy file wrote it) are what a legacy manual's sign-off often is.
* ``signoff-manual`` (warning): the manual's own sign-off (the cover's, in
  manual/manual.yaml) is missing or incomplete, once any document is in
  force; ``--strict`` makes it fail.
* ``signoff-order``: prepared ≤ reviewed ≤ approved ≤ effective.
* ``signoff-person``: with a people registry (manual/people.yaml), a sign-off
  names a person of it: ``person: ID``, or a name only one person has.
* ``signoff-role-held``: that person held the sign-off's role on its date.
* ``person-role``, ``person-certificate``: the registry itself is sound (its
  roles exist, date ranges run forward; a certificate is readable, is a PEM
  certificate and holds no private key).
"""
from __future__ import annotations

from ..common.findings import close_hint, error, texts, warning
from ..model import IN_FORCE, SIGNOFF_STEPS, Cover
from ..model.people import named, signer
from . import rule, written
from .approvals import item_key, items, load_certificate, safe_fingerprint, signed_items, step_zh


@rule("signoff-complete", unreviewed=True)
def signoff_complete(manual):
    """A document or form in force, or imported and not yet reviewed (whatever its status), without a full
    编制/审核/批准: a step missing, or one without a name, role or date (an imported ``2013年 月 日`` too)."""
    findings = []
    for item in items(manual):
        if item.status not in IN_FORCE and not item.imported:
            continue
        for step in SIGNOFF_STEPS:
            entry = item.signoff(step)
            if entry is None:
                key = "signoff-missing-imported" if item.imported else "signoff-missing"
                findings.append(error("signoff-complete", item.loc("signoff"), key, status=item.status,
                                      step=step, step_zh=step_zh(step)))
                continue
            findings.extend(_incomplete(item, step, entry, error, "signoff-complete", manual.people_path))
    return findings


def _incomplete(item, step, entry, make, rule_name, people_path="manual/people.yaml"):
    """The findings of one step that is there but incomplete: one finding naming every missing part in words,
    with its YAML key (签署人（name）、职务（role）), at the step's line, and for an imported file one more for a
    date kept as the legacy file wrote it (``2013年 月 日``), at the date's line."""
    out, missing = [], []
    imported = getattr(item, "imported", False)
    for part in SIGNOFF_PARTS:
        if part == "date" and entry.date is None and imported and entry.written_date:
            out.append(make(rule_name, item.loc("signoff", step, "date"), "signoff-date-incomplete", step=step,
                            step_zh=step_zh(step), written=entry.written_date))
            continue
        if part == "date" and written(item, "signoff", step, "date") and not imported:
            continue  # a date that is written but is no date: the schema's finding says so
        if not (entry.name or entry.person if part == "name" else getattr(entry, part)):
            missing.append(part)
    if missing:
        key = "signoff-manual-incomplete" if isinstance(item, Cover) else "signoff-incomplete"
        legacy = texts("signoff-incomplete-legacy-role", path=people_path, code=item_key(item), step=step) \
            if imported and "role" in missing else ""
        out.insert(0, make(rule_name, item.loc("signoff", step), key, step=step, step_zh=step_zh(step),
                           parts=_parts(missing), code=item_key(item), legacy=legacy))
    return out


SIGNOFF_PARTS = ("name", "role", "date")


def _parts(missing: list[str]) -> dict[str, str]:
    """The missing parts in words, each with its key, in every language: 签署人（name）、职务（role）."""
    words = [texts(f"signoff-part-{part}") for part in missing]
    separator = texts("signoff-part-separator")
    return {lang: separator[lang].join(word[lang] for word in words) for lang in separator}


@rule("signoff-manual", severities=("warning",))
def signoff_manual(manual):
    """The cover's 编制/审核/批准 (manual.yaml ``signoff``): all three, each with name, role and date."""
    if not manual.has_config:
        return []
    cover = manual.cover()
    if cover.status not in IN_FORCE:
        return []  # a manual of drafts only (just imported, say) is not published: nothing to sign yet
    if not cover.signoff_steps:
        at = cover.loc("signoff") if written(cover, "signoff") else manual.config_loc("manual")
        return [warning("signoff-manual", at, "signoff-manual-empty", config=manual.config_path)]
    findings = []
    for step in SIGNOFF_STEPS:
        entry = cover.signoff(step)
        if entry is None:
            findings.append(warning("signoff-manual", cover.loc("signoff"), "signoff-manual-missing", step=step,
                                    step_zh=step_zh(step)))
        else:
            findings.extend(_incomplete(cover, step, entry, warning, "signoff-manual", manual.people_path))
    return findings


@rule("signoff-order", unreviewed=True)
def signoff_order(manual):
    findings = []
    for item in signed_items(manual):
        # A change under way (draft, in review) keeps its old, now stale, sign-offs until each step is signed
        # again: their dates are the old approval's, not part of the new chain (approval-stale warns of them).
        current = safe_fingerprint(item, manual) if item.status in ("draft", "in_review") else None
        chain = [(step, s.date) for step in SIGNOFF_STEPS if (s := item.signoff(step)) and s.date
                 and not (current and s.fingerprint and s.fingerprint != current)]
        effective = getattr(item, "effective", None)
        if effective is not None:
            chain.append(("effective", effective))
        for (a, da), (b, db) in zip(chain, chain[1:]):
            if db < da:
                path = ("effective",) if b == "effective" else ("signoff", b, "date")
                findings.append(error("signoff-order", item.loc(*path), "signoff-order", later=b, later_date=db,
                                      earlier=a, earlier_date=da))
    return findings


# -- who signed: the people registry ----------------------------------------------------------
@rule("signoff-person", unreviewed=True)
def signoff_person(manual):
    if not manual.has_people:
        return []
    findings = []
    path = manual.people_path
    for item in signed_items(manual):
        for s in item.signoffs():
            step = dict(step=s.step, step_zh=step_zh(s.step), path=path)
            if s.person:
                person = manual.people.get(s.person)
                if person is None:
                    findings.append(error("signoff-person", item.loc("signoff", s.step, "person"),
                                          "signoff-person-unknown", id=s.person,
                                          hint=close_hint(s.person, list(manual.people)), **step))
                elif s.name and str(s.name).strip() != person.name.strip():
                    findings.append(error("signoff-person", item.loc("signoff", s.step, "name"),
                                          "signoff-person-name", id=s.person, name=s.name, registered=person.name,
                                          **step))
                continue
            if not s.name:
                continue  # signoff-complete says the name is missing
            found = named(manual, s.name)
            if not found:
                names = sorted({p.name for p in manual.people.values()})
                findings.append(error("signoff-person", item.loc("signoff", s.step, "name"), "signoff-person-no-name",
                                      name=s.name, hint=close_hint(str(s.name), names), **step))
            elif len(found) > 1:
                findings.append(error("signoff-person", item.loc("signoff", s.step, "name"),
                                      "signoff-person-ambiguous", name=s.name, ids=", ".join(p.id for p in found),
                                      **step))
    return findings


def _held(person) -> str:
    """The roles a person held, with their dates, for a message: 业务经理 2010-01-01–."""
    return "；".join(f"{r.role} {r.start or ''}–{r.end or ''}" for r in person.roles) or "—"


@rule("signoff-role-held", unreviewed=True)
def signoff_role_held(manual):
    if not manual.has_people:
        return []
    findings = []
    for item in signed_items(manual):
        for s in item.signoffs():
            person = signer(manual, s)
            if person is None or not s.role or s.date is None or s.role in person.roles_on(s.date):
                continue
            findings.append(error("signoff-role-held", item.loc("signoff", s.step, "role"), "signoff-role-held",
                                  name=person.name, id=person.id, role=s.role, date=s.date, step=s.step,
                                  step_zh=step_zh(s.step), held=_held(person), path=manual.people_path))
    return findings


# -- the registry itself ------------------------------------------------------------------------
@rule("person-role")
def person_role(manual):
    """A role in people.yaml that roles.yaml does not define, or held from a date after its end."""
    findings = []
    for person in manual.people.values():
        for held in person.roles:
            at = manual.people_loc("people", person.index, "roles", held.index, "role")
            if held.role and manual.roles and held.role not in manual.roles:
                findings.append(error("person-role", at, "person-role-unknown", role=held.role, name=person.name,
                                      hint=close_hint(held.role, list(manual.roles))))
            if held.start and held.end and held.end < held.start:
                findings.append(error("person-role", manual.people_loc("people", person.index, "roles", held.index,
                                                                       "to"),
                                      "person-role-dates", role=held.role, name=person.name, start=held.start,
                                      end=held.end))
    return findings


@rule("person-certificate")
def person_certificate(manual):
    """A certificate in people.yaml that cannot be read, is no PEM certificate, or holds a private key."""
    findings = []
    for person in manual.people.values():
        if not person.certificate:
            continue
        at = manual.people_loc("people", person.index, "certificate")
        pem = person.certificate_pem
        if pem is None:
            findings.append(error("person-certificate", at, "person-certificate-unreadable", file=person.certificate,
                                  name=person.name))
        elif b"PRIVATE KEY" in pem:
            findings.append(error("person-certificate", at, "person-certificate-private", file=person.certificate,
                                  name=person.name))
        elif load_certificate(pem) is None:
            findings.append(error("person-certificate", at, "person-certificate-invalid", file=person.certificate,
                                  name=person.name))
    return findings
