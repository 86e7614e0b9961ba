"""Images in document bodies (``![说明](images/x.png)``): each reference must name a picture the outputs can show.

The reader resolved every reference once (``generator.read.images``); these rules report what it found,
at the reference's line: a file that does not exist, one outside the manual's folder, one that is no PNG,
JPEG or GIF (or a damaged one), one over the limits, and (a warning) a web address, which no output
fetches: the outputs show the picture's description instead.
"""
from __future__ import annotations

from ..common.findings import Location, error, warning
from ..read.images import MAX_BYTES, MAX_PIXELS
from . import rule

_LIMITS = {"max_mb": MAX_BYTES // (1024 * 1024), "max_megapixels": MAX_PIXELS // 1_000_000}


def _problems(manual, problems):
    for doc in manual.documents:
        for image in doc.images:
            if image.problem in problems:
                yield doc, image, Location(doc.path, image.line, 1)


@rule("image-missing")
def image_missing(manual):
    return [error("image-missing", at, "image-missing", src=image.src, path=image.path)
            for _, image, at in _problems(manual, ("missing",))]


@rule("image-outside")
def image_outside(manual):
    return [error("image-outside", at, "image-outside", src=image.src)
            for _, image, at in _problems(manual, ("outside",))]


@rule("image-format")
def image_format(manual):
    return [error("image-format", at, "image-format", src=image.src, path=image.path)
            for _, image, at in _problems(manual, ("format",))]


@rule("image-too-large")
def image_too_large(manual):
    findings = []
    for _, image, at in _problems(manual, ("too-large", "too-many-pixels")):
        if image.problem == "too-large":
            findings.append(error("image-too-large", at, "image-too-large", src=image.src,
                                  mb=f"{image.size / (1024 * 1024):.1f}", **_LIMITS))
        else:
            findings.append(error("image-too-large", at, "image-too-many-pixels", src=image.src,
                                  width=image.width, height=image.height, **_LIMITS))
    return findings


@rule("image-remote", severities=("warning",))
def image_remote(manual):
    return [warning("image-remote", at, "image-remote", src=image.src)
            for _, image, at in _problems(manual, ("remote",))]
