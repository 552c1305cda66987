"""The chain of an attempt's events as a device records them when it may be offline: each event's JSON text, in
order, authenticated by an HMAC chain under a key only the attempt's page (or offline exam package) holds.

    c0 = HMAC-SHA256(key, "lms-chain-v1");  c_i = HMAC-SHA256(key, c_{i-1} || UTF-8 text of event i)

The device sends the texts as it chained them, so the server checks the very bytes that were chained, and parses
them afterwards. A chain that does not verify was changed, reordered, cut or made without the key.
"""
import hashlib
import hmac

from flask import current_app

from lms.core.encoding import from_b64url

START = b"lms-chain-v1"


def chain_key(kind: str, ident: int) -> bytes:
    """The key of one attempt ("attempt") or offline exam seat ("seat"): derived from the app's secret, so nothing
    is stored and every app server derives the same key."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(secret, f"lms-chain-key:{kind}:{ident}".encode("ascii"), hashlib.sha256).digest()


def chain_of(key: bytes, events: list[str]) -> bytes:
    link = hmac.new(key, START, hashlib.sha256).digest()
    for text in events:
        link = hmac.new(key, link + text.encode("utf-8"), hashlib.sha256).digest()
    return link


def verifies(key: bytes, events: list[str], chain: str) -> bool:
    """Whether `chain` (unpadded base64url, as the device sends it) is the chain of `events` under `key`."""
    try:
        given = from_b64url(chain)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, chain_of(key, events))
