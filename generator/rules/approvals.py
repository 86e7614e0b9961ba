"""Approval fingerprints: a sign-off is valid only for the content it signed.

``manual approve`` writes ``fingerprint: sha256:…`` into a sign-off step
(see ``generator.model.fingerprint``).  When the normative content changes
afterwards, the sign-off is *stale* until it is signed again.

A sign-off without a fingerprint is a legacy or hand-written one.  A manual
that has no fingerprint at all is not under fingerprint control and gets no
finding for that; once any sign-off in the manual carries a fingerprint,
every sign-off of a document or form in force (approved or effective) must
carry one too (a warning: "not fingerprinted; run manual approve").

The manual's own sign-off (the cover's 编制/审核/批准 in manual/manual.yaml) is
checked like a document's: its fingerprint covers the manual's configuration
and chapter list (``fingerprint.manual_fingerprint``).

Signed approvals: when the signer has a certificate in manual/people.yaml,
``manual approve`` signs the approval record (``fingerprint.approval_record``)
with their key and writes ``signature:`` into the entry.  ``signature-invalid``
verifies it against the registry's certificate (RSA PKCS#1 v1.5, ECDSA or
Ed25519/Ed448, SHA-256, through ``cryptography``); ``signature-missing``
reports unsigned approvals where manual.yaml says ``signatures: required``.
"""
from __future__ import annotations

import base64
import binascii
import re
import shlex

from ..common.findings import error, texts, warning
from ..labels import step_label
from ..model.fingerprint import approval_record, fingerprint, manual_fingerprint
from ..model import IN_FORCE, SIGNOFF_STEPS, Cover, Document
from ..model.people import signer
from . import rule


def step_zh(step: str) -> str:
    """The Chinese name of a sign-off step (编制, 审核, 批准): the English messages name it too."""
    return step_label(step, "zh-CN")


def items(manual):
    return list(manual.documents) + list(manual.forms.values())


def signed_items(manual):
    """Everything that carries a sign-off: documents, forms and the manual itself (its cover)."""
    return items(manual) + ([manual.cover()] if manual.has_config else [])


def item_key(item) -> str:
    """What ``manual approve`` takes to find the item: a document's code, a form's id, ``manual``."""
    return item.code if isinstance(item, (Document, Cover)) else (item.id or item.code)


def _arg(text: str) -> str:
    return shlex.quote(text) if re.search(r"[\s'\"$`\\!*?;&|<>(){}\[\]#~]", text) else text


def approve_command(item, step, signoff=None) -> str:
    if signoff is not None and signoff.person:
        who = f" --as {_arg(str(signoff.person))}"
    else:
        who = f" --name {_arg(str(signoff.name))}" if signoff is not None and signoff.name else " --name NAME"
    return f"manual approve {item_key(item)} --step {step}{who}"


def under_fingerprint_control(manual) -> bool:
    return any(s.fingerprint for item in signed_items(manual) for s in item.signoffs())


def safe_fingerprint(item, manual):
    try:
        return manual_fingerprint(manual) if isinstance(item, Cover) else fingerprint(item, manual)
    except (TypeError, ValueError):  # malformed data: the schema rule reports it
        return None


@rule("approval-stale", severities=("error", "warning"))
def approval_stale(manual):
    findings = []
    for item in signed_items(manual):
        if item.status == "superseded":
            continue
        signed = [s for s in item.signoffs() if s.fingerprint]
        if not signed:
            continue
        current = safe_fingerprint(item, manual)
        if current is None:
            continue
        for s in signed:
            if s.fingerprint == current:
                continue
            # A draft, or a change under way (``manual revise``: in review), is expected to outrun its old
            # sign-offs until it is signed again; in force, a stale approval is wrong.
            make = warning if item.status in ("draft", "in_review") else error
            findings.append(make(
                "approval-stale", item.loc("signoff", s.step), "approval-stale", step=s.step, step_zh=step_zh(s.step),
                when=texts("approval-stale-when", date=s.date) if s.date else "",
                command=approve_command(item, s.step, s)))
    return findings


@rule("approval-unfingerprinted", severities=("warning",))
def approval_unfingerprinted(manual):
    if not under_fingerprint_control(manual):
        return []
    findings = []
    for item in signed_items(manual):
        if item.status not in IN_FORCE:
            continue
        for step in SIGNOFF_STEPS:
            s = item.signoff(step)
            if s is None or s.fingerprint:
                continue
            findings.append(warning(
                "approval-unfingerprinted", item.loc("signoff", step), "approval-unfingerprinted", step=step,
                step_zh=step_zh(step), command=approve_command(item, step, s)))
    return findings


# -- signed approvals --------------------------------------------------------------------------
def item_version(item) -> str:
    """The version an approval record names: a document's or form's version, the manual's edition."""
    return item.version


def record_of(manual, item, entry, person_id: str) -> bytes:
    """The approval record ``entry`` of ``item`` stands for, as signed (see ``fingerprint.approval_record``)."""
    return approval_record(item_key(item), item_version(item), entry.fingerprint, entry.step, entry.date, person_id,
                           entry.role)


def load_certificate(pem: bytes | None):
    """The X.509 certificate in ``pem``, or None when it holds none."""
    if not pem:
        return None
    from cryptography import x509

    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        return None


def verify_signature(certificate, record: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is a signature of ``record`` by the key of ``certificate``."""
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    try:
        raw = base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError):
        return False
    key = certificate.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(raw, record, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(raw, record, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(raw, record)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError):
        return False
    return True


@rule("signature-invalid")
def signature_invalid(manual):
    """A signed approval that the signer's certificate in people.yaml does not verify."""
    findings = []
    for item in signed_items(manual):
        for s in item.signoffs():
            if not s.signature:
                continue
            at = item.loc("signoff", s.step, "signature")
            command = approve_command(item, s.step, s)
            person = signer(manual, s)
            if person is None:
                if not manual.has_people:  # with a registry, signoff-person says who is unknown
                    findings.append(error("signature-invalid", at, "signature-no-registry", step=s.step,
                                          step_zh=step_zh(s.step), path=manual.people_path))
                continue
            if not person.certificate:
                findings.append(error("signature-invalid", at, "signature-no-certificate", step=s.step,
                                      step_zh=step_zh(s.step), name=person.name, id=person.id,
                                      path=manual.people_path))
                continue
            certificate = load_certificate(person.certificate_pem)
            if certificate is None:
                continue  # person-certificate says why
            if not verify_signature(certificate, record_of(manual, item, s, person.id), s.signature):
                findings.append(error("signature-invalid", at, "signature-invalid", step=s.step,
                                      step_zh=step_zh(s.step), name=person.name, command=command))
    return findings


@rule("signature-missing", severities=("error", "warning"))
def signature_missing(manual):
    """An unsigned approval where manual.yaml says ``signatures: required``."""
    if manual.signatures != "required":
        return []
    findings = []
    for item in signed_items(manual):
        if item.status == "superseded":
            continue
        make = error if item.status in IN_FORCE else warning
        for s in item.signoffs():
            if not s.signature:
                findings.append(make("signature-missing", item.loc("signoff", s.step), "signature-missing",
                                     step=s.step, step_zh=step_zh(s.step), config=manual.config_path,
                                     command=approve_command(item, s.step, s)))
    return findings
