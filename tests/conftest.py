"""Shared helpers for the tests: the repo's paths, manual copies, the CLI."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
MINIMAL = FIXTURES / "minimal"
BROKEN = FIXTURES / "broken"
ARTIFACTS = REPO / "tests" / "artifacts"

SHIPPED_PARTS = ("manual", "policies", "forms", "mkdocs.yml")


def copy_manual(src: Path, dest: Path) -> Path:
    """Copy a manual's source folders (not outputs) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in SHIPPED_PARTS:
        p = src / part
        if p.is_dir():
            shutil.copytree(p, dest / part, dirs_exist_ok=True)
        elif p.is_file():
            shutil.copy2(p, dest / part)
    return dest


def overlay(case: Path, dest: Path) -> dict:
    """Lay a broken case's files over a manual; return its expect.yaml."""
    for path in case.rglob("*"):
        if path.is_file() and path.name != "expect.yaml":
            target = dest / path.relative_to(case)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))


def run_cli(*args, cwd=None, env=None, input=None, timeout=600):
    """Run ``python -m generator ARGS`` as a user would, in a subprocess."""
    full_env = dict(os.environ)
    full_env.setdefault("NO_MKDOCS_2_WARNING", "1")
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, input=input, timeout=timeout)


@pytest.fixture
def minimal(tmp_path) -> Path:
    return copy_manual(MINIMAL, tmp_path / "minimal")


@pytest.fixture
def shipped(tmp_path) -> Path:
    """A private copy of the shipped manual's sources."""
    return copy_manual(REPO, tmp_path / "shipped")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# What ``manual init`` leaves to the user as the placeholder 【待填写】 (generator.model.PLACEHOLDER), as a user
# fills it in: the company in manual/manual.yaml and the three sample signers' names everywhere.
FILLED_COMPANY = {"name": "东莞市示范电子有限公司", "short": "示范", "en": "Dongguan Shifan Electronics Co., Ltd."}
FILLED_NAMES = {"甲": "张明", "乙": "李华", "丙": "王强"}


def fill_placeholders(root: Path) -> Path:
    """Fill in a manual that ``manual init`` wrote, as its user would before ``check --strict`` or ``release``.

    The company's name, short and English name in manual/manual.yaml and the signers' names (【待填写】甲/乙/丙)
    in every source file are written; the company's name is part of what the cover's sign-off approved, so the
    cover is approved again (a user runs ``manual approve manual --step … --as ID``; here its fingerprints are
    written afresh, as ``manual init`` wrote them).
    """
    import re

    from generator.authoring.scaffold import add_fingerprints
    from generator.model import PLACEHOLDER

    config = root / "manual" / "manual.yaml"
    text = config.read_text(encoding="utf-8")
    for key, value in FILLED_COMPANY.items():
        text = re.sub(rf"^(  {key}: ){re.escape(PLACEHOLDER)}", rf"\g<1>{value}", text, count=1, flags=re.M)
    # the cover's sign-off: its old fingerprints (and the version 批准 recorded) go, new ones are written below
    text = re.sub(r'(, version: "[^"]*")?, fingerprint: sha256:[0-9a-f]{64}', "", text)
    config.write_text(text, encoding="utf-8")
    for path in [*root.glob("manual/*.yaml"), *root.glob("policies/*.md"), *root.glob("forms/*.yaml")]:
        text = path.read_text(encoding="utf-8")
        filled = re.sub(re.escape(PLACEHOLDER) + "([甲乙丙])", lambda m: FILLED_NAMES[m.group(1)], text)
        if filled != text:
            path.write_text(filled, encoding="utf-8")
    add_fingerprints(root)
    return root


def small_pdf(title: str) -> bytes:
    """A real one-page PDF (pypdf) whose bytes hold ``title``: a stand-in print output that the site can
    mark (the site refuses a download it cannot read)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def small_docx(text: str) -> bytes:
    """A real one-paragraph DOCX (python-docx): a stand-in print output."""
    import io

    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
