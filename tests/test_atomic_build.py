"""``manual build`` puts its outputs in place all together, with the real engines and real kills.

Two sources, A and B (they differ in the company's name, which every output prints).  Whatever
happens to a build, dist/ and site/ afterwards hold exactly A's outputs or exactly B's, never some
of each: a target that fails after others rendered changes nothing; a build killed at any moment
leaves site/ in place, and once the next run has put right what the kill left (finishing an
interrupted commit, sweeping temporary files), every file is of one source.  The temporary names a
killed build leaves are git-ignored in a manual made by ``manual init``.
"""
from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, copy_manual, run_cli
from test_atomic_outputs import child_env, kill, leftovers, recover

pytestmark = pytest.mark.slow

COMPANY = {"A": "示例电子有限公司", "B": "示例电子有限公司乙"}


def set_source(root: Path, variant: str) -> None:
    path = root / "manual" / "manual.yaml"
    text = path.read_text(encoding="utf-8")
    for name in COMPANY.values():
        text = text.replace(f"name: {name}\n", "name: {company}\n")
    path.write_text(text.replace("{company}", COMPANY[variant]), encoding="utf-8")


def snapshot(root: Path) -> dict[str, str]:
    """Every file of dist/ and site/: path → SHA-256."""
    out = {}
    for top in ("dist", "site"):
        for path in sorted((root / top).rglob("*")):
            if path.is_file():
                out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def build(root: Path, *args) -> subprocess.CompletedProcess:
    result = run_cli("build", "--root", root, "--quiet", *args)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A manual built from A, then from B (left at B), with both snapshots and a build's duration."""
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("atomic") / "m")
    set_source(root, "A")
    build(root)
    refs = {"A": snapshot(root)}
    set_source(root, "B")
    started = time.monotonic()
    build(root)
    duration = time.monotonic() - started
    refs["B"] = snapshot(root)
    changed = [p for p in refs["A"] if refs["A"][p] != refs["B"].get(p)]
    assert any(p.startswith("dist/") for p in changed) and any(p.startswith("site/") for p in changed)
    return {"root": root, "refs": refs, "duration": duration}


def copy_built(built, tmp_path: Path) -> Path:
    root = tmp_path / "m"
    shutil.copytree(built["root"], root, symlinks=True)
    return root


def test_a_target_failing_after_others_rendered_leaves_dist_and_site_as_they_were(built, tmp_path):
    root = copy_built(built, tmp_path)
    assert snapshot(root) == built["refs"]["B"]
    set_source(root, "A")
    (root / "mkdocs.yml").write_text("theme:\n  name: no-such-theme\n", encoding="utf-8")  # the site fails
    result = run_cli("build", "--root", root, "--lang", "en")
    assert result.returncode == 2
    assert "MkDocs could not build the site" in result.stderr and "Traceback" not in result.stderr
    # The forms, the PDFs and the DOCX files of source A were rendered before the site failed …
    lines = result.stderr.splitlines()
    assert any(line.startswith("pdf: ") for line in lines) and any(line.startswith("docx: ") for line in lines)
    # … and none of them replaced B's: dist/ and site/ are exactly as they were, with no temporary file.
    assert snapshot(root) == built["refs"]["B"]
    assert leftovers(root) == []
    (root / "mkdocs.yml").unlink()
    build(root)
    assert snapshot(root) == built["refs"]["A"]


def test_builds_killed_at_any_moment_leave_the_outputs_of_one_source(built, tmp_path):
    root = copy_built(built, tmp_path)
    rng = random.Random(22)
    runs = 6
    variant = "B"
    for i in range(runs):
        variant = "A" if variant == "B" else "B"
        set_source(root, variant)
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--quiet"],
                                env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        kill(proc, built["duration"] * (0.1 + (i + rng.random()) / runs))
        assert survivors(root) == []  # its rendering workers died with it (they would hold the lock)
        assert (root / "site" / "index.html").is_file()  # never missing, even before the next run
        if i == runs - 1:
            break  # the last one is put right by a real build
        recover(root)
        assert snapshot(root) in (built["refs"]["A"], built["refs"]["B"])
        assert leftovers(root) == []
    build(root)
    assert snapshot(root) == built["refs"][variant]
    assert leftovers(root) == []


def survivors(root: Path, wait: float = 5.0) -> list[int]:
    """Processes still running a command on ``root`` after it was killed (killed here if any)."""
    deadline = time.monotonic() + wait
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != os.getpid():
                try:
                    cmdline = (entry / "cmdline").read_bytes().split(b"\0")
                    state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                except OSError:
                    continue
                if os.fsencode(root) in cmdline and state != "Z":
                    found.append(int(entry.name))
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    for pid in found:  # the test's own children's children: do not leave them behind
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return found


def git(root: Path, *args) -> str:
    result = subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_a_killed_build_leaves_is_git_ignored(tmp_path):
    result = run_cli("init", "demo", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    root = tmp_path / "demo"
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    for delay in (1.5, 3.0, 4.5):
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "--root", str(root), "--quiet"],
                                env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        kill(proc, delay)
        assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    # Every temporary name, wherever a killed command leaves it: beside site/, in editions/, a
    # half-swapped site, and a source file's temporary (a killed `manual approve`).
    (root / ".site.abcdefgh.tmp").mkdir()
    (root / ".site.abcdefgh.tmp" / "index.html").write_text("x")
    (root / ".site.old").mkdir()
    (root / ".site.old" / "index.html").write_text("x")
    (root / "editions" / ".2020.1.abcdefgh.tmp").mkdir(parents=True)
    (root / "editions" / ".2020.1.abcdefgh.tmp" / "manifest.json").write_text("{}")
    policy = next((root / "policies").glob("*.md"))
    (policy.parent / f".{policy.name}.abcdefgh.tmp").write_text("x")
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
