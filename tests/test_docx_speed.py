"""The DOCX writer's shortcuts around python-docx (issue #10) change no byte.

``publishers/docx.py`` puts every paragraph, table and section break just before the body's final
``w:sectPr`` it keeps a reference to, names header and footer parts from a set it keeps, and
``docxxml.el`` makes elements the way ``OxmlElement`` does without re-parsing the tag, and table rows
are parsed from markup (``docxxml.parse_w``) instead of made element by element; ``docx/fast.py``
names the header and footer parts.  Here the
same files are written a second time through python-docx's own calls (``document.add_paragraph``,
``add_section``, ``insert_element_before``, ``package.next_partname``, ``OxmlElement`` for every
element, appended one by one) and compared byte for byte: the whole manual and every single document, of the minimal fixture, of a synthetic
manual with several chapters and of the shipped manual.
"""
from __future__ import annotations

import hashlib
import sys

import pytest

from conftest import MINIMAL, REPO, copy_manual
from generator.publishers.docx import xml as docxxml
from generator.publishers.docx import render as docx_pub
from generator.publishers.render import view as pm
from generator.model.build import read_manual

pytestmark = pytest.mark.slow


def python_docx_way(monkeypatch) -> None:
    """The Writer as it was: python-docx's own calls for every block, section and element."""
    from docx.oxml import OxmlElement

    def el(tag, **attrs):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(docxxml.qn(key.replace("__", ":")), str(value))
        return element

    def insert(self, element):
        self.doc.element.body.insert_element_before(element, "w:sectPr")
        return element

    def parse_w(markup):
        """The markup's tree, made with OxmlElement and append, element by element."""
        from lxml import etree

        def make(node):
            ns, local = node.tag[1:].split("}")
            assert ns == docxxml.W_NS
            element = OxmlElement(f"w:{local}")
            for key, value in node.attrib.items():
                element.set(key, value)
            if node.text is not None:  # only w:t holds text (w:r's .text is python-docx's own property)
                element.text = node.text
            for child in node:
                element.append(make(child))
            return element

        return make(etree.fromstring(markup.replace(">", f' xmlns:w="{docxxml.W_NS}">', 1)))

    monkeypatch.setattr(docx_pub, "_el", el)
    monkeypatch.setattr(docx_pub, "_parse_w", parse_w)
    monkeypatch.setattr(docx_pub, "remember_partnames", lambda document: None)
    monkeypatch.setattr(docx_pub.Writer, "_insert", insert)
    monkeypatch.setattr(docx_pub.Writer, "_paragraph", lambda self: self.doc.add_paragraph())
    monkeypatch.setattr(docx_pub.Writer, "_add_section", lambda self, start: self.doc.add_section(start))


def digests(manual) -> dict[str, str]:
    out = {"manual.docx": hashlib.sha256(docx_pub.manual_docx(manual)).hexdigest()}
    for doc in pm.print_documents(manual):
        out[f"{doc.code}.docx"] = hashlib.sha256(docx_pub.document_docx(manual, doc)).hexdigest()
    return out


def synthetic(tmp_path):
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import synth
    finally:
        sys.path.remove(str(REPO / "bench"))
    return synth.write_manual(tmp_path / "synthetic", 70, 8)  # two chapters, forms, references


@pytest.mark.parametrize("which", ["minimal", "synthetic", "shipped"])
def test_same_bytes_as_python_docx_own_calls(which, tmp_path, monkeypatch):
    if which == "minimal":
        root = copy_manual(MINIMAL, tmp_path / "m")
    elif which == "synthetic":
        root = synthetic(tmp_path)
    else:
        root = copy_manual(REPO, tmp_path / "shipped")
    manual, _ = read_manual(root)
    fast = digests(manual)
    with monkeypatch.context() as m:
        python_docx_way(m)
        slow = digests(manual)
    assert len(fast) == len(pm.print_documents(manual)) + 1
    assert fast == slow


def test_el_makes_the_element_oxmlelement_makes():
    from docx.oxml import OxmlElement
    from lxml import etree

    fast = docxxml.el("w:tcW", w__w="2000", w__type="dxa")
    slow = OxmlElement("w:tcW")
    slow.set(docxxml.qn("w:w"), "2000")
    slow.set(docxxml.qn("w:type"), "dxa")
    assert type(fast) is type(slow)
    assert etree.tostring(fast) == etree.tostring(slow)
    assert fast.nsmap == slow.nsmap


def test_text_xml_cannot_hold_is_refused_as_before():
    with pytest.raises(ValueError):
        docx_pub._run_el("控制字符\x01")
