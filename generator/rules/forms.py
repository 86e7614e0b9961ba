"""Form templates: unique field names, labels, options, table columns, codes; the document a form code
names, and forms not in force used by documents in force."""
from __future__ import annotations

import re

from ..model import formspec
from ..model.formsheet import sheet_fit
from ..model.codes import chapter_number_code, form_document, without_year
from ..common.findings import close_hint, error, warning
from . import rule, written


def _key_or(form, field, key: str, fallback: str):
    """Where ``key`` of ``field`` stands in the form's source, or ``fallback`` when the field has no such key."""
    return form.loc(*field.path, key if written(form, *field.path, key) else fallback)


@rule("form-field-unique")
def form_field_unique(manual):
    """Field ids are unique within a form, and so are the PDF field names made from them
    (``issues_1_2`` of a table, ``channels_1`` of a multichoice, ``sign_date`` of a signature)."""
    findings = []
    for form in manual.forms.values():
        first: dict[str, object] = {}  # field id -> the first field with it
        for f in form.fields():
            if not f.id:
                continue
            if f.id in first:
                findings.append(error("form-field-unique", form.loc(*f.path, "id"), "form-field-unique",
                                      id=f.id, line=form.loc(*first[f.id].path, "id").line))
            else:
                first[f.id] = f
        # Names the outputs derive from the ids must not collide with another field's name.
        owner = {}
        for pf in formspec.pdf_fields(form):
            if pf.name in owner and owner[pf.name] is not pf.field:
                a, b = owner[pf.name].id, pf.field.id
                if a == b or b not in first:
                    continue  # a duplicate id, reported above; or an id that is no text, the schema's finding
                findings.append(error("form-field-unique", form.loc(*first[b].path, "id"), "form-field-pdf-name",
                                      field=b, name=pf.name, other=a))
            else:
                owner.setdefault(pf.name, pf.field)
    return findings


@rule("form-field-label")
def form_field_label(manual):
    findings = []
    for form in manual.forms.values():
        for f in form.fields():
            if not f.label.strip():
                findings.append(error("form-field-label", _key_or(form, f, "label", "id"), "form-field-label",
                                      id=f.id or "?"))
    return findings


@rule("form-choice-options")
def form_choice_options(manual):
    findings = []
    for form in manual.forms.values():
        for f in form.fields():
            if f.type not in ("choice", "multichoice"):
                continue
            if not f.options:
                findings.append(error("form-choice-options", _key_or(form, f, "options", "type"),
                                      "form-choice-options", type=f.type, id=f.id or "?"))
                continue
            seen = set()
            for i, option in enumerate(f.options):
                if option in seen:
                    findings.append(error("form-choice-options", form.loc(*f.path, "options", i),
                                          "form-choice-option-twice", option=option, id=f.id or "?"))
                seen.add(option)
    return findings


@rule("form-table-columns")
def form_table_columns(manual):
    findings = []
    for form in manual.forms.values():
        for f in form.fields():
            if f.type != "table":
                continue
            fid = f.id or "?"
            if not f.columns:
                findings.append(error("form-table-columns", _key_or(form, f, "columns", "type"),
                                      "form-table-columns", id=fid))
            else:
                seen = set()
                for i, column in enumerate(f.columns):
                    column_id = column.id or str(i + 1)  # a column without an id is numbered (formspec.columns)
                    if column_id in seen:
                        findings.append(error("form-table-columns", form.loc(*f.path, "columns", i),
                                              "form-table-column-twice", column=column_id, id=fid))
                    seen.add(column_id)
            if f.rows is None:
                findings.append(error("form-table-columns", form.loc(*f.path, "type"), "form-table-rows", id=fid))
    return findings


@rule("form-register-rows", severities=("warning",))
def form_register_rows(manual):
    """A register's declared rows that its one sheet cannot hold even at the lowest row height
    (``model.formsheet.sheet_fit``): they are not printed, so say so at its ``rows:`` line."""
    findings = []
    for form in manual.forms.values():
        fit = sheet_fit(form)
        if fit.dropped and fit.table is not None:
            printed = fit.rows[fit.table.id]
            findings.append(warning("form-register-rows", _key_or(form, fit.table, "rows", "type"),
                                    "form-register-rows", id=fit.table.id, declared=fit.declared,
                                    printed=printed, paper=form.paper or "A4"))
    return findings


@rule("form-code")
def form_code(manual):
    """A form's code follows ``code_scheme.form_pattern`` when the manual sets one."""
    pattern = manual.code_scheme.form_pattern
    if not pattern:
        return []
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        return [error("form-code", manual.config_loc("code_scheme", "form_pattern"), "form-code-pattern",
                      error=exc)]
    findings = []
    seen: dict[str, str] = {}
    for form in manual.forms.values():
        if not form.code:
            continue
        if not compiled.fullmatch(form.code):
            findings.append(error("form-code", form.loc("code"), "form-code", code=form.code, pattern=pattern))
        if form.code in seen:
            findings.append(error("form-code", form.loc("code"), "form-code-twice", code=form.code,
                                  other=seen[form.code]))
        else:
            seen[form.code] = form.path
    return findings


@rule("form-document", unreviewed=True)
def form_document_rule(manual):
    """A form code names a document number (``0108-F2``: document 0108-2014) that no document has.

    A chapter's own forms, which ``manual new form`` without ``--document`` numbers ``<chapter>00-F<n>``,
    name their chapter instead."""
    if not manual.code_scheme.pattern:
        return []
    scheme = manual.code_scheme
    codes = [d.code for d in manual.documents if d.code] + sorted(manual.claimed_codes)
    numbers = {without_year(scheme, code) for code in codes} | set(codes)  # with its year, too
    numbers |= {n for c in manual.chapters if (n := chapter_number_code(scheme, c.number))}
    findings = []
    for form in manual.forms.values():
        number = form_document(scheme, form.code) if form.code else None
        if number is None or number in numbers:
            continue
        findings.append(error("form-document", form.loc("code"), "form-document", code=form.code, number=number,
                              hint=close_hint(number, sorted(numbers))))
    return findings


NOT_IN_FORCE = ("draft", "in_review", "superseded")


@rule("form-status")
def form_status(manual):
    """An effective document uses (``uses_forms`` or a workflow step) a form that is not in force."""
    findings = []
    for doc in manual.documents:
        if doc.status != "effective":
            continue
        places = [(("uses_forms", i), form_id) for i, form_id in enumerate(doc.uses_forms)]
        places += [(("workflow", step.index, "forms", j), form_id)
                   for step in doc.workflow for j, form_id in enumerate(step.forms)]
        reported = set()
        for path, form_id in places:
            form = manual.forms.get(form_id)
            if form is None or form.status not in NOT_IN_FORCE or form_id in reported:
                continue
            reported.add(form_id)  # once per document: at uses_forms, else at its first workflow step
            findings.append(error("form-status", doc.loc(*path), f"form-status-{form.status.replace('_', '-')}",
                                  form=form_id, title=form.title, path=form.path))
    return findings
