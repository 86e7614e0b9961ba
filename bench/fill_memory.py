"""Benchmark ``manual forms fill``: peak memory and rows per second against the number of rows.

    .venv/bin/python bench/fill_memory.py                       # 1, 100, 1,000 and 10,000 rows (about 10 minutes
                                                                # on 2 cores; 10,000 rows write 3 GB, removed after)
    .venv/bin/python bench/fill_memory.py --sizes 1,100          # a quick look
    .venv/bin/python bench/fill_memory.py --code /path/to/checkout --sizes 100,1000   # another version's figures

Each size is one ``manual forms fill customer-visit-record --data rows.csv --out DIR``
of the shipped manual (a copy in a temporary folder), run as a separate
process and measured as ``bench/run.py`` measures a build: wall time, CPU time,
the process's peak resident memory (``ru_maxrss`` from ``wait4``) and the
peak of the process tree sampled every 0.1 s.  The CSV rows are realistic:
customer, contact, date, method, satisfaction and a feedback text, different
on every row.  A row costs a fixed start (checking the manual, rendering the
form once, about 3 s on an idle machine) plus the fill itself; rows/s is given both overall and
for the fill alone (the difference to the 1-row run).

What it shows: memory does not grow with the number of rows (every filled PDF
goes to disk as it is made).  It writes ``bench/results/<date>-fill-memory.json``
(``--out``).  Benchmarks are not tests: nothing here fails on a slow machine.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import copy_sources, log, measure  # noqa: E402  (bench/run.py)

FORM = "customer-visit-record"
CUSTOMERS = ["东莞市长安电子厂", "深圳华强贸易公司", "广州新星科技有限公司", "佛山顺德家电配件厂", "惠州仲恺光电有限公司"]
CONTACTS = ["张经理", "李小姐", "王先生", "陈工", "刘主任"]


def write_csv(path: Path, rows: int) -> None:
    """``rows`` visit records, each one different, as Excel saves them in China (GBK)."""
    with open(path, "w", encoding="gbk", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(["customer", "contact", "visit_date", "method", "feedback"])
        for i in range(rows):
            day = dt.date(2014, 1, 1) + dt.timedelta(days=i % 365)
            out.writerow([f"{CUSTOMERS[i % 5]}第{i + 1}分部", CONTACTS[i % 5], f"{day.year}/{day.month}/{day.day}",
                          "上门" if i % 2 else "电话", f"第{i + 1}次回访：交货准时，包装完好，希望下季度增加型号。"])


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def bench_fill(root: Path, work: Path, rows: int, code: Path) -> dict:
    data = work / f"rows-{rows}.csv"
    write_csv(data, rows)
    out = work / f"out-{rows}"
    cmd = [sys.executable, "-m", "generator", "forms", "fill", FORM, "--data", data, "--out", out, "--root", root,
           "--quiet"]
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(code)
    try:
        result = measure(cmd, cwd=code)
    finally:
        if env_path is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = env_path
    files = len(list(out.iterdir()))
    size = folder_size(out)
    shutil.rmtree(out)
    data.unlink()
    if files != rows + 1:
        raise SystemExit(f"{rows} rows gave {files} files")
    public = {k: v for k, v in result.items() if k not in ("stdout", "stderr", "returncode")}
    return {"rows": rows, **public, "rows_per_second": round(rows / result["seconds"], 1),
            "output_mb": round(size / 1024 / 1024, 1)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1,100,1000,10000", help="numbers of rows, comma-separated")
    p.add_argument("--code", type=Path, default=REPO, help="the checkout whose generator runs (default: this one)")
    p.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed after)")
    p.add_argument("--out", type=Path, default=BENCH / "results", help="folder of the results JSON")
    p.add_argument("--name", default="fill-memory", help="the results file's name after the date")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = args.work or Path(tempfile.mkdtemp(prefix="fill-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = {"date": dt.date.today().isoformat(), "form": FORM, "code": str(args.code.resolve()),
               "machine": {"cores": os.cpu_count(), "load_before": [round(x, 2) for x in os.getloadavg()]},
               "runs": []}
    try:
        root = copy_sources(REPO, work / "manual")
        for rows in sizes:
            log(f"forms fill, {rows} rows …")
            run = bench_fill(root, work, rows, args.code.resolve())
            results["runs"].append(run)
            log(f"  {run['seconds']} s, peak {run['max_process_mb']} MB")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    runs = results["runs"]
    start = next((r["seconds"] for r in runs if r["rows"] == 1), None)
    print(f"\nmanual forms fill {FORM} · {results['date']} · {results['machine']['cores']} cores · "
          f"load {results['machine']['load_before']} → {results['machine']['load_after']}")
    print(f"{'rows':>7}  {'seconds':>8}  {'rows/s':>7}  {'fill rows/s':>11}  {'peak RSS MB':>11}  "
          f"{'tree MB':>8}  {'output MB':>10}")
    for r in runs:
        fill_rate = ""
        if start is not None and r["rows"] > 1 and r["seconds"] > start:
            r["fill_rows_per_second"] = round((r["rows"] - 1) / (r["seconds"] - start), 1)
            fill_rate = r["fill_rows_per_second"]
        print(f"{r['rows']:>7,}  {r['seconds']:>8}  {r['rows_per_second']:>7}  {fill_rate:>11}  "
              f"{r['max_process_mb']:>11}  {r['peak_tree_mb']:>8}  {r['output_mb']:>10,}")
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{results['date']}-{args.name}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
