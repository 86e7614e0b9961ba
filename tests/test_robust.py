"""Robustness at the edges: the preview server under hostile URLs, the command boundary, bad input."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from conftest import MINIMAL, copy_manual


# -- manual serve: hostile paths over real HTTP -------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, target: bytes) -> tuple[int, bytes]:
    """Send ``GET target`` as raw bytes (http.client refuses to send most of these); (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


HOSTILE = {
    b"/%00": 400,
    b"/index.html%00.txt": 400,
    b"/documents/..%00/x": 400,
    b"/%00/../index.html": 400,
    b"/%01%02": 400,
    b"/%ff%fe": 400,  # not UTF-8
    b"/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd": 400,  # overlong UTF-8 for '.'
    b"/\xff\xfe": 400,
    b"/" + b"a" * 5000: 404,  # longer than any path
    b"/" + b"a/" * 2000: 404,
    b"/" + b"%41" * 15000: 404,
    b"/../../../../etc/passwd": 404,
    b"/%2e%2e/%2e%2e/%2e%2e/etc/passwd": 404,
    b"/..%2f..%2f..%2fetc/passwd": 404,
    b"/..%5c..%5c..%5cetc/passwd": 404,
    b"/%252e%252e/etc/passwd": 404,
    b"//etc/passwd": 404,
}


def test_serve_answers_hostile_paths_with_400_or_404_and_no_traceback(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1")
    env.pop("MANUAL_DEBUG", None)
    log_path = tmp_path / "serve.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        end = time.monotonic() + 180
        while True:
            try:
                if _request(port, b"/documents/0101-2020.html")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < end and proc.poll() is None, log_path.read_text(encoding="utf-8")
            time.sleep(0.5)
        answers = {target: _request(port, target) for target in HOSTILE}
        assert {t: status for t, (status, _) in answers.items()} == HOSTILE
        assert not any(b"root:" in body for _, body in answers.values())
        # the server still serves, and the overlong request line is refused by the HTTP layer
        assert _request(port, b"/" + b"x" * 70000)[0] == 414
        status, body = _request(port, b"/documents/0101-2020.html")
        assert status == 200 and "客户回访制度".encode() in body
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    printed = log_path.read_text(encoding="utf-8")
    assert "Traceback" not in printed and "Error" not in printed, printed
    assert '"GET /%00 HTTP/1.1" code 400' in printed
    assert max(len(line) for line in printed.splitlines()) < 300  # long request lines are cut
