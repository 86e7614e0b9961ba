"""The README's screenshot of the draft preview (docs/img/preview-draft.png).

    .venv/bin/python scripts/preview_screenshot.py [--out docs/img/preview-draft.png]

A copy of the shipped manual is served by ``manual serve`` (as HR runs it); clause 1 of 0110-2014 is
edited as in the README's walkthrough; Chromium (Debian's, through Playwright) opens the page once the
edit shows and takes the banner and findings (top) and the redline (bottom) into one picture.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
OLD, NEW = "原则上每月必须访问大客户一次以上。", "原则上每两周必须访问大客户一次以上。"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "docs/img/preview-draft.png")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="preview-shot-") as tmp:
        root = Path(tmp) / "m"
        for part in ("manual", "policies", "forms", "mkdocs.yml"):
            src = REPO / part
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, root / part) if src.exists() else None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(REPO))
        proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port", str(port),
                                 "-q"], env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/documents/0110-2014.html"

        def page() -> str:
            try:
                with urllib.request.urlopen(url, timeout=30) as resp:
                    return resp.read().decode("utf-8")
            except OSError:
                return ""

        try:
            end = time.monotonic() + 300
            while "0110-2014" not in page():
                assert time.monotonic() < end and proc.poll() is None, "manual serve did not start"
                time.sleep(0.3)
            time.sleep(1)
            policy = root / "policies/0110-2014.md"
            policy.write_text(policy.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")
            while NEW not in page():
                assert time.monotonic() < end, "the edit did not show"
                time.sleep(0.2)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                tab = browser.new_page(viewport={"width": 1200, "height": 1000}, device_scale_factor=1)
                tab.goto(url)
                tab.wait_for_selector(".preview-draft")
                tab.evaluate("""() => {
                    // one picture: the title, the banner and the findings, then the redline
                    const article = document.querySelector('article');
                    const keep = new Set();
                    let on = true;
                    for (const el of Array.from(article.children)) {
                        if (el.tagName === 'H2' && on && el.id !== 'preview-redline') { on = false; }
                        if (el.id === 'preview-redline') { on = true; }
                        if (!on && !el.classList.contains('preview-watermark')) el.style.display = 'none';
                    }
                    document.querySelector('header').style.display = 'none';
                    window.scrollTo(0, 0);
                }""")
                args.out.parent.mkdir(parents=True, exist_ok=True)
                tab.locator("article").screenshot(path=str(args.out))
                browser.close()
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
