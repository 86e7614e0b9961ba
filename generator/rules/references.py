"""References: document → document, document → form, document → role."""
from __future__ import annotations

from ..common.findings import Location, close_hint, error, warning
from ..model import Document
from ..model.citations import LIVE_SCHEMES, link_scheme, link_target
from ..read.markdown import iter_links
from . import rule


@rule("ref-document")
def ref_document(manual):
    codes = {d.code for d in manual.documents}
    hints: dict = {}  # the same unknown code in many documents: one search for the closest
    findings = []
    for doc in manual.documents:
        for i, code in enumerate(doc.cited_documents):
            if code not in codes and not manual.stands_for_document(code):
                if code not in hints:
                    hints[code] = close_hint(code, codes)
                findings.append(error("ref-document", doc.loc("references", "documents", i), "ref-document",
                                      code=code, hint=hints[code]))
    return findings


def _unknown_form(manual, form_id) -> bool:
    return not manual.stands_for_form(form_id)


@rule("ref-form")
def ref_form(manual):
    findings = []
    for doc in manual.documents:
        for i, form_id in enumerate(doc.uses_forms):
            if _unknown_form(manual, form_id):
                findings.append(error("ref-form", doc.loc("uses_forms", i), "ref-form", form=form_id,
                                      hint=close_hint(form_id, manual.forms)))
        for step in doc.workflow:
            for fi, form_id in enumerate(step.forms):
                if _unknown_form(manual, form_id):
                    findings.append(error("ref-form", doc.loc("workflow", step.index, "forms", fi),
                                          "ref-form-workflow", form=form_id, hint=close_hint(form_id, manual.forms)))
    return findings


def _role_refs(item):
    """(path, role) for every role a document or form names in its data."""
    refs = [(("owner",), item.owner)]
    if isinstance(item, Document):
        refs += [(("references", "roles", i), role) for i, role in enumerate(item.cited_roles)]
        refs += [(("workflow", step.index, "role"), step.role) for step in item.workflow]
        for job in item.jobs:
            refs += [(("jobs", job.index, "covers", j), role) for j, role in enumerate(job.covers)]
            refs.append((("jobs", job.index, "reports_to"), job.reports_to))
    refs += [(("signoff", s.step, "role"), s.role) for s in item.signoffs()]
    return [(path, role) for path, role in refs if isinstance(role, str) and role]


def _config_role_refs(manual):
    """(path, role) for every role manual.yaml names: who may sign each step, and the manual's own sign-off."""
    refs = [(("signoff_policy", step, i), role)
            for step, roles in manual.signoff_policy.items() for i, role in enumerate(roles)]
    refs += [(("signoff", s.step, "role"), s.role) for s in manual.signoff_steps.values()]
    return [(path, role) for path, role in refs if isinstance(role, str) and role]


@rule("ref-role")
def ref_role(manual):
    if not manual.roles:
        return []
    findings = []
    places = [(item.loc, _role_refs(item)) for item in list(manual.documents) + list(manual.forms.values())]
    places.append((manual.config_loc, _config_role_refs(manual)))
    for loc, refs in places:
        for path, role in refs:
            if role not in manual.roles:
                findings.append(error("ref-role", loc(*path), "ref-role", role=role, roles_file=manual.org_path,
                                      hint=close_hint(role, manual.roles)))
    return findings


@rule("unused-form", severities=("warning",))
def unused_form(manual):
    used = set()
    for doc in manual.documents:
        used.update(doc.uses_forms)
        for step in doc.workflow:
            used.update(step.forms)
    return [warning("unused-form", form.loc("id"), "unused-form", id=form.id, title=form.title)
            for form in manual.forms.values() if form.id not in used]


@rule("link-target", severities=("error", "warning"))
def link_target_rule(manual):
    """A link inside the manual must lead to one of its documents or forms; a link of another kind than
    web or mail prints as plain text (a warning: perhaps meant, never live)."""
    findings = []
    names = [d.code for d in manual.documents] + sorted(manual.forms)
    for doc in manual.documents:
        for line, span in iter_links(doc.blocks):
            href = span.href
            scheme = link_scheme(href)
            at = Location(doc.path, line, 1)
            if scheme is None or (scheme and scheme not in LIVE_SCHEMES):
                findings.append(warning("link-target", at, "link-target-scheme", href=href))
            elif scheme == "" and not href.startswith("#") and link_target(manual, href) is None:
                stem = href.split("#", 1)[0].rsplit("/", 1)[-1].rsplit(".", 1)[0]
                if not any(path.endswith(f"/{stem}.md") or path.endswith(f"/{stem}.yaml") for path in manual.unreadable):
                    findings.append(error("link-target", at, "link-target", href=href, hint=close_hint(stem, names)))
    return findings
