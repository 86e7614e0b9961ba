"""Authoring: ``manual init DIR`` and ``manual new KIND --title T``.

``manual init`` lays out a new manual repository from
``generator/templates/init/``: ``repo/`` holds the repository's own files
(README, .gitignore, editor and pre-commit settings; ``dot-NAME`` becomes
``.NAME``), ``example/`` a small manual with one example of each kind of
document and one form.  The package's JSON Schemas are copied to
``DIR/schemas/``, where every source file's ``# yaml-language-server`` line
points, so editor support works offline and without the package's source.

``manual new`` allocates the next free code in the manual's scheme, writes a
draft skeleton from ``generator/templates/new/`` and adds the code to its
chapter in ``manual/manual.yaml`` by a targeted text edit, so the comments
and layout of that file survive.

The templates are YAML and Markdown, not HTML: Jinja's HTML autoescaping
would corrupt them, so every user-given value goes through the ``yaml``
filter, which writes it as a YAML scalar that reads back as the same string.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import string
import tempfile
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..common.outputs import atomic_write_text
from ..common.progress import progress
from ..common.resources import PACKAGE, SCHEMAS, TEMPLATES
from ..errors import UsageError
from ..labels import text as label
from ..model import PLACEHOLDER, Document, Manual
from ..model import codes as scheme_codes
from .yamltext import append_to_list, insert_key_after, read_source_text, write_source_text, yaml_scalar

INIT = TEMPLATES / "init"

SCHEMA_OF = {"manual/manual.yaml": "manual", "manual/roles.yaml": "roles"}


def template_environment(folder: Path) -> Environment:
    """Jinja for YAML and Markdown source files: no HTML escaping; ``|yaml`` writes a value as a YAML
    scalar after ``key: ``, ``|yaml_flow`` one inside ``[…]`` or ``{…}``."""
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=False, keep_trailing_newline=True,
                      undefined=StrictUndefined)
    env.filters["yaml"] = yaml_scalar
    env.filters["yaml_flow"] = partial(yaml_scalar, flow=True)
    return env


# ---------------------------------------------------------------------------
# manual init


def _target_name(rel: str, values: dict) -> str:
    parts = []
    for part in rel.split("/"):
        if part.startswith("dot-"):
            part = "." + part[4:]
        parts.append(part)
    name = "/".join(parts)
    if name.endswith(".j2"):
        name = name[:-3]
    return name.replace("{year}", str(values["year"]))


def render_tree(src: Path, dest: Path, values: dict) -> list[Path]:
    """Copy ``src`` into ``dest``: ``*.j2`` files rendered with ``values``, others as they are."""
    env = template_environment(src)
    written = []
    for path in sorted(p for p in src.rglob("*") if p.is_file()):
        rel = path.relative_to(src).as_posix()
        target = dest / _target_name(rel, values)
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.name.endswith(".j2"):
            target.write_text(env.get_template(rel).render(**values), encoding="utf-8")
        else:
            shutil.copyfile(path, target)
        written.append(target)
    return written


def copy_schemas(dest: Path) -> None:
    (dest / "schemas").mkdir(parents=True, exist_ok=True)
    for path in sorted(SCHEMAS.glob("*.json")):
        shutil.copyfile(path, dest / "schemas" / path.name)


def site_config_template() -> Path | None:
    """The site's base ``mkdocs.yml``, which a manual's folder may hold to adjust the site.

    ``manual build site`` uses ``mkdocs.yml`` in the manual's folder when there
    is one, else the packaged default; init copies the default so that it can
    be changed in place.
    """
    for candidate in (TEMPLATES / "site" / "mkdocs.yml", PACKAGE.parent / "mkdocs.yml"):
        if candidate.is_file():
            return candidate
    return None


def write_repo_files(dest: Path, values: dict) -> None:
    """What every manual repository gets: schemas, README, editor and pre-commit settings."""
    render_tree(INIT / "repo", dest, values)
    copy_schemas(dest)


def _today() -> dt.date:
    from ..model.review import today

    return today()


def check_empty_target(target: Path) -> None:
    """Refuse a target that is a file or a folder with something in it (nothing is written)."""
    if target.exists() and not target.is_dir():
        raise UsageError("cli.authoring.not_a_folder", target=target)
    if target.is_dir() and any(target.iterdir()):
        raise UsageError("cli.authoring.not_empty", target=target)


def move_into(tmp: Path, target: Path) -> None:
    """Put the finished tree ``tmp`` at ``target`` (new, or an existing empty folder)."""
    if not target.exists():
        os.replace(tmp, target)
        return
    for child in sorted(tmp.iterdir()):
        os.replace(child, target / child.name)
    tmp.rmdir()


def make_parents(target: Path) -> list[Path]:
    """The folders above ``target`` (resolved) that do not exist yet, made, outermost first (to remove on failure).

    A file where a folder should be is refused with the line ``check_empty_target`` gives for a file."""
    missing = []
    parent = target.parent
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    if not parent.is_dir():
        raise UsageError("cli.authoring.not_a_folder", target=parent)
    missing.reverse()
    made: list[Path] = []
    try:
        for folder in missing:
            folder.mkdir()
            made.append(folder)
    except BaseException:
        remove_made(made)
        raise
    return made


def remove_made(made: list[Path]) -> None:
    """Remove the folders ``make_parents`` made, innermost first, each only if it is (still) empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            break


