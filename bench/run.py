"""Benchmark the generator against the engines it drives, all in one run.

    .venv/bin/python bench/run.py            # the full run (several minutes on 2 cores)
    .venv/bin/python bench/run.py --quick    # manual check only: the shipped manual and 50 synthetic documents

What it measures, each as a separate process (wall time, CPU time, peak memory):

* ``manual check`` on the shipped manual and on synthetic manuals of 500, 1,000
  and 2,000 documents (bench/synth.py), with the time per document;
* a full ``manual build`` of the shipped manual (a copy in a temporary folder,
  cold cache), and each target (forms, pdf, docx, site) on its own;
* the engines' floor for the same outputs (bench/floor.py): WeasyPrint rendering
  the already-assembled HTML (the whole manual, each document, each form),
  python-docx opening and saving the DOCX files, and a plain ``mkdocs build`` of
  the generated pages (build/site-src/mkdocs.yml);
* an incremental build after editing one document (warm cache), and a rebuild
  with nothing changed;
* a large build: ``manual build`` of a synthetic manual (``--scale N`` documents,
  default 200; ``--scale 2000`` is the memory goal's size and takes about half an
  hour on 2 cores; ``--scale-forms M``, ``--scale-targets pdf,docx`` to narrow it).

Peak memory is the largest single process of the tree (``ru_maxrss`` from
``wait4``) and the sampled sum over the tree (PSS, so that pages shared by
forked workers count once).

It prints each target next to its measured figure and writes the figures to
``bench/results/<date>.json`` (``--out``).  Benchmarks are not tests: nothing
here fails on a slow machine; the test suite only runs ``--quick``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

import synth  # noqa: E402  (bench/synth.py)

SOURCE_PARTS = ("manual", "policies", "forms", "mkdocs.yml")
MB = 1024 * 1024


class BenchError(Exception):
    pass


# -- running and measuring one process -------------------------------------------------------------
def _tree(pid: int) -> list[int]:
    """pid and all its descendants (children of every thread: pools fork from helper threads)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                try:
                    with open(f"/proc/{p}/task/{task}/children") as fh:
                        todo.extend(int(c) for c in fh.read().split())
                except OSError:
                    pass
        except OSError:
            pass
    return out


def _memory_kb(pid: int) -> int:
    """Proportional set size (PSS) of one process, or its RSS where PSS is not readable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(cmd: list, *, cwd: Path | None = None, interval: float = 0.1, check: bool = True) -> dict:
    """Run ``cmd``; its wall seconds, CPU seconds (with its children), peak memory and output."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONDONTWRITEBYTECODE="1")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, env=env, stdout=out, stderr=err)
        peak = 0
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                peak = max(peak, sum(_memory_kb(p) for p in _tree(proc.pid)))
                time.sleep(interval)
        except BaseException:  # interrupted: stop the whole tree we started, then pass it on
            for p in reversed(_tree(proc.pid)):
                try:
                    os.kill(p, 15)
                except OSError:
                    pass
            proc.wait()
            raise
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    result = {"seconds": round(wall, 3), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
              "max_process_mb": round(usage.ru_maxrss / 1024, 1), "peak_tree_mb": round(peak / 1024, 1),
              "returncode": proc.returncode}
    if check and proc.returncode != 0:
        raise BenchError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{stderr[-3000:]}")
    result["stdout"], result["stderr"] = stdout, stderr
    return result


def _public(m: dict) -> dict:
    return {k: v for k, v in m.items() if k not in ("stdout", "stderr")}


def manual_cmd(*args) -> list:
    return [sys.executable, "-m", "generator", *args]


def median_of(cmd: list, repeat: int, **kw) -> dict:
    runs = [measure(cmd, **kw) for _ in range(repeat)]
    best = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    out = _public(best)
    out["runs"] = [r["seconds"] for r in runs]
    return out


