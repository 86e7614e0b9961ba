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
* **running footers**: ``overlay`` is a PDF with one page per joined page (the
  footer with 第 N 页 / 共 M 页 counted over the joined PDF); each overlay page is
  drawn on top of its page as a form XObject;
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
import subprocess
import zlib
from dataclasses import dataclass, field
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


@dataclass
class _Names:
    dests: dict = field(default_factory=dict)  # name -> (page index, left, top)


def page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def stitch(parts: list[bytes], *, overlay: bytes | None = None, levels: list[int] | None = None, title: str = "",
           subject: str = "", keywords: str = "", lang: str = "", producer: str = "") -> bytes:
    """One PDF from ``parts`` (PDF bytes, in order); see the module's docstring.

    ``levels[i]`` is the outline level of part i's top bookmarks (default 1): a part whose headings
    are level-2 bookmarks (a form under the appendix) says 2, since on its own WeasyPrint made them
    top-level."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

    writer = PdfWriter()
    names: dict[str, tuple[int, float | None, float | None]] = {}
    marks: list[_Mark] = []
    renames_by_part: list[dict[str, str]] = []
    starts: list[int] = []
    for number, blob in enumerate(parts):
        reader = PdfReader(io.BytesIO(blob))
        start = len(writer.pages)
        starts.append(start)
        page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
        for page in reader.pages:
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

    total = len(writer.pages)
    part_of_page = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else total
        part_of_page.extend([number] * (end - start))

    _relink(writer, names, renames_by_part, part_of_page)
    _write_names(writer, names)
    _write_outline(writer, marks)
    if overlay is not None:
        _overlay(writer, overlay)
    _share_fonts(writer)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)

    info = {"/Title": title, "/Subject": subject, "/Keywords": keywords, "/Producer": producer}
    writer.add_metadata({k: v for k, v in info.items() if v})
    if lang:
        writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    ident = hashlib.md5(b"".join(hashlib.sha256(p).digest() for p in parts)
                        + hashlib.sha256(overlay or b"").digest(), usedforsecurity=False).digest()
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
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/Dests"): writer._add_object(tree)})


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
def _overlay(writer, overlay: bytes) -> None:
    """Draw page i of ``overlay`` over page i of the joined PDF, as a form XObject."""
    from pypdf import PdfReader
    from pypdf.generic import (ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject, NameObject,
                               RectangleObject)

    reader = PdfReader(io.BytesIO(overlay))
    if len(reader.pages) != len(writer.pages):
        raise ValueError(f"overlay has {len(reader.pages)} pages for {len(writer.pages)}")
    push = DecodedStreamObject()
    push.set_data(b"q\n")
    push_ref = writer._add_object(push)
    for page, over in zip(writer.pages, reader.pages):
        form = DecodedStreamObject()
        form.set_data(over.get_contents().get_data() if over.get_contents() is not None else b"")
        form.update({
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): RectangleObject(over.mediabox),
            NameObject("/Resources"): over["/Resources"].clone(writer) if "/Resources" in over else DictionaryObject(),
        })
        form = form.flate_encode()
        form_ref = writer._add_object(form)
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


def _glyphs(widths) -> set[int]:
    """Glyph ids listed in a CIDFont's /W array."""
    gids: set[int] = set()
    items = list(widths or [])
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1].get_object() if i + 1 < len(items) else None
        if isinstance(nxt, list):
            gids.update(range(first, first + len(nxt)))
            i += 2
        else:
            gids.update(range(first, int(nxt) + 1))
            i += 3
    return gids


def _fonts_in(resources, seen: set, found: list) -> None:
    if resources is None:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        for ref in fonts.get_object().values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            found.append(font)
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            xobj = ref.get_object()
            if id(xobj) in seen:
                continue
            seen.add(id(xobj))
            if xobj.get("/Subtype") == "/Form":
                _fonts_in(xobj.get("/Resources"), seen, found)


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


def _share_fonts(writer) -> None:
    """Replace the per-part subsets of each font by one subset with all glyphs used."""
    from pypdf.generic import NameObject, NumberObject, StreamObject

    seen: set = set()
    fonts: list = []
    for page in writer.pages:
        _fonts_in(page.get("/Resources"), seen, fonts)
    groups: dict[tuple, list] = {}
    for font in fonts:
        if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H":
            continue
        cid = font["/DescendantFonts"][0].get_object()
        descriptor = cid.get("/FontDescriptor")
        if descriptor is None:
            continue
        descriptor = descriptor.get_object()
        key = "/FontFile3" if "/FontFile3" in descriptor else ("/FontFile2" if "/FontFile2" in descriptor else None)
        if key is None:
            continue
        stream = descriptor[key].get_object()
        ident = _identity(stream.get_data())
        if ident is None:
            continue
        groups.setdefault((key, *ident), []).append((descriptor, cid, stream))
    for (key, name, stamp), members in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        streams = {id(m[2]) for m in members}
        if len(streams) < 2:
            continue
        original = _original(name)
        if original is None or original[2] != stamp:
            continue
        gids: set[int] = set()
        for _descriptor, cid, _stream in members:
            gids |= _glyphs(cid.get("/W"))
        data = subset_font(original[0], original[1], gids)
        if not data:
            continue
        shared = StreamObject()
        shared._data = zlib.compress(data)
        shared[NameObject("/Filter")] = NameObject("/FlateDecode")
        if key == "/FontFile3":
            shared[NameObject("/Subtype")] = NameObject("/OpenType")
        else:
            shared[NameObject("/Length1")] = NumberObject(len(data))
        ref = writer._add_object(shared)
        for descriptor, _cid, _stream in members:
            descriptor[NameObject(key)] = ref
