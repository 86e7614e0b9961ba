"""Incremental builds: the content-hash cache (generator/publishers/render/cache.py) with the real engines.

One module-scoped sequence on a copy of the minimal manual, through the ``manual``
command (in-process, so that the cache's hit counts can be read):

A. a cold build of forms, pdf and docx;
B. the same build again: everything from the cache, no file rewritten;
C. one document edited: only that document and the whole manual are rendered again;
D. ``--no-cache`` into another folder: everything rendered, the cache untouched,
   and the bytes equal to C's (the cache never changes an output);
E. two corrupt cache entries: ignored, rendered again, repaired.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, copy_manual

from generator.publishers.render import cache as cache_mod
from generator.cli import main
from generator.publishers.docx import render as docx_pub
from generator.publishers.pdf import plan as pdf_plan
from generator.publishers.render import view as pm
from generator.model.build import read_manual

pytestmark = pytest.mark.slow

TARGETS = ("forms", "pdf", "docx")
EDITED = "0102-2020"
UNCHANGED = "0101-2020"


def snapshot(dist: Path) -> dict[str, tuple[str, int]]:
    """relative path → (sha256, mtime_ns) of every output file."""
    return {str(p.relative_to(dist)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(dist.rglob("*")) if p.is_file()}


def entries(root: Path) -> dict[str, bytes]:
    """The cache's entries: the files in its kinds' folders (not the build lock beside them)."""
    folder = root / cache_mod.CACHE_DIR
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.parent != folder}


def build(root: Path, *extra) -> dict:
    cache_mod.LAST_STATS.clear()
    assert main(["build", *TARGETS, "--root", str(root), "--quiet", *map(str, extra)]) == 0
    return {kind: dict(stats) for kind, stats in cache_mod.LAST_STATS.items()}


def edit_document(root: Path) -> None:
    path = root / "policies" / f"{EDITED}.md"
    text = path.read_text(encoding="utf-8")
    assert "\n1. " in text
    path.write_text(text.replace("\n1. ", "\n1. （本条已修订）", 1), encoding="utf-8")


def pdf_entry(root: Path, code: str) -> Path:
    manual, _ = read_manual(root)
    key = pdf_plan.plan_key(pdf_plan.document_plan(manual, manual.document(code), "zh-CN"), "zh-CN")
    return root / cache_mod.CACHE_DIR / "pdf" / f"{key}.bin"


def docx_entry(root: Path, code: str) -> Path:
    manual, _ = read_manual(root)
    key = docx_pub.document_key(manual, manual.document(code), "zh-CN")
    return root / cache_mod.CACHE_DIR / "docx" / f"{key}.bin"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("incremental") / "minimal")
    dist = root / "dist"
    r = {"root": root}
    r["stats_a"] = build(root)
    r["snap_a"] = snapshot(dist)
    r["stats_b"] = build(root)
    r["snap_b"] = snapshot(dist)
    edit_document(root)
    r["stats_c"] = build(root)
    r["snap_c"] = snapshot(dist)
    r["entries_c"] = entries(root)
    r["stats_d"] = build(root, "--no-cache", "--out", root / "fresh")
    r["snap_d"] = snapshot(root / "fresh")
    r["entries_d"] = entries(root)
    for entry in (pdf_entry(root, UNCHANGED), docx_entry(root, UNCHANGED)):
        data = bytearray(entry.read_bytes())
        data[-10] ^= 0xFF  # one flipped byte in the payload
        entry.write_bytes(bytes(data))
    truncated = pdf_entry(root, EDITED)
    truncated.write_bytes(truncated.read_bytes()[:100])  # a torn write
    r["stats_e"] = build(root)
    r["snap_e"] = snapshot(dist)
    return r


def test_cold_build_renders_everything_and_fills_the_cache(run):
    a = run["stats_a"]
    assert a["pdf"]["hits"] == 0 and a["pdf"]["misses"] == 3  # manual + two documents
    assert a["docx"]["hits"] == 0 and a["docx"]["misses"] == 3
    assert a["forms"]["hits"] == 0
    cached = entries(run["root"])
    assert sum(k.startswith("pdf/") for k in cached) == 3
    assert sum(k.startswith("docx/") for k in cached) == 3
    assert sum(k.startswith("forms/") for k in cached) == 3  # one form: pdf, docx, html


def test_unchanged_rebuild_takes_everything_from_the_cache_and_rewrites_nothing(run):
    b = run["stats_b"]
    assert b["pdf"]["hits"] == 3 and b["pdf"]["misses"] == 0
    assert b["docx"]["hits"] == 3 and b["docx"]["misses"] == 0
    assert b["forms"]["hits"] == 3 and b["forms"]["misses"] == 0
    assert run["snap_b"] == run["snap_a"]  # same bytes and the same mtimes: no file was rewritten


def test_after_editing_one_document_only_it_and_the_whole_manual_are_rendered(run):
    c = run["stats_c"]
    assert (c["pdf"]["hits"], c["pdf"]["misses"]) == (1, 2)  # 0101 from the cache; 0102 and manual.pdf new
    assert (c["docx"]["hits"], c["docx"]["misses"]) == (1, 2)
    assert (c["forms"]["hits"], c["forms"]["misses"]) == (3, 0)
    a, after = run["snap_a"], run["snap_c"]
    for name in (f"documents/{UNCHANGED}.pdf", f"documents/{UNCHANGED}.docx", "forms/visit-record.pdf"):
        assert after[name] == a[name], name  # not even rewritten
    for name in (f"documents/{EDITED}.pdf", f"documents/{EDITED}.docx", "manual.pdf", "manual.docx"):
        assert after[name][0] != a[name][0], name


def test_the_edit_is_in_the_outputs(run):
    import docx
    import pypdf

    dist = run["root"] / "dist"
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(dist / "documents" / f"{EDITED}.pdf")).pages)
    assert "本条已修订" in text
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(dist / "manual.pdf")).pages)
    assert "本条已修订" in text
    paragraphs = [p.text for p in docx.Document(str(dist / "manual.docx")).paragraphs]
    assert any("本条已修订" in t for t in paragraphs)


def test_the_cache_keeps_only_the_last_builds_entries(run):
    kinds = {}
    for name in run["entries_c"]:
        kinds.setdefault(name.split("/")[0], []).append(name)
    assert {k: len(v) for k, v in kinds.items() if k != "pdf-parts"} == {"pdf": 3, "docx": 3, "forms": 3,
                                                                         "register": 1}
    assert not [n for n in run["entries_c"] if n.endswith(".tmp")]
    # PDF parts: exactly the current documents', forms', cover's … parts, plus each joined PDF's record of
    # the contents and footer pages it was made with, and those pages; the edited document's old part is gone.
    manual, _ = read_manual(run["root"])
    plans = [pdf_plan.manual_plan(manual, "zh-CN")] + [pdf_plan.document_plan(manual, d, "zh-CN")
                                                      for d in pm.print_documents(manual)]
    expected = {p.key for plan in plans for p in plan.parts}
    for plan in plans:
        record = "deps-" + pdf_plan.plan_key(plan, "zh-CN")
        expected.add(record)
        expected.update(json.loads(run["entries_c"][f"pdf-parts/{record}.bin"].partition(b"\n")[2]))
    assert {n.split("/", 1)[1][:-len(".bin")] for n in kinds["pdf-parts"]} == expected


def test_no_cache_renders_everything_and_leaves_the_cache_alone(run):
    d = run["stats_d"]
    for kind in ("pdf", "docx"):
        assert d[kind]["hits"] == 0 and d[kind]["misses"] == 3, kind
    assert d["forms"]["hits"] == 0
    assert run["entries_d"] == run["entries_c"]


def test_outputs_from_the_cache_equal_a_build_without_it(run):
    cached = {name: sha for name, (sha, _) in run["snap_c"].items()}
    fresh = {name: sha for name, (sha, _) in run["snap_d"].items()}
    assert cached == fresh and len(fresh) == 10  # 3 PDF, 3 DOCX, register.pdf, 3 form files


def test_a_corrupt_cache_entry_is_ignored_rendered_again_and_repaired(run):
    e = run["stats_e"]
    assert e["pdf"]["corrupt"] == 2 and e["pdf"]["hits"] == 1  # the whole manual's entry was intact
    assert e["docx"]["corrupt"] == 1 and e["docx"]["hits"] == 2
    fresh = {name: sha for name, (sha, _) in run["snap_d"].items()}
    assert {name: sha for name, (sha, _) in run["snap_e"].items()} == fresh
    for entry in (pdf_entry(run["root"], UNCHANGED), pdf_entry(run["root"], EDITED),
                  docx_entry(run["root"], UNCHANGED)):
        store = cache_mod.BuildCache(run["root"], entry.parent.name)
        assert store.get(entry.stem) is not None  # rewritten whole


# -- the store on its own ------------------------------------------------------------------------------------
def test_store_round_trip_and_refusals(tmp_path):
    store = cache_mod.BuildCache(tmp_path, "pdf")
    key = cache_mod.digest("x", b"\x00\x01", {"a": [1, 2]})
    assert store.get(key) is None
    store.put(key, b"%PDF-1.7 payload\n\x00")
    assert store.get(key) == b"%PDF-1.7 payload\n\x00"
    path = tmp_path / ".cache" / "pdf" / f"{key}.bin"
    path.write_bytes(b"not a cache entry")
    assert store.get(key) is None and not path.exists()
    assert store.stats["corrupt"] == 1
    off = cache_mod.BuildCache(tmp_path, "docx", enabled=False)
    off.put(key, b"data")
    assert off.get(key) is None and not (tmp_path / ".cache" / "docx").exists()


def test_digest_parts_are_length_prefixed():
    assert cache_mod.digest("ab", "c") != cache_mod.digest("a", "bc")
    assert cache_mod.digest("1") != cache_mod.digest(1) != cache_mod.digest(b"1")


def test_prune_keeps_what_the_build_used(tmp_path):
    old = cache_mod.BuildCache(tmp_path, "pdf")
    old.put("a" * 64, b"old")
    old.put("b" * 64, b"kept")
    folder = tmp_path / ".cache" / "pdf"
    (folder / ".old.tmp").write_bytes(b"left by an interrupted build")
    os.utime(folder / ".old.tmp", (time.time() - 7200,) * 2)
    (folder / ".young.tmp").write_bytes(b"another build is writing this one now")
    new = cache_mod.BuildCache(tmp_path, "pdf")
    assert new.get("b" * 64) == b"kept"
    assert new.prune() == 2
    assert sorted(p.name for p in folder.iterdir()) == [".young.tmp", "b" * 64 + ".bin"]


def test_jobs_must_be_at_least_one(minimal, capsys):
    assert main(["build", "pdf", "--root", str(minimal), "--jobs", "0"]) == 2
    assert "--jobs 0" in capsys.readouterr().err
    assert not (minimal / "dist").exists()