def staging_folder(target: Path, default_name: str) -> Path:
    """A new hidden folder beside ``target`` to build the tree in before ``move_into``."""
    parent = target.resolve().parent
    if not parent.is_dir():
        raise UsageError("cli.authoring.no_parent", parent=parent)
    return Path(tempfile.mkdtemp(prefix=f".{target.name or default_name}.", suffix=".tmp", dir=parent))


def add_fingerprints(root: Path) -> int:
    """Write the fingerprint of the current content into every sign-off that has none (the cover's too).

    Used on the example manual, whose sign-offs are samples written together
    with the content.  Returns how many sign-offs were fingerprinted.
    """
    from ..model import Cover
    from ..model.fingerprint import fingerprint, manual_fingerprint
    from ..model.build import read_manual

    manual, _ = read_manual(root)
    count = 0
    for item in list(manual.documents) + list(manual.forms.values()) + [manual.cover()]:
        path = root / item.path
        text = path.read_text(encoding="utf-8")
        value = manual_fingerprint(manual) if isinstance(item, Cover) else fingerprint(item, manual)
        new = text
        for step in ("prepared", "reviewed", "approved"):
            pattern = re.compile(rf"^(\s+{step}: \{{[^}}\n]*?)(\}})", flags=re.M)
            m = pattern.search(new)
            if m and "fingerprint:" not in m.group(1):
                # 批准 records the version it approved, as `manual approve --step approved` does
                version = f', version: "{item.version}"' if step == "approved" and item.version else ""
                new = new[: m.end(1)] + f"{version}, fingerprint: {value}" + new[m.end(1):]
                count += 1
        if new != text:
            path.write_text(new, encoding="utf-8")
    return count


def init_repository(target: Path, *, quiet: bool = False, lang: str = "zh-CN") -> None:
    """``manual init DIR``: a new manual repository with one example of each kind."""
    target = target.resolve()  # ``new/../manual``: the folders as they will be, not through one not yet made
    check_empty_target(target)
    today = _today()
    values = {"year": today.year, "today": today.isoformat(), "title": "业务部门管理手册"}
    made = make_parents(target)
    tmp = None
    try:
        tmp = staging_folder(target, "manual")
        steps = ["repo", "example", "fingerprints"]
        for step in progress(steps, "manual init", quiet=quiet,
                             label=lambda s: label(f"cli.authoring.init_steps.{s}", lang)):
            if step == "repo":
                write_repo_files(tmp, values)
                mkdocs = site_config_template()
                if mkdocs is not None:
                    shutil.copyfile(mkdocs, tmp / "mkdocs.yml")
            elif step == "example":
                render_tree(INIT / "example", tmp, values)
            else:
                add_fingerprints(tmp)
        move_into(tmp, target)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        remove_made(made)
        raise


# ---------------------------------------------------------------------------
# manual new


@dataclass
class Created:
    """What ``manual new`` wrote."""

    path: Path
    code: str
    title: str
    chapter: str = ""  # a document: the chapter it joined
    form_id: str = ""  # a form: its id
    document: Document | None = None  # a form: the document it is for
    document_changed: bool = False  # a form: whether the document's uses_forms got its id


def _read(root: Path) -> Manual:
    from ..model.build import read_manual

    manual, _ = read_manual(root)
    if not manual.has_config:
        raise UsageError("cli.authoring.config_unreadable", path=root / "manual/manual.yaml")
    return manual


