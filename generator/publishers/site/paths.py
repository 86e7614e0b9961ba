"""Where each page of the staff website lives, and the relative links between pages.

Shared by the pages of the current manual (``render``) and of its released
editions (``editions``).  Paths are MkDocs docs-dir paths (``documents/<code>.md``);
MkDocs rewrites links to ``.md`` files into links to their pages.
"""
from __future__ import annotations

import posixpath
from functools import lru_cache

from ...model import Document, Form

DOCS_DIR, FORMS_DIR, DOWNLOADS_DIR, ROLES_DIR = "documents", "forms", "downloads", "roles"
IMAGES_DIR = "images"  # the pictures of document bodies, named by their content (``image_path``)


def doc_page(doc: Document) -> str:
    return f"{DOCS_DIR}/{doc.slug}.md"


def image_path(image) -> str:
    """Where a body's picture (``generator.read.images.Image``) is copied: ``images/<sha256[:16]>.<ext>``,
    named by its bytes (one copy of a picture several documents show; a changed picture a new name)."""
    return f"{IMAGES_DIR}/{image.sha256[:16]}{image.ext}"


def form_page(form: Form) -> str:
    return f"{FORMS_DIR}/{form.id}.md"


def item_page(item: Document | Form) -> str:
    return form_page(item) if isinstance(item, Form) else doc_page(item)


def role_pages(role_ids) -> dict[str, str]:
    """Each role's page (``roles/<slug>.md``, the role's heading anchor as file name), in the given order;
    a role whose slug is empty or already taken gets ``roles/role-<n>.md`` (n: its position, from 1)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for n, rid in enumerate(role_ids, start=1):
        name = slug(rid).strip(".") or f"role-{n}"
        if name in taken:
            name = f"role-{n}"
        taken.add(name)
        out[rid] = f"{ROLES_DIR}/{name}.md"
    return out


@lru_cache(maxsize=65536)
def rel(from_page: str, to_path: str) -> str:
    """Relative link from one docs-dir file to another (MkDocs rewrites .md links to pages)."""
    target, _, fragment = to_path.partition("#")
    out = posixpath.relpath(target, posixpath.dirname(from_page) or ".")
    return f"{out}#{fragment}" if fragment else out


def slug(text: str) -> str:
    """The heading anchor MkDocs gives ``text`` (pymdownx slugify, lower case; CJK kept)."""
    from pymdownx.slugs import slugify

    return slugify(case="lower")(text, "-")
