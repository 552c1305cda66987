"""A small signer written from the shared design (issue 15, sections 2 and 3), independent of the app's own: it
makes test vectors for the offline verifier's JavaScript (tests/browser/test_scan.py) and keys published by the
test app, so the verifier is checked against the format, not against the code that will produce it."""
import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FIELDS = ("kid", "serial", "name_ar", "name_latin", "course_title_ar", "course_title_en", "issued", "expires",
          "status_index", "language")
LIST_SIZE = 131_072


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Key:
    private: Ed25519PrivateKey

    @classmethod
    def new(cls) -> "Key":
        return cls(Ed25519PrivateKey.generate())

    @property
    def raw(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def kid(self) -> str:
        return base64.b32encode(hashlib.sha256(self.raw).digest()).decode().lower().rstrip("=")[:8]

    def jwk(self, nbf: int) -> dict:
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(self.raw), "kid": self.kid, "alg": "EdDSA",
                "use": "sig", "nbf": nbf}


def key_set(keys: list[Key], issuer: dict) -> dict:
    return {"keys": [key.jwk(1_700_000_000) for key in keys], "issuer": issuer}


def body(fields: dict) -> bytes:
    text = "\x1f".join(fields.get(name, "") for name in FIELDS)
    try:
        return b"\x01" + text.encode("cp1256")
    except UnicodeEncodeError:
        return b"\x02" + text.encode()


def qr_content(site: str, code: str, fields: dict, key: Key) -> str:
    """<site>/verify/<grouped code>#1<base64url(body + signature)>, fields["kid"] set from the key."""
    signed_body = body({**fields, "kid": key.kid})
    signature = key.private.sign(b"lms-cert-v1\x1f" + code.encode() + b"\x1f" + signed_body)
    grouped = "-".join(code[i:i + 4] for i in range(0, len(code), 4))
    return f"{site}/verify/{grouped}#1{b64url(signed_body + signature)}"


def status_list(key: Key, statuses: dict[int, int], valid_from: datetime, valid_until: datetime) -> str:
    """A compact JWS (VC-JOSE) of a BitstringStatusListCredential, 2 bits an entry, entry 0 in the first byte's
    most significant bits."""
    bits = bytearray(LIST_SIZE * 2 // 8)
    for index, value in statuses.items():
        bit = index * 2
        bits[bit // 8] |= value << (6 - bit % 8)
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "validFrom": valid_from.isoformat(), "validUntil": valid_until.isoformat(),
        "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": "message", "statusSize": 2,
                              "encodedList": "u" + b64url(gzip.compress(bytes(bits)))},
    }
    header = b64url(json.dumps({"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt"}).encode())
    payload = b64url(json.dumps(credential).encode())
    signature = key.private.sign(f"{header}.{payload}".encode())
    return f"{header}.{payload}.{b64url(signature)}"
