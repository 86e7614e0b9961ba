"""Every error the generator raises on purpose, in one place.

Exit codes of the ``manual`` command: 0 no errors, 1 findings with errors,
2 a usage or I/O problem.  Each error carries what to tell the user; the
command boundary (``generator.cli``) turns it into one line, never a traceback.

Every error but ``SourceError`` (which becomes a finding) carries a key
of the label catalogue (``generator/labels/cli.yaml``, ``errors.yaml`` …) and its values:
``UsageError("cli.root_missing", root=path)``; ``exc.text(lang)`` is the message in
one language, ``str(exc)`` the English one.  Text that is not a key (a library's own
message passed on) is shown as it is.
"""
from __future__ import annotations

import re

from .labels import LANGS, catalogue, text as label_text

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

KEY = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")


def message(key: str, lang: str = "zh-CN", /, **values) -> str:
    """The catalogue's text for ``key`` in ``lang`` with ``values`` filled in; text that is no key, as it is.

    A value may be a function of the language (``functools.partial(step_label, "approved")``):
    a word that is itself in the catalogue.
    """
    if not KEY.fullmatch(key) or key.split(".")[0] not in catalogue():
        return key
    lang = lang if lang in LANGS else "zh-CN"
    values = {name: value(lang) if callable(value) else value for name, value in values.items()}
    return label_text(key, lang).format(**values)  # KeyError: a key missing from the catalogue


def reason(exc: BaseException):
    """An exception as a value of another message: in each language when it is one of ours."""
    return exc.text if isinstance(exc, Message) else str(exc)


class Message(Exception):
    """An error told in the catalogue's words (see the module's docstring)."""

    def __init__(self, key: str, /, **values):
        self.key, self.values = key, values
        super().__init__(message(key, "en", **values))

    def text(self, lang: str = "zh-CN") -> str:
        return message(self.key, lang, **self.values)


class UsageError(Message):
    """A problem with the command line, the files it names or the machine."""


class SourceError(Exception):
    """A problem with a source file that stops it from being read."""

    def __init__(self, rule: str, message: str, line: int = 1, column: int = 1, **params):
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.column = column
        self.params = params


class ManualNotFound(Message):
    """No manual where the command looked."""


class ApproveError(Message):
    """A refusal with the findings that caused it (``findings=``)."""

    def __init__(self, key: str, /, findings=(), **values):
        super().__init__(key, **values)
        self.findings = list(findings)


class ReleaseError(Message):
    """A release or verification that cannot go on; the message says why."""


class SigningError(ReleaseError):
    """The signing certificate or its password cannot be used (a usage problem: exit 2)."""


class SiteBuildError(Message):
    """MkDocs could not build the site (a configuration or theme problem)."""


class FormFontMissing(Message):
    """The font that form fields need is not installed."""


class CsvProblem(Message):
    """A problem with the CSV as a whole (encoding, header)."""


class ArgparseError(Exception):
    """argparse's complaint about the command line: its text and the usage line of the (sub)command."""

    def __init__(self, text: str, usage: str):
        super().__init__(text)
        self.usage = usage


class LockBusy(Message):
    """Another build of the same manual holds the build lock (``generator.common.lock``)."""
