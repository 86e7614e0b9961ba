"""The images a document's body shows (``![说明](images/x.png)``), read once.

A reference is a path relative to the document's file.  ``read_images`` resolves every image reference
of a document's parsed blocks: the file's path relative to the manual's root, the SHA-256 of its bytes,
its format and pixel size (Pillow reads the header and verifies the file; no pixel data is decoded), and
the bytes themselves, which every output embeds or copies.  A reference that cannot be used records why
(``problem``) and no bytes; the ``image-*`` rules report it at its line, and the outputs show its
description (alt text) instead.  Nothing here fetches the network or reads a file outside the manual's
folder: a ``..`` path, an absolute path, another scheme than a file of the manual, or a symbolic link
that leads out is refused before it is opened.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import urllib.parse
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from .markdown import Block, iter_links

# Formats every output shows: the browser, WeasyPrint and Word alike.  SVG is not accepted (a script or
# an external reference inside it would run or be fetched in some viewers).
FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"), "GIF": ("image/gif", ".gif")}
MAX_BYTES = 5 * 1024 * 1024  # one image file: 5 MB
MAX_PIXELS = 25_000_000  # width × height: 25 megapixels (a 5000 × 5000 picture)
REMOTE_SCHEMES = ("http", "https")

# problem: "" (usable) | remote | outside | missing | format | too-large | too-many-pixels


@dataclass
class Image:
    """One image reference of a document's body and the file it resolves to."""

    src: str  # as written in the body
    line: int  # the reference's line in the document's file
    path: str = ""  # the file, relative to the manual's root ("" when it does not resolve inside it)
    problem: str = ""  # why it cannot be shown ("" when it can)
    sha256: str = ""  # of the file's bytes
    mime: str = ""  # image/png | image/jpeg | image/gif
    ext: str = ""  # .png | .jpg | .gif
    width: int = 0  # pixels
    height: int = 0
    size: int = 0  # bytes
    data: bytes = field(default=b"", repr=False)

    @property
    def usable(self) -> bool:
        return not self.problem


def image_refs(blocks: list[Block]) -> list[tuple[int, str]]:
    """(line, src) of every image reference of ``blocks``, in reading order."""
    return [(line, span.href) for line, span in iter_links(blocks) if span.kind == "image"]


def _scheme(src: str) -> str:
    head = src.split("/", 1)[0]
    if ":" in head and not (len(head) >= 2 and head[1] == ":" and head[0].isalpha()):  # not C:\…
        return head.split(":", 1)[0].lower()
    return ""


def resolve(root: Path, doc_path: str, src: str) -> tuple[str, str]:
    """(path relative to root, problem) of a reference ``src`` written in the document ``doc_path``."""
    scheme = _scheme(src)
    if scheme in REMOTE_SCHEMES:
        return "", "remote"
    if scheme or src.startswith(("//", "/", "\\")) or (len(src) > 1 and src[1] == ":"):
        return "", "outside"  # another scheme (data:, file:), a network path or an absolute path
    target = urllib.parse.unquote(src.split("#", 1)[0].split("?", 1)[0]).replace("\\", "/")
    if not target:
        return "", "missing"
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), target))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return "", "outside"
    return joined, ""


def read_image(root: Path, doc_path: str, line: int, src: str) -> Image:
    """The image ``src`` of the document ``doc_path`` (relative to ``root``), resolved and read."""
    rel, problem = resolve(root, doc_path, src)
    image = Image(src, line, rel, problem)
    if problem:
        return image
    path = root / rel
    try:
        real = os.path.realpath(path)
        base = os.path.realpath(root)
        if not (real == base or real.startswith(base.rstrip(os.sep) + os.sep)):
            image.path, image.problem = "", "outside"  # a symbolic link that leads out
            return image
        if not os.path.isfile(real):
            image.problem = "missing"
            return image
        size = os.path.getsize(real)
        image.size = size
        if size > MAX_BYTES:
            image.problem = "too-large"
            return image
        data = Path(real).read_bytes()
    except (OSError, ValueError):
        image.problem = "missing"
        return image
    image.sha256 = hashlib.sha256(data).hexdigest()
    fmt, image.problem = _inspect(data, image)
    if not image.problem:
        image.mime, image.ext = FORMATS[fmt]
        image.data = data
    return image


def _inspect(data: bytes, image: Image) -> tuple[str, str]:
    """(Pillow's format name, problem) of ``data``; width and height set when the header gives them."""
    from PIL import Image as PILImage

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: the pixel limit says it
            with PILImage.open(BytesIO(data)) as im:
                fmt = im.format or ""
                image.width, image.height = im.size
                if fmt not in FORMATS:
                    return fmt, "format"
                if image.width * image.height > MAX_PIXELS:
                    return fmt, "too-many-pixels"
                im.verify()
    except PILImage.DecompressionBombError:  # far over the pixel limit: Pillow refuses to open it
        return "", "too-many-pixels"
    except Exception:  # noqa: BLE001 - whatever Pillow raises on a file it cannot read: not an image
        return "", "format"
    return fmt, ""


def inspect(data: bytes) -> tuple[str, str, int, int]:
    """(extension, problem, width, height) of an image's bytes: ``.png`` / ``.jpg`` / ``.gif`` and "" when
    every output can show it; else the problem (``format``, ``too-large``, ``too-many-pixels``)."""
    probe = Image("", 0, size=len(data))
    if len(data) > MAX_BYTES:
        return "", "too-large", 0, 0
    fmt, problem = _inspect(data, probe)
    return (FORMATS[fmt][1] if not problem else ""), problem, probe.width, probe.height


def read_images(root: Path, doc_path: str, blocks: list[Block]) -> list[Image]:
    """Every image reference of a document's ``blocks``, resolved and read (one read per file)."""
    out: list[Image] = []
    seen: dict[str, Image] = {}
    for line, src in image_refs(blocks):
        known = seen.get(src)
        if known is not None:
            out.append(Image(**{**known.__dict__, "line": line}))
            continue
        image = read_image(root, doc_path, line, src)
        seen[src] = image
        out.append(image)
    return out
