"""The draft preview of ``manual serve`` (issue #20): a real server on a copy of the shipped manual, read
over HTTP as a browser reads it.

An edit shows at once with the 草稿/待批准 banner, the findings panel and the redline; a YAML edit that
cannot be parsed shows its error on that page only, every other page stays current; fixing it clears it.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from html import unescape

import pytest

from conftest import REPO, copy_manual, run_cli

pytestmark = pytest.mark.slow

DOC = "policies/0110-2014.md"
OLD = "原则上每月必须访问大客户一次以上。"
NEW = "原则上每两周必须访问大客户一次以上。"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(predicate, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def _article(page: str) -> str:
    """The page's main text as a reader sees it: the article, tags removed, styles dropped."""
    start, end = page.find("<article"), page.find("</article>")
    body = re.sub(r"<style>.*?</style>", "", page[start:end], flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", body))


@contextmanager
def serving(root, log_path, extra_env=None):
    """``manual serve`` on ``root`` on a free port, its first build awaited; yields the base URL."""
    port = _free_port()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1", **(extra_env or {}))
    env.pop("MANUAL_DEBUG", None)
    log = open(log_path, "w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}/"
    try:
        assert _wait_for(lambda: _get(base + "documents/0110-2014.html"), timeout=180), log_path.read_text("utf-8")
        yield base
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    assert "Traceback" not in log_path.read_text("utf-8")


@pytest.fixture
def served(tmp_path):
    root = copy_manual(REPO, tmp_path / "m")
    log_path = tmp_path / "serve.log"
    with serving(root, log_path) as base:
        yield root, base, log_path


def test_an_edit_shows_at_once_with_banner_findings_and_redline(served):
    root, base, log_path = served
    url = base + "documents/0110-2014.html"
    first = _article(_get(url))
    assert OLD in first and "草稿/待批准" not in first
    assert not (root / "site").exists()  # the preview never writes the staff site
    policy = root / DOC
    policy.write_text(policy.read_text("utf-8").replace(OLD, NEW), encoding="utf-8")
    page = _wait_for(lambda: (h := _get(url)) and NEW in h and h, timeout=30)
    assert page, log_path.read_text("utf-8")
    text = _article(page)
    # the banner and the watermark
    assert "草稿/待批准" in text and "本文件的内容自批准以来已修改" in text
    assert 'class="preview-watermark"' in page
    # the findings panel: each finding with file:line and its message in the manual's language
    assert "本页的检查结果（4）" in text
    assert "policies/0110-2014.md:18" in text and "该签署已失效；请重新签署" in text
    assert "policies/0110-2014.md:7" in text and "请升级版本号" in text
    # the redline, linked from the banner: the deleted and the inserted words marked
    assert 'href="#preview-redline"' in page and 'id="preview-redline"' in page
    redline = page[page.find('id="preview-redline"'):]
    assert "<del>月</del>" in redline and "<ins>两周</ins>" in redline
    # the findings index, linked from every page, lists them too
    home = _get(base + "index.html")
    assert 'href="findings.html"' in home and "草稿/待批准" not in _article(home)
    findings = _article(_get(base + "findings.html"))
    assert "检查发现 4 个错误" in findings and "policies/0110-2014.md:20" in findings
    # the terminal says what was updated: the page and the findings page, not the whole site
    assert re.search(r"预览已更新（[1-4] 个页面", log_path.read_text("utf-8"))


def test_a_broken_yaml_edit_keeps_that_page_and_leaves_the_others_current(served):
    root, base, log_path = served
    url = base + "documents/0110-2014.html"
    other_url = base + "documents/0108-2014.html"
    policy, other = root / DOC, root / "policies/0108-2014.md"
    source = policy.read_text("utf-8")
    # an edit of the body and a YAML error in the front matter, at once
    policy.write_text(source.replace(OLD, NEW).replace("title: 客户回访制度", "title: [客户回访制度"),
                      encoding="utf-8")
    page = _wait_for(lambda: (h := _get(url)) and "无法读取" in h and h, timeout=30)
    assert page, log_path.read_text("utf-8")
    text = _article(page)
    assert "源文件无法读取：显示的是上一次可以读取的内容" in text
    box = text[text.find("源文件无法读取"):text.find("源文件无法读取") + 400]
    assert re.search(r"policies/0110-2014\.md:[45] 错误", box), box  # the parse error, at its line
    assert OLD in text and NEW not in text  # the last readable content
    # every other page stays current: an edit elsewhere shows
    other_text = other.read_text("utf-8")
    line = next(ln for ln in other_text.splitlines() if ln.startswith("1. "))
    other.write_text(other_text.replace(line, line + "（预览测试）"), encoding="utf-8")
    assert _wait_for(lambda: (h := _get(other_url)) and "（预览测试）" in h, timeout=30), log_path.read_text("utf-8")
    assert "无法读取" not in _get(other_url)
    # fixed: the error is gone and the edit shows
    policy.write_text(source.replace(OLD, NEW), encoding="utf-8")
    fixed = _wait_for(lambda: (h := _get(url)) and NEW in h and "无法读取" not in h and h, timeout=30)
    assert fixed, log_path.read_text("utf-8")
    assert "源文件无法读取" not in _article(fixed)


def test_build_stays_strict_and_its_site_has_no_preview_chrome(tmp_path):
    root = copy_manual(REPO, tmp_path / "m")
    policy = root / DOC
    r = run_cli("build", "site", "--root", root)
    assert r.returncode == 0, r.stderr
    page = (root / "site/documents/0110-2014.html").read_text("utf-8")
    assert "preview-" not in page and not (root / "site/findings.html").exists()
    policy.write_text(policy.read_text("utf-8").replace(OLD, NEW), encoding="utf-8")
    r = run_cli("build", "site", "--root", root)
    assert r.returncode == 1 and "approval-stale" in r.stderr
    assert OLD in (root / "site/documents/0110-2014.html").read_text("utf-8")


# -- the whole loop: edit, revise, diff, approve ×3, clean (issue #20's "done when") -----------------------
def _git(root, *args):
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})


