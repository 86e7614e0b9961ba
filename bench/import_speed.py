"""How fast ``manual import`` reads a large legacy text: 1, 10 and 50 MB.

    .venv/bin/python bench/import_speed.py                 # 1, 10 and 50 MB
    .venv/bin/python bench/import_speed.py --sizes 1 5     # other sizes (MB)
    .venv/bin/python bench/import_speed.py --keep DIR      # keep the texts and the imported manuals

The text is synthetic and manual-like, generated here (no seed file needed): a few
pages of other material, then one manual (80% of the text) with its company line, a coded table of
contents (``一、客户回访制度……0101-2014``) and the body of every document it lists:
``一、标题0101-2014`` headings, ``1、`` clauses with ``(1)`` sub-clauses, ``一、`` section
headings, ``附:《…》`` form lines, staffing lines (``业务员:4名``), job descriptions
(``(一)业务经理岗位职责``, ``行政隶属上级主管``, ``主要职责``) and
``编制:审核:批准:2014年05月20日`` sign-off lines, with a few lines run together and runs of
empty lines as Word's "save as text" leaves them; a third of the body headings lack their
code, and one document of the TOC is missing from the body.  Older editions of the manual (each
with a smaller TOC) fill the last 20%, as in legacy files that hold several manuals: the importer
takes the manual with the largest TOC, and the rest ends up in its last document.  The number of documents grows with the size (about
one per 40 KB), so that both the count of documents and their length grow.

Last, a 1 GiB zip bomb (``word/document.xml`` of zero bytes, about 1 MB on disk) must be
refused (exit 2) quickly and with little memory.

Each size is imported by ``manual import FILE --out DIR -q`` in its own process; the
script prints wall and CPU time, MB/s and peak memory (``ru_maxrss`` of the child; the texts are
generated in another child, so that the measuring parent stays small) and writes
``bench/results/import-<date>.json`` (``--out``).  Import must stay linear: the time per
MB stays flat from 1 to 50 MB.  Nothing here is a test; nothing fails on a slow machine.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import struct
import tempfile
import time
import zlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent

CN = "一二三四五六七八九十"
CLAUSES = [
    "客服部应定期对客户进行访问，原则上每月必须访问大客户一次以上。",
    "客服人员访问出发前,应准备好要访问客户的一些资料,以免遗漏或差错。",
    "对客户提出的意见、建议要及时记录，能当场处理的应立即予以解决，不能处理的回公司上报主管。",
    "收集、汇总客户原始资料，根据所获资料详细填制客户资料卡。",
    "经常注意与客户交易情况，如有变化应及时更新资料，保证资料的正确性。",
    "需要查阅相关客户资料应填写查档申请，写明查阅对象、目的、理由，并由部门负责人签字。",
    "以最经济的库存量来满足最大的需求，缩短库存周期，增加资金周转率 2.5 倍以上。",
    "针对客户的需求，结合现有库存量及规格，进行分析统计，合理安排每月订货计划。",
    "业务部每周举行例会，根据需要临时会议另行通知(会议纪要由跟单员整理)。",
    "部门或员工在工作中遇到的问题、困难可在会上提出，群策群力商议解决。",
    "负责对公司库存监控工作，与相关部门定期对库存盘点、清理，优化库存组合并提供相关报告。",
    "负责产品的质量控制和分析工作，做好客户投诉和质量异议处理工作;统一、规范地答复客户。",
    "建立客户资料档案，健全客户档案资料，随时根据情况的变化进行更新。",
    "定期与服务单位进行往来帐款核对，做到来往帐目清晰，核对及时，并对应收帐款及时进行催讨。",
]
SUBITEMS = ["泄漏秘密，但未造成严重后果或经济损失的；", "已泄漏，但及时采取了补救措施的；",
            "违反保密规定，为他人提供公司商业机密的。"]
TITLES = ["客户服务宗旨", "客户回访制度", "客户档案管理制度", "库存管理条例", "业务例会制度", "应收帐款管理制度",
          "售后服务管理制度", "产品异议处理制度", "合同评审制度", "报价管理规定"]
FORMS = ["客户回访记录表", "客户资料卡", "客户评审表", "报价单", "产品异议报告表", "库存盘点表"]
STAFF = [("业务经理", 1), ("销售经理", 1), ("业务主管", 1), ("业务员", 4), ("业务跟单员", 2), ("市场营销", 2)]
DOC_BYTES = 40_000  # about one document per 40 KB of text


def cn(n: int) -> str:
    """1 → 一, 10 → 十, 23 → 二十三 (up to 99)."""
    tens, ones = divmod(n, 10)
    return (CN[tens - 1] if tens > 1 else "") + ("十" if tens else "") + (CN[ones - 1] if ones else "")


def clause_list(rng: random.Random, count: int) -> list[str]:
    lines = []
    for n in range(1, count + 1):
        line = f"{n}、{rng.choice(CLAUSES)}"
        if rng.random() < 0.15:
            line += "".join(f"({k}){rng.choice(SUBITEMS)}" for k in range(1, 4))
        lines.append(line)
    return lines


def document(rng: random.Random, numeral: str, title: str, code: str, year: int, size: int) -> str:
    """One document's body, about ``size`` bytes of UTF-8."""
    # A third of the headings lack their code, as in many legacy manuals (the TOC gives it).
    lines = [f"{numeral}、{title}" + (code if rng.random() < 0.67 else "")]
    kind = rng.random()
    if kind < 0.05:  # staffing
        lines.append("业务部现有人员配备:" + ";".join(f"{name}:{count}名" for name, count in STAFF)
                     + ";注:业务部岗位核定人数:13名")
    elif kind < 0.12:  # job descriptions
        for k, (name, _) in enumerate(STAFF[:4], 1):
            lines.append(f"({cn(k)}){name}岗位职责(1)、行政隶属上级主管:总经理(2)、主要职责"
                         + "".join(f"{chr(64 + d)}、{rng.choice(CLAUSES)}" for d in range(1, 8)))
    used = 0
    section = 0
    while used < size:
        section += 1
        if section > 90:
            break
        lines.append(f"{cn(section)}、{rng.choice(TITLES)}要求")
        block = clause_list(rng, rng.randint(3, 12))
        if rng.random() < 0.3:  # Word's "save as text" runs lines together
            block = ["".join(block)]
        lines += block
        if rng.random() < 0.2:  # empty paragraphs, as Word's "save as text" leaves them
            lines += [""] * rng.choice([1, 2, 3, 40])
        used += sum(len(x.encode()) for x in block) + 40
    if rng.random() < 0.5:
        lines.append(f"附:《{rng.choice(FORMS)}》")
    day = rng.choice(["05月20日", "5月2日", "月日"])
    lines.append(f"编制:张三审核:李四批准:王五{year}年{day}")
    return "\n".join(lines)


