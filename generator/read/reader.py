"""The reader: a manual's folder → its source files, parsed and validated (``Source``).

Every source file becomes a ``SourceFile``: its mapping (manual.yaml, roles.yaml,
a form, a document's front matter), where each key stands, and for a document its
Markdown body parsed into blocks.  ``generator.model.build`` turns a ``Source`` into
the typed model.

A source file that a symbolic link takes out of the manual's folder is not
read (finding ``symlink-outside``); links inside the folder are followed.

Reading never raises for a bad source file.  Every problem becomes a
``Finding`` at its file and line, and the file is left out (its path goes to
``Source.unreadable``), so that one broken policy does not hide the findings of
the others.
"""
from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from dataclasses import dataclass, field

from . import markdown as body_mod
from . import schema
from ..common.findings import Finding, Location, error
from ..errors import ManualNotFound, SourceError
from ..labels import labels
from .editions import EditionCheck, check_editions, latest_index
from .images import Image, read_images
from .markdown import Block
from .yamlsrc import CONTROL, Positions, control_error, load_yaml, read_text


@dataclass
class SourceFile:
    """One source file as read: its mapping, where each key stands, and a document's parsed body."""

    path: str  # relative to the manual's root, with forward slashes
    data: dict
    positions: Positions
    sha256: str  # of the file's bytes
    body: str = ""
    body_line: int = 1
    blocks: list[Block] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)  # a document's image references, resolved (``images``)

    def loc(self, *path) -> Location:
        line, col = self.positions.at(path)
        return Location(self.path, line, col)


@dataclass
class Source:
    """Everything read from a manual's folder (documents in the chapters' order)."""

    root: Path
    config: SourceFile | None = None
    roles: SourceFile | None = None
    people: SourceFile | None = None  # manual/people.yaml, when the manual has one
    distribution: SourceFile | None = None  # control/distribution.yaml (``generator.read.control``)
    certificates: dict[str, bytes | None] = field(default_factory=dict)  # people.yaml's certificate paths → bytes
    documents: list[SourceFile] = field(default_factory=list)
    forms: list[SourceFile] = field(default_factory=list)  # one per form id (a duplicate is a finding)
    unreadable: set[str] = field(default_factory=set)
    # An unreadable file's path -> the code (a document) or id (a form) it names on a line of its own, when
    # one could be found: what the file stands for, so that it is not reported missing as well.
    claims: dict[str, str] = field(default_factory=dict)
    released: dict | None = None  # the latest released edition's manifest index (the version baseline)
    editions: list[EditionCheck] = field(default_factory=list)  # each released edition against its manifest
    external: SourceFile | None = None  # control/external.yaml (``generator.read.control``)
    changes: list[SourceFile] = field(default_factory=list)  # control/changes/*.yaml (``generator.read.control``)
    acks: list[SourceFile] = field(default_factory=list)  # control/acks/*.yaml (``generator.read.control.read_acks``)


CONFIG = "manual/manual.yaml"
ROLES = "manual/roles.yaml"
PEOPLE = "manual/people.yaml"
CERTIFICATE_MAX_BYTES = 64 * 1024
POLICIES = "policies"
FORMS = "forms"


def _rel(root: Path, path: Path) -> str:
    root_text, path_text = str(root), str(path)
    if path_text.startswith(root_text + os.sep):  # the usual case, without pathlib's parsing
        return path_text[len(root_text) + 1:].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def _source_error(rel: str, exc: SourceError) -> Finding:
    """The finding of a file that cannot be read: the catalogue says what is wrong (``source-<rule>``),
    the reader's own words (``exc.message``) say where and why."""
    key = f"source-{exc.rule}"
    return error(exc.rule, Location(rel, exc.line, exc.column), key if key in labels()["findings"] else "source",
                 detail=exc.message)


def _duplicates(rel: str, positions) -> list[Finding]:
    out = []
    for keys, line, col, first in positions.duplicates:
        name = keys[-1]
        out.append(error("duplicate-key", Location(rel, line + positions.line_offset, col), "duplicate-key",
                         key=name, first=first + positions.line_offset))
    return out


@lru_cache(maxsize=8)
def _real(folder: str) -> str:
    return os.path.realpath(folder)


def outside(root: Path, path: Path) -> str | None:
    """Where ``path`` really is, when a symbolic link takes it out of the manual's folder ``root``; else None.

    A link inside the manual is fine; one that leaves it is never followed: the manual
    would depend on a file no one reviews with it (and a shared folder could read any file).
    """
    real = os.path.realpath(path)
    root_text = _real(str(root))
    if real == root_text or real.startswith(root_text.rstrip(os.sep) + os.sep):
        return None
    return real


def _check_inside(root: Path, path: Path) -> None:
    target = outside(root, path)
    if target is not None:
        raise SourceError("symlink-outside", target)


