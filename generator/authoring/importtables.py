"""``manual import``: sign-off and document-control tables in any orientation, and dates.

A sign-off table is read whatever its layout: a header row ``编制 | 审核 | 批准`` with the names and dates
in the rows below (a first column may label those rows ``签名`` / ``日期``); label/value pairs in a row
(``编制 | 李明 | 审核 | 周强 | 批准 | 陈刚``, with ``日期 | 2014年3月1日 | …`` under them); a label column
with the values to its right.  Each name and date goes to its own step; a blank name stays blank and a date
such as ``年 月 日`` stays as written, so ``manual check`` reports them.  Every non-empty cell is either
read (a label becomes a front-matter key, a value its value) or listed in the report's "not imported"
section with its row and column (``account``).
"""
from __future__ import annotations

import re

from .importbase import FoundDate, Imported, clean, dates_in, parse_date

STEPS = ("prepared", "reviewed", "approved")
LABELS = [
    ("prepared", r"编\s*制(?:人)?|拟\s*制|起\s*草"),
    ("reviewed", r"审\s*核(?:人)?"),
    ("approved", r"批\s*准(?:人)?|审\s*批"),
    ("date", r"(?:生效|发布|实施|批准|编制)?日\s*期"),
    ("code", r"文件编号|文件代号|编\s*号|No\.?"),
    ("version", r"版\s*本|版\s*次"),
    ("title", r"文件名称"),
    ("page", r"页\s*码|页\s*次"),
]
LABEL = re.compile("|".join(f"(?P<{k}>{v})" for k, v in LABELS))
EFFECTIVE = re.compile(r"(?:生效|实施|发布)日\s*期")
ROW_LABEL = re.compile(r"签\s*[名字]|姓\s*名|签\s*署\s*人?")
COLON_END = re.compile(r"\s*[:：]\s*$")
DATE_LIKE = re.compile(r"[年月日]|\d{2,4}\s*[.\-/]\s*\d")
COVER_WORDS = re.compile(r"(?:发布|实施|印发|生效|编制|修订|版)*")


LABEL_LINE = re.compile(rf"\s*(?:{'|'.join(v for _, v in LABELS)})\s*[:：]")


def label_pairs(text: str) -> list[tuple[str, str]] | None:
    """``编制：张三 审核： 批准：李四 日期：2013年 月 日`` → [(prepared, 张三), (reviewed, ''), …], or None
    when ``text`` is not such a line (it must start with a label followed by a colon)."""
    if not LABEL_LINE.match(text):
        return None
    found = list(LABEL.finditer(text))
    pairs = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        value = text[m.end():end]
        if not re.match(r"\s*[:：]", value):
            continue
        pairs.append((m.lastgroup, value.strip().lstrip(":：").strip()))
    return pairs or None


def cell_kind(text: str) -> str | None:
    """The label a table cell is (``prepared`` … ``page``, ``effective``, ``name``), or None for a value."""
    text = COLON_END.sub("", clean(text))
    if not text:
        return None
    if EFFECTIVE.fullmatch(text):
        return "effective"
    if ROW_LABEL.fullmatch(text):
        return "name"
    m = LABEL.fullmatch(text)
    return m.lastgroup if m else None


def looks_like_date(text: str) -> bool:
    return bool(DATE_LIKE.search(text)) or bool(dates_in(text))


# ---------------------------------------------------------------------------
# Sign-offs


