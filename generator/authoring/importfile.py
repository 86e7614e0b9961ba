"""Opening the file ``manual import`` reads: size limits, a guarded zip reader, XML without entities.

This is the boundary where a legacy manual (.txt or .docx) enters the generator; the
recognition of its structure (``importer.py``) only ever sees the lines returned here.
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
* only the main document part is read, paragraph by paragraph (``iterparse``, each
  finished paragraph or table freed), so memory does not grow with the file.

python-docx is not used here: its parser also leaves entities unresolved, but opening a
package reads every part completely into memory with no limit.
"""
from __future__ import annotations

import contextlib
import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

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
ENCODINGS = ("utf-8-sig", "gb18030")
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
    """The lines of a text file in UTF-8 (with or without BOM) or GB18030 (GBK)."""
    check_file(path)
    with open(path, "rb") as f:
        raw = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since it was measured
    if len(raw) > MAX_FILE_BYTES:
        raise UsageError("cli.authoring.import_too_large", path=path, size=f"> {megabytes(MAX_FILE_BYTES)}",
                         limit=megabytes(MAX_FILE_BYTES))
    for encoding in ENCODINGS:
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UsageError("cli.authoring.import_encoding", path=path)
    if "\x00" in text:  # UTF-16 or a binary file: GB18030 decodes such bytes, but they are no text
        raise UsageError("cli.authoring.import_encoding", path=path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


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
    """

    kind: str  # "paragraph" | "table" | "image"
    position: int
    text: str = ""
    heading: int | None = None
    number: str = ""
    list_level: int | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    image: tuple[str, bytes] | None = None


def read_blocks(path: Path) -> list[Block]:
    """The blocks of a .txt (one paragraph per non-empty line) or .docx (paragraphs and tables)."""
    if path.suffix.lower() == ".docx":
        blocks, position = [], 0
        for line in docx_lines(path):
            position += 1
            if line.strip():
                blocks.append(Block("paragraph", position, line))
        return blocks
    return [Block("paragraph", n, line) for n, line in enumerate(text_lines(path), 1) if line.strip()]


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

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int | None = None):
        super().__init__()
        self.info = info
        self.limit = part_limit(info) if limit is None else limit
        self.count = 0
        self.stream = archive.open(info)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else min(size, CHUNK)
        data = self.stream.read(size)
        if not self.count and any(mark in data for mark in DOCTYPES):
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


def docx_lines(path: Path) -> list[str]:
    """The paragraphs of a Word file in order, each table row as one line."""
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
            return body_lines(archive, document, path)
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


def body_lines(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> list[str]:
    """Each paragraph of the body, and each row of a table of the body, as one line (streamed)."""
    body_tag, p_tag, tbl_tag = W + "body", W + "p", W + "tbl"
    t_tag, tr_tag, tc_tag = W + "t", W + "tr", W + "tc"
    lines: list[str] = []
    seen_body = False
    for _, element in xml_events(archive, info, tag=(p_tag, tbl_tag, body_tag)):
        if element.tag == body_tag:
            seen_body = True
            continue
        parent = element.getparent()
        if parent is None or parent.tag != body_tag:
            continue  # a paragraph inside a table cell, or a table inside a table: its outer table counts
        if element.tag == p_tag:
            lines.append("".join(t.text or "" for t in element.iter(t_tag)))
        else:
            for row in element.iter(tr_tag):
                cells = ["".join(t.text or "" for t in cell.iter(t_tag)).strip() for cell in row.iter(tc_tag)]
                lines.append(" ".join(c for c in cells if c))
        element.clear()  # the finished paragraph or table and everything before it: memory stays flat
        while element.getprevious() is not None:
            del parent[0]
    if not seen_body:
        raise UsageError("cli.authoring.import_no_document", path=path)
    return lines
