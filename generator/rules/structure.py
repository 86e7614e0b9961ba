"""The manual's structure: the chapter list, the files behind the codes, titles.

* ``chapter-list``: every code a chapter lists has a document, every document
  (but a superseded one) is listed, and none is listed twice.
* ``chapter-code``: a document is listed under the chapter its code names
  (the code scheme's ``chapter`` group).
* ``file-name``: a document's file is named after its code
  (``policies/<code>.md``), a form's after its id (``forms/<id>.yaml``).
* ``stray-copy``: a file named like a copy ("0110-2014 - 副本.md",
  "0110-2014 (2).md", "Copy of 0110-2014.md"), reported at the copy; the
  original, the file named after the code, keeps its code.
* ``duplicate-title``: two documents in force or in the making, or two forms,
  with one title (a 《title》 citation could mean either).

A code that a file stands for although no document read has it (a file that
could not be read, or whose name is not its code) is not reported again as
missing: that file's own finding says what is wrong (``Manual.claimed_codes``).
"""
from __future__ import annotations

from ..common.findings import error
from ..model import Document, file_stem
from . import rule
from .codes import copy_of, is_stray_copy, parse_code, stem

def _key(item) -> str:
    """What a file is named after: a document's code, a form's id."""
    return item.code if isinstance(item, Document) else item.id


def _key_path(item) -> tuple:
    return ("code",) if isinstance(item, Document) else ("id",)


def _items(manual):
    return list(manual.documents) + list(manual.forms.values())


@rule("chapter-list")
def chapter_list(manual):
    """Codes listed in the chapters must exist, be listed once, and every document must be listed.

    A listed code that a file stands for although no document read has it is not reported: that
    file's own finding says what is wrong with it.
    """
    findings = []
    listed: dict[str, object] = {}  # code -> the chapter that lists it first
    for chapter in manual.chapters:
        for di, code in enumerate(chapter.documents):
            where = manual.config_loc("chapters", chapter.index, "documents", di)
            if code in listed:
                first = listed[code]
                findings.append(error("chapter-list", where, "chapter-list-twice", code=code,
                                      chapter=first.number or first.index + 1, title=first.title))
                continue
            listed[code] = chapter
            if not manual.stands_for_document(code):
                findings.append(error("chapter-list", where, "chapter-list-unknown", code=code))
    listed_files = {f"{code}.md" for code in listed}
    for doc in manual.documents:
        if not doc.code or doc.code in listed or doc.status == "superseded" \
                or is_stray_copy(doc.path, doc.code):
            continue
        if doc.path.rsplit("/", 1)[-1] in listed_files:
            continue  # listed by its file's name: ``file-name`` says that its code differs
        findings.append(error("chapter-list", doc.loc("code"), "chapter-list-unlisted", code=doc.code,
                              config=manual.config_path))
    return findings


@rule("chapter-code")
def chapter_code(manual):
    """A document listed under a chapter other than the one its code names."""
    findings = []
    seen: set[str] = set()
    for chapter in manual.chapters:
        for di, code in enumerate(chapter.documents):
            if code in seen:
                continue  # listed again: ``chapter-list`` reports the repeat
            seen.add(code)
            parts = parse_code(manual, code)
            named = (parts or {}).get("chapter")
            if not named or not chapter.number or _same_number(named, chapter.number):
                continue
            findings.append(error("chapter-code", manual.config_loc("chapters", chapter.index, "documents", di),
                                  "chapter-code", code=code, named=named, chapter=chapter.number,
                                  title=chapter.title))
    return findings


def _same_number(a: str, b: str) -> bool:
    return int(a) == int(b) if a.isdigit() and b.isdigit() else a == b


@rule("file-name")
def file_name(manual):
    """A document's file is named after its code, a form's after its id (a copy's name: ``stray-copy``)."""
    findings = []
    seen: set[str] = set()
    for item in _items(manual):
        key = _key(item)
        twice = isinstance(item, Document) and key in seen
        seen.add(key)
        if not key or stem(item.path) == file_stem(key) or is_stray_copy(item.path, key):
            continue
        if isinstance(item, Document) and (twice or _off_scheme(manual, key)):
            continue  # the code is wrong, not the name: duplicate-code, code-scheme or code-year says so there
        folder, ext = ("policies", "md") if isinstance(item, Document) else ("forms", "yaml")
        findings.append(error("file-name", item.loc(*_key_path(item)), "file-name", path=item.path,
                              key=key, right=f"{folder}/{file_stem(key)}.{ext}"))
    return findings


def _off_scheme(manual, code: str) -> bool:
    """Whether ``code`` is off the manual's scheme or of another edition's year."""
    if not manual.code_scheme.pattern:
        return False
    parts = parse_code(manual, code)
    year = manual.code_scheme.year
    return parts is None or bool(year is not None and parts.get("year") and int(parts["year"]) != year)


@rule("stray-copy")
def stray_copy(manual):
    """A file named like a copy of another: reported at the copy, whatever its content."""
    findings = []
    for item in _items(manual):
        key = _key(item)
        original = copy_of(item.path)
        if original is None or stem(item.path) == key:
            continue
        findings.append(error("stray-copy", item.loc(*_key_path(item)), "stray-copy", path=item.path,
                              original=original, key=key or original))
    return findings


@rule("duplicate-title")
def duplicate_title(manual):
    """Two documents (superseded ones aside) or two forms with one title: a 《title》 could mean either."""
    findings = []
    groups = ([d for d in manual.documents if d.status != "superseded" and not is_stray_copy(d.path, d.code)],
              list(manual.forms.values()))
    for group in groups:
        first: dict[str, object] = {}
        for item in group:
            title = item.title.strip()
            if not title:
                continue
            if title in first:
                other = first[title]
                findings.append(error("duplicate-title", item.loc("title"), "duplicate-title", title=title,
                                      other=other.path, line=other.loc("title").line))
            else:
                first[title] = item
    return findings