def signoff_table(rows: list[list[str]]) -> tuple[dict, set]:
    """({step: {"name": written name, "date": written date}}, cells read as (row, column)) of a table."""
    grid = [[clean(c) for c in row] for row in rows]
    kinds = {(r, c): cell_kind(v) for r, row in enumerate(grid) for c, v in enumerate(row)}
    steps: dict[str, dict] = {}
    used: set = {rc for rc, k in kinds.items() if k}  # a label becomes a key of the front matter

    def cell(r, c):
        return grid[r][c] if 0 <= r < len(grid) and 0 <= c < len(grid[r]) else None

    def free(r, c):
        return cell(r, c) is not None and kinds.get((r, c)) is None and (r, c) not in taken

    taken: set = set()
    for r, row in enumerate(grid):
        labels = [kinds[(r, c)] for c in range(len(row))]
        header = sum(1 for k in labels if k in STEPS) >= 2 and all(k or not v for k, v in zip(labels, row))
        for c, step in enumerate(labels):
            if step not in STEPS or step in steps:
                continue
            entry = steps.setdefault(step, {"name": "", "date": ""})
            if header:  # names and dates below, in the same column
                for r2 in range(r + 1, len(grid)):
                    if not free(r2, c):
                        if kinds.get((r2, c)):
                            break
                        continue
                    value = grid[r2][c]
                    row_label = kinds.get((r2, 0)) if c else None
                    slot = "date" if row_label in ("date", "effective") or (
                        row_label != "name" and looks_like_date(value)) else "name"
                    if entry[slot] or (slot == "name" and entry["date"]):
                        continue
                    entry[slot] = value
                    taken.add((r2, c))
            elif free(r, c + 1):  # the value right of the label, a date perhaps after it
                name, date = split_name_date(grid[r][c + 1])
                entry["name"], entry["date"] = name, date
                taken.add((r, c + 1))
                if free(r, c + 2) and looks_like_date(grid[r][c + 2]) and not entry["date"]:
                    entry["date"] = grid[r][c + 2]
                    taken.add((r, c + 2))
    # 日期 labels: the date of the step left of them in their row, else of the step above them in their column.
    for (r, c), kind in sorted(kinds.items()):
        if kind not in ("date", "effective"):
            continue
        owner = next((kinds[(r, k)] for k in range(c - 1, -1, -1) if kinds.get((r, k)) in STEPS), None)
        if not free(r, c + 1):  # a header row 编制 | 日期 | 审核 | 日期 …: the date under it
            below = r + 1
            if owner in steps and not steps[owner]["date"] and free(below, c):
                steps[owner]["date"] = grid[below][c]
                taken.add((below, c))
            continue
        if owner is None or steps.get(owner, {}).get("date"):
            owner = next((kinds[(k, c)] for k in range(r - 1, -1, -1) if kinds.get((k, c)) in STEPS), owner)
        if owner in steps and not steps[owner]["date"]:
            steps[owner]["date"] = grid[r][c + 1]
            taken.add((r, c + 1))
    # Cells that hold a whole line: 编制：李明 2014.3.1
    for (r, c), kind in kinds.items():
        if kind is None and (r, c) not in taken:
            pairs = signoff_pairs(grid[r][c])
            if pairs:
                for step, entry in pairs.items():
                    steps.setdefault(step, entry)
                taken.add((r, c))
    return steps, used | taken


def split_name_date(value: str) -> tuple[str, str]:
    """A sign-off value may end with its date: ``李四 2013年5月20日`` → (李四, 2013年5月20日); ``年 月 日`` alone is
    a date left blank."""
    value = value.strip()
    m = re.search(r"(?:\d{4}|[０-９]{4}|[〇○零一二三四五六七八九]{4})?\s*年\s*[\d０-９一二三四五六七八九十]{0,2}\s*月"
                  r"\s*[\d０-９一二三四五六七八九十]{0,3}\s*日?|(?<!\d)\d{4}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}", value)
    if m and m.group().strip():
        return (value[:m.start()] + value[m.end():]).strip(), m.group().strip()
    return value, ""


def signoff_pairs(text: str) -> dict | None:
    """``编制：张三 2014.3.1 审核： 批准：李四 日期：2013年 月 日`` → {step: {name, date}}: a date goes to the step
    before it (a 日期 after the last step: the approval's); None when the text is no sign-off line."""
    pairs = label_pairs(text)
    if not pairs or sum(1 for k, _ in pairs if k in STEPS) < 1:
        return None
    steps: dict[str, dict] = {}
    last = None
    for key, value in pairs:
        if key in STEPS:
            name, date = split_name_date(value)
            steps[key] = {"name": name, "date": date}
            last = key
        elif key == "date" and last and not steps[last]["date"]:
            steps[last]["date"] = value.strip()
    return steps


