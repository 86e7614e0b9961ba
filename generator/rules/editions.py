"""Released editions stay as released.

* ``edition-integrity``: every file of a released edition (``editions/<E>/``: its outputs,
  its change record and each file of its frozen ``source/``) has the SHA-256 its manifest
  lists; a listed file is not missing; no file was added; the manifest can be read.  Each
  finding is at the file concerned.

The reader hashed the files (``generator.read.editions.check_editions``, the model's
``editions``); this rule only compares.
"""
from __future__ import annotations

from ..common.findings import Location, error
from . import rule

KEYS = {"changed": "edition-changed", "missing": "edition-missing", "unlisted": "edition-unlisted"}


@rule("edition-integrity")
def edition_integrity(manual):
    findings = []
    for edition in manual.editions:
        if edition.manifest_error:
            findings.append(error("edition-integrity", Location(f"{edition.folder}/manifest.json"),
                                  "edition-manifest", edition=edition.edition, reason=edition.manifest_error))
            continue
        for file in edition.problems:
            findings.append(error("edition-integrity", Location(f"{edition.folder}/{file.path}"), KEYS[file.state],
                                  edition=edition.edition, file=file.path,
                                  expected=(file.expected or "")[:16], actual=(file.actual or "")[:16]))
    return findings
