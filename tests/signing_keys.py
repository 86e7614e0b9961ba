"""Test keys for signed approvals, made in the test with ``cryptography`` (never committed)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSWORD = "测试口令-1"


@dataclass
class Signer:
    key: object
    certificate_pem: bytes
    p12: bytes  # PKCS#12 with the key and the certificate, encrypted with PASSWORD


def make_signer(name: str, kind: str = "ec") -> Signer:
    """A fresh key of ``kind`` (ec, rsa, ed25519) and a self-signed certificate for ``name``."""
    key = {"ec": lambda: ec.generate_private_key(ec.SECP256R1()),
           "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
           "ed25519": ed25519.Ed25519PrivateKey.generate}[kind]()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=3650))
            .sign(key, None if kind == "ed25519" else hashes.SHA256()))
    p12 = pkcs12.serialize_key_and_certificates(
        name.encode("utf-8"), key, cert, None,
        serialization.BestAvailableEncryption(PASSWORD.encode("utf-8")))
    return Signer(key, cert.public_bytes(serialization.Encoding.PEM), p12)
