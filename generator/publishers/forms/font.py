"""The form fields' fonts: what a blank field names, and what a pre-filled value is drawn with.

The strategy (README, "Field fonts"), chosen so that a form stays small and Chinese typed into any
field still renders:

- **Blank fields** name ``STSong-Light`` (``FIELD_FONT``): one of the standard Chinese fonts of
  the Adobe-GB1 character collection, *not embedded*, encoded ``UniGB-UCS2-H`` (a character's code
  is its UCS-2 value), with a ``/ToUnicode`` map that says so.  Every PDF viewer substitutes a
  Chinese font of its own for it (pdfium has the collection built in; poppler needs its
  ``poppler-data`` language pack; Acrobat and Foxit ship it).  It goes into ``/AcroForm /DR`` and every
  text field's ``/DA``, so what a person types is drawn by the viewer in that font.  The
  ``/ToUnicode`` map is what lets poppler encode typed text: it maps characters back to codes
  through it.
- **Pre-filled values** (``manual forms fill``) are drawn by us, in appearance streams, with a
  *subset* of WenQuanYi Micro Hei (``fonts-wqy-microhei``; its first face, a TrueType font)
  holding only the glyphs of the values: ``FieldGlyphs.subset`` keeps the glyph ids (CID = glyph
  id, ``/CIDToGIDMap /Identity``), so that the rows of a merged file can be drawn before their
  common subset is known.  A filled record is the blank form plus a few kilobytes.
- **WeasyPrint** lays out the ``<input>``s and embeds their font whole; it is given
  ``field_font_file()``, a few-glyph subset of the same face, which ``pdf.finalize`` then drops
  from the file (the fields name ``STSong-Light`` instead).
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import struct
import subprocess
import tempfile
from array import array
from pathlib import Path

from ...errors import FormFontMissing

FIELD_FONT_FAMILY = "WenQuanYi Micro Hei"
FIELD_FONT_PACKAGE = "fonts-wqy-microhei"
FIELD_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
)
FIELD_FONT = "STSong"  # the resource name, in /DR and /DA, of the standard (not embedded) Chinese font
STANDARD_CJK = "STSong-Light"  # Adobe-GB1; viewers substitute a Chinese font for it
VALUE_FONT = "WQY"  # the resource name of the embedded subset in a filled value's appearance stream
CHECK_FONT = "ZaDb"  # ZapfDingbats, which viewers that redraw a check box's mark use (with /MK /CA)


def _find_field_font() -> Path:
    for candidate in FIELD_FONT_CANDIDATES:
        if os.path.isfile(candidate):
            return Path(candidate)
    if shutil.which("fc-match"):
        try:
            out = subprocess.run(["fc-match", "-f", "%{file}", FIELD_FONT_FAMILY], capture_output=True, text=True,
                                 timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out and "microhei" in out.lower() and os.path.isfile(out):
            return Path(out)
    raise FormFontMissing("errors.field_font_missing", font=FIELD_FONT_FAMILY, package=FIELD_FONT_PACKAGE)


def ttc_face(data: bytes, index: int = 0) -> bytes:
    """One face of a TrueType collection as a stand-alone ``.ttf`` (tables copied byte for byte)."""
    if data[:4] != b"ttcf":
        return data
    count = struct.unpack(">I", data[8:12])[0]
    if not 0 <= index < count:
        raise ValueError(f"the collection has {count} faces, not {index + 1}")
    base = struct.unpack(">I", data[12 + 4 * index:16 + 4 * index])[0]
    version, ntables = struct.unpack(">IH", data[base:base + 6])
    records = sorted(struct.unpack(">4sIII", data[base + 12 + 16 * i:base + 28 + 16 * i]) for i in range(ntables))
    return _font_file(version, {tag: data[start:start + length] for tag, _checksum, start, length in records})


def _checksum(blob: bytes) -> int:
    blob += b"\0" * ((-len(blob)) % 4)
    return sum(struct.unpack(f">{len(blob) // 4}I", blob)) & 0xFFFFFFFF


def _font_file(version: int, tables: dict[bytes, bytes]) -> bytes:
    """A TrueType file of ``tables`` (sorted by tag, checksums and ``checkSumAdjustment`` computed)."""
    ntables = len(tables)
    power = max(k for k in range(16) if 2 ** k <= ntables)
    search = 16 * 2 ** power
    out = bytearray(struct.pack(">IHHHH", version, ntables, search, power, ntables * 16 - search))
    offset = 12 + 16 * ntables
    directory, blobs, head_at = [], [], None
    for tag in sorted(tables):
        blob = tables[tag]
        if tag == b"head":
            head_at = offset
            blob = blob[:8] + b"\0\0\0\0" + blob[12:]  # checkSumAdjustment, recomputed below
        directory.append(struct.pack(">4sIII", tag, _checksum(blob), offset, len(blob)))
        pad = (-len(blob)) % 4
        blobs.append(blob + b"\0" * pad)
        offset += len(blob) + pad
    out += b"".join(directory) + b"".join(blobs)
    if head_at is not None:
        out[head_at + 8:head_at + 12] = struct.pack(">I", (0xB1B0AFBA - _checksum(bytes(out))) & 0xFFFFFFFF)
    return bytes(out)


@functools.lru_cache(maxsize=1)
def face_bytes() -> bytes:
    """The first face of WenQuanYi Micro Hei as a plain ``.ttf`` (read once per process)."""
    return ttc_face(_find_field_font().read_bytes(), 0)


class FieldGlyphs:
    """The value font, whole: Unicode → glyph id, advance widths, and subsets of it (``subset``)."""

    def __init__(self, data: bytes):
        import io

        from fontTools.ttLib import TTFont

        version, ntables = struct.unpack(">IH", data[:6])
        self.version = version
        self.tables = {}
        for i in range(ntables):
            tag, _checksum, start, length = struct.unpack(">4sIII", data[12 + 16 * i:28 + 16 * i])
            self.tables[tag] = data[start:start + length]
        font = TTFont(io.BytesIO(data), lazy=True)
        self.gid_of = {cp: font.getGlyphID(name) for cp, name in (font.getBestCmap() or {}).items()}
        upem = font["head"].unitsPerEm
        self.scale = 1000 / upem
        head, hhea, maxp = self.tables[b"head"], self.tables[b"hhea"], self.tables[b"maxp"]
        self.glyphs = struct.unpack(">H", maxp[4:6])[0]
        self.metrics = struct.unpack(">H", hhea[34:36])[0]  # numberOfHMetrics
        long_loca = struct.unpack(">h", head[50:52])[0] == 1
        loca = array("I" if long_loca else "H")
        loca.frombytes(self.tables[b"loca"][:(self.glyphs + 1) * (4 if long_loca else 2)])
        if loca.itemsize != (4 if long_loca else 2):
            raise ValueError("unexpected array item size")
        import sys

        if sys.byteorder == "little":
            loca.byteswap()
        self.loca = [v if long_loca else 2 * v for v in loca]
        hmtx = self.tables[b"hmtx"]
        advances = struct.unpack(f">{2 * self.metrics}H", hmtx[:4 * self.metrics])[0::2]
        self.advance = list(advances) + [advances[-1]] * (self.glyphs - self.metrics)
        self.ascent = struct.unpack(">h", hhea[4:6])[0] * self.scale
        self.descent = struct.unpack(">h", hhea[6:8])[0] * self.scale
        self.bbox = [round(v * self.scale) for v in struct.unpack(">4h", head[36:44])]

    # -- measuring and encoding -------------------------------------------------------
    def gid(self, ch: str) -> int:
        return self.gid_of.get(ord(ch), 0)

    def width(self, text: str, size: float) -> float:
        """The width of ``text`` at ``size`` points."""
        return sum(self.advance[self.gid(ch)] for ch in text) * self.scale * size / 1000

    def encode(self, text: str) -> bytes:
        """``text`` as the codes of a content stream: its glyph ids, two bytes each (Identity-H)."""
        return b"".join(self.gid(ch).to_bytes(2, "big") for ch in text)

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.gid_of

    # -- subsetting -----------------------------------------------------------------
    def _glyph(self, gid: int) -> bytes:
        return self.tables[b"glyf"][self.loca[gid]:self.loca[gid + 1]]

    def _components(self, gid: int) -> list[int]:
        data = self._glyph(gid)
        if len(data) < 10 or struct.unpack(">h", data[:2])[0] >= 0:
            return []
        out, at = [], 10
        while True:
            flags, component = struct.unpack(">HH", data[at:at + 4])
            out.append(component)
            at += 4 + (4 if flags & 0x0001 else 2)
            at += 2 if flags & 0x0008 else 4 if flags & 0x0040 else 8 if flags & 0x0080 else 0
            if not flags & 0x0020:
                return out

    def closure(self, gids) -> list[int]:
        """``gids`` with glyph 0 and the components of composite glyphs, sorted."""
        todo, seen = list(gids) + [0], set()
        while todo:
            gid = todo.pop()
            if gid not in seen and 0 <= gid < self.glyphs:
                seen.add(gid)
                todo.extend(self._components(gid))
        return sorted(seen)

    def subset(self, gids) -> bytes:
        """A TrueType font with the outlines of ``gids`` only, every glyph keeping its id.

        The other glyphs are empty (zero-length in ``loca``, zero metrics in ``hmtx``): the
        tables stay as long as the whole font's, but compress to a few kilobytes."""
        keep = set(self.closure(gids))
        glyf, loca, offset = bytearray(), array("I"), 0
        hmtx = bytearray(4 * self.metrics + 2 * (self.glyphs - self.metrics))
        source_hmtx = self.tables[b"hmtx"]
        for gid in range(self.glyphs):
            loca.append(offset)
            if gid in keep:
                data = self._glyph(gid)
                data += b"\0" * ((-len(data)) % 4)
                glyf += data
                offset += len(data)
                at = 4 * gid if gid < self.metrics else 4 * self.metrics + 2 * (gid - self.metrics)
                width = 4 if gid < self.metrics else 2
                hmtx[at:at + width] = source_hmtx[at:at + width]
        loca.append(offset)
        import sys

        if sys.byteorder == "little":
            loca.byteswap()
        head = bytearray(self.tables[b"head"])
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        tables = {b"head": bytes(head), b"hhea": self.tables[b"hhea"], b"maxp": self.tables[b"maxp"],
                  b"loca": loca.tobytes(), b"glyf": bytes(glyf), b"hmtx": bytes(hmtx),
                  b"post": struct.pack(">IiHhII", 0x00030000, 0, 0, 0, 0, 0) + b"\0" * 16}
        for tag in (b"cvt ", b"fpgm", b"prep", b"OS/2"):
            if tag in self.tables:
                tables[tag] = self.tables[tag]
        return _font_file(self.version, tables)

    def tag(self, gids) -> str:
        """The six capital letters before a subset's font name, from its glyphs (the same glyphs: the same tag)."""
        digest = hashlib.md5(",".join(map(str, sorted(gids))).encode()).digest()
        return "".join(chr(ord("A") + b % 26) for b in digest[:6])


