"""Source files → the typed model: the one place that reads the raw mappings.

``build(source)`` takes what ``generator.read.reader.read_source`` read (schema
findings are already made) and returns the ``Manual``.  A value of the wrong
type does not stop it: the field gets its empty value ("" / [] / None) and the
schema finding says what is wrong.  ``read_manual(root)`` reads and builds.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..common.findings import Finding
from ..read.control import read_acks, read_control
from ..read.reader import Source, SourceFile, read_source
from . import (CHANGE_CLASSES, CHANGE_STEPS, SEGREGATION, SIGNOFF_STEPS, Ack, ChangeRequest, ChangeSigner, Chapter,
               CodeScheme, Column, Copy, Document, ExternalDocument, Field, Form, Job, Manual, Person,
               PLACEHOLDER, Revision, Role, RoleHeld, Section, SignOff, Term, WorkflowStep)
from .fingerprint import DOCUMENT_FIELDS, FORM_FIELDS, ROLE_FIELDS, plain_data


def read_manual(root: Path) -> tuple[Manual, list[Finding]]:
    """The typed model of the manual at ``root`` and every finding met while reading it."""
    source, findings = read_source(root)
    findings += read_control(root, source)
    findings += read_acks(root, source)
    return build(source), kept_for_review(source, findings)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def kept_for_review(source: Source, findings: list[Finding]) -> list[Finding]:
    """The reader's findings less the schema's on the blank sign-offs of imported files.

    A legacy manual's sign-off often has no names and a date like ``2013年 月 日``; ``manual import`` writes
    what the source says (``imported: true``).  The schema would make each blank name or role and each
    incomplete date an error, and an imported manual would not build: for such a file they are left to
    ``signoff-complete``, which reports them as warnings until the file has been reviewed; so is a 生效日期
    left blank in the source (``effective: 2019年月日``): ``effective-date-incomplete`` reports it.  So is a revision
    dated with the placeholder 【待填写】 (an import from a source without any date): the ``placeholder`` rule
    reports it, and ``--strict`` and ``manual release`` refuse it until it is filled in.
    """
    spots = set()
    for file in [*source.documents, *source.forms]:
        if file.data.get("imported") is not True:
            continue
        for step, entry in _map(file.data.get("signoff")).items():
            for part, value in _map(entry).items():
                if part in ("name", "role", "date") and (_blank(value) or part == "date" and _date(value) is None):
                    spots.add((file.path, *file.positions.at(("signoff", step, part))))
        if _written_date(file.data.get("effective")):  # (``effective-date-incomplete`` reports it)
            spots.add((file.path, *file.positions.at(("effective",))))
        revisions = file.data.get("revisions")
        for k, entry in enumerate(revisions if isinstance(revisions, list) else []):
            if _map(entry).get("date") == PLACEHOLDER:
                spots.add((file.path, *file.positions.at(("revisions", k, "date"))))
    if not spots:
        return findings
    return [f for f in findings if not (f.rule == "schema" and (f.path, f.line, f.column) in spots)]


# -- plain values, whatever the source holds ---------------------------------------------------
def _text(value) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _date(value) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _map(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _texts(value) -> list[str]:
    return [str(v) for v in _list(value) if v is not None and not isinstance(v, (dict, list))]


def signoff_from(entry, step: str) -> SignOff | None:
    """A ``SignOff`` from one step of a ``signoff:`` mapping (None when absent)."""
    if not isinstance(entry, dict):
        return None
    name, role, date = entry.get("name"), entry.get("role"), entry.get("date")
    written = "" if date is None or _date(date) is not None else _text(date).strip()
    return SignOff(step=step, name=name if not _blank(name) else None, role=role if not _blank(role) else None,
                   date=_date(date), written_date=written,
                   fingerprint=entry.get("fingerprint"), sample=bool(entry.get("sample", False)),
                   version=_text(entry.get("version")) or None,
                   person=_text(entry.get("person")) or None, signature=_text(entry.get("signature")) or None)


def _signoffs(value) -> dict[str, SignOff]:
    steps = _map(value)
    out = {}
    for step in SIGNOFF_STEPS:
        found = signoff_from(steps.get(step), step)
        if found is not None:
            out[step] = found
    return out


def _revisions(value) -> list[Revision]:
    return [Revision(i, _text(r.get("version")), _date(r.get("date")), _text(r.get("summary")), _text(r.get("by")),
                     _text(r.get("class")), _text(r.get("change")))
            for i, r in enumerate(_list(value)) if isinstance(r, dict)]


def _item(file: SourceFile, fields: tuple[str, ...], default_status: str = "") -> dict:
    """The arguments that documents and forms share."""
    data = file.data
    return dict(path=file.path, positions=file.positions, source_sha256=file.sha256, code=_text(data.get("code")),
                title=_text(data.get("title")), title_en=_text(data.get("title_en")),
                version=_text(data.get("version")), status=_text(data.get("status", default_status)),
                effective=_date(data.get("effective")), owner=_text(data.get("owner")),
                signoff_steps=_signoffs(data.get("signoff")), revisions=_revisions(data.get("revisions")),
                normative={k: plain_data(data[k]) for k in fields if k in data}, imported=data.get("imported") is True,
                retention=_retention(data.get("retention")), written_effective=_written_date(data.get("effective")))


def _written_date(value) -> str:
    """What a date field holds when it is no date (an imported ``2019年 月 日``), trimmed; "" for a date or nothing."""
    return "" if value is None or _date(value) is not None else _text(value).strip()


def _retention(value) -> int | str | None:
    """``retention:`` years (a whole number) or a word (永久); None when absent or of another type."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return (value.strip() or None) if isinstance(value, str) else None


