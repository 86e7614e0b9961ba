"""The ``manual`` command.

Exit codes: 0 no errors, 1 findings with errors, 2 usage or I/O problems.
A user never sees a traceback: expected problems become one clear line;
so do the errors of libraries that bad input causes (a damaged zip or XML,
YAML, a CSV cell too large, encoding, memory, nesting: ``INPUT_ERRORS``);
anything else is a bug and says "internal error, please report it".
``MANUAL_DEBUG=1`` shows the traceback instead.
Every line it prints speaks ``--lang``, else the manual's locale, else zh-CN
(words from ``generator/labels/cli.yaml``), argparse's own errors included.
"""
from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from pathlib import Path

from .common.suggest import closest
from .errors import EXIT_OK, EXIT_USAGE, ArgparseError, Message, message

# One module per verb in ``generator.commands``, each with ``run(args) -> exit code``;
# a verb's module (and what it needs: WeasyPrint, MkDocs …) is imported only when it runs.
VERBS = {"check": "check", "build": "build", "serve": "serve", "approve": "approve", "forms": "forms",
         "release": "release", "verify": "verify", "init": "init", "new": "new", "import": "import_",
         "revise": "revise", "diff": "diff", "issue": "issue", "recall": "recall",
         "ack": "ack",
         "status": "status"}


def _early_options(argv) -> argparse.Namespace:
    """--lang and --root, read before (and whatever) argparse says about the rest of the line."""
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang", default=None)
    early.add_argument("--root", type=Path, default=None)
    try:
        return early.parse_known_args(argv)[0]
    except SystemExit:  # e.g. `--lang` with no value: argparse has already said so
        return argparse.Namespace(lang=None, root=None)


def message_lang(lang: str | None, root: Path | None) -> str:
    """--lang, else the manual's locale (when a manual is found), else zh-CN."""
    from .commands.options import message_lang as found

    return found(lang, root)


def say(line: str, lang: str) -> None:
    """One line on stderr, after the command's name."""
    print(message("cli.prefix", lang) + line, file=sys.stderr)


# argparse's own messages (Python's wording) and the catalogue's keys for them.
ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (?P<names>.+)"), "cli.argparse.required"),
    (re.compile(r"argument (?P<argument>\S+): invalid choice: (?P<value>.+?) \(choose from (?P<choices>.+)\)"),
     "cli.argparse.invalid_choice"),
    (re.compile(r"unrecognized arguments: (?P<names>.+)"), "cli.argparse.unrecognized"),
    (re.compile(r"argument (?P<argument>\S+): expected one argument"), "cli.argparse.expected_one"),
    (re.compile(r"argument (?P<argument>\S+): invalid (?P<type>\w+) value: (?P<value>.+)"),
     "cli.argparse.invalid_value"),
]


def argparse_message(text: str, lang: str) -> str:
    """argparse's error ``text`` in ``lang``; one the catalogue does not know, wrapped in a line that does."""
    for pattern, key in ARGPARSE_MESSAGES:
        m = pattern.fullmatch(text)
        if not m:
            continue
        values = m.groupdict()
        if key == "cli.argparse.invalid_choice":
            close = closest(values["value"].strip("'"), [c.strip(" '") for c in values["choices"].split(",")])
            if close:
                key, values["close"] = "cli.argparse.invalid_choice_hint", repr(close)
        if key == "cli.argparse.invalid_value" and values["type"] == "int":
            values["type"] = message("cli.argparse.type_int", lang)
        return message(key, lang, **values)
    return message("cli.argparse.other", lang, message=text)


