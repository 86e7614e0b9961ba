"""Editions: immutable, optionally signed releases of the whole manual.

``manual release EDITION`` freezes the manual as it is now:

    editions/EDITION/
        manifest.json      documents (code, version, status, source SHA-256, fingerprint,
                           sign-offs), the changes since the previous edition and the
                           SHA-256 of every output
        changes.json       the change record: added / removed / changed documents with a redline
        source/            the source files of this edition (manual/, policies/, forms/, and control/
                           but for control/copies/)
        manual.pdf         the edition PDF (with a 修订记录 appendix), signed with --sign
        manual.docx        the edition DOCX

The folder is built next to its final place and renamed in whole, so an
interrupted release leaves nothing behind; an existing edition is never
overwritten.  ``manual verify FILE.pdf`` checks a signature and the file's
hash against the manifest (``verify``), or every file of an edition (``verify_edition``).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import ReleaseError, SigningError, UsageError
from ..labels import labels
from ..model import Manual
from ..model.changes import changes_between
from ..read.control import COPIES_FOLDER
from ..read.editions import (CHANGES, EDITIONS as EDITIONS_NAME, MANIFEST, SOURCE,  # noqa: F401
                             edition_check, edition_folders, editions_dir, expected_files, latest_edition,
                             sha256_file)
SOURCE_PARTS = ("manual", "policies", "forms")
CONTROL = "control"  # frozen too, but for its copies/ (``snapshot_sources``)
PDF_NAME = "manual.pdf"
DOCX_NAME = "manual.docx"
from ..common import password
from ..common.password import PASSWORD_ENV
EDITION_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,40}$")


# -- hashing and manifest (``sha256_file``: ``generator.read.editions``) -------
def _signoffs(item) -> dict:
    out = {}
    for s in item.signoffs():
        out[s.step] = {"name": s.name, "role": s.role, "date": s.date.isoformat() if s.date else None,
                       "fingerprint": s.fingerprint}
    return out


def manifest_for(manual: Manual, edition: str, released: dt.date, previous: dict | None,
                 changes: dict, outputs: dict[str, str], signed: bool, source_files: dict[str, str] | None = None,
                 changes_sha256: str | None = None) -> dict:
    """The edition's manifest.  ``source_files``: the SHA-256 of every file of ``source/`` (by its path
    there); ``changes_sha256``: that of ``changes.json``."""
    from ..model.fingerprint import fingerprint

    return {
        "edition": edition,
        "released": released.isoformat(),
        "sequence": (previous.get("sequence", 0) + 1) if previous else 1,
        "previous": previous.get("edition") if previous else None,
        "company": manual.company,
        "manual": manual.title,
        "signed": signed,
        "documents": [
            {"code": d.code, "title": d.title, "version": d.version, "status": d.status,
             "path": d.path, "source_sha256": d.source_sha256, "fingerprint": fingerprint(d, manual),
             "signoff": _signoffs(d)}
            for d in manual.documents
        ],
        "forms": [
            {"id": f.id, "code": f.code, "title": f.title, "version": f.version, "path": f.path,
             "source_sha256": f.source_sha256, "fingerprint": fingerprint(f, manual), "signoff": _signoffs(f)}
            for f in manual.forms.values()
        ],
        "changes": {
            "added": [c["code"] for c in changes["added"]],
            "removed": [c["code"] for c in changes["removed"]],
            "changed": [{"code": c["code"], "old_version": c["old_version"], "new_version": c["new_version"]}
                        for c in changes["changed"]],
        },
        "outputs": outputs,
        "source_files": source_files or {},
        "changes_sha256": changes_sha256,
    }


# -- signing ------------------------------------------------------------------
@contextmanager
def library_logs_quiet():
    """pyHanko logs what it then raises or returns (a PKCS#12 it cannot open, with its traceback);
    with no logging set up, Python would print that on stderr.  The error the user gets is ours, one
    line; ``MANUAL_DEBUG=1`` lets the library's log through."""
    if os.environ.get("MANUAL_DEBUG"):
        yield
        return
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    saved = [(lg.propagate, lg.level) for lg in loggers]
    for lg in loggers:
        lg.propagate, lg.level = False, logging.CRITICAL + 1
    try:
        yield
    finally:
        for lg, (propagate, level) in zip(loggers, saved):
            lg.propagate, lg.level = propagate, level


def signing_password(env=os.environ) -> bytes:
    """From MANUAL_SIGN_PASSWORD, or asked at the terminal; never stored or logged."""
    value = password.signing_password(env)
    if value is None:
        raise SigningError("errors.password_needed", env=PASSWORD_ENV)
    return value


def load_signer(p12: Path, password: bytes):
    """pyHanko's signer from a PKCS#12 file, or a ``SigningError`` that says what is wrong with it.

    No message names the password or any part of it.
    """
    from asn1crypto import pkcs12 as asn1_pkcs12
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko.sign import signers

    try:
        data = Path(p12).read_bytes()
    except OSError as exc:
        raise SigningError("errors.certificate_unreadable", path=p12, reason=exc.strerror or exc) from None
    try:
        key, cert, _ = pkcs12.load_key_and_certificates(data, password)
    except (ValueError, TypeError):
        try:  # a PKCS#12 structure that does not open: the password is wrong
            asn1_pkcs12.Pfx.load(data, strict=True).native  # noqa: B018 - parses the whole structure
            is_pkcs12 = True
        except Exception:  # noqa: BLE001 - asn1crypto raises several kinds for data that is no PKCS#12
            is_pkcs12 = False
        raise SigningError("errors.certificate_password" if is_pkcs12 else "errors.certificate_not_pkcs12",
                           path=p12) from None
    if key is None or cert is None:
        raise SigningError("errors.certificate_no_key", path=p12)
    with library_logs_quiet():
        try:
            return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=password)
        except Exception as exc:  # noqa: BLE001 - a key pyHanko cannot use: one line, not a traceback
            raise SigningError("errors.certificate_unusable", path=p12, reason=_first_line(exc)) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def sign_pdf(src: Path, dest: Path, p12: Path | None, password: bytes | None, *, reason: str,
             location: str | None = None, box=(330, 40, 560, 110), page: int = 0, signer=None) -> None:
    """A visible PAdES signature on ``page`` (the cover, which carries the approval).

    ``signer`` (from ``load_signer``) or else ``p12`` and ``password``.
    """
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    if signer is None:
        signer = load_signer(p12, password)
    tmp = dest.with_name(f".{dest.name}.signing")
    face = dest.with_name(f".{dest.name}.signing.ttf")
    try:
        with library_logs_quiet(), open(src, "rb") as inf:
            writer = IncrementalPdfFileWriter(inf, strict=False)
            fields.append_signature_field(writer, fields.SigFieldSpec("EditionSignature", on_page=page, box=box))
            meta = signers.PdfSignatureMetadata(field_name="EditionSignature", md_algorithm="sha256",
                                                subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
                                                location=location)
            style = stamp.TextStampStyle(stamp_text="Digitally signed by %(signer)s\n%(ts)s\n" + reason,
                                         text_box_style=_stamp_text_style(face))
            pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style)
            with open(tmp, "wb") as outf:
                pdf_signer.sign_pdf(writer, output=outf)
    except (OSError, MemoryError, KeyboardInterrupt):
        tmp.unlink(missing_ok=True)
        raise
    except Exception as exc:  # noqa: BLE001 - pyHanko's refusal (a certificate it cannot sign with …)
        tmp.unlink(missing_ok=True)
        raise SigningError("errors.signing_failed", reason=_first_line(exc)) from None
    finally:
        face.unlink(missing_ok=True)
    os.replace(tmp, dest)