def read_yaml_file(root: Path, path: Path, kind: str):
    """(data, positions, findings) for a YAML source file."""
    rel = _rel(root, path)
    try:
        _check_inside(root, path)
        data, positions = load_yaml(read_text(path))
    except SourceError as exc:
        return None, None, [_source_error(rel, exc)]
    findings = _duplicates(rel, positions)
    if not isinstance(data, dict):
        findings.append(error("schema", Location(rel, 1, 1), "schema-not-mapping"))
        return None, positions, findings
    findings.extend(schema.validate(kind, data, positions, rel))
    return data, positions, findings


def split_front_matter(text: str):
    """(front matter text, its first line, body, body's first line)."""
    if not text.startswith("---\n"):
        raise SourceError("front-matter",
                          "a document must start with a YAML front matter block: a line '---', "
                          "the fields, and another line '---'")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.rstrip().endswith("\n---"):
            end = text.rstrip().rfind("\n---")
        else:
            raise SourceError("front-matter", "the front matter has no closing '---' line")
    front = text[4:end + 1]
    body_start = end + 5
    front_first_line = 2
    body_line = text[:body_start].count("\n") + 1
    return front, front_first_line, text[body_start:], body_line


def read_document(root: Path, path: Path) -> tuple[SourceFile | None, list[Finding]]:
    rel = _rel(root, path)
    try:
        _check_inside(root, path)
        raw = read_text(path)
        front, first, body, body_line = split_front_matter(raw)
        meta, positions = load_yaml(front, line_offset=first - 1)
    except SourceError as exc:
        return None, [_source_error(rel, exc)]
    findings = _duplicates(rel, positions)
    if not isinstance(meta, dict):
        findings.append(error("schema", Location(rel, 1, 1), "schema-front-matter-not-mapping"))
        return None, findings
    findings.extend(schema.validate("document", meta, positions, rel))
    for bad in CONTROL.finditer(body):  # in the body too (the front matter's are refused by load_yaml)
        at = control_error(body, bad, body_line)
        findings.append(error("control-character", Location(rel, at.line, at.column), "source-control-character",
                              detail=at.message))
    return SourceFile(rel, meta, positions, hashlib.sha256(raw.encode("utf-8")).hexdigest(), body, body_line,
                      body_mod.parse(body, body_line)), findings


def read_form(root: Path, path: Path) -> tuple[SourceFile | None, list[Finding]]:
    data, positions, findings = read_yaml_file(root, path, "form")
    if data is None:
        return None, findings
    return SourceFile(_rel(root, path), data, positions, hashlib.sha256(path.read_bytes()).hexdigest()), findings


def find_root(start: Path) -> Path:
    start = start.resolve()
    for candidate in (start, *start.parents):
        if (candidate / CONFIG).is_file():
            return candidate
    raise ManualNotFound("cli.no_manual_above", folder=start)


_READERS = {"document": read_document, "form": read_form}
_CLAIM = {"document": re.compile(r"^code:[ \t]*[\"']?([^\"'\s#]+)", re.M),
          "form": re.compile(r"^id:[ \t]*[\"']?([^\"'\s#]+)", re.M)}


