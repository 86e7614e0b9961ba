"""``manual release EDITION``: freeze an immutable, optionally signed edition."""
from __future__ import annotations

from ..errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, ReleaseError, SigningError, UsageError
from ..publishers.release import release
from . import options


def run(args) -> int:
    root = options.root(args)
    released = options.date("--date", args.date)
    if args.sign is not None and not args.sign.is_file():
        raise UsageError("cli.release.no_certificate", path=args.sign)
    lang = options.args_lang(args)
    try:
        with options.locked(root, lang):
            folder = release(root, args.edition, released=released, sign=args.sign, quiet=args.quiet, lang=lang)
    except SigningError as exc:  # the certificate or its password: what the user gave cannot be used
        options.say(lang, "cli.release.refused", reason=exc.text(lang))
        return EXIT_USAGE
    except ReleaseError as exc:
        options.say(lang, "cli.release.refused", reason=exc.text(lang))
        return EXIT_FINDINGS
    if not args.quiet:
        options.tell(lang, "cli.release.released", edition=args.edition, folder=folder.relative_to(root))
    return EXIT_OK
