"""Issue 15, "done when": a hundred certificates issued by the app (valid, expired, revoked, superseded), printed
as one stack, rendered to PNG at 150 dpi (`pdftoppm -r 150`) and read back with `zbarimg`; every QR code is then
checked by a verifier written here from the shared design alone, with PyNaCl (libsodium) where the app signs with
`cryptography` (OpenSSL), against the keys and the status list the app publishes (/verify/keys.json,
/verify/status/1). Every verdict must be the one the certificate was made to have; every one-byte change of a
few payloads, and payloads signed by keys that are not the published ones, are refused."""
import base64
import gzip
import json
import subprocess
from collections import Counter
from datetime import UTC, date, datetime

import nacl.exceptions
import nacl.signing
import pytest
import sqlalchemy as sa

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.certificates.pdf import render_many
from lms.core.localtime import local_date
from tests import factories
from tests.certificates.conftest import complete

BASE = "https://lms.qalyubia.gov.eg"
NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)  # 10:00 in Cairo
LONG_AGO = datetime(2024, 3, 10, 8, 0, tzinfo=UTC)  # 24 months of validity: expired on 10 March 2026
FIELDS = ("kid", "serial", "name_ar", "name_latin", "course_title_ar", "course_title_en", "issued", "expires",
          "status_index", "language")
PARTS_AR = ("محمد", "عبد الرحمن", "أحمد", "فاطمة", "السيد", "عبد العزيز", "مصطفى", "إبراهيم", "الشرقاوي",
            "أبو الفضل", "عبد الفتاح", "يوسف", "زينب", "حسن")
PARTS_LATIN = ("Mohamed", "Abdelrahman", "Ahmed", "Fatma", "El-Sayed", "Abdelaziz", "Mostafa", "Ibrahim",
               "El-Sharkawy", "Abou El-Fadl", "Abdelfattah", "Youssef", "Zeinab", "Hassan")
VALID, REVOKED, SUPERSEDED = 0, 1, 2


# --- the independent verifier: the design of issue 15, PyNaCl, no import of lms.certificates.signing ---

def unb64(text: str) -> bytes:
    if not text or set(text) - set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"):
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != text:
        raise ValueError("not canonical base64url")
    return raw


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def split_qr(qr_text: str) -> tuple[str, str, bytes]:
    """(address, ungrouped code, body + signature)."""
    url, hash_sign, fragment = qr_text.partition("#")
    if not hash_sign or not fragment.startswith("1"):
        raise ValueError("no signed fragment")
    code = url.rstrip("/").rpartition("/")[2].replace("-", "")
    return url, code, unb64(fragment[1:])


def check_signature(qr_text: str, keys_by_kid: dict[str, bytes]) -> tuple[str, dict | None]:
    """("valid", fields), or ("malformed" | "unknown_issuer" | "signature_invalid", None)."""
    try:
        _url, code, raw = split_qr(qr_text)
    except ValueError:
        return "malformed", None
    body, signature = raw[:-64], raw[-64:]
    if len(body) < 1 or body[0] not in (0x01, 0x02):
        return "malformed", None
    try:
        values = body[1:].decode("cp1256" if body[0] == 0x01 else "utf-8").split("\x1f")
    except UnicodeDecodeError:
        return "malformed", None
    if len(values) != len(FIELDS):
        return "malformed", None
    fields = dict(zip(FIELDS, values, strict=True))
    if fields["kid"] not in keys_by_kid:
        return "unknown_issuer", None
    try:
        nacl.signing.VerifyKey(keys_by_kid[fields["kid"]]).verify(
            b"lms-cert-v1\x1f" + code.encode("ascii") + b"\x1f" + body, signature)
    except (nacl.exceptions.BadSignatureError, UnicodeEncodeError):
        return "signature_invalid", None
    return "valid", fields


