"""The issuing authority's Ed25519 keys: created and rotated from the command line, kept in the database with the
private half encrypted by LMS_ISSUER_KEY_PASSPHRASE (never stored, never in code), published as a JSON key set.

Retired keys stay published: a certificate keeps verifying with the key that signed it."""
import base64
import functools
import hashlib
from datetime import datetime

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from lms.certificates.signing.models import IssuerKey
from lms.core.encoding import b64url
from lms.core.models import utcnow
from lms.extensions import db


class NoIssuerKey(LookupError):
    """No current key: in production an administrator creates one (`flask --app lms certificates keys create`)."""


class KeyExists(RuntimeError):
    """`keys create` when a current key exists already (rotate it instead)."""


def key_id(raw_public: bytes) -> str:
    """The first 8 characters of the lowercase, unpadded base32 of the public key's SHA-256."""
    return base64.b32encode(hashlib.sha256(raw_public).digest()).decode("ascii").lower()[:8]


def current_key(*, create: bool | None = None) -> IssuerKey:
    """The current key. None exists: in demo and test one is created on demand (`create` None), in production
    NoIssuerKey is raised."""
    key = db.session.scalar(sa.select(IssuerKey).where(IssuerKey.retired_at.is_(None)).order_by(IssuerKey.id.desc()))
    if key is not None:
        return key
    if create is None:
        create = current_app.config["LMS_ENV"] != "production"
    if not create:
        raise NoIssuerKey("no current issuer key")
    return create_key()


def create_key(now: datetime | None = None) -> IssuerKey:
    """A first key; KeyExists when there is a current one."""
    if db.session.scalar(sa.select(IssuerKey.id).where(IssuerKey.retired_at.is_(None))) is not None:
        raise KeyExists("a current issuer key exists")
    return _new_key(now or utcnow())


def rotate_key(now: datetime | None = None) -> IssuerKey:
    """A new current key; the old one is retired now and stays published."""
    now = now or utcnow()
    for old in db.session.scalars(sa.select(IssuerKey).where(IssuerKey.retired_at.is_(None))
                                  .with_for_update()):
        old.retired_at = now
    db.session.flush()
    return _new_key(now)


def _new_key(now: datetime) -> IssuerKey:
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.BestAvailableEncryption(_passphrase()))
    key = IssuerKey(kid=key_id(raw), public_key=b64url(raw), private_key=pem.decode("ascii"), created_at=now,
                    valid_from=now)
    db.session.add(key)
    db.session.flush()
    return key


def all_keys() -> list[IssuerKey]:
    return list(db.session.scalars(sa.select(IssuerKey).order_by(IssuerKey.id)))


def private_key(kid: str) -> Ed25519PrivateKey:
    """The private half of key `kid` (KeyError when no key has it)."""
    key = db.session.scalar(sa.select(IssuerKey).where(IssuerKey.kid == kid))
    if key is None:
        raise KeyError(kid)
    return private_half(key)


def private_half(key: IssuerKey) -> Ed25519PrivateKey:
    return _load(key.private_key, _passphrase())


@functools.lru_cache(maxsize=8)
def _load(pem: str, passphrase: bytes) -> Ed25519PrivateKey:
    """Decrypting costs milliseconds (key derivation): a stack of a thousand certificates does it once."""
    loaded = serialization.load_pem_private_key(pem.encode("ascii"), password=passphrase)
    assert isinstance(loaded, Ed25519PrivateKey)  # noqa: S101  (only Ed25519 keys are ever stored)
    return loaded


def sign(message: bytes) -> tuple[str, bytes]:
    """(kid, 64-byte Ed25519 signature of `message`) with the current key."""
    key = current_key()
    return key.kid, private_half(key).sign(message)


def public_key_set() -> dict:
    """The JWKS of every key, current and retired, with the issuing authority's names."""
    from lms.certificates.designs import load_design
    from lms.certificates.issuing import DEFAULT_DESIGN
    from lms.certificates.look import look_for

    authority = look_for(load_design(DEFAULT_DESIGN)).authority
    return {"keys": [_jwk(key) for key in all_keys()],
            "issuer": {"name_ar": authority.get("ar", ""), "name_en": authority.get("en", "")}}


def _jwk(key: IssuerKey) -> dict:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": key.kid, "alg": "EdDSA", "use": "sig",
           "nbf": int(key.valid_from.timestamp())}
    if key.retired_at is not None:
        jwk["exp"] = int(key.retired_at.timestamp())
    return jwk


def _passphrase() -> bytes:
    return current_app.config["LMS_ISSUER_KEY_PASSPHRASE"].encode("utf-8")
