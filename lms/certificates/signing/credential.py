"""The certificate as an Open Badges 3.0 credential (a W3C Verifiable Credential 2.0, type OpenBadgeCredential):
what a wallet, an employer's system or another LMS reads without scraping the PDF. Served by
`GET /api/v1/certificates/{code}/credential` and carried inside the stored PDF as a PDF/A-3 associated file
(AFRelationship /Data), added before the seal so the seal covers it.

The proof is a W3C Data Integrity proof, cryptosuite eddsa-rdfc-2022: the credential and the proof options are
canonicalized as RDF (RDFC-1.0, pyld) with the JSON-LD contexts bundled in contexts/ (no network at signing or
checking time), and signed with the issuer's current Ed25519 key (lms.certificates.signing.keys). A verifier needs
only the issuer's public key: `did:web:<host>#<kid>`, the same keys as /verify/keys.json.

The certificate's status is not inside it: credentialStatus points at the status list (/verify/status/1,
statusPurpose "message", 2 bits: 0 valid, 1 revoked, 2 superseded) at the index of the certificate's id.
"""
import hashlib
import json
import re
import secrets
import uuid
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request

from lms.certificates.codes import grouped
from lms.certificates.models import Certificate
from lms.core.models import utcnow

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CONTEXTS = {VC_V2: "credentials-v2.jsonld", OB_V3: "ob-v3p0-context-3.0.3.json"}
SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
STATUS_MESSAGES = [{"status": "0x0", "message": "valid"}, {"status": "0x1", "message": "revoked"},
                   {"status": "0x2", "message": "superseded"}]
FILE_NAME = "credential.json"  # its name inside the PDF
MEDIA_TYPE = "application/vc+ld+json"


class CredentialError(ValueError):
    """A proof that does not check out (verify)."""


def public_base() -> str:
    """The site's absolute address, as the QR code prints it (lms.certificates.pdf.verify_url)."""
    base = current_app.config["LMS_PUBLIC_URL"] or (request.url_root if has_request_context()
                                                       else "http://127.0.0.1:5000/")
    return base.rstrip("/")


def issuer_did(base: str | None = None) -> str:
    """did:web of the site's host (a port is percent-encoded, as did:web says)."""
    host = urlsplit(base or public_base()).netloc
    return "did:web:" + quote(host, safe="")


def build(certificate: Certificate, authority: dict, now: datetime | None = None) -> dict:
    """The unsigned credential. `authority`: {"ar": ..., "en": ...}, the issuing authority's names."""
    base = public_base()
    code = grouped(certificate.code)
    primary = "en" if certificate.language == "en" else "ar"
    title = {"ar": certificate.course_title_ar, "en": certificate.course_title_en}
    path = certificate.path_id is not None
    achievement_key = f"{base}/{'path' if path else 'course'}/{certificate.path_id if path else certificate.course_id}"
    salt = secrets.token_hex(8)
    identifiers = [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                    "identityHash": certificate.name_ar}]
    if certificate.name_latin:
        identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": certificate.name_latin})
    if certificate.employee_number:  # who holds it, for the employer, without publishing the number
        digest = hashlib.sha256((certificate.employee_number + salt).encode()).hexdigest()
        identifiers.append({"type": "IdentityObject", "identityType": "identifier", "hashed": True,
                            "identityHash": f"sha256${digest}", "salt": salt})
    credential = {
        "@context": [VC_V2, OB_V3],
        "id": f"{base}/verify/{code}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{title[primary]} — {certificate.serial}",
        "issuer": {"id": issuer_did(base), "type": ["Profile"], "name": authority.get(primary) or authority.get("ar")
                   or authority.get("en") or base, "url": base},
        "validFrom": _iso(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": identifiers,
            "achievement": {
                "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, achievement_key)}",
                "type": ["Achievement"],
                "achievementType": "CertificateOfCompletion",
                "name": title[primary],
                "description": " / ".join(dict.fromkeys(t for t in (title["ar"], title["en"]) if t)),
                "criteria": {"narrative": "Completed every module of the learning path and its courses." if path
                             else "Completed every module of the training course and passed its quiz, if any."},
                "inLanguage": primary,
            },
        },
        # "JsonSchema" (VC JSON Schema, defined by the VC 2.0 context): 1EdTech's "1EdTechJsonSchemaValidator2019" is
        # in no context, and JSON-LD safe mode (jsonld.js, as Digital Bazaar's verifiers run it) refuses it.
        "credentialSchema": [{"id": SCHEMA, "type": "JsonSchema"}],
        "credentialStatus": {
            "id": f"{base}/verify/status/1#{certificate.id}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": str(certificate.id),
            "statusListCredential": f"{base}/verify/status/1",
            "statusSize": 2,
            "statusMessage": STATUS_MESSAGES,
        },
    }
    if certificate.expires_at is not None:
        credential["validUntil"] = _iso(certificate.expires_at)
    if certificate.score is not None:
        credential["credentialSubject"]["result"] = [{"type": ["Result"], "value": f"{round(certificate.score)}%"}]
    return credential


def issue(certificate: Certificate, authority: dict, now: datetime | None = None) -> dict:
    """The credential with its eddsa-rdfc-2022 proof by the issuer's current key."""
    from lms.certificates.signing import keys

    key = keys.current_key()
    return sign(build(certificate, authority, now), keys.private_half(key),
                f"{issuer_did()}#{key.kid}", now or utcnow())


def serialize(credential: dict) -> bytes:
    """The bytes served by the API and embedded in the PDF (the same bytes in both)."""
    return json.dumps(credential, ensure_ascii=False, indent=2).encode()