def copy_sources(src: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for part in SOURCE_PARTS:
        p = src / part
        if p.is_dir():
            shutil.copytree(p, dest / part)
        elif p.is_file():
            shutil.copy2(p, dest / part)
    return dest


def count_documents(root: Path) -> int:
    return len(list((root / "policies").glob("*.md")))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the one edit of the incremental build ------------------------------------------------------------------
def _check_errors(root: Path) -> list[dict]:
    r = measure(manual_cmd("check", "--root", root, "--format", "json"), check=False)
    if r["returncode"] not in (0, 1):
        raise BenchError(f"manual check failed: {r['stderr'][-2000:]}")
    return [f for f in json.loads(r["stdout"])["findings"] if f["severity"] == "error"]


def edit_one_document(root: Path) -> dict:
    """Change the text of one clause of a document in the middle of the manual, the way an editor
    would: where the manual is fingerprinted, also bump the version, add a revision and sign again
    (``manual approve``), so that the edited manual passes ``manual check``.  Not timed."""
    from generator.model.build import read_manual

    manual, _ = read_manual(root)
    docs = [d for d in manual.documents if "\n1. " in "\n" + d.body]
    if not docs:
        raise BenchError("no document with a numbered clause to edit")
    doc = docs[len(docs) // 2]
    path = root / doc.path
    text = path.read_text(encoding="utf-8")
    front_end = text.index("\n---", 3)
    head, body = text[:front_end], text[front_end:]
    body = re.sub(r"(\n1\. )", r"\1（本条已修订）", body, count=1)
    path.write_text(head + body, encoding="utf-8")
    done = {"document": doc.code, "edit": "clause 1 reworded"}
    if not _check_errors(root):
        return done
    signed = [s for s in doc.signoffs() if s.date and s.name]
    last = max((s.date for s in signed), default=dt.date(2000, 1, 1))
    new_date = last + dt.timedelta(days=1)
    old_version = doc.version
    parts = old_version.split(".")
    new_version = ".".join(parts[:-1] + [str(int(parts[-1]) + 1)]) if parts[-1].isdigit() else old_version + ".1"
    lines = head.split("\n")
    out = []
    rev_at = max((i for i, line in enumerate(lines) if re.match(r"\s+- \{\s*version:", line)), default=None)
    if rev_at is None:
        raise BenchError(f"{doc.path}: no flow-style revision entries to extend")
    for i, line in enumerate(lines):
        if re.match(r"version:\s", line):
            line = f'version: "{new_version}"'
        elif re.match(r"effective:\s", line) and doc.effective and doc.effective < new_date:
            line = f"effective: {new_date.isoformat()}"
        out.append(line)
        if i == rev_at:
            indent = re.match(r"(\s*)", line).group(1)
            out.append(f'{indent}- {{version: "{new_version}", date: {new_date.isoformat()}, '
                       f"summary: 第1条措辞修订（基准测试）, by: 业务部}}")
    path.write_text("\n".join(out) + body, encoding="utf-8")
    for s in signed:
        measure(manual_cmd("approve", doc.code, "--root", root, "--step", s.step, "--name", s.name,
                           "--date", new_date.isoformat(), "--quiet"))
    errors = _check_errors(root)
    if errors:
        raise BenchError(f"the edited manual does not pass manual check: {errors[:3]}")
    done.update(version=f"{old_version} → {new_version}", signed_again=[s.step for s in signed])
    return done


# -- the engines' floor ---------------------------------------------------------------------------------------------
def prepare_floor_inputs(root: Path, folder: Path) -> dict:
    """The HTML the PDF and forms publishers hand to WeasyPrint (not timed)."""
    from generator.publishers.forms import html as forms_html
    from generator.publishers.pdf import plan as pdf_plan
    from generator.publishers.render import view as pm
    from generator.model.build import read_manual

    manual, _ = read_manual(root)
    lang = manual.locale if manual.locale in ("zh-CN", "en") else "zh-CN"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manual.html").write_text(pdf_plan.manual_html(manual, lang=lang), encoding="utf-8")
    docs = pm.print_documents(manual)
    for doc in docs:
        (folder / f"doc-{doc.slug}.html").write_text(pdf_plan.single_html(manual, doc, lang=lang), encoding="utf-8")
    forms = sorted(manual.forms)
    if forms:
        from generator.publishers.forms.font import field_font_file

        font = folder / "field-font.ttf"
        shutil.copy2(field_font_file(), font)
        real = field_font_file().as_uri()
        for fid in forms:
            html = forms_html.page_html(manual, manual.forms[fid], lang=lang, pdf=True)
            (folder / f"form-{fid}.html").write_text(html.replace(real, font.as_uri()), encoding="utf-8")
    return {"documents": len(docs), "forms": len(forms)}


def floor(root: Path, dist: Path, work: Path, jobs: int) -> dict:
    html_dir = work / "floor-html"
    inputs = prepare_floor_inputs(root, html_dir)
    weasy = measure([sys.executable, BENCH / "floor.py", "weasyprint", html_dir, "--jobs", jobs])
    docx_dir = work / "floor-docx"
    if docx_dir.exists():
        shutil.rmtree(docx_dir)
    docx_dir.mkdir(parents=True)
    for path in sorted(dist.rglob("*.docx")):
        target = docx_dir / path.relative_to(dist)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    docx = measure([sys.executable, BENCH / "floor.py", "docx", docx_dir])
    config = root / "build" / "site-src" / "mkdocs.yml"
    if not config.is_file():
        raise BenchError(f"{config} is missing: build the site first")
    mkdocs = measure([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", config, "-d", work / "floor-site"])
    parts = {"weasyprint": _public(weasy), "python_docx": _public(docx), "mkdocs": _public(mkdocs)}
    parts["weasyprint"]["engine"] = json.loads(weasy["stdout"])
    parts["python_docx"]["engine"] = json.loads(docx["stdout"])
    return {"inputs": inputs, "parts": parts, "seconds": round(sum(p["seconds"] for p in parts.values()), 3)}


# -- the runs ---------------------------------------------------------------------------------------------------------
def bench_checks(shipped: Path, sizes: list[int], work: Path, repeat: int) -> dict:
    out = {"shipped": {"documents": count_documents(shipped),
                       **median_of(manual_cmd("check", "--root", shipped, "--quiet"), repeat, check=False)},
           "synthetic": []}
    log(f"check shipped manual: {out['shipped']['seconds']:.2f} s")
    for n in sizes:
        root = synth.write_manual(work / f"synthetic-{n}", n, max(1, n // 10))
        m = median_of(manual_cmd("check", "--root", root, "--quiet"), repeat)
        m.update(documents=n, forms=max(1, n // 10), ms_per_document=round(1000 * m["seconds"] / n, 3))
        out["synthetic"].append(m)
        log(f"check {n} documents: {m['seconds']:.2f} s ({m['ms_per_document']:.2f} ms per document)")
    return out


def bench_builds(shipped: Path, work: Path, jobs: int, breakdown: bool) -> dict:
    root = copy_sources(shipped, work / "build-full")
    log("full build of the shipped manual (cold cache) …")
    full = _public(measure(manual_cmd("build", "--root", root, "--quiet", "--jobs", jobs)))
    log(f"  {full['seconds']:.1f} s")
    out: dict = {"documents": count_documents(root), "jobs": jobs, "full": full}
    if breakdown:
        per = copy_sources(shipped, work / "build-targets")
        out["targets"] = {}
        for target in ("forms", "pdf", "docx", "site"):
            m = _public(measure(manual_cmd("build", target, "--root", per, "--quiet", "--jobs", jobs)))
            m["cores_used"] = round(m["cpu_seconds"] / m["seconds"], 2) if m["seconds"] else None
            out["targets"][target] = m
            log(f"  {target}: {m['seconds']:.1f} s")
    log("engines' floor …")
    out["floor"] = floor(root, root / "dist", work, jobs)
    log(f"  {out['floor']['seconds']:.1f} s")
    log("rebuild with nothing changed …")
    out["unchanged"] = _public(measure(manual_cmd("build", "--root", root, "--quiet", "--jobs", jobs)))
    out["edit"] = edit_one_document(root)
    log(f"incremental build after editing {out['edit']['document']} …")
    out["incremental"] = _public(measure(manual_cmd("build", "--root", root, "--quiet", "--jobs", jobs)))
    log(f"  {out['incremental']['seconds']:.1f} s")
    return out


def bench_scale(work: Path, documents: int, jobs: int, targets: list[str], forms: int | None = None) -> dict:
    """``manual build <targets>`` of a synthetic manual of ``documents`` documents: time, pages, memory."""
    import pypdf

    forms = max(1, documents // 10) if forms is None else forms
    root = synth.write_manual(work / f"scale-{documents}", documents, forms)
    log(f"manual build {' '.join(targets)}, {documents} synthetic documents and {forms} forms …")
    m = _public(measure(manual_cmd("build", *targets, "--root", root, "--quiet", "--jobs", jobs)))
    pdf = root / "dist" / "manual.pdf"
    pages = len(pypdf.PdfReader(str(pdf)).pages) if pdf.is_file() else None
    m.update(documents=documents, forms=forms, targets=" ".join(targets), manual_pages=pages)
    m["ms_per_document"] = round(1000 * m["seconds"] / documents, 2)
    if "site" in targets:
        m["site"] = site_size(root / "site")
        log(f"  site: {m['site']['mb']:.0f} MB in {m['site']['files']} files, largest page "
            f"{m['site']['largest_page_kb']:.0f} KB, search index {m['site']['search_index_mb']:.1f} MB")
    log(f"  {m['seconds']:.1f} s, manual.pdf {pages} pages, peak {m['peak_tree_mb']:.0f} MB "
        f"(largest process {m['max_process_mb']:.0f} MB)")
    return m


def site_size(site: Path) -> dict:
    """What a built site weighs: all its files (MB), their number, the largest HTML page and the search index."""
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = [p.stat().st_size for p in files if p.suffix == ".html"]
    index = site / "search" / "search_index.json"
    return {"mb": round(sum(p.stat().st_size for p in files) / MB, 1), "files": len(files),
            "largest_page_kb": round(max(pages, default=0) / 1024, 1),
            "search_index_mb": round(index.stat().st_size / MB, 2) if index.is_file() else 0}


def marginal_ms(synthetic: dict) -> list[tuple[str, float]]:
    """Milliseconds per added document between consecutive sizes: ("500→1000", ms), …"""
    sizes = sorted(synthetic)
    return [(f"{a}→{b}", 1000 * (synthetic[b]["seconds"] - synthetic[a]["seconds"]) / (b - a))
            for a, b in zip(sizes, sizes[1:])]


# -- targets -----------------------------------------------------------------------------------------------------------
def targets(results: dict) -> list[dict]:
    rows = []
    checks = results.get("check", {})
    synthetic = {s["documents"]: s for s in checks.get("synthetic", [])}
    if 2000 in synthetic:
        s = synthetic[2000]
        rows.append({"target": "manual check, 2,000 documents", "goal": "< 3 s",
                     "measured": f"{s['seconds']:.2f} s", "ok": s["seconds"] < 3})
    slopes = marginal_ms(synthetic)
    if len(slopes) >= 2:
        growth = slopes[-1][1] / slopes[0][1] if slopes[0][1] > 0 else float("inf")
        rows.append({"target": "check grows linearly", "goal": "cost of one more document ≈ constant (≤ 1.2×)",
                     "measured": " / ".join(f"{ms:.2f} ms ({span})" for span, ms in slopes),
                     "ratio": round(growth, 2), "ok": growth <= 1.2})
    b = results.get("build")
    if b:
        ratio = b["full"]["seconds"] / b["floor"]["seconds"]
        rows.append({"target": "full build vs the engines' floor", "goal": "≤ 1.3×",
                     "measured": f"{b['full']['seconds']:.1f} s vs {b['floor']['seconds']:.1f} s",
                     "ratio": round(ratio, 2), "ok": ratio <= 1.3})
        inc = b["incremental"]["seconds"] / b["full"]["seconds"]
        rows.append({"target": "rebuild after editing one document vs full build", "goal": "≤ 20%",
                     "measured": f"{b['incremental']['seconds']:.1f} s vs {b['full']['seconds']:.1f} s",
                     "ratio": round(inc, 3), "ok": inc <= 0.20})
        pdf = (b.get("targets") or {}).get("pdf")
        if pdf:
            rows.append({"target": "PDF rendering uses both cores", "goal": "CPU time / wall time ≈ 2",
                         "measured": f"{pdf['cpu_seconds']:.1f} s CPU in {pdf['seconds']:.1f} s",
                         "ratio": pdf["cores_used"], "ok": pdf["cores_used"] >= 1.5})
    s = results.get("scale")
    if s:
        rows.append({"target": f"build ({s['targets']}) of {s['documents']:,} documents peaks under 2 GB",
                     "goal": "< 2,048 MB" + ("" if s["documents"] >= 2000 else " (goal is for 2,000 documents)"),
                     "measured": f"{s['peak_tree_mb']:.0f} MB (largest process {s['max_process_mb']:.0f} MB), "
                                 f"{s['seconds']:.0f} s, {s.get('forms', '?')} forms, manual.pdf {s['manual_pages']} pages",
                     "ok": max(s["peak_tree_mb"], s["max_process_mb"]) < 2048})
    if s and s.get("site"):
        rows.append({"target": f"site of {s['documents']:,} documents under 200 MB", "goal": "< 200 MB",
                     "measured": f"{s['site']['mb']:.0f} MB in {s['site']['files']} files (largest page "
                                 f"{s['site']['largest_page_kb']:.0f} KB), {s['ms_per_document']:.0f} ms per document",
                     "ok": s["site"]["mb"] < 200})
    if 2000 in synthetic:
        s = synthetic[2000]
        peak = max(s["peak_tree_mb"], s["max_process_mb"])
        rows.append({"target": "check of 2,000 documents peaks under 2 GB", "goal": "< 2,048 MB",
                     "measured": f"{peak:.0f} MB", "ok": peak < 2048})
    return rows


def print_table(results: dict) -> None:
    print(f"\nBenchmark {results['date']} · {results['machine']['cores']} cores · "
          f"load before {results['machine']['load_before']} · after {results['machine']['load_after']}")
    checks = results.get("check") or {}
    if checks:
        s = checks["shipped"]
        print(f"\nmanual check\n  the manual ({s['documents']} documents) {s['seconds']:7.2f} s")
        for m in checks["synthetic"]:
            print(f"  {m['documents']:>5} documents         {m['seconds']:7.2f} s   {m['ms_per_document']:6.2f} ms/document"
                  f"   peak {m['peak_tree_mb']:6.0f} MB")
    b = results.get("build")
    if b:
        print(f"\nbuild of the manual ({b['documents']} documents, --jobs {b['jobs']})")
        print(f"  full build, cold cache        {b['full']['seconds']:7.1f} s   peak {b['full']['peak_tree_mb']:.0f} MB")
        for t, m in (b.get("targets") or {}).items():
            print(f"    {t:<6} alone                {m['seconds']:7.1f} s   {m['cores_used']:.2f} cores")
        f = b["floor"]["parts"]
        print(f"  engines' floor                {b['floor']['seconds']:7.1f} s")
        print(f"    WeasyPrint (manual, {b['floor']['inputs']['documents']} documents, {b['floor']['inputs']['forms']} forms)"
              f"  {f['weasyprint']['seconds']:.1f} s")
        print(f"    python-docx open + save      {f['python_docx']['seconds']:7.1f} s")
        print(f"    mkdocs build                 {f['mkdocs']['seconds']:7.1f} s")
        print(f"  rebuild, nothing changed      {b['unchanged']['seconds']:7.1f} s")
        print(f"  rebuild after editing {b['edit']['document']}  {b['incremental']['seconds']:7.1f} s")
    sc = results.get("scale")
    if sc:
        print(f"\nmanual build {sc['targets']}, {sc['documents']} synthetic documents, {sc.get('forms', '?')} forms: "
              f"{sc['seconds']:.1f} s, "
              f"manual.pdf {sc['manual_pages']} pages, peak {sc['peak_tree_mb']:.0f} MB "
              f"(largest process {sc['max_process_mb']:.0f} MB)")
    print("\n| target | goal | measured | ratio | met |\n|---|---|---|---|---|")
    for row in results["targets"]:
        ratio = row.get("ratio", "")
        print(f"| {row['target']} | {row['goal']} | {row['measured']} | {ratio} | {'yes' if row['ok'] else 'no'} |")


def machine() -> dict:
    from importlib import metadata

    versions = {}
    for name in ("weasyprint", "pydyf", "python-docx", "mkdocs", "mkdocs-material", "pypdf", "pyhanko", "PyYAML",
                 "markdown-it-pyrs", "jsonschema-rs"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "memory_mb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / MB),
            "load_before": [round(x, 2) for x in os.getloadavg()], "versions": versions}


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true",
                   help="manual check of the shipped manual and of 50 synthetic documents only")
    p.add_argument("--manual", type=Path, default=REPO, help="the manual to check and build (default: the shipped one)")
    p.add_argument("--sizes", default=None, help="synthetic sizes for manual check (default 500,1000,2000)")
    p.add_argument("--build", action="store_true", help="with --quick: also the build, floor and incremental runs")
    p.add_argument("--no-breakdown", action="store_true", help="skip the per-target builds")
    p.add_argument("--scale", type=int, default=None,
                   help="documents of the large synthetic build (default 200; 0: skip; the memory goal is for 2000)")
    p.add_argument("--scale-forms", type=int, default=None, help="forms of that manual (default: documents / 10)")
    p.add_argument("--scale-targets", default="forms,pdf,docx,site",
                   help="what the large build builds (default: everything, as `manual build` does)")
    p.add_argument("--repeat", type=int, default=None, help="runs of each manual check; the median counts (default 3)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--out", type=Path, default=BENCH / "results", help="folder of the results JSON")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder")
    p.add_argument("--tag", default="", help="added to the results file's name (2026-12-01-TAG.json)")
    args = p.parse_args(argv)

    quick = args.quick
    sizes = [int(s) for s in (args.sizes or ("50" if quick else "500,1000,2000")).split(",") if s]
    repeat = args.repeat or (1 if quick else 3)
    scale = args.scale if args.scale is not None else (0 if quick else 200)
    with_build = args.build or not quick
    shipped = args.manual.resolve()
    if not (shipped / "manual" / "manual.yaml").is_file():
        print(f"bench: {shipped} holds no manual/manual.yaml", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, _terminate)
    work = Path(tempfile.mkdtemp(prefix="manual-bench-"))
    results: dict = {"date": dt.date.today().isoformat(), "mode": "quick" if quick else "full",
                     "manual": str(shipped), "machine": machine()}
    try:
        results["check"] = bench_checks(shipped, sizes, work, repeat)
        if with_build:
            results["build"] = bench_builds(shipped, work, args.jobs, breakdown=not args.no_breakdown)
        if scale:
            results["scale"] = bench_scale(work, scale, args.jobs, [t for t in args.scale_targets.split(",") if t],
                                           args.scale_forms)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = targets(results)
    args.out.mkdir(parents=True, exist_ok=True)
    name = results["date"] + ("-quick" if quick else "") + (f"-{args.tag}" if args.tag else "") + ".json"
    path = args.out / name
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
