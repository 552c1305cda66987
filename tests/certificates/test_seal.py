"""The seal on stored certificate PDFs: a PAdES signature pyHanko's validator accepts against the demo root, that a
single changed byte breaks, and that leaves the PDF/A-3b declaration as it was. Print stacks are not sealed."""
import asyncio
import io
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.certificates.pdf import render_many, render_pdf
from lms.certificates.signing import seal
from tests.certificates.conftest import complete


@pytest.fixture
def certificate(db, course, learner):
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def validate(pdf: bytes, root_pem):
    """pyHanko's validation of the PDF's only signature, the demo root as the one trust root."""
    reader = PdfFileReader(io.BytesIO(pdf))
    [signature] = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root_pem))])
    return validate_pdf_signature(signature, context)


def test_a_stored_certificate_pdf_is_sealed_and_validates_against_the_demo_root(app, certificate):
    pdf = services.certificate_pdf(certificate, "both")
    status = validate(pdf, seal.demo_authority().root_pem)
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"  # nothing was added after the seal
    assert status.signing_cert.subject.native["common_name"] == "LMS demo certificate seal"
    with pikepdf.open(io.BytesIO(pdf)) as opened:
        assert opened.Root.AcroForm.Fields[0].V.SubFilter == "/ETSI.CAdES.detached"  # PAdES


def test_a_caller_running_an_event_loop_still_gets_a_sealed_pdf(app, certificate):
    """pyHanko runs an event loop of its own, which asyncio refuses inside a running one (Playwright's synchronous
    API, an async worker): the seal then runs in a thread of its own instead of failing the download."""
    rendered = render_pdf(certificate, "ar")

    async def inside_a_loop():
        with app.app_context():
            return seal.seal_pdf(rendered)

    sealed = asyncio.run(inside_a_loop())
    assert validate(sealed, seal.demo_authority().root_pem).intact


def test_changing_one_signed_byte_breaks_the_seal(app, certificate):
    pdf = bytearray(services.certificate_pdf(certificate, "ar"))
    reader = PdfFileReader(io.BytesIO(bytes(pdf)))
    byte_range = reader.embedded_signatures[0].byte_range
    start, length = byte_range[0], byte_range[1]
    position = start + length // 2  # a byte inside the first signed range (the page content)
    pdf[position] ^= 0x01
    status = validate(bytes(pdf), seal.demo_authority().root_pem)
    assert not status.intact
    assert not status.bottom_line


def test_the_seal_keeps_the_pdf_a_3b_metadata_as_written(app, certificate):
    rendered = render_pdf(certificate, "both")
    sealed = seal.seal_pdf(rendered)
    assert sealed.startswith(rendered)  # an incremental update: the rendered file is untouched inside it
    before, after = pikepdf.open(io.BytesIO(rendered)), pikepdf.open(io.BytesIO(sealed))
    assert after.Root.Metadata.read_bytes() == before.Root.Metadata.read_bytes()
    assert b'pdfaid:part="3"' in after.Root.Metadata.read_bytes()
    assert dict(after.docinfo) == dict(before.docinfo)  # Info and XMP still agree, as PDF/A asks
    assert len(after.Root.OutputIntents) == 1
    with after.open_metadata() as meta:
        assert meta.pdfa_status == "3B"
    widget = after.Root.AcroForm.Fields[0]
    assert list(widget.Rect) == [0, 0, 0, 0] and int(widget.F) & 4  # invisible, and printable as PDF/A asks


