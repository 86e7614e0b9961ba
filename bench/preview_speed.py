"""Edit-to-visible in the draft preview of ``manual serve`` (issue #20): the shipped manual (14 documents)
and a synthetic one of 500 (``bench/synth.py``).

    .venv/bin/python bench/preview_speed.py                    # 14 and 500 documents, 5 edits each
    .venv/bin/python bench/preview_speed.py --sizes 500 --edits 10

For each manual: a copy in a temporary folder, ``manual serve`` started on a free port (its own
process, as a user runs it), the first build awaited; then, per edit, a clause of one document is
rewritten on disk and the document's page is polled over HTTP every 20 ms until the new text is
served.  The figure is the time from the write to the first answer that holds the new text: the file
watcher's polling (MkDocs' watchdog, 0.5 s) and its settle delay (0.1 s) included, as a user sees it.
Every other edit also breaks and fixes nothing: the manual has findings (stale sign-offs) from the
first edit on, as while HR edits.  The serve log's own figure (read, check and render) is reported
too.  Writes ``bench/results/preview-<date>.json`` (``--out``).  Nothing here is a test; nothing
fails on a slow machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402

PARTS = ("manual", "policies", "forms", "mkdocs.yml")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.read().decode("utf-8")
    except OSError:
        return ""


def make_manual(size: int, folder: Path) -> tuple[Path, str]:
    """The manual and the document whose page is edited."""
    if size == 14:
        for part in PARTS:
            src = REPO / part
            if src.is_dir():
                shutil.copytree(src, folder / part)
            elif src.is_file():
                shutil.copy2(src, folder / part)
        return folder, "0110-2014"
    synth.write_manual(folder, size, max(1, size // 10))
    docs = sorted((folder / "policies").glob("*.md"))
    return folder, docs[len(docs) // 2].stem


def measure(size: int, edits: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="preview-bench-") as tmp:
        root, code = make_manual(size, Path(tmp) / "m")
        port = free_port()
        log_path = Path(tmp) / "serve.log"
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))
        with open(log_path, "w", encoding="utf-8") as log:
            start = time.perf_counter()
            proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--root", str(root), "--port",
                                     str(port)], stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
        url = f"http://127.0.0.1:{port}/documents/{code}.html"
        try:
            while code not in get(url):
                if proc.poll() is not None or time.perf_counter() - start > 1800:
                    raise SystemExit(log_path.read_text(encoding="utf-8"))
                time.sleep(0.2)
            first = time.perf_counter() - start
            time.sleep(1.0)  # the watcher has started
            path = next((root / "policies").glob(f"{code}*.md"))
            times = []
            for i in range(edits):
                text = path.read_text(encoding="utf-8")
                marker = f"（第{i + 1}次修改）"
                lines = text.split("\n")
                at = next(n for n, ln in enumerate(lines) if re.match(r"^\d+\. ", ln))
                lines[at] = lines[at] + marker
                t0 = time.perf_counter()
                path.write_text("\n".join(lines), encoding="utf-8")
                while marker not in get(url):
                    if time.perf_counter() - t0 > 120:
                        raise SystemExit(f"edit {i + 1} not visible after 120 s\n" + log_path.read_text("utf-8"))
                    time.sleep(0.02)
                times.append(time.perf_counter() - t0)
                time.sleep(0.8)  # the next edit is a new one, not a burst
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log = log_path.read_text(encoding="utf-8")
    own = [float(s) for s in re.findall(r"(?:预览已更新|preview updated)[（(]\d+ [^，,]+[，,] ?([\d.]+)", log)]
    return {"documents": size, "edited": code, "first_build_s": round(first, 2),
            "edit_to_visible_s": [round(t, 3) for t in times],
            "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
            "serve_update_s": own[1:], "serve_first_s": own[:1]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[14, 500])
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--out", type=Path, default=BENCH / "results")
    args = ap.parse_args(argv)
    results = []
    for size in args.sizes:
        r = measure(size, args.edits)
        results.append(r)
        print(f"{size:>5} documents: first build {r['first_build_s']} s; edit → visible median {r['median_s']} s, "
              f"max {r['max_s']} s ({', '.join(map(str, r['edit_to_visible_s']))}); "
              f"serve's own update {', '.join(map(str, r['serve_update_s']))} s", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    data = {"date": dt.date.today().isoformat(), "cores": os.cpu_count(), "load_1min": load, "results": results}
    path = args.out / f"preview-{dt.date.today().isoformat()}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