@functools.lru_cache(maxsize=1)
def field_glyphs() -> FieldGlyphs:
    """The value font, parsed once per process."""
    return FieldGlyphs(face_bytes())


@functools.lru_cache(maxsize=1)
def field_font_file() -> Path:
    """The font WeasyPrint lays the ``<input>``s out with: a few glyphs of the value font, as a ``.ttf``
    in a private temporary folder (made once per process).  ``pdf.finalize`` removes it from the
    PDF: the fields name ``STSong-Light`` (see the module's text)."""
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(face_bytes()), recalcTimestamp=False)  # the same bytes on every build
    options = subset.Options()
    options.layout_features, options.name_IDs, options.hinting, options.notdef_outline = [], ["*"], False, True
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=" 0")
    subsetter.subset(font)
    data = io.BytesIO()
    font.save(data)
    folder = Path(tempfile.mkdtemp(prefix="manual-form-font-"))
    import atexit

    atexit.register(shutil.rmtree, folder, True)
    target = folder / "wqy-microhei-fields.ttf"
    target.write_bytes(data.getvalue())
    return target


# -- the fonts as PDF objects (pypdf) ------------------------------------------------------
def _to_unicode_ucs2() -> bytes:
    """A ``/ToUnicode`` CMap in which every two-byte code is its own UCS-2 character (surrogates left out)."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS2 def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    highs = [h for h in range(256) if not 0xD8 <= h <= 0xDF]
    for i in range(0, len(highs), 100):
        chunk = highs[i:i + 100]
        lines.append(f"{len(chunk)} beginbfrange")
        lines += [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in chunk]
        lines.append("endbfrange")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _cmap_to_unicode(pairs: list[tuple[int, str]]) -> bytes:
    """A ``/ToUnicode`` CMap for two-byte codes: ``(code, text)`` pairs."""
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for i in range(0, len(pairs), 100):
        chunk = pairs[i:i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


def _stream(data: bytes, **entries):
    from pypdf.generic import NameObject, StreamObject

    stream = StreamObject()
    stream.set_data(data)
    for key, value in entries.items():
        stream[NameObject(f"/{key}")] = value
    return stream.flate_encode(level=9)


def standard_cjk_font(add):
    """``STSong-Light`` (not embedded, ``UniGB-UCS2-H``) as a Type0 font dictionary; ``add`` makes an
    object of the file and returns its reference."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    def name(v):
        return NameObject(f"/{v}")

    descriptor = DictionaryObject({
        name("Type"): name("FontDescriptor"), name("FontName"): name(STANDARD_CJK), name("Flags"): NumberObject(6),
        name("FontBBox"): ArrayObject([NumberObject(v) for v in (-25, -254, 1000, 880)]),
        name("ItalicAngle"): NumberObject(0), name("Ascent"): NumberObject(880), name("Descent"): NumberObject(-120),
        name("CapHeight"): NumberObject(880), name("StemV"): NumberObject(93)})
    cid_font = DictionaryObject({
        name("Type"): name("Font"), name("Subtype"): name("CIDFontType0"), name("BaseFont"): name(STANDARD_CJK),
        name("CIDSystemInfo"): DictionaryObject({name("Registry"): TextStringObject("Adobe"),
                                                 name("Ordering"): TextStringObject("GB1"),
                                                 name("Supplement"): NumberObject(2)}),
        name("FontDescriptor"): add(descriptor), name("DW"): NumberObject(1000),
        # the half-width Latin of Adobe-GB1 (CIDs 1-95, "Proportional" in STSong-Light: 500 is close enough
        # for a viewer that lays out with these widths)
        name("W"): ArrayObject([NumberObject(1), NumberObject(95), NumberObject(500)])})
    return add(DictionaryObject({
        name("Type"): name("Font"), name("Subtype"): name("Type0"), name("BaseFont"): name(f"{STANDARD_CJK}-UniGB-UCS2-H"),
        name("Encoding"): name("UniGB-UCS2-H"), name("DescendantFonts"): ArrayObject([add(cid_font)]),
        name("ToUnicode"): add(_stream(_to_unicode_ucs2()))}))


