"""Opening the file ``manual import`` reads: size limits, a guarded zip reader, XML without entities.

This is the boundary where a legacy manual (.txt or .docx) enters the generator; the
recognition of its structure (``importer.py``) only ever sees what is returned here: the
``Block``s of ``read_blocks`` (with each Word section's header, footnotes, tracked changes read as
accepted, comments, page-number paragraphs and a Word TOC marked: see ``Block``), or the lines of
``text_lines``/``docx_lines``, the texts of the headers and footers (``docx_page_texts``) and the
document properties (``docx_properties``).
Everything a hostile or oversized file can do is stopped here with one clear message
(a ``UsageError``, exit 2; a merely damaged zip or XML is told by the command boundary):

* a file over ``MAX_FILE_BYTES`` is refused before it is read;
* a .docx is read with ``zipfile``, never trusting the sizes it declares: its central
  directory is checked first (at most ``MAX_PARTS`` parts, none declaring more than
  ``MAX_PART_BYTES`` uncompressed or a compression ratio over ``MAX_RATIO``), and every
  part that is read is decompressed as a stream with the same caps counted on the bytes
  that actually come out, so that a zip bomb stops after a few megabytes;
* XML is parsed by lxml with entities left unresolved, no DTD loaded and no network;
  a ``<!DOCTYPE`` in any XML part is refused (WordprocessingML never has one; a
  billion-laughs file always does), and libxml2's own limits (depth, amplification,
  text node size) stay on (``huge_tree=False``);
* the main document part is read paragraph by paragraph (``iterparse``, each finished
  paragraph or table freed), so memory does not grow with the file; styles.xml,
  numbering.xml, headers and footers are streamed too, keeping only what the body needs;
  pictures are read whole, at most ``MAX_IMAGES`` of them and ``MAX_IMAGE_BYTES`` together;
* a text file is UTF-8 or UTF-16 (by BOM or by where its NUL bytes fall), else GB18030 only
  when it reads as Chinese (GB18030 decodes nearly any bytes: Big5 or Shift-JIS is refused).

python-docx is not used here: its parser also leaves entities unresolved, but opening a
package reads every part completely into memory with no limit.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import UsageError
from ..read.yamlsrc import CONTROL as INVISIBLE
from .importlabels import content as manual_words, say

MB = 1024 * 1024
MAX_FILE_BYTES = 64 * MB  # the .txt or .docx file itself; a real manual is a few MB
MAX_PART_BYTES = 128 * MB  # one part of a .docx, uncompressed
MAX_RATIO = 100  # uncompressed : compressed, for parts over RATIO_FLOOR (XML compresses 5–20:1)
RATIO_FLOOR = 1 * MB  # a small part may compress as it likes
MAX_PARTS = 10_000  # files inside the .docx
CHUNK = 64 * 1024

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OFFICE_DOCUMENT = "/officeDocument"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
DOCTYPES = tuple("<!DOCTYPE".encode(encoding) for encoding in ("utf-8", "utf-16-le", "utf-16-be"))


def megabytes(n: int) -> str:
    return f"{n / MB:.1f}".rstrip("0").rstrip(".")


def check_file(path: Path) -> int:
    """The size of ``path``, a regular file within the limit; otherwise a UsageError."""
    if path.is_dir():
        raise UsageError("cli.authoring.import_is_folder", path=path)
    if not path.is_file():
        raise UsageError("cli.authoring.import_no_file", path=path)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise UsageError("cli.authoring.import_too_large", path=path, size=megabytes(size),
                         limit=megabytes(MAX_FILE_BYTES))
    return size


def text_lines(path: Path) -> list[str]:
    """The lines of a text file (``decode_text``: UTF-8, UTF-16, GB18030/GBK), CRLF and CR read as LF."""
    check_file(path)
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since it was measured
    if len(raw) > MAX_FILE_BYTES:
        raise UsageError("cli.authoring.import_too_large", path=path, size=f"> {megabytes(MAX_FILE_BYTES)}",
                         limit=megabytes(MAX_FILE_BYTES))
    text = decode_text(raw, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\f", "\n").replace("\v", "\n")  # a form feed (a page break of a text export) ends a line
    lines = INVISIBLE.sub("", text).split("\n")  # (invisible control characters are no text: see read_blocks)
    if len(lines) > 1 and not lines[-1]:
        lines.pop()  # the newline that ends the last line starts no line of its own: a file's lines as wc -l counts them
    return lines


BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# The most used Chinese characters (about 600, simplified, with the words of management manuals).  In
# real Chinese text most of its characters are among them; in Big5 or Shift-JIS bytes read as GB18030
# (which decodes nearly any bytes) few are.
COMMON_HANZI = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向"
    "道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特"
    "件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队"
    "南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风"
    "切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许"
    "步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列"
    "习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派"
    "层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞册司责职编审核批负执检控查询档案归培训岗"
    "销售客户服务营财采购仓库签订合同考评奖惩办公室负责人员聘用薪酬绩效安全卫生设备维修程序记录单据附录范围目"
    "的定义内容要求规定标准依据"
)
HANZI = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
MIN_HANZI = 20  # fewer CJK characters than this: too few to judge
MIN_COMMON = 0.35  # real Chinese text has well over half of its characters among COMMON_HANZI


def decode_text(raw: bytes, path: Path) -> str:
    """The text of ``raw``: by its BOM (UTF-8, UTF-16 LE/BE); else UTF-16 without a BOM when the NUL bytes
    of its first MB fall on odd (LE) or even (BE) offsets; else UTF-8; else GB18030 (GBK) when it reads as Chinese.
    Refused (a UsageError naming the encodings read): NUL or other control bytes in the text, bytes that
    are none of these, and GB18030 that does not read as Chinese (Big5, Shift-JIS and the like).
    (ASCII characters and line ends give UTF-16 its NUL bytes; a CJK character has one only when its
    code ends in 00, on the other offset: four to one decides.)"""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return _decoded(raw[len(bom):], encoding, path)
    if b"\x00" in raw:
        sample = raw[: 1 << 20]
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        if len(raw) % 2 == 0 and max(odd, even) >= max(1, 4 * min(odd, even)):
            return _decoded(raw, "utf-16-le" if odd > even else "utf-16-be", path)
        raise UsageError("cli.authoring.import_encoding", path=path)
    try:
        return _decoded(raw, "utf-8", path)
    except UsageError:
        pass
    text = _decoded(raw, "gb18030", path)
    if not reads_as_chinese(text):
        raise UsageError("cli.authoring.import_not_chinese", path=path)
    return text


def _decoded(raw: bytes, encoding: str, path: Path) -> str:
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise UsageError("cli.authoring.import_encoding", path=path) from None
    # NUL is no text (binary, UTF-32); in UTF-16 any control character means the guess was wrong
    if "\x00" in text or (encoding.startswith("utf-16") and CONTROL.search(text)):
        raise UsageError("cli.authoring.import_encoding", path=path)
    return text


def reads_as_chinese(text: str) -> bool:
    """Whether a text decoded as GB18030 reads as Chinese: enough of its CJK characters are common ones
    (judged on its first million characters; a text with fewer than MIN_HANZI CJK characters passes)."""
    hanzi = HANZI.findall(text, 0, 1_000_000)
    common = sum(1 for ch in hanzi if ch in COMMON_HANZI)
    return len(hanzi) < MIN_HANZI or common >= MIN_COMMON * len(hanzi)


# ---------------------------------------------------------------------------
# Blocks: what structure recognition sees of any input


@dataclass(frozen=True)
class Block:
    """One block of the legacy file, in reading order: a paragraph, a table or an image.

    ``position`` is where it is in the original: the 1-based line of a .txt, the 1-based body paragraph
    of a .docx (a table counts as one position per row, as ``docx_lines`` counts them; an image has
    its paragraph's position).  ``text`` is the paragraph as a reader sees it, without the automatic
    number, which is in ``number`` (as Word displays it: ``2.1.1``, ``一、``, ``（1）``, ``①``, ``a)``).
    ``heading`` is the heading level the file itself declares (1–9: a Heading/标题 N style, a style
    based on one, or an outline level), None for body text; ``list_level`` the 0-based level of the
    automatic number, None without one.  A table has ``rows`` (cell texts; a merged cell once); an
    image has ``image`` = (file name, bytes).

    Details of a .docx: a tab in the text is "\\t", a line break (w:br, w:cr) "\\n"; a bulleted item
    has its bullet character in ``number`` ("•" for a Symbol/Wingdings private-use bullet); a level
    whose format is ``none`` has ``number`` "" and still its ``list_level``.  A table's cell is its
    paragraphs joined with "\\n" (a numbered paragraph of a cell written "number text"), a nested table
    flattened into its cell as one line per row (cells joined with " "); a horizontally merged cell
    (gridSpan) is in ``rows`` once, a vertically merged continuation as "".  A table's ``position`` is
    that of its first row.  An image in a paragraph follows that paragraph's block (when it has text);
    an image in a table follows the table, at its row's position.

    What Word keeps outside the body text (``docx_blocks``): each section's header, when it differs from
    the previous section's, comes as blocks (``role`` "header", a paragraph split at its tabs) at the start
    of that section, positioned by a ``Place`` (``第 2 节页眉第 1 段``); page numbers (PAGE/NUMPAGES fields,
    ``第 X 页 共 Y 页``) are not read from headers, and a body paragraph that is only that has ``role``
    "furniture"; each section's footer comes as blocks (``role`` "footer") at the end of that section,
    positioned ``第 2 节页脚第 1 段``, its page numbers as blocks of ``role`` "furniture" and a 受控 stamp of
    ``role`` "stamp" (``Footers``); the paragraphs of a TOC field or in TOC styles have ``role`` "toc".  A footnote or endnote
    is appended to the paragraph (or cell) that references it, ``（注：…）`` / ``（尾注：…）``; tracked changes
    read as accepted (inserted text in, deleted text out: a wholly deleted paragraph has no text and no
    number); ``marks`` says what was read so: ("footnote"|"endnote", text, ""), ("inserted", text, ""),
    ("deleted", text, ""), ("comment", text, author) for a comment on the paragraph.
    """

    kind: str  # "paragraph" | "table" | "image"
    position: int
    text: str = ""
    heading: int | None = None
    number: str = ""
    list_level: int | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    image: tuple[str, bytes] | None = None
    role: str = ""  # .docx: "" body text, "header"/"footer" (a section's), "toc" (a Word TOC), "furniture" (page
    # numbers only), "stamp" (a footer's 受控 stamp)
    marks: tuple[tuple[str, str, str], ...] = ()  # .docx: (kind, text, who) of what Word keeps beside the text (MARKS)


MARKS = ("footnote", "endnote", "inserted", "deleted", "comment")


class Place(int):
    """The position of a block outside the body's paragraphs (a section's header or footer): as an int, the
    position of the body block a header comes before, or of the last body block of the section a footer
    ends (for order); written, it names itself in the report's language, so that ``第 {position} 段`` reads
    ``第 2 节页眉第 1 段`` (``paragraph 1 of the header of section 2``) or ``第 2 节页脚第 1 段``.  Adding a
    table's row index keeps the name (``第 2 节页眉第 3 段``)."""

    def __new__(cls, value: int, section: int, kind: str, k: int, part: str = "header"):
        self = super().__new__(cls, value)
        self.section, self.kind, self.k = section, kind, k  # kind: "default" | "first" | "even"
        self.part = part  # "header" | "footer"
        return self

    def __format__(self, spec: str) -> str:
        if spec:
            return format(int(self), spec)
        return say("header_place", section=self.section, kind=say(f"{self.part}_{self.kind}"), k=self.k)

    def __str__(self) -> str:
        return self.__format__("")

    def __repr__(self) -> str:
        return f"Place({int(self)}, {self.section}, {self.kind!r}, {self.k}, {self.part!r})"

    def __add__(self, other):
        if isinstance(other, int) and not isinstance(other, bool):
            return Place(int(self) + other, self.section, self.kind, self.k + other, self.part)
        return NotImplemented

    __radd__ = __add__


