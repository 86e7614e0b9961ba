"""The preview's web server: MkDocs' live-reload server on 127.0.0.1, with hostile paths answered before
they reach the file system and a quiet log.  The one place ``manual serve`` meets the site engine
(docs/decisions/0001-site-engine.md)."""
from __future__ import annotations

import logging
import os


# -- hostile requests ------------------------------------------------------------------------------
MAX_PATH_BYTES = 4096  # Linux's PATH_MAX: no file of the site has a longer path
MAX_LOGGED = 200  # characters of a request line the terminal shows


def refused(path_info: str) -> str | None:
    """The HTTP status for a request path no file can have, or None to let the server look.

    wsgiref gives the percent-decoded path as Latin-1 text: bytes that are not UTF-8
    (``%ff``, ``%c0%ae``), control characters (``%00``, ``%0a``) are a bad request;
    a path longer than any file's is not found.  ``..`` never leaves the site: the
    server normalises the path first.
    """
    try:
        text = path_info.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return "400 Bad Request"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        return "400 Bad Request"
    if len(path_info) > MAX_PATH_BYTES:
        return "404 Not Found"
    return None


class QuietLog(logging.Filter):
    """The server's log as one short line per request: long request lines cut, tracebacks only with MANUAL_DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if len(text) > MAX_LOGGED:
            text = text[:MAX_LOGGED] + "…"
        record.msg, record.args = text, None
        if not os.environ.get("MANUAL_DEBUG"):
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def preview_server(builder, host: str, port: int, site):
    """MkDocs' live-reload server, with hostile paths answered before they reach the file system."""
    from mkdocs.livereload import LiveReloadServer

    class PreviewServer(LiveReloadServer):
        def _serve_request(self, environ, start_response):
            status = refused(environ.get("PATH_INFO", ""))
            if status is None:
                try:
                    return super()._serve_request(environ, start_response)
                except (ValueError, UnicodeError, OSError):  # a path the file system refuses to look up
                    status = "400 Bad Request"
            if status.startswith("404"):
                return None  # the server's own 404 page
            start_response(status, [("Content-Type", "text/plain; charset=utf-8")])
            return [status.encode("ascii")]

        def handle_error(self, request, client_address):
            """A client that went away mid-answer: no traceback on the terminal (MANUAL_DEBUG=1 shows it)."""
            if os.environ.get("MANUAL_DEBUG"):
                super().handle_error(request, client_address)

    log = logging.getLogger("mkdocs.livereload")
    log.setLevel(logging.WARNING)
    log.addFilter(QuietLog())
    return PreviewServer(builder=builder, host=host, port=port, root=str(site))
