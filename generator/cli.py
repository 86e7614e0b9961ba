"""The ``manual`` command.

Exit codes: 0 no errors, 1 findings with errors, 2 usage or I/O problems.
A user never sees a traceback: expected problems become one clear line;
an unexpected one says so, and ``MANUAL_DEBUG=1`` shows the traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2

# Forms and print first, so the site can offer them as downloads.
BUILD_TARGETS = ("forms", "pdf", "docx", "site")


class UsageError(Exception):
    """A problem with the command line, the files it names or the machine."""


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit 2 with its own text; keep that, minus noise
        self.print_usage(sys.stderr)
        print(f"manual: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


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
    a.add_argument("code")
    a.add_argument("--step", required=True, choices=("prepared", "reviewed", "approved"))
    a.add_argument("--name", required=True)
    a.add_argument("--role", default=None)
    a.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")

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

    v = sub.add_parser("verify", parents=[common], help="verify a (signed) edition PDF")
    v.add_argument("file", type=Path)
    v.add_argument("--edition", default=None)
    v.add_argument("--trust", type=Path, default=None, help="PEM or DER certificate to trust")

    i = sub.add_parser("init", parents=[common], help="create a new manual repository")
    i.add_argument("dir", type=Path)

    n = sub.add_parser("new", parents=[common], help="create a new document or form skeleton")
    n.add_argument("kind", choices=("policy", "procedure", "job", "form"))
    n.add_argument("--title", required=True)
    n.add_argument("--chapter", default=None)
    n.add_argument("--document", default=None, metavar="CODE",
                   help="form only: the document that uses the new form (its code prefixes the form's code)")

    im = sub.add_parser("import", parents=[common], help="import a legacy .docx or .txt manual")
    im.add_argument("file", type=Path)
    im.add_argument("--out", type=Path, required=True)
    return p


# ---------------------------------------------------------------------------
def _root(args) -> Path:
    from .reader import ManualNotFound, find_root

    if args.root is not None:
        if not args.root.is_dir():
            raise UsageError(f"--root {args.root}: no such folder")
        return args.root.resolve()
    try:
        return find_root(Path.cwd())
    except ManualNotFound as exc:
        raise UsageError(str(exc)) from None


def _lang(args, manual=None) -> str:
    if args.lang:
        return args.lang
    if manual is not None and manual.locale in ("zh-CN", "en"):
        return manual.locale
    return "zh-CN"


def cmd_check(args) -> int:
    from . import report
    from .check import check, strict

    formats = dict(report.FORMATS)
    for extra in ("sarif", "github"):
        fn = getattr(report, f"as_{extra}", None)
        if fn:
            formats[extra] = fn
    if args.format not in formats:
        raise UsageError(f"--format {args.format}: choose one of {', '.join(formats)}")
    root = _root(args)
    manual, findings = check(root)
    if args.strict:
        strict(findings)
    sys.stdout.write(formats[args.format](findings, _lang(args, manual)))
    errors, _ = report.counts(findings)
    return EXIT_FINDINGS if errors else EXIT_OK


def checked_manual(args, *, strict_mode: bool = False):
    """Check first; refuse to go on when there are errors (nothing is written)."""
    from . import report
    from .check import check, strict

    root = _root(args)
    manual, findings = check(root)
    if strict_mode:
        strict(findings)
    errors, _ = report.counts(findings)
    if errors or (findings and not args.quiet):
        sys.stderr.write(report.as_text(findings, _lang(args, manual)))
    if errors:
        return manual, findings, False
    return manual, findings, True


def _publisher(name: str):
    try:
        return importlib.import_module(f"generator.publishers.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"generator.publishers.{name}":
            raise UsageError(f"the '{name}' output is not available in this version") from None
        raise


def cmd_build(args) -> int:
    from .engines import HARFBUZZ_WARNING, harfbuzz_subset_available

    targets = args.targets or list(BUILD_TARGETS)
    unknown = [t for t in targets if t not in BUILD_TARGETS]
    if unknown:
        raise UsageError(f"unknown build target '{unknown[0]}'; choose from {', '.join(BUILD_TARGETS)}")
    targets = [t for t in BUILD_TARGETS if t in targets]
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give a number of processes, 1 or more")
    manual, findings, ok = checked_manual(args)
    if not ok:
        print("manual: build stopped: fix the errors above first; existing outputs were left as they were",
              file=sys.stderr)
        return EXIT_FINDINGS
    if any(t in ("pdf", "forms") for t in targets) and not harfbuzz_subset_available():
        print(HARFBUZZ_WARNING, file=sys.stderr)
    out = (args.out or manual.root / "dist").resolve()
    from .cache import default_jobs

    jobs = args.jobs if args.jobs is not None else default_jobs()
    options = {"out": out, "quiet": args.quiet, "jobs": jobs, "cache": not args.no_cache,
               "lang": _lang(args, manual)}
    for target in targets:
        module = _publisher(target)
        module.build(manual, **options)
    return EXIT_OK


def _delegate(module_name: str, function: str):
    def run(args) -> int:
        try:
            module = importlib.import_module(f"generator.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"generator.{module_name}":
                raise UsageError(f"'manual {args.command}' is not available in this version") from None
            raise
        return getattr(module, function)(args) or EXIT_OK
    return run


COMMANDS = {
    "check": cmd_check,
    "build": cmd_build,
    "serve": _delegate("serve", "cmd_serve"),
    "approve": _delegate("approve", "cmd_approve"),
    "forms": _delegate("publishers.forms", "cmd_forms"),
    "release": _delegate("editions", "cmd_release"),
    "verify": _delegate("editions", "cmd_verify"),
    "init": _delegate("authoring", "cmd_init"),
    "new": _delegate("authoring", "cmd_new"),
    "import": _delegate("importer", "cmd_import"),
}


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"manual: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("manual: interrupted; outputs already written are intact", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"manual: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if os.environ.get("MANUAL_DEBUG"):
            raise
        print(f"manual: internal error: {type(exc).__name__}: {exc} "
              "(please report it; MANUAL_DEBUG=1 shows the traceback)", file=sys.stderr)
        return EXIT_USAGE


def run():  # pragma: no cover - console entry point
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
