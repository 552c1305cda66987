"""The signed payload in a certificate's QR code: it round-trips, every change is caught, an unpublished key is
refused, rotation keeps old certificates verifying, the worst case fits in 400 bytes and scans from paper."""
import string
import subprocess
from datetime import UTC, datetime

import nacl.exceptions
import nacl.signing
import pytest
import sqlalchemy as sa

from lms.certificates.codes import grouped
from lms.certificates.models import Certificate
from lms.certificates.pdf import render_pdf
from lms.certificates.signing import keys, payload
from lms.core.encoding import b64url, from_b64url
from lms.core.localtime import local_date
from tests.certificates.conftest import complete

BASE = "https://lms.qalyubia.gov.eg"
LONG_NAME_AR = "عبد الرحمن محمد عبد العزيز عبد الفتاح أبو الفضل الشرقاوي"  # five parts and then some
LONG_NAME_LATIN = "Abdelrahman Mohamed Abdelaziz Abdelfattah Abou El-Fadl El-Sharkawy"
LONG_TITLE_AR = "إدارة خدمات المواطنين الإلكترونية في المراكز التكنولوجية ومكاتب التوثيق بالمحافظة"
LONG_TITLE_EN = "Managing citizens' electronic services at the technology centers and notary offices"


@pytest.fixture
def certificate(db, course, learner, app, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_PUBLIC_URL", BASE)
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def test_round_trip(certificate):
    qr = payload.qr_content(certificate)
    assert qr.startswith(f"{BASE}/verify/{grouped(certificate.code)}#1")
    verdict = payload.verify(qr, keys.public_key_set())
    assert verdict.valid, verdict
    fields = verdict.decoded.fields
    assert fields["name_ar"] == certificate.name_ar and fields["name_latin"] == certificate.name_latin
    assert fields["course_title_ar"] == certificate.course_title_ar
    assert fields["course_title_en"] == certificate.course_title_en
    assert fields["serial"] == certificate.serial and fields["status_index"] == str(certificate.id)
    assert fields["issued"] == local_date(certificate.issued_at).strftime("%Y%m%d")
    assert fields["expires"] == local_date(certificate.expires_at).strftime("%Y%m%d")
    assert fields["language"] == "both" and fields["kid"] == keys.current_key().kid
    assert verdict.decoded.code == certificate.code
    raw = from_b64url(qr.partition("#")[2][1:])
    assert raw[0] == payload.CP1256  # one byte per Arabic letter


def test_a_different_ed25519_library_verifies_it(certificate):
    """PyNaCl (libsodium), not `cryptography` (OpenSSL) that signs, checks the signature over the same bytes."""
    decoded = payload.decode(payload.qr_content(certificate))
    jwk = next(k for k in keys.public_key_set()["keys"] if k["kid"] == decoded.kid)
    verify_key = nacl.signing.VerifyKey(from_b64url(jwk["x"]))
    body = from_b64url(payload.payload_text(payload.qr_content(certificate)))[:-64]
    assert verify_key.verify(b"lms-cert-v1\x1f" + certificate.code.encode() + b"\x1f" + body, decoded.signature)
    with pytest.raises(nacl.exceptions.BadSignatureError):
        verify_key.verify(decoded.signed[:-1] + b"x", decoded.signature)


def test_every_one_character_change_of_the_fragment_is_rejected(certificate):
    qr = payload.qr_content(certificate)
    key_set = keys.public_key_set()
    start = qr.index("#") + 1
    alphabet = string.ascii_letters + string.digits + "-_=+/. é"
    tried = 0
    for position in range(start, len(qr)):
        for replacement in alphabet:
            if replacement == qr[position]:
                continue
            changed = qr[:position] + replacement + qr[position + 1:]
            assert not payload.verify(changed, key_set).valid, (position, replacement)
            tried += 1
    assert tried == (len(qr) - start) * (len(alphabet) - 1)


def test_every_byte_of_the_payload_changed_is_rejected(certificate):
    """Each byte of body + signature, each replaced by every other value (the decoded payload, as a verifier
    that decodes the fragment first would see it)."""
    qr = payload.qr_content(certificate)
    url, _, fragment = qr.partition("#")
    raw = from_b64url(fragment[1:])
    key_set = keys.public_key_set()
    for position in range(len(raw)):
        for value in range(0, 256, 1 if position < 8 or position >= len(raw) - 8 else 37):
            if value == raw[position]:
                continue
            changed = raw[:position] + bytes([value]) + raw[position + 1:]
            assert not payload.verify(f"{url}#1{b64url(changed)}", key_set).valid, (position, value)


def test_the_code_is_bound_by_the_signature(certificate, db, learner):
    qr = payload.qr_content(certificate)
    url, _, fragment = qr.partition("#")
    other = "7F3K9QXM2PLAH4TDK8RW6ZNB"
    assert payload.verify(f"{BASE}/verify/{grouped(other)}#{fragment}", keys.public_key_set()).result == \
        "signature_invalid"
    assert payload.verify(url, keys.public_key_set()).result == "malformed"
    assert payload.verify("not a qr code at all", keys.public_key_set()).result == "malformed"


def test_a_payload_signed_by_an_unpublished_key_is_rejected(certificate, monkeypatch):
    genuine = payload.qr_content(certificate)
    published = keys.public_key_set()
    forger = keys.Ed25519PrivateKey.generate()
    decoded = payload.decode(genuine)
    # Same kid, another key: the signature does not verify.
    body = from_b64url(genuine.partition("#")[2][1:])[:-64]
    forged = f"{genuine.partition('#')[0]}#1{b64url(body + forger.sign(decoded.signed))}"
    assert payload.verify(forged, published).result == "signature_invalid"
    # A kid of its own, not in the published set: unknown issuer.
    fields = {**decoded.fields, "kid": "zzzzzzzz"}
    body = payload.encode_body(fields)
    forged = f"{genuine.partition('#')[0]}#1{b64url(body + forger.sign(payload.signed_bytes(certificate.code, body)))}"
    assert payload.verify(forged, published).result == "unknown_issuer"


def test_rotated_keys_keep_old_certificates_verifying(certificate):
    old_qr = payload.qr_content(certificate)
    old_kid = keys.current_key().kid
    keys.rotate_key(datetime(2027, 1, 1, tzinfo=UTC))
    new_qr = payload.qr_content(certificate)
    key_set = keys.public_key_set()
    assert payload.verify(old_qr, key_set).valid and payload.decode(old_qr).kid == old_kid
    assert payload.verify(new_qr, key_set).valid and payload.decode(new_qr).kid != old_kid


def test_text_outside_windows_1256_is_utf8(certificate):
    certificate.name_latin = "Łukasz Żółć"
    qr = payload.qr_content(certificate)
    assert from_b64url(payload.payload_text(qr))[0] == payload.UTF8
    verdict = payload.verify(qr, keys.public_key_set())
    assert verdict.valid and verdict.decoded.fields["name_latin"] == "Łukasz Żółć"


def test_the_worst_case_fits_in_400_bytes_and_scans_from_the_page(certificate, tmp_path):
    certificate.name_ar, certificate.name_latin = LONG_NAME_AR, LONG_NAME_LATIN
    certificate.course_title_ar, certificate.course_title_en = LONG_TITLE_AR, LONG_TITLE_EN
    qr = payload.qr_content(certificate)
    assert len(qr.encode("utf-8")) <= payload.MAX_BYTES
    verdict = payload.verify(qr, keys.public_key_set())
    assert verdict.valid
    fields = verdict.decoded.fields
    assert fields["course_title_en"] == ""  # emptied first
    for name, whole in (("name_ar", LONG_NAME_AR), ("name_latin", LONG_NAME_LATIN),
                        ("course_title_ar", LONG_TITLE_AR)):  # the longest cut first, as signed
        assert fields[name] == whole or (fields[name].endswith("…") and whole.startswith(fields[name][:-1]))
    assert fields["course_title_ar"].endswith("…")
    (tmp_path / "c.pdf").write_bytes(render_pdf(certificate, "both"))
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
                   check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == qr


def test_production_without_a_key_prints_the_bare_address(certificate, app, monkeypatch):
    from lms.certificates.pdf import _qr_text

    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    assert _qr_text(certificate) == f"{BASE}/verify/{grouped(certificate.code)}"