def signoff_entries(steps: dict, doc, where: str) -> None:
    """The front matter's ``signoff:`` from the steps read; the revision date; notes for what is blank."""
    entries: dict = {}
    complete: dict[str, str] = {}
    for step in STEPS:
        if step not in steps:
            continue
        name, date = clean(steps[step].get("name", "")), steps[step].get("date", "")
        entry = {"name": name}  # blank when the source leaves it blank: signoff-complete reports it
        if date and date.strip():
            value, whole = parse_date(date)
            entry["date"] = value
            if whole:
                complete[step] = value
            else:
                doc.notes.append(f"{LABEL_CN[step]}日期“{value}”不完整（{where}）；原样保留，manual check 会指出")
        entries[step] = entry
    blank = [LABEL_CN[s] for s in STEPS if not entries.get(s, {}).get("name")]
    if blank:
        doc.notes.append(f"签署中{'、'.join(blank)}人姓名空白（{where}）；原样保留，manual check 会指出")
    doc.signoff = entries
    doc.revision_date = complete.get("approved") or max(complete.values(), default=None)


LABEL_CN = {"prepared": "编制", "reviewed": "审核", "approved": "批准"}


# ---------------------------------------------------------------------------
# Document-control tables


def control_fields(rows: list[list[str]]) -> list[tuple[str, str, str, set]]:
    """(kind, label, value, cells) of each label | value pair of a control table; a value without a label is
    ("", "", value, {cell})."""
    grid = [[clean(c) for c in row] for row in rows]
    out = []
    for r, row in enumerate(grid):
        c = 0
        while c < len(row):
            kind = cell_kind(row[c])
            if kind:
                value = row[c + 1] if c + 1 < len(row) and not cell_kind(row[c + 1]) else None
                cells = {(r, c)} | ({(r, c + 1)} if value is not None else set())
                out.append((kind, COLON_END.sub("", row[c]), value or "", cells))
                c += 2 if value is not None else 1
            else:
                if row[c]:
                    out.append(("", "", row[c], {(r, c)}))
                c += 1
    return out


def read_control(line, doc, ledger, where, signoff_here: bool) -> None:
    """A control table's cells: the code (already the document's), 生效日期 (or a 日期 in a table without a
    sign-off) → ``effective:``, a 版本 the schema takes (``2``, ``1.1``) → ``version:``; the steps of a sign-off
    when the document has no other sign-off (``signoff_here``: read as its sign-off); everything else (版本 A/0,
    页次, a sign-off that another one overrides, …) is listed in the report with its row and column."""
    block = line.block
    fields = control_fields(block.rows)
    signed = any(kind in STEPS for kind, *_ in fields)
    used: set = signoff_table(block.rows)[1] if signed and signoff_here else set()
    for kind, label, value, cells in fields:
        if cells <= used:
            continue
        if kind == "code" or (kind == "title" and clean(value) == doc.title):
            used |= cells
        elif kind == "effective" or (kind == "date" and not signed):
            found, whole = parse_date(value)
            if value and whole and not doc.effective:
                doc.effective = found
                used |= cells
                doc.notes.append(f"文件控制表的“{label}”（{where(block.position)}）写作 effective: {found}")
        elif kind == "version" and take_version(value, doc, where(block.position)):
            used |= cells
    account(ledger, block, used, "文件控制表中没有对应字段的内容")


VERSION = re.compile(r"[Vv]?\s*(\d+(?:\.\d+){0,2})")


def take_version(value: str, doc, where: str) -> bool:
    """A 版本 the schema takes (``2``, ``V1.1``) becomes the document's version; ``A/0``, ``B版`` do not."""
    m = VERSION.fullmatch(clean(value))
    if not m or doc.version:
        return False
    doc.version = m.group(1) if "." in m.group(1) else m.group(1) + ".0"
    doc.notes.append(f"原稿版本“{clean(value)}”（{where}）写作 version: \"{doc.version}\"")
    return True


