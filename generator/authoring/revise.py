"""``manual revise`` (start a change) and what changed since the last approval (``manual diff``).

    manual revise CODE --summary TEXT [--class substantive|editorial] [--change CR-YYYY-NNN] [--major] [--by WHO]

starts a change of a document or form in one step, by targeted edits of its
YAML text (comments and layout stay; the file is written atomically):

* ``version`` goes up by one minor step ("1.1" → "1.2"; "1" → "1.1"), or to the
  next major one with ``--major`` ("1.2" → "2.0"), quoted as it was;
* a revision entry is appended: ``{version, date: today, summary, by, class}``
  (today honours MANUAL_TODAY and ``review.today``; ``by`` defaults to the last
  entry's, else the owner; ``class`` only when given);
* with ``--change CR-YYYY-NNN`` the entry names the change request it carries out (``change: CR-…``) and
  takes its class from the request (实质性 → substantive); the request must exist in control/changes/ and
  list the item, and a ``--class`` that contradicts it is refused;
* ``status`` becomes ``in_review``;
* the ``effective:`` line is removed: the date belongs to the version in force,
  and the approval that closes the change sets the new one (``manual approve``).

The sign-offs stay: the last approval is the baseline that ``manual diff`` and
the version check compare with, and ``manual approve`` signs each step again.

It refuses (exit 1, nothing written) when a change is already open: the item is
a draft or in review, or its version is already higher than the version last
approved (or released).  A superseded item, or a version that is no number, is
refused too.  Editing the text before or after ``manual revise`` are both fine.

What changed (``changes_since``): the item compared with its text at a baseline,
clause by clause (``model.changes.clause_changes``).  The baseline text is

* ``approved`` (the default): the last released edition's frozen source when the
  version check's baseline is that edition; else, in a git repository, the newest
  committed text of the file (HEAD first, then older commits that changed it)
  whose fingerprint is the one the 批准 sign-off recorded;
* ``EDITION``: that released edition's frozen ``source/`` (``editions/EDITION/``);
* ``REV``: any git revision (``git show REV:path``).

When it cannot be found, a one-line message says why and what to try instead.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import yaml

from ..common.suggest import closest
from ..errors import ApproveError, UsageError
from ..model import COVER_KEY, Document
from ..model.changes import clause_changes
from ..model.fingerprint import fingerprint
from ..model.versions import baseline, version_key
from .yamltext import append_item, quoted_like, read_source_text, scalar_edits, write_source_text, yaml_scalar

OPEN_STATUSES = ("draft", "in_review")
CLASSES = ("substantive", "editorial")
SINCE_APPROVED = "approved"


def find_item(manual, key: str):
    """The document with the code ``key``, or the form with that id or code; None when there is none."""
    for doc in manual.documents:
        if doc.code == key:
            return doc
    for form in manual.forms.values():
        if key in (form.id, form.code):
            return form
    return None


def candidates(manual) -> list[str]:
    """Every code and form id, for "did you mean"."""
    return [d.code for d in manual.documents if d.code] + \
        [k for f in manual.forms.values() for k in (f.id, f.code) if k]


def find(manual, key: str):
    """The document (by code) or form (by id or code) ``key``; a usage error naming the closest one."""
    item = find_item(manual, key)
    if item is None:
        if key == COVER_KEY:
            raise UsageError("cli.revise.cover", key=key)
        close = closest(key, candidates(manual))
        raise UsageError("cli.approve.unknown_item_hint" if close else "cli.approve.unknown_item", key=key, close=close)
    return item


def next_version(version: str, major: bool = False) -> str | None:
    """The version after ``version``: the next minor ("1.1" → "1.2"), or major ("1.2" → "2.0"); None when
    ``version`` is no version number."""
    key = version_key(version)
    if key is None:
        return None
    parts = [int(p) for p in str(version).split(".")]
    if major:
        return f"{parts[0] + 1}.0"
    return f"{parts[0]}.{(parts[1] if len(parts) > 1 else 0) + 1}"


def open_change(manual, item) -> tuple[str, dict] | None:
    """(catalogue key, values) saying why a change of ``item`` is already open, or None."""
    if item.status in OPEN_STATUSES:
        return "cli.revise.open_status", {"status": item.status, "version": item.version}
    base = baseline(manual, item)
    if base is not None and base.version:
        key, base_key = version_key(item.version), version_key(base.version)
        if key is not None and base_key is not None and key > base_key:
            return "cli.revise.open_version", {"version": item.version, "base_version": base.version}
    return None


def yaml_span(item, text: str) -> tuple[int, int]:
    """(start, end) of the YAML part of the item's text: a document's front matter, a whole form."""
    if isinstance(item, Document):
        from ..read.reader import split_front_matter

        front, _, _, _ = split_front_matter(text)
        return 4, 4 + len(front)
    return 0, len(text)


def item_from_text(manual, item, text: str, image_root: Path | None = None):
    """``item`` as the text ``text`` of its file would make it (None when that text cannot be read).  A
    document's pictures are read from ``image_root`` (an edition's frozen ``source/``; default: the manual's
    folder, as they are now: a git revision's pictures are not looked up)."""
    from ..model import build
    from ..read.history import parse_text
    from ..read.images import read_images

    kind = "document" if isinstance(item, Document) else "form"
    file = parse_text(item.path, text, kind)
    if file is None:
        return None
    try:
        if kind == "form":
            return build.form(file)
        file.images = read_images(Path(image_root or manual.root), item.path, file.blocks)
        return build.document(file)
    except (TypeError, ValueError, AttributeError):
        return None


