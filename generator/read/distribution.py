"""control/distribution.yaml, the distribution register of controlled copies (文件发放/回收登记表).

Optional: a manual without it has issued no controlled copy.  ``manual issue`` and ``manual recall``
(``generator.authoring.copies``) write it; the reader (``reader.read_distribution``) reads and
validates it against ``schemas/distribution.schema.json``.
"""
from __future__ import annotations

DISTRIBUTION = "control/distribution.yaml"
COPIES_FOLDER = "control/copies"  # the controlled PDFs: control/copies/<EDITION>/<EDITION>-<NN>.pdf


def copy_file(edition: str, copy: int) -> str:
    """Where the controlled PDF of copy ``copy`` of ``edition`` is kept, from the manual's folder."""
    return f"{COPIES_FOLDER}/{edition}/{edition}-{copy:02d}.pdf"