STAMP_FONT = "Noto Sans CJK SC"


def _stamp_text_style(face: Path):
    """The signature box's text style: a subset of Noto Sans CJK SC (the manual's sans face), so that a
    Chinese signer's name or reason prints as such (pyHanko's default Courier cannot encode them: the box
    showed "þÿ" and spaced bytes).  A CFF face with 1000 units per em: pyHanko writes glyph widths in font
    units, which other em sizes (WenQuanYi's 2048) would stretch.  ``face`` is a scratch path where the face
    is written for pyHanko, which reads it while signing; the caller removes it.  None (pyHanko's default)
    when fontconfig has no such face."""
    from pyhanko.pdf_utils.font import opentype
    from pyhanko.pdf_utils.text import TextBoxStyle

    from .docx.typeset import font_file
    from .forms.font import ttc_face

    found = font_file(STAMP_FONT)
    if found is None or "cjk" not in found[0].lower():
        return None
    data = Path(found[0]).read_bytes()
    face.write_bytes(ttc_face(data, found[1]) if data[:4] == b"ttcf" else data)
    return TextBoxStyle(font=opentype.GlyphAccumulatorFactory(str(face), font_size=9))


def _padding_ok(contents: bytes) -> bool:
    """Whether everything after the CMS signature in /Contents is the zero padding pyHanko writes.

    The padding is not covered by the signature (nothing in /Contents is), so a byte changed there
    leaves the signature intact; an edition PDF as released has only zeros there.
    """
    from asn1crypto import parser

    try:
        _, _, _, header, body, trailer = parser.parse(contents)
    except (ValueError, TypeError):
        return False
    return not contents[len(header) + len(body) + len(trailer):].strip(b"\0")


