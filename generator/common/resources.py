"""Where the package's own files are: templates, schemas, the code itself."""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # the ``generator`` package folder
TEMPLATES = PACKAGE / "templates"
SCHEMAS = PACKAGE / "schemas"
