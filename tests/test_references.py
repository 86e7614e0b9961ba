"""generator.model.references: who cites a document, which documents use a form (pure queries)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual
from generator.model import Document, Form, Job, Manual, WorkflowStep
from generator.model.build import read_manual
from generator.model.citations import bare_codes, citations, prose_runs, resolve, resolve_code
from generator.model.references import cited_items, links, title_index
from generator.read.yamlsrc import Positions


def _item(code: str, title: str, **kw) -> dict:
    return dict(path=f"policies/{code}.md", positions=Positions(), source_sha256="", code=code, title=title,
                title_en="", version="1.0", status="effective", effective=None, owner="", signoff_steps={},
                revisions=[], normative={}, **kw)


def doc(code: str, title: str, **kw) -> Document:
    return Document(**_item(code, title, **kw))


def form(fid: str, title: str, aliases=()) -> Form:
    return Form(**_item(f"F-{fid}", title), id=fid, aliases=list(aliases))


def manual(docs, forms=()) -> Manual:
    return Manual(root=Path("/nowhere"), documents=list(docs), forms={f.id: f for f in forms})


def test_title_index_prefers_forms_then_the_first_of_each_title():
    visit = form("visit", "回访记录表", aliases=["回访表"])
    clash = doc("0101", "回访记录表")
    first, second = doc("0102", "档案制度"), doc("0103", "档案制度")
    titles = title_index(manual([clash, first, second], [visit]))
    assert titles["回访记录表"] is visit and titles["回访表"] is visit
    assert titles["档案制度"] is first


def test_citations_in_body_steps_and_duties_each_once_in_order():
    visit = form("visit", "回访记录表")
    archive = doc("0102", "档案制度")
    citing = doc("0101", "回访制度", body="见《档案制度》和《未知》。再见《档案制度》。",
                 workflow=[WorkflowStep(0, "s1", "填写《回访记录表》", "客服")],
                 jobs=[Job(0, "客服", duties=["按《 档案制度 》归档"], note="")])
    m = manual([citing, archive], [visit])
    assert cited_items(citing, title_index(m)) == [archive, visit]
    assert links(m).resolve(" 档案制度 ") is archive and links(m).resolve("未知") is None


def test_referrers_list_or_cite_never_themselves():
    target = doc("0102", "档案制度", body="本文件即《档案制度》。")
    lister = doc("0101", "回访制度", cited_documents=["0102", "0102"])
    citer = doc("0103", "投诉制度", body="依《档案制度》。")
    other = doc("0104", "其他")
    found = links(manual([lister, target, citer, other]))
    assert found.referrers(target) == [lister, citer]
    assert found.referrers(other) == [] and found.referrers(lister) == []


def test_form_users_listed_in_a_step_or_cited():
    visit, unused = form("visit", "回访记录表", aliases=["回访表"]), form("spare", "备用表")
    listed = doc("0101", "A", uses_forms=["visit"])
    stepped = doc("0102", "B", workflow=[WorkflowStep(0, "s", "t", "r", forms=["visit"])])
    cited = doc("0103", "C", body="填写《回访表》。")
    neither = doc("0104", "D", uses_forms=["missing"])
    found = links(manual([listed, stepped, cited, neither], [visit, unused]))
    assert found.form_users(visit) == [listed, stepped, cited]
    assert found.form_users(unused) == []


@pytest.mark.parametrize("which", ["shipped", "minimal", "site"])
def test_links_agree_with_asking_each_question_afresh(which, tmp_path):
    """One pass gives what the plain definitions give, asked document by document."""
    root = {"shipped": REPO, "minimal": MINIMAL}.get(which)
    if root is None:  # the site fixture: the minimal manual with the site's overlay
        root = copy_manual(MINIMAL, tmp_path / "m")
        shutil.copytree(FIXTURES / "site", root, dirs_exist_ok=True)
    m, _ = read_manual(root)
    found = links(m)

    def cites(d):
        data = [t for s in d.workflow for t in (s.title, s.description)]
        data += [t for j in d.jobs for t in (*j.duties, j.note)]
        prose = [text for _, text in prose_runs(d.blocks)] + data  # bare codes: not in code spans or links
        return [resolve(m, title) for text in [d.body] + data for _, _, title in citations(text)] + \
            [resolve_code(m, c.code) for text in prose for c in bare_codes(m.code_scheme, text)]

    for d in m.documents:
        assert found.referrers(d) == [o for o in m.documents if o is not d and (
            d.code in o.cited_documents or any(t is d for t in cites(o)))]
    for f in m.forms.values():
        assert found.form_users(f) == [d for d in m.documents if f.id in d.uses_forms
                                       or any(f.id in s.forms for s in d.workflow)
                                       or any(t is f for t in cites(d))]
    assert any(found.referrers(d) for d in m.documents) or which == "minimal"
    assert any(found.form_users(f) for f in m.forms.values()) or which == "minimal"
    if which == "site":  # 0107-2020 says "已由 0101-2020 取代": a bare code
        assert m.document("0107-2020") in found.referrers(m.document("0101-2020"))