class ArgumentParser(argparse.ArgumentParser):
    """argparse, whose errors ``main`` prints in the language of messages (exit 2, as argparse does)."""

    def error(self, text):
        raise ArgparseError(text, self.format_usage())


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=None,
                        help="the manual's folder (default: the current folder or the nearest one above it)")
    common.add_argument("--lang", choices=("zh-CN", "en"), default=None,
                        help="language of messages (default: the manual's locale)")
    common.add_argument("--quiet", "-q", action="store_true", help="print only findings and errors")

    p = ArgumentParser(prog="manual", description="The manual as code: check, build and publish a management manual.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    c = sub.add_parser("check", parents=[common], help="check the manual's consistency")
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--format", default="text", help="text (default), json, sarif or github")

    b = sub.add_parser("build", parents=[common], help="build outputs: site, pdf, docx, forms (default: all)")
    b.add_argument("targets", nargs="*", metavar="TARGET", help="site | pdf | docx | forms")
    b.add_argument("--out", type=Path, default=None, help="output folder for print and forms (default: dist/)")
    b.add_argument("--jobs", "-j", type=int, default=None, help="parallel renderer processes (default: cores)")
    b.add_argument("--no-cache", action="store_true", help="ignore the build cache")

    s = sub.add_parser("serve", parents=[common], help="preview the site on 127.0.0.1, rebuilding on edits")
    s.add_argument("--port", type=int, default=8000)

    a = sub.add_parser("approve", parents=[common], help="record a sign-off step with its fingerprint")
    a.add_argument("code", help="a document's code, a form's id or code, 'manual' for the cover's sign-off, or a change request's number (CR-YYYY-NNN)")
    a.add_argument("--step", required=True, choices=("prepared", "reviewed", "approved"))
    who = a.add_mutually_exclusive_group(required=True)
    who.add_argument("--name", default=None)
    who.add_argument("--as", dest="person", default=None, help="the signer's id in manual/people.yaml")
    a.add_argument("--role", default=None)
    a.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    a.add_argument("--key", type=Path, default=None,
                   help="the signer's PKCS#12 key (default: $MANUAL_SIGN_KEY); password from $MANUAL_SIGN_PASSWORD")

    a.add_argument("--effective", default=None,
                   help="YYYY-MM-DD: the effective date the last step sets (default: the approval date)")
    a.add_argument("--yes", "-y", action="store_true", help="sign without asking for confirmation at a terminal")

    rv = sub.add_parser("revise", parents=[common], help="start a change: new version, revision entry, in review")
    rv.add_argument("code", help="a document's code, or a form's id or code")
    rv.add_argument("--summary", required=True, help="what this revision changes (the revision entry's summary)")
    rv.add_argument("--class", dest="change_class", choices=("substantive", "editorial"), default=None)
    rv.add_argument("--change", default=None, metavar="CR-YYYY-NNN",
                    help="the change request it carries out (control/changes/); the entry takes its class")
    rv.add_argument("--major", action="store_true", help="the next major version (2.0) instead of the next minor")
    rv.add_argument("--by", default=None, help="who revises (default: the last revision entry's, else the owner)")

    d = sub.add_parser("diff", parents=[common], help="what changed since the last approval, as a redline")
    d.add_argument("code", help="a document's code, or a form's id or code")
    d.add_argument("--since", default=None, metavar="approved|EDITION|REV",
                   help="compare with the approved text (default), a released edition or a git revision")

    f = sub.add_parser("forms", parents=[common], help="form utilities")
    fsub = f.add_subparsers(dest="forms_command", required=True, parser_class=ArgumentParser)
    fill = fsub.add_parser("fill", parents=[common], help="pre-fill a form from CSV rows")
    fill.add_argument("form")
    fill.add_argument("--data", required=True, type=Path)
    fill.add_argument("--out", type=Path, default=None)

    r = sub.add_parser("release", parents=[common], help="publish an immutable edition")
    r.add_argument("edition")
    r.add_argument("--sign", type=Path, default=None, help="PKCS#12 certificate to sign the edition PDF")
    r.add_argument("--date", default=None)

    v = sub.add_parser("verify", parents=[common], help="verify an edition file (found by path or hash) or a whole edition")
    v.add_argument("file", type=Path, nargs="?", default=None)
    v.add_argument("--edition", default=None, help="the edition to check against; alone: check all its files")
    v.add_argument("--trust", type=Path, default=None, help="PEM or DER certificate to trust")

    iss = sub.add_parser("issue", parents=[common], help="issue controlled copies of a released edition (受控 stamp)")
    iss.add_argument("edition")
    iss.add_argument("--to", required=True, metavar="HOLDER", help="a person id of manual/people.yaml or a post")
    iss.add_argument("--copies", type=int, default=1, help="how many copies (default: 1)")
    iss.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")

    rc = sub.add_parser("recall", parents=[common], help="record the return of a controlled copy")
    rc.add_argument("edition")
    rc.add_argument("--copy", type=int, required=True, metavar="N", help="the copy number (分发号)")
    rc.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")

    ak = sub.add_parser("ack", parents=[common], help="read-and-acknowledge (阅知): the paper sheet, recording it")
    aksub = ak.add_subparsers(dest="ack_command", required=True, parser_class=ArgumentParser)
    aks = aksub.add_parser("sheet", parents=[common], help="the 阅知确认表 of an edition's substantive changes (PDF)")
    aks.add_argument("edition")
    aks.add_argument("--out", type=Path, default=None, help="output folder (default: dist/ack/)")
    akr = aksub.add_parser("record", parents=[common], help="record signed acknowledgements from a CSV")
    akr.add_argument("file", type=Path, metavar="FILE.csv", help="columns person, document, version, date")
    st = sub.add_parser("status", parents=[common],
                        help="document control at a glance: editions, statuses, open change requests, copies out")
    st.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")

    i = sub.add_parser("init", parents=[common], help="create a new manual repository")
    i.add_argument("dir", type=Path)

    n = sub.add_parser("new", parents=[common], help="create a new document or form skeleton, or a change request")
    n.add_argument("kind", choices=("policy", "procedure", "job", "form", "change"))
    n.add_argument("--title", default=None, help="the title (change: the reason for the change, optional)")
    n.add_argument("--chapter", default=None)
    n.add_argument("--document", default=None, metavar="CODE",
                   help="form: the document that uses the new form (its code prefixes the form's code); "
                        "change: the document the request changes (required)")
    n.add_argument("--by", default=None, metavar="PERSON",
                   help="change: who requests it (an id of manual/people.yaml, or a name; default: a placeholder to fill in)")

    im = sub.add_parser("import", parents=[common], help="import a legacy .docx or .txt manual")
    im.add_argument("file", type=Path)
    im.add_argument("--out", type=Path, required=True)
    im.add_argument("--year", type=int, default=None, metavar="YYYY",
                    help="the edition year when the legacy file has no date (codes keep the years they are written with)")
    im.add_argument("--placeholder-forms", action="store_true",
                    help="write a placeholder form for each 《…表》 the text cites (default: leave it unresolved)")
    return p


# ---------------------------------------------------------------------------
# Library errors that bad input can cause (a damaged file, a bomb, absurd nesting) and that no
# command turned into its own message: each gets a plain line, not "internal error".  Known by the
# module of the exception's class (or a base class), so the boundary imports none of the libraries.
INPUT_ERRORS = (  # (module or builtin class, catalogue key)
    ("MemoryError", "cli.input.memory"),
    ("RecursionError", "cli.input.nesting"),
    ("UnicodeError", "cli.input.encoding"),
    ("yaml", "cli.input.yaml"),
    ("jsonschema", "cli.input.schema"),
    ("lxml", "cli.input.xml"),
    ("xml", "cli.input.xml"),
    ("pyexpat", "cli.input.xml"),
    ("defusedxml", "cli.input.xml"),
    ("zipfile", "cli.input.zip"),
    ("zlib", "cli.input.zip"),
    ("docx", "cli.input.docx"),
    ("PIL", "cli.input.image"),
    ("_csv", "cli.input.csv"),
    ("pypdf", "cli.input.pdf"),
    ("pyhanko", "cli.input.pdf"),
)
DETAIL_CHARS = 300


def input_error_key(exc: BaseException) -> str | None:
    """The catalogue key for a library error that bad input causes, or None for anything else (a bug)."""
    for cls in type(exc).__mro__:
        module = cls.__module__
        for origin, key in INPUT_ERRORS:
            if (module == "builtins" and cls.__name__ == origin) or module == origin \
                    or module.startswith(origin + "."):
                return key
    return None


def detail(exc: BaseException) -> str:
    """The exception's own words on one line, cut to a readable length."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= DETAIL_CHARS else text[:DETAIL_CHARS] + "…"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        args = _parser().parse_args(argv)
    except ArgparseError as exc:
        early = _early_options(argv)
        lang = message_lang(early.lang, early.root)
        usage = exc.usage
        if usage.startswith("usage: "):
            usage = message("cli.usage_prefix", lang) + usage[len("usage: "):]
        sys.stderr.write(usage)
        say(argparse_message(str(exc), lang), lang)
        return EXIT_USAGE

    def lang() -> str:  # found only when there is something to say
        return message_lang(args.lang, args.root)

    try:
        command = importlib.import_module(f"{__package__}.commands.{VERBS[args.command]}")
        return command.run(args) or EXIT_OK
    except Message as exc:  # UsageError, ManualNotFound, and any of ours a command did not handle
        say(exc.text(lang()), lang())
        return EXIT_USAGE
    except KeyboardInterrupt:
        say(message("cli.interrupted", lang()), lang())
        return 130
    except BrokenPipeError:  # the reader went away (`manual status | head -1`): not an error to report
        _stdout_to_devnull()
        return EXIT_PIPE
    except Exception as exc:  # noqa: BLE001 - never a traceback, unless MANUAL_DEBUG=1 asks for it
        if os.environ.get("MANUAL_DEBUG"):
            raise
        key = input_error_key(exc)
        if key is None and isinstance(exc, OSError):
            say(message("cli.os_error", lang(), reason=exc.strerror or detail(exc), file=exc.filename or "")
                .rstrip(":： "), lang())
            return EXIT_USAGE
        if key is None:  # the last line of defence against tracebacks: a genuine bug
            say(message("cli.internal_error", lang(), error=f"{type(exc).__name__}: {detail(exc)}"), lang())
            return EXIT_USAGE
        said = message(key, lang(), error=detail(exc))
        if getattr(exc, "input_path", None):  # the file a command was reading (manual import FILE)
            said = message("cli.input.in_file", lang(), file=exc.input_path, message=said)
        say(said, lang())
        return EXIT_USAGE


EXIT_PIPE = 141  # what a shell reports for a command ended by SIGPIPE (128 + 13), as git and coreutils do


def _stdout_to_devnull() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush at exit finds no closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run():  # pragma: no cover - console entry point
    code = main()
    try:
        sys.stdout.flush()  # output still buffered for a pipe: a reader gone by now is no error either
    except BrokenPipeError:
        _stdout_to_devnull()
        code = code or EXIT_PIPE
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
