"""The signed payload a certificate's QR code carries in its address's fragment (never sent to a server):
`<verify_url(code)>#1<base64url(body + signature)>`.

body = a flag byte (0x01: the text is windows-1256, one byte per Arabic letter; 0x02: UTF-8, only when a character
is not in cp1256) then the fields below joined by U+001F. The signature (Ed25519, the issuer's current key) is over
`lms-cert-v1 US code US body`: the code comes from the address's path, so it is bound without being repeated.
The whole QR content stays within MAX_BYTES: course_title_en is emptied first, then the longest name or title is
cut with a trailing "…" until it fits (signed as cut: a verifier shows exactly what is signed)."""
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.certificates.codes import parse_code
from lms.certificates.models import Certificate
from lms.certificates.signing import keys
from lms.core.encoding import b64url, from_b64url
from lms.core.localtime import local_date

VERSION = "1"
DOMAIN = b"lms-cert-v1"
SEP = "\x1f"
CP1256, UTF8 = 0x01, 0x02
FIELDS = ("kid", "serial", "name_ar", "name_latin", "course_title_ar", "course_title_en", "issued", "expires",
          "status_index", "language")
CUTTABLE = ("name_ar", "name_latin", "course_title_ar", "course_title_en")
MAX_BYTES = 400
ELLIPSIS = "…"


class Malformed(ValueError):
    """Not a QR content this format can read."""


@dataclass(frozen=True)
class Decoded:
    code: str  # ungrouped, from the address's path
    fields: dict[str, str]
    kid: str
    signature: bytes
    signed: bytes  # the bytes the signature is over


@dataclass(frozen=True)
class Verdict:
    """`result`: "valid" (signature good; expiry and status are the caller's), "signature_invalid",
    "unknown_issuer" (no published key has the kid) or "malformed"."""
    result: str
    decoded: Decoded | None = None

    @property
    def valid(self) -> bool:
        return self.result == "valid"


def signed_bytes(code: str, body: bytes) -> bytes:
    return DOMAIN + b"\x1f" + code.encode("ascii") + b"\x1f" + body


def encode_body(fields: dict[str, str]) -> bytes:
    text = SEP.join(fields[name].replace(SEP, " ") for name in FIELDS)
    try:
        return bytes([CP1256]) + text.encode("cp1256")
    except UnicodeEncodeError:
        return bytes([UTF8]) + text.encode("utf-8")


def fields_of(certificate: Certificate, kid: str) -> dict[str, str]:
    language = certificate.language
    return {"kid": kid, "serial": certificate.serial, "name_ar": certificate.name_ar,
            "name_latin": certificate.name_latin,
            "course_title_ar": certificate.course_title_ar if language != "en" else "",
            "course_title_en": certificate.course_title_en if language != "ar" else "",
            "issued": local_date(certificate.issued_at).strftime("%Y%m%d"),
            "expires": local_date(certificate.expires_at).strftime("%Y%m%d") if certificate.expires_at else "",
            "status_index": str(certificate.id), "language": language}


def qr_content(certificate: Certificate, base_url: str | None = None) -> str:
    """What the certificate's QR code says: its check page's address with the signed fragment."""
    from lms.certificates.pdf import verify_url

    url = base_url or verify_url(certificate.code)
    key = keys.current_key()
    private = keys.private_half(key)
    fields = fit(url, fields_of(certificate, key.kid))
    body = encode_body(fields)
    return _content(url, body, private.sign(signed_bytes(certificate.code, body)))


def fit(url: str, fields: dict[str, str]) -> dict[str, str]:
    """`fields` cut so that the QR content is at most MAX_BYTES."""
    fields = dict(fields)

    def size() -> int:
        return len(_content(url, encode_body(fields), bytes(64)).encode("utf-8"))

    if size() > MAX_BYTES:
        fields["course_title_en"] = ""
    while size() > MAX_BYTES:
        longest = max(CUTTABLE, key=lambda name: len(fields[name]))
        text = fields[longest].removesuffix(ELLIPSIS)
        if not text:
            raise Malformed("the address alone is longer than the QR code's budget")
        fields[longest] = text[:-1].rstrip() + ELLIPSIS
    return fields


def _content(url: str, body: bytes, signature: bytes) -> str:
    return f"{url}#{VERSION}{b64url(body + signature)}"


def payload_text(qr_text: str) -> str:
    """The base64url of body + signature: the fragment after its version."""
    return qr_text.partition("#")[2][len(VERSION):]


def decode(qr_text: str) -> Decoded:
    """Read a QR content (Malformed when it is not one of ours)."""
    url, hash_sign, fragment = qr_text.partition("#")
    code = parse_code(urlsplit(url).path.rstrip("/").rpartition("/")[2])
    if not hash_sign or code is None or not fragment.startswith(VERSION):
        raise Malformed("no signed fragment")
    try:
        raw = from_b64url(fragment[len(VERSION):])
    except ValueError as error:
        raise Malformed("not base64url") from error
    if len(raw) < 65 or b64url(raw) != fragment[len(VERSION):]:
        raise Malformed("not base64url")
    body, signature = raw[:-64], raw[-64:]
    encoding = {CP1256: "cp1256", UTF8: "utf-8"}.get(body[0])
    if encoding is None:
        raise Malformed("unknown text encoding")
    try:
        values = body[1:].decode(encoding).split(SEP)
    except UnicodeDecodeError as error:
        raise Malformed("undecodable text") from error
    if len(values) != len(FIELDS):
        raise Malformed("wrong number of fields")
    fields = dict(zip(FIELDS, values, strict=True))
    return Decoded(code, fields, fields["kid"], signature, signed_bytes(code, body))


def verify(qr_text: str, key_set: dict) -> Verdict:
    """Check a QR content against a published key set (keys.public_key_set(), or the JSON of /verify/keys.json)."""
    try:
        decoded = decode(qr_text)
    except Malformed:
        return Verdict("malformed")
    jwk = next((k for k in key_set.get("keys", []) if k.get("kid") == decoded.kid), None)
    if jwk is None:
        return Verdict("unknown_issuer", decoded)
    try:
        Ed25519PublicKey.from_public_bytes(from_b64url(jwk["x"])).verify(decoded.signature, decoded.signed)
    except (InvalidSignature, ValueError):
        return Verdict("signature_invalid", decoded)
    return Verdict("valid", decoded)