def verify_pdf(path: Path, trust: list | None = None) -> list[dict]:
    """Status of every signature in ``path``, by pyHanko: intact (the digest of the signed bytes),
    valid (the signature over it), trusted (by ``trust``), its coverage (``ENTIRE_FILE``: the byte
    range is the whole file but the signature's /Contents), the modification level pyHanko finds
    after signing, and whether /Contents holds nothing but the signature and zero padding.

    A file pyHanko cannot read gives one entry with ``error``; nothing raises.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    results = []
    with library_logs_quiet(), open(path, "rb") as fh:
        try:
            reader = PdfFileReader(fh, strict=False)
            signatures = list(reader.embedded_signatures)
        except Exception as exc:  # noqa: BLE001 - a damaged file is a finding, not a crash
            return [{"ok": False, "intact": False, "trusted": False, "unreadable": True, "error": _first_line(exc)}]
        for sig in signatures:
            try:
                context = ValidationContext(trust_roots=trust or [], allow_fetching=False)
                status = validate_pdf_signature(sig, context)
                level = status.modification_level
                whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
                padding = _padding_ok(sig.pkcs7_content)
                results.append({
                    "field": sig.field_name, "intact": bool(status.intact), "valid": bool(status.valid),
                    "trusted": bool(status.trusted), "coverage": status.coverage.name if status.coverage else "UNCLEAR",
                    "whole_file": whole, "modification": level.name if level is not None else "UNKNOWN",
                    "padding_ok": padding,
                    "signer": status.signing_cert.subject.human_friendly if status.signing_cert else None,
                    "signed_bytes": _signed_length(sig.byte_range),
                    "signed_at": str(status.signer_reported_dt) if status.signer_reported_dt else None,
                    "ok": bool(status.intact and status.valid and whole and padding),
                })
            except Exception as exc:  # noqa: BLE001
                results.append({"field": sig.field_name, "ok": False, "intact": False, "trusted": False,
                                "error": _first_line(exc)})
    return results


def _signed_length(byte_range) -> int | None:
    """Where the revision a signature signs ends: the end of its byte range."""
    try:
        return int(byte_range[2]) + int(byte_range[3])
    except (TypeError, ValueError, IndexError):
        return None


def load_trust(path: Path | None) -> list:
    """The certificates of a PEM or DER file (``--trust``); a ``UsageError`` when it holds none."""
    if path is None:
        return []
    from asn1crypto import pem, x509

    try:
        data = Path(path).read_bytes()
        if pem.detect(data):
            certs = [x509.Certificate.load(der) for kind, _, der in pem.unarmor(data, multiple=True)
                     if kind == "CERTIFICATE"]
        else:
            certs = [x509.Certificate.load(data, strict=True)]
        for cert in certs:
            cert.native  # noqa: B018 - parses it whole: a broken certificate fails here, not in pyHanko
    except OSError as exc:
        raise UsageError("errors.trust_unreadable", path=path, reason=exc.strerror or exc) from None
    except Exception as exc:  # noqa: BLE001 - asn1crypto raises several kinds for data that is no certificate
        raise UsageError("errors.trust_unreadable", path=path, reason=_first_line(exc)) from None
    if not certs:
        raise UsageError("errors.trust_unreadable", path=path, reason="no CERTIFICATE block")
    return certs


# -- release ------------------------------------------------------------------
def snapshot_sources(root: Path, dest: Path, manual=None) -> None:
    """The frozen source: manual/, policies/, forms/ and the document-control sources of control/
    (distribution.yaml, external.yaml, changes/ and whatever else is there), but not control/copies/,
    the controlled copies' PDFs, which are outputs.  With ``manual``: also every picture its documents
    show from elsewhere in the manual's folder (``images/x.png`` beside ``policies/`` is frozen at the
    same path), written from the bytes the outputs were made from, so that the edition's source shows
    the same pictures and ``manual verify`` checks them with the rest."""
    for part in SOURCE_PARTS:
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dest / part)
    control = root / CONTROL
    if control.is_dir():
        outputs = PurePosixPath(COPIES_FOLDER).relative_to(CONTROL).parts[0]

        def skip(folder, names):
            return [outputs] if Path(folder) == control and outputs in names else []

        shutil.copytree(control, dest / CONTROL, ignore=skip)
    for doc in manual.documents if manual is not None else []:
        for image in doc.images:
            target = dest / image.path
            if image.usable and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(image.data)


AFTER_RELEASE = {"ack-missing"}  # warnings that a release does not count (``manual check --strict`` does)


def release(root: Path, edition: str, *, released: dt.date | None = None, sign: Path | None = None,
            password: bytes | None = None, quiet: bool = False, lang: str = "zh-CN") -> Path:
    """Release the manual at ``root`` as ``edition``; returns the edition folder."""
    from ..rules.check import check, strict
    from ..model.build import read_manual

    if not EDITION_NAME.match(edition):
        example = f"{(released or dt.date.today()).year}.1"  # the release's own year, not a sample manual's
        raise ReleaseError("errors.edition_name", edition=edition, example=example)
    root = Path(root).resolve()
    final = editions_dir(root) / edition
    if final.exists():
        raise ReleaseError("errors.edition_exists", edition=edition, folder=final.relative_to(root))
    manual, findings = check(root)
    # Acknowledgements of a change are due once it is published: they never hold up a release.
    findings = strict([f for f in findings if f.rule not in AFTER_RELEASE])
    if findings:
        from ..rules.report import as_text
        raise ReleaseError("errors.not_strict_clean", findings=lambda language: as_text(findings, language).rstrip())
    signer = None
    if sign is not None:  # the certificate opens before anything is rendered, or the release stops here
        signer = load_signer(sign, signing_password() if password is None else password)

    previous = latest_edition(root)
    old_manual = None
    if previous:
        old_manual, _ = read_manual(Path(previous["_path"]) / SOURCE)
    changes = changes_between(old_manual, manual)
    released = released or dt.date.today()

    editions_dir(root).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{edition}.", suffix=".tmp", dir=editions_dir(root)))
    try:
        snapshot_sources(root, tmp / SOURCE, manual)
        edition_info = {"edition": edition, "released": released, "previous": previous.get("edition") if previous else None,
                        "changes": changes}
        outputs = _render_outputs(manual, tmp, edition_info, lang=lang, quiet=quiet)
        if sign is not None:
            approver = manual.signoff("approved")
            reason = f"Edition {edition} approved" + (f" by {approver.name}" if approver and approver.name else "")
            sign_pdf(tmp / PDF_NAME, tmp / PDF_NAME, None, None, reason=reason, signer=signer)
        hashes = {name: sha256_file(tmp / name) for name in sorted(outputs)}
        (tmp / CHANGES).write_text(json.dumps(changes, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
        source_files = {path.relative_to(tmp / SOURCE).as_posix(): sha256_file(path)
                        for path in sorted((tmp / SOURCE).rglob("*")) if path.is_file()}
        manifest = manifest_for(manual, edition, released, previous, changes, hashes, signed=sign is not None,
                                source_files=source_files, changes_sha256=sha256_file(tmp / CHANGES))
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        for path in sorted(tmp.rglob("*"), reverse=True):
            if path.is_file():
                path.chmod(0o444)
        tmp.chmod(0o755)
        if final.exists():  # somebody released the same name meanwhile
            raise ReleaseError("errors.edition_appeared", edition=edition)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _render_outputs(manual: Manual, folder: Path, edition_info: dict, *, lang: str, quiet: bool) -> list[str]:
    """Render the edition's PDF and DOCX into ``folder``; returns their names."""
    from .docx import render as docx_pub
    from .pdf import render as pdf_pub

    pdf_pub.render_edition(manual, folder / PDF_NAME, edition=edition_info, lang=lang)
    docx_pub.render_edition(manual, folder / DOCX_NAME, edition=edition_info, lang=lang)
    return [PDF_NAME, DOCX_NAME]