def revision_entry(version_text: str, date: dt.date, summary: str, by: str, change_class: str | None,
                   change: str | None = None) -> str:
    parts = [f"version: {version_text}", f"date: {date.isoformat()}", f"summary: {yaml_scalar(summary, flow=True)}",
             f"by: {yaml_scalar(by, flow=True)}"]
    if change_class:
        parts.append(f"class: {change_class}")
    if change:
        parts.append(f"change: {yaml_scalar(change, flow=True)}")
    return "{" + ", ".join(parts) + "}"


def change_request_for(manual, item, key: str, number: str, change_class: str | None) -> tuple[str, str | None]:
    """(number, class) of the revision entry that carries out the change request ``number``: it must exist
    and list ``item``; its class is the entry's unless ``change_class`` is given, which must then agree."""
    from ..common.findings import close_hint

    number = number.strip()
    request = manual.changes.get(number)
    if request is None:
        hint = close_hint(number, list(manual.changes))
        raise UsageError("cli.revise.change_unknown", number=number, key=key,
                         hint=lambda lang: hint[lang] if hint else "")
    if not {item.code, getattr(item, "id", "")} & set(request.documents):
        raise UsageError("cli.revise.change_not_listed", number=number, key=key,
                         documents=", ".join(request.documents) or "—")
    if change_class is not None and request.change_class and change_class != request.change_class:
        raise UsageError("cli.revise.change_class_differs", value=change_class, number=number,
                         request_class=request.change_class)
    return number, change_class or request.change_class or None


def revise(root: Path, key: str, summary: str, change_class: str | None = None, major: bool = False,
           by: str | None = None, change: str | None = None) -> dict:
    """Start a change of the document or form ``key`` (see the module's doc); returns what was written.

    Raises ``UsageError`` for usage problems and ``ApproveError`` for refusals; nothing is written unless
    it succeeds."""
    from ..model.build import read_manual
    from ..model.review import today

    summary = " ".join((summary or "").split())
    if not summary:
        raise UsageError("cli.revise.summary_empty")
    if change_class is not None and change_class not in CLASSES:
        raise UsageError("cli.revise.class_unknown", value=change_class, choices=", ".join(CLASSES))
    manual, _ = read_manual(root)
    item = find(manual, key)
    if change:
        change, change_class = change_request_for(manual, item, key, change, change_class)
    if item.status == "superseded":
        raise ApproveError("cli.revise.superseded", path=item.path, key=key)
    why = open_change(manual, item)
    if why is not None:
        raise ApproveError(why[0], path=item.path, key=key, **why[1])
    new_version = next_version(item.version, major)
    if new_version is None:
        raise ApproveError("cli.revise.no_version", path=item.path, version=item.version)
    by = " ".join((by or "").split()) or (item.revisions[-1].by if item.revisions else "") or item.owner
    if not by:
        raise UsageError("cli.revise.by_needed", path=item.path)
    date = today(manual)

    path = Path(manual.root) / item.path
    text, eol, bom = read_source_text(path)
    try:
        start, end = yaml_span(item, text)
        root_node = yaml.compose(text[start:end], Loader=yaml.SafeLoader)
        version_node = next((v for k, v in root_node.value if k.value == "version"), None)
        version_text = quoted_like(version_node, new_version)
        new_text = scalar_edits(text, {"version": version_text, "status": "in_review"}, after="version",
                                remove=("effective",), base=start, end=end)
        start, end = yaml_span(item, new_text)
        new_text = append_item(new_text, "revisions",
                               revision_entry(version_text, date, summary, by, change_class, change), base=start, end=end)
    except (ValueError, yaml.YAMLError, AttributeError) as exc:
        raise UsageError("cli.revise.unreadable", path=item.path, reason=exc) from None

    new_item = item_from_text(manual, item, new_text)
    last = new_item.revisions[-1] if new_item is not None and new_item.revisions else None
    expected = (new_version, "in_review", None, (new_version, date, summary, by, change_class or "", change or ""))
    if new_item is None or last is None or fingerprint(new_item, manual) != fingerprint(item, manual) or \
            (new_item.version, new_item.status, new_item.effective,
             (last.version, last.date, last.summary, last.by, last.change_class, last.change)) != expected or \
            new_item.revisions[:-1] != item.revisions[:len(new_item.revisions) - 1] or \
            len(new_item.revisions) != len(item.revisions) + 1:
        raise RuntimeError(f"{item.path}: editing the text did not give the expected data; nothing was written")
    write_source_text(path, new_text, eol, bom)
    return {"path": item.path, "key": key, "code": item.code, "title": item.title, "old_version": item.version,
            "version": new_version, "date": date, "summary": summary, "by": by, "class": change_class or "",
            "change": change or "",
            "line": new_item.loc("version").line}


