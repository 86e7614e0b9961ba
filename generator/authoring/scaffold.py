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

from ..errors import UsageError

import datetime as dt
import os
import re
import shutil
import tempfile
from types import SimpleNamespace
from collections import Counter
from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..common.outputs import atomic_write_bytes, atomic_write_text
from ..common.progress import note, progress

from ..common.resources import PACKAGE, SCHEMAS, TEMPLATES
INIT = TEMPLATES / "init"

SCHEMA_OF = {"manual/manual.yaml": "manual", "manual/roles.yaml": "roles"}


def _usage(message: str):
    return UsageError(message)


# ---------------------------------------------------------------------------
# YAML text helpers


def yaml_scalar(value) -> str:
    """``value`` as a one-line YAML scalar that reads back as the same value."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        raise ValueError("a value must be a single line")
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    elif text.endswith("..."):
        text = text[:-3].rstrip()
    if yaml.safe_load(text) != value:  # pragma: no cover - defensive
        raise ValueError(f"cannot write {value!r} as a YAML scalar")
    return text


def _environment(folder: Path) -> Environment:
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=False, keep_trailing_newline=True,
                      undefined=StrictUndefined)
    env.filters["yaml"] = yaml_scalar
    return env


def _node_at(root, path):
    node = root
    for key in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == key:
                    node = v
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode):
            if not isinstance(key, int) or key >= len(node.value):
                return None
            node = node.value[key]
        else:
            return None
    return node


def append_to_list(text: str, path: tuple, value: str) -> str:
    """``text`` (YAML) with ``value`` appended to the list at ``path``.

    A targeted edit: flow lists (``[a, b]``) get ``, value`` after the last
    item, block lists a new ``- value`` line under the last one; the rest of
    the text, comments included, is unchanged.  Raises ValueError when the
    list is not there or the edit would not read back as intended.
    """
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    node = _node_at(root, path)
    if not isinstance(node, yaml.SequenceNode):
        raise ValueError(f"no list at {'.'.join(map(str, path))}")
    scalar = yaml_scalar(value)
    if node.flow_style:
        if node.value:
            at = node.value[-1].end_mark.index
            new = text[:at] + ", " + scalar + text[at:]
        else:
            at = node.start_mark.index + 1  # just after '['
            new = text[:at] + scalar + text[at:]
    else:
        last = node.value[-1]
        indent = " " * node.start_mark.column
        if last.end_mark.column == 0:  # the item ended at the start of the next line
            at = last.end_mark.index
            new = text[:at] + f"{indent}- {scalar}\n" + text[at:]
        else:
            eol = text.find("\n", last.end_mark.index)
            eol = len(text) if eol == -1 else eol
            new = text[:eol] + f"\n{indent}- {scalar}" + text[eol:]
    before = _plain(yaml.safe_load(text), path)
    after = _plain(yaml.safe_load(new), path)
    if after != list(before) + [value]:
        raise ValueError(f"the edit of {'.'.join(map(str, path))} did not read back as intended")
    return new


def _plain(data, path):
    for key in path:
        data = data[key]
    return data


def read_source_text(path: Path) -> tuple[str, str, bool]:
    """(text with \\n line ends, the file's line end, whether it had a BOM): for edits that keep both."""
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
    eol = "\r\n" if "\r\n" in text else "\n"
    return text.replace("\r\n", "\n"), eol, bom


def write_source_text(path: Path, text: str, eol: str = "\n", bom: bool = False) -> None:
    data = text.replace("\n", eol).encode("utf-8")
    atomic_write_bytes(path, (b"\xef\xbb\xbf" if bom else b"") + data)


def insert_key_after(text: str, after_key: str, line: str) -> str:
    """``text`` with ``line`` inserted after the top-level ``after_key:`` line."""
    m = re.search(rf"^{re.escape(after_key)}:.*$", text, flags=re.M)
    if not m:
        raise ValueError(f"no top-level key '{after_key}'")
    return text[: m.end()] + "\n" + line + text[m.end():]


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
    env = _environment(src)
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


def _check_empty_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise _usage(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise _usage(f"{target} is not empty; give a new or empty folder (nothing was written)")


def _move_into(tmp: Path, target: Path) -> None:
    """Put the finished tree ``tmp`` at ``target`` (new, or an existing empty folder)."""
    if not target.exists():
        os.replace(tmp, target)
        return
    for child in sorted(tmp.iterdir()):
        os.replace(child, target / child.name)
    tmp.rmdir()


def add_fingerprints(root: Path) -> int:
    """Write the fingerprint of the current content into every sign-off that has none.

    Used on the example manual, whose sign-offs are samples written together
    with the content.  Returns how many sign-offs were fingerprinted.
    """
    from ..model.fingerprint import fingerprint
    from ..model.build import read_manual

    manual, _ = read_manual(root)
    count = 0
    for item in list(manual.documents) + list(manual.forms.values()):
        path = root / item.path
        text = path.read_text(encoding="utf-8")
        value = fingerprint(item, manual)
        new = text
        for step in ("prepared", "reviewed", "approved"):
            pattern = re.compile(rf"^(\s+{step}: \{{[^}}\n]*?)(\}})", flags=re.M)
            m = pattern.search(new)
            if m and "fingerprint:" not in m.group(1):
                new = new[: m.end(1)] + f", fingerprint: {value}" + new[m.end(1):]
                count += 1
        if new != text:
            path.write_text(new, encoding="utf-8")
    return count


def init_repository(target: Path, *, quiet: bool = False) -> int:
    """``manual init DIR``: a new manual repository with one example of each kind."""
    _check_empty_target(target)
    today = _today()
    values = {"year": today.year, "today": today.isoformat(), "title": "业务部门管理手册"}
    parent = target.resolve().parent
    if not parent.is_dir():
        raise _usage(f"{parent} does not exist; create it first")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name or 'manual'}.", suffix=".tmp", dir=parent))
    try:
        steps = ["仓库文件", "示例手册", "签署指纹"]
        for step in progress(steps, "manual init", quiet=quiet):
            if step == "仓库文件":
                write_repo_files(tmp, values)
                mkdocs = site_config_template()
                if mkdocs is not None:
                    shutil.copyfile(mkdocs, tmp / "mkdocs.yml")
            elif step == "示例手册":
                render_tree(INIT / "example", tmp, values)
            else:
                add_fingerprints(tmp)
        _move_into(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    note(f"已创建手册仓库 {target}：manual/、policies/（5 个示例文件）、forms/（1 个示例表单）、schemas/。\n"
         f"下一步：cd {target} && manual check && manual build；然后把 manual/manual.yaml 中的“示例”改成你们公司的内容。",
         quiet=quiet)
    return 0


# ---------------------------------------------------------------------------
# manual new


def _read(root: Path):
    from ..model.build import read_manual

    manual, _ = read_manual(root)
    if not manual.config:
        raise _usage(f"{root / 'manual/manual.yaml'} could not be read; run `manual check` to see why")
    return manual


def _scheme(manual) -> dict:
    scheme = manual.config.get("code_scheme") or {}
    for key in ("pattern", "format", "year"):
        if not scheme.get(key):
            raise _usage(f"manual/manual.yaml: code_scheme.{key} is missing; `manual new` needs pattern, format "
                         "and year to allocate a code")
    try:
        re.compile(scheme["pattern"])
    except re.error as exc:
        raise _usage(f"manual/manual.yaml: code_scheme.pattern is not a valid regular expression: {exc}") from None
    return scheme


def _chapter(manual, wanted: str | None) -> tuple[int, dict]:
    chapters = [c for c in manual.config.get("chapters") or [] if isinstance(c, dict)]
    if not chapters:
        raise _usage("manual/manual.yaml has no chapters; add one under `chapters:` first")
    if wanted is None:
        return len(chapters) - 1, chapters[-1]
    number = wanted.strip()
    if number.isdigit():
        number = f"{int(number):02d}"
    for i, chapter in enumerate(chapters):
        if str(chapter.get("number")) == number:
            return i, chapter
    known = ", ".join(str(c.get("number")) for c in chapters)
    raise _usage(f"--chapter {wanted}: manual/manual.yaml has no chapter {number} (chapters: {known})")


def _used_codes(manual) -> set[str]:
    codes = {d.code for d in manual.documents if d.code}
    for chapter in manual.config.get("chapters") or []:
        if isinstance(chapter, dict):
            codes.update(str(c) for c in chapter.get("documents") or [])
    policies = manual.root / "policies"
    if policies.is_dir():
        codes.update(p.stem for p in policies.glob("*.md"))
    return codes


def next_code(manual, chapter_number: str) -> str:
    """The next free code in ``chapter_number``: the highest sequence used + 1."""
    scheme = _scheme(manual)
    pattern = re.compile(scheme["pattern"])
    seqs = [0]
    for code in _used_codes(manual):
        m = pattern.fullmatch(code)
        if m and "chapter" in m.groupdict() and "seq" in m.groupdict() and m.group("chapter") \
                and int(m.group("chapter")) == int(chapter_number) and m.group("seq"):
            seqs.append(int(m.group("seq")))
    seq = max(seqs) + 1
    try:
        code = scheme["format"].format(chapter=int(chapter_number), seq=seq, year=scheme["year"])
    except (KeyError, IndexError, ValueError) as exc:
        raise _usage(f"manual/manual.yaml: code_scheme.format {scheme['format']!r} cannot be filled with "
                     f"chapter, seq and year: {exc}") from None
    if not pattern.fullmatch(code):
        raise _usage(f"the next code would be {code!r}, which does not match code_scheme.pattern "
                     f"(is chapter {chapter_number} full?)")
    return code


def _owner(manual) -> str:
    head = (manual.org or {}).get("department_head")
    if isinstance(head, str) and head:
        return head
    if manual.roles:
        return next(iter(manual.roles))
    raise _usage("manual/roles.yaml defines no roles; a document needs an owner role")


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
    for folder in (root / "schemas", root / "generator" / "schemas"):
        candidate = folder / f"{kind}.schema.json"
        if candidate.is_file():
            return Path(os.path.relpath(candidate, target.parent)).as_posix()
    return (SCHEMAS / f"{kind}.schema.json").as_posix()


def uncovered_roles(manual) -> list[str]:
    """Staffed roles of the department that no job description covers yet."""
    covered = set()
    for doc in manual.documents:
        if doc.status == "superseded":
            continue
        for job in doc.meta.get("jobs") or []:
            if isinstance(job, dict):
                covered.update(str(c) for c in job.get("covers") or [])
    out = []
    for role in manual.roles.values():
        headcount = role.meta.get("headcount")
        if role.meta.get("external") or not isinstance(headcount, int) or headcount <= 0:
            continue
        if role.id not in covered:
            out.append(role.id)
    return out


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise _usage("--title must not be empty")
    if any(ord(ch) < 32 for ch in title):
        raise _usage("--title must be a single line of text")
    if len(title) > 80:
        raise _usage("--title is longer than 80 characters")
    return title


def _print_path(path: Path) -> None:
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = path.resolve()
    print(shown.as_posix())


def _new_document(args, manual, title: str) -> int:
    index, chapter = _chapter(manual, args.chapter)
    number = str(chapter.get("number"))
    code = next_code(manual, number)
    root = manual.root
    target = root / "policies" / f"{code}.md"
    if target.exists():
        raise _usage(f"{target} already exists")
    owner = _owner(manual)
    env = _environment(TEMPLATES / "new")
    text = env.get_template("document.md.j2").render(
        code=code, title=title, kind=args.kind, owner=owner, chapter=number, today=_today().isoformat(),
        example=str((manual.config.get("code_scheme") or {}).get("example") or code),
        # A new job document lists the staffed posts that have no job description yet.
        job_roles=(uncovered_roles(manual) or [owner]) if args.kind == "job" else [],
        by=str(manual.config.get("department") or owner), schema=schema_ref(root, target, "document"))
    config_path = root / "manual" / "manual.yaml"
    config_text, eol, bom = read_source_text(config_path)
    try:
        new_config = append_to_list(config_text, ("chapters", index, "documents"), code)
    except (ValueError, yaml.YAMLError) as exc:
        raise _usage(f"could not add {code} to chapter {number} in manual/manual.yaml ({exc}); "
                     "nothing was written") from None
    atomic_write_text(target, text)
    write_source_text(config_path, new_config, eol, bom)
    _print_path(target)
    note(f"已新建草稿 {code}《{title}》，并加入 manual/manual.yaml 第 {number} 章。", quiet=args.quiet)
    return 0


def args_document(args) -> str | None:
    return getattr(args, "document", None)


def next_form_code(manual, prefix: str) -> str:
    taken = [0]
    for form in manual.forms.values():
        m = re.fullmatch(rf"{re.escape(prefix)}-F(\d+)", form.code)
        if m:
            taken.append(int(m.group(1)))
    return f"{prefix}-F{max(taken) + 1}"


def form_id_for(manual, code: str) -> str:
    base = "form-" + re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")
    existing = set(manual.forms) | {p.stem for p in (manual.root / "forms").glob("*.yaml")} \
        if (manual.root / "forms").is_dir() else set(manual.forms)
    candidate, n = base, 2
    while candidate in existing:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def _new_form(args, manual, title: str) -> int:
    doc = None
    if args_document(args):
        doc = manual.document(args_document(args))
        if doc is None:
            raise _usage(f"--document {args_document(args)}: no document with that code in policies/")
        number = None
    else:
        _, chapter = _chapter(manual, args.chapter)
        number = str(chapter.get("number"))
    prefix = doc.code.split("-")[0] if doc else f"{int(number):02d}00"
    code = next_form_code(manual, prefix)
    form_pattern = (manual.config.get("code_scheme") or {}).get("form_pattern")
    if form_pattern:
        try:
            ok = re.fullmatch(form_pattern, code)
        except re.error:
            ok = True
        if not ok:
            raise _usage(f"the form code {code!r} does not match code_scheme.form_pattern {form_pattern!r}")
    form_id = form_id_for(manual, code)
    root = manual.root
    target = root / "forms" / f"{form_id}.yaml"
    owner = doc.owner if doc and doc.owner else _owner(manual)
    env = _environment(TEMPLATES / "new")
    text = env.get_template("form.yaml.j2").render(
        id=form_id, code=code, title=title, owner=owner, today=_today().isoformat(),
        by=str(manual.config.get("department") or owner), schema=schema_ref(root, target, "form"))
    edits = []
    in_force = doc is not None and doc.status not in ("draft", "in_review")
    if doc is not None and not in_force:
        doc_path = root / doc.path
        doc_text, eol, bom = read_source_text(doc_path)
        edits.append((doc_path, _add_form_to_document(doc_text, form_id), eol, bom))
    atomic_write_text(target, text)
    for path, new, eol, bom in edits:
        write_source_text(path, new, eol, bom)
    _print_path(target)
    if doc is None:
        where = "（还没有文件使用它：在某个文件的 uses_forms 中加入其 id）"
    elif in_force:
        # Adding a form changes a document in force: that needs a new version and new sign-offs.
        where = (f"；{doc.code} 的状态为 {doc.status}，改动它需要升级版本并重新签署，"
                 f"所以没有自动修改：修订 {doc.code} 时在其 uses_forms 中加入 {form_id}")
    else:
        where = f"，并加入 {doc.code} 的 uses_forms"
    note(f"已新建表单草稿 {code}《{title}》（id: {form_id}）{where}。", quiet=args.quiet)
    return 0


def _add_form_to_document(text: str, form_id: str) -> str:
    from ..read.reader import split_front_matter
    from ..read.yamlsrc import SourceError

    try:
        front, _, body, _ = split_front_matter(text)
    except SourceError as exc:
        raise _usage(f"cannot add the form to the document: {exc.message}") from None
    data = yaml.safe_load(front) or {}
    if "uses_forms" in data:
        try:
            new_front = append_to_list(front, ("uses_forms",), form_id)
        except (ValueError, yaml.YAMLError) as exc:
            raise _usage(f"could not add {form_id} to uses_forms ({exc}); nothing was written") from None
    else:
        anchor = "owner" if "owner" in data else "status"
        new_front = insert_key_after(front, anchor, f"uses_forms: [{yaml_scalar(form_id)}]")
    head_len = len("---\n") + len(front)
    return "---\n" + new_front + text[head_len:]


def new_item(root: Path, *, kind: str, title: str, chapter: str | None = None, document: str | None = None,
             quiet: bool = False) -> int:
    """``manual new KIND --title T``: a draft with the next free code."""
    args = SimpleNamespace(kind=kind, title=title, chapter=chapter, document=document, quiet=quiet)
    title = _check_title(args.title)
    manual = _read(root)
    if args.kind == "form":
        return _new_form(args, manual, title)
    if args_document(args):
        raise _usage("--document is for `manual new form` only")
    return _new_document(args, manual, title)
