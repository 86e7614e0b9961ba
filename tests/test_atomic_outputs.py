"""Atomic outputs (generator/common/outputs.py), with real processes killed at real moments.

- A folder swapped in by ``atomic_dir`` is never missing: with the atomic exchange (Linux
  ``renameat2``) a kill leaves the old or the new folder, whole; with the two-rename fallback a kill
  may leave it moved aside, and the next run puts it back (``repair_swap``).
- ``output_transaction``: what a build writes waits beside its place and is renamed in at the end,
  after a journal; a kill during those renames is finished by the next run (``finish_commit``), so
  files of two versions are never left side by side.
- ``clean_up`` removes what killed builds left, in the build's own folders only.

The child processes are plain scripts over the module's public functions; where a kill must land at
one exact step, the child wraps ``os.rename``/``os.replace`` itself (a test-side patch in the child,
nothing in the product).
"""
from __future__ import annotations

import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from generator.common import outputs
from generator.common.lock import build_lock

PAGES = 150  # files in each version of the folder
DOCS = 120  # files a transaction writes


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def start(script: str, *args) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", script, *map(str, args)], env=child_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    assert line == "ready", proc.stderr.read()
    return proc


def run_to_end(script: str, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", script, *map(str, args)], env=child_env(),
                          capture_output=True, text=True, timeout=120)


def kill(proc: subprocess.Popen, delay: float) -> None:
    try:
        proc.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()


RECOVER = r"""
import sys
import time
from pathlib import Path
from generator.common.lock import build_lock
from generator.common.outputs import clean_up
root = Path(sys.argv[1])
with build_lock(root):
    clean_up(root)
"""


