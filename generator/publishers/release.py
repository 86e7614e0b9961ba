"""Editions: immutable, optionally signed releases of the whole manual.

``manual release EDITION`` freezes the manual as it is now:

    editions/EDITION/
        manifest.json      documents (code, version, status, source SHA-256, fingerprint,
                           sign-offs), the changes since the previous edition and the
                           SHA-256 of every output
        changes.json       the change record: added / removed / changed documents with a redline
        source/            the source files of this edition (manual/, policies/, forms/)
        manual.pdf         the edition PDF (with a 修订记录 appendix), signed with --sign
        manual.docx        the edition DOCX

The folder is built next to its final place and renamed in whole, so an
interrupted release leaves nothing behind; an existing edition is never
overwritten.  ``manual verify FILE.pdf`` checks a signature and the file's
hash against the manifest.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from ..errors import ReleaseError
from ..labels import labels
from ..model import Manual
from ..model.changes import changes_between
from ..read.editions import MANIFEST, editions_dir, latest_edition, list_editions
CHANGES = "changes.json"
SOURCE = "source"
SOURCE_PARTS = ("manual", "policies", "forms")
PDF_NAME = "manual.pdf"
DOCX_NAME = "manual.docx"
PASSWORD_ENV = "MANUAL_SIGN_PASSWORD"
EDITION_NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,40}$")


# -- reading editions ----------------------------------------------------------


# -- document content for comparison -----------------------------------------


# -- hashing and manifest -----------------------------------------------------
def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _signoffs(item) -> dict:
    out = {}
    for s in item.signoffs():
        out[s.step] = {"name": s.name, "role": s.role, "date": s.date.isoformat() if s.date else None,
                       "fingerprint": s.fingerprint}
    return out


def manifest_for(manual: Manual, edition: str, released: dt.date, previous: dict | None,
                 changes: dict, outputs: dict[str, str], signed: bool) -> dict:
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
    }


# -- signing ------------------------------------------------------------------
def signing_password(env=os.environ) -> bytes:
    """From MANUAL_SIGN_PASSWORD, or asked at the terminal; never stored or logged."""
    value = env.get(PASSWORD_ENV)
    if value is not None:
        return value.encode("utf-8")
    if sys.stdin is not None and sys.stdin.isatty():
        return getpass.getpass("PKCS#12 password: ").encode("utf-8")
    raise ReleaseError("errors.password_needed", env=PASSWORD_ENV)


def sign_pdf(src: Path, dest: Path, p12: Path, password: bytes, *, reason: str, location: str | None = None,
             box=(330, 40, 560, 110), page: int = 0) -> None:
    """A visible PAdES signature on ``page`` (the cover, which carries the approval)."""
    from pyhanko import stamp
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        signer = signers.SimpleSigner.load_pkcs12(pfx_file=str(p12), passphrase=password)
    except (OSError, ValueError) as exc:
        raise ReleaseError("errors.certificate_unreadable", path=p12, reason=exc) from None
    if signer is None:
        raise ReleaseError("errors.certificate_wrong", path=p12)
    with open(src, "rb") as inf:
        writer = IncrementalPdfFileWriter(inf, strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec("EditionSignature", on_page=page, box=box))
        meta = signers.PdfSignatureMetadata(field_name="EditionSignature", md_algorithm="sha256",
                                            subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
                                            location=location)
        style = stamp.TextStampStyle(stamp_text="Digitally signed by %(signer)s\n%(ts)s\n" + reason)
        pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style)
        tmp = dest.with_name(f".{dest.name}.signing")
        with open(tmp, "wb") as outf:
            pdf_signer.sign_pdf(writer, output=outf)
    os.replace(tmp, dest)


def verify_pdf(path: Path, trust: list | None = None) -> list[dict]:
    """Status of every signature in ``path``."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    results = []
    with open(path, "rb") as fh:
        try:
            reader = PdfFileReader(fh, strict=False)
            signatures = list(reader.embedded_signatures)
        except Exception as exc:  # noqa: BLE001 - a damaged file is a finding, not a crash
            return [{"ok": False, "intact": False, "trusted": False, "error": f"the PDF cannot be read: {exc}"}]
        for sig in signatures:
            try:
                context = ValidationContext(trust_roots=trust or [], allow_fetching=False)
                status = validate_pdf_signature(sig, context)
                results.append({
                    "field": sig.field_name, "intact": bool(status.intact), "valid": bool(status.valid),
                    "trusted": bool(status.trusted), "coverage": status.coverage.name,
                    "signer": status.signing_cert.subject.human_friendly if status.signing_cert else None,
                    "signed_at": str(status.signer_reported_dt) if status.signer_reported_dt else None,
                    "ok": bool(status.intact and status.valid),
                })
            except Exception as exc:  # noqa: BLE001
                results.append({"field": sig.field_name, "ok": False, "intact": False, "trusted": False,
                                "error": str(exc)})
    return results


