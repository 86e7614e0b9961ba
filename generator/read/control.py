"""The document-control sources under ``control/``, read in one place: the distribution register of
controlled copies (``control/distribution.yaml``, 文件发放/回收登记表), the register of external documents
(``control/external.yaml``, 外来文件清单) and the change requests (``control/changes/CR-*.yaml``,
文件更改申请单).

All are optional.  They are read like every other YAML source (positions, schema findings, never a
traceback) into the ``Source`` the reader made; ``generator.model.build`` turns them into the model.
``manual issue`` and ``manual recall`` (``generator.authoring.copies``) write the distribution register.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from ..common.findings import Finding
from .reader import Source, SourceFile, read_yaml_file

DISTRIBUTION = "control/distribution.yaml"
COPIES_FOLDER = "control/copies"  # the controlled PDFs: control/copies/<EDITION>/<EDITION>-<NN>.pdf
EXTERNAL = "control/external.yaml"
CHANGES = "control/changes"


def copy_file(edition: str, copy: int) -> str:
    """Where the controlled PDF of copy ``copy`` of ``edition`` is kept, from the manual's folder."""
    return f"{COPIES_FOLDER}/{edition}/{edition}-{copy:02d}.pdf"


def read_distribution(root: Path, source: Source) -> list[Finding]:
    """control/distribution.yaml (the register of controlled copies) into ``source``, when the manual has one."""
    if not (root / DISTRIBUTION).is_file():
        return []
    data, positions, findings = read_yaml_file(root, root / DISTRIBUTION, "distribution")
    if data is None:
        source.unreadable.add(DISTRIBUTION)
        return findings
    source.distribution = SourceFile(DISTRIBUTION, data, positions, "")
    return findings


def read_control(root: Path, source: Source) -> list[Finding]:
    """control/distribution.yaml, control/external.yaml and control/changes/*.yaml into ``source``; the
    findings met reading them."""
    root = Path(root).resolve()
    findings: list[Finding] = read_distribution(root, source)
    if (root / EXTERNAL).is_file():
        data, positions, found = read_yaml_file(root, root / EXTERNAL, "external")
        findings += found
        if data is None:
            source.unreadable.add(EXTERNAL)
        else:
            source.external = SourceFile(EXTERNAL, data, positions, "")
    findings += _read_folder(root, CHANGES, "change", source, source.changes, hashed=True)
    return findings


def _read_folder(root: Path, rel_folder: str, schema: str, source: Source, into: list, *, hashed: bool = False
                 ) -> list[Finding]:
    """Every ``*.yaml`` of ``rel_folder`` (optional) in file-name order, checked against ``schema``, appended to
    ``into``; an unreadable one is noted in ``source.unreadable``.  The findings met reading them."""
    findings: list[Finding] = []
    folder = root / rel_folder
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        data, positions, found = read_yaml_file(root, path, schema)
        findings += found
        rel = f"{rel_folder}/{path.name}"
        if data is None:
            source.unreadable.add(rel)
            continue
        into.append(SourceFile(rel, data, positions, hashlib.sha256(path.read_bytes()).hexdigest() if hashed else ""))
    return findings


# -- read-and-acknowledge records (阅知记录) -------------------------------------------------------
ACKS = "control/acks"  # one YAML file per recording (``manual ack record``, or an online collector)


def read_acks(root: Path, source: Source) -> list[Finding]:
    """control/acks/*.yaml (read-and-acknowledge records) into ``source.acks``, in file-name order; the
    findings met reading them (schema, YAML), each at its file and line."""
    return _read_folder(Path(root).resolve(), ACKS, "ack", source, source.acks)
