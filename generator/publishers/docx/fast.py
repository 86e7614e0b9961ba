"""The one shortcut around python-docx's internals that a large manual needs.

A whole manual has one section per document, so a header and a footer part per document.
python-docx names and relates each new part by looking at all the parts and relationships there
are, which is quadratic: measured on a synthetic 2,000-document manual (bench/synth.py),
``manual.docx`` takes 12.4 s of CPU with this shortcut and 167 s without it.  The files are the
same byte for byte (tests/test_docx_speed.py writes them both ways and compares).
"""
from __future__ import annotations


def remember_partnames(document) -> None:
    """Name and relate new parts (a header and a footer per section) without walking everything.

    python-docx's ``package.next_partname(template)`` collects the names of all parts each time and
    returns the lowest free number, and ``part.rels.get_or_add(reltype, part)`` compares the part with
    every relationship and then looks for the lowest free ``rIdN``: both quadratic in a manual with
    one section per document.  While a file is written, parts and relationships are only ever added,
    so the names and ids taken so far and the next number to try give the same names and ids, and a
    part the document does not relate to yet cannot match an existing relationship."""
    from docx.opc.packuri import PackURI

    package = document.part.package
    taken = {str(part.partname) for part in package.iter_parts()}
    start: dict[str, int] = {}

    def next_partname(template: str):
        n = start.get(template, 1)
        while template % n in taken:
            n += 1
        name = template % n
        taken.add(name)
        start[template] = n + 1
        return PackURI(name)

    package.next_partname = next_partname

    rels = document.part.rels
    get_or_add = rels.get_or_add
    related = {id(rel.target_part) for rel in rels.values() if not rel.is_external}
    next_id = [1]

    def quick_get_or_add(reltype: str, target_part):
        if id(target_part) in related:
            return get_or_add(reltype, target_part)
        n = next_id[0]
        while f"rId{n}" in rels:
            n += 1
        next_id[0] = n + 1
        related.add(id(target_part))
        return rels.add_relationship(reltype, target_part, f"rId{n}")

    rels.get_or_add = quick_get_or_add
