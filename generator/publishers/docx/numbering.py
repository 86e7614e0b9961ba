"""Word numbering (numbering.xml) for the clauses and sub-items of a document body.

Two multilevel lists are defined once per file:

* clauses: level 0 ``%1.`` decimal, level 1 ``%2.`` lower letters, levels 2–8 ``%n.`` lower roman:
  the formats the PDF and the site print (``ol``, ``ol ol``, ``ol ol ol`` in their style sheets), so a
  clause shows the same number in all three.  The level of a list is the number of ordered lists it
  stands in (a numbered list inside a bullet list is ``1.``, as in the PDF);
* bullets: ``•``, ``◦``, ``▪`` by nesting depth, as a browser draws ``ul``.

Every list of the source gets its own ``w:num`` that restarts its level at the list's first number
(``w:startOverride``), so a list that starts at 4 shows 4, 5, 6 and a sub-list under the next clause
starts again at a.  The paragraphs carry ``w:numPr``: Word numbers them, and a clause inserted in Word
renumbers the ones after it.
"""
from __future__ import annotations

from .xml import el, qn

CLAUSE_FORMATS = ("decimal", "lowerLetter") + ("lowerRoman",) * 7
BULLETS = ("•", "◦") + ("▪",) * 7
HANGING_TWIPS = 397  # 7 mm: the number stands in the hanging indent, the text after a tab


def _abstract(abstract_id: int, nsid: str, formats) -> object:
    a = el("w:abstractNum", w__abstractNumId=str(abstract_id))
    a.append(el("w:nsid", w__val=nsid))
    a.append(el("w:multiLevelType", w__val="multilevel"))
    for level, fmt in enumerate(formats):
        lvl = el("w:lvl", w__ilvl=str(level))
        lvl.append(el("w:start", w__val="1"))
        if fmt in BULLETS:
            lvl.append(el("w:numFmt", w__val="bullet"))
            lvl.append(el("w:lvlText", w__val=fmt))
        else:
            lvl.append(el("w:numFmt", w__val=fmt))
            lvl.append(el("w:lvlText", w__val=f"%{level + 1}."))
        lvl.append(el("w:lvlJc", w__val="left"))
        ppr = el("w:pPr")
        left = HANGING_TWIPS * (level + 1)
        ppr.append(el("w:ind", w__left=str(left), w__hanging=str(HANGING_TWIPS)))
        lvl.append(ppr)
        a.append(lvl)
    return a


class Numbering:
    """The file's numbering part with the two lists; ``list_id`` makes a ``w:num`` per source list."""

    def __init__(self, document):
        self.root = document.part.numbering_part.element
        abstracts = self.root.findall(qn("w:abstractNum"))
        nums = self.root.findall(qn("w:num"))
        first = max((int(a.get(qn("w:abstractNumId"))) for a in abstracts), default=-1) + 1
        self._next = max((int(n.get(qn("w:numId"))) for n in nums), default=0) + 1
        self.clauses, self.bullets = first, first + 1
        clauses = _abstract(first, "4D414E31", CLAUSE_FORMATS)
        bullets = _abstract(first + 1, "4D414E32", BULLETS)
        if abstracts:
            abstracts[-1].addnext(clauses)
        else:
            self.root.insert(0, clauses)
        clauses.addnext(bullets)

    def list_id(self, ordered: bool, level: int, start: int = 1) -> int:
        """A new ``w:num`` for one list of the source, its ``level`` restarting at ``start``."""
        num_id = self._next
        self._next += 1
        num = el("w:num", w__numId=str(num_id))
        num.append(el("w:abstractNumId", w__val=str(self.clauses if ordered else self.bullets)))
        override = el("w:lvlOverride", w__ilvl=str(level))
        override.append(el("w:startOverride", w__val=str(start if ordered else 1)))
        num.append(override)
        self.root.append(num)
        return num_id


def number_paragraph(paragraph, num_id: int, level: int) -> None:
    """Give a paragraph its list number (python-docx puts ``w:numPr`` where the schema wants it)."""
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = level
    numpr.get_or_add_numId().val = num_id


def shown_label(fmt: str, n: int) -> str:
    """What Word shows for number ``n`` in a format (for the typed fallback and the tests)."""
    if fmt == "decimal":
        return str(n)
    if fmt == "lowerLetter":
        letters = "abcdefghijklmnopqrstuvwxyz"
        return letters[(n - 1) % 26] * ((n - 1) // 26 + 1)
    if fmt == "lowerRoman":
        out = []
        for value, numeral in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                               (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
            while n >= value:
                out.append(numeral)
                n -= value
        return "".join(out)
    return str(n)