def read_blocks(path: Path) -> list[Block]:
    """The blocks of a .txt (one paragraph per non-empty line) or .docx (paragraphs, tables, images).

    Invisible control characters (C0 but tab and line breaks, C1: what a file decoded with the wrong code page
    leaves, U+009D …) are not text: no output can show them and ``manual check`` refuses them
    (``control-character``), so they are left out here."""
    if path.suffix.lower() == ".docx":
        blocks = [block for block in docx_blocks(path, parts=True) if block.kind != "paragraph" or block.text.strip()
                  or block.number or block.marks]
        return [_without_controls(block) for block in blocks]
    return [Block("paragraph", n, line) for n, line in enumerate(text_lines(path), 1) if line.strip()]


def _without_controls(block: Block) -> Block:
    if not INVISIBLE.search(block.text) and not any(INVISIBLE.search(cell) for row in block.rows for cell in row):
        return block
    return dataclasses.replace(block, text=INVISIBLE.sub("", block.text),
                               rows=tuple(tuple(INVISIBLE.sub("", cell) for cell in row) for row in block.rows))


# ---------------------------------------------------------------------------
# .docx


class PartTooLarge(Exception):
    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


def part_limit(info: zipfile.ZipInfo) -> int:
    """The most bytes ``info`` may decompress to: the size cap, and the ratio cap above its floor."""
    return min(MAX_PART_BYTES, max(RATIO_FLOOR, MAX_RATIO * info.compress_size))


def check_declared(info: zipfile.ZipInfo) -> None:
    """Refuse a part by what the central directory says, before anything is decompressed."""
    if info.file_size > MAX_PART_BYTES:
        raise PartTooLarge("cli.authoring.import_part_too_large", part=info.filename, limit=megabytes(MAX_PART_BYTES))
    if info.file_size > part_limit(info):
        raise PartTooLarge("cli.authoring.import_part_ratio", part=info.filename, ratio=MAX_RATIO)


class CappedPart(io.RawIOBase):
    """A part of the zip as a stream that stops once more than ``limit`` bytes came out."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int | None = None, xml: bool = True):
        super().__init__()
        self.info = info
        self.limit = part_limit(info) if limit is None else limit
        self.count = 0
        self.xml = xml
        self.stream = archive.open(info)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else min(size, CHUNK)
        data = self.stream.read(size)
        if self.xml and not self.count and any(mark in data for mark in DOCTYPES):
            # Before lxml sees it: an entity used in the root element's attributes would be expanded (and
            # stopped by libxml2's amplification limit) before the first event could show the DOCTYPE.
            raise PartTooLarge("cli.authoring.import_doctype", part=self.info.filename)
        self.count += len(data)
        if self.count > self.limit:  # the sizes the zip declared were false
            if self.limit < MAX_PART_BYTES:
                raise PartTooLarge("cli.authoring.import_part_ratio", part=self.info.filename, ratio=MAX_RATIO)
            raise PartTooLarge("cli.authoring.import_part_too_large", part=self.info.filename,
                               limit=megabytes(MAX_PART_BYTES))
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


def xml_events(archive: zipfile.ZipFile, info: zipfile.ZipInfo, events=("end",), tag=None, limit=None):
    """(event, element) of one XML part: no entities, no DTD, no network, DOCTYPE refused."""
    from lxml import etree

    with CappedPart(archive, info, limit) as stream:
        context = etree.iterparse(stream, events=("start", *events), tag=tag, resolve_entities=False,
                                  no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=True)
        first = True
        for event, element in context:
            if first:
                first = False
                if element.getroottree().docinfo.doctype:
                    raise PartTooLarge("cli.authoring.import_doctype", part=info.filename)
            if event in events:
                yield event, element


def check_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Parse an XML part up to its root element: refuses a DOCTYPE, reads no further."""
    with contextlib.closing(xml_events(archive, info, events=("start",))) as events:
        next(events, None)