def rsa_timestamp_authority(tmp_path):
    """A throwaway RSA time-stamping certificate (pyHanko's DummyTimeStamper signs with RSA only): cert and key."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.keys import load_private_key_from_pemder

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=9))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
            .sign(key, hashes.SHA256()))
    (tmp_path / "tsa.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "tsa.key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    return (load_cert_from_pemder(str(tmp_path / "tsa.pem")),
            load_private_key_from_pemder(str(tmp_path / "tsa.key"), None))


def test_a_timestamp_authority_makes_it_pades_b_t(app, certificate, monkeypatch, tmp_path):
    tsa_cert, tsa_key = rsa_timestamp_authority(tmp_path)
    asked = []

    def timestamper(url, timeout):
        asked.append(url)
        return DummyTimeStamper(tsa_cert, tsa_key)

    monkeypatch.setitem(app.config, "LMS_SEAL_TSA_URL", "http://tsa.invalid/")
    monkeypatch.setattr("pyhanko.sign.timestamps.HTTPTimeStamper", timestamper)
    sealed = seal.seal_pdf(render_pdf(certificate, "ar"))
    assert asked == ["http://tsa.invalid/"]
    reader = PdfFileReader(io.BytesIO(sealed))
    [signature] = reader.embedded_signatures
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[load_cert_from_pemder(str(seal.demo_authority().root_pem))]),
        ts_validation_context=ValidationContext(trust_roots=[tsa_cert]))
    assert status.intact and status.valid
    assert status.timestamp_validity is not None and status.timestamp_validity.intact  # B-T


def test_production_without_a_configured_seal_leaves_the_pdf_as_rendered(app, certificate, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    rendered = render_pdf(certificate, "ar")
    assert seal.seal_pdf(rendered) == rendered


def test_a_configured_pkcs12_file_is_used(app, certificate, monkeypatch, tmp_path):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12
    demo = pkcs12.load_key_and_certificates(seal.demo_authority().seal_p12.read_bytes(), None)
    path = tmp_path / "seal.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"seal", *demo, BestAvailableEncryption(b"s3cret")))
    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    monkeypatch.setitem(app.config, "LMS_SEAL_PKCS12", str(path))
    monkeypatch.setitem(app.config, "LMS_SEAL_PKCS12_PASSWORD", "s3cret")
    status = validate(seal.seal_pdf(render_pdf(certificate, "ar")), seal.demo_authority().root_pem)
    assert status.bottom_line


def test_print_stacks_are_not_sealed(app, certificate):
    stack = render_many([(certificate, "ar", False)])
    assert "/AcroForm" not in pikepdf.open(io.BytesIO(stack)).Root


def test_the_demo_authority_is_made_once(app, runner):
    first = seal.demo_authority()
    again = runner.invoke(args=["certificates", "seal", "demo"])
    assert again.exit_code == 0, again.output
    assert seal.demo_authority().root_pem.read_bytes() == first.root_pem.read_bytes()


SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


@pytest.mark.skipif(not SOFTHSM.exists() or shutil.which("softhsm2-util") is None,
                    reason="SoftHSM2 is not installed (bin/ensure-system-packages softhsm2:softhsm2-util)")
def test_a_pkcs11_token_seals_through_softhsm(app, certificate, monkeypatch, tmp_path):
    """The demo seal key and certificate put on a SoftHSM2 token, then used through LMS_SEAL_PKCS11_*."""
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pkcs11 import Attribute, CertificateType, ObjectClass

    (tmp_path / "tokens").mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\nobjectstore.backend = file\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", "lms-seal", "--pin", "1234",
                    "--so-pin", "4321"], check=True, capture_output=True)
    key, cert, _ = pkcs12.load_key_and_certificates(seal.demo_authority().seal_p12.read_bytes(), None)
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                         serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    subprocess.run(["softhsm2-util", "--import", str(tmp_path / "key.pem"), "--token", "lms-seal", "--label",
                    "seal", "--id", "01", "--pin", "1234"], check=True, capture_output=True)
    token = pkcs11.lib(str(SOFTHSM)).get_token(token_label="lms-seal")
    with token.open(user_pin="1234", rw=True) as session:
        session.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                               Attribute.CERTIFICATE_TYPE: CertificateType.X_509, Attribute.TOKEN: True,
                               Attribute.LABEL: "seal", Attribute.ID: b"\x01",
                               Attribute.SUBJECT: cert.subject.public_bytes(),
                               Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})
    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    for name, value in (("MODULE", str(SOFTHSM)), ("TOKEN", "lms-seal"), ("KEY", "seal"), ("PIN", "1234")):
        monkeypatch.setitem(app.config, f"LMS_SEAL_PKCS11_{name}", value)
    status = validate(seal.seal_pdf(render_pdf(certificate, "ar")), seal.demo_authority().root_pem)
    assert status.bottom_line


def test_poppler_also_finds_the_seal_valid(app, certificate, tmp_path):
    """Another implementation than pyHanko's (poppler with NSS, as Okular and Evince check signatures)."""
    path = tmp_path / "c.pdf"
    path.write_bytes(services.certificate_pdf(certificate, "ar"))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out and "Total document signed" in out
    assert "LMS demo certificate seal" in out
