"""Every shipped document shows the same clauses in the PDF, the DOCX and the site.

The shipped manual is built once with the real engines (WeasyPrint, python-docx, MkDocs)
through the command line; then each output is read back:

* the PDF as text (pdfplumber): a clause is a line ``<label>. <text>``, its label printed
  by the list's counter;
* the DOCX (python-docx): a clause is a paragraph ``<label>.<tab><text>`` (the numbers are
  text, not Word numbering);
* the site page (the HTML MkDocs wrote): a clause is an ``<li>`` of an ``<ol>``, numbered
  from the list's ``start``, a nested list lettered (the theme's ``ol ol`` style).

For each format the clauses are (label, start of the text) in reading order; every format
must give exactly the model's sequence, so a format that drops, adds or reorders a clause,
or numbers it differently, fails.
"""
from __future__ import annotations

import re
import string
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, copy_manual, run_cli
from generator.model.build import read_manual
from generator.publishers.render.body import plain_text
from generator.read.markdown import Block

PREFIX = 8  # characters of a clause's text that identify it


def _key(label: str, text: str) -> tuple[str, str]:
    return label, re.sub(r"\s+", "", text)[:PREFIX]


def model_clauses(blocks: list[Block]) -> list[tuple[str, str]]:
    """(label as printed, text) of every numbered clause, depth first: "5.a" is printed "a"."""
    out = []
    for block in blocks:
        if block.kind == "list":
            for item in block.items:
                if item.number:
                    out.append(_key(item.number.rsplit(".", 1)[-1], plain_text(item.spans)))
                out.extend(model_clauses(item.children))
    return out


_LINE = re.compile(r"^([0-9]+|[a-z])\.\s*(\S.*)$")


def _matching(found: list[tuple[str, str]], expected: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The found lines that start a clause of the document (other numbered lines, such as the
    workflow diagram's steps, are not clauses)."""
    texts = {text for _label, text in expected}
    return [(label, text) for label, text in found if text in texts]


def pdf_clauses(path: Path, expected) -> list[tuple[str, str]]:
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for line in (page.extract_text() or "").split("\n"):
                m = _LINE.match(line.strip())
                if m:
                    found.append(_key(m.group(1), m.group(2)))
    return _matching(found, expected)


def docx_clauses(path: Path, expected) -> list[tuple[str, str]]:
    """The clauses as Word numbers them: numbering.xml read as Word reads it (each w:num counts its
    paragraphs from its level's start override, in its level's format), or a number typed before a tab."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(str(path))
    numbering = document.part.numbering_part.element
    formats = {a.get(qn("w:abstractNumId")): {lvl.get(qn("w:ilvl")): lvl.find(qn("w:numFmt")).get(qn("w:val"))
                                               for lvl in a.findall(qn("w:lvl"))}
               for a in numbering.findall(qn("w:abstractNum"))}
    nums = {}
    for num in numbering.findall(qn("w:num")):
        start = num.find(f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
        nums[num.get(qn("w:numId"))] = [num.find(qn("w:abstractNumId")).get(qn("w:val")),
                                        int(start.get(qn("w:val"))) if start is not None else 1]
    found = []
    for paragraph in document.paragraphs:
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is not None:
            entry = nums[str(numpr.numId.val)]
            fmt = formats[entry[0]][str(numpr.ilvl.val)]
            n, entry[1] = entry[1], entry[1] + 1
            if fmt == "decimal":
                found.append(_key(str(n), paragraph.text))
            elif fmt == "lowerLetter" and n <= 26:
                found.append(_key("abcdefghijklmnopqrstuvwxyz"[n - 1], paragraph.text))
            continue
        m = re.match(r"^([0-9]+|[a-z])\.\t(.*)$", paragraph.text, re.S)
        if m:
            found.append(_key(m.group(1), m.group(2)))
    return _matching(found, expected)


class _OrderedItems(HTMLParser):
    """The article's ordered-list items: (label, text) with the label the browser prints."""

    def __init__(self):
        super().__init__()
        self.in_article = 0
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.items: list[list] = []  # open items: [label or None, text parts]
        self.out: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.in_article += 1
        if not self.in_article:
            return
        if tag in ("ol", "ul"):
            self.lists.append([tag == "ol", int(attrs.get("start") or 1)])
        elif tag == "li" and self.lists:
            ordered, n = self.lists[-1]
            self.lists[-1][1] += 1
            depth = sum(1 for o, _ in self.lists if o) - 1
            label = (str(n) if depth % 2 == 0 else string.ascii_lowercase[n - 1]) if ordered else None
            item = [label, []]
            self.items.append(item)
            if label is not None:
                self.out.append((label, item[1]))

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article -= 1
        if not self.in_article:
            return
        if tag in ("ol", "ul") and self.lists:
            self.lists.pop()
        elif tag == "li" and self.items:
            self.items.pop()

    def handle_data(self, data):
        if self.items and self.in_article:
            # Text belongs to the innermost item only (a nested list's text is its own items').
            self.items[-1][1].append(data)


def site_clauses(path: Path, expected) -> list[tuple[str, str]]:
    parser = _OrderedItems()
    parser.feed(path.read_text(encoding="utf-8"))
    return _matching([_key(label, "".join(parts)) for label, parts in parser.out], expected)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = copy_manual(REPO, tmp_path_factory.mktemp("clauses") / "manual")
    result = run_cli("build", "pdf", "docx", "site", "--no-cache", "--quiet", cwd=root)
    assert result.returncode == 0, result.stderr
    manual, _ = read_manual(root)
    return root, manual


def _documents():
    manual, _ = read_manual(REPO)
    return [d.code for d in manual.in_navigation()]


@pytest.mark.parametrize("code", _documents())
def test_every_format_shows_the_models_clauses_in_order(built, code):
    root, manual = built
    doc = manual.document(code)
    expected = model_clauses(doc.blocks)
    shown = {
        "pdf": pdf_clauses(root / "dist" / "documents" / f"{doc.slug}.pdf", expected),
        "docx": docx_clauses(root / "dist" / "documents" / f"{doc.slug}.docx", expected),
        "site": site_clauses(root / "site" / "documents" / f"{doc.slug}.html", expected),
    }
    for fmt, clauses in shown.items():
        assert clauses == expected, f"{code}: the {fmt} shows other clauses than the source"


def test_the_manual_has_numbered_clauses_to_compare(built):
    """The comparison above is not empty: the shipped manual has clauses, nested ones too."""
    _root, manual = built
    labels = [label for d in manual.in_navigation() for label, _ in model_clauses(d.blocks)]
    assert len(labels) > 50 and "a" in labels