def zapf_dingbats_font():
    from pypdf.generic import DictionaryObject, NameObject

    return DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/ZapfDingbats")})


def value_font(glyphs: FieldGlyphs, chars: set[str], add):
    """The Type0 font of a filled file's values: a subset of the value font holding ``chars``
    (CID = glyph id), with widths and a ``/ToUnicode`` map.  ``add`` as for ``standard_cjk_font``."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    def name(v):
        return NameObject(f"/{v}")

    by_gid: dict[int, str] = {}
    for ch in sorted(chars):
        gid = glyphs.gid(ch)
        if gid:
            by_gid.setdefault(gid, ch)
    gids = sorted(by_gid)
    font_name = f"{glyphs.tag(gids)}+WenQuanYiMicroHei"
    program = glyphs.subset(gids)
    widths = ArrayObject()
    for gid in gids:
        widths += [NumberObject(gid), ArrayObject([NumberObject(round(glyphs.advance[gid] * glyphs.scale))])]
    descriptor = DictionaryObject({
        name("Type"): name("FontDescriptor"), name("FontName"): name(font_name), name("Flags"): NumberObject(4),
        name("FontBBox"): ArrayObject([NumberObject(v) for v in glyphs.bbox]), name("ItalicAngle"): NumberObject(0),
        name("Ascent"): NumberObject(round(glyphs.ascent)), name("Descent"): NumberObject(round(glyphs.descent)),
        name("CapHeight"): NumberObject(round(glyphs.ascent)), name("StemV"): NumberObject(80),
        name("FontFile2"): add(_stream(program, Length1=NumberObject(len(program))))})
    cid_font = DictionaryObject({
        name("Type"): name("Font"), name("Subtype"): name("CIDFontType2"), name("BaseFont"): name(font_name),
        name("CIDSystemInfo"): DictionaryObject({name("Registry"): TextStringObject("Adobe"),
                                                 name("Ordering"): TextStringObject("Identity"),
                                                 name("Supplement"): NumberObject(0)}),
        name("FontDescriptor"): add(descriptor), name("CIDToGIDMap"): name("Identity"),
        name("DW"): NumberObject(1000), name("W"): widths})
    return DictionaryObject({
        name("Type"): name("Font"), name("Subtype"): name("Type0"), name("BaseFont"): name(font_name),
        name("Encoding"): name("Identity-H"), name("DescendantFonts"): ArrayObject([add(cid_font)]),
        name("ToUnicode"): add(_stream(_cmap_to_unicode(sorted(by_gid.items()))))})