def _scheme(manual: Manual):
    """The manual's code scheme, with what ``manual new`` needs: pattern, format, and year when the format uses it."""
    scheme = manual.code_scheme
    for key in ("pattern", "format"):
        if not getattr(scheme, key):
            raise UsageError("cli.authoring.scheme_missing", key=key)
    try:
        fields = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(scheme.format) if name}
    except ValueError as exc:
        raise UsageError("cli.authoring.scheme_format_invalid", format=repr(scheme.format), reason=exc) from None
    if "year" in fields and not scheme.year:
        raise UsageError("cli.authoring.scheme_missing", key="year")
    try:
        re.compile(scheme.pattern)
    except re.error as exc:
        raise UsageError("cli.authoring.scheme_pattern_invalid", reason=exc) from None
    return scheme


def format_code(scheme, chapter: str, seq: int) -> str:
    """The code the scheme's ``format`` gives chapter ``chapter``, sequence ``seq`` (a usage error when it cannot)."""
    try:
        return scheme_codes.format_code(scheme, chapter, seq)
    except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
        raise UsageError("cli.authoring.scheme_format_invalid", format=repr(scheme.format), reason=exc) from None


def _chapter(manual: Manual, wanted: str | None):
    chapters = manual.chapters
    if not chapters:
        raise UsageError("cli.authoring.no_chapters")
    if wanted is None:
        return chapters[-1]
    number = wanted.strip()
    if number.isdigit():
        number = f"{int(number):02d}"
    for chapter in chapters:
        if chapter.number == number or scheme_codes.same_chapter(chapter.number, wanted.strip()):
            return chapter
    raise UsageError("cli.authoring.no_chapter", wanted=wanted, number=number,
                     known=", ".join(c.number for c in chapters))


def _used_codes(manual: Manual) -> set[str]:
    codes = {d.code for d in manual.documents if d.code}
    for chapter in manual.chapters:
        codes.update(chapter.documents)
    policies = manual.root / "policies"
    if policies.is_dir():
        codes.update(p.stem for p in policies.glob("*.md"))
    return codes


def next_code(manual: Manual, chapter_number: str) -> str:
    """The next free code in ``chapter_number``: the highest sequence used + 1, written by the scheme's format."""
    scheme = _scheme(manual)
    pattern = re.compile(scheme.pattern)
    seqs = [0]
    for code in _used_codes(manual):
        m = pattern.fullmatch(code)
        groups = m.groupdict() if m else {}
        if groups.get("chapter") and groups.get("seq") and groups["seq"].isdigit() \
                and scheme_codes.same_chapter(groups["chapter"], chapter_number):
            seqs.append(int(groups["seq"]))
    code = format_code(scheme, chapter_number, max(seqs) + 1)
    if not pattern.fullmatch(code):
        raise UsageError("cli.authoring.code_outside_pattern", code=repr(code), chapter=chapter_number)
    return code


def _owner(manual: Manual) -> str:
    if manual.department_head:
        return manual.department_head
    if manual.roles:
        return next(iter(manual.roles))
    raise UsageError("cli.authoring.no_roles")


def schema_ref(root: Path, target: Path, kind: str) -> str:
    """The ``$schema=`` path from ``target`` to the manual's copy of a schema.

    An initialised manual has ``schemas/``; this repository keeps them in
    ``generator/schemas/``.  Falls back to the package's own file.
    """
    # Follow the manual's own convention: the line its other files of this kind carry.
    siblings = sorted(target.parent.glob("*.md" if kind == "document" else "*.yaml"))
    seen = Counter()
    for path in siblings[:50]:
        try:
            head = path.read_text(encoding="utf-8")[:400]
        except (OSError, UnicodeDecodeError):
            continue
        m = re.search(rf"# yaml-language-server: \$schema=(\S*{kind}\.schema\.json)", head)
        if m:
            seen[m.group(1)] += 1
    if seen:
        return seen.most_common(1)[0][0]
    folders = [root / "schemas", root / "generator" / "schemas"]
    try:  # the folder manual/manual.yaml's own line points to
        head = (root / "manual" / "manual.yaml").read_text(encoding="utf-8")[:400]
        m = re.search(r"# yaml-language-server: \$schema=(\S+)", head)
        if m and "://" not in m.group(1):
            folders.append((root / "manual" / m.group(1)).parent)
    except (OSError, UnicodeDecodeError):
        pass
    for folder in folders:
        candidate = folder / f"{kind}.schema.json"
        if candidate.is_file():
            return Path(os.path.relpath(candidate, target.parent)).as_posix()
    try:  # the package's own file, relative to the new file as the manual's other lines are
        return Path(os.path.relpath(SCHEMAS / f"{kind}.schema.json", target.parent)).as_posix()
    except ValueError:  # another drive (Windows)
        return (SCHEMAS / f"{kind}.schema.json").as_posix()


