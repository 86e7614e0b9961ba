"""Faster MkDocs builds of the staff website, same output.

A profile of ``mkdocs build`` on the generated sources of the shipped manual
shows where the time goes besides MkDocs' own work:

* **jieba**, which Material's search plugin calls to segment the Chinese text
  of every section at build time, loads its whole dictionary (half a million
  entries) on the first call, with ``marshal.load`` on a file object, which is
  several times slower than ``marshal.loads`` on the file's bytes;
* **Jinja** compiles the Material theme's templates again in every build;
* MkDocs lists every file of the theme to find its static files, Material's
  14,000 icons in ``.icons/`` included, and then drops every path with a
  dot-folder in it;
* ``import jieba`` imports ``pkg_resources`` (0.3–0.7 s), only to open its
  dictionary file, which it also does without it.

``accelerated(cache_dir, config)`` is a context manager around one MkDocs
build that keeps, under ``cache_dir`` (``<root>/.cache/site/``):

* ``jieba/dict-<id>.bin``: jieba's dictionary split by first character.  A
  sentence only ever looks up words that start with one of its own
  characters, so before jieba segments a sentence the entries for its
  characters are loaded (once) into jieba's dictionary, which is otherwise
  left empty: the same words, the same frequencies, the same total, hence the
  same segmentation, without loading the entries no sentence needs;
* ``jieba/cuts-<id>.bin``: the segmentation of every sentence of the last
  build.  A sentence seen before is not segmented again, so an unchanged page
  costs no dictionary at all and an edited one only the entries of its new
  sentences; the file holds the sentences of the last build only;
* ``jinja/``: Jinja's bytecode cache of the theme's templates (Jinja checks
  each template's source against it).

and lists the theme's files without descending into dot-folders, whose files
MkDocs' filter drops anyway (checked on each such folder; otherwise the full
listing).  ``import_jieba()`` imports jieba without ``pkg_resources``.

``<id>`` names jieba's version and its dictionary file (size and time), so a
jieba update makes new files.  The search index stays complete: every page is
indexed as before, only faster.  With a custom jieba dictionary in the search
plugin's settings (``jieba_dict``, ``jieba_dict_user``) jieba is left alone.
Every file is written atomically and checked (SHA-256) when read; a damaged
file is ignored and written again.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
import sys
from contextlib import contextmanager
from pathlib import Path
from ..render.cache import read_checked, write_checked

MAGIC = b"manual-site-accel/1 "

# The dictionary loaded so far in this process: {id: {"total", "shards", "loaded": set, "freq": dict}}.
_DICTS: dict[str, dict] = {}


# -- checked files ---------------------------------------------------------------------------------
def _read(path: Path) -> bytes | None:
    return read_checked(path, MAGIC)


def _write(path: Path, payload: bytes) -> None:
    """Atomically; a cache that cannot be written only costs time."""
    try:
        write_checked(path, payload, MAGIC)
    except OSError:
        pass


# -- jieba -------------------------------------------------------------------------------------------
def import_jieba():
    """``import jieba``, without the ``pkg_resources`` import it makes only to open its dictionary (it
    falls back to ``open()`` on the same file); None when jieba is not installed."""
    if "jieba" not in sys.modules and "pkg_resources" not in sys.modules:
        sys.modules["pkg_resources"] = None  # makes ``import pkg_resources`` raise ImportError
        try:
            import jieba  # noqa: F401
        except ImportError:  # pragma: no cover - jieba is a dependency
            return None
        finally:
            if sys.modules.get("pkg_resources", 0) is None:
                del sys.modules["pkg_resources"]
    try:
        import jieba
    except ImportError:  # pragma: no cover
        return None
    return jieba


def _jieba_id(jieba) -> str | None:
    """jieba's version and default dictionary file; None when jieba is not on its default dictionary."""
    tokenizer = jieba.dt
    if tokenizer.dictionary != jieba.DEFAULT_DICT or tokenizer.user_word_tag_tab:
        return None
    path = Path(jieba.__file__).resolve().parent / jieba.DEFAULT_DICT_NAME
    try:
        st = path.stat()
    except OSError:
        return None
    return hashlib.sha256(f"{jieba.__version__}\0{path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()[:20]


def _full_dictionary(jieba) -> tuple[dict, int]:
    """jieba's prefix dictionary, as its ``initialize()`` makes it: from its own cache file when that is
    valid, else from the dictionary."""
    tokenizer = jieba.dt
    cache = Path(tokenizer.tmp_dir or tempfile.gettempdir()) / (tokenizer.cache_file or "jieba.cache")
    try:
        if cache.is_file() and cache.stat().st_uid == os.getuid():
            freq, total = marshal.loads(cache.read_bytes())
            if isinstance(freq, dict) and isinstance(total, int) and freq:
                return freq, total
    except Exception:  # noqa: BLE001 - a bad cache file of jieba's: read the dictionary instead
        pass
    return jieba.Tokenizer.gen_pfdict(tokenizer.get_dict_file())


def _dictionary(jieba, folder: Path, ident: str) -> dict:
    """The split dictionary: from ``dict-<id>.bin``, or made (and written) from the whole one."""
    path = folder / f"dict-{ident}.bin"
    if ident in _DICTS:  # loaded in this process already (another manual's build): keep a copy here too
        state = _DICTS[ident]
        if not path.is_file():
            _write(path, marshal.dumps((state["total"], state["shards"])))
        return state
    state = None
    payload = _read(path)
    if payload is not None:
        try:
            total, shards = marshal.loads(payload)
            if isinstance(total, int) and isinstance(shards, dict):
                state = {"total": total, "shards": shards, "loaded": set(), "freq": {}}
        except Exception:  # noqa: BLE001 - damaged: made again below
            state = None
    if state is None:
        freq, total = _full_dictionary(jieba)
        split: dict[str, dict] = {}
        for word, n in freq.items():
            part = split.get(word[0])
            if part is None:
                part = split[word[0]] = {}
            part[word] = n
        shards = {ch: marshal.dumps(part) for ch, part in split.items()}
        _write(path, marshal.dumps((total, shards)))
        # Everything is in memory already: no need to load the shards one by one.
        state = {"total": total, "shards": shards, "loaded": set(shards), "freq": freq}
        for old in folder.glob("dict-*.bin"):
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass
    _DICTS[ident] = state
    return state


def _load_chars(state: dict, text: str) -> None:
    loaded, shards, freq = state["loaded"], state["shards"], state["freq"]
    for ch in set(text) - loaded:
        loaded.add(ch)
        blob = shards.get(ch)
        if blob is not None:
            freq.update(marshal.loads(blob))


def _read_cuts(path: Path) -> dict:
    payload = _read(path)
    if payload is None:
        return {}
    try:
        cuts = marshal.loads(payload)
    except Exception:  # noqa: BLE001
        return {}
    return cuts if isinstance(cuts, dict) else {}


@contextmanager
def _jieba(folder: Path):
    """jieba.cut with the split dictionary and the memory of earlier segmentations (see the module)."""
    try:
        import jieba
    except ImportError:  # pragma: no cover - jieba is a dependency
        yield
        return
    ident = _jieba_id(jieba)
    if ident is None:
        yield
        return
    folder = Path(folder) / "jieba"
    state = _dictionary(jieba, folder, ident)
    cuts_path = folder / f"cuts-{ident}.bin"
    known = _read_cuts(cuts_path)
    used: dict[str, tuple] = {}
    tokenizer = jieba.dt
    original_cut = jieba.cut
    saved = (tokenizer.FREQ, tokenizer.total, tokenizer.initialized)
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = state["freq"], state["total"], True

    def cut(sentence, cut_all=False, HMM=True, use_paddle=False):
        if cut_all or not HMM or use_paddle or tokenizer.FREQ is not state["freq"]:
            return original_cut(sentence, cut_all=cut_all, HMM=HMM, use_paddle=use_paddle)
        text = sentence.decode("utf-8") if isinstance(sentence, bytes) else str(sentence)
        words = used.get(text) or known.get(text)
        if words is None:
            _load_chars(state, text)
            words = tuple(original_cut(text))
        used[text] = words
        return iter(words)

    jieba.cut = cut
    try:
        yield
    finally:
        jieba.cut = original_cut
        if tokenizer.FREQ is state["freq"]:  # nothing else replaced it meanwhile: leave jieba as it was
            tokenizer.FREQ, tokenizer.total, tokenizer.initialized = saved
    if used != known:
        _write(cuts_path, marshal.dumps(used))


# -- Jinja ---------------------------------------------------------------------------------------------
def _jinja(folder: Path, config) -> None:
    """Every Jinja environment of this build's theme gets a bytecode cache in ``folder/jinja``."""
    from jinja2 import FileSystemBytecodeCache

    theme = config.theme
    get_env = theme.get_env
    try:
        (Path(folder) / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    bytecode = FileSystemBytecodeCache(str(Path(folder) / "jinja"))

    def env_with_cache():
        env = get_env()
        env.bytecode_cache = bytecode
        _quick_listing(env)
        return env

    theme.get_env = env_with_cache


def _quick_listing(env) -> None:
    """``env.list_templates(filter_func=f)`` without walking dot-folders, when ``f`` drops their files."""
    from jinja2 import FileSystemLoader

    loader = env.loader
    if type(loader) is not FileSystemLoader:
        return
    full = env.list_templates

    def list_templates(extensions=None, filter_func=None):
        if extensions is not None or filter_func is None:
            return full(extensions=extensions, filter_func=filter_func)
        found: set[str] = set()
        skipped: list[str] = []
        for searchpath in loader.searchpath:
            for dirpath, dirs, names in os.walk(searchpath, followlinks=loader.followlinks):
                here = dirpath[len(searchpath):].strip(os.path.sep).replace(os.path.sep, "/")
                for name in [d for d in dirs if d.startswith(".")]:
                    dirs.remove(name)
                    skipped.append(f"{here}/{name}" if here else name)
                for name in names:
                    template = os.path.join(dirpath, name)[len(searchpath):].strip(os.path.sep)
                    template = template.replace(os.path.sep, "/")
                    if template[:2] == "./":
                        template = template[2:]
                    found.add(template)
        if any(filter_func(f"{folder}/{probe}") for folder in skipped for probe in ("a.css", "a.js", "a.svg")):
            return full(filter_func=filter_func)  # this filter keeps files in dot-folders: list them all
        return [name for name in sorted(found) if filter_func(name)]

    env.list_templates = list_templates


# -- both -------------------------------------------------------------------------------------------------
def _custom_jieba(config) -> bool:
    for name, plugin in (config.plugins or {}).items():
        settings = getattr(plugin, "config", None)
        if name.endswith("search") and settings is not None:
            if getattr(settings, "jieba_dict", None) or getattr(settings, "jieba_dict_user", None):
                return True
    return False


@contextmanager
def accelerated(folder: Path | None, config):
    """Around ``mkdocs.commands.build.build(config)``: see the module.  ``folder`` None: no change."""
    if folder is None:
        yield
        return
    _jinja(folder, config)
    if _custom_jieba(config):
        yield
        return
    with _jieba(folder):
        yield
