"""Join separately rendered PDF parts into one PDF, as if it had been one layout.

The print publisher renders the whole manual as parts (cover and contents, each
document, each form …) so that a part whose HTML did not change is taken from the
cache.  ``stitch`` puts the parts back together with pypdf and repairs what a
plain concatenation would break:

* **links across parts.**  A part links to an anchor of another part as
  ``urn:manual:<anchor>`` (WeasyPrint keeps such links; it drops ``#anchor`` links
  whose target is not in the same HTML).  Every such link becomes an internal link
  (a named destination) when the anchor is in the joined PDF, and is removed when it
  is not (a single document printed without the document it cites);
* **named destinations** of every part are joined into one name tree (a name
  defined twice keeps its first definition; later parts' own links to it are
  renamed so that each still lands in its own part);
* **bookmarks** of all parts are joined into one outline, nested by level as
  WeasyPrint nests them within one document (a part may say at which level its
  bookmarks start: a form's level-2 title goes under the appendix title that
  precedes it in an earlier part);
* **running footers**: ``overlay`` is a PDF (or a list of PDFs, one after the other)
  with one page per joined page, holding the page's footer with 第 N 页 / 共 M 页 over
  the joined PDF; each overlay page is drawn on top of its page as a form XObject;
* **fonts**: WeasyPrint subsets each font per part, keeping glyph ids.  The
  subsets of one font are replaced by one subset holding every glyph any part
  uses (HarfBuzz via uharfbuzz), so that the joined PDF embeds each font once:
  the size of a one-layout PDF, not the sum of the parts.  A font whose original
  file cannot be found (or is not the same version) keeps its per-part subsets.

Same parts → same bytes: the file identifier is a hash of the parts, and nothing
depends on time.
"""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zlib
from dataclasses import dataclass
from functools import lru_cache

URN = "urn:manual:"


def part_link(anchor: str) -> str:
    """The href with which a part links to an anchor that may be in another part."""
    return URN + anchor


@dataclass
class _Mark:
    level: int
    title: str
    page: int  # index in the joined PDF
    left: float | None
    top: float | None
    is_open: bool = True


