"""Robustness at the edges: the preview server under hostile URLs, the command boundary, bad input."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import MINIMAL, copy_manual, run_cli


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


# -- the command boundary: library errors that bad input causes ------------------------------------------
def _broken_docx(path):
    """A .docx whose document part is cut off in the middle of a tag (lxml refuses it)."""
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", '<w:document xmlns:w="http://schemas.openxmlformats.org/'
                                        'wordprocessingml/2006/main"><w:body><w:p>')
    return path


def _deep_body(root):
    """A policy whose body nests lists 950 levels deep (under the 1 MB file limit)."""
    path = root / "policies/0101-2020.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + "".join("  " * i + "- x\n" for i in range(950)),
                    encoding="utf-8")
    return root


def _cases(tmp_path):
    return {
        "xml": ("import", _broken_docx(tmp_path / "broken.docx"), "--out", tmp_path / "out", "--lang", "en"),
        "nesting": ("check", "--root", _deep_body(copy_manual(MINIMAL, tmp_path / "deep")), "--lang", "en"),
    }


# (A CSV cell too large for the csv module is forms fill's own refusal, at its row and column:
# tests/test_forms_fill_stream.py.)
WORDS = {"xml": "the XML inside is damaged", "nesting": "nested too deeply"}


@pytest.mark.parametrize("case", sorted(WORDS))
def test_a_library_error_from_bad_input_is_one_plain_line(tmp_path, case):
    args = _cases(tmp_path)[case]
    result = run_cli(*args, env={"MANUAL_DEBUG": ""})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and WORDS[case] in lines[0], result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    debug = run_cli(*args, env={"MANUAL_DEBUG": "1"})
    assert debug.returncode != 0 and "Traceback (most recent call last)" in debug.stderr


def _raised(action):
    try:
        action()
    except BaseException as exc:  # noqa: BLE001 - the real library's exception is the test's input
        return exc
    raise AssertionError("no exception")


def test_the_boundary_knows_the_libraries_errors_and_calls_the_rest_a_bug(tmp_path):
    import io
    import zipfile

    import jsonschema
    import PIL.Image
    import pypdf
    import yaml
    from lxml import etree

    from generator.cli import input_error_key

    known = {
        "cli.input.yaml": _raised(lambda: yaml.safe_load("a: [1, 2")),
        "cli.input.zip": _raised(lambda: zipfile.ZipFile(io.BytesIO(b"PK\x03\x04 not a zip"))),
        "cli.input.xml": _raised(lambda: etree.fromstring(b"<a><b></a>")),
        "cli.input.image": _raised(lambda: PIL.Image.open(io.BytesIO(b"not an image"))),
        "cli.input.schema": _raised(lambda: jsonschema.validate(1, {"type": "string"})),
        "cli.input.pdf": _raised(lambda: pypdf.PdfReader(io.BytesIO(b"%PDF-1.7 nothing"))),
        "cli.input.encoding": _raised(lambda: b"\xff\xfe\xfa".decode("utf-8")),
        "cli.input.nesting": RecursionError("maximum recursion depth exceeded"),
        "cli.input.memory": MemoryError(),
    }
    assert {key: input_error_key(exc) for key, exc in known.items()} == {key: key for key in known}
    for bug in (_raised(lambda: {}["missing"]), _raised(lambda: None.upper()), ValueError("x"), TypeError("y")):
        assert input_error_key(bug) is None


# -- symbolic links: inside the manual's folder followed, out of it refused ------------------------------
def test_a_symlink_out_of_the_manual_is_refused_and_one_inside_is_read(tmp_path):
    import json

    root = copy_manual(MINIMAL, tmp_path / "m")
    draft = (root / "policies/0102-2020.md").read_text(encoding="utf-8")
    secret = tmp_path / "elsewhere" / "secret.md"
    secret.parent.mkdir()
    secret.write_text(draft.replace("0102-2020", "0103-2020").replace("客户档案管理制度", "外面的文件"), encoding="utf-8")
    (root / "policies/0103-2020.md").symlink_to(secret)
    (root / "forms/passwd.yaml").symlink_to("/etc/passwd")
    (root / "drafts").mkdir()
    (root / "drafts/0104.md").write_text(draft.replace("0102-2020", "0104-2020").replace("客户档案管理制度", "内部的草稿"),
                                         encoding="utf-8")
    (root / "policies/0104-2020.md").symlink_to("../drafts/0104.md")

    result = run_cli("check", "--root", root, "--format", "json", "--lang", "en")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    findings = json.loads(result.stdout)["findings"]
    refused = {(f["path"], f["line"]): f["message"] for f in findings if f["rule"] == "symlink-outside"}
    assert set(refused) == {("policies/0103-2020.md", 1), ("forms/passwd.yaml", 1)}
    assert str(secret) in refused[("policies/0103-2020.md", 1)] and "/etc/passwd" in refused[("forms/passwd.yaml", 1)]
    # the link inside the folder was read: its code is known (only the chapter list lacks it)
    assert [(f["rule"], f["path"]) for f in findings if f["rule"] != "symlink-outside"] == \
        [("chapter-list", "policies/0104-2020.md")]
    assert not any("外面的文件" in f["message"] or "root:" in f["message"] for f in findings)


# -- a folder that is no manual: every verb says how to start one, exit 2 ----------------------------------
VERBS = {
    "check": ["check"],
    "build": ["build"],
    "serve": ["serve", "--port", "1"],
    "approve": ["approve", "0101-2020", "--step", "prepared", "--name", "张三"],
    "release": ["release", "2020.1"],
    "forms fill": ["forms", "fill", "visit-record", "--data", "rows.csv"],
    "new": ["new", "policy", "--title", "新制度"],
    "verify --edition": ["verify", "manual.pdf", "--edition", "2020.1"],
}


@pytest.mark.parametrize("where", ["cwd", "--root"])
@pytest.mark.parametrize("verb", sorted(VERBS))
def test_a_folder_without_a_manual_is_a_usage_error_with_a_hint(tmp_path, verb, where):
    folder = tmp_path / "not-a-manual"
    folder.mkdir()
    (folder / "rows.csv").write_text("customer\n甲\n", encoding="utf-8")
    (folder / "manual.pdf").write_bytes(b"%PDF-1.7\n")
    args = VERBS[verb] + (["--root", folder] if where == "--root" else []) + ["--lang", "en"]
    result = run_cli(*args, cwd=folder, timeout=120)
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert "manual init" in lines[0] and "--root" in lines[0], lines[0]
