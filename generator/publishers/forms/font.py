"""The form fields' font: WenQuanYi Micro Hei, as a plain ``.ttf``.

WeasyPrint embeds a field font *whole* (it does not subset it), so the field
font is WenQuanYi Micro Hei (about 2.3 MB in the PDF) rather than Noto Sans
CJK (about 16 MB); the printed text stays in Noto Sans CJK, subset.
WeasyPrint would embed the whole ``.ttc`` collection, which pypdf cannot read
(so it could not draw filled-in Chinese values) and which is not a valid
TrueType font program; ``field_font_file()`` is the first face of the
collection as a plain ``.ttf`` instead.
"""
from __future__ import annotations

import functools
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from ...errors import FormFontMissing

FIELD_FONT_FAMILY = "WenQuanYi Micro Hei"
FIELD_FONT_PACKAGE = "fonts-wqy-microhei"
FIELD_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
)


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
    power = max(k for k in range(16) if 2 ** k <= ntables)
    search = 16 * 2 ** power
    out = bytearray(struct.pack(">IHHHH", version, ntables, search, power, ntables * 16 - search))
    offset = 12 + 16 * ntables
    directory, blobs, head_at = [], [], None
    for tag, checksum, start, length in records:
        blob = data[start:start + length]
        if tag == b"head":
            head_at = offset
            blob = blob[:8] + b"\0\0\0\0" + blob[12:]  # checkSumAdjustment, recomputed below
        directory.append(struct.pack(">4sIII", tag, checksum, offset, length))
        pad = (-length) % 4
        blobs.append(blob + b"\0" * pad)
        offset += length + pad
    out += b"".join(directory) + b"".join(blobs)
    if head_at is not None:
        total = sum(struct.unpack(f">{len(out) // 4}I", bytes(out))) & 0xFFFFFFFF
        out[head_at + 8:head_at + 12] = struct.pack(">I", (0xB1B0AFBA - total) & 0xFFFFFFFF)
    return bytes(out)


@functools.lru_cache(maxsize=1)
def field_font_file() -> Path:
    """The field font as a plain ``.ttf`` in a private temporary folder (made once per process)."""
    source = _find_field_font()
    folder = Path(tempfile.mkdtemp(prefix="manual-form-font-"))
    import atexit

    atexit.register(shutil.rmtree, folder, True)
    target = folder / "wqy-microhei-0.ttf"
    target.write_bytes(ttc_face(source.read_bytes(), 0))
    return target
