"""``manual import``: sign-off and document-control tables in any orientation, revision records, staffing and
job tables, and dates.

A sign-off table is read whatever its layout: a header row ``编制 | 审核 | 批准`` with the names and dates
in the rows below (a first column may label those rows ``签名`` / ``日期``); label/value pairs in a row
(``编制 | 李明 | 审核 | 周强 | 批准 | 陈刚``, with ``日期 | 2014年3月1日 | …`` under them); a label column
with the values to its right.  Each name and date goes to its own step; a blank name stays blank and a date
such as ``年 月 日`` stays as written, so ``manual check`` reports them.  Every non-empty cell is either
read (a label becomes a front-matter key, a value its value) or listed in the report's "not imported"
section with its row and column (``account``).  One 日期 after the steps of a line or row, none dated, is the
date of each step that has a name.

A document-control block (a table, or ``文件编号：`` lines one under the other) gives the code, ``effective:``
(a blank ``年 月 日`` as written, so that the schema reports it), ``version:`` (a whole-number 版本 with its
修订状态: ``2`` + ``1`` → ``2.1``); print-only fields (页码, 受控状态, 分发号, 编制部门) are listed with why.  A
修订记录 (a Word table, or text lines with columns) becomes ``revisions:`` (``take_revisions``); a staffing or
job table with a 职责 column becomes ``jobs:`` (``staff_columns``, ``job_of``).
"""
from __future__ import annotations

import re
from collections import Counter

from ..model import PLACEHOLDER
from .importbase import CODE_LABEL, FoundDate, Imported, clean, dates_in, parse_date

STEPS = ("prepared", "reviewed", "approved")
LABELS = [
    # (before 编制: 编制部门 is no sign-off step)
    ("dept", r"(?:编\s*制|归\s*口|主\s*管|发\s*布)\s*(?:部\s*门|单\s*位)"),
    ("state", r"修\s*[订改]\s*(?:状\s*态|码|次\s*数|号)"),
    ("status", r"受\s*控\s*(?:状\s*态|标\s*识)|发\s*放\s*状\s*态|密\s*级"),
    ("copy", r"分\s*发\s*号|发\s*放\s*(?:编\s*)?号|受\s*控\s*(?:编\s*)?号"),
    ("prepared", r"编\s*制(?:人)?|拟\s*制|起\s*草"),
    ("reviewed", r"审\s*核(?:人)?"),
    ("approved", r"批\s*准(?:人)?|审\s*批"),
    ("date", r"(?:生效|发布|实施|批准|编制)?日\s*期"),
    ("code", CODE_LABEL),
    ("version", r"版\s*本(?:号)?|版\s*次"),
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


# 编制/日期：张三/2016-3-1 (a form-like sign-off: the step and its date under one label, name/date in the value)
STEP_SLASH_DATE = re.compile(r"(编\s*制|审\s*核|批\s*准)\s*[/／]\s*日\s*期\s*([:：])([^/／:：\n]*?)[/／]")


def unslash(text: str) -> str:
    """``编制/日期：张三/2016-3-1 批准/日期：/ 年 月 日`` → ``编制：张三 2016-3-1 批准： 年 月 日``."""
    return STEP_SLASH_DATE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3).strip()} ", text) \
        if "/" in text or "／" in text else text


def label_pairs(text: str) -> list[tuple[str, str]] | None:
    """``编制：张三 审核： 批准：李四 日期：2013年 月 日`` → [(prepared, 张三), (reviewed, ''), …], or None
    when ``text`` is not such a line (it must start with a label followed by a colon).  ``编制/日期：张三/2016-3-1``
    is read as ``编制：张三 2016-3-1`` (``unslash``)."""
    text = unslash(text)
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
        row_steps = [kinds[(r, k)] for k in range(c) if kinds.get((r, k)) in STEPS]
        single = sum(1 for k in range(len(grid[r])) if kinds.get((r, k)) in ("date", "effective")) == 1 and \
            not any(kinds.get((r, k)) in STEPS for k in range(c + 1, len(grid[r])))
        if not free(r, c + 1):  # a header row 编制 | 日期 | 审核 | 日期 …: the date under it
            below = r + 1
            if free(below, c) and share_date({s: steps[s] for s in row_steps if s in steps}, grid[below][c], single):
                taken.add((below, c))  # (编制 | 审核 | 批准 | 日期 with one date under it: every named step's)
            elif owner in steps and not steps[owner]["date"] and free(below, c):
                steps[owner]["date"] = grid[below][c]
                taken.add((below, c))
            continue
        if owner is None or steps.get(owner, {}).get("date"):
            owner = next((kinds[(k, c)] for k in range(r - 1, -1, -1) if kinds.get((k, c)) in STEPS), owner)
        if share_date({s: steps[s] for s in row_steps if s in steps}, grid[r][c + 1], single):
            taken.add((r, c + 1))
            continue
        if owner in steps and not steps[owner]["date"]:
            steps[owner]["date"] = grid[r][c + 1]
            taken.add((r, c + 1))
    # Cells that hold a whole line: 编制：李明 2014.3.1
    lined: dict = {}  # (row, column) → the last step of the line in that cell
    for (r, c), kind in kinds.items():
        if kind is None and (r, c) not in taken:
            pairs = signoff_pairs(grid[r][c])
            if pairs:
                for step, entry in pairs.items():
                    steps.setdefault(step, entry)
                lined[(r, c)] = list(pairs)[-1]
                taken.add((r, c))
    date_cells(grid, kinds, taken, lined, steps)
    return steps, used | taken


def date_cells(grid, kinds, taken: set, lined: dict, steps: dict) -> None:
    """Cells ``日期：2016-3-1`` (``日期：年 月 日``) under or beside cells ``编制：张伟``: the date of that step, as
    written (a blank date stays blank, so ``manual check`` reports it)."""
    for (r, c), kind in sorted(kinds.items()):
        if kind is not None or (r, c) in taken:
            continue
        pairs = label_pairs(grid[r][c])
        if not pairs or any(key != "date" for key, _ in pairs) or len(pairs) != 1:
            continue
        def step_at(rc):  # a cell 编制：张伟 (its line's last step), or a label cell 批准： with its name left blank
            return lined.get(rc) or (kinds.get(rc) if kinds.get(rc) in STEPS else None)

        owner = next((step_at((k, c)) for k in range(r - 1, -1, -1) if step_at((k, c))), None) or \
            next((step_at((r, k)) for k in range(c - 1, -1, -1) if step_at((r, k))), None)
        if owner in steps and not clean(steps[owner].get("date", "")):
            steps[owner]["date"] = pairs[0][1]
            taken.add((r, c))


def split_name_date(value: str) -> tuple[str, str]:
    """A sign-off value may end with its date: ``李四 2013年5月20日`` → (李四, 2013年5月20日); ``年 月 日`` alone is
    a date left blank."""
    value = value.strip()
    m = re.search(r"(?:\d{4}|[０-９]{4}|[〇○零一二三四五六七八九]{4})?\s*年\s*[\d０-９一二三四五六七八九十]{0,2}\s*月"
                  r"\s*[\d０-９一二三四五六七八九十]{0,3}\s*日?|(?<!\d)\d{4}\s*[.\-/]\s*\d{1,2}\s*[.\-/]\s*\d{1,2}", value)
    if m and m.group().strip():
        # (编制：张三（2016年3月1日）: the brackets go with the date, the name is 张三)
        name = re.sub(r"[(（]\s*[)）]", "", value[:m.start()] + value[m.end():])
        return name.strip(), m.group().strip()
    return value, ""


def signoff_pairs(text: str) -> dict | None:
    """``编制：张三 2014.3.1 审核： 批准：李四 日期：2013年 月 日`` → {step: {name, date}}: a date goes to the step
    before it (a 日期 after the last step: the approval's); None when the text is no sign-off line."""
    pairs = label_pairs(text)
    if not pairs or sum(1 for k, _ in pairs if k in STEPS) < 1:
        return None
    steps: dict[str, dict] = {}
    last = None
    dates = [k for k, (key, _) in enumerate(pairs) if key == "date"]
    for k, (key, value) in enumerate(pairs):
        if key in STEPS:
            name, date = split_name_date(value)
            steps[key] = {"name": name, "date": date}
            last = key
        elif key == "date" and last and not steps[last]["date"]:
            if share_date(steps, value, dates == [k] and all(kind not in STEPS for kind, _ in pairs[k:])):
                continue
            steps[last]["date"] = value.strip()
    return steps


def share_date(steps: dict, date: str, single: bool) -> bool:
    """One 日期 after the steps, none dated, two names or more (``编制：A 审核：B 批准：C 日期：2015年3月1日``): the
    date of every step that has a name (marked ``shared``, said in the report); a step with a blank name gets none, so
    its defect is still reported.  False (nothing done) when the date is not such a shared one."""
    named = [entry for entry in steps.values() if clean(entry.get("name", ""))]
    if not single or len(named) < 2 or any(entry.get("date") for entry in steps.values()) or not date.strip():
        return False  # (with one name only, the date after 批准： stays the approval's, blank name and all)
    for entry in steps.values():
        if clean(entry.get("name", "")):
            entry["date"], entry["shared"] = date.strip(), True
    return True


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
    shared = [LABEL_CN[s] for s in STEPS if steps.get(s, {}).get("shared")]
    if shared:
        doc.notes.append(f"签署只写了一个日期（{where}）：作为{'、'.join(shared)}各自的日期")
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
    below: list[int] = []  # the columns of a row of labels that the row under it gives the values of
    for r, row in enumerate(grid):
        if below:  # (文件名称 | 文件编号 | 版本 over 文件控制程序 | HX-QP-01-2016 | A/0: the values by column)
            for c in below:
                value = row[c] if c < len(row) else ""
                out.append((cell_kind(grid[r - 1][c]), COLON_END.sub("", grid[r - 1][c]), value,
                            {(r - 1, c)} | ({(r, c)} if value else set())))
            for c, cell in enumerate(row):
                if cell and c not in below:
                    out.append(("", "", cell, {(r, c)}))
            below = []
            continue
        kinds = [cell_kind(cell) for cell in row]
        if r + 1 < len(grid) and sum(1 for k in kinds if k) >= 2 and all(
                not k or c + 1 >= len(row) or cell_kind(row[c + 1]) or not row[c + 1]
                for c, k in enumerate(kinds)) and not any(cell_kind(cell) or label_pairs(cell) for cell in grid[r + 1]):
            below = [c for c, k in enumerate(kinds) if k]
            out += [("", "", cell, {(r, c)}) for c, cell in enumerate(row) if cell and not kinds[c]]
            continue
        c = 0
        while c < len(row):
            kind = cell_kind(row[c])
            pairs = label_pairs(row[c]) if not kind else None
            if pairs and len(pairs) == 1 and pairs[0][0] in ("code", "title", "version", "page") and pairs[0][1]:
                # (文件名称：采购控制程序 in one cell)
                out.append((pairs[0][0], COLON_END.sub("", row[c].split("：")[0].split(":")[0]), pairs[0][1], {(r, c)}))
                c += 1
                continue
            if kind:
                value = row[c + 1] if c + 1 < len(row) and not cell_kind(row[c + 1]) else None
                cells = {(r, c)} | ({(r, c + 1)} if value is not None else set())
                out.append((kind, COLON_END.sub("", row[c]), value or "", cells))
                c += 2 if value is not None else 1
            else:
                inline = label_pairs(row[c]) if row[c] else None
                if inline and len(inline) == 1:  # a cell 文件编号：HX-QP-02-2016, label and value in one
                    out.append((inline[0][0], re.split(r"\s*[:：]", row[c], maxsplit=1)[0], inline[0][1], {(r, c)}))
                elif row[c]:
                    out.append(("", "", row[c], {(r, c)}))
                c += 1
    return out


PRINT_ONLY = {
    "page": "页码/页次是打印版式信息，不是内容：输出的页码在生成时排出",
    "status": "受控状态由 control/ 的发放登记和输出上的受控/非受控标记表示，不写入文件",
    "copy": "分发号、受控号属于 control/ 的发放登记，不写入文件",
    "dept": "编制部门不是文件头的字段，owner 是岗位：请据此核对 owner",
}
CONTROL_CN = {"page": "页次", "version": "版本", "title": "文件名称", "date": "日期", "state": "修订状态",
              "status": "受控状态", "copy": "分发号", "dept": "编制部门", "effective": "生效日期"}


def read_controls(lines, doc, ledger, where, signoff_here: bool) -> None:
    """The document-control tables and ``文件编号：…`` lines right under a document's heading, all of them
    together: a 修订状态 (修改码) is read with the 版本 wherever each stands (``版本 2`` and ``修订状态 1`` →
    ``version: "2.1"``)."""
    pairs = [pair for line in lines for pair in control_pairs(line)]
    states = [clean(value) for key, value in pairs if key == "state" and clean(value)]
    versions = [clean(value) for key, value in pairs if key == "version" and clean(value)]
    # (the state is read only with one whole-number 版本 that becomes the version: 2 + 1 → 2.1)
    state = states[0] if len(states) == 1 and re.fullmatch(r"\d{1,2}", states[0]) and len(versions) == 1 and \
        re.fullmatch(r"[Vv]?\s*\d+", versions[0]) and not doc.version else None
    for line in lines:
        if line.block.kind == "table":
            read_control(line, doc, ledger, where, signoff_here, state)
        else:
            read_control_line(line, doc, ledger, where, state)


def control_pairs(line) -> list[tuple[str, str]]:
    if line.block.kind == "table":
        return [(kind, value) for kind, _, value, _ in control_fields(line.block.rows)]
    return label_pairs(line.block.text) or []


def read_control(line, doc, ledger, where, signoff_here: bool, state: str | None = None) -> None:
    """A control table's cells: the code (already the document's), 生效日期 (or a 日期 in a table without a
    sign-off) → ``effective:``, a 版本 the schema takes (``2``, ``1.1``, with a 修订状态 ``2.1``) → ``version:``;
    the steps of a sign-off when the document has no other sign-off (``signoff_here``: read as its sign-off);
    everything else (版本 A/0, 页次, a sign-off that another one overrides, …) is listed in the report with its
    row and column, print-only fields (页次, 受控状态) with why they are not content."""
    block = line.block
    fields = control_fields(block.rows)
    signed = any(kind in STEPS for kind, *_ in fields)
    used: set = signoff_table(block.rows)[1] if signed and signoff_here else set()
    reasons: dict = {}
    for kind, label, value, cells in fields:
        if cells <= used:
            continue
        if kind == "code" or (kind == "title" and clean(value) == doc.title):
            used |= cells
        elif kind == "effective" or (kind == "date" and not signed):
            if take_effective(value, label, doc, where(block.position), "文件控制表"):
                used |= cells
        elif kind == "version" and take_version(value, doc, where(block.position), state):
            used |= cells
        elif kind in PRINT_ONLY:
            reasons.update({cell: PRINT_ONLY[kind] for cell in cells})
    if state is not None:  # (read with the 版本 into version:)
        used |= {cell for kind, _, _, cells in fields if kind == "state" for cell in cells}
    account(ledger, block, used, "文件控制表中没有对应字段的内容", reasons)


def take_effective(value: str, label: str, doc, where: str, what: str) -> bool:
    """A 生效日期 → ``effective:``: a whole date as a date; one left blank (``2020年 月 日``) as written, which the
    schema refuses, so ``manual check`` reports it until it is filled in (no date is invented)."""
    if doc.effective or not clean(value):
        return False
    found, whole = parse_date(value)
    if whole:
        doc.effective = found
        doc.notes.append(f"{what}的“{label}”（{where}）写作 effective: {found}")
        return True
    if re.search(r"[年月日]", value) and not re.search(r"[^\d０-９〇○零一二三四五六七八九十年月日\s]", value):
        doc.effective = found
        doc.notes.append(f"{what}的“{label}”“{clean(value)}”（{where}）不是完整日期：原样写作 effective: {found}，"
                         "manual check 会指出，请填写")
        return True
    return False


VERSION = re.compile(r"[Vv]?\s*(\d+(?:\.\d+){0,2})")


def take_version(value: str, doc, where: str, state: str | None = None) -> bool:
    """A 版本 the schema takes (``2``, ``V1.1``) becomes the document's version, with a 修订状态 ``1`` as its
    second number (``2`` → ``2.1``); ``A/0``, ``B版`` do not."""
    m = VERSION.fullmatch(clean(value))
    if not m or doc.version:
        return False
    number = m.group(1)
    doc.version = number if "." in number else f"{number}.{state or 0}"
    doc.notes.append(f"原稿版本“{clean(value)}”" + (f"、修订状态“{state}”" if state and "." not in number else "")
                     + f"（{where}）写作 version: \"{doc.version}\"")
    return True


def read_control_line(line, doc, ledger, where, state: str | None = None) -> None:
    """A ``文件编号：QP-01 版本：B/0 页次：1/3 生效日期：2014-03-01`` line (or one of several such lines): the code
    is the document's, a 生效日期 its ``effective:``, a 版本 the schema takes its ``version:`` (with the
    修订状态); 版本 A/0, 页次, 受控状态, another title are listed in the report as parts of the line, print-only
    fields with why they are not content."""
    ledger.take(line.block)
    text = line.block.text
    effective = EFFECTIVE.search(text)
    pairs = label_pairs(text) or []
    for key, value in pairs:
        if not value:
            continue
        if key == "date" and effective and take_effective(value, effective.group(), doc, where(line.position),
                                                          "文件控制行"):
            continue
        if key == "version" and take_version(value, doc, where(line.position), state):
            continue
        if key == "state" and state is not None:
            continue  # (read with the 版本 into version:)
        if key in PRINT_ONLY:
            ledger.reported.append((line.position, f"文件控制行的“{CONTROL_CN[key]}”：{PRINT_ONLY[key]}", value, 0))
        elif key in ("version", "title", "date", "state") and not (key == "title" and clean(value) == doc.title):
            ledger.reported.append((line.position, f"文件控制行的“{CONTROL_CN[key]}”", value, 0))


def account(ledger, block, used: set, why: str, reasons: dict | None = None) -> None:
    """Count a table cell by cell: the cells in ``used`` are imported, every other non-empty one is listed in
    the report's "not imported" section at its row (and column), with its own reason when ``reasons`` has one."""
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
                because = (reasons or {}).get((r, c)) or why
                ledger.reported.append((block.position + r, f"{because}；表格第 {r + 1} 行第 {c + 1} 列", text, 1))


# ---------------------------------------------------------------------------
# Dates of the cover and of the whole source


DATE_TEXT = re.compile(r"(?:\d{4}|[０-９]{4}|[〇○零一二三四五六七八九]{4})\s*年(?:\s*[\d０-９一二三四五六七八九十]{1,2}\s*月"
                       r"(?:\s*[\d０-９一二三四五六七八九十]{1,3}\s*日)?)?|(?:\d{4}|[０-９]{4})\s*[.\-/．／－]\s*[\d０-９]{1,2}"
                       r"\s*[.\-/．／－]\s*[\d０-９]{1,2}")


def cover_date(text: str, result: Imported, where: str) -> str | None:
    """A date on a cover line (``2014年3月1日发布``, ``2017年6月``, ``A版 2019年``, ``二〇一五年一月``, ``2015.7.1``):
    a whole date is the manual's date; one without its day gives the edition's year.  A row of a 修订记录 on the
    cover (``C/0<TAB>组织架构调整<TAB>陈静<TAB>2021-03-10``: columns) is a version of the manual: the newest row's
    date is the current edition's, whichever row comes first.  The date as written, or None."""
    if re.search(r"[。；;，,]", text):  # a sentence (本公司成立于一九九八年，…) is no cover date
        return None
    found = dates_in(text)
    m = DATE_TEXT.search(text)
    row = len(re.split(r"\t|\s{2,}|\u3000+", text.strip())) >= 3
    if found and row and found[0].complete and result.date and found[0].iso > result.date:
        result.date = found[0].iso  # a newer version than the rows above
        return m.group() if m else str(found[0].year)
    if not found or result.date or result.partial_date:
        return None
    date = found[0]
    if date.complete:
        result.date = date.iso
    else:
        result.partial_date = date
        result.report.append(f"封面日期“{m.group() if m else date.year}”（{where}）没有写到日：版本年份取 {date.year}，"
                             "manual.yaml 不写 date")
    return m.group() if m else str(date.year)


def latest_date(result: Imported) -> None:
    """The latest date anywhere in the source but the documents' 修订记录, for a revision that has no date of its
    own (never the day of the import: the output must not depend on it).  A date without its day counts as its first day, said in
    the report; with no date at all the revision's date is the placeholder 【待填写】 (the schema refuses it,
    so ``manual check`` reports it until it is filled in)."""
    found: list[FoundDate] = dates_in(result.source.text)
    # A document's 修订记录 dates are its own history: never another document's revision date.
    own = Counter(entry["date"] for doc in result.documents for entry in doc.revisions)
    kept = []
    for d in found:
        if d.complete and own[d.iso] > 0:
            own[d.iso] -= 1
        else:
            kept.append(d)
    found = kept
    if not found:
        return
    best = max(found, key=lambda d: (d.year, d.month, d.day))
    result.latest_date = best.iso
    if not best.complete and not result.date and any(not d.revision_date for d in result.documents):
        result.report.append(f"原稿中最晚的日期只写到{'月' if best.month else '年'}：没有自己日期的修订记录暂记为 "
                             f"{best.iso}，请核对")


# ---------------------------------------------------------------------------
# Revision records (修订记录): a Word table, or text lines with columns


REVISION_TITLE = re.compile(r"(?:文件)?(?:修[订改]|变更|更改|版本)(?:记录|履历|历史|情况)(?:表)?")
REVISION_COLUMNS = [  # (column, pattern of its heading), the first that matches
    ("seq", r"序\s*号|No\.?"),
    ("date", r".{0,4}日\s*期|时\s*间"),
    ("content", r".{0,6}(?:内\s*容|说\s*明|摘\s*要|描\s*述|原\s*因|简\s*述).{0,4}"),
    ("state", r"修\s*[订改]\s*(?:状\s*态|码|次\s*数|号)"),
    ("version", r".{0,4}版\s*[本次号].{0,6}"),
    ("by", r"(?:修\s*[订改]|变\s*更|更\s*改|编\s*制|起\s*草|拟\s*制)\s*(?:人|者)?|修订部门|编制部门|责任人|负责人"),
]
COLUMN_SPLIT = re.compile(r"\s*[｜|]\s*|\s*\t\s*|\s{2,}|\u3000+")


def revision_columns(cells: list[str]) -> list[str] | None:
    """The column of each heading of a revision table (``版本 | 修订内容 | 修订人 | 日期``), or None when the
    cells are no such heading: a version, a date and a content column, and three columns or more."""
    kinds = []
    for cell in cells:
        text = clean(cell).replace(" ", "")
        kinds.append(next((k for k, p in REVISION_COLUMNS if text and re.fullmatch(p, text)), "other" if text else ""))
    if len(cells) < 3 or not {"version", "date", "content"} <= set(kinds) or "" in kinds:
        return None
    return kinds


def text_columns(text: str) -> list[str]:
    """A text line of a table: its cells, split at ｜, tabs or runs of two spaces or more."""
    text = text.strip().strip("｜|").strip()
    return [c.strip() for c in COLUMN_SPLIT.split(text)] if text else []


def revision_version(text: str, state: str = "") -> tuple[str | None, bool]:
    """(version as the schema writes it, whether a letter was turned into a number): ``1.1``, ``V2`` → 2.0,
    ``2`` with 修订状态 ``1`` → 2.1; ``A/0`` → 1.0, ``B/1`` → 2.1, ``C`` → 3.0 (A = 1).  (None, False) when it is
    none of these."""
    text = re.sub(r"^第|版$", "", clean(text).replace(" ", ""))
    state = clean(state)
    if state and not re.fullmatch(r"\d{1,2}", state):
        return None, False
    m = re.fullmatch(r"[Vv]?(\d{1,3}(?:\.\d{1,3}){0,2})", text)
    if m:
        number = m.group(1)
        if "." in number:
            return (number, False) if not state else (None, False)
        return f"{number}.{state or 0}", False
    m = re.fullmatch(r"([A-Z])(?:[/／\-.]?(\d{1,2}))?", text)
    if m and not (m.group(2) and state):
        return f"{ord(m.group(1).upper()) - 64}.{m.group(2) or state or 0}", True
    return None, False


def revision_row(kinds: list[str], heads: list[str], cells: list[str]) -> tuple[dict | None, str]:
    """One row of a revision table: ({version, date, summary, by}, "") or (None, why it cannot be read)."""
    if len(cells) != len(kinds):
        return None, f"有 {len(cells)} 列，表头有 {len(kinds)} 列"
    value = {}
    extra = []
    for kind, head, cell in zip(kinds, heads, cells):
        cell = clean(cell)
        if kind in value or kind == "other":
            if cell:
                extra.append(f"{clean(head)}：{cell}")
        elif kind != "seq":
            value[kind] = cell
    version, lettered = revision_version(value.get("version", ""), value.get("state", ""))
    if version is None:
        return None, f"版本“{value.get('version', '')}{'/' + value['state'] if value.get('state') else ''}”不是可读的版本"
    date, whole = parse_date(value.get("date", ""))
    if not whole:
        return None, f"日期“{value.get('date', '')}”不是完整日期"
    if not value.get("content"):
        return None, "没有修订内容"
    original = value["version"] + (f"/{value['state']}" if value.get("state") else "")
    notes = ([f"原稿版本 {original}"] if lettered else []) + extra
    summary = value["content"] + (f"（{'；'.join(notes)}）" if notes else "")
    return {"version": version, "date": date, "summary": summary, "by": value.get("by") or PLACEHOLDER}, ""


def read_revisions(header: list[str], rows: list[list[str]]) -> tuple[list[dict], list[tuple[int, str]]] | None:
    """(entries of the rows read, [(row index, why)] of those that cannot be read), or None when ``header``
    is no revision table's heading."""
    kinds = revision_columns(header)
    if kinds is None:
        return None
    good, bad = [], []
    for k, row in enumerate(rows):
        entry, why = revision_row(kinds, header, row)
        if entry:
            good.append(entry)
        else:
            bad.append((k, why))
    return good, bad


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in version.split("."))


def take_revisions(build, ledger, where, lines: list) -> None:
    """A 修订记录 / 修订履历 / 变更记录 in a document (a Word table, or text lines whose columns are separated by
    ｜, tabs or runs of two spaces, under an optional title line) becomes its ``revisions:``, oldest first; the
    document's version is the last one unless its control block gave one.  Rows that cannot be read completely
    (no whole date, no readable version, a column too many or too few) stay in the body as a Markdown table
    under the heading row, each said in the report with its position; a table with no row read stays whole.
    ``lines``: every line under the document's heading, in order."""
    doc = build.doc
    items = [item for item in lines if id(item) not in build.consumed]
    parents: dict[int, object] = {}
    for parent in [build.node, *items]:
        for child in parent.body:
            parents.setdefault(id(child), parent)
    k = 0
    while k < len(items):
        region = revision_region(items, k)
        if region is None:
            k += 1
            continue
        title, header, heads, rows, k = region
        at = {id(cells): spot for _, cells, spot in rows}  # (the row's position: its line, its table row)
        read = [(line, cells, *revision_row(revision_columns(heads), heads, cells)) for line, cells, _ in rows]
        good = [(line, entry) for line, _, entry, _ in read if entry]
        bad = [(line, cells, why) for line, cells, entry, why in read if not entry]
        position = (title or header).position
        table = header.block.kind == "table"
        if not good or doc.revisions:
            doc.notes.append(f"修订记录（{where(position)}）" + (
                "没有一行能完整读出（" + "；".join(f"{where(at[id(cells)])}：{why}" for _, cells, why in bad) + "）"
                if not good else "是这个文件的第二份修订记录，文件头只写第一份") + "：留在正文中作为表格")
            if not table:
                _splice(heads, [(line, cells) for line, cells, _ in read], parents, ledger, header)
            continue
        entries = sorted((entry for _, entry in good), key=lambda e: (e["date"], version_key(e["version"])))
        if entries != [entry for _, entry in good]:
            doc.notes.append(f"修订记录（{where(position)}）按日期从早到晚写入 revisions（原稿的顺序不同）")
        doc.revisions = entries
        doc.revisions_where = f"原稿{where(position)}“{clean(title.block.text) if title else '修订记录'}”：" + \
            " | ".join(clean(h) for h in heads)
        lettered = [e["summary"] for e in entries if "原稿版本 " in e["summary"]]
        if lettered:
            doc.notes.append(f"修订记录（{where(position)}）的字母版本按 A=1、B=2… 写成数字，修订状态为第二位（A/1 → "
                             "1.1）；原稿的版本写在各行 summary 的括号中")
        last = entries[-1]["version"]
        if doc.version and doc.version != last:
            doc.notes.append(f"文件控制中的版本 {doc.version} 与修订记录最后一版 {last} 不同；保留 version: "
                             f"\"{doc.version}\"，manual check 会指出（revision-history）")
        elif not doc.version:
            doc.version = last
            doc.notes.append(f"version 取修订记录（{where(position)}）的最后一版 {last}")
        if any(e["by"] == PLACEHOLDER for e in entries):
            doc.notes.append(f"修订记录（{where(position)}）没有写修订人：by 写作 {PLACEHOLDER}，请填写")
        if title is not None and title.body and bad:
            title = None  # (a heading over the rows kept in the body stays with them)
        for line in [title, header] + ([] if table else [line for line, _ in good]):
            if line is not None:
                build.consumed.add(id(line))
                ledger.take(line.block)
        if table and bad:  # the rows read go to the front matter, the others stay in the body
            _split_table(header, heads, [cells for _, cells, _ in bad], [cells for _, cells, e, _ in read if e],
                         parents, build, ledger)
        elif bad:
            _splice(heads, [(line, cells) for line, cells, _ in bad], parents, ledger)
        for _, cells, why in bad:
            doc.notes.append(f"修订记录的一行（{where(at[id(cells)])}）不能完整读出（{why}）："
                             "留在正文的表格中，请核对后补入 revisions")
        doc.notes.append(f"修订记录（{where(position)}）的 {len(good)} 行写入 revisions")


def revision_region(items: list, k: int):
    """(title line or None, heading line, heading cells, [(line, cells, position)] of the rows, index after it)
    of the revision table that starts at ``items[k]``, or None.  A Word table's rows all have the table's line."""
    item = items[k]
    before = items[k - 1] if k else None
    # The title line above it: a paragraph, or a heading (修订记录 as Heading 2) that holds nothing else.
    title = before if before is not None and before.block.kind == "paragraph" and not before.children and \
        REVISION_TITLE.fullmatch(re.sub(r"[\s:：]", "", before.block.text)) and \
        all(child is item for child in before.body[:1]) else None
    if item.block.kind == "table":
        rows = [list(r) for r in item.block.rows]
        if len(rows) >= 2 and len({clean(c) for c in rows[0] if clean(c)}) == 1 and \
                REVISION_TITLE.fullmatch(next(clean(c) for c in rows[0] if clean(c)).replace(" ", "")):
            rows = rows[1:]  # a title row: 修订记录 across the table
        if len(rows) < 2 or revision_columns(rows[0]) is None:
            return None
        title = title if title is None or len(title.body) <= 1 else None
        first = len(item.block.rows) - len(rows)  # (a title row above the heading row)
        return title, item, rows[0], [(item, row, item.position + first + r) for r, row in enumerate(rows[1:], 1)], \
            k + 1
    if item.block.kind != "paragraph":
        return None
    heads = text_columns(item.block.text)
    if len(heads) < 3:
        heads = item.block.text.split()  # (columns one space apart: 版本 日期 修订内容)
    if revision_columns(heads) is None:
        return None
    rows = []
    j = k + 1
    while j < len(items):
        line = items[j]
        cells = text_columns(line.block.text) if line.block.kind == "paragraph" else []
        if cells and len(cells) != len(heads) and len(line.block.text.split()) == len(heads):
            cells = line.block.text.split()  # (a row one space apart, as many cells as headings)
        if len(cells) < max(2, len(heads) - 1) or LABEL_LINE.match(line.block.text) or line.children or line.body:
            break
        rows.append((line, cells, line.position))
        j += 1
    region = [item] + [line for line, _, _ in rows]
    if title is not None and not all(any(child is line for line in region) for child in title.body):
        title = None
    return (title, item, heads, rows, j) if rows else None


def _splice(heads: list[str], rows: list[tuple], parents: dict, ledger, header=None) -> None:
    """Text lines of a table that stay in the body: one Markdown table (the heading row and these rows) in
    place of the first of them (of ``header``, the heading line, when it goes too); the lines themselves are
    counted as imported (their text is in that table)."""
    from .importfile import Block
    from .importoutline import Line

    lines = ([header] if header is not None else []) + [line for line, _ in rows]
    table = Block("table", lines[0].position, rows=tuple(tuple(r) for r in [heads] + [cells for _, cells in rows]))
    ledger.seen.add(id(table))  # (its cells are the lines' text, counted once as the lines)
    for line in lines:
        ledger.take(line.block)
    first = parents[id(lines[0])]
    at = next(n for n, child in enumerate(first.body) if child is lines[0])
    for line in lines:
        body = parents[id(line)].body
        body[:] = [child for child in body if child is not line]
    first.body.insert(at, Line(table, ""))


def _split_table(line, heads, bad_rows, good_rows, parents, build, ledger) -> None:
    """A Word revision table with rows that cannot be read: the rows read (with the heading) go to the front
    matter, the others (with the heading) stay in the body, in place of the table."""
    from .importfile import Block
    from .importoutline import Line

    front = Block("table", line.position, rows=tuple(tuple(r) for r in [heads] + good_rows))
    body = Block("table", line.position, rows=tuple(tuple(r) for r in [heads] + bad_rows))
    ledger.seen.update((id(front), id(body)))
    ledger.take(line.block)
    parent = parents[id(line)]
    at = next(n for n, child in enumerate(parent.body) if child is line)
    front_line, body_line = Line(front, ""), Line(body, "")
    parent.body[at:at + 1] = [front_line, body_line]
    build.consumed.add(id(front_line))


# ---------------------------------------------------------------------------
# Staffing and job tables (岗位 | 人数 | 岗位职责 | 任职要求 | 汇报对象)


STAFF_COLUMNS = [  # (column, pattern of its heading), the first that matches
    ("count", r".{0,2}(?:人\s*数|编\s*制|定\s*员|名\s*额).{0,2}"),
    ("duties", r".{0,4}职\s*责.{0,2}|工\s*作\s*(?:内\s*容|任\s*务)"),
    ("requirements", r"任\s*职\s*(?:要\s*求|资\s*格|条\s*件)|.{0,2}要\s*求|资\s*格.{0,2}"),
    ("reports_to", r".{0,2}(?:汇\s*报\s*(?:对\s*象|上\s*级|给)?|直\s*接\s*上\s*级|上\s*级(?:岗\s*位|领\s*导)?|"
                   r"隶\s*属.{0,4})"),
    ("role", r".{0,2}(?:岗\s*位|职\s*位|职\s*务)(?:名\s*称)?"),
]


def staff_columns(header: list[str]) -> dict[str, int] | None:
    """{column: index} of a staffing or job table's heading (岗位 with 人数, or with 职责), or None."""
    found: dict[str, int] = {}
    for k, cell in enumerate(header):
        text = clean(cell).replace(" ", "")
        kind = next((c for c, p in STAFF_COLUMNS if text and re.fullmatch(p, text)), None)
        if kind and kind not in found:
            found[kind] = k
    if "role" not in found or not ({"count", "duties"} & set(found)):
        return None
    return found


DUTY_SPLIT = re.compile(r"\n+|[；;]\s*|(?<=[。])\s*(?=\S)")
DUTY_MARK = re.compile(r"^\s*(?:\d{1,2}\s*[.、．)）]|[(（]\d{1,2}[)）]|[①-⑳]|[一二三四五六七八九十]{1,2}\s*、)\s*")


def duties_of(cell: str) -> list[str]:
    """A 职责 cell as numbered duties: one per line, ``；`` or numbered item (``1. … 2. …``), the numbers out."""
    text = re.sub(r"(?<=\S)\s*(?=(?:\d{1,2}[.、．]|[(（]\d{1,2}[)）]|[①-⑳])\s*[^\d\s])", "\n", cell.strip())
    out = []
    for part in DUTY_SPLIT.split(text):
        part = clean(DUTY_MARK.sub("", part)).rstrip("；;")
        if part:
            out.append(part)
    return out


def job_of(name: str, row: list[str], header: list[str], columns: dict[str, int], where: str) -> dict | None:
    """A job description (``jobs:``) from one row of a table with a 职责 column: the post is its title and
    what it covers, 职责 its duties, 汇报对象/上级 its ``reports_to``, 任职要求 its ``note``."""
    def cell(kind):
        k = columns.get(kind)
        return clean(row[k]) if k is not None and k < len(row) else ""

    duties = duties_of(row[columns["duties"]]) if columns.get("duties") is not None and \
        columns["duties"] < len(row) else []
    if not duties:
        return None
    boss = cell("reports_to")
    bosses = [b for b in re.split(r"[、，,/／]", boss) if b] if boss else []
    job = {"title": f"{name}岗位职责", "name": name, "where": where, "duties": duties,
           "reports_to": bosses[0] if bosses else None, "reports_to_all": bosses}
    if cell("requirements"):
        job["note"] = f"{clean(header[columns['requirements']])}：{cell('requirements')}"
    return job


STAFF_MOVED = ("duties", "requirements", "reports_to")  # the columns that go to jobs:, not to roles.yaml


def staffing_extra(header: list[str], row: list[str], taken: tuple[int, ...]) -> str:
    """The cells of a staffing row other than the post and the count, as ``，部门：生产部`` for roles.yaml."""
    return "".join(f"，{header[k] or f'第 {k + 1} 列'}：{clean(cell)}" for k, cell in enumerate(row)
                   if k not in taken and clean(cell) and k < len(header))


def staffing_jobs(renderer, line, header: list[str], columns: dict[str, int]) -> bool:
    """A staffing or job table with a 职责 (任职要求, 汇报对象) column: each row's post goes to manual/roles.yaml
    (with its 人数 when the table has one: ``staffing: true``), its duties, reporting line and requirements to
    a ``jobs:`` entry of the document; the other columns (部门) to the role's comment.  False (the table stays
    a Markdown table) when a row has no post or an unreadable 人数."""
    from .importfile import Block

    rows, build, ledger, where = line.block.rows, renderer.build, renderer.ledger, renderer.where
    role, count = columns["role"], columns.get("count")
    moved = {columns[k] for k in STAFF_MOVED if k in columns}
    found = []
    for k, row in enumerate(rows[1:], 1):
        name = clean(row[role]) if role < len(row) else ""
        m = re.fullmatch(r"(\d{1,3})\s*[名人]?", clean(row[count])) if count is not None and count < len(row) else None
        if not name or (count is not None and not m):
            return False
        found.append((k, name, int(m.group(1)) if m else None, row))
    doc = build.doc
    if count is not None:
        doc.staffing, doc.kind = True, "organisation"
    elif doc.kind not in ("organisation",):
        doc.kind = "job"
    front = []
    for k, name, n, row in found:
        extra = staffing_extra(header, row, tuple({role, *(c for c in [count] if c is not None), *moved}))
        build.roles.append({"id": name, "headcount": n, "where": where(line.position + k) + extra})
        job = job_of(name, list(row), header, columns, where(line.position + k))
        if job:
            doc.jobs.append(job)
            front.append(job["duties"] + [clean(row[c]) for c in moved if c != columns.get("duties") and c < len(row)])
        else:
            front.append([clean(row[c]) for c in moved if c < len(row)])
            doc.notes.append(f"岗位表第 {k + 1} 行（{where(line.position + k)}）“{name}”没有职责：没有写岗位职责")
    ledger.take(line.block)
    # Audited once written: the posts (and 人数, 部门) in manual/roles.yaml, the rest in the document's front matter.
    kept = [c for c in range(len(header)) if c not in moved]
    ledger.roles.append(Block("table", line.position, rows=tuple(
        tuple(r[c] if c < len(r) else "" for c in kept) for r in rows)))
    ledger.front.setdefault(id(doc), []).append(Block("table", line.position + 1, rows=tuple(map(tuple, front))))
    ledger.reported.append((line.position, "岗位表的表头；各列已写入 manual/roles.yaml 和本文件的 jobs:",
                            " | ".join(rows[0]), 0))
    doc.notes.append(f"岗位表（{where(line.position)}）的岗位写入 manual/roles.yaml" +
                     ("（含编制人数，正文由 staffing: true 生成）" if count is not None else "") +
                     f"，职责写入 jobs:（{len(doc.jobs)} 个岗位）")
    return True
