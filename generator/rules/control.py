"""Document control: the register of external documents (control/external.yaml, 外来文件清单).

* ``external-duplicate``: two entries of the register with one title (or alias), or one number;
  reported at the later entry.
* ``external-uncited`` (warning): an entry that no document or form cites as 《title》.
"""
from __future__ import annotations

from ..common.findings import error, warning
from ..model.citations import citations
from . import rule
from .terminology import prose


@rule("external-duplicate")
def external_duplicate(manual):
    findings = []
    titles: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for entry in manual.externals:
        for k, title in enumerate(entry.titles):
            if not title:
                continue
            if title in titles and titles[title] != entry.index:
                spot = ("title",) if k == 0 else ("aliases", k - 1)
                findings.append(error("external-duplicate", manual.external_loc("external", entry.index, *spot),
                                      "external-duplicate-title", title=title, first=titles[title] + 1))
            titles.setdefault(title, entry.index)
        number = " ".join(entry.number.split())
        if number:
            if number in numbers:
                findings.append(error("external-duplicate", manual.external_loc("external", entry.index, "number"),
                                      "external-duplicate-number", number=number, first=numbers[number] + 1))
            numbers.setdefault(number, entry.index)
    return findings


@rule("external-uncited", severities=("warning",))
def external_uncited(manual):
    if not manual.externals or manual.unreadable:
        return []  # an unreadable document may be the one that cites it
    cited = {title.strip() for piece in prose(manual) if "《" in piece.text
             for _, _, title in citations(piece.text)}
    return [warning("external-uncited", manual.external_loc("external", e.index, "title"), "external-uncited",
                    title=e.title)
            for e in manual.externals if e.title and not any(t in cited for t in e.titles)]