# -- documents ---------------------------------------------------------------------------------
def document(file: SourceFile) -> Document:
    data = file.data
    refs = _map(data.get("references"))
    workflow = [WorkflowStep(i, _text(s.get("id")), _text(s.get("title")), _text(s.get("role")),
                             _text(s.get("description")), _texts(s.get("forms")))
                for i, s in enumerate(_list(data.get("workflow"))) if isinstance(s, dict)]
    jobs = [Job(i, _text(j.get("title")), _texts(j.get("covers")), _text(j.get("reports_to")), _text(j.get("note")),
                _texts(j.get("duties")))
            for i, j in enumerate(_list(data.get("jobs"))) if isinstance(j, dict)]
    return Document(**_item(file, DOCUMENT_FIELDS), kind=_text(data.get("kind")),
                    review_months=_int(data.get("review_months")), last_review=_date(data.get("last_review")),
                    uses_forms=_texts(data.get("uses_forms")), cited_documents=_texts(refs.get("documents")),
                    cited_roles=_texts(refs.get("roles")), orgchart=bool(data.get("orgchart")),
                    staffing=bool(data.get("staffing")), workflow=workflow, jobs=jobs, body=file.body,
                    body_line=file.body_line, blocks=file.blocks, images=list(file.images))


# -- forms -------------------------------------------------------------------------------------
def _column(value) -> Column | None:
    if isinstance(value, dict):
        width = value.get("width")
        return Column(_text(value.get("id")) or None, _text(value.get("label")),
                      width if isinstance(width, (int, float)) and not isinstance(width, bool) else None)
    if value is None or isinstance(value, list):
        return None
    return Column(None, str(value))


def _field(value: dict, path: tuple) -> Field:
    return Field(id=_text(value.get("id")), type=_text(value.get("type", "text")) or "text",
                 label=_text(value.get("label")), required=bool(value.get("required")),
                 width=_int(value.get("width")), rows=_int(value.get("rows")), options=_texts(value.get("options")),
                 columns=[c for c in map(_column, _list(value.get("columns"))) if c is not None],
                 help=_text(value.get("help")), placeholder=_text(value.get("placeholder")), path=path)


def form(file: SourceFile) -> Form:
    data = file.data
    sections = []
    for i, section in enumerate(_list(data.get("sections"))):
        if isinstance(section, dict):
            sections.append(Section(i, _text(section.get("title")),
                                    [_field(f, ("sections", i, "fields", j))
                                     for j, f in enumerate(_list(section.get("fields"))) if isinstance(f, dict)]))
    loose = [_field(f, ("fields", j)) for j, f in enumerate(_list(data.get("fields"))) if isinstance(f, dict)]
    if loose:
        sections.append(Section(len(sections), "", loose))
    return Form(**_item(file, FORM_FIELDS, default_status="effective"), id=_text(data.get("id")),
                aliases=_texts(data.get("aliases")), paper=_text(data.get("paper")),
                instructions=_text(data.get("instructions")), sections=sections)