# -- verify -------------------------------------------------------------------
@dataclass
class Verification:
    """What ``manual verify`` found: report lines (in one language), the checks that failed, and
    whether any manifest vouched for the file.

    ``verdict``: ``failed`` when a check failed (``failed`` names them: ``hash``, ``signature``,
    ``files``), else ``unverified`` when no manifest lists the file, else ``ok``.
    """

    lines: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    vouched: bool = False
    subject: str = ""  # what was verified, for the last line
    copy: dict | None = None  # a controlled copy of the register: {edition, copy, holder} (``copy_of_edition``)

    def fail(self, check: str) -> None:
        if check not in self.failed:
            self.failed.append(check)

    @property
    def verdict(self) -> str:
        return "failed" if self.failed else ("ok" if self.vouched else "unverified")

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


def _read_manifest(folder: Path) -> dict | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def edition_of(path: Path) -> tuple[Path, str] | None:
    """(edition folder, path inside it) when ``path`` lies in ``…/editions/<E>/`` beside a manifest."""
    path = Path(path).resolve()
    for folder in path.parents:
        if folder.parent.name == "editions" and (folder / MANIFEST).is_file():
            return folder, path.relative_to(folder).as_posix()
    return None


def _edition_folder(root: Path | None, edition: str) -> Path:
    if root is None:
        raise UsageError("cli.verify.edition_needs_root")
    folder = editions_dir(root) / edition
    if not EDITION_NAME.match(edition) or not (folder / MANIFEST).is_file():
        known = ", ".join(p.name for p in edition_folders(root)) or "-"
        raise UsageError("errors.no_edition", edition=edition, folder=editions_dir(root), known=known)
    return folder


