"""Signing and verifying edition PDFs with pyHanko, and the redline."""
from __future__ import annotations

import datetime as dt

import pytest

from generator.model.changes import redline
from generator.publishers import release as editions


def make_p12(tmp_path, password=b"s3cret-pass"):
    """A self-signed certificate and key as PKCS#12, made here for the test."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Manual Test Signer"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Co")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    p12 = tmp_path / "signer.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"signer", key, cert, None, serialization.BestAvailableEncryption(password)))
    pem = tmp_path / "signer.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12, pem, password


@pytest.fixture(scope="module")
def plain_pdf(tmp_path_factory):
    import weasyprint

    path = tmp_path_factory.mktemp("pdf") / "plain.pdf"
    weasyprint.HTML(string="<h1>业务部门管理手册</h1><p>批准页</p>").write_pdf(path)
    return path


def test_sign_then_verify_then_flip_a_byte(tmp_path, plain_pdf):
    p12, pem, password = make_p12(tmp_path)
    signed = tmp_path / "signed.pdf"
    editions.sign_pdf(plain_pdf, signed, p12, password, reason="Edition test approved")
    result = editions.verify(None, signed, trust=pem, lang="en")
    assert result.failed == [], result.lines
    assert any("intact" in line and "trusted" in line for line in result.lines)
    # The signature holds, but no edition manifest lists this PDF: unverified, never "intact".
    assert result.verdict == "unverified" and not result.ok

    data = bytearray(signed.read_bytes())
    data[len(data) // 3] ^= 0x01
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(bytes(data))
    result = editions.verify(None, broken, trust=pem, lang="en")
    assert result.verdict == "failed" and result.failed == ["signature"]
    assert any("NOT INTACT" in line or "INVALID" in line for line in result.lines), result.lines


def test_wrong_password_is_a_clear_error(tmp_path, plain_pdf):
    p12, _, _ = make_p12(tmp_path)
    with pytest.raises(editions.ReleaseError) as err:
        editions.sign_pdf(plain_pdf, tmp_path / "x.pdf", p12, b"wrong", reason="x")
    assert "password" in str(err.value) or "certificate" in str(err.value)
    assert not (tmp_path / "x.pdf").exists()


def test_password_never_comes_from_a_file(monkeypatch):
    monkeypatch.setenv(editions.PASSWORD_ENV, "from-env")
    assert editions.signing_password() == b"from-env"


def test_redline_marks_insertions_and_deletions():
    old = ["1. 客服部应定期对客户进行访问。", "2. 回访结束应感谢客户。"]
    new = ["1. 客服部应每月对客户进行访问。", "2. 回访结束应感谢客户。", "3. 回公司后及时填制记录。"]
    lines = redline(old, new)
    ops = [line["op"] for line in lines]
    assert ops == ["change", "equal", "insert"]
    change = dict((op, text) for op, text in lines[0]["parts"] if op != "equal")
    assert change == {"delete": "定期", "insert": "每月"}


def _signature_appearance_text(path) -> tuple[str, list[float]]:
    """The text a viewer draws in the signature box (its appearance stream, read through a scratch page),
    and every glyph width its fonts declare (in thousandths of an em)."""
    import pypdf
    from pypdf.generic import ContentStream, DictionaryObject, NameObject

    reader = pypdf.PdfReader(path)
    page = reader.pages[0]
    widget = next(a.get_object() for a in page["/Annots"] if a.get_object().get("/FT") == "/Sig")
    appearance = widget["/AP"]["/N"]
    writer = pypdf.PdfWriter()
    scratch = writer.add_blank_page(600, 200)
    scratch[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/Sig"): writer._add_object(appearance.get_object())})})
    content = ContentStream(None, writer)
    content.set_data(b"q /Sig Do Q")
    scratch.replace_contents(content)
    widths = []

    def walk(xobject):
        fonts = (xobject.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            for descendant in font.get_object().get("/DescendantFonts") or []:
                w = descendant.get_object().get("/W") or []
                widths.extend(float(x) for entry in w if isinstance(entry, list) for x in entry)
        for inner in ((xobject.get("/Resources") or {}).get("/XObject") or {}).values():
            walk(inner.get_object())

    walk(appearance.get_object())
    return scratch.extract_text(), widths


def test_the_signature_box_prints_chinese_names_and_reasons(tmp_path, plain_pdf):
    """The visible signature names the signer and the reason as written, Chinese included: the box's
    font can encode them (not pyHanko's default Courier, which printed "þÿ" and spaced bytes), and its
    glyph widths are in thousandths of an em (a 2048-unit face printed stretched and cut off)."""
    p12, pem, password = make_p12(tmp_path)
    signed = tmp_path / "signed.pdf"
    editions.sign_pdf(plain_pdf, signed, p12, password, reason="Edition 2014 approved by 张三丰")
    text, widths = _signature_appearance_text(signed)
    assert "张三丰" in text and "Edition 2014 approved" in text.replace("\n", " "), text
    assert "þÿ" not in text
    assert widths and max(widths) <= 1000, widths
    result = editions.verify(None, signed, trust=pem, lang="en")
    assert result.failed == [], result.lines
    assert not list(tmp_path.glob(".*.ttf")), "the scratch face is removed"
