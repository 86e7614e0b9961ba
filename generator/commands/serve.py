"""``manual serve``: the draft preview of the staff website on 127.0.0.1, updated on every source edit.

It builds the preview once into ``build/preview/site/`` (never ``site/``: the staff site has no
preview chrome), then serves it with the site engine's live-reload server (``publishers.site.server``) and watches ``manual/``,
``policies/``, ``editions/``, ``forms/`` and the manual's ``mkdocs.yml``.  After an edit it reads and
checks the manual again and renders only the pages whose content changed (see
``publishers.site.preview``); open pages reload by themselves.  Edits show even when the check has
errors: the findings are printed and shown on the pages; a file that cannot be parsed keeps its last
readable content, with its error on its page.  ``manual build`` and ``manual release`` stay strict.
"""
from __future__ import annotations

import os
import socket
import sys
import threading

from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError, message
from ..publishers.site.server import preview_server
from . import options

WATCHED = ("manual", "policies", "forms", "mkdocs.yml", "editions")
HOST = "127.0.0.1"


def _say(lang: str, key: str, **values) -> None:
    print(message(key, lang, **values), flush=True)


def make_builder(root, *, lang_arg=None, quiet: bool = False):
    """A builder for the live-reload server: read, check and update the draft preview; never raises.

    The preview (``publishers.site.preview``) shows every edit, whatever the check finds: findings
    are printed here and shown on the pages.  Returns ``(builder, state)``; ``state["ok"]`` tells
    whether the last update succeeded, ``state["session"]`` is the preview session (its site folder:
    ``session.site_dir``).
    """
    from ..rules import report
    from ..publishers.site.preview import Session
    from ..errors import SiteBuildError

    session = Session(root, lang_arg)
    state = {"ok": False, "builds": 0, "session": session}
    lock = threading.Lock()

    def builder() -> None:
        with lock:
            lang = session.lang
            try:
                with options.locked(root, lang):
                    result = session.rebuild()
                lang = session.lang
                findings = result["findings"]
                errors, warnings = report.counts(findings)
                if findings and (errors or not quiet):
                    sys.stderr.write(report.as_text(findings, lang))
                    sys.stderr.flush()
                for path in result["kept"]:
                    _say(lang, "site_preview.kept", path=path)
                state["ok"] = True
                state["builds"] += 1
                _say(lang, "site_preview.rebuilt", pages=result["pages"], seconds=f"{result['seconds']:.2f}",
                     errors=errors, warnings=warnings)
            except SiteBuildError as exc:
                state["ok"] = False
                _say(lang, "cli.serve_site_error", error=exc.text(lang))
            except Exception as exc:  # noqa: BLE001 - keep serving whatever happens in one rebuild
                state["ok"] = False
                if os.environ.get("MANUAL_DEBUG"):
                    import traceback

                    traceback.print_exc()
                _say(lang, "cli.serve_failed", error=f"{type(exc).__name__}: {exc}")

    return builder, state


def _port_free(port: int) -> str | None:
    """None when HOST:port can be bound, else the reason."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((HOST, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        probe.close()
    return None


def run(args) -> int:
    root = options.root(args)
    port = int(args.port)
    if not 0 < port < 65536:
        raise UsageError("cli.port_invalid", port=port)
    busy = _port_free(port)
    if busy:
        raise UsageError("cli.port_busy", host=HOST, port=port, reason=busy)
    builder, state = make_builder(root, lang_arg=args.lang, quiet=args.quiet)
    builder()
    site = state["session"].site_dir
    if not state["ok"] and not (site / "index.html").is_file():
        print(message("cli.serve_nothing", options.args_lang(args)), file=sys.stderr)
        return EXIT_FINDINGS
    server = preview_server(builder, HOST, port, site)

    def error_page(code):
        page = site / f"{code}.html"
        return page.read_bytes() if code == 404 and page.is_file() else None

    server.error_handler = error_page
    for name in WATCHED:
        path = root / name
        if path.exists():
            server.watch(str(path))
    _say(options.args_lang(args), "cli.serve_at", url=f"http://{HOST}:{port}/")
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return EXIT_OK