def part_name(base: str, target: str) -> str:
    """The zip name of a relationship's ``target``, relative to the part ``base`` (or absolute)."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join("/", posixpath.dirname(base), target)).lstrip("/")


def relationships(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], part: str) -> list[tuple[str, str, str]]:
    """(Id, type, zip name of the target) of the internal relationships of ``part``."""
    rels = names.get(posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels"))
    found = []
    if rels is not None:
        for _, rel in xml_events(archive, rels, tag=RELS):
            if rel.get("TargetMode") != "External":
                found.append((rel.get("Id") or "", rel.get("Type") or "", part_name(part, rel.get("Target") or "")))
            rel.clear()
    return found


def main_part(archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """The main document part: the package relationship ``officeDocument``, else word/document.xml."""
    rels = names.get("_rels/.rels")
    if rels is not None:
        for _, rel in xml_events(archive, rels, tag=RELS):
            if (rel.get("Type") or "").endswith(OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
                target = posixpath.normpath(posixpath.join("/", rel.get("Target") or "")).lstrip("/")
                if target in names:
                    return names[target]
    return names.get("word/document.xml")


@contextlib.contextmanager
def open_docx(path: Path):
    """(archive, {name: info}, main part info) of a .docx that passed every guard; refusals as UsageError."""
    check_file(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise UsageError("cli.authoring.import_parts", path=path, count=len(infos), limit=MAX_PARTS)
            for info in infos:
                check_declared(info)
            names = {info.filename: info for info in infos}
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels")):
                    check_prolog(archive, info)
            document = main_part(archive, names)
            if document is None:
                raise UsageError("cli.authoring.import_no_document", path=path)
            check_prolog(archive, document)
            yield archive, names, document
    except PartTooLarge as exc:
        raise UsageError(exc.key, path=path, **exc.values) from None
    except RecursionError:
        raise  # (the boundary's own line)
    except (RuntimeError, NotImplementedError, EOFError) as exc:  # encrypted, unknown compression, cut short
        raise UsageError("cli.authoring.import_bad_docx", path=path, reason=_reason(exc)) from None
    # A damaged zip or XML (zipfile.BadZipFile, zlib.error, lxml's XMLSyntaxError) goes on to the command
    # boundary, which says so in one line (cli.input.zip, cli.input.xml) and shows it with MANUAL_DEBUG=1.


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def docx_lines(path: Path) -> list[str]:
    """The paragraphs of a Word file in order, each table row as one line (its non-empty cells joined with
    " "): one line per position of ``read_blocks``.  A numbered paragraph is "number text", a line break in
    a paragraph a space (a tab stays a tab: a TOC's leader).  Footnotes are in their paragraph, as in
    ``read_blocks``; the sections' headers and footers are not lines (they have no body position)."""
    lines: list[str] = []
    for block in docx_blocks(path, parts=True):
        if isinstance(block.position, Place):  # a section's header or footer
            continue
        block = _without_controls(block)
        if block.kind == "paragraph":
            text = block.text.replace("\n", " ")
            lines.append(f"{block.number} {text}" if block.number and text else block.number or text)
        elif block.kind == "table":
            for row in block.rows:
                lines.append(" ".join(cell.replace("\n", "") for cell in row if cell.strip()))
    return lines


def docx_blocks(path: Path, parts: bool = False) -> list[Block]:
    """Every block of the body in order, an empty paragraph included (it has its position).  With ``parts``,
    what Word keeps outside the body text is read too: footnotes, endnotes and comments (``Paragraphs``),
    and each section's header before the section's blocks (``Headers``), its footer after them (``Footers``)."""
    with open_docx(path) as (archive, names, document):
        rels = relationships(archive, names, document.filename)
        targets = {rid: target for rid, kind, target in rels}
        styles = numbering = None
        found: dict[str, zipfile.ZipInfo] = {}
        for _, kind, target in rels:
            if kind.endswith("/styles") and target in names:
                styles = names[target]
            elif kind.endswith("/numbering") and target in names:
                numbering = names[target]
            elif target in names:
                found.setdefault(kind.rsplit("/", 1)[-1], names[target])
        style_map = read_styles(archive, styles) if styles is not None else Styles()
        lists = read_numbering(archive, numbering, style_map) if numbering is not None else Numbering(style_map)
        images = Images(archive, names, targets, path)
        paragraphs = Paragraphs(style_map, lists)
        if not parts:
            return [item for item in body_blocks(archive, document, path, paragraphs, images) if isinstance(item, Block)]
        for kind in ("footnotes", "endnotes"):
            if kind in found:
                paragraphs.notes.update(read_notes(archive, found[kind], kind[:-1]))
        if "comments" in found:
            paragraphs.comments = read_comments(archive, found["comments"])
        even = even_and_odd(archive, found.get("settings"))
        headers = Headers(archive, names, targets, style_map, even)
        footers = Footers(archive, names, targets, style_map, even)
        out: list[Block] = []
        section: list[Block] = []
        position = last = 0
        for item in body_blocks(archive, document, path, paragraphs, images):
            if isinstance(item, Block):
                section.append(item)
                position = max(position, item.position)
                if item.kind != "paragraph" or item.text.strip() or item.number:
                    last = max(last, item.position)  # (a footer's: the last block read, not the sectPr's paragraph)
                continue
            first = section[0].position if section else position + 1
            title = next((k for k, block in enumerate(section) if block.heading is not None), -1)
            control, rest = footers.placed(footers.of(item, last), section[title].position if title >= 0 else first)
            out += headers.of(item, first)
            out += section[:title + 1] + control + section[title + 1:]
            out += rest
            section = []
        return out + section


def body_blocks(archive, info, path: Path, paragraphs: Paragraphs, images: Images):
    """The blocks of the body, streamed: each paragraph or table of the body freed once read.  The end of
    each section (a paragraph's w:sectPr, the body's own) is yielded as a ``Section`` after its blocks."""
    body_tag, p_tag, tbl_tag = W + "body", W + "p", W + "tbl"
    seen_body = False
    position = 0
    for _, element in xml_events(archive, info, tag=(p_tag, tbl_tag, body_tag)):
        if element.tag == body_tag:
            seen_body = True
            yield section_of(element.find(SECTPR))
            continue
        parent = element.getparent()
        if parent is None or not in_body(parent, body_tag):
            continue  # a paragraph inside a table cell, or a table inside a table: its outer table counts
        paragraphs.marks = []
        if element.tag == p_tag:
            position += 1
            text, number, level, heading = paragraphs.read(element)
            yield Block("paragraph", position, text, heading, number, level, role=paragraphs.role,
                        marks=tuple(paragraphs.marks))
            for name, data in images.of(element):
                yield Block("image", position, image=(name, data))
            if paragraphs.section is not None:
                yield section_of(paragraphs.section)
        else:
            rows, pictures = table_rows(element, paragraphs, images)
            if rows:
                yield Block("table", position + 1, rows=rows, marks=tuple(paragraphs.marks))
            for row, name, data in pictures:
                yield Block("image", position + 1 + row, image=(name, data))
            position += len(rows)
        element.clear()  # the finished paragraph or table and everything before it: memory stays flat
        while element.getprevious() is not None:
            del parent[0]
    if not seen_body:
        raise UsageError("cli.authoring.import_no_document", path=path)


@dataclass(frozen=True)
class Section:
    """The end of a Word section: its header and footer references (type → relationship id) and w:titlePg."""

    headers: tuple[tuple[str, str], ...] = ()
    title_page: bool = False
    footers: tuple[tuple[str, str], ...] = ()


def section_of(sect) -> Section:
    if sect is None:
        return Section()

    def refs(tag: str) -> tuple[tuple[str, str], ...]:
        return tuple((ref.get(W + "type", "default"), ref.get(R + "id") or "") for ref in sect.iterchildren(W + tag))

    title = sect.find(W + "titlePg")
    return Section(refs("headerReference"), title is not None and title.get(VAL, "1") not in ("0", "false", "off"),
                   refs("footerReference"))


# Elements that wrap paragraphs, tables, rows or cells without being one: a content control (a Word TOC sits
# in one), custom XML, a smart tag.
WRAPPERS = frozenset(W + tag for tag in ("sdt", "sdtContent", "customXml", "smartTag"))


def in_body(parent, body_tag: str) -> bool:
    """Whether a paragraph or table whose parent is ``parent`` is one of the body's (perhaps wrapped)."""
    while parent is not None and parent.tag in WRAPPERS:
        parent = parent.getparent()
    return parent is not None and parent.tag == body_tag


def own(element, tag: str):
    """The children of ``element`` with ``tag``, also inside wrappers (w:sdt around a row or a cell)."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag in WRAPPERS:
            yield from own(child, tag)


def table_rows(table, paragraphs: Paragraphs, images: Images):
    """(rows of cell texts, [(row index, image name, bytes)]) of a table; nested tables flattened."""
    rows, pictures = [], []
    for tr in own(table, W + "tr"):
        cells = []
        for tc in own(tr, W + "tc"):
            vmerge = tc.find(f"{W}tcPr/{W}vMerge")
            if vmerge is not None and vmerge.get(W + "val", "continue") != "restart":
                cells.append("")
                continue
            cells.append(cell_text(tc, paragraphs))
            for name, data in images.of(tc):
                pictures.append((len(rows), name, data))
        rows.append(tuple(cells))
    return tuple(rows), pictures


def cell_text(tc, paragraphs: Paragraphs) -> str:
    parts = []
    for child in tc.iterchildren(W + "p", W + "tbl", *WRAPPERS):
        if child.tag == W + "p":
            text, number, _, _ = paragraphs.read(child)
            parts.append(f"{number} {text}" if number and text else number or text)
        elif child.tag == W + "tbl":
            inner, _ = table_rows(child, paragraphs, NO_IMAGES)
            parts.extend(" ".join(c.replace("\n", " ") for c in row if c.strip()) for row in inner)
        else:  # a content control, custom XML or smart tag around paragraphs
            parts.append(cell_text(child, paragraphs))
    return "\n".join(parts).strip("\n")


# ---------------------------------------------------------------------------
# Paragraph text, styles and headings

RUN_TEXT = {W + "t": None, W + "tab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-",
            W + "softHyphen": "", W + "ptab": "\t"}
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
TEXT_TAGS = (*RUN_TEXT, MC_FALLBACK)
HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.I)
TOC_STYLE = re.compile(r"^(?:toc|目录)\s*[1-9]$", re.I)


@dataclass
class Style:
    name: str = ""
    based_on: str | None = None
    outline: int | None = None  # w:outlineLvl (0-based; 9 = body text)
    num_id: str | None = None
    ilvl: int | None = None


@dataclass
class Styles:
    by_id: dict = field(default_factory=dict)
    default: str | None = None  # the default paragraph style's id
    headings: dict = field(default_factory=dict)  # cache: style id → heading level or None
    lists: dict = field(default_factory=dict)  # cache: style id → (numId, ilvl)
    tocs: dict = field(default_factory=dict)  # cache: style id → whether it is a TOC style (toc 1 … 9, 目录 1 …)

    def toc(self, style_id: str | None) -> bool:
        if style_id not in self.tocs:
            self.tocs[style_id] = any(TOC_STYLE.match(style.name.strip()) for _, style in self.chain(style_id))
        return self.tocs[style_id]

    def chain(self, style_id: str | None):
        """The style and the styles it is based on, nearest first (a loop or a long chain is cut)."""
        seen = set()
        while style_id is not None and style_id in self.by_id and style_id not in seen and len(seen) < 32:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style_id, style
            style_id = style.based_on

    def heading(self, style_id: str | None) -> int | None:
        if style_id not in self.headings:
            level = None
            for _, style in self.chain(style_id):
                if style.outline is not None:
                    level = style.outline + 1 if style.outline < 9 else None
                    break
                m = HEADING_NAME.match(style.name.strip())
                if m:
                    level = int(m.group(1))
                    break
            self.headings[style_id] = level
        return self.headings[style_id]

    def numbering(self, style_id: str | None) -> tuple[str | None, int | None]:
        """(numId, ilvl) the style (or one it is based on) gives its paragraphs."""
        if style_id not in self.lists:
            num_id = ilvl = None
            for _, style in self.chain(style_id):
                if num_id is None and style.num_id is not None:
                    num_id = style.num_id
                if ilvl is None and style.ilvl is not None:
                    ilvl = style.ilvl
            self.lists[style_id] = num_id, ilvl
        return self.lists[style_id]


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _numpr(numpr) -> tuple[str | None, int | None]:
    """(numId, ilvl) of a w:numPr element (either may be missing)."""
    num_id = ilvl = None
    for child in numpr:
        if child.tag == NUMID:
            num_id = child.get(VAL)
        elif child.tag == ILVL:
            ilvl = _int(child.get(VAL))
    return num_id, ilvl


PPR, PSTYLE, NUMPR, OUTLINE, NUMID, ILVL, VAL = (W + tag for tag in ("pPr", "pStyle", "numPr", "outlineLvl", "numId",
                                                                      "ilvl", "val"))


def read_styles(archive, info) -> Styles:
    styles = Styles()
    for _, element in xml_events(archive, info, tag=W + "style"):
        style_id = element.get(W + "styleId")
        if style_id is not None:
            name = element.find(W + "name")
            based = element.find(W + "basedOn")
            ppr = element.find(W + "pPr")
            outline = ppr.find(W + "outlineLvl") if ppr is not None else None
            numpr = ppr.find(W + "numPr") if ppr is not None else None
            num_id, ilvl = _numpr(numpr) if numpr is not None else (None, None)
            styles.by_id[style_id] = Style(name.get(W + "val", "") if name is not None else "",
                                           based.get(W + "val") if based is not None else None,
                                           _int(outline.get(W + "val")) if outline is not None else None, num_id, ilvl)
            if element.get(W + "type", "paragraph") == "paragraph" and element.get(W + "default") in ("1", "true", "on"):
                styles.default = style_id
        element.clear()
    return styles


class Paragraphs:
    """Reads a w:p: its text, its automatic number and list level, its heading level.

    Besides what ``read`` returns, the paragraph last read leaves ``role`` ("toc", "furniture" or ""),
    ``section`` (its w:sectPr: the paragraph ends a Word section) and adds to ``marks`` (the caller empties it
    before a paragraph or a table).  Complex fields may span paragraphs (a TOC field does): ``fields`` is
    kept from one paragraph to the next.  ``notes`` (("footnote"|"endnote", id) → text) and ``comments``
    (id → (author, text)) are what the references in the text point to; with ``page_text`` False (a header)
    page numbers are left out of the text."""

    def __init__(self, styles: Styles, lists: Numbering, page_text: bool = True):
        self.styles, self.lists, self.page_text = styles, lists, page_text
        self.notes: dict[tuple[str, str], str] = {}
        self.comments: dict[str, tuple[str, str]] = {}
        self.fields = Fields()  # the complex fields open
        self.marks: list[tuple[str, str, str]] = []
        self.role = ""
        self.section = None
        self.page = False  # (since the caller last set it False) a page-number field was read

    def read(self, p) -> tuple[str, str, int | None, int | None]:
        style_id, outline, num_id, ilvl = self.styles.default, None, None, None
        self.section = None
        mark_deleted = False
        ppr = p[0] if len(p) and p[0].tag == PPR else None  # (pPr is a paragraph's first child)
        if ppr is not None:
            for child in ppr:  # children read by hand: find() is slow on a million paragraphs
                tag = child.tag
                if tag == PSTYLE:
                    style_id = child.get(VAL)
                elif tag == NUMPR:
                    num_id, ilvl = _numpr(child)
                elif tag == OUTLINE:
                    outline = _int(child.get(VAL))
                elif tag == SECTPR:
                    self.section = child
                elif tag == RPR:
                    mark_deleted = child.find(DEL) is not None  # the paragraph mark itself is a tracked deletion
        if outline is not None:
            heading = outline + 1 if 0 <= outline < 9 else None
        else:
            heading = self.styles.heading(style_id)
        scan = scan_text(p, self.fields, self.notes, self.comments)
        text = scan.text if self.page_text else without_pages(scan.content, scan.page)
        self.marks.extend(scan.marks)
        self.page = self.page or scan.page
        self.role = "toc" if scan.toc or self.styles.toc(style_id) else \
            "furniture" if self.page_text and is_furniture(scan) else ""
        if mark_deleted and not text.strip():
            return text, "", None, heading  # a paragraph deleted whole: it takes no number (changes accepted)
        if num_id is None:  # numbering from the style (or a style it is based on)
            num_id, style_ilvl = self.styles.numbering(style_id)
            if ilvl is None:
                ilvl = style_ilvl if style_ilvl is not None else self.lists.level_of_style(num_id, style_id)
        number, level = "", None
        if num_id not in (None, "0") and self.lists.known(num_id):
            level = min(max(ilvl or 0, 0), 8)
            number = self.lists.next(num_id, level)
        return text, number, level, heading


def paragraph_text(p) -> str:
    """The text a reader sees: runs' text, tabs and line breaks (not in deleted or moved-away text, not in
    field codes; a field's result is).  A text box or picture's mc:Fallback (the same again, for older
    readers) is skipped."""
    return scan_text(p, Fields(), {}, {}).text


@dataclass
class Scan:
    text: str  # what a reader sees, footnotes appended
    content: str  # the same without the results of page-number fields
    page: bool  # a page-number field is in the paragraph
    toc: bool  # the paragraph is (partly) inside a TOC field
    marks: list


def scan_text(p, fields: Fields, notes: dict, comments: dict) -> Scan:
    """The runs of ``p`` in order: text, tabs, breaks; complex fields (fldChar/instrText, kept open in
    ``fields`` across paragraphs) and simple ones (fldSimple); tracked changes; note and comment references.
    A note or comment is taken at its first reference only (``notes`` and ``comments`` lose it): a file
    that references one note a million times does not copy its text a million times."""
    out, content, marks, appended = [], [], [], []
    skip, moved, simple = set(), set(), set()  # mc:Fallback (skipped), w:moveFrom (deleted), page-number fldSimple
    page = False
    toc = fields.has("TOC")
    deleting = False  # the last text read was deleted text: the next deleted run continues it
    for element in p.iter():  # (all elements, filtered here: lxml's match on a list of tags is slower)
        tag = element.tag
        if tag not in SCAN_SET:
            continue
        if tag == T and not (skip or moved or simple or fields.open):  # (most of any text: plain runs)
            deleting = False
            text = element.text or ""
            out.append(text)
            content.append(text)
            continue
        if skip and in_any(element, skip):
            continue
        if tag == MC_FALLBACK:
            skip.add(element)
            continue
        if tag == MOVE_FROM:
            moved.add(element)
            continue
        if tag == DEL_TEXT or (tag == T and moved and in_any(element, moved)):
            if deleting:
                marks[-1][1].append(element.text or "")
            else:
                marks.append(["deleted", [element.text or ""], ""])
            deleting = True
            continue
        if moved and in_any(element, moved):
            continue
        if tag == T:
            deleting = False
            text = element.text or ""
            out.append(text)
            if fields.open:
                toc = toc or fields.has("TOC")
                if fields.in_result(PAGE_FIELDS):
                    continue
            if simple and in_any(element, simple):
                continue
            content.append(text)
            continue
        if tag == FLD_CHAR:
            kind = element.get(FLD_CHAR_TYPE)
            if kind == "begin":
                fields.begin()
            elif kind in ("separate", "end"):
                instruction = fields.separate() if kind == "separate" else fields.end()
                page = page or instruction in PAGE_FIELDS
                toc = toc or instruction == "TOC"
            continue
        if tag == INSTR:
            fields.instruction(element.text or "")
            continue
        if tag == FLD_SIMPLE:
            instruction = field_kind(element.get(W + "instr") or "")
            if instruction in PAGE_FIELDS:
                simple.add(element)
                page = True
            toc = toc or instruction == "TOC"
            continue
        if tag == INS:
            inserted = "".join(t.text or "" for t in element.iter(T))
            if inserted:
                marks.append(("inserted", inserted, ""))
            continue
        if tag in NOTE_REFS:
            kind = NOTE_REFS[tag]
            note = notes.pop((kind, element.get(W + "id")), None)
            if note:
                appended.append(manual_words(kind, text=note))
                marks.append((kind, note, ""))
            continue
        if tag == COMMENT_REF:
            comment = comments.pop(element.get(W + "id"), None)
            if comment:
                marks.append(("comment", comment[1], comment[0]))
            continue
        deleting = False
        if tag == TAB:
            if element.getparent() is not None and element.getparent().tag == RUN:  # not a tab stop
                out.append("\t")
                content.append("\t")
        elif tag == BR:
            if element.get(BR_TYPE) in (None, "textWrapping"):  # not a page or column break
                out.append("\n")
                content.append("\n")
        else:
            out.append(RUN_TEXT[tag])
            content.append(RUN_TEXT[tag])
    if appended:
        out += appended
        content += appended
    text = "".join(out)
    marks = [(m[0], "".join(m[1]), m[2]) if isinstance(m, list) else m for m in marks]
    return Scan(text, "".join(content) if page or simple else text, page, toc, marks)


class Fields:
    """The complex fields open at a point of the text (fldChar begin … separate … end), which may span
    paragraphs (a TOC field does).  At most MAX_FIELDS nested are kept (a begin beyond that is counted,
    and its end closes nothing kept); of an instruction its first MAX_INSTRUCTION characters."""

    MAX_FIELDS = 32
    MAX_INSTRUCTION = 64

    def __init__(self):
        self.open: list[list] = []  # [instruction, separated, kind]
        self.extra = 0

    def begin(self) -> None:
        if len(self.open) < self.MAX_FIELDS:
            self.open.append(["", False, ""])
        else:
            self.extra += 1

    def instruction(self, text: str) -> None:
        if self.open and not self.extra and not self.open[-1][1] and len(self.open[-1][0]) < self.MAX_INSTRUCTION:
            self.open[-1][0] += text[:self.MAX_INSTRUCTION]

    def separate(self) -> str:
        if self.extra or not self.open:
            return ""
        field = self.open[-1]
        field[1], field[2] = True, field_kind(field[0])
        return field[2]

    def end(self) -> str:
        if self.extra:
            self.extra -= 1
            return ""
        if not self.open:
            return ""
        field = self.open.pop()
        return field[2] or field_kind(field[0])

    def has(self, kind: str) -> bool:
        return any(field[2] == kind or (not field[1] and field_kind(field[0]) == kind) for field in self.open)

    def in_result(self, kinds) -> bool:
        return any(field[1] and field[2] in kinds for field in self.open)


def in_any(element, containers) -> bool:
    return any(ancestor in containers for ancestor in element.iterancestors())


def field_kind(instruction: str) -> str:
    """The field's name: `` PAGE  \\* MERGEFORMAT `` → PAGE."""
    words = instruction.split(None, 1)
    return words[0].upper() if words else ""


PAGE_FIELDS = frozenset({"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION"})
# What is left of a page-number line once the fields' results are out (第 页 共 页, 页码：/), and page numbers typed.
PAGE_RESIDUE = re.compile(r"第\s*页\s*[,，、]?\s*(?:共\s*页)?|共\s*页|页\s*[码次]\s*[:：]?\s*(?:[/／]\s*)?"
                          r"|(?<![A-Za-z])page\s*(?:of\s*)?(?![A-Za-z])", re.I)
PAGE_TYPED = re.compile(r"第\s*\d+\s*页\s*[,，、]?\s*共\s*\d+\s*页|(?<![A-Za-z])page\s+\d+\s+of\s+\d+", re.I)
PAGE_PUNCT = " \t\n\u3000-－—–/／|·.:：,，、()（）"


def without_pages(text: str, fields: bool) -> str:
    """A header's text without page numbers: 第 2 页 共 6 页 typed; with page fields (their results already
    out), the words around them (第 页 共 页, 页码：/, Page of).  "" when only punctuation is left."""
    if fields:
        text = PAGE_RESIDUE.sub("", text)
    text = PAGE_TYPED.sub("", text)
    return text if text.strip(PAGE_PUNCT) else ""


def is_furniture(scan: Scan) -> bool:
    """A body paragraph that is only page numbers: page fields and their words (第 {PAGE} 页 共 {NUMPAGES} 页),
    or 第 2 页 共 6 页 typed."""
    if not scan.page and "页" not in scan.text and "age" not in scan.text:
        return False
    if not scan.text.strip():
        return False
    if scan.page and not PAGE_TYPED.sub("", PAGE_RESIDUE.sub("", scan.content)).strip(PAGE_PUNCT):
        return True
    return bool(PAGE_TYPED.fullmatch(scan.text.strip()))


T, TAB, BR, RUN, BR_TYPE = W + "t", W + "tab", W + "br", W + "r", W + "type"
FLD_CHAR, FLD_CHAR_TYPE, INSTR, FLD_SIMPLE = W + "fldChar", W + "fldCharType", W + "instrText", W + "fldSimple"
INS, DEL, DEL_TEXT, MOVE_FROM, RPR, SECTPR = (W + tag for tag in ("ins", "del", "delText", "moveFrom", "rPr", "sectPr"))
NOTE_REFS = {W + "footnoteReference": "footnote", W + "endnoteReference": "endnote"}
COMMENT_REF = W + "commentReference"
SCAN_SET = frozenset((*TEXT_TAGS, FLD_CHAR, INSTR, FLD_SIMPLE, INS, DEL_TEXT, MOVE_FROM, *NOTE_REFS, COMMENT_REF))


# ---------------------------------------------------------------------------
# Automatic numbering (word/numbering.xml)


@dataclass(frozen=True)
class Lvl:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None
    lgl: bool = False
    style: str | None = None  # w:pStyle: the paragraph style this level belongs to


def read_lvl(element, base: Lvl | None = None) -> Lvl:
    base = base or Lvl()

    def val(tag, default):
        child = element.find(W + tag)
        return child.get(W + "val", default) if child is not None else default
    lgl = element.find(W + "isLgl")
    return Lvl(_int(val("start", base.start), base.start), val("numFmt", base.fmt), val("lvlText", base.text),
               _int(val("lvlRestart", base.restart), base.restart),
               base.lgl if lgl is None else lgl.get(W + "val", "1") not in ("0", "false", "off"),
               val("pStyle", base.style))


@dataclass
class Num:
    abstract: str
    starts: dict  # ilvl → startOverride
    levels: dict  # ilvl → Lvl (a lvlOverride's own w:lvl)


class Numbering:
    """The lists of a document and their counters: the number Word displays for each numbered paragraph.

    Counters belong to an abstract list: every w:num of one abstractNum continues the same sequence
    (as Word and LibreOffice show it), and a w:num with a startOverride restarts the overridden levels
    at its first paragraph.  A level restarts when a higher level advances (unless its lvlRestart says
    otherwise: 0 never, n only after level n)."""

    def __init__(self, styles: Styles):
        self.styles = styles
        self.abstracts: dict[str, dict[int, Lvl]] = {}
        self.links: dict[str, str] = {}  # abstractNumId → numStyleLink
        self.style_links: dict[str, str] = {}  # styleLink → abstractNumId
        self.nums: dict[str, Num] = {}
        self.counters: dict[str, list] = {}
        self.started: set[str] = set()
        self.resolved: dict[str, tuple[str, dict[int, Lvl]]] = {}

    def known(self, num_id: str) -> bool:
        return num_id in self.nums and self.resolve(num_id) is not None

    def resolve(self, num_id: str):
        """(counter key, levels) of a w:num: its abstractNum (followed through numStyleLink), overridden."""
        if num_id in self.resolved:
            return self.resolved[num_id]
        num = self.nums[num_id]
        abstract, seen = num.abstract, set()
        while abstract in self.links and abstract not in seen:  # numStyleLink → the numbering style's list
            seen.add(abstract)
            link = self.links[abstract]
            target = self.style_links.get(link)
            style_num, _ = self.styles.numbering(link)
            if style_num in self.nums and self.nums[style_num].abstract not in seen:
                target = self.nums[style_num].abstract
            if target is None:
                break
            abstract = target
        if abstract not in self.abstracts:
            self.resolved[num_id] = None
            return None
        levels = dict(self.abstracts[abstract])
        levels.update(num.levels)
        resets = tuple(tuple(deeper for deeper in range(ilvl + 1, 9) if restarts(levels.get(deeper), ilvl))
                       for ilvl in range(9))
        self.resolved[num_id] = (abstract, levels, resets)
        return self.resolved[num_id]

    def level_of_style(self, num_id: str | None, style_id: str | None) -> int | None:
        if num_id is None or style_id is None or num_id not in self.nums:
            return None
        found = self.resolve(num_id)
        if found:
            for ilvl, lvl in found[1].items():
                if lvl.style == style_id:
                    return ilvl
        return None

    def start(self, num_id: str, levels: dict[int, Lvl], ilvl: int) -> int:
        override = self.nums[num_id].starts.get(ilvl)
        if override is not None:
            return override
        return levels[ilvl].start if ilvl in levels else 1

    def next(self, num_id: str, ilvl: int) -> str:
        key, levels, resets = self.resolve(num_id)
        counters = self.counters.get(key)
        if counters is None:
            counters = self.counters[key] = [None] * 9
        if num_id not in self.started:
            self.started.add(num_id)
            for level in self.nums[num_id].starts:
                if 0 <= level < 9:
                    counters[level] = None
        counters[ilvl] = self.start(num_id, levels, ilvl) if counters[ilvl] is None else counters[ilvl] + 1
        for upper in range(ilvl):  # a level not yet used counts as used at its start (the next one is start + 1)
            if counters[upper] is None:
                counters[upper] = self.start(num_id, levels, upper)
        for deeper in resets[ilvl]:
            counters[deeper] = None
        lvl = levels.get(ilvl) or Lvl(text="")
        if lvl.fmt == "bullet":
            return "".join("•" if "\ue000" <= ch <= "\uf8ff" else ch for ch in lvl.text)
        if lvl.fmt == "none":
            return ""
        out = []
        for part in template(lvl.text):
            if isinstance(part, str):
                out.append(part)
                continue
            other = levels.get(part) or Lvl()
            value = counters[part] if counters[part] is not None else self.start(num_id, levels, part)  # (deeper)
            fmt = "decimal" if lvl.lgl and part != ilvl and other.fmt not in ("none", "bullet") else other.fmt
            out.append(format_number(value, fmt))
        return "".join(out)


def restarts(lvl: Lvl | None, ilvl: int) -> bool:
    """Whether a level restarts when level ``ilvl`` (above it) advances: by default yes; lvlRestart 0 never;
    lvlRestart n (1-based) when one of the levels 1..n advances."""
    restart = lvl.restart if lvl is not None else None
    return restart is None or (restart != 0 and ilvl < restart)


@functools.lru_cache(maxsize=4096)
def template(text: str) -> tuple:
    """A lvlText as its parts: literal strings, and the 0-based level (an int) where %1…%9 stands."""
    pieces = PLACEHOLDER.split(text)
    return tuple(piece if n % 2 == 0 else int(piece) - 1 for n, piece in enumerate(pieces) if piece or n % 2)


PLACEHOLDER = re.compile(r"%([1-9])")


def read_numbering(archive, info, styles: Styles) -> Numbering:
    lists = Numbering(styles)
    for _, element in xml_events(archive, info, tag=(W + "abstractNum", W + "num")):
        if element.tag == W + "abstractNum":
            key = element.get(W + "abstractNumId")
            levels = {}
            for lvl in element.iterchildren(W + "lvl"):
                ilvl = _int(lvl.get(W + "ilvl"))
                if ilvl is not None and 0 <= ilvl < 9:
                    levels[ilvl] = read_lvl(lvl)
            lists.abstracts[key] = levels
            link = element.find(W + "numStyleLink")
            if link is not None and link.get(W + "val"):
                lists.links[key] = link.get(W + "val")
            link = element.find(W + "styleLink")
            if link is not None and link.get(W + "val"):
                lists.style_links[link.get(W + "val")] = key
        elif element.getparent() is not None and element.getparent().tag == W + "numbering":
            abstract = element.find(W + "abstractNumId")
            starts, levels = {}, {}
            for override in element.iterchildren(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"))
                if ilvl is None or not 0 <= ilvl < 9:
                    continue
                start = override.find(W + "startOverride")
                if start is not None and _int(start.get(W + "val")) is not None:
                    starts[ilvl] = _int(start.get(W + "val"))
                lvl = override.find(W + "lvl")
                if lvl is not None and abstract is not None:  # a level of its own, read over the abstract's
                    levels[ilvl] = read_lvl(lvl, lists.abstracts.get(abstract.get(W + "val"), {}).get(ilvl))
            if abstract is not None:
                lists.nums[element.get(W + "numId")] = Num(abstract.get(W + "val"), starts, levels)
        else:
            continue
        element.clear()
    return lists


# Number formats (w:numFmt), as Word and LibreOffice display them; an unknown format is shown in decimal.

CN_DIGITS = "零一二三四五六七八九"
CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
IDEOGRAPH_TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
CIRCLED = ("①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳㉑㉒㉓㉔㉕㉖㉗㉘㉙㉚㉛㉜㉝㉞㉟㊱㊲㊳㊴㊵㊶㊷㊸㊹㊺㊻㊼㊽㊾㊿")
ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
         (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def chinese_count(n: int, digits: str = CN_DIGITS, units: str = "十百千", legal: bool = False) -> str:
    """一, 十, 十一, 二十, 一百零一, 一千 (legal: 壹, 壹拾, 壹拾壹, …) for 0 < n < 10000; else decimal."""
    if not 0 < n < 10000:
        return str(n)
    if n < 10 and not legal:
        return digits[n]
    out, zero = [], False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        digit = n // power % 10
        if digit:
            if zero:
                out.append(digits[0])
            zero = False
            if not (power == 10 and digit == 1 and n < 20 and not legal):
                out.append(digits[digit])
            out.append(unit)
        elif out:
            zero = True
    return "".join(out)


def roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, letters in ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def letters(n: int) -> str:
    """a … z, aa … zz, aaa … (Word repeats the letter)."""
    if n < 1:
        return str(n)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    if fmt == "decimalZero":
        return f"{n:02d}" if 0 <= n < 10 else str(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand"):
        return chinese_count(n)
    if fmt == "chineseLegalSimplified":
        return chinese_count(n, CN_LEGAL, "拾佰仟", legal=True)
    if fmt == "ideographTraditional":
        return IDEOGRAPH_TRADITIONAL[n - 1] if 0 < n <= 10 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return CIRCLED[n - 1] if 0 < n <= len(CIRCLED) else str(n)
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate(FULLWIDTH)
    if fmt == "lowerLetter":
        return letters(n)
    if fmt == "upperLetter":
        return letters(n).upper()
    if fmt == "lowerRoman":
        return roman(n)
    if fmt == "upperRoman":
        return roman(n).upper()
    if fmt == "none":
        return ""
    return str(n)


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


# ---------------------------------------------------------------------------
# Images

A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
MAX_IMAGES = 1000  # pictures in one file (a manual has a few dozen)
MAX_IMAGE_BYTES = 64 * MB  # all pictures' bytes together, each picture counted once


class Images:
    """The pictures of the body (w:drawing's a:blip r:embed, v:imagedata r:id), read through the guards."""

    def __init__(self, archive, names, targets: dict[str, str], path: Path):
        self.archive, self.names, self.targets, self.path = archive, names, targets, path
        self.count = 0
        self.total = 0
        self.read: dict[str, bytes] = {}

    def of(self, p):
        """(name, bytes) of each picture in ``p`` (a paragraph or a table cell)."""
        for element in p.iter(A_BLIP, V_IMAGEDATA):
            if next(element.iterancestors(MC_FALLBACK), None) is not None:
                continue  # the same picture again, for older readers
            rid = element.get(R + "embed") if element.tag == A_BLIP else element.get(R + "id")
            target = self.targets.get(rid or "")
            if target is None or target not in self.names:
                continue  # a linked picture (r:link, external) or a broken reference: nothing to read
            self.count += 1
            if self.count > MAX_IMAGES:
                raise UsageError("cli.authoring.import_images", path=self.path, limit=MAX_IMAGES)
            yield posixpath.basename(target), self.data(target)

    def data(self, target: str) -> bytes:
        if target not in self.read:
            info = self.names[target]
            left = MAX_IMAGE_BYTES - self.total
            limit = min(part_limit(info), left)
            chunks = []
            try:
                with CappedPart(self.archive, info, limit, xml=False) as stream:
                    while True:
                        data = stream.read(CHUNK)
                        if not data:
                            break
                        chunks.append(data)
            except PartTooLarge:
                if part_limit(info) <= left:  # the part's own limit (its size, its ratio)
                    raise
                raise UsageError("cli.authoring.import_image_bytes", path=self.path,
                                 limit=megabytes(MAX_IMAGE_BYTES)) from None
            self.read[target] = b"".join(chunks)
            self.total += len(self.read[target])
        return self.read[target]


class _NoImages:
    def of(self, p):
        return iter(())


NO_IMAGES = _NoImages()


# ---------------------------------------------------------------------------
# Headers, footers and document properties

CP = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
DC = "{http://purl.org/dc/elements/1.1/}"
EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"
MAX_PROPERTY = 1000  # characters kept of one property


HEADER_KINDS = ("first", "default", "even")  # (the order a section shows them in)


class Headers:
    """The headers of each Word section as blocks at the start of the section (``docx_blocks``).

    A section shows its first-page header (with w:titlePg), its default header, and its even-page header
    (when settings.xml has w:evenAndOddHeaders); a kind it does not name is its previous section's.  A
    paragraph or table that a header read before showed already is not read again (the company line of
    every page; a section continued after a landscape page; so the blocks made from headers are never more
    than the header parts hold, however many sections use them), nor one that is only page numbers; a
    paragraph is split at its tabs (a header places company, title and code with tabs).  Each block's
    position is a ``Place``: the position of the section's first block, named ``第 N 节页眉第 K 段`` (K as
    the header counts its paragraphs, a table one per row)."""

    part = "header"
    root = W + "hdr"

    def __init__(self, archive, names, targets: dict[str, str], styles: Styles, even: bool):
        self.archive, self.names, self.targets, self.even = archive, names, targets, even
        self.paragraphs = Paragraphs(styles, Numbering(styles), page_text=self.part == "footer")
        self.refs: dict[str, str] = {}  # kind → part name, as the sections so far leave it
        self.parsed: dict[str, list] = {}
        self.seen: set = set()  # the paragraphs and tables read from any header so far
        self.done: set[str] = set()  # the header parts read whole
        self.count = 0

    def of(self, section: Section, value: int) -> list[Block]:
        self.count += 1
        for kind, rid in (section.footers if self.part == "footer" else section.headers):
            target = self.targets.get(rid)
            if target in self.names:
                self.refs[kind] = target
        out: list[Block] = []
        for kind in HEADER_KINDS:
            if (kind == "first" and not section.title_page) or (kind == "even" and not self.even):
                continue
            target = self.refs.get(kind)
            if target is None or target in self.done:
                continue
            for k, key, block in self.items(target):
                if key not in self.seen:
                    self.seen.add(key)
                    out.append(replace(block, position=Place(value, self.count, kind, k, self.part)))
            self.done.add(target)
        return out

    def items(self, target: str) -> list:
        """(position in the header, key, block) of a header part's paragraphs (pieces between tabs) and tables."""
        if target not in self.parsed:
            found, k = [], 0
            root, p_tag, tbl_tag = self.root, W + "p", W + "tbl"
            for _, element in xml_events(self.archive, self.names[target], tag=(p_tag, tbl_tag)):
                parent = element.getparent()
                if parent is None or not in_body(parent, root):
                    continue
                self.paragraphs.marks = []  # (a header's tracked changes are read as accepted, not reported)
                self.paragraphs.page = False
                if element.tag == p_tag:
                    k += 1
                    text, _, _, _ = self.paragraphs.read(element)
                    found += self.line(k, [piece.strip() for piece in text.split("\t")])
                else:
                    rows, _ = table_rows(element, self.paragraphs, NO_IMAGES)
                    if len(rows) == 1:  # a layout grid, like a tabbed line: each cell's lines as paragraphs
                        found += self.line(k + 1, [line.strip() for cell in rows[0] for line in cell.split("\n")])
                    elif any(cell for row in rows for cell in row):
                        found.append((k + 1, ("t", rows), Block("table", k + 1, rows=rows, role=self.part)))
                    k += len(rows)
                element.clear()
                while element.getprevious() is not None:
                    del parent[0]
            self.parsed[target] = found
        return self.parsed[target]

    def line(self, k: int, pieces: list[str]) -> list:
        """A header's line (its page numbers already out), cut at its tabs or cells: each piece a block."""
        return [(k, ("p", piece), Block("paragraph", k, piece, role="header")) for piece in pieces
                if piece.strip(PAGE_PUNCT)]


class Footers(Headers):
    """The footers of each Word section as blocks at the end of the section, after its last body block
    (``docx_blocks``): chosen and split as ``Headers`` are, and each footer part read once (a footer that an
    earlier section showed is not read again: the blocks are never more than the footer parts hold); a text is
    read once per section (a first-page and a default footer alike), but the same sign-off in another section's
    own footer is that section's, read again.  Positioned ``第 N 节页脚第 K 段`` (as an int, the section's last
    body position; a control line's, that of the section's first heading, ``placed``).  A
    footer's line is content (``role`` "footer": a sign-off, a 文件编号/版本 line, a sign-off table), except
    page numbers (PAGE/NUMPAGES fields and their words, ``第 X 页 共 Y 页`` typed), which are a block of
    ``role`` "furniture", and a control stamp (受控文件, 非受控, 受控状态：受控), ``role`` "stamp": both set
    aside before the recognition and listed under 未导入 (``importextras``)."""

    part = "footer"
    root = W + "ftr"

    def of(self, section: Section, value: int) -> list[Block]:
        self.seen = set()  # a text is read once in a section, but again in another section's own footer part
        return super().of(section, value)

    def line(self, k: int, pieces: list[str]) -> list:
        """A footer's line, cut at its tabs or cells: its content pieces joined again as one block (编制 \t 审核
        \t 批准 is one sign-off line), its page numbers and stamp each a block of their own."""
        content, control, aside = [], [], []
        for piece in pieces:
            if not piece.strip(PAGE_PUNCT):
                continue
            if STAMP.fullmatch(piece.strip(PAGE_PUNCT + "【】[]")):
                aside.append((piece, "stamp"))
                continue
            bare = PAGE_TYPED.sub("", piece)
            if self.paragraphs.page:  # the words around page fields, once their results (digits) are out
                bare = PAGE_RESIDUE.sub("", re.sub(r"\d+", "", bare))
            if not bare.strip(PAGE_PUNCT):
                aside.append((piece, "furniture"))
                continue
            numbers = [m.group() for m in PAGE_TYPED.finditer(piece)]
            if numbers:  # page numbers typed at the end of a line
                aside.append((" ".join(numbers), "furniture"))
                piece = PAGE_TYPED.sub(" ", piece).strip(PAGE_PUNCT)
            (control if CONTROL.match(piece) else content).append(piece)
        out = []
        for pieces, role in ((control, "footer-control"), (content, "footer")):
            if pieces:
                text = "  ".join(pieces)
                out.append((k, ("p", text), Block("paragraph", k, text, role=role)))
        return out + [(k, ("p", text), Block("paragraph", k, text, role=role)) for text, role in aside]

    @staticmethod
    def placed(blocks: list[Block], first: int) -> tuple[list[Block], list[Block]]:
        """(the footer's control lines, to go right under the section's first heading, or at its start when it
        has none: where the recognition reads a document's control lines; the rest, to go at its end), with
        the role "footer"; ``first`` is the position the control lines take."""
        control = [replace(b, role="footer", position=Place(first, b.position.section, b.position.kind, b.position.k,
                                                             "footer")) for b in blocks if b.role == "footer-control"]
        return control, [b for b in blocks if b.role != "footer-control"]


# A footer's document-control line (文件编号：…, 版本：…): read at the start of its section.
CONTROL = re.compile(r"(?:文件编号|文件代号|文件编码|编\s*号|版\s*本|版\s*次|No\.?)\s*[:：]", re.I)
# A document-control stamp in a footer: 受控文件, 非受控, 【受控】, 受控状态：受控, 受控副本.
STAMP = re.compile(r"(?:(?:受控|发放)状态\s*[:：]?\s*)?(?:非\s*)?受\s*控(?:\s*(?:文件|副本|版本|文本))?")


def read_notes(archive, info, kind: str) -> dict[tuple[str, str], str]:
    """(kind, id) → text of the footnotes or endnotes part (its paragraphs joined; separators left out)."""
    notes = {}
    for _, element in xml_events(archive, info, tag=W + kind):
        if element.get(W + "type") in (None, "normal"):
            text = " ".join(" ".join(paragraph_text(p).split()) for p in element.iter(W + "p")).strip()
            if text:
                notes[(kind, element.get(W + "id"))] = text
        element.clear()
    return notes


def read_comments(archive, info) -> dict[str, tuple[str, str]]:
    """id → (author, text) of the comments part."""
    comments = {}
    for _, element in xml_events(archive, info, tag=W + "comment"):
        text = " ".join(" ".join(paragraph_text(p).split()) for p in element.iter(W + "p")).strip()
        if text:
            comments[element.get(W + "id")] = ((element.get(W + "author") or "").strip(), text)
        element.clear()
    return comments


def even_and_odd(archive, info) -> bool:
    """Whether settings.xml gives even pages their own header (w:evenAndOddHeaders)."""
    if info is None:
        return False
    with contextlib.closing(xml_events(archive, info, tag=W + "evenAndOddHeaders")) as events:
        for _, element in events:
            return element.get(VAL, "1") not in ("0", "false", "off")
    return False


def docx_page_texts(path: Path) -> list[str]:
    """The texts of the headers and footers of a .docx: each non-empty paragraph (stripped, a table cell's
    paragraphs included) once, in the order of the parts' relationships.  The same guards as the body."""
    texts: dict[str, None] = {}
    with open_docx(path) as (archive, names, document):
        for _, kind, target in relationships(archive, names, document.filename):
            if kind.endswith(("/header", "/footer")) and target in names:
                for _, p in xml_events(archive, names[target], tag=W + "p"):
                    if next(p.iterancestors(W + "p"), None) is not None:
                        continue  # a text box's paragraph: its text is its outer paragraph's
                    text = " ".join(paragraph_text(p).split())
                    if text:
                        texts.setdefault(text)
                    p.clear()  # streamed like the body
                    while p.getprevious() is not None:
                        del p.getparent()[0]
    return list(texts)


def docx_properties(path: Path) -> dict[str, str]:
    """The document properties a manual's cover may be guessed from: ``title`` and ``subject``
    (docProps/core.xml), ``company`` (docProps/app.xml); only those present and not empty (each cut to
    MAX_PROPERTY characters).  The parts are found by the package's relationships, else by those names."""
    found: dict[str, str] = {}
    wanted = {DC + "title": "title", DC + "subject": "subject", EP + "Company": "company"}
    with open_docx(path) as (archive, names, document):
        parts = []
        if "_rels/.rels" in names:
            for _, rel in xml_events(archive, names["_rels/.rels"], tag=RELS):
                target = part_name("", rel.get("Target") or "")
                if rel.get("TargetMode") != "External" and target in names and \
                        (rel.get("Type") or "").endswith(("/core-properties", "/extended-properties")):
                    parts.append(target)
        for target in parts or [name for name in ("docProps/core.xml", "docProps/app.xml") if name in names]:
            for _, element in xml_events(archive, names[target], tag=tuple(wanted)):
                text = " ".join((element.text or "").split())[:MAX_PROPERTY]
                if text:
                    found.setdefault(wanted[element.tag], text)
    return found