def recover(root: Path) -> None:
    """What the next build does first, in a process of its own: under the lock, ``clean_up``.
    The lock must be free: nothing of a killed process may still hold it."""
    env = child_env() | {"MANUAL_LOCK_WAIT": "20"}
    result = subprocess.run([sys.executable, "-c", RECOVER, str(root)], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def leftovers(root: Path) -> list[str]:
    """Temporary names anywhere under ``root`` (and the journal)."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            if outputs.TEMP_NAME.match(name) or outputs.OLD_NAME.match(name) or name == "outputs.journal":
                found.append(os.path.relpath(os.path.join(folder, name), root))
    return sorted(found)


# -- one folder swapped in, again and again ------------------------------------------------------------
def write_version(folder: Path, version: int) -> None:
    for i in range(PAGES):
        (folder / f"page{i:03d}.html").write_text(f"version {version}\n" * 40, encoding="utf-8")
    (folder / "version").write_text(str(version), encoding="utf-8")


def complete_version(site: Path) -> int:
    """The version ``site`` holds, asserting that it holds all of it and nothing of another one."""
    assert site.is_dir(), f"{site} is missing"
    version = int((site / "version").read_text(encoding="utf-8"))
    names = sorted(p.name for p in site.iterdir())
    assert names == sorted([f"page{i:03d}.html" for i in range(PAGES)] + ["version"])
    for i in range(PAGES):
        assert (site / f"page{i:03d}.html").read_text(encoding="utf-8") == f"version {version}\n" * 40
    return version


SWAP_LOOP = r"""
import sys
import time
from pathlib import Path
from generator.common import outputs
site, mode, pages = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
if mode == "renames":  # a system or file system without the atomic exchange
    outputs.exchange = lambda a, b: False
version = int((site / "version").read_text())
print("ready", flush=True)
while True:
    version += 1
    with outputs.atomic_dir(site) as tmp:
        for i in range(pages):
            (tmp / f"page{i:03d}.html").write_text(f"version {version}\n" * 40, encoding="utf-8")
        (tmp / "version").write_text(str(version), encoding="utf-8")
"""


def new_site(tmp_path: Path) -> Path:
    root = tmp_path / "m"
    root.mkdir()
    with outputs.atomic_dir(root / "site") as tmp:
        write_version(tmp, 0)
    return root


def test_the_exchange_works_here(tmp_path):
    """The machine the tests run on has the atomic exchange (else the tests below test the fallback)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    (tmp_path / "b").write_text("b")
    assert outputs.exchange(tmp_path / "a", tmp_path / "b")
    assert (tmp_path / "a").read_text() == "b" and (tmp_path / "b" / "x").read_text() == "a"


def test_a_killed_swap_never_leaves_the_site_missing(tmp_path):
    root = new_site(tmp_path)
    site = root / "site"
    rng = random.Random(22)
    seen = set()
    for _ in range(16):
        before = complete_version(site)
        proc = start(SWAP_LOOP, site, "exchange", PAGES)
        kill(proc, rng.uniform(0.02, 0.5))
        now = complete_version(site)  # right after the kill, before anything repairs it
        assert now >= before
        seen.add(now)
        recover(root)
        assert complete_version(site) == now
        assert leftovers(root) == []
    assert len(seen) > 1  # the swaps did happen between the kills


def test_with_two_renames_a_killed_swap_is_put_right_by_the_next_run(tmp_path):
    root = new_site(tmp_path)
    site = root / "site"
    rng = random.Random(9)
    for _ in range(12):
        before = complete_version(site)
        proc = start(SWAP_LOOP, site, "renames", PAGES)
        kill(proc, rng.uniform(0.02, 0.5))
        recover(root)
        assert complete_version(site) >= before
        assert leftovers(root) == []


KILL_AT = r"""
import os, signal, sys
from pathlib import Path
from generator.common import outputs
site, step = Path(sys.argv[1]), sys.argv[2]
if step == "between-renames":  # the fallback, killed after the old folder was moved aside
    outputs.exchange = lambda a, b: False
    real = os.rename
    def rename(a, b):
        real(a, b)
        if Path(b).name == ".site.old":
            os.kill(os.getpid(), signal.SIGKILL)
    os.rename = rename
else:  # "after-exchange": swapped, killed before the old folder is removed
    def remove(path):
        os.kill(os.getpid(), signal.SIGKILL)
    outputs._remove = remove
print("ready", flush=True)
with outputs.atomic_dir(site) as tmp:
    for i in range(int(sys.argv[3])):
        (tmp / f"page{i:03d}.html").write_text("version 1\n" * 40, encoding="utf-8")
    (tmp / "version").write_text("1", encoding="utf-8")
"""


def test_killed_between_the_two_renames_the_old_site_comes_back(tmp_path):
    root = new_site(tmp_path)
    proc = start(KILL_AT, root / "site", "between-renames", PAGES)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert not (root / "site").exists() and (root / ".site.old").is_dir()  # what the fallback risks
    recover(root)
    assert complete_version(root / "site") == 0
    assert leftovers(root) == []


def test_killed_after_the_exchange_the_new_site_stays_and_the_old_is_swept(tmp_path):
    root = new_site(tmp_path)
    proc = start(KILL_AT, root / "site", "after-exchange", PAGES)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    assert complete_version(root / "site") == 1
    assert len(leftovers(root)) == 1  # the old site, under the temporary name
    recover(root)
    assert complete_version(root / "site") == 1
    assert leftovers(root) == []


# -- a transaction: many files and the site, committed together --------------------------------------
TX_LOOP = r"""
import os, signal, sys
from pathlib import Path
from generator.common import outputs
root, docs, pages = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
kill_after = int(sys.argv[4]) if len(sys.argv) > 4 else None
dist, site = root / "dist", root / "site"
if kill_after is not None:  # kill after that many renames of the commit (0: right after the exchange)
    journal, real, done = root / outputs.JOURNAL, os.replace, [0]
    def replace(a, b):
        real(a, b)
        if Path(b) != journal and journal.exists():
            done[0] += 1
            if done[0] == kill_after:
                os.kill(os.getpid(), signal.SIGKILL)
    os.replace = replace
    if kill_after == 0:
        outputs._remove = lambda path: os.kill(os.getpid(), signal.SIGKILL)
version = int((site / "version").read_text())
print("ready", flush=True)
while True:
    version += 1
    with outputs.output_transaction(root, (dist, site)):
        for i in range(docs):
            outputs.atomic_write_bytes(dist / "documents" / f"{i:03d}.pdf", f"version {version}\n".encode() * 40)
        if version % 2:
            outputs.remove_output(dist / "odd.pdf")
        else:
            outputs.atomic_write_bytes(dist / "odd.pdf", f"version {version}\n".encode())
        with outputs.atomic_dir(site) as tmp:
            for i in range(pages):
                (tmp / f"page{i:03d}.html").write_text(f"version {version}\n" * 40, encoding="utf-8")
            (tmp / "version").write_text(str(version), encoding="utf-8")
"""


def new_outputs(tmp_path: Path) -> Path:
    root = new_site(tmp_path)
    with outputs.output_transaction(root, (root / "dist", root / "site")):
        for i in range(DOCS):
            outputs.atomic_write_bytes(root / "dist" / "documents" / f"{i:03d}.pdf", b"version 0\n" * 40)
        outputs.atomic_write_bytes(root / "dist" / "odd.pdf", b"version 0\n")
    return root


def one_version(root: Path) -> int:
    """The version of every output under ``root``, asserting that they are all the same one."""
    version = complete_version(root / "site")
    for i in range(DOCS):
        assert (root / "dist" / "documents" / f"{i:03d}.pdf").read_bytes() == f"version {version}\n".encode() * 40
    odd = root / "dist" / "odd.pdf"
    if version % 2:
        assert not odd.exists()
    else:
        assert odd.read_bytes() == f"version {version}\n".encode()
    return version


def test_a_failed_transaction_leaves_every_output_as_it_was(tmp_path):
    root = new_outputs(tmp_path)
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError):
        with outputs.output_transaction(root, (root / "dist", root / "site")):
            outputs.atomic_write_bytes(root / "dist" / "documents" / "000.pdf", b"new")
            outputs.atomic_write_bytes(root / "dist" / "documents" / "new.pdf", b"new")
            outputs.remove_output(root / "dist" / "odd.pdf")
            with outputs.atomic_dir(root / "site") as tmp:
                write_version(tmp, 1)
            assert outputs.pending(root / "dist" / "odd.pdf") is None
            assert outputs.pending(root / "dist" / "documents" / "new.pdf").read_bytes() == b"new"
            assert (root / "dist" / "odd.pdf").exists() and complete_version(root / "site") == 0
            raise RuntimeError("the last target failed")
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before
    assert leftovers(root) == []