def uncovered_roles(manual: Manual) -> list[str]:
    """Staffed roles of the department that no job description covers yet."""
    covered = {role for doc in manual.documents if doc.status != "superseded" for job in doc.jobs for role in job.covers}
    return [role.id for role in manual.roles.values()
            if not role.external and role.headcount > 0 and role.id not in covered]


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise UsageError("cli.authoring.title_empty")
    if any(ord(ch) < 32 for ch in title):
        raise UsageError("cli.authoring.title_lines")
    if len(title) > 80:
        raise UsageError("cli.authoring.title_long")
    return title


def _new_document(manual: Manual, kind: str, title: str, chapter_wanted: str | None) -> Created:
    chapter = _chapter(manual, chapter_wanted)
    code = next_code(manual, chapter.number)
    root = manual.root
    target = root / "policies" / f"{code}.md"
    if target.exists():
        raise UsageError("cli.authoring.exists", path=target)
    owner = _owner(manual)
    env = template_environment(TEMPLATES / "new")
    text = env.get_template("document.md.j2").render(
        code=code, title=title, kind=kind, owner=owner, chapter=chapter.number, today=_today().isoformat(),
        example=manual.code_scheme.example or code,
        # A new job document lists the staffed posts that have no job description yet.
        job_roles=(uncovered_roles(manual) or [owner]) if kind == "job" else [],
        by=manual.department or owner, schema=schema_ref(root, target, "document"))
    config_path = root / "manual" / "manual.yaml"
    config_text, eol, bom = read_source_text(config_path)
    try:
        new_config = append_to_list(config_text, ("chapters", chapter.index, "documents"), code)
    except (ValueError, yaml.YAMLError) as exc:
        raise UsageError("cli.authoring.chapter_edit_failed", code=code, chapter=chapter.number, reason=exc) from None
    atomic_write_text(target, text)
    write_source_text(config_path, new_config, eol, bom)
    return Created(target, code, title, chapter=chapter.number)


def next_form_code(manual: Manual, base: str) -> str:
    """The next form code for the document number ``base``: ``<base>-F<n>``, else ``<base>F<n>`` or
    ``<base>-<nn>``, whichever ``code_scheme.form_pattern`` accepts (the first without one).

    Refuses (a usage error naming what was tried) when the pattern accepts none of them.
    """
    shapes = [("{base}-F{n}", r"-F(\d+)"), ("{base}F{n}", r"F(\d+)"), ("{base}-{n:02d}", r"-(\d{2,})")]
    form_pattern = manual.code_scheme.form_pattern
    try:
        accepts = re.compile(form_pattern).fullmatch if form_pattern else None
    except re.error:
        accepts = None  # the check reports the pattern itself (form-code)
    tried = []
    for shape, number in shapes:
        taken = [0]
        for form in manual.forms.values():
            m = re.fullmatch(re.escape(base) + number, form.code)
            if m:
                taken.append(int(m.group(1)))
        code = shape.format(base=base, n=max(taken) + 1)
        if accepts is None or accepts(code):
            return code
        tried.append(code)
    raise UsageError("cli.authoring.form_code_outside_pattern", code=", ".join(map(repr, tried)),
                     pattern=repr(form_pattern))


