"""Document control: the register of external documents (control/external.yaml, 外来文件清单) and the
change requests (control/changes/CR-YYYY-NNN.yaml, 文件更改申请单).

* ``external-duplicate``: two entries of the register with one title (or alias), or one number;
  reported at the later entry.
* ``external-uncited`` (warning): an entry that no document or form cites as 《title》.
* ``change-missing``: once an edition is released, a substantive revision of a released document newer
  than the released version without ``change: CR-…``; at the revision.
* ``change-unknown``: a revision's ``change:`` that names no change request, or one that does not list
  the document; a request whose number is not its file's name, or a number used twice.
* ``change-approval``: the request of the document's current version is not approved (``approved_by``),
  or was approved after the version's 批准 sign-off; at the request's ``approved_by``.
* ``change-person``: with manual/people.yaml, a request's signer whose ``person`` it does not list.
* ``change-sod``: one person signs two steps of one request (requests and reviews or approves it, or reviews
  and approves it); at the later step.
"""
from __future__ import annotations

from ..common.findings import close_hint, error, warning
from ..model.citations import citations
from ..model.versions import version_key
from . import rule
from .terminology import prose


@rule("external-duplicate")
def external_duplicate(manual):
    findings = []
    titles: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for entry in manual.externals:
        for k, title in enumerate(entry.titles):
            if not title:
                continue
            if title in titles and titles[title] != entry.index:
                spot = ("title",) if k == 0 else ("aliases", k - 1)
                findings.append(error("external-duplicate", manual.external_loc("external", entry.index, *spot),
                                      "external-duplicate-title", title=title, first=titles[title] + 1))
            titles.setdefault(title, entry.index)
        number = " ".join(entry.number.split())
        if number:
            if number in numbers:
                findings.append(error("external-duplicate", manual.external_loc("external", entry.index, "number"),
                                      "external-duplicate-number", number=number, first=numbers[number] + 1))
            numbers.setdefault(number, entry.index)
    return findings


@rule("external-uncited", severities=("warning",))
def external_uncited(manual):
    if not manual.externals or manual.unreadable:
        return []  # an unreadable document may be the one that cites it
    cited = {title.strip() for piece in prose(manual) if "《" in piece.text
             for _, _, title in citations(piece.text)}
    return [warning("external-uncited", manual.external_loc("external", e.index, "title"), "external-uncited",
                    title=e.title)
            for e in manual.externals if e.title and not any(t in cited for t in e.titles)]


def _released_version(manual, doc) -> tuple | None:
    """The version key of ``doc`` in the latest released edition, or None (no edition, or not in it)."""
    entry = (manual.released or {}).get(("document", doc.code))
    return version_key(entry.get("version")) if entry else None


@rule("change-missing")
def change_missing(manual):
    if not manual.released:
        return []
    findings = []
    for doc in manual.documents:
        released = _released_version(manual, doc)
        if released is None:
            continue
        for rev in doc.revisions:
            key = version_key(rev.version)
            if rev.change_class == "substantive" and not rev.change and key is not None and key > released:
                findings.append(error("change-missing", doc.loc("revisions", rev.index), "change-missing",
                                      code=doc.code, version=rev.version))
    return findings


@rule("change-unknown")
def change_unknown(manual):
    findings = []
    for doc in manual.documents:
        for rev in doc.revisions:
            if not rev.change:
                continue
            request = manual.changes.get(rev.change)
            if request is None:
                if not any(p.startswith("control/changes/") for p in manual.unreadable):
                    findings.append(error("change-unknown", doc.loc("revisions", rev.index, "change"),
                                          "change-unknown", number=rev.change))
            elif doc.code not in request.documents:
                findings.append(error("change-unknown", doc.loc("revisions", rev.index, "change"),
                                      "change-not-listed", number=rev.change, code=doc.code))
    return findings + _change_files(manual)


def _change_files(manual) -> list:
    """A request whose number is not its file's name (two files may then claim one number), or that lists a
    document or form the manual does not have."""
    out = []
    known = {d.code for d in manual.documents} | {k for f in manual.forms.values() for k in (f.id, f.code) if k}
    for request in manual.changes.values():
        for i, code in enumerate(request.documents):
            if code not in known:
                out.append(error("change-unknown", request.loc("documents", i), "change-no-document",
                                 number=request.number, code=code, hint=close_hint(code, sorted(known))))
        stem = request.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        if stem != request.number:
            out.append(error("change-unknown", request.loc("number"), "change-file-name", number=request.number,
                             path=request.path))
    return out


@rule("change-approval")
def change_approval(manual):
    findings = []
    for doc in manual.documents:
        current = next((r for r in reversed(doc.revisions) if r.version == doc.version and r.change), None)
        request = manual.changes.get(current.change) if current else None
        if request is None:
            continue
        approved = request.signer("approved_by")
        if approved is None or approved.date is None:
            findings.append(error("change-approval", request.loc("number"), "change-not-approved",
                                  number=request.number, code=doc.code, version=doc.version))
            continue
        signoff = doc.signoff("approved")
        if signoff is not None and signoff.date is not None and approved.date > signoff.date:
            findings.append(error("change-approval", request.loc("approved_by", "date"), "change-approved-late",
                                  number=request.number, date=approved.date.isoformat(), code=doc.code,
                                  version=doc.version, approval=signoff.date.isoformat()))
    return findings


@rule("change-person")
def change_person(manual):
    if not manual.has_people:
        return []
    findings = []
    for request in manual.changes.values():
        for step, signer in request.signers.items():
            if signer.person and signer.person not in manual.people:
                findings.append(error("change-person", request.loc(step, "person"), "change-person",
                                      person=signer.person, number=request.number))
    return findings


def _signer_key(manual, signer) -> str:
    """Who signed: the person id, or the id a name stands for when the registry lists it once, else the name."""
    if signer.person:
        return signer.person
    name = " ".join((signer.name or "").split())
    named = [pid for pid, p in manual.people.items() if p.name == name]
    return named[0] if len(named) == 1 else name


@rule("change-sod")
def change_sod(manual):
    """Separation of duties: the requester does not review or approve their own request, nor does the
    reviewer approve it (as ``sod-same-person`` keeps a document's sign-offs apart)."""
    findings = []
    for request in manual.changes.values():
        for first, second in (("requested_by", "reviewed_by"), ("requested_by", "approved_by"),
                              ("reviewed_by", "approved_by")):
            a, b = request.signer(first), request.signer(second)
            if a is None or b is None:
                continue
            who_a, who_b = _signer_key(manual, a), _signer_key(manual, b)
            if who_a and who_a == who_b:
                person = manual.people.get(who_a)
                shown = f"{person.name}（{who_a}）" if person is not None and person.name else who_a
                findings.append(error("change-sod", request.loc(second), "change-sod", number=request.number,
                                      person=shown, first=first, second=second))
    return findings
