"""Read-and-acknowledge (阅知): the records of control/acks/ against the people and documents, and who has
not acknowledged a substantive change yet (``model.acks`` says who must, and since when).

* ``ack-missing`` (warning): a person who must acknowledge the current version of a document has no
  record of it; at the revision entry of that version, naming the person and the date it is required since.
* ``ack-unknown``: a record naming a person not in manual/people.yaml, a document that does not exist, or
  a version the document's revisions do not list; at the record's key.
* ``ack-date``: a record dated before the version it acknowledges took effect (its effective date, else its
  批准 date) or after today (``MANUAL_TODAY`` pins it); at the record's date.  Such a record does not count.
"""
from __future__ import annotations

from ..common.findings import close_hint, error, warning
from ..model.acks import date_problem, requirements
from ..model.review import today
from . import rule


@rule("ack-missing", severities=("warning",))
def ack_missing(manual):
    findings = []
    for req in requirements(manual):
        doc, loc = req.document, req.document.loc("revisions", req.revision.index)
        since = req.since.isoformat() if req.since else "?"
        for pid in req.pending:
            person = manual.people[pid]
            shown = f"{person.name}（{pid}）" if person.name and person.name != pid else pid
            findings.append(warning("ack-missing", loc, "ack-missing", person=shown, code=doc.code,
                                    version=doc.version, since=since))
    return findings


@rule("ack-unknown")
def ack_unknown(manual):
    findings = []
    codes = [d.code for d in manual.documents if d.code]
    for ack in manual.acks:
        if manual.has_people and ack.person and ack.person not in manual.people:
            findings.append(error("ack-unknown", ack.loc("acks", ack.index, "person"), "ack-unknown-person",
                                  person=ack.person, hint=close_hint(ack.person, list(manual.people))))
        doc = manual.document(ack.document) if ack.document else None
        if ack.document and doc is None:
            if not manual.stands_for_document(ack.document):
                findings.append(error("ack-unknown", ack.loc("acks", ack.index, "document"), "ack-unknown-document",
                                      code=ack.document, hint=close_hint(ack.document, codes)))
        elif doc is not None and ack.version and ack.version not in {r.version for r in doc.revisions} \
                and ack.version != doc.version:
            findings.append(error("ack-unknown", ack.loc("acks", ack.index, "version"), "ack-unknown-version",
                                  code=doc.code, version=ack.version,
                                  versions=", ".join(dict.fromkeys(r.version for r in doc.revisions if r.version))))
    return findings


@rule("ack-date")
def ack_date(manual):
    findings = []
    on = today(manual)
    for ack in manual.acks:
        problem = date_problem(manual, ack, on)
        if problem is None:
            continue
        kind, when = problem
        person = manual.people.get(ack.person)
        shown = f"{person.name}（{ack.person}）" if person is not None and person.name else ack.person
        values = {"person": shown, "code": ack.document, "version": ack.version, "date": ack.date.isoformat()}
        if kind == "early":
            findings.append(error("ack-date", ack.loc("acks", ack.index, "date"), "ack-date-early",
                                  since=when.isoformat(), **values))
        else:
            findings.append(error("ack-date", ack.loc("acks", ack.index, "date"), "ack-date-future",
                                  today=when.isoformat(), **values))
    return findings