def form_id_for(manual: Manual, code: str) -> str:
    base = "form-" + re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    existing = set(manual.forms) | {p.stem for p in (manual.root / "forms").glob("*.yaml")} \
        if (manual.root / "forms").is_dir() else set(manual.forms)
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _new_form(manual: Manual, title: str, chapter_wanted: str | None, document: str | None) -> Created:
    doc = None
    if document:
        doc = manual.document(document)
        if doc is None:
            raise UsageError("cli.authoring.no_document", code=document)
        base = scheme_codes.without_year(manual.code_scheme, doc.code)
    else:  # the chapter's number in the scheme, sequence 0: 0100, YD-0300, QP-7.5-00
        base = scheme_codes.without_year(manual.code_scheme,
                                         format_code(_scheme(manual), _chapter(manual, chapter_wanted).number, 0))
    code = next_form_code(manual, base)
    form_id = form_id_for(manual, code)
    root = manual.root
    target = root / "forms" / f"{form_id}.yaml"
    owner = doc.owner if doc and doc.owner else _owner(manual)
    env = template_environment(TEMPLATES / "new")
    text = env.get_template("form.yaml.j2").render(
        id=form_id, code=code, title=title, owner=owner, today=_today().isoformat(),
        by=manual.department or owner, schema=schema_ref(root, target, "form"))
    edits = []
    # Adding a form changes a document in force: that needs a new version and new sign-offs.
    in_force = doc is not None and doc.status not in ("draft", "in_review")
    if doc is not None and not in_force:
        doc_path = root / doc.path
        doc_text, eol, bom = read_source_text(doc_path)
        edits.append((doc_path, _add_form_to_document(doc_text, form_id), eol, bom))
    atomic_write_text(target, text)
    for path, new, eol, bom in edits:
        write_source_text(path, new, eol, bom)
    return Created(target, code, title, form_id=form_id, document=doc, document_changed=bool(edits))


def _add_form_to_document(text: str, form_id: str) -> str:
    from ..read.reader import split_front_matter
    from ..read.yamlsrc import SourceError

    try:
        front, _, body, _ = split_front_matter(text)
    except SourceError as exc:
        raise UsageError("cli.authoring.uses_forms_unreadable", reason=exc.message) from None
    data = yaml.safe_load(front) or {}
    if "uses_forms" in data:
        try:
            new_front = append_to_list(front, ("uses_forms",), form_id)
        except (ValueError, yaml.YAMLError) as exc:
            raise UsageError("cli.authoring.uses_forms_edit_failed", form=form_id, reason=exc) from None
    else:
        anchor = "owner" if "owner" in data else "status"
        new_front = insert_key_after(front, anchor, f"uses_forms: [{yaml_scalar(form_id, flow=True)}]")
    head_len = len("---\n") + len(front)
    return "---\n" + new_front + text[head_len:]


CHANGES = "control/changes"


def next_change_number(root: Path, year: int) -> str:
    """CR-YYYY-NNN: the next number of ``year`` not yet used by a file of control/changes/."""
    folder = root / CHANGES
    used = {p.stem for p in folder.glob(f"CR-{year}-*.yaml")} if folder.is_dir() else set()
    n = 1
    while f"CR-{year}-{n:03d}" in used:
        n += 1
    return f"CR-{year}-{n:03d}"


def _new_change(manual: Manual, document: str | None, reason: str | None, by: str | None = None) -> Created:
    """``manual new change --document CODE``: a change request (文件更改申请单) for a document or form."""
    if not document:
        raise UsageError("cli.authoring.change_needs_document")
    item = manual.document(document) or next((f for f in manual.forms.values() if document in (f.code, f.id)), None)
    if item is None:
        raise UsageError("cli.authoring.no_document", code=document)
    reason = (reason or "").strip() or f"{PLACEHOLDER}更改原因"  # the placeholder rule asks for it
    today = _today()
    number = next_change_number(manual.root, today.year)
    target = manual.root / CHANGES / f"{number}.yaml"
    text = template_environment(TEMPLATES / "new").get_template("change.yaml.j2").render(
        number=number, code=item.code, reason=reason, today=today.isoformat(),
        requester=_requester((by or "").strip(), manual),
        schema=schema_ref(manual.root, target, "change"))
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, text)
    return Created(target, number, reason, document=item if isinstance(item, Document) else None)


def _requester(by: str, manual: Manual) -> str:
    """``requested_by``'s key and value: a registry id as ``person``, else a name; without one, the placeholder
    (the ``placeholder`` rule keeps the request from a release until someone is named)."""
    if by and by in manual.people:
        return f"person: {yaml_scalar(by, flow=True)}"
    return f"name: {yaml_scalar(by or PLACEHOLDER + '申请人', flow=True)}"


def new_item(root: Path, *, kind: str, title: str | None, chapter: str | None = None,
             document: str | None = None, by: str | None = None) -> Created:
    """``manual new KIND --title T``: a draft with the next free code (``change``: a change request)."""
    if kind == "change":
        return _new_change(_read(root), document, title, by)
    title = _check_title(title)
    manual = _read(root)
    if kind == "form":
        return _new_form(manual, title, chapter, document)
    if document:
        raise UsageError("cli.authoring.document_only_for_forms")
    return _new_document(manual, kind, title, chapter)