def manual(rng: random.Random, target: int, year: int, company: str, per_chapter: int = 40) -> list[str]:
    """One manual of about ``target`` bytes: title line with its coded TOC, then the documents."""
    documents = max(3, min(99 * per_chapter, target // DOC_BYTES))
    codes = [f"{c + 1:02d}{s + 1:02d}-{year}" for c in range(99) for s in range(per_chapter)][:documents]
    entries = [(cn(int(code[2:4])), rng.choice(TITLES) + f"{i}", code) for i, code in enumerate(codes)]
    out = [f"{company}业务部门管理手册{year}.05.20业务部门管理手册"
           + "".join(f"{n}、{t}……………………{c}" for n, t, c in entries)]
    size = max(2_000, (target - len(out[0].encode())) // documents)
    for k, (numeral, title, code) in enumerate(entries):
        if k == len(entries) // 2:
            continue  # one document the TOC lists is missing from the body
        out.append(document(rng, numeral, title, code, year, size))
    return out


def make_text(megabytes: float, seed: int = 7, year: int = 2014) -> str:
    """A manual-like text of about ``megabytes`` MB (UTF-8): other material, the manual, older editions."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    out = ["中国移动集团营业部工作执行手册", "本手册适用于营业部全体员工。", *clause_list(rng, 20)]
    out += manual(rng, int(target * 0.8), year, "东莞市示例电子有限公司")
    # The file goes on with older editions of the manual, each with a smaller TOC (as legacy files do):
    # the importer takes the largest TOC, and all of this ends up in its last document.
    used = sum(len(x.encode()) + 1 for x in out)
    edition = 0
    while used < target:
        edition += 1
        old = manual(rng, min(200_000, max(60_000, target - used)), year - 8 - edition % 5, "东莞市示例电子有限公司",
                     per_chapter=4)
        out += old
        used += sum(len(x.encode()) + 1 for x in old)
    return "\n".join(out) + "\n"


def zip_bomb(path: Path, megabytes: int = 1024) -> Path:
    """A .docx whose word/document.xml inflates to ``megabytes`` MiB of zero bytes (about 1 MB on disk).

    After a full flush deflate starts afresh, so one compressed MiB is repeated; the zip is written
    byte by byte with honest sizes in its headers.
    """
    chunk = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    data = piece * megabytes + compressor.flush()
    name = b"word/document.xml"
    fields = struct.pack("<HHHHHIIIHH", 20, 0, 8, 0, 0x5021, crc, len(data), megabytes * len(chunk), len(name), 0)
    local = b"PK\x03\x04" + fields + name
    central = b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, 0) + name
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    path.write_bytes(local + data + central + end)
    return path


def peak_of_child(argv: list[str], env: dict, expect: int = 0) -> tuple[float, int, int, float]:
    """(wall seconds, exit code, peak RSS in MB, CPU seconds) of one process."""
    start = time.perf_counter()
    # (cwd: ``python -m generator`` puts the current folder first on sys.path, before PYTHONPATH)
    proc = subprocess.Popen(argv, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != expect:
        sys.stderr.write(proc.stderr.read().decode("utf-8", "replace"))
    proc.stderr.close()
    return wall, proc.returncode, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=float, nargs="+", default=[1, 10, 50], metavar="MB")
    p.add_argument("--repo", type=Path, default=REPO, help="the checkout whose generator runs (e.g. an older one)")
    p.add_argument("--no-bomb", action="store_true", help="skip the zip bomb")
    p.add_argument("--keep", type=Path, default=None, help="keep the texts and imported manuals here")
    p.add_argument("--out", type=Path, default=BENCH / "results" / f"import-{dt.date.today().isoformat()}.json")
    p.add_argument("--write-text", nargs=2, metavar=("MB", "FILE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.write_text:  # (run as a child, so that the measuring parent stays small)
        text = make_text(float(args.write_text[0]))
        Path(args.write_text[1]).write_text(text, encoding="utf-8")
        print(text.count("\n"))
        return 0
    work = (args.keep or Path(tempfile.mkdtemp(prefix="import-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(args.repo.resolve()))
    bomb_row = None
    rows = []
    try:
        for mb in args.sizes:
            source = work / f"legacy-{mb:g}MB.txt"
            # The text is made in a child process: a child's peak memory (ru_maxrss) starts from its
            # parent's size at fork, so the parent must not hold 50 MB of text.
            lines = int(subprocess.run([sys.executable, __file__, "--write-text", str(mb), str(source)],
                                       check=True, capture_output=True, text=True).stdout)
            size = source.stat().st_size / 1_000_000
            out = work / f"imported-{mb:g}MB"
            shutil.rmtree(out, ignore_errors=True)
            wall, code, peak, cpu = peak_of_child(
                [sys.executable, "-m", "generator", "import", str(source), "--out", str(out), "-q"], env)
            documents = len(list((out / "policies").glob("*.md"))) if code == 0 else 0
            row = {"megabytes": round(size, 2), "lines": lines, "documents": documents,
                   "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2), "mb_per_second": round(size / wall, 2),
                   "peak_mb": peak,
                   "exit": code}
            rows.append(row)
            print(f"{size:6.1f} MB  {row['lines']:>9,} lines  {documents:>5} documents  {wall:7.1f} s "
                  f"(CPU {cpu:5.1f} s)  "
                  f"{row['mb_per_second']:6.2f} MB/s  peak {peak:,} MB" + (f"  EXIT {code}" if code else ""),
                  flush=True)
        if not args.no_bomb:
            bomb = zip_bomb(work / "bomb.docx")
            wall, code, peak, cpu = peak_of_child(
                [sys.executable, "-m", "generator", "import", str(bomb), "--out", str(work / "bomb-out"), "-q"], env, expect=2)
            bomb_row = {"file_mb": round(bomb.stat().st_size / 1_000_000, 2), "inflates_to_mb": 1024, "seconds": round(wall, 2),
                        "cpu_seconds": round(cpu, 2), "peak_mb": peak, "exit": code}
            print(f"zip bomb: {bomb_row['file_mb']} MB inflating to 1 GiB, refused with exit {code} in {wall:.2f} s "
                  f"(CPU {cpu:.2f} s), peak {peak} MB", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    result = {"date": dt.date.today().isoformat(), "python": platform.python_version(), "cores": os.cpu_count(),
              "load": os.getloadavg(), "repo": str(args.repo.resolve()), "runs": rows, "zip_bomb": bomb_row}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written {args.out}")
    return 0 if all(r["exit"] == 0 for r in rows) and (bomb_row is None or bomb_row["exit"] == 2) else 1


if __name__ == "__main__":
    sys.exit(main())