def load_trust(path: Path | None) -> list:
    if path is None:
        return []
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


# -- release ------------------------------------------------------------------
def snapshot_sources(root: Path, dest: Path) -> None:
    for part in SOURCE_PARTS:
        src = root / part
        if src.is_dir():
            shutil.copytree(src, dest / part)


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
    strict(findings)
    if findings:
        from ..rules.report import as_text
        raise ReleaseError("errors.not_strict_clean", findings=lambda language: as_text(findings, language).rstrip())
    if sign is not None and password is None:
        password = signing_password()

    previous = latest_edition(root)
    old_manual = None
    if previous:
        old_manual, _ = read_manual(Path(previous["_path"]) / SOURCE)
    changes = changes_between(old_manual, manual)
    released = released or dt.date.today()

    editions_dir(root).mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{edition}.", suffix=".tmp", dir=editions_dir(root)))
    try:
        snapshot_sources(root, tmp / SOURCE)
        edition_info = {"edition": edition, "released": released, "previous": previous.get("edition") if previous else None,
                        "changes": changes}
        outputs = _render_outputs(manual, tmp, edition_info, lang=lang, quiet=quiet)
        if sign is not None:
            approver = manual.signoff("approved")
            reason = f"Edition {edition} approved" + (f" by {approver.name}" if approver and approver.name else "")
            sign_pdf(tmp / PDF_NAME, tmp / PDF_NAME, sign, password, reason=reason)
        hashes = {name: sha256_file(tmp / name) for name in sorted(outputs)}
        manifest = manifest_for(manual, edition, released, previous, changes, hashes, signed=sign is not None)
        (tmp / CHANGES).write_text(json.dumps(changes, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
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
def verify(root: Path | None, pdf: Path, edition: str | None = None, trust: Path | None = None,
           lang: str = "zh-CN") -> tuple[bool, list[str]]:
    """(ok, report lines in ``lang``) for a PDF: its signatures and its hash in the manifest."""
    words = labels(lang)["verify"]
    lines: list[str] = []
    ok = True
    if not pdf.is_file():
        raise ReleaseError("errors.no_such_file", path=pdf)
    digest = sha256_file(pdf)
    manifest = None
    if edition is not None:
        if root is None:
            raise ReleaseError("errors.edition_needs_root")
        path = editions_dir(root) / edition / MANIFEST
        if not path.is_file():
            raise ReleaseError("errors.no_manifest", edition=edition, path=path)
        manifest = json.loads(path.read_text(encoding="utf-8"))
    elif root is not None:
        for m in list_editions(root):
            if digest in m.get("outputs", {}).values():
                manifest = m
                break
    if manifest is not None:
        names = [n for n, h in manifest.get("outputs", {}).items() if h == digest]
        if names:
            lines.append(words["hash_ok"].format(name=names[0], edition=manifest["edition"], digest=digest[:16]))
        else:
            ok = False
            expected = manifest.get("outputs", {}).get(PDF_NAME, "?")
            lines.append(words["hash_mismatch"].format(digest=digest[:16], edition=manifest["edition"], name=PDF_NAME,
                                                       expected=expected[:16]))
    else:
        lines.append(words["hash_unknown"].format(digest=digest))
    results = verify_pdf(pdf, load_trust(trust))
    if not results:
        lines.append(words["unsigned"])
        if manifest is not None and manifest.get("signed"):
            ok = False
    for r in results:
        if r.get("error"):
            ok = False
            lines.append(words["invalid"].format(error=r["error"]))
            continue
        lines.append(words["signature"].format(
            field=r["field"], state=words["intact" if r["intact"] else "not_intact"],
            valid=words["valid" if r["valid"] else "not_valid"],
            trusted=words["trusted" if r["trusted"] else "not_trusted"], signer=r["signer"], signed_at=r["signed_at"]))
        if not (r["intact"] and r["valid"]):
            ok = False
        if trust is not None and not r["trusted"]:
            ok = False
    return ok, lines


# -- commands -----------------------------------------------------------------