def test_the_whole_loop_with_the_preview_running(tmp_path):
    root = copy_manual(REPO, tmp_path / "m")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "the shipped manual")
    today = {"MANUAL_TODAY": "2026-11-30"}
    log_path = tmp_path / "serve.log"
    url_of = "documents/0110-2014.html"

    def cli(*args):
        return run_cli(*args, "--root", root, "--lang", "zh-CN", env=today)

    with serving(root, log_path, today) as base:
        url = base + url_of
        # edit a clause: the preview shows it within seconds, with the banner, the findings and the redline
        policy = root / DOC
        policy.write_text(policy.read_text("utf-8").replace(OLD, NEW), encoding="utf-8")
        page = _wait_for(lambda: (h := _get(url)) and NEW in h and "草稿/待批准" in h and h, timeout=30)
        assert page, log_path.read_text("utf-8")
        assert "本页的检查结果（4）" in _article(page)
        assert "<del>月</del>" in page and "<ins>两周</ins>" in page
        # manual revise: version 1.2, in review; the preview follows, still a draft
        done = cli("revise", "0110-2014", "--summary", "回访频率由每月改为每两周")
        assert done.returncode == 0, done.stderr
        page = _wait_for(lambda: (h := _get(url)) and "审核中" in h and h, timeout=30)
        assert page and "草稿/待批准" in page and "回访频率由每月改为每两周" in page, log_path.read_text("utf-8")
        # manual diff shows the clause change
        diff = cli("diff", "0110-2014")
        assert diff.returncode == 0, diff.stderr
        assert "~ 1. 客服部应定期对客户进行访问，原则上每[-月-][+两周+]必须访问大客户一次以上。" in diff.stdout
        # three approvals close the change
        for step, person in (("prepared", "sample-jia"), ("reviewed", "sample-yi"), ("approved", "sample-bing")):
            signed = cli("approve", "0110-2014", "--step", step, "--as", person)
            assert signed.returncode == 0, signed.stdout + signed.stderr
        check = cli("check")
        assert check.returncode == 0, check.stdout + check.stderr
        # the banner is gone, the page is the effective version 1.2, the findings page is empty
        page = _wait_for(lambda: (h := _get(url)) and "草稿/待批准" not in h and h, timeout=30)
        assert page, log_path.read_text("utf-8")
        text = _article(page)
        assert NEW in text and "1.2" in text and "本页的检查结果" not in text and "自批准版本以来的修改" not in text
        assert "检查没有发现问题。" in _article(_get(base + "findings.html"))
