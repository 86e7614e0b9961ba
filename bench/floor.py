"""The engines' floor: the engines alone, on inputs the generator already made.

Run by bench/run.py in a fresh process, so that its wall time holds what any
program driving the engine pays (interpreter, importing the engine) and nothing
of the generator:

    python bench/floor.py weasyprint DIR [--jobs N]
        every DIR/*.html to PDF with WeasyPrint, the way the build calls it
        (``manual*.html`` first; ``form-*.html`` with ``pdf_forms=True``),
        in N forked worker processes like the build;
    python bench/floor.py docx DIR
        every DIR/**/*.docx opened and saved with python-docx.

It prints one JSON line: {"files": n, "seconds": engine-only seconds}.
"""
from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path


def _render(path: str) -> int:
    import weasyprint

    html = Path(path).read_text(encoding="utf-8")
    forms = Path(path).name.startswith("form-")
    pdf = weasyprint.HTML(string=html, base_url=str(Path(path).parent)).write_pdf(pdf_forms=forms)
    return len(pdf)


def weasyprint_floor(folder: Path, jobs: int) -> dict:
    import logging
    import multiprocessing as mp

    import weasyprint  # noqa: F401  (imported before the fork, as the build does)

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    files = sorted(folder.glob("*.html"), key=lambda p: (not p.name.startswith("manual"), p.name))
    start = time.perf_counter()
    if jobs > 1 and len(files) > 1 and "fork" in mp.get_all_start_methods():
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=mp.get_context("fork")) as pool:
            sizes = list(pool.map(_render, map(str, files)))
    else:
        sizes = [_render(str(p)) for p in files]
    return {"files": len(files), "seconds": time.perf_counter() - start, "bytes": sum(sizes)}


def docx_floor(folder: Path) -> dict:
    import docx

    files = sorted(folder.rglob("*.docx"))
    start = time.perf_counter()
    for path in files:
        document = docx.Document(str(path))
        document.save(io.BytesIO())
    return {"files": len(files), "seconds": time.perf_counter() - start}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("engine", choices=("weasyprint", "docx"))
    p.add_argument("folder", type=Path)
    p.add_argument("--jobs", type=int, default=1)
    args = p.parse_args(argv)
    result = weasyprint_floor(args.folder, args.jobs) if args.engine == "weasyprint" else docx_floor(args.folder)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