def test_a_killed_transaction_leaves_one_version_once_recovered(tmp_path):
    root = new_outputs(tmp_path)
    rng = random.Random(5)
    seen = set()
    for _ in range(16):
        before = one_version(root)
        proc = start(TX_LOOP, root, DOCS, PAGES)
        kill(proc, rng.uniform(0.05, 0.8))
        complete_version(root / "site")  # the site is there even before the recovery
        recover(root)
        now = one_version(root)
        assert now >= before
        seen.add(now)
        assert leftovers(root) == []
    assert len(seen) > 1


@pytest.mark.parametrize("kill_after", [1, DOCS // 2, DOCS, 0])
def test_a_commit_killed_half_way_is_finished_by_the_next_run(tmp_path, kill_after):
    """Killed after 1, half, all of the file renames (the site not yet swapped), or right after the
    site's exchange: the next run rolls forward to the new version, never back to a mix."""
    root = new_outputs(tmp_path)
    proc = start(TX_LOOP, root, DOCS, PAGES, kill_after)
    assert proc.wait(timeout=60) == -signal.SIGKILL
    proc.stdout.close()
    proc.stderr.close()
    assert (root / outputs.JOURNAL).is_file()
    recover(root)
    assert one_version(root) == 1
    assert leftovers(root) == []


# -- the sweep: its own folders, under the lock ----------------------------------------------------------
def plant(path: Path, folder: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if folder:
        path.mkdir()
        (path / "inner.txt").write_text("x")
    else:
        path.write_text("x")
    return path


def test_clean_up_sweeps_its_own_folders_only(tmp_path):
    root = tmp_path / "m"
    (root / "site").mkdir(parents=True)
    out = tmp_path / "elsewhere-out"
    swept = [
        plant(root / ".site.abcd_123.tmp", folder=True),
        plant(root / "dist" / ".manual.pdf.k2j4h5g6.tmp"),
        plant(root / "dist" / "documents" / ".0101-2020.pdf.x1y2z3w4.tmp"),
        plant(root / "dist" / "forms" / "filled" / "visit" / ".0001.pdf.q1w2e3r4.tmp"),
        plant(root / "dist" / "forms" / "filled" / ".visit.q1w2e3r4.tmp", folder=True),
        plant(root / "build" / ".site-src.abcdefgh.tmp", folder=True),
        plant(root / "build" / "editions-site" / ".2020.1.abcdefgh.tmp", folder=True),
        plant(root / ".cache" / "pdf" / ".0123456789abcdef.zzzzzzzz.tmp"),
        plant(root / ".cache" / ".pdf-out.abcdefgh.tmp", folder=True),
        plant(root / "editions" / ".2020.1.abcdefgh.tmp", folder=True),
        plant(out / ".manual.pdf.abcdefgh.tmp"),
    ]
    (swept[-2] / "inner.txt").chmod(0o444)  # an unfinished release: its files are read-only
    old_site = plant(root / ".site.old", folder=True)  # the new site is in place: the old one goes
    moved = plant(root / "build" / ".site-src.old", folder=True)  # moved aside, the new one never put in
    kept = [
        plant(root / "policies" / ".0101-2020.md.abcdefgh.tmp"),  # the user's folders are not the build's
        plant(root / ".notes.abcdefgh.tmp"),  # at the manual's root only the site's own names go
        plant(root / ".config.old", folder=True),
        plant(root / "editions" / "2020.1" / "source" / ".x.abcdefgh.tmp"),  # inside an edition: never
        plant(root / "dist" / "keep.tmp"),  # not a temporary name of ours
        plant(tmp_path / ".site.abcdefgh.tmp"),  # outside the manual
    ]
    with build_lock(root):
        removed = outputs.clean_up(root, out)
    assert not [p for p in swept if os.path.lexists(p)]
    assert not old_site.exists()
    assert not moved.exists() and (root / "build" / "site-src" / "inner.txt").is_file()  # put back
    assert all(p.exists() for p in kept)
    assert set(swept) | {old_site, moved} == set(removed)


def test_a_build_waiting_for_the_lock_sweeps_nothing(tmp_path):
    from conftest import MINIMAL, copy_manual, run_cli

    root = copy_manual(MINIMAL, tmp_path / "m")
    temp = plant(root / "dist" / ".manual.pdf.abcdefgh.tmp")  # as if the holder were writing it
    with build_lock(root):
        result = run_cli("build", "site", "--root", root, env={"MANUAL_LOCK_WAIT": "0.5"})
        assert result.returncode == 2, result.stderr
        assert temp.exists()
    assert stat.S_ISREG(temp.stat().st_mode)


# -- a killed build's workers die with it (they would hold the build lock) ---------------------------
BUSY_POOL = r"""
import sys, time
from generator.publishers.render.pool import in_workers
def slow(item):
    time.sleep(60)
    return item
print("ready", flush=True)
for _ in in_workers(slow, range(4), jobs=2):
    pass
"""


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal is Linux's")
def test_rendering_workers_die_with_a_killed_build(tmp_path):
    """Busy workers of a killed build used to run on, and then wait for work for ever, holding the
    build lock they inherited: no build could run again."""
    proc = start(BUSY_POOL)
    deadline = time.monotonic() + 30
    while len(workers := children_of(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers) >= 2
    time.sleep(0.5)  # they are inside the task now
    kill(proc, 0)
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == []
