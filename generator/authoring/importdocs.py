"""``manual import``, step 3: documents, sections, clauses and sub-items from the outline.

What a document is comes from the manual's own signals, in this order: the style of the lines that
carry a document code (in the heading line, or in a document-control table or ``文件编号：`` line right
under it); else the style whose lines each hold a sign-off (``编制/审核/批准``); else the style of the
entries of an uncoded table of contents; else the outermost style (under ``第X章`` chapters, the
style below them).  Among those documents, an unnumbered title line with its own sign-off (or after a
document that ends with its sign-off, over numbering that starts again at 1) is a document too
(``uncoded_documents``).  Every level below a document is a section (a short line with something under
it: ``## 2.1 职责``; a Word heading paragraph that reads as a sentence is none), a clause (an ordered-list
item: ``2.1.1`` is clause 1 of section 2.1) or a
sub-item (a nested list item).

Every block ends up in exactly one place (``Ledger``): the written source (a document's body or
front matter, ``manual/manual.yaml``) or the "not imported" section of ``import-report.md`` with
its position: the cover lines that are not the company, title or date, the table of contents, text
under a chapter heading before its first document.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field

from .importbase import MD_SPECIAL, CJK, DATE_ANY, DATE_FLEX, ascii_dates, dates_in, FORM_MORE, FORM_PLAIN, FORM_TITLE, JOB_HEAD, STAFF, MANUAL_TITLE, Imported, ImportedDoc, clean, md_escape
from ..model import file_stem
from ..read.images import inspect
from ..model.codes import infer_scheme as scheme_of
from .importfile import Block
from .importsegment import kind_of
from .importtables import (COVER_WORDS, LABEL, LABEL_CN, LABEL_LINE, LABELS, account, cover_date, label_pairs,  # noqa: F401
                           read_controls, signoff_entries, signoff_pairs, signoff_table, split_name_date,
                           take_revisions, revision_columns, staff_columns, staffing_extra, staffing_jobs,
                           STAFF_MOVED)
from .importoutline import (BARE_CODE, CONTROL_LINE, DASHES, Line, code_prefixes, codes_in, find_code,
                            heading_like, lines_of, outline, spelled_as, take_code, walk)


# ---------------------------------------------------------------------------
# Conservation


@dataclass
class Ledger:
    """Where every paragraph and table cell of the input went."""

    paragraphs: int = 0  # paragraphs and non-empty table cells read
    imported: int = 0
    reported: list[tuple[int, str, str, int]] = field(default_factory=list)  # (position, why, text, paragraphs)

    seen: set[int] = field(default_factory=set)  # id() of the blocks counted (a block may give several lines)
    roles: list[Block] = field(default_factory=list)  # staffing tables read into manual/roles.yaml
    cover: list[Block] = field(default_factory=list)  # cover lines read into manual/manual.yaml
    listed: set[tuple[int, str]] | None = None  # (position, text) of what is reported (built by audit_front)
    front: dict[int, list[Block]] = field(default_factory=dict)  # id() of a document → blocks read into its front matter

    def count(self, block: Block) -> int:
        if id(block) in self.seen:
            return 0
        self.seen.add(id(block))
        if block.kind == "table":
            return sum(1 for row in block.rows for cell in row if cell.strip())
        return 1 if block.kind == "paragraph" and block.text.strip() else 0

    def take(self, block: Block) -> None:
        self.imported += self.count(block)

    def report(self, block: Block, why: str) -> None:
        n = self.count(block)
        if not n:
            return  # (a block taken with another of its lines is reported only if all of it is)
        text = block.text if block.kind == "paragraph" else " | ".join(" | ".join(r) for r in block.rows)
        self.reported.append((block.position, why, text, n))


# ---------------------------------------------------------------------------
# Label-value lines and tables: sign-offs and document control

def table_pairs(block: Block) -> list[tuple[str, str]]:
    """A table of label | value cells (a document-control table): its pairs; a row of labels over a row of
    values (``文件名称 | 文件编号 | 版本`` over ``文件控制程序 | HX-QP-01-2016 | A/0``) pairs them by column."""
    pairs = []
    below = None
    for r, row in enumerate(block.rows):
        cells = [c.strip() for c in row]
        if below is not None:
            pairs.extend((kind, cells[c] if c < len(cells) else "") for c, kind in below)
            below = None
            continue
        below = label_row(block.rows, r)
        if below is not None:
            continue
        k = 0
        while k < len(cells):
            m = LABEL.fullmatch(re.sub(r"\s*[:：]\s*$", "", cells[k]))
            if m:
                value = cells[k + 1] if k + 1 < len(cells) and not LABEL.fullmatch(
                    re.sub(r"\s*[:：]\s*$", "", cells[k + 1])) else ""
                pairs.append((m.lastgroup, value))
                k += 2 if value or (k + 1 < len(cells) and not cells[k + 1]) else 1
            else:
                inline = label_pairs(cells[k])
                if inline:
                    pairs.extend(inline)
                k += 1
    return pairs


def label_row(rows, r: int) -> list[tuple[int, str]] | None:
    """[(column, kind)] of row ``r`` when it is a row of two labels or more without values (``编制 | 审核 | 批准``,
    ``文件名称 | 文件编号 | 版本``) over a row with no label: its values, column by column; else None."""
    if r + 1 >= len(rows):
        return None
    kinds = [LABEL.fullmatch(re.sub(r"\s*[:：]\s*$", "", c.strip())) for c in rows[r]]
    labels = [(c, m.lastgroup) for c, m in enumerate(kinds) if m]
    if len(labels) < 2:
        return None
    if any(LABEL.fullmatch(re.sub(r"\s*[:：]\s*$", "", c.strip())) or label_pairs(c) for c in rows[r + 1]):
        return None
    return labels


def table_title_code(block: Block) -> tuple[str, str] | None:
    """(文件名称, code in the manual's spelling) of a document-control table that has a code (the title "" when it
    has none), else None."""
    if block.kind != "table" or not is_control_table(block):
        return None
    pairs = table_pairs(block)
    code = next((v for k, v in pairs if k == "code" and v.strip()), "")
    if not code:
        return None
    title = next((clean(v) for k, v in pairs if k == "title" and v.strip()), "")
    return title, control_code(code)[0]


def opens_by_table(lines: list[Line], k: int) -> bool:
    """Whether the control table ``lines[k]`` (文件名称：… | 文件编号：… | 版本 | 页码, one row or a row of labels over
    one of values) opens a document of its own: it names the title and the code, and the line before it (empty
    lines aside) is no heading or title line that the table belongs to (``采购控制程序`` over it, a Word heading,
    a coded line)."""
    found = table_title_code(lines[k].block)
    if not found or not found[0]:
        return False
    for j in range(k - 1, -1, -1):
        line = lines[j]
        if line.block.kind == "paragraph" and not line.block.text.strip() and not line.block.number:
            continue
        return not (line.block.kind == "paragraph" and (line.block.heading or line.style == "coded" or line.code
                                                        or (not line.style and squeeze(line.block.text) == squeeze(found[0]))))
    return True


def is_control_table(block: Block) -> bool:
    """A table of document-control fields: a code with a value (``文件编号 | QP-01`` alone will do), or two
    fields or more among which a code or a sign-off step; not a table that is only a sign-off (that is read as
    the document's sign-off, wherever it stands)."""
    if any(revision_columns(list(row)) for row in block.rows[:2]):
        return False  # a 修订记录 (版本 | 日期 | 修订内容 | 编制): read by take_revisions
    pairs = table_pairs(block)
    kinds = {k for k, _ in pairs}
    if not kinds & {"code", "version", "title", "page"} and \
            sum(1 for k in kinds if k in ("prepared", "reviewed", "approved")) >= 2:
        return False
    return any(k == "code" and v for k, v in pairs) or (
        bool(kinds & {"code", "prepared", "reviewed", "approved"}) and len(pairs) >= 2)


# ---------------------------------------------------------------------------
# Cover and table of contents

COMPANY_LINE = re.compile(rf"([{CJK}（）()]{{2,30}}?(?:股份有限公司|有限责任公司|集团有限公司|有限公司|集团公司|集团|公司))")
NOT_A_NAME = re.compile(r"^(?:本|该|各|我|贵|全|总|分|子|母|公司)")
TOC_LEADER = re.compile(r"(?:[…]{1,}|[.·．]{3,}|\t)\s*[\dA-Z/.\-]*\s*$")
PAGE_TAIL = re.compile(r"[\s…·.．\t]*\d{1,3}\s*$")


def company_in(text: str) -> str | None:
    """A company name that a cover or title line really states (…有限公司 at the start of a short line)."""
    text = text.strip()
    if len(text) > 60 or re.search(r"[。；，,;]", text):
        return None
    m = COMPANY_LINE.match(text)
    if not m or NOT_A_NAME.match(m.group(1)) or len(m.group(1)) < 4:
        return None
    return m.group(1)


def squeeze(text: str) -> str:
    return re.sub(rf"[^{CJK}A-Za-z0-9]", "", text)


def find_toc(lines: list[Line]) -> set[int]:
    """Indexes of the lines of an uncoded table of contents: after a ``目录`` line, the run of lines
    with a leader and page number, or whose title comes again later as a heading; and the paragraphs the
    .docx reader marks as a Word TOC (a TOC field, TOC styles: ``Block.role`` "toc")."""
    marked = {k for k, line in enumerate(lines) if line.block.role == "toc"}
    for i, line in enumerate(lines):
        if squeeze(line.block.text) in ("目录", "目次", "Contents", "CONTENTS"):
            break
    else:
        return marked
    later: dict[str, int] = {}
    for k in range(len(lines) - 1, i, -1):
        later[squeeze(PAGE_TAIL.sub("", lines[k].block.text))] = k
    toc = {i}
    for k in range(i + 1, len(lines)):
        raw = lines[k].block.text
        key = squeeze(PAGE_TAIL.sub("", TOC_LEADER.sub("", raw)))
        if lines[k].block.kind != "paragraph":
            break
        if TOC_LEADER.search(raw) or (key and later.get(key, -1) > k and any(
                squeeze(lines[j].block.text) == key for j in range(k + 1, min(len(lines), k + 400)) if j != k)):
            toc.add(k)
            continue
        break
    return toc | marked


# ---------------------------------------------------------------------------
# Choosing the document level


def subtree(node: Line):
    """Every line under ``node`` (styled or not), in order."""
    for item in node.body:
        yield item
        if item.style:
            yield from subtree(item)


def own_lines(node: Line, limit: int = 6):
    """The unstyled lines right under ``node`` before its first styled child (its control header)."""
    for item in node.body[:limit]:
        if item.style:
            return
        yield item


def control_of(node: Line) -> dict:
    """What a document-control table or ``文件编号：`` lines right under a heading say: nothing under a numbered
    sentence (``②　代签后须在三日内补签。`` over a 文件编号 line ending its document is no coded heading)."""
    found: dict = {}
    if node.style and node.style != "doc" and SENTENCE_END.search(clean(node.text)):
        return found
    previous = None
    for item in own_lines(node, 12):
        if item.block.kind == "table" and is_control_table(item.block):
            pairs = table_pairs(item.block)
        elif item.block.kind == "paragraph":
            pairs = label_pairs(item.block.text)
            if not pairs or not (any(k in ("code", "version", "title") for k, _ in pairs) or
                                 continues_control(pairs, previous, found)):
                previous = None
                continue
        else:
            previous = None
            continue
        previous = item
        found.setdefault("lines", []).append(item)
        for key, value in pairs:
            found.setdefault(key, value)
    code = found.get("code")
    if code:
        found["code"], found["spelled"] = control_code(code)
    return found


def control_code(value: str) -> tuple[str, str]:
    """(code in the manual's spelling, as written) of a 文件编号 value: the label says it is a code, so
    ``QP02-2015`` (no hyphen after the letters) and ``QP－03－2013`` (full-width hyphens) are ``QP-02-2015`` and
    ``QP-03-2013``."""
    m = find_code(value)
    if m:
        return m[2], value[m[0]:m[1]]
    bare = BARE_CODE.search(value.translate(DASHES))
    if bare:
        return f"{bare.group(1)}-{bare.group(2)}{bare.group(3)}", value[bare.start(1):bare.end(3)]
    return value.strip(), value.strip()


CONTROL_KINDS = ("code", "version", "title", "state", "page", "date", "status", "copy", "dept")


def continues_control(pairs, previous, found: dict) -> bool:
    """A line of a control block of several lines (``修订状态：0`` / ``生效日期：…`` / ``页码：1/2`` under
    ``文件编号：…``): right under another control line, only control fields."""
    return previous is not None and previous is (found.get("lines") or [None])[-1] and \
        all(k in CONTROL_KINDS for k, _ in pairs)


SIGN_STEPS = ("prepared", "reviewed", "approved")


@dataclass
class SplitSignoff(Line):
    """A sign-off written over several lines (``编制：`` / ``张三`` / ``审核：`` / ``李四`` / … / ``日期：…``, or
    ``编制：张三`` / ``审核：李四`` / ``批准：王五``): one line whose text is theirs joined; ``parts`` are the lines."""

    parts: list[Line] = field(default_factory=list)


def parts_of(sign: Line) -> list[Line]:
    return sign.parts if isinstance(sign, SplitSignoff) else [sign]


SIGN_VALUE = re.compile(r"[^:：。；;，,]{1,16}")


def split_signoff(body: list[Line], k: int) -> SplitSignoff | None:
    """The sign-off written over the lines ``body[k:]``, if they are one: label lines with sign-off labels only
    (编制 / 审核 / 批准 / 日期), each step once, a label without its value followed by the value on the next line
    (a name, a date, ``2019年 月 日``), empty lines between them; two steps or more in all, on two lines or more."""
    parts: list[Line] = []
    texts: list[str] = []
    seen: set[str] = set()
    pending = False  # the last label had no value: the next line may be its value
    for item in body[k:]:
        if item.style or item.block.kind != "paragraph":
            break
        text = item.block.text.strip()
        if not text:
            parts.append(item)
            continue
        pairs = label_pairs(text)
        if pairs and all(key in SIGN_STEPS or key == "date" for key, _ in pairs):
            new = {key for key, _ in pairs if key in SIGN_STEPS}
            if (new & seen) or (not texts and not new):
                break
            seen |= new
            pending = not pairs[-1][1]
        elif pending and not pairs and SIGN_VALUE.fullmatch(text):
            pending = False
        else:
            break
        parts.append(item)
        texts.append(text)
    while parts and not parts[-1].block.text.strip():
        parts.pop()
    if len(texts) < 2 or len(seen) < 2:
        return None
    return SplitSignoff(Block("paragraph", parts[0].position, text=" ".join(texts)), " ".join(texts), parts=parts)


def signoff_lines(node: Line) -> list[Line]:
    """The sign-offs under ``node``, in order: a line (``编制：…审核：…``), a table, or lines (``SplitSignoff``)."""
    out = []
    for holder in [node, *(item for item in subtree(node) if item.style)]:
        k = 0
        while k < len(holder.body):
            item = holder.body[k]
            k += 1
            if item.block.kind == "paragraph" and not item.style:
                split = split_signoff(holder.body, k - 1)
                if split is not None:
                    out.append(split)
                    k += len(split.parts) - 1
                    continue
                pairs = label_pairs(item.block.text)
                if pairs and sum(1 for key, _ in pairs if key in SIGN_STEPS) >= 2:
                    out.append(item)
            elif item.block.kind == "table":
                pairs = table_pairs(item.block)
                if sum(1 for key, _ in pairs if key in SIGN_STEPS) >= 2:
                    out.append(item)
    return sorted(out, key=lambda line: line.position)


def choose_style(root: Line, toc_titles: set[str]) -> tuple[str, str]:
    """(style of the documents, why)."""
    nodes = list(walk(root))
    if not nodes:
        return "", "none"
    order: list[str] = []
    for n in nodes:
        if n.style not in order:
            order.append(n.style)
    depth = {s: min(n.depth for n in nodes if n.style == s) for s in order}
    coded = Counter(n.style for n in nodes if n.code or control_of(n).get("code"))
    if coded:
        best = max(coded.values())
        style = min((s for s in coded if coded[s] == best), key=lambda s: depth[s])
        return style, "code"
    signed: Counter = Counter()
    several: set[str] = set()  # styles with a heading that holds more than one sign-off: not a document
    for n in nodes:
        if n.style in ("chapter", "jie") or n.depth <= 2:
            found = len(signoff_lines(n))
            if found == 1:
                signed[n.style] += 1
            elif found > 1:
                several.add(n.style)
    candidates = [s for s in signed if signed[s] >= 2 and s not in several]
    if candidates:
        return min(candidates, key=lambda s: depth[s]), "signoff"
    if toc_titles:
        listed = Counter(n.style for n in nodes if squeeze(n.text) in toc_titles)
        if listed and max(listed.values()) >= 2:
            best = max(listed.values())
            return min((s for s in listed if listed[s] == best), key=lambda s: depth[s]), "toc"
    top = min(order, key=lambda s: depth[s])
    if top in ("chapter", "heading1") or top.startswith("heading"):
        below = [n.style for n in nodes if n.depth == depth[top] + 1 and is_heading(n)]
        if below and top == "chapter":
            inner = Counter(below).most_common(1)[0][0]
            # A chapter that holds 条 (or any other numbered line) directly, beside other chapters' 节: the
            # chapters are the documents and their 节 its sections, so that no chapter's text is left out.
            if any(item.style and item.style != inner for n in nodes if n.style == top for item in n.body):
                return top, "chapters-mixed"
            return inner, "chapters"
    return top, "outermost"


# ---------------------------------------------------------------------------
# Sections, clauses and sub-items

HEADING_STYLES = ("chapter", "jie", "coded")


SENTENCE_END = re.compile(r"[。；;！？!?]$")
LEAD_IN = re.compile(r"[^\s]{6,}[：:]$")  # a sentence that leads into what follows (差旅费的报销标准如下：), not a title
RUN_ON_TEXT = re.compile(r"[，。；;,：:](?=.)")


def reads_as_sentence(line: Line, below_sections: bool) -> bool:
    """A Word heading paragraph that is a sentence, not a title: it ends with 。 or ；; below the level of a
    document's sections also one that is long (over 30 characters) or runs on into text (``职责：负责…``)."""
    text = clean(line.text)
    if SENTENCE_END.search(text):
        return True
    return below_sections and (len(text) > 30 or bool(RUN_ON_TEXT.search(text)))


def is_heading(line: Line, depth: int = 0) -> bool:
    """Whether ``line`` is a heading (a section) rather than a clause, ``depth`` levels below its document's
    sections (0: at the level of the sections).  A Word heading style is a heading unless the paragraph reads
    as a sentence: numbered sentences in Heading 3 under Heading 2 sections are the section's clauses."""
    if line.style.startswith("heading"):
        return not reads_as_sentence(line, depth > 0)
    if line.style in HEADING_STYLES:
        return True
    if line.style == "tiao":
        return False
    text = clean(line.text)
    has_content = any(item.block.kind != "paragraph" or item.block.text.strip() for item in line.body)
    return has_content and len(text) <= 30 and not re.search(r"[。；;，,：:]$", text) and bool(line.children or
                                                                                       len(line.body) <= 20)


def split_title(text: str) -> tuple[str, str]:
    """A heading line run on into its text (``结论公司部门管理手册是…，…``): the title up to the first
    punctuation (at most 30 characters), and the rest."""
    if len(text) <= 30:
        return text, ""
    m = re.search(r"[，。；：,;:]", text)
    if m and 2 <= m.start() <= 30:
        return text[:m.start()], text[m.end():].strip()
    return text, ""


def table_markdown(rows, indent: str = "") -> str:
    width = max((len(r) for r in rows), default=0)
    if not width:
        return ""

    def cell(text: str) -> str:
        # (a cell's paragraphs one under the other: ``<br>``, the line break the body parser reads in a cell)
        lines = [md_escape(clean(line)).replace("|", "\\|") for line in text.split("\n") if clean(line)]
        return "<br>".join(lines) if lines else " "

    out = []
    for k, row in enumerate(rows):
        cells = [cell(c) for c in row] + [" "] * (width - len(row))
        out.append(indent + "| " + " | ".join(cells) + " |")
        if k == 0:
            out.append(indent + "|" + "---|" * width)
    return "\n".join(out)


@dataclass
class DocBuild:
    doc: ImportedDoc
    node: Line
    consumed: set[int] = field(default_factory=set)  # id() of lines taken into the front matter
    images: list[tuple[str, bytes]] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)  # from a staffing table
    lead: str = ""  # the rest of a long heading line: the body's first paragraph


def shown(line: Line) -> str:
    """The text of a section or clause line as the body shows it: a document code taken out of the line (a
    heading that cites a document, ``HX-SC-03 模具管理制度`` under 相关文件) put back, as the source has it."""
    if not line.code:
        return line.text
    text = line.block.text.strip()
    if line.marker and not line.block.number and text.startswith(line.marker):
        text = text[len(line.marker):].strip()
    first = re.match(r"[\s(（\[【]*(?:文件)?(?:编号|No\.?)?[:：]?\s*" + re.escape(line.code), text)
    return f"{line.code} {line.text}".strip() if first else f"{line.text} {line.code}".strip()


class Renderer:
    def __init__(self, build: DocBuild, ledger: Ledger, where):
        self.build, self.ledger, self.where = build, ledger, where

    def image(self, line: Line, indent: str) -> str:
        """A picture of the legacy file: saved as policies/images/<code>-<n>.<ext> and shown where it stood,
        ``![说明](images/<code>-<n>.png)`` (relative to the document's file, as every output reads it); one
        that no output can show (EMF, TIFF …, or over the limits) is saved and named in a line of text."""
        name, data = line.block.image or ("image.png", b"")
        ext, problem, _, _ = inspect(data)
        if problem:
            ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ".png"
        n = len(self.build.images) + 1
        file = f"{safe_name(self.build.doc.code)}-{n}{ext}"
        self.build.images.append((file, data))
        words = md_escape(clean(line.block.text))
        if problem:
            self.build.doc.notes.append(f"图片（{self.where(line.position)}）保存为 policies/images/{file}，"
                                        "但其格式或大小无法在输出中显示，正文中只写了一行说明；"
                                        "请另存为 PNG 或 JPEG 后引用，或把图中的内容写成正文或表格")
            return f"{indent}（原稿图片{words and '“' + words + '”'}保存为 policies/images/{file}）"
        self.build.doc.notes.append(f"图片（{self.where(line.position)}）保存为 policies/images/{file}，"
                                    f"正文中引用为 images/{file}；请核对图片并写好说明文字")
        return f"{indent}![{words or '原稿图片'}](<images/{file}>)"

    def blocks(self, node: Line, depth: int) -> list[str]:
        """The body of ``node`` (a document or a section) as Markdown blocks."""
        parts: list[str] = []
        clauses: list[Line] = []

        def flush():
            if clauses:
                # 第X条 run on through a document's chapters (第三条 opens 第二章): the list starts at the source's
                # number, so that 第三条 stays clause 3 (a citation 按第三条 still finds it).
                first = clauses[0]
                start = first.value if first.style == "tiao" and isinstance(first.value, int) and first.value > 1 else 1
                parts.append("\n".join(self.clause(c, n, "") for n, c in enumerate(clauses, start)))
                clauses.clear()

        for item in node.body:
            if id(item) in self.build.consumed:
                continue
            kind = item.block.kind
            if item.style and not is_heading(item, depth):
                clauses.append(item)
                continue
            flush()
            if kind == "table" and self.staffing(item):
                continue
            if kind == "table":
                self.ledger.take(item.block)
                parts.append(table_markdown(item.block.rows))
            elif kind == "image":
                parts.append(self.image(item, ""))
            elif not item.style:
                if item.block.text.strip():
                    self.ledger.take(item.block)
                    parts.append(md_escape(prose(item.block.text)))
            else:
                self.ledger.take(item.block)
                # (a space after a number or a letter's, as the reader sees it apart: 2.1 职责, a) 适用范围)
                gap = " " if re.search(r"[\dA-Za-z.．章节]$", item.marker) or re.match(r"[A-Za-z][)）]$", item.marker) \
                    else ""
                # (the number is a heading's own: not escaped as a list start, which it is not after "## ")
                title = MD_SPECIAL.sub(r"\\\1", item.marker) + gap + md_escape(clean(shown(item))) if item.marker else \
                    md_escape(clean(shown(item)))
                parts.append("#" * min(depth + 2, 4) + " " + title)
                parts.extend(self.blocks(item, depth + 1))
        flush()
        return [p for p in parts if p.strip()]

    def staffing(self, line: Line) -> bool:
        """A staffing table (岗位 | 人数): its rows go to manual/roles.yaml and the document shows the
        staffing table generated from there (``staffing: true``); a 职责 column (with 任职要求, 汇报对象)
        makes each row a job description (``jobs:``), with or without 人数 (``staffing_jobs``)."""
        rows = line.block.rows
        if len(rows) < 2:
            return False
        header = [clean(c) for c in rows[0]]
        columns = staff_columns(header)
        if columns and any(k in columns for k in STAFF_MOVED):
            return staffing_jobs(self, line, header, columns)
        role = next((k for k, c in enumerate(header) if re.search("岗位|职位|职务", c)), None)
        count = next((k for k, c in enumerate(header) if re.search("人数|编制|定员|名额", c)), None)
        if role is None or count is None:
            return False
        found = []
        for row in rows[1:]:
            name = clean(row[role]) if role < len(row) else ""
            m = re.fullmatch(r"(\d{1,3})\s*[名人]?", clean(row[count])) if count < len(row) else None
            if not name or not m:
                return False
            found.append((name, int(m.group(1)), staffing_extra(header, row, (role, count))))
        doc = self.build.doc
        doc.staffing, doc.kind = True, "organisation"
        for k, (name, n, extra) in enumerate(found, 1):
            # (the other columns, 部门 say, in the role's comment of roles.yaml)
            self.build.roles.append({"id": name, "headcount": n, "where": self.where(line.position + k) + extra})
        self.ledger.take(line.block)
        self.ledger.roles.append(line.block)  # audited once roles.yaml is written (audit_roles)
        self.ledger.reported.append((line.position, "人员配备表的表头；岗位和人数已写入 manual/roles.yaml",
                                     " | ".join(rows[0]), 0))
        doc.notes.append(f"人员配备表（{self.where(line.position)}）写入 manual/roles.yaml；正文由 staffing: true 生成")
        return True

    def clause(self, line: Line, n: int, indent: str) -> str:
        self.ledger.take(line.block)
        head = f"{indent}{n}. {md_escape(clean(shown(line))) or md_escape(line.marker)}"
        inner = indent + " " * (len(str(n)) + 2)
        out = [head]
        subs: list[Line] = []
        for item in line.body:
            if id(item) in self.build.consumed:
                continue
            if item.style:
                subs.append(item)
                continue
            if subs:
                out.append("\n".join(self.clause(s, k, inner) for k, s in enumerate(subs, 1)))
                subs = []
            if item.block.kind == "table":
                self.ledger.take(item.block)
                out.append("\n" + table_markdown(item.block.rows, inner))
            elif item.block.kind == "image":
                out.append("\n" + self.image(item, inner))
            elif item.block.text.strip():
                self.ledger.take(item.block)
                out.append("\n" + inner + md_escape(prose(item.block.text)))
        if subs:
            out.append("\n".join(self.clause(s, k, inner) for k, s in enumerate(subs, 1)))
        return "\n".join(out)


LABEL_AT = re.compile(rf"(?:{LABEL.pattern})\s*[:：]")


def prose(text: str) -> str:
    """A body paragraph as one line (``clean``); a label line kept in the body (a second sign-off: ``编制：人力资源部
    审核：陈静 批准： 日期：2018年 月 日``) keeps its fields apart, with an ideographic space between them."""
    if not label_pairs(text):
        return clean(text)
    starts = [m.start() for m in LABEL_AT.finditer(text)]
    if len(starts) < 2:
        return clean(text)
    fields = [clean(text[a:b]) for a, b in zip([0] + starts[1:], starts[1:] + [len(text)])]
    return "\u3000".join(f for f in fields if f)


def safe_name(code: str) -> str:
    return file_stem(code)


# ---------------------------------------------------------------------------
# Code scheme


def infer_scheme(codes: list[str]) -> tuple[str, str] | None:
    """(pattern, format) that the most codes follow, found by comparing them (``model/codes.py``):
    ``YD-0101-2013`` → ``^YD-(?P<chapter>\\d{2})(?P<seq>\\d{2})-(?P<year>\\d{4})$``,
    ``JN-QP-01-2014`` → ``^JN-QP-(?P<seq>\\d{2})-(?P<year>\\d{4})$``."""
    return scheme_of(codes)


# ---------------------------------------------------------------------------
# The whole step


@dataclass
class Options:
    year: int | None = None
    placeholder_forms: bool = False


def starts_document(lines: list[Line], k: int) -> bool:
    """Whether the unnumbered coded line ``lines[k]`` (``QP-7.4-01 采购控制程序``) opens a document rather than
    cites one (a 相关文件 list): what follows is a control table or line, a first numbered line (1 目的, 一、),
    a Word heading or text; not another coded line, a numbered line that goes on counting (6 记录), a sign-off
    line, or nothing.  A sign-off line or table right under it opens the document only when a first numbered
    line follows the sign-off (a sign-off at the top of each document)."""
    if k + 1 >= len(lines):
        return False
    below = lines[k + 1]
    if is_signoff(below) or (below.block.kind == "paragraph" and LABEL_LINE.match(below.block.text)):
        # (编制：… closes the document citing it, unless the document's first numbered line comes after it)
        after = lines[k + 2] if k + 2 < len(lines) else None
        return after is not None and after.block.kind == "paragraph" and bool(after.style) \
            and after.style != "coded" and after.value == 1
    if below.block.kind != "paragraph":
        return True
    if CONTROL_LINE.match(below.block.text) or below.block.heading:
        return True
    if below.style == "coded":
        return False
    return below.value <= 1 if below.style else True


def titled_by_control(lines: list[Line], k: int) -> bool:
    """An unnumbered title line right above a ``文件编号：``/``编号：``/``No.:`` line with a code (the ISO layout
    ``采购控制程序`` / ``文件编号：QP-7.4-01  版本：B/0``), not a company or manual title."""
    line = lines[k]
    text = line.block.text.strip()
    if k + 1 >= len(lines) or not heading_like(text) or len(text) > 30 or not re.search(f"[{CJK}]", text):
        return False
    below = lines[k + 1].block
    if below.kind == "table":  # 采购控制程序 over a control table 文件名称：采购控制程序 | 文件编号：HX-QP-02-2016
        found = table_title_code(below)
        if not found or (found[0] and squeeze(found[0]) != squeeze(text)):
            return False
    elif below.kind != "paragraph" or not CONTROL_LINE.match(below.text) or find_code(below.text) is None:
        return False
    return not company_in(text) and not re.search(r"(?:手册|汇编|程序文件)$", text) and find_code(text) is None


def is_signoff(line: Line) -> bool:
    """A sign-off line (``编制：… 审核：… 批准：…``) or table: two steps or more."""
    if line.block.kind == "paragraph":
        pairs = label_pairs(line.block.text) if not line.style else None
    elif line.block.kind == "table":
        pairs = table_pairs(line.block)
    else:
        return False
    return bool(pairs) and sum(1 for k, _ in pairs if k in ("prepared", "reviewed", "approved")) >= 2


NOT_A_DOCUMENT_TITLE = re.compile(r"^(?:附|目\s*录|目\s*次|前\s*言|引\s*言|说\s*明)|(?:手册|汇编|程序文件)$")


def could_title(line: Line) -> bool:
    """An unnumbered line that could be a document's title: short, no sentence, some Chinese; not a label line,
    a company, a manual's title, an appendix or form (附：…, …记录表), a date or a code."""
    text = line.block.text.strip()
    return (line.block.kind == "paragraph" and not line.style and not line.block.heading and heading_like(text)
            and not text.startswith("《")
            and len(text) <= 30 and bool(re.search(f"[{CJK}]", text)) and not LABEL_LINE.match(text)
            and not company_in(text) and not NOT_A_DOCUMENT_TITLE.search(text) and not FORM_TITLE.search(text)
            and not dates_in(text) and find_code(text) is None)


def uncoded_documents(lines: list[Line], style: str) -> list[tuple[int, Line | None]]:
    """The unnumbered title lines among documents of ``style`` that are documents of their own, each with its
    own sign-off (None when it has none), by index in ``lines`` (issue 16: "a chapter with a sign-off is a
    document").  A title line whose own sign-off follows before the next document, when the document before
    it ends with its sign-off (the line before the title, 附：… lines aside), or the sign-off stands right under
    the title with the first numbered line (1 范围) under it, or no document comes before it and the numbering
    under it starts at 1; or a title right after a document that ends with its sign-off, with the numbering
    under it starting again at 1.  Not a short line inside a document (``注意事项`` over its own 1. 2. 3.), nor
    the last short line of a document right over its sign-off: the document before it has not ended."""
    heads = [k for k, line in enumerate(lines) if line.style == style and line.block.kind == "paragraph"]
    if not heads:
        return []
    signed = [k for k, line in enumerate(lines) if is_signoff(line)]
    found: list[tuple[int, Line | None]] = []
    for k, line in enumerate(lines):  # (linear: the searches are bisections)
        if not could_title(line):
            continue
        first = not found and heads[0] > k
        n = bisect.bisect_right(heads, k)
        after = heads[n] if n < len(heads) else len(lines)
        n = bisect.bisect_right(signed, k)
        own = lines[signed[n]] if n < len(signed) and signed[n] < after else None
        below = lines[k + 1] if k + 1 < len(lines) else None
        restart = starts_at_one(lines, k + 1, style)
        signed_top = below is not None and is_signoff(below) and starts_at_one(lines, k + 2, style)
        if (own and (ends_signed(lines, k) or signed_top or (first and restart))) \
                or (not first and restart and ends_signed(lines, k)):
            found.append((k, own))
    return found


def starts_at_one(lines: list[Line], k: int, style: str) -> bool:
    """Whether ``lines[k]`` is a numbered line (not a document's) numbered 1: a document's first section."""
    line = lines[k] if k < len(lines) else None
    return line is not None and line.block.kind == "paragraph" and bool(line.style) and line.style != style \
        and line.value == 1


def ends_signed(lines: list[Line], k: int) -> bool:
    """Whether the text before ``lines[k]`` ends with a sign-off (empty lines and appended forms aside)."""
    for j in range(k - 1, -1, -1):  # (an index, not a copy of the lines before: linear)
        line = lines[j]
        if line.block.kind == "paragraph" and (not line.block.text.strip() or re.match(r"\s*附", line.block.text)):
            continue
        return is_signoff(line)
    return False


def opens_first_document(lines: list[Line], first: int, toc: set[int]) -> bool:
    """Whether the line before the first numbered line ``lines[first]`` is the title of an uncoded first
    document rather than a cover line: it could be a title, the numbering under it starts at 1, and its own
    sign-off follows before the first line that carries a document code."""
    k = first - 1
    if k < 0 or k in toc or first >= len(lines) or not could_title(lines[k]) or lines[first].value != 1:
        return False
    for line in lines[first:]:
        if line.code or line.style == "coded" or (line.block.kind == "paragraph" and CONTROL_LINE.match(line.block.text)):
            return False
        if is_signoff(line):
            return any(other.code or other.style == "coded" or CONTROL_LINE.match(other.block.text)
                       for other in lines[first:] if other.block.kind == "paragraph")
    return False


DECIMAL_ON = re.compile(rf"(\d{{2}})\s+(?=[{CJK}])")


def continue_decimal(lines: list[Line]) -> None:
    """A first-level decimal number over 30 (``31 设备管理``) is read as one only where it goes on counting the
    ones before it (30, then 31): alone, ``50 吨以上…`` is a sentence.  60 chapters numbered 1 … 60 are one
    numbering."""
    last = 0
    for line in lines:
        if line.block.kind != "paragraph":
            continue
        if line.style == "decimal1":
            last = line.value
        elif not line.style and not line.block.number and last >= 30:
            m = DECIMAL_ON.match(line.block.text.strip())
            if m and int(m.group(1)) == last + 1 and line.block.text.strip()[m.end():].strip():
                line.style, line.value, line.marker = "decimal1", last + 1, m.group(1)
                line.text = line.block.text.strip()[m.end():].strip()
                last += 1


def trailing_control(lines: list[Line]) -> list[Line]:
    """A ``文件编号：`` line at the END of a document (after its last clause, before or after its sign-off) is that
    document's: put it right under the document's unnumbered title line (the nearest one above whose numbering
    starts at 1 right under it, with no other code line between), where ``titled_by_control`` reads it as in
    ``财务报销管理办法`` / ``文件编号：…``.  A line that ends a numbered sentence (``②　代签后须在三日内补签。``) is
    never the heading the code belongs to."""
    out = list(lines)
    for line in lines:
        if line.style or line.block.kind != "paragraph" or not CONTROL_LINE.match(line.block.text) \
                or find_code(line.block.text) is None:
            continue
        k = next(i for i, other in enumerate(out) if other is line)
        above = next((out[i] for i in range(k - 1, -1, -1) if out[i].block.kind != "paragraph"
                      or out[i].block.text.strip()), None)
        while above is not None and above.block.kind == "paragraph" and is_signoff(above):
            i = out.index(above)
            above = next((out[j] for j in range(i - 1, -1, -1) if out[j].block.kind != "paragraph"
                          or out[j].block.text.strip()), None)
        if above is None or above.block.kind != "paragraph" or not (above.style or LABEL_LINE.match(above.block.text)
                                                                    or not heading_like(above.block.text)):
            continue  # right under a title line: the ordinary layout
        if above.style and not SENTENCE_END.search(clean(above.text)) and not LEAD_IN.search(clean(above.text)):
            continue  # under a numbered heading (1 范围): the heading's own code line (not under 「…如下：」)
        title = None
        for j in range(k - 1, -1, -1):
            other = out[j]
            if other.block.kind == "paragraph" and (other.code or other.style == "coded" or (
                    not other.style and CONTROL_LINE.match(other.block.text))):
                break
            if could_title(other) and not other.block.heading:
                after = next((x for x in out[j + 1:k] if x.block.kind != "paragraph" or x.block.text.strip()), None)
                if after is not None and after.style and after.value == 1:
                    title = j
                    break
        if title is None:
            continue
        out.pop(k)
        out.insert(title + 1, line)
    return out


def same_code(a: str, b: str) -> bool:
    """Whether two codes name the same document: equal, or one is the other with its year (QP-01, QP-01-2015)."""
    return a == b or bool(re.fullmatch(re.escape(a) + r"-(?:19|20)\d{2}", b)) or bool(
        re.fullmatch(re.escape(b) + r"-(?:19|20)\d{2}", a))


def control_table_documents(lines: list[Line], ledger: Ledger) -> tuple[list[Line], set[int]]:
    """The lines with each document-control table that opens a document (``opens_by_table``) given a title line
    of its own before it (made from its 文件名称, counted as no paragraph of the input: the table's cells are);
    a title line right under such a table (``文件控制程序`` under 文件名称：文件控制程序 | …) put before it, where
    ``titled_by_control`` reads it as the document's title.  And the id() of the title lines made."""
    out: list[Line] = []
    made: set[int] = set()
    k = 0
    while k < len(lines):
        line = lines[k]
        found = table_title_code(line.block) if line.block.kind == "table" else None
        if found and found[0] and k + 1 < len(lines):
            below = lines[k + 1]
            if below.block.kind == "paragraph" and not below.style and not below.block.heading \
                    and squeeze(below.block.text) == squeeze(found[0]):
                out += [below, line]  # (the title under its table: read as above it)
                k += 2
                continue
        if found and opens_by_table(lines, k):
            block = Block("paragraph", line.block.position, found[0])
            ledger.seen.add(id(block))  # (no paragraph of the input: nothing to count)
            title = Line(block, found[0], "coded", 0, "")
            made.add(id(title))
            out.append(title)
        out.append(line)
        k += 1
    return out, made


def ledger_of(blocks: list[Block]) -> Ledger:
    """A new ledger counting the paragraphs (table cells) of ``blocks``, nothing taken yet."""
    ledger = Ledger()
    ledger.paragraphs = sum(ledger.count(b) for b in blocks)
    ledger.seen.clear()
    return ledger


def build_documents(blocks: list[Block], result: Imported, options: Options, unit: str) -> Ledger:
    """Fill ``result`` (documents, chapters, company, title, date, year, code scheme) from ``blocks``."""
    ledger = ledger_of(blocks)

    def where(position: int) -> str:
        return f"第 {position} {unit}"

    # The letters of the manual's hyphenated codes: QP02 is QP-02 where QP-01 and QP-03 are codes.
    prefixes = code_prefixes([b.text for b in blocks if b.kind == "paragraph"] +
                             [cell for b in blocks if b.kind == "table" for row in b.rows for cell in row])
    lines = [line for b in blocks for line in lines_of(b, prefixes)]
    lines, by_table = control_table_documents(lines, ledger)
    lines = trailing_control(lines)
    continue_decimal(lines)
    toc = find_toc(lines)
    toc_titles = {squeeze(PAGE_TAIL.sub("", TOC_LEADER.sub("", lines[k].block.text))) for k in toc}
    toc_codes: dict[str, tuple[str, int]] = {}  # squeezed title → (code, position) of a coded TOC entry
    toc_entries: list[tuple[str, str, int]] = []  # (squeezed title, code, position) of each coded TOC entry
    for k in sorted(toc):
        line = lines[k]
        entry, code, _ = take_code(line.text if line.style else line.block.text, prefixes)
        entry = re.sub(r"[…\.·．\t\s]+$", "", entry)
        if code:
            toc_codes.setdefault(squeeze(PAGE_TAIL.sub("", entry)), (code, line.position))
            toc_entries.append((squeeze(PAGE_TAIL.sub("", entry)), code, line.position))
            toc_titles.add(squeeze(PAGE_TAIL.sub("", entry)))
    for k in toc:
        ledger.report(lines[k].block, "目录（网站和打印版由 manual/manual.yaml 的章节生成目录）")
    for k, line in enumerate(lines):
        if line.style == "coded" and k not in toc and not starts_document(lines, k):
            line.style, line.code, line.text = "", None, line.block.text.strip()  # a cited code: 相关文件 lists
    from_toc: set[int] = set()  # id() of unnumbered title lines whose code comes from the coded TOC
    for k, line in enumerate(lines):
        if k not in toc and line.block.kind == "paragraph" and not line.style and not line.block.heading \
                and titled_by_control(lines, k):
            line.style = "coded"  # 采购控制程序 over 文件编号：QP-7.4-01: a document heading without a number
        elif k not in toc and line.block.kind == "paragraph" and not line.style and not line.block.heading \
                and heading_like(line.block.text) and squeeze(line.block.text) in toc_codes:
            line.style, line.code = "coded", toc_codes[squeeze(line.block.text)][0]  # a title the coded TOC lists
            from_toc.add(id(line))
    first_styled = next((k for k, line in enumerate(lines) if k not in toc and line.block.kind == "paragraph"
                         and (line.style or line.block.heading) and not company_in(line.block.text)), len(lines))
    if first_styled == len(lines):  # no heading at all: the cover is the lines up to the first sentence
        first_styled = next((k for k, line in enumerate(lines) if line.block.kind != "paragraph"
                             or re.search(r"[。；;，,]", line.block.text) or len(line.block.text.strip()) > 40),
                            len(lines))
    if opens_first_document(lines, first_styled, toc):
        first_styled -= 1  # an uncoded first document's title, not a cover line
    cover = [line for k, line in enumerate(lines[:first_styled]) if k not in toc]
    read_cover(cover, result, ledger, where)
    rest = [line for k, line in enumerate(lines) if k >= first_styled and k not in toc]
    for k, line in enumerate(rest):
        if line.block.kind != "paragraph" or line.code:
            continue
        if (line.style or line.block.heading) and (line.block.heading or heading_like(line.text)):
            line.text, line.code, written = take_code(line.text, prefixes)  # (never out of a clause sentence:
            line.spelled = spelled_as(line.code, written) if line.code else ""  # 执行Q/DF 102-2012《…》)
    root = outline(rest)
    style, why = choose_style(root, toc_titles - {"目录", "目次"})
    uncoded: dict[int, str] = {}  # id() of an unnumbered title made a document → why
    if style and why != "none":
        found = uncoded_documents(rest, style)
        for k, own in found:
            uncoded[id(rest[k])] = (f"标题行没有编号，但其下有自己的编制/审核/批准签署（{where(own.position)}）" if own else
                                    "标题行没有编号，前一个文件已由签署结束，其下的编号从 1 重新开始") + "：作为一个文件"
            title = re.sub(r"^[【\[〔]\s*(.+?)\s*[】\]〕]$", r"\1", rest[k].block.text.strip())  # 【危险化学品管理规定】
            rest[k].style, rest[k].code, rest[k].text = style, None, title
        # The outline again, with these titles as documents and no document under another's sections.
        for line in rest:
            line.children, line.body, line.depth = [], [], -1
        root = outline(rest, style)
    name = STYLE_NAMES.get(style.rstrip("0123456789"), style)
    if why == "signoff":  # the real signal: how many of them carry a sign-off, not "each one does"
        heads = [n for n in walk(root) if n.style == style]
        signed = sum(1 for n in heads if signoff_lines(n))
        result.report.append(f"原稿没有文件编号：{signed} 个{name}标题下有编制/审核/批准签署，因此每个{name}标题各为一个文件"
                             + (f"（其中 {len(heads) - signed} 个没有签署）" if len(heads) > signed else ""))
    else:
        result.report.append(REASONS[why].format(style=name))
    docs: list[DocBuild] = []
    chapters: list[tuple[Line, list[DocBuild]]] = []
    headings: list[Line] = []  # styled lines above the documents

    def visit(node: Line, chapter: Line | None):
        for item in node.body:
            if not item.style:
                if node is root or chapter is node:
                    if item.block.kind == "image":
                        result.report.append(f"{where(item.position)} 的图片在第一个文件之前，未导入")
                    ledger.report(item.block, "不属于任何文件的文字（封面之后、第一个文件之前，或章标题之下）")
                continue
            if item.style == style:
                title, rest = split_title(clean(item.text))
                build = DocBuild(ImportedDoc(code="", title=title, toc_code=None, start=0, end=0), item)
                if rest:
                    build.lead = rest
                    build.doc.notes.append(f"标题行（{where(item.position)}）很长：标题取到第一个标点，其余“{rest[:20]}…”"
                                           "作为正文的第一段")
                if id(item) in uncoded:
                    build.doc.notes.append(f"{where(item.position)}“{title}”：{uncoded[id(item)]}")
                if id(item) in by_table:
                    build.doc.notes.append(f"{where(item.position)}的文件控制表写有文件名称“{title}”和文件编号：作为一个"
                                           "文件的开始，标题取自文件名称")
                docs.append(build)
                if chapter is not None and (not chapters or chapters[-1][0] is not chapter):
                    chapters.append((chapter, []))
                if chapter is not None:
                    chapters[-1][1].append(build)
                ledger.take(item.block)
            else:
                headings.append(item)  # a chapter title, if manual.yaml's chapters take it (below)
                visit(item, item)

    if not style:
        whole = Line(Block("paragraph", rest[0].position if rest else 1), result.title or "正文", style="doc")
        whole.body = root.body
        build = DocBuild(ImportedDoc(code="", title=result.title or "正文", toc_code=None, start=0, end=0), whole)
        docs.append(build)
        result.report.append("原稿中没有识别出章节或编号：全文导入为一个文件")
    else:
        visit(root, None)
    for build in docs:
        read_document(build, result, ledger, where, options)
    # The TOC is matched by code first (QP-01 lists the document whose code is QP-01 or QP-01-2015), then by
    # title among the entries no document's code matched: two documents may have the same title.
    by_code: dict[int, tuple[str, int]] = {}
    for build in docs:
        if id(build.node) in from_toc:
            continue  # (its code is the TOC's: said below)
        for entry in toc_entries:
            if build.doc.toc_code and same_code(entry[1], build.doc.toc_code):
                by_code[id(build)] = (entry[1], entry[2])
                break
    claimed = {listed[1] for listed in by_code.values()}
    for build in docs:
        if id(build) in by_code:
            continue  # (the TOC and the body agree)
        listed = next(((code, position) for key, code, position in toc_entries
                       if key == squeeze(build.doc.title) and position not in claimed), None)
        if listed and id(build.node) in from_toc:
            build.doc.notes.append(f"正文标题（{where(build.node.position)}）没有编号；采用目录（{where(listed[1])}）中的"
                                   f"编号 {listed[0]}")
        elif listed and not build.doc.toc_code:
            build.doc.toc_code = listed[0]
            build.doc.notes.append(f"正文标题（{where(build.node.position)}）没有编号；采用目录（{where(listed[1])}）中的"
                                   f"编号 {listed[0]}")
        elif listed and listed[0] != build.doc.toc_code:
            build.doc.notes.append(f"目录写作 {listed[0]}（{where(listed[1])}），正文写作 {build.doc.toc_code}；"
                                   "保留正文的编号")
    cited = frozenset(c for b in blocks if b.kind == "paragraph" for c in codes_in(b.text, prefixes))
    assign_codes(docs, chapters, result, options, cited | {c for b in blocks if b.kind == "table" for row in b.rows
                                                          for cell in row for c in codes_in(cell, prefixes)})
    for build in docs:
        if build.doc.jobs_text:
            for item in [build.node, *subtree(build.node)]:
                if id(item) not in build.consumed:
                    ledger.take(item.block)
            continue
        renderer = Renderer(build, ledger, where)
        lead = [md_escape(build.lead)] if build.lead else []
        build.doc.body = "\n\n".join(lead + renderer.blocks(build.node, 0)) + "\n"
        if not build.doc.body.strip():
            build.doc.body = ""
        build.doc.images = build.images
        for role in build.roles:
            if role["id"] not in {r["id"] for r in result.roles}:
                result.roles.append(role)
    result.documents = [b.doc for b in docs]
    for build in docs:  # what went into a front matter (sign-off, control table): audited once written
        for item in [build.node, *subtree(build.node)]:
            if id(item) in build.consumed:
                ledger.front.setdefault(id(build.doc), []).append(item.block)
    # A heading above the documents is said to be a chapter title only when manual.yaml has it as one.
    titles = {c["title"] for c in result.chapters}
    for item in headings:
        if clean(item.text) in titles and ledger.count(item.block):
            ledger.imported += 1
            result.report.append(f"{where(item.position)}“{clean(item.marker + ' ' + item.text)}”作为章标题")
    sweep(blocks, ledger)
    return ledger


def _content(text: str) -> str:
    """A value as the conservation audit compares it: a date as YYYYMMDD, a headcount without 名, labels,
    spaces and punctuation out."""
    from .importbase import parse_date

    if DATE_ANY.search(text):
        value, complete = parse_date(text)
        if complete:
            text = re.sub(DATE_ANY.pattern + r"\s*日?", value or "", text, count=1)
    text = re.sub(r"(?<=\d)\s*[名人]", "", text)  # a headcount: 12名 is written 12
    text = re.sub(r"(?<![A-Za-z])[Vv](?=\d)", "", text)  # a version: V2.1 is written 2.1
    return re.sub(rf"[^{CJK}A-Za-z0-9]", "", LABEL.sub("", text))


def audit_front(ledger: Ledger, doc: ImportedDoc, written: str) -> None:
    """After ``doc`` is written: each table cell and each value of a label line read into its front matter
    must be in ``written`` (the file); a cell that is not is counted and listed as not imported, a value of
    a line as part of it, so that nothing read into a front matter is dropped silently."""
    blocks = ledger.front.get(id(doc), [])
    if blocks:
        head = written.split("\n---\n", 1)[0]
        # (the import's own revision entry is no text of the source; a 修订记录's entries are)
        head = "\n".join(line for line in head.splitlines()
                         if not (line.lstrip().startswith("- {version:") and line.rstrip().endswith("by: 导入}")))
        _audit(ledger, [(b, b.rows if b.kind == "table" else None) for b in blocks], head,
               f"读入 {doc.code} 的文件头时没有写入")


def audit_roles(ledger: Ledger, written: str) -> None:
    """The same for the staffing tables read into ``manual/roles.yaml`` (their header row is listed already)."""
    if ledger.roles:
        _audit(ledger, [(b, b.rows[1:]) for b in ledger.roles], written, "写入 manual/roles.yaml 时没有写入")


def audit_cover(ledger: Ledger, written: str) -> None:
    """The same for the cover lines read into ``manual/manual.yaml`` (company, title, date): what of a line is
    not there (发布 after a date, the month of 2017年6月) is listed as part of it."""
    if ledger.cover:
        _audit(ledger, [(b, None) for b in ledger.cover], written, "封面行写入 manual/manual.yaml 时没有写入", whole=True)


def _audit(ledger: Ledger, blocks: list[tuple[Block, list | None]], written: str, why: str, whole: bool = False) -> None:
    text = _content(written).replace("-", "")
    if ledger.listed is None:  # once for the whole import (linear time): what is listed already, by position
        ledger.listed = {(position, what.strip()) for position, _, what, _ in ledger.reported}
    listed = ledger.listed
    pieces = []
    for block, rows in blocks:
        if rows is not None:
            skip = len(block.rows) - len(rows)  # (a header row left out)
            pieces += [(block, cell, 1, r + skip) for r, row in enumerate(rows) for cell in row]
        else:
            pairs = None if whole else label_pairs(block.text)
            # (a label line: each label's value is a piece, 编制/日期：张三/2016-3-1 read as 编制：张三 2016-3-1)
            parts = [block.text] if whole else [value for _, value in pairs] if pairs else \
                re.split(r"[:：]|\s{2,}", block.text)
            pieces += [(block, part, 0, 0) for part in dict.fromkeys(parts)]
    # Longest first, and each value found uses up its place in the file: three dates 2015.7.1 need three,
    # and 年 月 日 is not found inside the 2014年月日 another cell gave.
    for block, piece, n, row in sorted(pieces, key=lambda p: -len(_content(p[1]))):
        whole = _content(piece).replace("-", "")
        if not whole:
            continue
        if {(block.position, piece.strip()), (block.position + row, piece.strip())} & listed:
            continue  # (listed already: a table's reader lists a cell at its row, block position + row; it uses
            # up no place in the file, which another piece of the same text may need)
        if whole in text:
            text = text.replace(whole, "\0", 1)
            continue
        if all(_content(t).replace("-", "") in text for t in piece.split()) or _written_apart(piece, text):
            continue
        ledger.reported.append((block.position, why + ("的单元格" if n else "的部分"), piece.strip(), n))
        ledger.imported -= n


def _written_apart(piece: str, text: str) -> bool:
    """Whether every date of ``piece`` (in any written form: 2016.3.1, 二〇一六年三月七日, （2016年3月1日）) is in
    ``text`` (the audited content) as its date, and every other word of it is there too: a value the front
    matter holds in its own form (``王五 二〇一六年三月七日`` → ``name: 王五, date: 2016-03-07``)."""
    rest = ascii_dates(piece)
    for m in reversed(list(DATE_FLEX.finditer(rest))):
        year, month, day = m.group(1), m.group(2) or m.group(5), m.group(3) or m.group(6)
        if not (month and day):
            continue
        if f"{int(year):04d}{int(month):02d}{int(day):02d}" not in text:
            return False
        rest = rest[:m.start()] + " " + rest[m.end():]
    # (words split at spaces, brackets and slashes only: a code QP-01-2015 is one word, not QP, 01 and 2015)
    words = [_content(w).replace("-", "") for w in re.split(r"[\s()（）/／、，,;；]+", LABEL.sub(" ", rest))]
    return all(w in text for w in words if w)


def sweep(blocks: list[Block], ledger: Ledger) -> None:
    """Conservation as an invariant: every block that no step wrote into a file goes to "not imported" with
    its position, so nothing is lost silently whatever the recognition did (paragraphs = imported + reported)."""
    for block in blocks:
        if id(block) not in ledger.seen:
            ledger.report(block, "导入没有把它写入任何文件（例如章标题没有成为 manual.yaml 的章、或不在任何文件之内）")


STYLE_NAMES = {"chapter": "第X章", "jie": "第X节", "tiao": "第X条", "decimal": "十进制编号（1 / 1.1 / 1.1.1）",
               "heading": "Word 标题样式", "cn": "“一、”", "paren_cn": "“（一）”", "num": "“1、”", "num_dot": "“1.”",
               "paren_num": "“(1)”", "num_paren": "“1)”", "circled": "“①”", "alpha": "“a)”", "ALPHA": "“A.”",
               "word_list": "Word 自动编号", "coded": "无序号"}
REASONS = {
    "code": "文件按原稿的文件编号划分：带编号的{style}标题各为一个文件",
    "toc": "原稿没有文件编号：目录列出的{style}标题各为一个文件",
    "chapters": "原稿没有文件编号、签署或目录：“第X章”为章，其下的{style}标题各为一个文件",
    "chapters-mixed": "原稿没有文件编号、签署或目录，有的“第X章”下直接是条文、有的下面分节：每个{style}各为一个文件，"
                      "其中的“第X节”为节",
    "outermost": "原稿没有文件编号、签署或目录：最外层的{style}标题各为一个文件",
    "none": "原稿中没有识别出章节或编号",
}


COVER_TITLE = re.compile(rf"[{CJK}A-Za-z0-9（）()《》]{{2,24}}")


def read_cover(cover: list[Line], result: Imported, ledger: Ledger, where) -> None:
    """Company, manual title and date from the lines before the first heading; the rest is reported."""
    for line in cover:
        block = line.block
        text = block.text.strip()
        used = False
        apart = ""  # the label:value parts of a cover line split at tabs, when the rest of it is the title
        if block.kind == "paragraph" and text:
            company = company_in(text)
            if company and not result.company:
                result.company = company
                result.report.append(f"公司名称“{company}”取自{where(block.position)}")
                text = text[text.index(company) + len(company):]
                used = True
            # A cover line pushed apart with tabs or wide spaces (仓储作业指导书汇编<TAB><TAB>版本：B/1): the title is
            # one of its parts; a label:value part (版本：B/1) is left for the report.
            parts = [p for p in re.split(r"\t+|[ \u3000]{2,}", text.strip()) if p.strip()]
            if len(parts) > 1 and not result.title and not company:
                kept = [p for p in parts if not LABEL_LINE.match(p)]
                if len(kept) == 1 and len(kept) < len(parts):
                    text, apart = kept[0], "  ".join(p for p in parts if LABEL_LINE.match(p))
            title = MANUAL_TITLE.search(text) if len(text) <= 40 else None
            if title and not result.title:
                result.title = title.group(1)
                used = True
            elif not result.title and not company and COVER_TITLE.fullmatch(text.strip()) \
                    and not dates_in(text):
                result.title = text.strip()  # a short line of the cover: 程序文件汇编
                title = COVER_TITLE.fullmatch(text.strip())
                used = True
            date = cover_date(text, result, where(block.position)) if len(text) <= 40 else None
            used = used or bool(date)
            if used and squeeze(text) and len(squeeze(LABEL.sub("", text))) > len(squeeze(
                    (title.group(0) if title else "") + (date or ""))) + 2:
                used = False  # more on the line than the name, title and date: keep it whole in the report
            if used and date:
                rest = squeeze(text.replace(date, "").replace(title.group(0) if title else "", ""))
                if rest and not COVER_WORDS.fullmatch(rest):  # A版 2019年: the A版 in the report
                    ledger.reported.append((block.position, "封面日期行上日期以外的文字", text, 0))
        if used and apart:
            ledger.take(block)  # the title went to manual.yaml; the 版本：B/1 beside it to the report
            ledger.reported.append((block.position, "封面行上手册名称以外的文字", apart, 0))
        elif used:
            ledger.take(block)
            ledger.cover.append(block)  # audited once manual.yaml is written (audit_cover)
        else:
            ledger.report(block, "封面或前言（第一个标题之前）")


def read_document(build: DocBuild, result: Imported, ledger: Ledger, where, options: Options) -> None:
    doc, node = build.doc, build.node
    last = max([node.position] + [item.position for item in subtree(node)])
    doc.lines = where(node.position) if last == node.position else f"第 {node.position}–{last} {where(0).split()[-1]}"
    control = control_of(node) if node.style != "doc" else {}
    code = node.code or control.get("code")
    if node.spelled:
        doc.notes.append(f"标题中的编号写作“{node.spelled}”（{where(node.position)}），按本手册其他编号的写法记为 "
                         f"{node.code}")
    if control.get("code") and control.get("spelled") != control["code"]:
        doc.notes.append(f"文件编号写作“{control['spelled']}”（{where(control['lines'][0].position)}），按本手册其他编号的"
                         f"写法记为 {control['code']}")
    if node.code and control.get("code") and control["code"] != node.code:
        if re.fullmatch(re.escape(node.code) + r"-(?:19|20)\d{2}", control["code"]):
            code = control["code"]  # QP-03 over 文件编号：QP-03-2013: the fuller code, its year as written
            doc.notes.append(f"标题中的编号 {node.code}（{where(node.position)}）没有年份，文件编号写作 {code}"
                             f"（{where(control['lines'][0].position)}）：采用完整的 {code}，年份按原稿保留")
        else:
            doc.notes.append(f"标题中的编号 {node.code} 与文件控制表中的 {control['code']} 不同；采用标题中的编号")
    doc.toc_code = code
    lines = control.get("lines", [])
    elsewhere = [s for s in signoff_lines(node) if all(part is not line for line in lines for part in parts_of(s))]
    for line in lines:
        build.consumed.add(id(line))
        doc.notes.append(f"文件控制信息（{where(line.position)}）写入文件头（front matter）")
    read_controls(lines, doc, ledger, where, signoff_here=not elsewhere)
    taken = doc.version
    take_revisions(build, ledger, where, list(subtree(node)))
    if control.get("version") and not taken:
        doc.notes.append(f"原稿版本写作“{control['version']}”（{where(node.position)}）；导入后版本为 "
                         f"{doc.version or '1.0'}，请核对")
    # Sign-off: the last sign-off line or table of the document (an older one may stand above it), else the
    # control table's names; but where the numbering starts again at 1 after a sign-off, a document whose start
    # was not recognised ran into this one: the sign-off before that is this one's, the rest are not.
    signs = [s for s in signoff_lines(node) if not any(id(part) in build.consumed for part in parts_of(s))]
    restart = next((item.position for item in subtree(node) if signs and item.style and item.value == 1
                    and node.children and item.style == node.children[0].style
                    and item.block.kind == "paragraph" and item.position > signs[0].position), None)
    steps: dict = {}
    if signs:
        chosen = [s for s in signs if restart is None or s.position < restart][-1]
        build.consumed.update(id(part) for part in parts_of(chosen))
        doc.signoff_where = where(chosen.position)
        if isinstance(chosen, SplitSignoff):
            last = chosen.parts[-1].position
            doc.signoff_where = where(chosen.position) if last == chosen.position else \
                f"第 {chosen.position}–{last} {where(0).split()[-1]}"
        if chosen.block.kind == "table":
            steps, used = signoff_table(chosen.block.rows)
            account(ledger, chosen.block, used, "签署表中没有对应字段的内容")
        else:
            for part in parts_of(chosen):
                ledger.take(part.block)
            steps = signoff_pairs(chosen.block.text) or {}
        for extra in signs:
            if extra is chosen:
                continue
            if restart is not None and extra.position > restart:
                doc.notes.append(f"另有一处签署（{where(extra.position)}）留在正文中：其前的编号在{where(restart)}从 1 重新"
                                 f"开始，可能是另一个文件的开始没有被识别出来，请核对；文件头采用{doc.signoff_where}的签署")
            else:
                doc.notes.append(f"另有一处签署（{where(extra.position)}）留在正文中；文件头采用{doc.signoff_where}的签署")
    elif any(k in control for k in ("prepared", "reviewed", "approved")):
        line = control["lines"][0]
        doc.signoff_where = where(line.position)
        if line.block.kind == "table":
            steps, _ = signoff_table(line.block.rows)
        else:
            steps = signoff_pairs(line.block.text) or {}
    if steps:
        signoff_entries(steps, doc, doc.signoff_where)
    else:
        doc.notes.append("没有找到编制/审核/批准签署")
    # Job descriptions and staffing lines: read as the seed path reads run-together text (importsegment).
    raw = [(item.position, raw_text(item)) for item in subtree(node) if id(item) not in build.consumed]
    joined = "\n".join(text for _, text in raw)
    if JOB_HEAD.search(joined) or len(STAFF.findall(joined)) >= 2:
        doc.jobs_text = [(node.position, raw_text(node))] + raw
    # Forms and citations: 《…》 in the text.
    doc.kind = kind_of(doc.title)
    seen: set[str] = set()
    for item in subtree(node):
        if item.block.kind != "paragraph":
            continue
        mentioned = [m.group(1) for m in re.finditer(r"《([^《》\n]{1,40})》", item.block.text)]
        mentioned += appended_forms(item.block.text)
        for title in mentioned:
            title = clean(title)
            if title in seen:
                continue
            seen.add(title)
            build_forms(result, doc, title, where(item.position), options)


def appended_forms(text: str) -> list[str]:
    """The titles of the forms a line appends without 《》: ``附：派车单、车辆维修申请表`` → both, whole."""
    found = []
    for m in FORM_PLAIN.finditer(text):
        if "《" in m.group(0):
            continue
        found.append(m.group(1))
        end = m.end()
        while more := FORM_MORE.match(text, end):
            found.append(more.group(1))
            end = more.end()
    return found


def raw_text(line: Line) -> str:
    """A line as the file has it: its marker and text; a table's rows one after the other."""
    if line.block.kind == "table":
        return " ".join(" ".join(c for c in row if c) for row in line.block.rows)
    if line.block.kind != "paragraph":
        return ""
    return f"{line.marker}{line.text}" if line.marker else line.block.text


def build_forms(result: Imported, doc: ImportedDoc, title: str, position: str, options: Options) -> None:
    if not FORM_TITLE.search(title):
        return
    result.pending_forms.append((doc, title, position))


def assign_codes(docs: list[DocBuild], chapters, result: Imported, options: Options,
                 cited: frozenset[str] = frozenset()) -> None:
    """Each document's code: its own (heading, control table, coded TOC), else the next number of the
    inferred scheme that no document has and the source never writes (``cited``: a code in a 相关文件 list
    is another document's), noted as assigned by the import with the document's position."""
    codes = [b.doc.toc_code for b in docs if b.doc.toc_code]
    year = options.year
    if year is None:
        # The year the cover states (2023年, 二〇二二年版) is the edition's, whatever year the codes carry;
        # without one, the year most codes carry.
        years = Counter(int(m.group(1)) for c in codes for m in [re.search(r"((?:19|20)\d{2})$", c)] if m)
        cover = int(result.date[:4]) if result.date else result.partial_date.year if result.partial_date else None
        year = cover or (years.most_common(1)[0][0] if years else None)
    result.year = year
    result.edition = str(year) if year else (result.date or "")[:4]
    scheme = infer_scheme(codes) if codes else None
    chapter_of: dict[int, int] = {}
    for n, (_, members) in enumerate(chapters, 1):
        for b in members:
            chapter_of[id(b)] = n
    if scheme is None:
        fmt = "{chapter:02d}{seq:02d}-{year}" if year else "{chapter:02d}{seq:02d}"
        pattern = r"^(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$" if year else r"^(?P<chapter>\d{2})(?P<seq>\d{2})$"
        result.code_scheme = {"pattern": pattern, "format": fmt}
        seq: Counter = Counter()
        for b in docs:
            ch = chapter_of.get(id(b), 1)
            seq[ch] += 1
            b.doc.code = fmt.format(chapter=ch, seq=seq[ch], year=year)
        result.report.append("原稿没有文件编号：编号由导入按 章(2位)+顺序(2位)" + ("-年份" if year else "")
                             + " 生成" + ("" if year else "（原稿没有日期，编号中不写年份；可用 --year 指定）"))
    else:
        pattern, fmt = scheme
        # Codes of the scheme that also carry a year (GL-XZ-001-2019 among GL-HR-001, GL-HR-002): the year
        # is an optional part, so that code-year reports one that is not the edition's.
        bare = [re.sub(r"(?<=\d)-(?:19|20)\d{2}$", "", c) for c in codes]
        if year and "(?P<year>" not in pattern and bare != codes:
            pattern, fmt = infer_scheme(bare) or scheme
            dated = pattern[:-1] + r"(?:-(?P<year>\d{4}))?$"
            pattern = dated if pattern.endswith("$") else pattern
        result.code_scheme = {"pattern": pattern, "format": fmt}
        result.report.append(f"编号规则由原稿的编号推定：{pattern}")
        used = set(codes) | set(cited)
        # The sequence numbers in use, by chapter (None: a code of a scheme without chapters), once (linear).
        taken: dict[str | None, set[int]] = {}
        for code in used:
            # (a code cited without its year, HX-SC-03 in a 相关文件 list, takes its number too)
            m = re.fullmatch(pattern, code) or re.fullmatch(pattern, f"{code}-{year or 1900}")
            if m and m.groupdict().get("seq"):
                taken.setdefault(m.groupdict().get("chapter"), set()).add(int(m.group("seq")))
        chapter, seq = "01", 0  # where the documents before have got to
        for b in docs:
            if b.doc.toc_code:
                b.doc.code = b.doc.toc_code
            else:
                b.doc.code = next_code(fmt, chapter, seq, used, (taken.get(chapter, set()), taken.get(None, set())),
                                       year)
                used.add(b.doc.code)
            m = re.fullmatch(pattern, b.doc.code)
            if m:
                chapter = m.groupdict().get("chapter") or chapter
                seq = int(m.groupdict().get("seq") or seq)
            if b.doc.toc_code:
                continue
            b.doc.notes.append(f"原稿中这个文件没有编号（{b.doc.lines}）；暂定为 {b.doc.code}（导入按编号规则取的下一个"
                               "原稿中没有用到的编号），请核对")
    if year:
        result.code_scheme["year"] = year
    result.code_scheme["example"] = docs[0].doc.code if docs else ""
    # Chapters of manual.yaml: the scheme's chapter numbers, or the source's chapters, or one chapter.
    has_chapter = "(?P<chapter>" in result.code_scheme["pattern"]
    groups: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for b in docs:
        m = re.fullmatch(result.code_scheme["pattern"], b.doc.code) if has_chapter else None
        if m:
            number = m.group("chapter")  # as the codes write it: "01" (0101-2014), "8" (QP-8-01), "7.5"
        else:
            number = f"{chapter_of.get(id(b), 1):02d}"
        groups.setdefault(number, []).append(b.doc.code)
        n = chapter_of.get(id(b))
        if n and number not in titles:
            titles[number] = clean(chapters[n - 1][0].text)
    by_code = {b.doc.code: b.doc.title for b in docs}
    result.chapters = [{"number": number, "title": titles.get(number) or
                        (result.title if len(groups) == 1 and result.title else
                         by_code[members[0]] if len(members) == 1 else f"第 {number} 章"),
                        "documents": members} for number, members in groups.items()]


def next_code(fmt: str, chapter: str, seq: int, used: set[str], taken: tuple[set[int], ...], year) -> str:
    """The code after sequence number ``seq`` of ``chapter`` (where the documents before have got to): the next
    sequence number that no code in the source has in that chapter, whatever its year (``taken``: QP-02-2021 is
    not free when the source has QP-02-2019)."""
    while True:
        seq += 1
        try:
            code = fmt.format(chapter=int(chapter) if chapter.isdigit() else chapter, seq=seq, year=year)
        except (ValueError, KeyError, IndexError):
            code = f"{chapter}{seq:02d}"
        if code not in used and not any(seq in numbers for numbers in taken):
            return code
