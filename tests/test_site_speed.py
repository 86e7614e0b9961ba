"""Faster site rebuilds (issue #10): the skipped MkDocs run and the accelerated one.

One module-scoped sequence on a copy of the minimal manual (plus two small stand-in
downloads in dist/), through ``site.build_site`` (real MkDocs builds):

A. a first build: MkDocs runs, the stamp is written;
B. the same build again: MkDocs is skipped, no file of site/ is touched;
C. one document edited: MkDocs runs, the page and the search index show the
   new text;
D. a plain ``--no-cache`` build of the same sources gives the same bytes as
   the accelerated one (jieba's split dictionary and memory, cached
   templates, the short theme listing change nothing);
E. a damaged or deleted site/ is built again, as are a changed download and a
   changed base config.

Separately: jieba through the accelerator segments exactly as jieba does on
its own (cold, from the split dictionary, from the memory, with damaged cache
files), and the command says when the site was unchanged.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, run_cli, small_docx, small_pdf
from generator.rules.check import check
from generator.publishers.site import render as site_mod
from generator.publishers.site import accel as site_accel

pytestmark = pytest.mark.slow

EDITED = "0101-2020"
NEW_TEXT = "本条已按新流程修订"


def _checked(root: Path):
    manual, findings = check(root)
    errors = [f for f in findings if f.severity == "error"]
    assert not errors, [f"{f.path}:{f.line} {f.rule} {f.message('en')}" for f in errors]
    return manual


def build(root: Path, **kw) -> dict:
    return site_mod.build_site(_checked(root), out=root / "dist", quiet=True, **kw)


def snapshot(site: Path) -> dict[str, tuple[int, int, str]]:
    """relative path → (inode, mtime_ns, sha256) of every file of the site."""
    out = {}
    for p in sorted(site.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(site).as_posix()] = (st.st_ino, st.st_mtime_ns,
                                                   hashlib.sha256(p.read_bytes()).hexdigest())
    return out


def contents(site: Path) -> dict[str, str]:
    return {k: v[2] for k, v in snapshot(site).items()}


def search_docs(site: Path) -> list[dict]:
    return json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]


def edit(root: Path) -> None:
    path = root / "policies" / f"{EDITED}.md"
    text = path.read_text(encoding="utf-8")
    assert "\n1. " in text
    path.write_text(text.replace("\n1. ", f"\n1. {NEW_TEXT}，", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def seq(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("site-speed") / "m")
    dist = root / "dist"
    dist.mkdir()
    (dist / "manual.pdf").write_bytes(small_pdf("manual, first"))
    (dist / "manual.docx").write_bytes(small_docx("manual"))
    r = {"root": root, "site": root / "site"}
    r["a"] = build(root)
    r["snap_a"] = snapshot(root / "site")
    r["site_ino_a"] = (root / "site").stat().st_ino
    r["b"] = build(root)
    r["snap_b"] = snapshot(root / "site")
    r["site_ino_b"] = (root / "site").stat().st_ino
    edit(root)
    r["c"] = build(root)
    r["snap_c"] = snapshot(root / "site")
    r["plain"] = build(root, cache=False, site_dir=root / "site-plain")
    r["snap_plain"] = snapshot(root / "site-plain")
    return r


def test_first_build_runs_mkdocs_and_writes_the_stamp(seq):
    assert seq["a"]["skipped"] is False
    stamp = json.loads((seq["root"] / ".cache/site/stamp.json").read_text(encoding="utf-8"))
    assert stamp["key"] and "index.html" in stamp["site"]
    assert (seq["site"] / "index.html").is_file()
    # What makes the next MkDocs run faster is kept under .cache/site/ too.
    cache = seq["root"] / ".cache/site"
    assert list((cache / "jieba").glob("dict-*.bin")) and list((cache / "jieba").glob("cuts-*.bin"))
    assert list((cache / "jinja").iterdir())


def test_unchanged_build_skips_mkdocs_and_leaves_the_site_untouched(seq):
    assert seq["b"]["skipped"] is True
    assert seq["b"]["warnings"] == seq["a"]["warnings"] == []
    assert seq["site_ino_b"] == seq["site_ino_a"]  # site/ was not swapped for a new folder
    assert seq["snap_b"] == seq["snap_a"]          # nor any file in it written: same inode, time, bytes


def test_edited_document_rebuilds_the_site_with_the_new_text(seq):
    assert seq["c"]["skipped"] is False
    page = (seq["site"] / f"documents/{EDITED}.html").read_text(encoding="utf-8")
    assert NEW_TEXT in page
    assert NEW_TEXT not in json.dumps(seq["snap_a"])  # (sanity: the text is new)
    docs = search_docs(seq["site"])
    entry = " ".join(d["title"] + " " + d["text"] for d in docs if d["location"].startswith(f"documents/{EDITED}"))
    assert "\u200b修订\u200b" in entry  # segmented by jieba, searchable in Chinese


def test_accelerated_build_equals_a_plain_build(seq):
    """Same pages, same complete search index: byte for byte what MkDocs makes without the accelerator."""
    accelerated = {k: v[2] for k, v in seq["snap_c"].items()}
    plain = {k: v[2] for k, v in seq["snap_plain"].items()}
    assert accelerated.keys() == plain.keys()
    assert [k for k in accelerated if accelerated[k] != plain[k]] == []
    # Every page is in the search index, with its Chinese segmented.
    pages = {k[:-len(".html")] for k in accelerated if k.endswith(".html") and k != "404.html"}
    indexed = {unquote(d["location"].split("#")[0]).removesuffix(".html") for d in search_docs(seq["site"])}
    indexed = {p or "index" for p in indexed}
    assert pages <= indexed


def test_no_cache_build_neither_reads_nor_writes_the_stamp(seq, tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    result = build(root, cache=False)
    assert result["skipped"] is False
    assert not (root / ".cache").exists()
    again = build(root, cache=False)
    assert again["skipped"] is False


def test_damaged_site_is_built_again(seq, tmp_path):
    root = tmp_path / "m"
    shutil.copytree(seq["root"], root, symlinks=True)
    shutil.rmtree(root / "site-plain")
    # The copy has new inodes and times: the first build here runs MkDocs, the second does not.
    assert build(root)["skipped"] is False
    assert build(root)["skipped"] is True
    good = contents(root / "site")
    page = root / "site" / f"documents/{EDITED}.html"
    # A page edited in place.
    page.write_text(page.read_text(encoding="utf-8").replace(NEW_TEXT, "篡改"), encoding="utf-8")
    assert build(root)["skipped"] is False
    assert contents(root / "site") == good
    # A file deleted.
    (root / "site/search/search_index.json").unlink()
    assert build(root)["skipped"] is False
    assert contents(root / "site") == good
    # The whole site deleted.
    shutil.rmtree(root / "site")
    assert build(root)["skipped"] is False
    assert contents(root / "site") == good
    # An extra file dropped into the site.
    (root / "site/stray.html").write_text("x", encoding="utf-8")
    assert build(root)["skipped"] is False
    assert not (root / "site/stray.html").exists()
    assert build(root)["skipped"] is True


def test_changed_download_or_base_config_rebuilds(seq, tmp_path):
    root = tmp_path / "m"
    shutil.copytree(seq["root"], root, symlinks=True)
    build(root)
    assert build(root)["skipped"] is True
    # A download rewritten with other bytes (same size, as a careful test would have it).
    old = (root / "dist/manual.pdf").read_bytes()
    new = old.replace(b"first", b"other")
    assert len(new) == len(old)
    (root / "dist/manual.pdf").write_bytes(new)
    assert build(root)["skipped"] is False
    assert (root / "site/downloads/manual.pdf").read_bytes().startswith(new)  # with the 非受控 mark appended
    assert (root / "dist/manual.pdf").read_bytes() == new  # the hard link in build/site-src changed nothing
    # The manual's own MkDocs config.
    base = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(base.replace("primary: indigo", "primary: red"), encoding="utf-8")
    assert build(root)["skipped"] is False
    assert 'data-md-color-primary="red"' in (root / "site/index.html").read_text(encoding="utf-8")
    assert build(root)["skipped"] is True


def test_cli_says_when_the_site_is_unchanged(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    first = run_cli("build", "site", "--root", root)
    assert first.returncode == 0, first.stderr
    assert "站点已生成" in first.stderr
    second = run_cli("build", "site", "--root", root)
    assert second.returncode == 0, second.stderr
    assert "站点未改变" in second.stderr and "站点已生成" not in second.stderr, second.stderr
    third = run_cli("build", "site", "--root", root, "--no-cache")
    assert third.returncode == 0 and "站点已生成" in third.stderr


# -- jieba through the accelerator ----------------------------------------------------------------------
def _sentences() -> list[str]:
    """Chinese runs of the shipped manual and the seed text: the kind of text the search plugin segments."""
    import re

    text = "".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "policies").glob("*.md")))
    seed = FIXTURES / "seed"
    text += "".join(p.read_text(encoding="utf-8") for p in sorted(seed.glob("*.txt"))) if seed.is_dir() else ""
    runs = sorted(set(re.findall(r"[\u4e00-\u9fff]+", text)))
    assert len(runs) > 300
    return runs


def _through_accelerator(folder: Path, sentences: list[str]) -> list[list[str]]:
    jieba = site_accel.import_jieba()
    with site_accel._jieba(folder):
        return [list(jieba.cut(s.encode("utf-8"))) for s in sentences]


def test_jieba_segments_as_jieba_does(tmp_path, monkeypatch):
    jieba = site_accel.import_jieba()
    sentences = _sentences()
    reference = jieba.Tokenizer()  # its own full dictionary, nothing shared with the default one
    expected = [list(reference.cut(s)) for s in sentences]
    freq, initialized = jieba.dt.FREQ, jieba.dt.initialized

    def fresh():
        monkeypatch.setattr(site_accel, "_DICTS", {})  # as in a new process

    fresh()
    assert _through_accelerator(tmp_path, sentences) == expected  # cold: no files yet
    folder = tmp_path / "jieba"
    assert [p.name[:5] for p in sorted(folder.iterdir())] == ["cuts-", "dict-"]
    (cuts,) = folder.glob("cuts-*.bin")
    cuts.unlink()
    fresh()
    assert _through_accelerator(tmp_path, sentences) == expected  # from the split dictionary
    fresh()
    assert _through_accelerator(tmp_path, sentences) == expected  # from the memory of the last build
    (dictionary,) = folder.glob("dict-*.bin")
    for damaged in (dictionary, cuts):
        damaged.write_bytes(damaged.read_bytes()[:-100] + b"\0" * 100)
    fresh()
    assert _through_accelerator(tmp_path, sentences) == expected  # damaged files: ignored, made again
    fresh()
    assert _through_accelerator(tmp_path, sentences[::7]) == expected[::7]
    # jieba itself is left as it was, and the memory holds the last build's sentences only.
    assert jieba.dt.FREQ is freq and jieba.dt.initialized == initialized
    assert jieba.cut == jieba.dt.cut  # the original, bound to the default tokenizer
    assert len(site_accel._read_cuts(cuts)) == len(sentences[::7])


def test_custom_jieba_dictionary_is_left_to_jieba(tmp_path):
    """With a user dictionary in the search settings the accelerator keeps out of jieba's way."""
    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "words.txt").write_text("客户回访 100 n\n", encoding="utf-8")
    base = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert "lang: [en, zh]" in base
    base = base.replace("lang: [en, zh]", f"lang: [en, zh]\n      jieba_dict_user: {root / 'words.txt'}")
    (root / "mkdocs.yml").write_text(base, encoding="utf-8")
    jieba = site_accel.import_jieba()
    saved = (jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized)
    try:
        build(root)
        docs = search_docs(root / "site")
        assert any("\u200b客户回访\u200b" in d["title"] + d["text"] for d in docs)
        assert not (root / ".cache/site/jieba").exists()
    finally:  # the user dictionary went into jieba's default tokenizer: give later tests a clean one
        jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = saved
        jieba.dt.user_word_tag_tab.clear()


def test_theme_listing_skips_dot_folders_only_when_the_filter_drops_them(tmp_path):
    import jinja2

    for rel in ("a.css", "sub/b.js", ".icons/x/y.svg", "sub/.hidden/c.css", "base.html"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)))
    full = env.list_templates
    site_accel._quick_listing(env)

    def mkdocs_like(name):  # MkDocs' own filter drops dot files and folders at any level
        import fnmatch

        return not any(fnmatch.fnmatch(name.lower(), p) for p in (".*", "*/.*", "*.html"))

    assert env.list_templates(filter_func=mkdocs_like) == full(filter_func=mkdocs_like) == ["a.css", "sub/b.js"]

    def keep_all(name):
        return True

    assert env.list_templates(filter_func=keep_all) == full(filter_func=keep_all)
    assert ".icons/x/y.svg" in env.list_templates(filter_func=keep_all)
    assert env.list_templates() == full()


# -- the site model without quadratic work ----------------------------------------------------------------
def _site_fixture(dest: Path) -> Path:
    copy_manual(MINIMAL, dest)
    overlay = FIXTURES / "site"
    for path in overlay.rglob("*"):
        if path.is_file() and path.name != "README.md":
            target = dest / path.relative_to(overlay)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return dest
