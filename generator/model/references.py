"""Who refers to whom: the links between the manual's documents and forms, as pure queries.

A document refers to another document by listing its code in ``references.documents``
(``Document.cited_documents``) or by citing its 《title》 or writing its bare code
(``citations.bare_codes``: "按0108-2014执行") in its body, its workflow steps or its
job descriptions.  A document uses a form when it lists it in ``uses_forms``, names
it in a workflow step, cites its 《title》 or writes its code.

``links(manual)`` answers all of it in one pass over the manual (linear in its
size), so that an output can show on every page who cites it without asking the
whole manual again for each page.  Nothing here reads files.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import Document, Form, Manual
from .citations import bare_codes_in, citations, prose_runs, resolve_code, resolve_external


def title_index(manual: Manual) -> dict[str, Document | Form]:
    """Every title a 《citation》 may name → what it names (``citations.resolve`` for all titles at once):
    a form by its title or an alias, else a document by its title; the first one wins."""
    out: dict[str, Document | Form] = {}
    for form in manual.forms.values():
        for title in [form.title, *form.aliases]:
            out.setdefault(title, form)
    for doc in manual.documents:
        out.setdefault(doc.title, doc)
    return out


def cited_texts(doc: Document) -> list[str]:
    """The prose of ``doc`` that may cite 《titles》: its body, its workflow steps, its job descriptions."""
    texts = [doc.body]
    for step in doc.workflow:
        texts += [step.title, step.description]
    for job in doc.jobs:
        texts += [*job.duties, job.note]
    return texts


def coded_texts(doc: Document) -> list[str]:
    """The prose of ``doc`` that may write bare codes: the plain text of its body as the outputs print
    it (no code spans, no links: ``citations.prose_runs``), its workflow steps, its job descriptions."""
    return [text for _, text in prose_runs(doc.blocks)] + cited_texts(doc)[1:]


def cited_items(doc: Document, titles: dict[str, Document | Form],
                manual: Manual | None = None) -> list[Document | Form]:
    """The documents and forms ``doc`` cites as 《title》, then those it names by a bare code (when
    ``manual`` is given: its code scheme and its codes), each once, in the order first cited
    (``titles``: ``title_index(manual)``)."""
    out: list[Document | Form] = []
    for text in cited_texts(doc):
        for _, _, title in citations(text):
            target = titles.get(title.strip())
            if target is not None and not any(t is target for t in out):
                out.append(target)
    if manual is not None:
        for found in bare_codes_in(manual.code_scheme, coded_texts(doc)):
            for bare in found:
                target = resolve_code(manual, bare.code)
                if target is not None and not any(t is target for t in out):
                    out.append(target)
    return out


@dataclass
class Links:
    """The links of one manual (see ``links``); documents are told apart by identity, not by code."""

    manual: Manual
    titles: dict[str, Document | Form]  # ``title_index``
    cited: dict[int, list[Document | Form]] = field(default_factory=dict)  # id(document) → ``cited_items``
    referrers_by_doc: dict[int, list[Document]] = field(default_factory=dict)  # id(document) → referrers
    users_by_form: dict[str, list[Document]] = field(default_factory=dict)  # form id → documents using it

    def resolve(self, title: str):
        """What a 《title》 names (a document, a form, a registered external document), or None."""
        return self.titles.get(title.strip()) or resolve_external(self.manual, title)

    def referrers(self, doc: Document) -> list[Document]:
        """The other documents that list ``doc`` in ``references.documents``, cite it or write its code,
        in the manual's order."""
        return list(self.referrers_by_doc.get(id(doc), []))

    def form_users(self, form: Form) -> list[Document]:
        """The documents that use ``form``, in the manual's order."""
        return list(self.users_by_form.get(form.id, []))


def links(manual: Manual) -> Links:
    """Every link of ``manual``, in one pass."""
    out = Links(manual, title_index(manual))
    by_code: dict[str, list[Document]] = {}
    for doc in manual.documents:
        by_code.setdefault(doc.code, []).append(doc)
        out.cited[id(doc)] = cited_items(doc, out.titles, manual)
    for doc in manual.documents:
        seen = {id(doc)}
        listed = [t for code in doc.cited_documents for t in by_code.get(code, [])]
        for target in listed + out.cited[id(doc)]:
            if isinstance(target, Document) and id(target) not in seen:
                seen.add(id(target))
                out.referrers_by_doc.setdefault(id(target), []).append(doc)
        used = set(doc.uses_forms)
        used.update(fid for step in doc.workflow for fid in step.forms)
        used.update(t.id for t in out.cited[id(doc)] if isinstance(t, Form))
        for fid in used:
            if fid in manual.forms:
                out.users_by_form.setdefault(fid, []).append(doc)
    return out
