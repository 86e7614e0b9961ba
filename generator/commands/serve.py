"""``manual serve``: preview the staff website on 127.0.0.1, rebuilt on every source edit.

It builds ``site/`` once (as ``manual build site`` does), then serves it with
MkDocs' own live-reload server and watches ``manual/``, ``policies/``, ``editions/``,
``forms/`` and the manual's ``mkdocs.yml``.  After an edit it checks and
rebuilds; open pages reload by themselves.  When the edited source has
errors, the findings are printed and the last good build stays online.
"""
from __future__ import annotations

import logging
import socket
import sys
import threading

from ..errors import EXIT_FINDINGS, EXIT_OK, UsageError, message
from ..labels import LANGS
from . import options

WATCHED = ("manual", "policies", "forms", "mkdocs.yml", "editions")
HOST = "127.0.0.1"


def _say(lang: str, key: str, **values) -> None:
    print(message(key, lang, **values), flush=True)


def make_builder(root, *, lang_arg=None, quiet: bool = False):
    """A builder for the live-reload server: check, then build; never raises.

    Returns ``(builder, state)``; ``state["ok"]`` tells whether the last build succeeded.
    """
    from ..rules import report
    from ..rules.check import check
    from ..publishers.site.render import SiteBuildError, build_site

    state = {"ok": False, "builds": 0}
    lock = threading.Lock()

    def builder() -> None:
        with lock:
            lang = lang_arg or "zh-CN"
            try:
                manual, findings = check(root)
                lang = lang_arg or (manual.locale if manual.locale in LANGS else "zh-CN")
                errors, _ = report.counts(findings)
                if findings and (errors or not quiet):
                    sys.stderr.write(report.as_text(findings, lang))
                    sys.stderr.flush()
                if errors:
                    state["ok"] = False
                    _say(lang, "cli.serve_errors")
                    return
                with options.locked(root, lang):
                    build_site(manual, out=root / "dist", quiet=True, lang=lang)
                state["ok"] = True
                state["builds"] += 1
                _say(lang, "cli.serve_rebuilt")
            except SiteBuildError as exc:
                state["ok"] = False
                _say(lang, "cli.serve_site_error", error=exc.text(lang))
            except Exception as exc:  # noqa: BLE001 - keep serving whatever happens in one rebuild
                state["ok"] = False
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
    from mkdocs.livereload import LiveReloadServer

    root = options.root(args)
    port = int(args.port)
    if not 0 < port < 65536:
        raise UsageError("cli.port_invalid", port=port)
    busy = _port_free(port)
    if busy:
        raise UsageError("cli.port_busy", host=HOST, port=port, reason=busy)
    builder, state = make_builder(root, lang_arg=args.lang, quiet=args.quiet)
    builder()
    site = root / "site"
    if not state["ok"] and not (site / "index.html").is_file():
        print(message("cli.serve_nothing", options.args_lang(args)), file=sys.stderr)
        return EXIT_FINDINGS
    logging.getLogger("mkdocs.livereload").setLevel(logging.WARNING)
    server = LiveReloadServer(builder=builder, host=HOST, port=port, root=str(site))

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