def claimed_key(path: Path, kind: str) -> str | None:
    """The code (a document) or id (a form) that a file which could not be read names on a line of its
    own (``code: 0110-2014``), if any: the file's first 64 KiB, read leniently."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return None
    found = _CLAIM[kind].search(text)
    return found.group(1) if found else None


def read_files(root: Path, tasks, reuse: dict | None = None) -> list:
    """``[(item or None, findings)]`` for ``tasks`` ``[("document" | "form", path)]``, in their order.

    ``reuse`` (``manual serve``'s preview, which reads the manual again after every edit): a dict kept
    between readings, path → (size, mtime, inode, result); a file whose size, time and inode are
    the same is not read again.  Nothing reads it but the preview."""
    if reuse is None:
        return [_READERS[kind](root, path) for kind, path in tasks]
    out = []
    for kind, path in tasks:
        try:
            st = os.stat(path)
            sig = (kind, st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            sig = None
        known = reuse.get(str(path))
        if sig is not None and known is not None and known[0] == sig:
            out.append(known[1])
            continue
        result = _READERS[kind](root, path)
        if sig is not None:
            reuse[str(path)] = (sig, result)
        out.append(result)
    return out


def read_source(root: Path, reuse: dict | None = None) -> tuple[Source, list[Finding]]:
    """Every source file of the manual at ``root`` and every finding met while reading it
    (``reuse``: see ``read_files``)."""
    root = Path(root).resolve()
    if not (root / CONFIG).is_file():
        raise ManualNotFound("cli.no_manual_here", folder=root)
    source = Source(root=root)
    findings: list[Finding] = []

    config, positions, found = read_yaml_file(root, root / CONFIG, "manual")
    findings += found
    if config is not None:
        source.config = SourceFile(CONFIG, config, positions, "")

    if (root / ROLES).is_file():
        org, positions, found = read_yaml_file(root, root / ROLES, "roles")
        findings += found
        if org is not None:
            source.roles = SourceFile(ROLES, org, positions, "")
            seen: set[str] = set()
            for i, entry in enumerate(org.get("roles") or []):
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    if entry["id"] in seen:
                        findings.append(error("duplicate-role", source.roles.loc("roles", i, "id"), "duplicate-role",
                                              role=entry["id"]))
                    seen.add(entry["id"])
    else:
        findings.append(error("missing-file", Location(ROLES, 1, 1), "missing-roles", path=ROLES))

    if (root / PEOPLE).is_file():
        findings += read_people(root, source)

    document_paths = sorted((root / POLICIES).glob("*.md")) if (root / POLICIES).is_dir() else []
    form_paths = sorted((root / FORMS).glob("*.yaml")) if (root / FORMS).is_dir() else []
    results = read_files(root, [("document", p) for p in document_paths] + [("form", p) for p in form_paths],
                         reuse)

    def unreadable(path: Path, kind: str) -> None:
        rel = _rel(root, path)
        source.unreadable.add(rel)
        claim = claimed_key(path, kind)
        if claim:
            source.claims[rel] = claim

    documents: list[SourceFile] = []
    for path, (doc, found) in zip(document_paths, results):
        findings += found
        if doc is not None:
            documents.append(doc)
        else:
            unreadable(path, "document")
    source.documents = order_documents(config or {}, documents)
    for doc in source.documents:  # read afresh every time: an image may change while its document does not
        doc.images = read_images(root, doc.path, doc.blocks)

    # Of two forms with one id, the one in the file named after it is the form; the other (a stray
    # copy, "visit-record - 副本.yaml") is the duplicate, reported at the copy.
    read_forms = list(zip(form_paths, results[len(document_paths):]))
    owner: dict[str, Path] = {}
    for path, (form, _) in sorted(read_forms, key=lambda pair: (
            pair[1][0] is None or pair[0].stem != str(pair[1][0].data.get("id", "")), pair[0])):
        if form is not None:
            owner.setdefault(str(form.data.get("id", "")), path)
    for path, (form, found) in read_forms:
        findings += found
        if form is None:
            unreadable(path, "form")
            continue
        form_id = str(form.data.get("id", ""))
        if owner[form_id] != path:
            findings.append(error("duplicate-form", form.loc("id"), "duplicate-form", id=form_id,
                                  other=_rel(root, owner[form_id])))
            continue
        source.forms.append(form)
    source.released = latest_index(root)
    source.editions = check_editions(root)
    return source, findings


def read_certificate(root: Path, rel: str) -> bytes | None:
    """The bytes of a certificate file named in people.yaml, or None when it cannot be read: missing, too large,
    or outside the manual's folder (a ``..`` or a symbolic link that leads out).  ``person-certificate`` says so."""
    try:
        path = (root / rel).resolve()
        if not path.is_relative_to(root) or not path.is_file() or path.stat().st_size > CERTIFICATE_MAX_BYTES:
            return None
        return path.read_bytes()
    except (OSError, ValueError):
        return None


def read_people(root: Path, source: Source) -> list[Finding]:
    """manual/people.yaml (the people who sign) and the certificates it names, into ``source``."""
    people, positions, findings = read_yaml_file(root, root / PEOPLE, "people")
    if people is None:
        source.unreadable.add(PEOPLE)
        return findings
    source.people = SourceFile(PEOPLE, people, positions, "")
    seen: set[str] = set()
    listed = people.get("people")
    for i, entry in enumerate(listed if isinstance(listed, list) else []):  # else: the schema's finding
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("id"), str):
            if entry["id"] in seen:
                findings.append(error("duplicate-person", source.people.loc("people", i, "id"), "duplicate-person",
                                      id=entry["id"]))
            seen.add(entry["id"])
        cert = entry.get("certificate")
        if isinstance(cert, str) and cert and cert not in source.certificates:
            source.certificates[cert] = read_certificate(root, cert)
    return findings


def order_documents(config: dict, documents: list[SourceFile]) -> list[SourceFile]:
    """Documents in the order of the chapters' lists, then the rest by code; of two with one code, the one
    in the file named after it first (a stray copy, "0110-2014 - 副本.md", is the duplicate)."""
    order: dict[str, int] = {}
    for chapter in config.get("chapters") or []:
        for code in chapter.get("documents") or [] if isinstance(chapter, dict) else []:
            order.setdefault(str(code), len(order))

    def code(doc: SourceFile) -> str:
        return str(doc.data.get("code", ""))
    return sorted(documents, key=lambda d: (order.get(code(d), len(order)), code(d),
                                            d.path.rsplit("/", 1)[-1] != f"{code(d)}.md", d.path))
