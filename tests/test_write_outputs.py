"""printmodel.write_outputs: how the PDF and DOCX publishers hand their files to the disk.

No engine here: ``render_missing`` stands for the workers and yields bytes, in the order the
workers finish (not the targets' order).  What is checked is the writer's own contract: every
file lands at its own target, the cache is used and refilled, a cache entry that goes bad
between the look-up and the write is rendered again, and the rendered files wait on disk, not
in memory (a 2,000-document manual's files together are hundreds of megabytes).
"""
from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from generator.publishers.render.cache import BuildCache
from generator.publishers.render import view as pm

MB = 1024 * 1024


def blob(i: int, size: int = 64) -> bytes:
    unit = f"file {i};".encode()
    return (unit * (size // len(unit) + 1))[:size]


def setup(tmp_path: Path, n: int, *, cache: bool = True):
    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    out = root / "dist"
    targets = [pm.manual_output(out, "pdf")] + [out / pm.DOCUMENTS_DIR / f"{i:04d}.pdf" for i in range(1, n)]
    keys = [f"k{i}" for i in range(n)] if cache else [""] * n
    return BuildCache(root, "test", enabled=cache), out, targets, keys


def reversed_renderer(size: int = 64, calls: list | None = None):
    def render_missing(missing):
        if calls is not None:
            calls.append(list(missing))
        for i in reversed(missing):  # the last first: completion order, not target order
            yield i, blob(i, size)
    return render_missing


@pytest.mark.parametrize("cache", [True, False])
def test_each_file_lands_at_its_target_whatever_the_order(tmp_path, cache):
    store, out, targets, keys = setup(tmp_path, 6, cache=cache)
    written = pm.write_outputs(store, out, targets, keys, reversed_renderer(), ext="pdf", quiet=True, lang="zh-CN")
    assert written == targets
    for i, path in enumerate(targets):
        assert path.read_bytes() == blob(i)
    assert store.stats["misses"] == 6 and store.stats["hits"] == 0


def test_second_build_takes_everything_from_the_cache(tmp_path):
    store, out, targets, keys = setup(tmp_path, 5)
    pm.write_outputs(store, out, targets, keys, reversed_renderer(), ext="pdf", quiet=True, lang="zh-CN")
    calls: list = []
    store = BuildCache(tmp_path / "root", "test")
    pm.write_outputs(store, out, targets, keys, reversed_renderer(calls=calls), ext="pdf", quiet=True, lang="zh-CN")
    assert calls == []
    assert store.stats["hits"] == 5 and store.stats["misses"] == 0
    assert [p.read_bytes() for p in targets] == [blob(i) for i in range(5)]


def test_an_entry_that_goes_bad_before_its_write_is_rendered_again(tmp_path):
    store, out, targets, keys = setup(tmp_path, 4)
    pm.write_outputs(store, out, targets, keys, reversed_renderer(), ext="pdf", quiet=True, lang="zh-CN")
    keys = keys[:3] + ["k3-new"]  # document 3 changed: only it is missing
    store = BuildCache(tmp_path / "root", "test")
    calls: list = []

    def render_missing(missing):
        calls.append(list(missing))
        if missing == [3]:  # while it renders, someone damages document 1's entry
            path = store.folder / "k1.bin"
            path.write_bytes(path.read_bytes()[:-3] + b"xyz")
        for i in missing:
            yield i, blob(i) + b"!"

    pm.write_outputs(store, out, targets, keys, render_missing, ext="pdf", quiet=True, lang="zh-CN")
    assert calls == [[3], [1]]
    assert targets[1].read_bytes() == blob(1) + b"!" and targets[3].read_bytes() == blob(3) + b"!"
    assert targets[0].read_bytes() == blob(0)
    assert store.stats["corrupt"] == 1
    assert BuildCache(tmp_path / "root", "test").get("k1") == blob(1) + b"!"  # repaired


@pytest.mark.parametrize("cache", [True, False])
def test_rendered_files_wait_on_disk_not_in_memory(tmp_path, cache):
    """40 files of 2 MB: holding them would peak above 80 MB; one at a time stays near 2 × 2 MB."""
    store, out, targets, keys = setup(tmp_path, 40, cache=cache)
    renderer = reversed_renderer(size=2 * MB)
    tracemalloc.start()
    try:
        pm.write_outputs(store, out, targets, keys, renderer, ext="pdf", quiet=True, lang="zh-CN")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [p.stat().st_size for p in targets] == [2 * MB] * 40
    assert targets[7].read_bytes() == blob(7, 2 * MB)
    assert peak < 12 * MB, f"write_outputs held {peak / MB:.0f} MB"