# --- eddsa-rdfc-2022 (W3C Data Integrity EdDSA Cryptosuites v1.0, section 3.3) -------------------------------

def sign(credential: dict, private_key, verification_method: str, created: datetime) -> dict:
    """`private_key`: cryptography's Ed25519PrivateKey."""
    options = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": _iso(created),
               "verificationMethod": verification_method, "proofPurpose": "assertionMethod"}
    signature = private_key.sign(hash_data(credential, options))
    # A list of one: the 1EdTech schema takes only a list, and Data Integrity reads a list as a proof set.
    return {**credential, "proof": [{**options, "proofValue": "z" + base58btc(signature)}]}


def hash_data(credential: dict, options: dict) -> bytes:
    """SHA-256 of the canonical proof options, then SHA-256 of the canonical credential (without its proof): the
    64 bytes that are signed."""
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    config = {"@context": credential["@context"], **{k: v for k, v in options.items() if k != "proofValue"}}
    return hashlib.sha256(_canonical_config(config)).digest() + hashlib.sha256(canonical(unsecured)).digest()


_PLACEHOLDER = "2000-01-01T00:00:00Z"
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_OUR_OPTIONS = {"@context", "type", "cryptosuite", "created", "verificationMethod", "proofPurpose"}


def _canonical_config(config: dict) -> bytes:
    """`canonical(config)`, the half of the signing cost that changes with nothing but the time of signing made
    once: the proof options are one blank node, so their N-Quads differ only in the `created` literal (a
    UTC date-time of fixed shape, its line sorted by its predicate). Options of another shape go the long way."""
    created = config.get("created")
    if set(config) != _OUR_OPTIONS or not isinstance(created, str) or not _DATETIME.fullmatch(created):
        return canonical(config)
    template = _config_template(json.dumps({**config, "created": _PLACEHOLDER}, sort_keys=True))
    return template.replace(f'"{_PLACEHOLDER}"'.encode(), f'"{created}"'.encode())


@lru_cache(maxsize=16)
def _config_template(config_json: str) -> bytes:
    return canonical(json.loads(config_json))


def canonical(document: dict) -> bytes:
    """RDFC-1.0 (URDNA2015) N-Quads of a JSON-LD document, its contexts from the bundled files only."""
    from pyld import jsonld

    try:
        nquads = jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                             "documentLoader": _load_document, "safe": True, "base": _NO_BASE})
    except jsonld.JsonLdError as error:  # a context that is not bundled, a malformed document
        raise CredentialError(f"cannot canonicalize the credential: {error}") from error
    if _NO_BASE in nquads:  # a term no context defines: other processors (jsonld.js) refuse it or read it otherwise
        raise CredentialError("the credential has a type or value that no bundled context defines")
    return nquads.encode()


_NO_BASE = "https://relative-iri.invalid/"  # where pyld would resolve a relative IRI (the document has no address)


def _load_document(url: str, options=None) -> dict:
    if url not in CONTEXTS:
        raise CredentialError(f"unknown JSON-LD context {url}: only the bundled ones are loaded")
    # "static": the bundled contexts never change, so pyld keeps them resolved between calls (a third of the cost)
    return {"contextUrl": None, "documentUrl": url, "document": _context(url), "tag": "static"}


@cache
def _context(url: str) -> dict:
    return json.loads((Path(__file__).parent / "contexts" / CONTEXTS[url]).read_text())


_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc(data: bytes) -> str:
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = _ALPHABET[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- in the PDF ------------------------------------------------------------------------------------------------

def available() -> bool:
    """Whether credentials can be signed now: the issuer keys module is there and has a current key."""
    from lms.certificates.signing import keys

    try:
        keys.current_key()
    except keys.NoIssuerKey:
        return False
    return True


def attach(certificate: Certificate, content: bytes) -> bytes:
    """A freshly rendered certificate PDF with its credential inside, if the issuer has a key (production without
    one: the PDF as it is, and the log says why)."""
    from lms.certificates.authority import issuing_authority
    from lms.certificates.look import saved_look
    from lms.certificates.signing import keys

    try:
        credential = issue(certificate, issuing_authority(certificate, saved_look()).name)
    except keys.NoIssuerKey:
        current_app.logger.warning("certificate %s: no issuer key, so no credential in its PDF "
                                   "(flask --app lms certificates keys create)", certificate.serial)
        return content
    return embed(content, serialize(credential))


def embed(content: bytes, credential: bytes) -> bytes:
    """The PDF with the credential attached as a PDF/A-3 associated file of the document (catalog /AF,
    AFRelationship /Data, MIME type and dates as PDF/A-3 asks)."""
    import io

    import pikepdf

    stamp = utcnow().strftime("D:%Y%m%d%H%M%SZ")
    with pikepdf.open(io.BytesIO(content)) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, credential, description="Open Badges 3.0 credential (W3C VC 2.0)",
                                        filename=FILE_NAME, mime_type=MEDIA_TYPE, relationship=pikepdf.Name.Data,
                                        creation_date=stamp, mod_date=stamp)
        pdf.attachments[FILE_NAME] = spec
        pdf.Root.AF = pdf.make_indirect(pikepdf.Array([spec.obj]))
        out = io.BytesIO()
        pdf.save(out, fix_metadata_version=False)  # the version stays; reading the XMP to say so costs time
        return out.getvalue()


def embedded(content: bytes) -> bytes | None:
    """The credential bytes attached to a stored PDF, or None."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as pdf:
        attached = pdf.attachments.get(FILE_NAME)
        return attached.get_file().read_bytes() if attached is not None else None
