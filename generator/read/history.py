"""A source file as it was: in a released edition's frozen ``source/``, or at a git revision.

``manual diff`` and ``manual approve`` compare a document or form with an earlier text of
it (see ``generator.authoring.revise``); this module only finds and parses those texts.
Git is asked through its command line (``git show REV:PATH``), only when the manual's
folder is inside a git work tree; nothing here writes anything.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from . import markdown as body_mod
from .editions import EDITIONS
from .reader import SourceFile, split_front_matter
from .yamlsrc import load_yaml
from ..errors import SourceError

GIT_TIMEOUT = 30  # seconds for one git call
GIT_MAX_REVISIONS = 200  # commits of a file searched for its approved text, newest first


def edition_text(root: Path, edition: str, rel: str) -> str | None:
    """The text of ``rel`` (a path from the manual's folder) in the frozen source of ``edition``, or None."""
    if not edition or "/" in edition or "\\" in edition or edition.startswith("."):
        return None
    path = Path(root) / EDITIONS / edition / "source" / rel
    try:
        return path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return None


def is_edition(root: Path, name: str) -> bool:
    return bool(name) and "/" not in name and not name.startswith(".") and \
        (Path(root) / EDITIONS / name / "manifest.json").is_file()


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    if shutil.which("git") is None:
        return None
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, timeout=GIT_TIMEOUT,
                              env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
    except (OSError, subprocess.SubprocessError):
        return None


def git_prefix(root: Path) -> str | None:
    """The manual's folder as a path inside its git work tree ("" at the top, "sub/dir/" below), or None
    when the folder is in no git repository (or git is not installed)."""
    done = _git(root, "rev-parse", "--is-inside-work-tree", "--show-prefix")
    if done is None or done.returncode != 0:
        return None
    lines = done.stdout.decode("utf-8", "replace").splitlines()
    if not lines or lines[0].strip() != "true":
        return None
    return lines[1].strip() if len(lines) > 1 else ""


def git_text(root: Path, rev: str, rel: str) -> str | None:
    """The text of ``rel`` at the git revision ``rev``, or None when that revision does not hold it."""
    prefix = git_prefix(root)
    if prefix is None or not rev or rev.startswith("-"):
        return None
    done = _git(root, "show", f"{rev}:{prefix}{rel}")
    if done is None or done.returncode != 0:
        return None
    try:
        return done.stdout.decode("utf-8-sig").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None


def git_revisions(root: Path, rel: str, limit: int = GIT_MAX_REVISIONS) -> list[str]:
    """The commits that changed ``rel``, newest first (at most ``limit``); [] outside git."""
    if git_prefix(root) is None:
        return []
    done = _git(root, "log", f"--max-count={limit}", "--format=%H", "--", rel)
    if done is None or done.returncode != 0:
        return []
    return done.stdout.decode("ascii", "replace").split()


def parse_text(rel: str, text: str, kind: str) -> SourceFile | None:
    """``text`` read as the source file ``rel`` (``kind`` "document" or "form"), without the schema's
    findings; None when it cannot be read at all."""
    try:
        if kind == "document":
            front, first, body, body_line = split_front_matter(text)
            data, positions = load_yaml(front, line_offset=first - 1)
        else:
            data, positions = load_yaml(text)
            body, body_line = "", 1
    except (SourceError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    blocks = body_mod.parse(body, body_line) if kind == "document" else []
    return SourceFile(rel, data, positions, hashlib.sha256(text.encode("utf-8")).hexdigest(), body, body_line, blocks)
