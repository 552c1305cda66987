"""The signed status list of every certificate: a W3C Bitstring Status List v1.0 (statusPurpose "message", two
bits per certificate: 0 valid, 1 revoked, 2 superseded; index = the certificate's id), as a compact JWS (VC-JOSE),
kept in the database and served at /verify/status/1 for verifiers to cache.

Regenerated in the same transaction as a revocation or a reissue (services.revoke, issuing._issue), and by the
daily run, so it is never older than a day: validUntil is the next daily update."""
import gzip
import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context, make_response, request

from lms.certificates.models import Certificate
from lms.certificates.signing import keys
from lms.certificates.signing.models import StatusList
from lms.core.db import begin_write
from lms.core.encoding import b64url
from lms.core.models import utcnow
from lms.extensions import db

LIST_ID = 1
MIN_ENTRIES = 131_072  # the specification's privacy minimum
STATUS_SIZE = 2
VALID, REVOKED, SUPERSEDED = 0, 1, 2
MESSAGES = [{"status": "0x0", "message": "valid"}, {"status": "0x1", "message": "revoked"},
            {"status": "0x2", "message": "superseded"}]
LIFETIME = timedelta(hours=24)


def public_base() -> str:
    """LMS_PUBLIC_URL, else the address this request came to (as the QR code's address)."""
    base = current_app.config["LMS_PUBLIC_URL"] or (request.url_root if has_request_context()
                                                       else "http://127.0.0.1:5000/")
    return base.rstrip("/")


def list_url() -> str:
    return f"{public_base()}/verify/status/{LIST_ID}"


def statuses() -> dict[int, int]:
    """{certificate id: REVOKED or SUPERSEDED} for every certificate that no longer stands (revoked wins)."""
    rows = db.session.execute(sa.select(Certificate.id, Certificate.revoked_at, Certificate.superseded_at).where(
        sa.or_(Certificate.revoked_at.is_not(None), Certificate.superseded_at.is_not(None))))
    return {id_: REVOKED if revoked else SUPERSEDED for id_, revoked, _superseded in rows}


def bitstring(entries: dict[int, int], size: int) -> bytes:
    """`size` entries of two bits, index 0 in the most significant bits of the first byte."""
    bits = bytearray(size * STATUS_SIZE // 8)
    for index, value in entries.items():
        for offset in range(STATUS_SIZE):
            if value >> (STATUS_SIZE - 1 - offset) & 1:
                position = index * STATUS_SIZE + offset
                bits[position // 8] |= 0x80 >> (position % 8)
    return bytes(bits)


def status_at(bits: bytes, index: int) -> int:
    """The value of entry `index` (what a verifier does after ungzipping)."""
    value = 0
    for offset in range(STATUS_SIZE):
        position = index * STATUS_SIZE + offset
        value = value << 1 | (bits[position // 8] >> (7 - position % 8) & 1)
    return value


def credential(now: datetime) -> dict:
    entries = statuses()
    size = max(MIN_ENTRIES, -(-(max(entries, default=0) + 1) // MIN_ENTRIES) * MIN_ENTRIES)
    encoded = "u" + b64url(gzip.compress(bitstring(entries, size), mtime=0))
    url = list_url()
    return {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"], "issuer": public_base(),
            "validFrom": _iso(now), "validUntil": _iso(now + LIFETIME),
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "message",
                                  "statusSize": STATUS_SIZE, "statusMessages": MESSAGES, "encodedList": encoded}}


def regenerate(now: datetime | None = None) -> StatusList | None:
    """Sign and store the list anew, inside the caller's write transaction. The stored row is locked first, so
    that two revocations at once each see the other's (the second waits for the first to commit). None when
    production has no signing key yet: the revocation stands, the list follows once a key is created."""
    now = now or utcnow()
    try:
        kid = keys.current_key().kid
    except keys.NoIssuerKey:
        current_app.logger.warning("no issuer signing key: the certificate status list is not signed")
        return None
    row = db.session.scalar(sa.select(StatusList).where(StatusList.id == LIST_ID).with_for_update())
    document = credential(now)
    header = b64url(_json({"alg": "EdDSA", "kid": kid, "typ": "vc+jwt"}))
    signing_input = f"{header}.{b64url(_json(document))}"
    signature = keys.private_key(kid).sign(signing_input.encode("ascii"))
    jws = f"{signing_input}.{b64url(signature)}"
    if row is None:
        row = StatusList(id=LIST_ID)
        db.session.add(row)
    row.jws, row.generated_at, row.valid_until = jws, now, now + LIFETIME
    db.session.flush()
    return row


def stored_jws(number: int) -> str | None:
    """The list as last signed; generated now if it never was (a new installation)."""
    if number != LIST_ID:
        return None
    row = db.session.get(StatusList, LIST_ID)
    if row is None:
        begin_write()
        row = regenerate()
        db.session.commit()
    return row.jws if row else None


def response(jws: str):
    reply = make_response(jws)
    reply.mimetype = "application/vc+jwt"
    return reply


def daily_step(now: datetime) -> dict[str, int]:
    """The daily run's step: the list is re-signed with a fresh validity, whatever happened."""
    from lms.core.i18n import _
    from lms.daily import StepFailed

    if regenerate(now) is None:
        raise StepFailed(_("No certificate signing key: create one with `flask --app lms certificates keys "
                           "create`."))
    return {"status_list_entries": len(statuses())}


def _json(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