def entry(bits: bytes, index: int) -> int:
    """The 2-bit entry `index`: bits 2i and 2i+1 of the stream, most significant bit of each byte first."""
    first = index * 2
    return (bits[first // 8] >> (6 - first % 8)) & 0b11


def read_status_list(jws: str, keys_by_kid: dict[str, bytes]) -> tuple[dict, bytes]:
    header_b64, payload_b64, signature_b64 = jws.split(".")
    header = json.loads(unb64(header_b64))
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    nacl.signing.VerifyKey(keys_by_kid[header["kid"]]).verify(f"{header_b64}.{payload_b64}".encode(),
                                                             unb64(signature_b64))
    document = json.loads(unb64(payload_b64))
    subject = document["credentialSubject"]
    assert subject["statusPurpose"] == "message" and subject["statusSize"] == 2
    assert subject["encodedList"].startswith("u")
    return document, gzip.decompress(unb64(subject["encodedList"][1:]))


def verdict(qr_text: str, keys_by_kid: dict[str, bytes], bits: bytes, today: date) -> tuple[str, dict | None]:
    result, fields = check_signature(qr_text, keys_by_kid)
    if result != "valid":
        return result, None
    status = entry(bits, int(fields["status_index"]))
    if status == REVOKED:
        return "revoked", fields
    if status == SUPERSEDED:
        return "superseded", fields
    if status != VALID:
        return "unknown_status", fields
    if fields["expires"] and datetime.strptime(fields["expires"], "%Y%m%d").date() < today:
        return "expired", fields
    return "valid", fields


# --- the hundred certificates ---

def _names(n: int) -> tuple[str, str]:
    count = 2 + n % 7  # two to eight parts
    return (" ".join(PARTS_AR[(n + i * 3) % len(PARTS_AR)] for i in range(count)),
            " ".join(PARTS_LATIN[(n + i * 3) % len(PARTS_LATIN)] for i in range(count)))


def _issue(course, numbers) -> list[Certificate]:
    certificates = []
    for n in numbers:
        name_ar, name_latin = _names(n)
        user = factories.UserFactory(full_name_ar=name_ar, full_name_latin=name_latin)
        complete(user, course)
        certificates.append(services.certificates_of(user.id)[0])
    return certificates


@pytest.fixture
def hundred(db, app, monkeypatch, time_machine) -> dict[int, str]:
    """{certificate id: the verdict it was made to have}: 20 issued long ago (18 expired, 2 expired and then
    revoked: revoked), 65 issued now (13 revoked, 15 superseded by as many reissued, 37 valid) and the 15 reissued
    (valid): 52 valid, 18 expired, 15 revoked, 15 superseded."""
    monkeypatch.setitem(app.config, "LMS_PUBLIC_URL", BASE)
    course = factories.CourseFactory(
        modules=1, title_ar="إدارة خدمات المواطنين الإلكترونية في المراكز التكنولوجية",
        title_en="Managing citizens' electronic services", certificate_settings={"validity_months": 24,
                                                                                 "language": "both"})
    time_machine.move_to(LONG_AGO)
    expired = _issue(course, range(20))
    time_machine.move_to(NOW)
    current = _issue(course, range(20, 85))
    made = {c.id: "expired" for c in expired} | {c.id: "valid" for c in current}
    for certificate in [*expired[:2], *current[:13]]:
        services.revoke(certificate.id, "بيانات خاطئة", None)
        made[certificate.id] = "revoked"
    for certificate in current[13:28]:
        made[services.reissue(certificate.id, "تصحيح الاسم", None).id] = "valid"
        made[certificate.id] = "superseded"
    assert len(made) == 100
    return made


def _scan_stack(certificates: list[Certificate], folder) -> list[str]:
    """The stack of all of them as one PDF, each page at 150 dpi, each page's QR code as zbarimg reads it."""
    pdf = render_many([(certificate, certificate.language, False) for certificate in certificates])
    (folder / "stack.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", folder / "stack.pdf", folder / "page"], check=True)
    pages = sorted(folder.glob("page-*.png"))
    assert len(pages) == len(certificates)
    out = subprocess.run(["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", *pages],
                         capture_output=True, check=False).stdout
    texts = [line.decode("utf-8") for line in out.splitlines() if line]
    assert len(texts) == len(certificates), f"{len(texts)} QR codes read from {len(certificates)} pages"
    return texts


def test_a_hundred_printed_certificates_each_get_their_verdict(client, db, hundred, tmp_path):
    keys_json = client.get("/verify/keys.json").get_json()
    keys_by_kid = {k["kid"]: unb64(k["x"]) for k in keys_json["keys"]
                   if k["kty"] == "OKP" and k["crv"] == "Ed25519"}
    response = client.get("/verify/status/1")
    assert response.status_code == 200 and response.mimetype == "application/vc+jwt"
    document, bits = read_status_list(response.get_data(as_text=True), keys_by_kid)
    assert len(bits) * 4 >= 131_072
    valid_from = datetime.strptime(document["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    valid_until = datetime.strptime(document["validUntil"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert valid_from <= datetime.now(UTC) <= valid_until  # the list is current at the frozen now
    today = date(2026, 12, 5)  # NOW in Cairo

    certificates = list(db.session.scalars(sa.select(Certificate).where(Certificate.id.in_(hundred))
                                           .order_by(Certificate.id)))
    by_code = {c.code: c for c in certificates}
    found: dict[int, str] = {}
    texts: dict[int, str] = {}
    for qr in _scan_stack(certificates, tmp_path):
        result, fields = verdict(qr, keys_by_kid, bits, today)
        certificate = by_code[split_qr(qr)[1]]
        assert fields is not None, (certificate.id, result)
        assert fields["status_index"] == str(certificate.id) and fields["serial"] == certificate.serial
        assert len(qr.encode()) <= 400 and fields["language"] == "both"
        assert fields["issued"] == local_date(certificate.issued_at).strftime("%Y%m%d")
        assert fields["expires"] == local_date(certificate.expires_at).strftime("%Y%m%d")
        assert fields["course_title_en"] in ("", certificate.course_title_en)  # emptied first when too long
        for name in ("name_ar", "name_latin", "course_title_ar"):  # as printed, or cut with "…" to fit
            assert fields[name] == getattr(certificate, name) or (
                fields[name].endswith("…") and getattr(certificate, name).startswith(fields[name][:-1])), name
        found[certificate.id] = result
        texts[certificate.id] = qr
    assert found == hundred
    assert Counter(hundred.values()) == {"valid": 52, "expired": 18, "revoked": 15, "superseded": 15}

    # Three printed payloads (the shortest Arabic name, a middle one, the longest) changed and forged.
    valid = sorted((c for c in certificates if hundred[c.id] == "valid"), key=lambda c: len(c.name_ar))
    for certificate in (valid[0], valid[len(valid) // 2], valid[-1]):
        _changed_and_forged_are_refused(texts[certificate.id], keys_by_kid)


def _resign(qr: str, signing_key: nacl.signing.SigningKey, kid: str) -> str:
    url, code, raw = split_qr(qr)
    body = raw[:-64]
    text = body[1:].decode("cp1256" if body[0] == 1 else "utf-8").split("\x1f")
    text[0] = kid
    body = body[:1] + "\x1f".join(text).encode("cp1256" if body[0] == 1 else "utf-8")
    signature = signing_key.sign(b"lms-cert-v1\x1f" + code.encode() + b"\x1f" + body).signature
    return f"{url}#1{b64(body + signature)}"


def _changed_and_forged_are_refused(qr: str, keys_by_kid: dict[str, bytes]) -> None:
    """Every byte of body + signature changed (three values each) is refused; so are a payload signed by a key
    that is not published (unknown kid) and one signed by another key under a published kid."""
    result, fields = check_signature(qr, keys_by_kid)
    assert result == "valid"
    url, _code, raw = split_qr(qr)
    for position in range(len(raw)):
        for delta in (0x01, 0x80, 0xFF):
            changed = raw[:position] + bytes([raw[position] ^ delta]) + raw[position + 1:]
            assert check_signature(f"{url}#1{b64(changed)}", keys_by_kid)[0] != "valid", (position, delta)
    stranger = nacl.signing.SigningKey.generate()
    assert check_signature(_resign(qr, stranger, "zzzzzzzz"), keys_by_kid)[0] == "unknown_issuer"
    assert check_signature(_resign(qr, stranger, fields["kid"]), keys_by_kid)[0] == "signature_invalid"
    assert check_signature(_resign(qr, stranger, fields["kid"]), {fields["kid"]: bytes(stranger.verify_key)})[0] \
        == "valid"  # the forgery is well formed: only the published key refuses it