# -- what changed ---------------------------------------------------------------------------
@dataclasses.dataclass
class Since:
    """The text an item is compared with, and where it came from."""

    text: str
    kind: str  # "approved-edition" | "approved-git" | "edition" | "git"
    name: str  # the edition, or the git revision (abbreviated)
    version: str | None = None  # the version the baseline carried, when known
    date: dt.date | None = None  # the approval or release date, when known


def since_text(manual, item, since: str | None = None) -> Since:
    """Where the baseline text of ``item`` is (see the module's doc); ``UsageError`` when it cannot be found."""
    from ..read.editions import EDITIONS
    from ..read.history import edition_text, git_prefix, git_revisions, git_text, is_edition

    root = Path(manual.root)
    since = (since or SINCE_APPROVED).strip()
    if since == SINCE_APPROVED:
        base = baseline(manual, item)
        if base is None:
            raise UsageError("cli.diff.never_approved", path=item.path, key=item.code or item.id)
        if base.source != "approved":  # the last released edition holds the item
            edition = str((manual.released or {}).get("_edition", {}).get("edition", ""))
            text = edition_text(root, edition, item.path)
            if text is None:
                raise UsageError("cli.diff.edition_missing_file", path=item.path, edition=edition,
                                 folder=f"{EDITIONS}/{edition}/source/")
            return Since(text, "approved-edition", edition, base.version, base.date)
        if git_prefix(root) is None:
            raise UsageError("cli.diff.approved_no_git", path=item.path, key=item.code or item.id)
        for rev in git_revisions(root, item.path):
            text = git_text(root, rev, item.path)
            old = item_from_text(manual, item, text) if text is not None else None
            if old is not None and _fingerprint(old, manual) == base.fingerprint:
                return Since(text, "approved-git", rev[:10], base.version, base.date)
        raise UsageError("cli.diff.approved_not_found", path=item.path, key=item.code or item.id)
    if is_edition(root, since):
        text = edition_text(root, since, item.path)
        if text is None:
            raise UsageError("cli.diff.edition_missing_file", path=item.path, edition=since,
                             folder=f"{EDITIONS}/{since}/source/")
        return Since(text, "edition", since)
    if git_prefix(root) is None:
        raise UsageError("cli.diff.since_unknown", since=since, folder=f"{EDITIONS}/")
    text = git_text(root, since, item.path)
    if text is None:
        raise UsageError("cli.diff.since_no_file", since=since, path=item.path)
    return Since(text, "git", since)


def _fingerprint(item, manual):
    try:
        return fingerprint(item, manual)
    except (TypeError, ValueError):
        return None


def changes_since(manual, item, since: str | None = None) -> dict:
    """What changed in ``item`` since ``since`` (default: its last approval): ``clause_changes`` plus
    ``since`` (a ``Since``) and ``old`` (the item as it was)."""
    from ..read.editions import EDITIONS, SOURCE

    found = since_text(manual, item, since)
    frozen = Path(manual.root) / EDITIONS / found.name / SOURCE if found.kind in ("approved-edition", "edition") \
        else None
    old = item_from_text(manual, item, found.text, frozen)
    if old is None:
        raise UsageError("cli.diff.unreadable_then", path=item.path, since=found.name)
    return {**clause_changes(old, item), "since": found, "old": old,
            "same": _fingerprint(old, manual) == _fingerprint(item, manual)}
