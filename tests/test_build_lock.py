"""One build at a time per manual (generator/common/lock.py), with real processes."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import MINIMAL, copy_manual, run_cli
from generator.common.lock import build_lock
from generator.errors import LockBusy


def test_a_second_build_reports_the_running_one_and_writes_nothing(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    with build_lock(root):
        result = run_cli("build", "site", "--root", root, env={"MANUAL_LOCK_WAIT": "1"})
        assert result.returncode == 2, result.stderr
        assert f"另一个构建正在进行（PID {os.getpid()}）" in result.stderr
        assert "Traceback" not in result.stderr
        assert not (root / "site").exists()
    result = run_cli("build", "site", "--root", root, env={"MANUAL_LOCK_WAIT": "1"})
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "index.html").is_file()


def test_a_waiting_build_goes_on_when_the_first_is_done(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from generator.common.lock import build_lock\n"
        "with build_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(2)\n"), str(root)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    started = time.monotonic()
    result = run_cli("build", "site", "--root", root, "--lang", "en")
    holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    assert f"another build is running (PID {holder.pid}); waiting" in result.stderr
    assert time.monotonic() - started >= 1


def test_a_lock_left_by_a_killed_process_is_taken_over(tmp_path):
    root = tmp_path / "m"
    root.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from generator.common.lock import build_lock\n"
        "with build_lock(sys.argv[1]):\n    print('held', flush=True); time.sleep(60)\n"), str(root)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=30)
    with build_lock(root, wait=1):  # the dead holder's pid is still in the file; the lock is free
        assert (root / ".cache" / "build.lock").read_text() == str(os.getpid())


def test_the_lock_times_out_with_a_located_error(tmp_path):
    with build_lock(tmp_path):
        try:
            with build_lock(tmp_path, wait=0.3):
                raise AssertionError("the lock was taken twice")
        except LockBusy as exc:
            assert str(os.getpid()) in exc.text("en")