# -- the manual --------------------------------------------------------------------------------
def _config(manual: Manual, file: SourceFile) -> None:
    data = file.data
    company, about, scheme, review = (_map(data.get(k)) for k in ("company", "manual", "code_scheme", "review"))
    manual.has_config = True
    manual.config_positions = file.positions
    manual.company, manual.company_short, manual.company_en = (_text(company.get(k)) for k in ("name", "short", "en"))
    manual.company_others = [name.strip() for name in _texts(company.get("others")) if name.strip()]
    manual.department = _text(data.get("department"))
    manual.title, manual.title_en = _text(about.get("title")), _text(about.get("title_en"))
    manual.edition, manual.date = _text(about.get("edition")), _date(about.get("date"))
    manual.controlled_copy = _text(about.get("controlled_copy"))
    manual.uncontrolled_mark = _text(_map(data.get("control")).get("uncontrolled_mark"))
    manual.locale = _text(data.get("locale", "zh-CN")) or "zh-CN"
    manual.code_scheme = CodeScheme(_text(scheme.get("pattern")), _text(scheme.get("format")), _int(scheme.get("year")),
                                    _text(scheme.get("example")), _text(scheme.get("form_pattern")))
    manual.chapters = [Chapter(i, _text(c.get("number")), _text(c.get("title")), _texts(c.get("documents")))
                       for i, c in enumerate(_list(data.get("chapters"))) if isinstance(c, dict)]
    manual.review_default_months = _int(review.get("default_months"))
    manual.review_today = _date(review.get("today"))
    manual.signoff_policy = {step: _texts(roles) for step, roles in _map(data.get("signoff_policy")).items()}
    manual.signoff_steps = _signoffs(data.get("signoff"))
    manual.segregation = _segregation(data.get("segregation"))
    manual.signatures = "required" if data.get("signatures") == "required" else "optional"
    # What the cover's sign-off approves: not the sign-off itself, and not how the manual is printed
    # (``print``: a binding gutter does not change what the manual says), nor how the site marks its
    # downloads (``control``: the 非受控 mark), nor how long obsolete versions are kept (``retention``: the
    # administration of the documents).
    normative = {k: v for k, v in data.items() if k not in ("signoff", "sample_names", "print", "retention", "control")}
    if isinstance(normative.get("review"), dict):
        normative["review"] = {k: v for k, v in normative["review"].items() if k != "today"}
    manual.config_normative = plain_data(normative)
    manual.sample_names = bool(data.get("sample_names"))
    manual.retention = _retention(data.get("retention"))
    gutter = _map(data.get("print")).get("binding_gutter_mm")
    manual.binding_gutter_mm = float(gutter) if isinstance(gutter, (int, float)) and not isinstance(gutter, bool) \
        and 0 < gutter <= 40 else 0.0
    manual.forbidden_terms = [Term(i, _text(t.get("term")), _text(t.get("use")), _text(t.get("why")))
                              for i, t in enumerate(_list(_map(data.get("terminology")).get("forbidden")))
                              if isinstance(t, dict)]


def apply_config(manual: Manual, file: SourceFile) -> None:
    """Set what manual/manual.yaml says on ``manual`` (``manual approve manual`` re-reads it after its edit)."""
    _config(manual, file)


def _segregation(value) -> list[tuple[str, str]]:
    """The pairs of steps that must be signed by different people (absent or malformed: all different)."""
    if isinstance(value, str) and value in SEGREGATION:
        return list(SEGREGATION[value])
    if isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 and set(p) <= set(SIGNOFF_STEPS)
                                       for p in value):
        return [tuple(sorted(p, key=SIGNOFF_STEPS.index)) for p in value if p[0] != p[1]]
    return list(SEGREGATION["all-different"])


def _people(manual: Manual, file: SourceFile, certificates: dict) -> None:
    if not isinstance(file.data.get("people"), list):
        return  # no list of people: the schema's finding says so, and the sign-offs are not checked against it
    manual.has_people = True
    manual.people_positions = file.positions
    for i, entry in enumerate(file.data["people"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or entry["id"] in manual.people:
            continue
        roles = [RoleHeld(j, _text(r.get("role")), _date(r.get("from")), _date(r.get("to")))
                 for j, r in enumerate(_list(entry.get("roles"))) if isinstance(r, dict)]
        cert = _text(entry.get("certificate"))
        manual.people[entry["id"]] = Person(
            i, entry["id"], _text(entry.get("name")), roles, email=_text(entry.get("email")),
            phone=_text(entry.get("phone")), certificate=cert, certificate_pem=certificates.get(cert) if cert else None,
            sample=bool(entry.get("sample")))


def _copies(manual: Manual, file: SourceFile) -> None:
    manual.distribution_positions = file.positions
    manual.copies = [Copy(i, _text(c.get("edition")), _int(c.get("copy")), _text(c.get("holder")),
                          _date(c.get("issued")), _date(c.get("recalled")), _text(c.get("file")), _text(c.get("sha256")))
                     for i, c in enumerate(_list(file.data.get("copies"))) if isinstance(c, dict)]


def fill_names(manual: Manual, entries) -> None:
    """A sign-off that names its signer by ``person: ID`` alone shows the registry's name."""
    for s in entries:
        if s.person and not s.name and s.person in manual.people:
            s.name = manual.people[s.person].name


def _org(manual: Manual, file: SourceFile) -> None:
    data = file.data
    manual.has_org = True
    manual.org_positions = file.positions
    manual.department_head = _text(data.get("department_head")) or None
    manual.authorized_headcount = _int(data.get("authorized_headcount"))
    for i, entry in enumerate(_list(data.get("roles"))):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"] not in manual.roles:
            manual.roles[entry["id"]] = Role(
                entry["id"], manual.org_loc("roles", i), i, en=_text(entry.get("en")),
                reports_to=_text(entry.get("reports_to")) or None, headcount=_int(entry.get("headcount")) or 0,
                external=bool(entry.get("external")), aliases=_texts(entry.get("aliases")),
                note=_text(entry.get("note")))
    manual.org_normative = plain_data({
        "department_head": data.get("department_head"), "authorized_headcount": data.get("authorized_headcount"),
        "roles": [{k: r.get(k) for k in ROLE_FIELDS if k in r} for r in _list(data.get("roles")) if isinstance(r, dict)]})


def build(source: Source) -> Manual:
    """The typed model of everything ``source`` holds."""
    manual = Manual(root=source.root, unreadable=set(source.unreadable), released=source.released,
                    editions=list(source.editions))
    if source.config is not None:
        _config(manual, source.config)
    if source.roles is not None:
        _org(manual, source.roles)
    manual.documents = [document(f) for f in source.documents]
    for file in source.forms:
        item = form(file)
        manual.forms[item.id] = item
    _claims(manual, source)
    if source.external is not None:
        _external(manual, source.external)
    for file in source.changes:
        request = change_request(file)
        manual.changes.setdefault(request.number, request)
    if source.people is not None:
        _people(manual, source.people, source.certificates)
        fill_names(manual, [s for item in [*manual.documents, *manual.forms.values()] for s in item.signoffs()]
                   + list(manual.signoff_steps.values()))
    if source.distribution is not None:
        _copies(manual, source.distribution)
    manual.acks = [ack for file in source.acks for ack in acks(file)]
    return manual


def acks(file: SourceFile) -> list[Ack]:
    """The records of one file of control/acks/ (read-and-acknowledge, 阅知记录)."""
    return [Ack(file.path, file.positions, i, _text(a.get("person")), _text(a.get("document")),
                _text(a.get("version")), _date(a.get("date")))
            for i, a in enumerate(_list(file.data.get("acks"))) if isinstance(a, dict)]


def _external(manual: Manual, file: SourceFile) -> None:
    """control/external.yaml: the register of external documents."""
    manual.has_external = True
    manual.external_positions = file.positions
    manual.externals = [
        ExternalDocument(i, _text(e.get("title")).strip(), _text(e.get("issuer")), _text(e.get("number")),
                         _text(e.get("version")), _texts(e.get("applies_to")), _text(e.get("url")),
                         [a.strip() for a in _texts(e.get("aliases"))])
        for i, e in enumerate(_list(file.data.get("external"))) if isinstance(e, dict)]


def change_request(file: SourceFile) -> ChangeRequest:
    """A change request (control/changes/CR-YYYY-NNN.yaml); without a number, the file's name stands for it."""
    data = file.data
    signers = {}
    for step in CHANGE_STEPS:
        entry = data.get(step)
        if isinstance(entry, dict):
            signers[step] = ChangeSigner(step, _text(entry.get("person")), _text(entry.get("name")),
                                         _date(entry.get("date")))
    number = _text(data.get("number")) or file.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return ChangeRequest(file.path, file.positions, number, _texts(data.get("documents")), _text(data.get("reason")),
                         CHANGE_CLASSES.get(_text(data.get("class")), ""), signers, _date(data.get("date")))


def _claims(manual: Manual, source: Source) -> None:
    """What the files of policies/ and forms/ stand for: their names, and what an unreadable one names."""
    folders = {"policies": manual.claimed_codes, "forms": manual.claimed_forms}
    paths = [*source.unreadable, *(f.path for f in source.documents), *(f.path for f in source.forms)]
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder in folders:
            folders[folder].add(name.rsplit(".", 1)[0])
    for path, key in source.claims.items():
        folder = path.rpartition("/")[0]
        if folder in folders:
            folders[folder].add(key)
