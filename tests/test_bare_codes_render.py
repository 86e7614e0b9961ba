"""Known bare codes become links in the real outputs: the built site (its HTML), the PDF (link
annotations jumping to a named destination, read back with pypdf) and the DOCX (internal hyperlinks,
read back with python-docx).  One ``manual build`` of the minimal manual, with a clause that writes a
form code and a full-width document code without 《》, and the same code in a code span."""
from __future__ import annotations

import docx
import pypdf
import pytest

from conftest import MINIMAL, copy_manual, run_cli

CLAUSE = "3. 回访后填写0101-F1，资料按０１０２－２０２０保管；`0102-2020` 是代码。"

pytestmark = pytest.mark.xdist_group("bare-codes-render")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("bare") / "m")
    config = root / "manual" / "manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  example: 0101-2020\n", "  example: 0101-2020\n  form_pattern: '^\\d{4}-F\\d+$'\n"), encoding="utf-8")
    policy = root / "policies" / "0101-2020.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("3. 回访后填写《客户回访记录表》。", CLAUSE),
                      encoding="utf-8")
    result = run_cli("build", "--quiet", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_site_links_known_codes_as_written_and_leaves_code_spans(built):
    html = (built / "site" / "documents" / "0101-2020.html").read_text(encoding="utf-8")
    assert ('回访后填写<a href="../forms/visit-record.html">0101-F1</a>，'
            '资料按<a href="0102-2020.html">０１０２－２０２０</a>保管；<code>0102-2020</code> 是代码。') in html
    # the cited document counts the citer among the documents that cite it
    cited = (built / "site" / "documents" / "0102-2020.html").read_text(encoding="utf-8")
    assert '<a href="0101-2020.html">' in cited


def _page(reader, heading):
    return next(p for p in reader.pages if heading in p.extract_text() and "目 录" not in p.extract_text())


def test_pdf_codes_jump_inside_the_manual(built):
    reader = pypdf.PdfReader(str(built / "dist" / "manual.pdf"))
    page = _page(reader, "0101-2020 客户回访制度")
    assert "资料按０１０２－２０２０保管" in page.extract_text()
    links = [a.get_object() for a in page.get("/Annots") or [] if a.get_object().get("/Subtype") == "/Link"]
    rows = {str(a["/Dest"]): tuple(round(float(v)) for v in a["/Rect"][1::2]) for a in links
            if str(a.get("/Dest")) == "doc-0102-2020"}
    assert rows, [str(a.get("/Dest")) for a in links]  # the document code: an internal jump
    forms = [tuple(round(float(v)) for v in a["/Rect"][1::2]) for a in links if str(a.get("/Dest")) == "form-visit-record"]
    # the form code on the clause's line (besides the 《title》 in the forms list below it)
    assert rows["doc-0102-2020"] in forms and len(forms) == 2
    assert "doc-0102-2020" in reader.named_destinations
    assert not any(str(a.get("/A", {}).get("/URI", "")).startswith("file:") for a in links)


def test_docx_codes_are_internal_hyperlinks(built):
    document = docx.Document(str(built / "dist" / "manual.docx"))
    para = next(p for p in document.paragraphs if "资料按" in p.text)
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    found = [(h.get(f"{{{ns['w']}}}anchor"), "".join(t.text or "" for t in h.findall(".//w:t", ns)))
             for h in para._p.findall("w:hyperlink", ns)]
    assert found == [("form_visit_record", "0101-F1"), ("doc_0102_2020", "０１０２－２０２０")]
    assert "0102-2020 是代码" in para.text  # the code span stays text
