"""engines.release_memory: what the rendering workers call after every file they make.

The effect on a whole build is measured by the benchmark (``bench/run.py --scale 2000``), not
here.  This checks the mechanism on this machine's C library: memory freed in the middle of the
heap (kept by glibc, so the process stays large) is handed back to the system.
"""
from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap

import pytest

from generator.common.engines import release_memory

SCRIPT = textwrap.dedent("""
    import sys
    from generator.common.engines import release_memory

    def rss_mb():
        with open("/proc/self/status") as fh:
            return int(fh.read().split("VmRSS:")[1].split()[0]) // 1024

    # 200 MB in 2 KB blocks (glibc's heap, not mmap); every 64th block stays alive, so the heap
    # cannot shrink from its top and the freed blocks between the live ones stay in the process.
    blocks = [bytes(2048) for _ in range(100_000)]
    keep = blocks[::64]
    del blocks
    before = rss_mb()
    if sys.argv[1] == "release":
        release_memory()
    print(before, rss_mb())
""")


def _run(mode: str) -> tuple[int, int]:
    out = subprocess.run([sys.executable, "-c", SCRIPT, mode], capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    return before, after


@pytest.mark.skipif(not sys.platform.startswith("linux") or "libc" not in (ctypes.util.find_library("c") or ""),
                    reason="glibc's malloc_trim")
def test_freed_heap_goes_back_to_the_system():
    before, after = _run("keep")
    assert before > 150 and after > 150  # without it, the freed 200 MB stay in the process
    before, after = _run("release")
    assert before > 150 and after < before / 3, (before, after)


def test_release_memory_collects_cycles():
    import gc
    import weakref

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    ref = weakref.ref(a)
    del a, b
    gc.disable()
    try:
        release_memory()
    finally:
        gc.enable()
    assert ref() is None
