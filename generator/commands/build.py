"""``manual build [TARGET …]``: check, then render the outputs, then put them all in place at once.

Every requested target renders first; its files and the new site wait beside their places (in one
``output_transaction``); only when all have rendered are they renamed in, together.  A target that
fails leaves every earlier output as it was: the PDFs of one source never sit beside the site of
another.  See ``generator.common.outputs``.
"""
from __future__ import annotations

import sys

from ..common.engines import harfbuzz_subset_available
from ..common.outputs import SITE, output_transaction
from ..common.suggest import closest
from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError
from ..publishers.render.cache import default_jobs
from . import options


# Forms and print first, so the site can offer them as downloads.
BUILD_TARGETS = ("forms", "pdf", "docx", "site")


def _forms():
    from ..publishers.forms import render
    return render


def _pdf():
    from ..publishers.pdf import render
    return render


def _docx():
    from ..publishers.docx import render
    return render


def _site():
    from ..publishers.site import render
    return render


# Imported only when built: `manual build site` never loads WeasyPrint.
PUBLISHERS = {"forms": _forms, "pdf": _pdf, "docx": _docx, "site": _site}


def run(args) -> int:
    targets = args.targets or list(BUILD_TARGETS)
    unknown = [t for t in targets if t not in BUILD_TARGETS]
    if unknown:
        close = closest(unknown[0], BUILD_TARGETS)
        raise UsageError("cli.build_unknown_target_hint" if close else "cli.build_unknown_target",
                         target=unknown[0], close=close, choices=", ".join(BUILD_TARGETS))
    targets = [t for t in BUILD_TARGETS if t in targets]
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("cli.jobs_invalid", jobs=args.jobs)
    manual, findings, ok = options.checked_manual(args)
    if not ok:
        options.say(options.lang(args, manual), "cli.build_stopped")
        return EXIT_FINDINGS
    if any(t in ("pdf", "forms") for t in targets) and not harfbuzz_subset_available():
        options.tell(options.lang(args, manual), "cli.harfbuzz_missing", stream=sys.stderr)
    out = (args.out or manual.root / "dist").resolve()
    jobs = args.jobs if args.jobs is not None else default_jobs()
    settings = {"out": out, "quiet": args.quiet, "jobs": jobs, "cache": not args.no_cache,
               "lang": options.lang(args, manual)}
    with options.locked(manual.root, settings["lang"], out=out):
        with output_transaction(manual.root, (out, manual.root / SITE)):
            for target in targets:
                PUBLISHERS[target]().build(manual, **settings)
    return EXIT_OK