def stitch(parts: list, *, overlay=None, levels: list[int] | None = None, title: str = "",
           subject: str = "", keywords: str = "", lang: str = "", producer: str = "") -> bytes:
    """One PDF from ``parts`` (PDF bytes, or functions returning them, in order); see the module's
    docstring.

    ``levels[i]`` is the outline level of part i's top bookmarks (default 1): a part whose headings
    are level-2 bookmarks (a form under the appendix) says 2, since on its own WeasyPrint made them
    top-level."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    writer = PdfWriter()
    fonts = _FontSharing(writer)
    names: dict[str, tuple[int, float | None, float | None]] = {}
    marks: list[_Mark] = []
    renames_by_part: list[dict[str, str]] = []
    digests: list[bytes] = []
    starts: list[int] = []
    for number, part in enumerate(parts):
        blob = part() if callable(part) else part  # a part may be loaded only when its turn comes
        digests.append(hashlib.sha256(blob).digest())
        reader = PdfReader(io.BytesIO(blob))
        fonts.seen.clear()  # ids of this part's objects only (a freed part's ids may be reused)
        start = len(writer.pages)
        starts.append(start)
        page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
        for page in reader.pages:
            fonts.redirect(page)
            writer.add_page(page)
        renames: dict[str, str] = {}
        for name, dest in reader.named_destinations.items():
            idx = page_index.get(getattr(dest.page, "idnum", None))
            if idx is None:
                continue
            entry = (start + idx, _num(dest.get("/Left")), _num(dest.get("/Top")))
            if name in names:
                renamed = f"{name}~{number}"
                renames[name] = renamed
                names[renamed] = entry
            else:
                names[name] = entry
        renames_by_part.append(renames)
        marks.extend(_outline(reader, reader.outline, (levels or [])[number] if levels and number < len(levels) else 1,
                              start, page_index))
        # pypdf's writer keeps every reader it copied from alive (a guard against id() reuse and a
        # page map for later merges); this reader is done with, so let it go: a large manual's
        # parts then pass through memory one at a time.
        writer.reset_translation(reader)
        writer._merged_in_pages.clear()

    total = len(writer.pages)
    part_of_page = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else total
        part_of_page.extend([number] * (end - start))

    _relink(writer, names, renames_by_part, part_of_page)
    _write_names(writer, names)
    _write_outline(writer, marks)
    if marks:  # open with the bookmarks panel shown
        writer.root_object[NameObject("/PageMode")] = NameObject("/UseOutlines")
    if overlay is not None:
        _overlay(writer, overlay, fonts)
    fonts.finish()
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)

    info = {"/Title": title, "/Subject": subject, "/Keywords": keywords, "/Producer": producer}
    writer.add_metadata({k: v for k, v in info.items() if v})
    if lang:
        writer.root_object[NameObject("/Lang")] = TextStringObject(lang)
    chunks = [] if overlay is None else ([overlay] if isinstance(overlay, (bytes, bytearray, memoryview))
                                         else list(overlay))
    digests += [hashlib.sha256(chunk).digest() for chunk in chunks]
    ident = hashlib.md5(b"".join(digests), usedforsecurity=False).digest()
    writer._ID = ArrayObject([ByteStringObject(ident), ByteStringObject(ident)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _num(value):
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def _outline(reader, items, level: int, start: int, page_index: dict) -> list[_Mark]:
    marks: list[_Mark] = []
    for item in items:
        if isinstance(item, list):
            marks.extend(_outline(reader, item, level + 1, start, page_index))
            continue
        idx = page_index.get(getattr(item.page, "idnum", None))
        if idx is None:
            continue
        count = item.get("/Count", 0)
        marks.append(_Mark(level, str(item.title), start + idx, _num(item.get("/Left")), _num(item.get("/Top")),
                           is_open=not (isinstance(count, int) and count < 0)))
    return marks


def _relink(writer, names: dict, renames_by_part: list[dict], part_of_page: list[int]) -> None:
    """Cross-part links to named destinations; links to what is not here are removed."""
    from pypdf.generic import ArrayObject, NameObject, TextStringObject

    for i, page in enumerate(writer.pages):
        annots = page.get("/Annots")
        if annots is None:
            continue
        renames = renames_by_part[part_of_page[i]]
        kept = ArrayObject()
        changed = False
        for ref in annots:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                kept.append(ref)
                continue
            action = annot.get("/A")
            action = action.get_object() if action is not None else None
            dest = annot.get("/Dest")
            if action is not None and str(action.get("/URI", "")).startswith(URN):
                target = str(action["/URI"])[len(URN):]
                del annot["/A"]
                changed = True
                if target not in names:
                    continue  # the anchor is not in this PDF: no link
                annot[NameObject("/Dest")] = TextStringObject(target)
            elif isinstance(dest, str) and str(dest) in renames:
                annot[NameObject("/Dest")] = TextStringObject(renames[str(dest)])
                changed = True
            kept.append(ref)
        if changed:
            page[NameObject("/Annots")] = kept


def _dest_array(writer, entry):
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NullObject

    page, left, top = entry
    return ArrayObject([writer.pages[page].indirect_reference, NameObject("/XYZ"),
                        FloatObject(left) if left is not None else NullObject(),
                        FloatObject(top) if top is not None else NullObject(), FloatObject(0)])


def _write_names(writer, names: dict) -> None:
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    if not names:
        return
    flat = ArrayObject()
    for name in sorted(names):
        flat.append(TextStringObject(name))
        flat.append(_dest_array(writer, names[name]))
    tree = DictionaryObject({NameObject("/Names"): flat})
    writer.root_object[NameObject("/Names")] = DictionaryObject({NameObject("/Dests"): writer._add_object(tree)})


def _write_outline(writer, marks: list[_Mark]) -> None:
    from pypdf.generic import Fit

    stack: list[tuple[int, object]] = []  # (level, outline item)
    for mark in marks:
        while stack and stack[-1][0] >= mark.level:
            stack.pop()
        parent = stack[-1][1] if stack else None
        fit = Fit.xyz(mark.left, mark.top, 0) if mark.top is not None else Fit.fit()
        item = writer.add_outline_item(title=mark.title, page_number=mark.page, parent=parent, fit=fit,
                                       is_open=mark.is_open)
        stack.append((mark.level, item))


# -- overlay ----------------------------------------------------------------------------------------
def _overlay(writer, overlay, fonts) -> None:
    """Draw page i of ``overlay`` (one PDF, or a list of PDFs whose pages follow each other) over
    page i of the joined PDF, as a form XObject; its fonts are shared like the parts' fonts."""
    from pypdf import PdfReader
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject, NameObject,
                               RectangleObject)

    chunks = [overlay] if isinstance(overlay, (bytes, bytearray, memoryview)) else list(overlay)
    readers = [PdfReader(io.BytesIO(chunk)) for chunk in chunks]
    count = sum(len(r.pages) for r in readers)
    if count != len(writer.pages):
        raise ValueError(f"overlay has {count} pages for {len(writer.pages)}")
    push = DecodedStreamObject()
    push.set_data(b"q\n")
    push_ref = writer._add_object(push)
    index = 0
    for reader in readers:
        fonts.seen.clear()
        for over in reader.pages:
            page = writer.pages[index]
            index += 1
            fonts.redirect(over)
            form = DecodedStreamObject()
            form.set_data(over.get_contents().get_data() if over.get_contents() is not None else b"")
            form.update({
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): RectangleObject(over.mediabox),
                NameObject("/Resources"): (over["/Resources"].clone(writer) if "/Resources" in over
                                           else DictionaryObject()),
            })
            form_ref = writer._add_object(form.flate_encode())
            resources = page.get("/Resources")
            resources = DictionaryObject(resources.get_object()) if resources is not None else DictionaryObject()
            xobjects = resources.get("/XObject")
            xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
            key = "/MOv"
            while key in xobjects:
                key += "x"
            xobjects[NameObject(key)] = form_ref
            resources[NameObject("/XObject")] = xobjects
            page[NameObject("/Resources")] = resources
            draw = DecodedStreamObject()
            draw.set_data(f"Q\nq {key} Do Q\n".encode())
            raw = page.raw_get("/Contents") if "/Contents" in page else None
            items = ArrayObject([push_ref])
            if raw is not None:
                contents = raw.get_object()
                if isinstance(contents, list):
                    items.extend(contents)
                elif isinstance(raw, IndirectObject):
                    items.append(raw)
                else:
                    items.append(writer._add_object(contents))
            items.append(writer._add_object(draw))
            page[NameObject("/Contents")] = items
        writer.reset_translation(reader)