def _is_pdf(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError:
        return False
    return b"%PDF-" in head or path.suffix.lower() == ".pdf"


def _check_signatures(result: Verification, path: Path, trust, words: dict, *, required: bool) -> None:
    """The signature lines of ``path``; a failed one (or none where the manifest says signed) fails."""
    signatures = verify_pdf(path, trust)
    if not signatures:
        result.lines.append(words["unsigned_required" if required else "unsigned"])
        if required:
            result.fail("signature")
        return
    for r in signatures:
        if r.get("error"):
            result.fail("signature")
            result.lines.append(words["unreadable" if r.get("unreadable") else "invalid"].format(error=r["error"]))
            continue
        result.lines.append(words["signature"].format(
            field=r["field"], state=words["intact" if r["intact"] else "not_intact"],
            valid=words["valid" if r["valid"] else "not_valid"],
            trusted=words["trusted" if r["trusted"] else "not_trusted"], signer=r["signer"], signed_at=r["signed_at"]))
        if r["whole_file"]:
            result.lines.append(words["coverage_ok"])
        else:
            result.lines.append(words["coverage_partial"].format(coverage=r["coverage"],
                                                                 modification=r["modification"]))
        if not r["padding_ok"]:
            result.lines.append(words["padding_changed"])
        if not r["ok"] or (trust and not r["trusted"]):
            result.fail("signature")


def verify(root: Path | None, file: Path, edition: str | None = None, trust: Path | None = None,
           lang: str = "zh-CN") -> Verification:
    """Verify one file: find the edition that holds it — by its place in ``editions/<E>/``, else by its
    SHA-256 among the manifests of the manual at ``root`` (only edition ``edition`` when given) — and
    compare its SHA-256 with that manifest; check a PDF's signatures with pyHanko.

    Raises ``UsageError`` when the file, the edition or the trust file does not exist.
    """
    words = labels(lang)["verify"]
    file = Path(file)
    if not file.is_file():
        raise UsageError("errors.no_such_file", path=file)
    certs = load_trust(trust)
    result = Verification(subject=str(file))
    digest = sha256_file(file)
    chosen = _edition_folder(root, edition) if edition is not None else None
    located = edition_of(file)
    if located is not None and chosen is not None and located[0] != chosen.resolve():
        located = None  # a file of another edition, checked against the one asked for
    signed_pdf = False  # the file is the PDF of an edition released signed
    if located is not None:
        folder, rel = located
        manifest = _read_manifest(folder)
        if manifest is None:
            result.fail("hash")
            result.lines.append(words["manifest_unreadable"].format(edition=folder.name))
        else:
            listed, _ = expected_files(manifest)
            if rel == MANIFEST:
                result.lines.append(words["is_manifest"].format(edition=folder.name))
            elif rel not in listed:
                result.lines.append(words["not_listed"].format(file=rel, edition=folder.name))
            elif listed[rel] == digest:
                result.vouched = True
                result.lines.append(words["hash_ok_path"].format(file=rel, edition=folder.name, digest=digest[:16]))
                signed_pdf = rel == PDF_NAME and bool(manifest.get("signed"))
            else:
                result.fail("hash")
                result.lines.append(words["hash_mismatch_path"].format(
                    file=rel, edition=folder.name, digest=digest[:16], expected=listed[rel][:16]))
                signed_pdf = rel == PDF_NAME and bool(manifest.get("signed"))
    else:
        folders = [chosen] if chosen is not None else (edition_folders(root) if root is not None else [])
        for folder in folders:
            manifest = _read_manifest(folder)
            if manifest is None:
                continue
            listed, _ = expected_files(manifest)
            for rel, expected in sorted(listed.items()):
                if expected == digest:
                    result.vouched = True
                    result.lines.append(words["hash_ok"].format(file=rel, edition=folder.name, digest=digest[:16]))
                    signed_pdf = signed_pdf or (rel == PDF_NAME and bool(manifest.get("signed")))
        if not result.vouched and _is_pdf(file) and copy_of_edition(root, file, folders, certs, words, result):
            return result
        if not result.vouched:
            if chosen is not None:
                result.fail("hash")
                manifest = _read_manifest(chosen) or {}
                listed, _ = expected_files(manifest)
                name = file.name if file.name in listed else PDF_NAME
                result.lines.append(words["hash_mismatch"].format(
                    digest=digest[:16], edition=chosen.name, name=name, expected=(listed.get(name) or "?")[:16]))
            elif root is None:
                result.lines.append(words["hash_no_manual"].format(digest=digest))
            else:
                result.lines.append(words["hash_unknown"].format(digest=digest, count=len(folders)))
    if _is_pdf(file):
        _check_signatures(result, file, certs, words, required=signed_pdf)
    return result


def earlier_revisions(data: bytes) -> list[bytes]:
    """The PDF's earlier revisions: ``data`` up to each ``%%EOF`` (with and without its end of line)
    before the last one.  An incremental update leaves the bytes before it as they were, so the first
    revision of a marked or stamped copy is the original file."""
    out: list[bytes] = []
    end = len(data.rstrip(b"\r\n\0 \t"))
    for found in re.finditer(rb"%%EOF(\r\n|\r|\n)?", data):
        if found.end() < end:
            for cut in dict.fromkeys((found.start() + 5, found.end())):
                out.append(data[:cut])
    return out


def copy_of_edition(root: Path | None, file: Path, folders: list[Path], certs, words: dict,
                    result: Verification) -> bool:
    """``file`` as a copy made from an edition PDF by an incremental update (a controlled copy of
    ``manual issue``, a download of the site with the 非受控 mark): whether one of its earlier
    revisions is the ``manual.pdf`` of an edition in ``folders``.  When it is, the lines say so, the
    register (``control/distribution.yaml``) says which controlled copy it is, and the signatures of
    a signed edition must be intact and valid for exactly that revision; returns True.

    Only a controlled copy the register lists by its SHA-256 is vouched for (exit 0), its signature read
    for the signed revision; what was added after the original is otherwise no one's word: the file is
    unverified, and its signatures are checked as any file's (a change after signing fails)."""
    import hashlib

    data = Path(file).read_bytes()
    found = None
    for revision in earlier_revisions(data):
        digest = hashlib.sha256(revision).hexdigest()
        for folder in folders:
            manifest = _read_manifest(folder)
            if manifest is not None and (manifest.get("outputs") or {}).get(PDF_NAME) == digest:
                found = (folder.name, len(revision), bool(manifest.get("signed")), digest)
                break
        if found:
            break
    if found is None:
        return False
    edition, length, signed, digest = found
    result.lines.append(words["copy_revision"].format(edition=edition, file=PDF_NAME, digest=digest[:16],
                                                      added=len(data) - length))
    whole = hashlib.sha256(data).hexdigest()
    registered = None
    if root is not None:
        from ..model.build import read_manual

        try:
            manual, _ = read_manual(root)
            registered = next((c for c in manual.copies if c.sha256 == whole and c.edition == edition), None)
        except Exception:  # noqa: BLE001 - a manual that cannot be read lists no copy
            registered = None
    if registered is not None:
        result.vouched = True
        result.copy = {"edition": edition, "copy": registered.copy, "holder": registered.holder}
        result.lines.append(words["copy_registered"].format(edition=edition, copy=registered.copy,
                                                            holder=registered.holder, digest=whole[:16]))
        # Intact is not valid for use: a recalled copy, or one of a superseded edition, says so (exit 0 still:
        # the file is what was issued).
        if registered.recalled is not None:
            result.lines.append(words["copy_recalled"].format(date=registered.recalled.isoformat()))
        current = latest_edition(root)
        if current is not None and current.get("edition") and current.get("edition") != edition:
            result.lines.append(words["copy_obsolete"].format(edition=edition, current=current["edition"]))
    else:
        # Nobody's controlled copy: its signatures are read as any file's (a change after signing fails).
        result.lines.append(words["copy_unregistered"].format(digest=whole[:16]))
        _check_signatures(result, file, certs, words, required=signed)
        return True
    signatures = verify_pdf(file, certs)
    if signed and not signatures:
        result.fail("signature")
        result.lines.append(words["unsigned_required"])
    for r in signatures:
        if r.get("error"):
            result.fail("signature")
            result.lines.append(words["invalid"].format(error=r["error"]))
            continue
        result.lines.append(words["signature"].format(
            field=r["field"], state=words["intact" if r["intact"] else "not_intact"],
            valid=words["valid" if r["valid"] else "not_valid"],
            trusted=words["trusted" if r["trusted"] else "not_trusted"], signer=r["signer"], signed_at=r["signed_at"]))
        if r["intact"] and r["valid"] and r["padding_ok"] and r.get("signed_bytes") == length:
            result.lines.append(words["copy_signature"].format(edition=edition, modification=r["modification"]))
        else:
            result.fail("signature")
        if certs and not r["trusted"]:
            result.fail("signature")
    return True


def verify_edition(root: Path, edition: str, trust: Path | None = None, lang: str = "zh-CN") -> Verification:
    """Every file of edition ``edition`` against its manifest (outputs, change record, frozen source),
    and the signatures of its PDF (required when the manifest says it was signed)."""
    words = labels(lang)["verify"]
    certs = load_trust(trust)
    folder = _edition_folder(root, edition)
    result = Verification(subject=f"{EDITIONS_NAME}/{edition}")
    checked = edition_check(folder, root)
    if checked.manifest_error:
        result.fail("files")
        result.lines.append(words["manifest_unreadable"].format(edition=edition) + f" ({checked.manifest_error})")
        return result
    for f in checked.problems:
        result.fail("files")
        result.lines.append(words[f"file_{f.state}"].format(file=f.path, expected=(f.expected or "")[:16],
                                                           actual=(f.actual or "")[:16]))
    compared = [f for f in checked.files if f.expected is not None]
    if not checked.problems:
        result.lines.append(words["files_ok"].format(edition=edition, count=len(compared)))
    if not checked.complete:
        result.lines.append(words["files_incomplete"].format(edition=edition))
    result.vouched = True
    manifest = _read_manifest(folder) or {}
    if (folder / PDF_NAME).is_file():
        _check_signatures(result, folder / PDF_NAME, certs, words, required=bool(manifest.get("signed")))
    return result


# -- commands -----------------------------------------------------------------