def read_control_line(line, doc, ledger, where) -> None:
    """A ``文件编号：QP-01 版本：B/0 页次：1/3 生效日期：2014-03-01`` line: the code is the document's, a whole
    生效日期 its ``effective:``, a 版本 the schema takes its ``version:``; 版本 A/0, 页次, another title are
    listed in the report as parts of the line."""
    ledger.take(line.block)
    text = line.block.text
    effective = EFFECTIVE.search(text)
    for key, value in label_pairs(text) or []:
        if not value:
            continue
        if key == "date" and effective:
            found, whole = parse_date(value)
            if whole and not doc.effective:
                doc.effective = found
                doc.notes.append(f"文件控制行的生效日期（{where(line.position)}）写作 effective: {found}")
                continue
        if key == "version" and take_version(value, doc, where(line.position)):
            continue
        if key in ("page", "version", "title", "date") and not (key == "title" and clean(value) == doc.title):
            ledger.reported.append((line.position, f"文件控制行的“{CONTROL_CN[key]}”", value, 0))


CONTROL_CN = {"page": "页次", "version": "版本", "title": "文件名称", "date": "日期"}


def account(ledger, block, used: set, why: str) -> None:
    """Count a table cell by cell: the cells in ``used`` are imported, every other non-empty one is listed in
    the report's "not imported" section at its row (and column)."""
    if id(block) in ledger.seen:
        return
    ledger.seen.add(id(block))
    for r, row in enumerate(block.rows):
        for c, text in enumerate(row):
            if not text.strip():
                continue
            if (r, c) in used:
                ledger.imported += 1
            else:
                ledger.reported.append((block.position + r, f"{why}；表格第 {r + 1} 行第 {c + 1} 列", text, 1))


# ---------------------------------------------------------------------------
# Dates of the cover and of the whole source


DATE_TEXT = re.compile(r"(?:\d{4}|[０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年(?:\s*[\d０-９一二三四五六七八九十]{1,2}\s*月"
                       r"(?:\s*[\d０-９一二三四五六七八九十]{1,3}\s*日)?)?|(?:\d{4}|[０-９]{4})\s*[.\-/．／－]\s*[\d０-９]{1,2}"
                       r"\s*[.\-/．／－]\s*[\d０-９]{1,2}")


def cover_date(text: str, result: Imported, where: str) -> str | None:
    """A date on a cover line (``2014年3月1日发布``, ``2017年6月``, ``A版 2019年``, ``二〇一五年一月``, ``2015.7.1``):
    a whole date is the manual's date; one without its day gives the edition's year.  The date as written, or None."""
    if re.search(r"[。；;，,]", text):  # a sentence (本公司成立于一九九八年，…) is no cover date
        return None
    found = dates_in(text)
    if not found or result.date or result.partial_date:
        return None
    date = found[0]
    m = DATE_TEXT.search(text)
    if date.complete:
        result.date = date.iso
    else:
        result.partial_date = date
        result.report.append(f"封面日期“{m.group() if m else date.year}”（{where}）没有写到日：版本年份取 {date.year}，"
                             "manual.yaml 不写 date")
    return m.group() if m else str(date.year)


def latest_date(result: Imported) -> None:
    """The latest date anywhere in the source, for a revision that has no date of its own (never the day of
    the import: the output must not depend on it).  A date without its day counts as its first day, said in
    the report; with no date at all the revision's date is the placeholder 【待填写】 (the schema refuses it,
    so ``manual check`` reports it until it is filled in)."""
    found: list[FoundDate] = dates_in(result.source.text)
    if not found:
        return
    best = max(found, key=lambda d: (d.year, d.month, d.day))
    result.latest_date = best.iso
    if not best.complete and not result.date and any(not d.revision_date for d in result.documents):
        result.report.append(f"原稿中最晚的日期只写到{'月' if best.month else '年'}：没有自己日期的修订记录暂记为 "
                             f"{best.iso}，请核对")
