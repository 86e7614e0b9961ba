"""``manual approve CODE --step STEP --name NAME | --as PERSON [--effective D] [--yes]``: record a sign-off with
its fingerprint (and signature), after showing what is approved; the last step closes the change.

At a terminal (stdin is a tty) it asks for confirmation after the summary, unless ``--yes``; without a
terminal (scripts, CI, tests) it prints the summary and proceeds.
"""
from __future__ import annotations

import sys

from ..authoring.approve import approve
from ..authoring.changes import approve_change, is_change_number
from ..errors import EXIT_FINDINGS, EXIT_OK, ApproveError, UsageError, message
from ..labels import step_label
from ..rules import report
from . import options

CLASSES = {"substantive": "cli.revise.class_substantive", "editorial": "cli.revise.class_editorial"}
YES = ("y", "yes", "是", "是的", "确认")


def show_summary(lang: str, done: dict, quiet: bool, out=None) -> None:
    """The lines saying what is about to be signed (on stderr: stdout keeps the one line of what was signed)."""
    out = out or sys.stderr
    if quiet:
        return

    def line(label, /, **values):
        print(message(label, lang, **values), file=out)

    step = done["step"]
    if done["cover"]:
        line("cli.approve.summary_cover", step=step, step_label=step_label(step, lang), title=done["title"],
             edition=done["version"])
        return
    line("cli.approve.summary_head", step=step, step_label=step_label(step, lang), key=done["key"],
         title=done["title"], version=done["version"])
    revision = done["revision"]
    if revision is not None:
        klass = message("cli.approve.summary_class", lang,
                                klass=message(CLASSES[revision.change_class], lang)
                                if revision.change_class in CLASSES else revision.change_class) if revision.change_class else ""
        line("cli.approve.summary_revision", version=revision.version, date=revision.date or "?",
             summary=revision.summary, klass=klass)
    changes = done["changes"]
    if changes is not None:
        from .diff import since_label

        since = since_label(changes["since"], lang)
        if changes["total"]:
            line("cli.approve.summary_changes", since=since, changed=changes["changed"], added=changes["added"],
                 deleted=changes["deleted"], key=done["key"])
        else:
            line("cli.approve.summary_same", since=since)
    elif done["first"]:
        line("cli.approve.summary_first")
    elif done["no_baseline"] is not None:
        line("cli.approve.summary_no_baseline", reason=done["no_baseline"].text(lang))
    if done["closing"] is not None:
        status, effective = done["closing"]
        line("cli.approve.summary_closes", status=status, effective=effective)


def confirmer(lang: str, args):
    """``confirm(summary)`` for ``approve``: show it; ask at a terminal unless --yes."""
    def confirm(summary: dict) -> bool:
        show_summary(lang, summary, args.quiet)
        if args.yes or sys.stdin is None or not sys.stdin.isatty():
            return True
        sys.stderr.write(message("cli.approve.confirm", lang))
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if not answer:
            return False
        return answer.strip().lower() in YES
    return confirm


def run(args) -> int:
    root = options.root(args)
    lang = options.args_lang(args)
    date = options.date("--date", args.date)
    if is_change_number(args.code):  # a change request (文件更改申请单), not a document
        if args.effective or args.key:
            raise UsageError("cli.approve.change_options")
        done = approve_change(root, args.code, args.step, name=args.name, person=args.person,
                              date=date)
        if not args.quiet:
            options.tell(lang, "cli.approve.change_signed", step_label=step_label(args.step, lang), **done)
        return EXIT_OK
    effective = options.date("--effective", args.effective)
    try:
        done = approve(root, args.code, args.step, args.name, args.role, date, person=args.person, key_file=args.key,
                       effective=effective, confirm=confirmer(lang, args))
    except ApproveError as exc:
        if exc.findings:
            sys.stderr.write(report.as_text(exc.findings, lang))
        options.say(lang, exc.key, **exc.values)
        return EXIT_FINDINGS
    if not args.quiet:
        options.tell(lang, "cli.approve.signed", path=done["path"], line=done["line"], step=done["step"],
                     step_label=step_label(done["step"], lang), name=done["name"], role=done["role"],
                     date=done["date"], fingerprint=done["fingerprint"][:19] + "…")
        if done["signed"]:
            options.tell(lang, "cli.approve.signed_with_key", name=done["name"])
        if done["status"]:
            options.tell(lang, "cli.approve.closed", path=done["path"], line=done["status_line"],
                         status=done["status"], effective=done["effective"])
        if done["cover_stale"]:
            options.tell(lang, "cli.approve.cover_stale", path="manual/manual.yaml")
    return EXIT_OK
