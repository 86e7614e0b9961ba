"""References: document → document, document → form, document → role; codes written in prose."""
from __future__ import annotations

import re

from ..common.findings import Location, close_hint, error, texts, warning
from ..model import Document
from ..model.citations import (LIVE_SCHEMES, bare_codes_in, code_matcher, link_scheme, link_target, prose_runs,
                               resolve_code, same_but_year)
from ..read.markdown import iter_links
from . import memo, rule
from .terminology import Piece, sources


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
            if span.kind == "image":  # a picture, not a link: the image-* rules (generator.rules.images)
                continue
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


# -- codes written in prose without 《》 ----------------------------------------------------------
# Severity policy: a code that names nothing (``code-unknown``) or an old numbering of a document that
# exists under another year (``code-outdated``) is wrong: an error, and the outputs cannot link it.
# A code of a superseded document or form (``code-superseded``) may be meant ("本制度替代0108-2006"):
# a warning, and none at all in a document that is itself superseded.
def _yaml_texts(doc):
    """(key path, text) of a document's prose outside its body that may write codes."""
    for step in doc.workflow:
        yield ("workflow", step.index, "title"), step.title
        yield ("workflow", step.index, "description"), step.description
    for job in doc.jobs:
        yield ("jobs", job.index, "note"), job.note
        for k, duty in enumerate(job.duties):
            yield ("jobs", job.index, "duties", k), duty


def _coded_pieces(manual, doc):
    """(piece, bare code, nth) for every bare code of ``doc``: nth counts the same characters earlier
    in the piece (to find the column in the source)."""
    pieces = [Piece(doc.path, line, 1, text) for line, text in prose_runs(doc.blocks)]
    for keys, text in _yaml_texts(doc):
        if text and text.strip():
            line, col = doc.positions.at(keys)
            pieces.append(Piece(doc.path, line, col, text))
    for piece, found in zip(pieces, bare_codes_in(manual.code_scheme, [p.text for p in pieces])):
        for bare in found:
            yield piece, bare, piece.text.count(bare.written, 0, bare.start)


def bare_code_uses(manual):
    """Every bare code of every document, with where it stands (computed once per run of the rules)."""
    def compute():
        located = sources(manual)
        return [(doc, bare, located.locate(piece, re.compile(re.escape(bare.written)), nth))
                for doc in manual.documents for piece, bare, nth in _coded_pieces(manual, doc)]
    return memo(manual, "references.bare_codes", compute)


def _plausible(manual, bare) -> bool:
    """Whether an unknown match is a code at all: when the scheme names a ``chapter``, it is one of the
    manual's chapters (so that 2013-2014 is not read as chapter 20 of a one-chapter manual)."""
    matcher = code_matcher(manual.code_scheme.pattern, manual.code_scheme.form_pattern)
    confirm = matcher.documents if bare.kind == "document" else matcher.forms
    numbers = {c.number.lstrip("0") for c in manual.chapters if c.number}
    if confirm is None or "chapter" not in confirm.groupindex or not numbers:
        return True
    found = confirm.fullmatch(bare.code)
    chapter = found.group("chapter") if found else None
    return chapter is None or chapter.lstrip("0") in numbers


def _unreadable(manual, bare) -> bool:
    """Whether the code may name a file that could not be read (its own finding comes first)."""
    if bare.kind == "document":
        return manual.stands_for_document(bare.code)
    return any(path.startswith("forms/") for path in manual.unreadable)


@rule("code-unknown", unreviewed=True)
def code_unknown(manual):
    """A code written in prose that names no document or form, and is not another year's numbering of one."""
    findings = []
    hints: dict = {}
    for doc, bare, loc in bare_code_uses(manual):
        if resolve_code(manual, bare.code) is not None or same_but_year(manual, bare.code, bare.kind) is not None:
            continue
        if not _plausible(manual, bare) or _unreadable(manual, bare):
            continue
        if bare.code not in hints:
            known = [d.code for d in manual.documents] if bare.kind == "document" else \
                [f.code for f in manual.forms.values()]
            hints[bare.code] = close_hint(bare.code, [c for c in known if c])
        findings.append(error("code-unknown", loc, "code-unknown", code=bare.code, hint=hints[bare.code]))
    return findings


@rule("code-outdated", unreviewed=True)
def code_outdated(manual):
    """A code written in prose in another year's numbering of a document that exists (0108-2006 for 0108-2014)."""
    findings = []
    for doc, bare, loc in bare_code_uses(manual):
        if resolve_code(manual, bare.code) is not None:
            continue
        current = same_but_year(manual, bare.code, bare.kind)
        if current is not None:
            findings.append(error("code-outdated", loc, "code-outdated", code=bare.code, current=current.code,
                                  title=current.title))
    return findings


@rule("code-superseded", severities=("warning",))
def code_superseded(manual):
    """A code written in prose naming a superseded document or form (a warning: it may be meant)."""
    findings = []
    for doc, bare, loc in bare_code_uses(manual):
        target = resolve_code(manual, bare.code)
        if target is None or target.status != "superseded" or doc.status == "superseded" or target is doc:
            continue
        current = same_but_year(manual, target.code, bare.kind)
        successor = texts("code-superseded-successor", current=current.code, title=current.title) \
            if current is not None and current.status != "superseded" else ""
        findings.append(warning("code-superseded", loc, "code-superseded", code=target.code, title=target.title,
                                successor=successor))
    return findings