# -- fonts ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _system_fonts() -> dict[str, tuple[str, int]]:
    """PostScript name → (file, face index) of the fonts fontconfig knows."""
    try:
        out = subprocess.run(["fc-list", "--format", "%{postscriptname}\t%{file}\t%{index}\n"],
                             capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    fonts: dict[str, tuple[str, int]] = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] and parts[2].isdigit():
            fonts.setdefault(parts[0], (parts[1], int(parts[2])))
    return fonts


def _identity(data: bytes):
    """(PostScript name, version stamp) of an embedded font program, or None."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        name = font["name"].getDebugName(6)
        head = font["head"]
        return name, (head.fontRevision, head.created, head.modified, head.unitsPerEm)
    except Exception:  # a font we cannot read keeps its own subset
        return None


@lru_cache(maxsize=16)
def _original(name: str):
    """(file, index, version stamp) of the installed font with this PostScript name, or None."""
    from fontTools.ttLib import TTFont

    found = _system_fonts().get(name)
    if not found:
        return None
    path, index = found
    try:
        font = TTFont(path, fontNumber=index, lazy=True)
        head = font["head"]
        return path, index, (head.fontRevision, head.created, head.modified, head.unitsPerEm)
    except Exception:
        return None


def subset_font(path: str, index: int, gids: set[int]) -> bytes | None:
    """The font at (path, index) with only ``gids`` (glyph ids kept), as WeasyPrint subsets it."""
    try:
        import uharfbuzz as hb
    except ImportError:
        return None
    face = hb.Face(hb.Blob.from_file_path(path), index)
    drop = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT", "SVG ")

    def run(src, keep, flags):
        inp = hb.SubsetInput()
        inp.glyph_set.update(sorted(keep))
        inp.drop_table_tag_set.update(_tag(tag) for tag in drop)
        inp.flags = flags
        return hb.subset(src, inp)

    flags = hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED | hb.SubsetFlags.DESUBROUTINIZE
    first = run(face, gids | {0}, flags | hb.SubsetFlags.RETAIN_GIDS)
    if first is None:
        return None
    second = run(first, set(range(max(gids | {0}) + 1)), flags | hb.SubsetFlags.NO_HINTING)
    if second is None:
        return None
    return second.blob.data


def _tag(text: str) -> int:
    raw = text.encode("ascii")
    return (raw[0] << 24) | (raw[1] << 16) | (raw[2] << 8) | raw[3]


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


class _FontSharing:
    """One font per face for all parts, as if the parts had been one layout.

    Before a part's page is copied into the writer, each font its resources name is replaced by a
    font of the writer shared by every part using the same face (so the part's own font program,
    widths and Unicode map are never copied), and the glyphs it uses, their widths and their
    Unicode text are noted; ``finish`` then writes each shared font: one subset of the installed
    font with all those glyphs (glyph ids kept), one width array, one Unicode map.  A face is
    recognised once, from the first part's subset (PostScript name and version, matched with the
    installed font); a font that cannot be matched keeps its per-part subsets."""

    def __init__(self, writer):
        self.writer = writer
        self.groups: dict[tuple[str, str], dict | None] = {}
        self.seen: set[int] = set()
        try:
            import uharfbuzz  # noqa: F401
            self.enabled = True
        except ImportError:
            self.enabled = False

    def redirect(self, page) -> None:
        if not self.enabled:
            return
        from pypdf.generic import NameObject

        for fonts in _font_dicts(page.get("/Resources"), self.seen):
            for name in list(fonts.keys()):
                group = self._group(fonts[name].get_object())
                if group is not None:
                    fonts[NameObject(name)] = group["font"]

    def _group(self, font) -> dict | None:
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            return None
        cid = font["/DescendantFonts"][0].get_object()
        descriptor = cid.get("/FontDescriptor")
        if descriptor is None:
            return None
        descriptor = descriptor.get_object()
        key = "/FontFile3" if "/FontFile3" in descriptor else ("/FontFile2" if "/FontFile2" in descriptor else None)
        if key is None:
            return None
        base = str(descriptor.get("/FontName", "")).split("+", 1)[-1]
        group_key = (key, base)
        if group_key not in self.groups:
            self.groups[group_key] = self._new_group(key, base, cid, descriptor)
        group = self.groups[group_key]
        if group is None:
            return None
        widths = group["widths"]
        for gid, width in _widths(cid.get("/W")).items():
            widths.setdefault(gid, width)
        unicode = group["unicode"]
        to_unicode = font.get("/ToUnicode")
        if to_unicode is not None:
            for gid, text in _BFCHAR.findall(to_unicode.get_object().get_data()):
                unicode.setdefault(int(gid, 16), text.decode("ascii").lower())
        return group

    def _new_group(self, key: str, base: str, cid, descriptor) -> dict | None:
        from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

        ident = _identity(descriptor[key].get_object().get_data())
        original = _original(ident[0]) if ident else None
        if original is None or original[2] != ident[1]:
            return None
        add = self.writer._add_object
        program = add(StreamObject())
        shared_descriptor = DictionaryObject({NameObject(k): v.clone(self.writer) for k, v in descriptor.items()
                                              if k not in ("/FontFile2", "/FontFile3", "/CIDSet")})
        shared_descriptor[NameObject(key)] = program
        descriptor_ref = add(shared_descriptor)
        shared_cid = DictionaryObject({NameObject(k): v.clone(self.writer) for k, v in cid.items()
                                       if k not in ("/W", "/FontDescriptor")})
        shared_cid[NameObject("/FontDescriptor")] = descriptor_ref
        cid_ref = add(shared_cid)
        to_unicode = add(StreamObject())
        font = add(DictionaryObject({
            NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): NameObject("/" + base), NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/ToUnicode"): to_unicode, NameObject("/DescendantFonts"): ArrayObject([cid_ref])}))
        return {"path": original[0], "index": original[1], "key": key, "base": base, "program": program,
                "descriptor": descriptor_ref, "cid": cid_ref, "to_unicode": to_unicode, "font": font,
                "widths": {}, "unicode": {}}

    def finish(self) -> None:
        from pypdf.generic import ArrayObject, NameObject, NumberObject

        for (_key, base), group in sorted(self.groups.items()):
            if group is None:
                continue
            gids = set(group["widths"]) | set(group["unicode"])
            data = subset_font(group["path"], group["index"], gids)
            if not data:
                raise RuntimeError(f"could not subset the font {base} ({group['path']})")
            program = group["program"].get_object()
            program.set_data(zlib.compress(data))
            program[NameObject("/Filter")] = NameObject("/FlateDecode")
            if group["key"] == "/FontFile3":
                program[NameObject("/Subtype")] = NameObject("/OpenType")
            else:
                program[NameObject("/Length1")] = NumberObject(len(data))
            # A subset tag (six capitals) from the glyphs in it, as PDF readers expect of a subset.
            tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(gids)).encode()).digest()[:6])
            name = NameObject(f"/{tag}+{base}")
            group["font"].get_object()[NameObject("/BaseFont")] = name
            cid = group["cid"].get_object()
            cid[NameObject("/BaseFont")] = name
            descriptor = group["descriptor"].get_object()
            descriptor[NameObject("/FontName")] = name
            widths = group["widths"]
            w = ArrayObject()
            run = None
            for gid in sorted(widths):
                if run is None or gid - 1 not in widths:
                    w.append(NumberObject(gid))
                    run = ArrayObject()
                    w.append(run)
                run.append(_number(widths[gid]))
            cid[NameObject("/W")] = w
            if widths:
                bbox = descriptor.get("/FontBBox")
                if bbox is not None and len(bbox) == 4:
                    descriptor[NameObject("/FontBBox")] = ArrayObject(
                        [bbox[0], bbox[1], _number(max(widths.values())), bbox[3]])
            lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", b"/CIDSystemInfo",
                     b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
                     b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def", b"1 begincodespacerange",
                     b"<0000> <ffff>", b"endcodespacerange"]
            items = sorted(group["unicode"].items())
            for i in range(0, len(items), 100):
                batch = items[i:i + 100]
                lines.append(f"{len(batch)} beginbfchar".encode())
                lines.extend(f"<{gid:04x}> <{text}>".encode() for gid, text in batch)
                lines.append(b"endbfchar")
            lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
            to_unicode = group["to_unicode"].get_object()
            to_unicode.set_data(zlib.compress(b"\n".join(lines)))
            to_unicode[NameObject("/Filter")] = NameObject("/FlateDecode")


def _number(value: float):
    from pypdf.generic import FloatObject, NumberObject

    return NumberObject(int(value)) if float(value).is_integer() else FloatObject(round(float(value), 6))


def _widths(array) -> dict[int, float]:
    """{glyph id: width} of a CIDFont's /W array."""
    out: dict[int, float] = {}
    items = list(array or [])
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1].get_object() if i + 1 < len(items) else None
        if isinstance(nxt, list):
            for n, width in enumerate(nxt):
                out[first + n] = float(width)
            i += 2
        else:
            width = float(items[i + 2]) if i + 2 < len(items) else 0.0
            for gid in range(first, int(nxt) + 1):
                out[gid] = width
            i += 3
    return out


def _font_dicts(resources, seen: set):
    """The /Font dictionaries of ``resources`` and of the form XObjects it draws, each once."""
    if resources is None:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        fonts = fonts.get_object()
        if id(fonts) not in seen:
            seen.add(id(fonts))
            yield fonts
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xobj = ref.get_object()
            if id(xobj) in seen:
                continue
            seen.add(id(xobj))
            if xobj.get("/Subtype") == "/Form":
                yield from _font_dicts(xobj.get("/Resources"), seen)
