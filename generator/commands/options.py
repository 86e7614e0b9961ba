"""What every command shares: the manual's folder, the language, messages, the check before a build."""
from __future__ import annotations

import datetime as dt
import sys
from contextlib import contextmanager
from pathlib import Path

from ..common.progress import note as progress_note
from ..common.lock import build_lock
from ..common.outputs import clean_up
from ..errors import ManualNotFound, UsageError, message
from ..labels import LANGS
from ..read.reader import CONFIG, find_root
from ..read.yamlsrc import load_yaml, read_text


def root(args) -> Path:
    """The manual's folder: --root, or the current folder or the nearest one above it.

    A folder without ``manual/manual.yaml`` is a usage error (exit 2) whose one line says
    how to start a manual or where to point --root, whichever verb asked.
    """
    if args.root is not None:
        if not args.root.is_dir():
            raise UsageError("cli.root_missing", root=args.root)
        folder = args.root.resolve()
        if not (folder / CONFIG).is_file():
            raise ManualNotFound("cli.no_manual_here", folder=folder)
        return folder
    return find_root(Path.cwd())  # ManualNotFound: told by the command boundary


def lang(args, manual=None) -> str:
    """--lang, else the manual's locale, else zh-CN."""
    if args.lang:
        return args.lang
    if manual is not None and manual.locale in LANGS:
        return manual.locale
    return "zh-CN"


def message_lang(lang_option: str | None, root_option: Path | None) -> str:
    """The language of messages before (or without) reading the manual: --lang, else the locale in
    the manual's ``manual/manual.yaml`` (when there is a manual), else zh-CN."""
    if lang_option in LANGS:
        return lang_option
    try:
        folder = root_option if root_option is not None else find_root(Path.cwd())
        data, _ = load_yaml(read_text(folder / "manual" / "manual.yaml"))
        locale = data.get("locale") if isinstance(data, dict) else None
    except Exception:  # noqa: BLE001 - no manual, or one that cannot be read: the default
        locale = None
    return locale if locale in LANGS else "zh-CN"


def args_lang(args) -> str:
    """The language of the command's messages, from its arguments alone."""
    return message_lang(args.lang, args.root)


def say(lang: str, key: str, /, *, stream=None, **values) -> None:
    """A catalogue message after the command's name ("manual: …"), on stderr unless ``stream``."""
    print(message("cli.prefix", lang) + message(key, lang, **values), file=stream or sys.stderr)


def tell(lang: str, key: str, /, *, stream=None, **values) -> None:
    """A catalogue message as a line of its own, on stdout unless ``stream``."""
    print(message(key, lang, **values), file=stream or sys.stdout)


def note(lang: str, key: str, /, *, quiet: bool = False, **values) -> None:
    """A catalogue message as a status line on stderr, unless quiet."""
    progress_note(message(key, lang, **values), quiet=quiet)


def date(option: str, value: str | None) -> dt.date | None:
    """The date an option gives (YYYY-MM-DD), None when not given."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        # the example is today: a real date, and no company's
        raise UsageError("cli.date_invalid", option=option, value=value, example=dt.date.today().isoformat()) from None


def checked_manual(args, *, strict_mode: bool = False):
    """Check first; refuse to go on when there are errors (nothing is written)."""
    from ..rules import report
    from ..rules.check import check, strict

    folder = root(args)
    manual, findings = check(folder)
    if strict_mode:
        strict(findings)
    errors, _ = report.counts(findings)
    if errors or (findings and not args.quiet):
        sys.stderr.write(report.as_text(findings, lang(args, manual)))
    if errors:
        return manual, findings, False
    return manual, findings, True


@contextmanager
def locked(root, lang: str, *, out: Path | None = None):
    """The manual's build lock (``generator.common.lock``), saying so when it has to wait.

    Once it is held, what killed builds left is put right and swept away (``common.outputs.clean_up``:
    an interrupted commit finished, temporary files removed from ``dist/`` or ``out``, ``build/``,
    ``.cache/``, ``editions/`` and beside ``site/``)."""
    with build_lock(root, waiting=lambda pid: say(lang, "errors.lock_waiting", pid=pid)):
        clean_up(Path(root), out)
        yield
