"""Every error the generator raises on purpose, in one place.

Exit codes of the ``manual`` command: 0 no errors, 1 findings with errors,
2 a usage or I/O problem.  Each error carries what to tell the user; the
command boundary (``generator.cli``) turns it into one line, never a traceback.
"""
from __future__ import annotations

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
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


class ManualNotFound(Exception):
    pass


class ApproveError(Exception):
    """A refusal with the findings that caused it."""

    def __init__(self, message_en: str, message_zh: str, findings=()):
        super().__init__(message_en)
        self.messages = {"en": message_en, "zh-CN": message_zh}
        self.findings = list(findings)


class ReleaseError(Exception):
    """A release or verification that cannot go on; the message says why."""


class SiteBuildError(Exception):
    """MkDocs could not build the site (a configuration or theme problem)."""


class FormFontMissing(Exception):
    pass


class CsvProblem(Exception):
    """A problem with the CSV as a whole (encoding, header)."""

    def __init__(self, en: str, zh: str):
        super().__init__(en)
        self.messages = {"en": en, "zh-CN": zh}
