"""What verifiers fetch and cache: the issuer's public keys (a JSON key set, a did:web document) and the status
list. Public, the same for everyone, kept an hour by caches."""
from flask import Blueprint, abort, jsonify, request

from lms.certificates.signing import keys, status_list
from lms.certificates.signing.credential import base58btc
from lms.core.encoding import from_b64url
from lms.core.security import public

bp = Blueprint("signing", __name__)
CACHE = "public, max-age=3600"


def _json(document: dict, mimetype: str = "application/json"):
    response = jsonify(document)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = CACHE
    return response


@bp.get("/verify/keys.json")
@public
def key_set():
    return _json(keys.public_key_set(), "application/jwk-set+json")


@bp.get("/.well-known/did.json")
@public
def did_document():
    """The did:web document: each key as a Multikey (what eddsa-rdfc-2022 verifiers resolve the proof's
    verificationMethod to) under its kid, and the same key as a JSON Web Key under "<kid>-jwk"."""
    host = request.host.replace(":", "%3A")
    did = f"did:web:{host}"
    methods = []
    for jwk in keys.public_key_set()["keys"]:
        methods.append({"id": f"{did}#{jwk['kid']}", "type": "Multikey", "controller": did,
                        "publicKeyMultibase": multikey(from_b64url(jwk["x"]))})
        methods.append({"id": f"{did}#{jwk['kid']}-jwk", "type": "JsonWebKey2020", "controller": did,
                        "publicKeyJwk": {k: jwk[k] for k in ("kty", "crv", "x", "kid")}})
    return _json({"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1",
                               "https://w3id.org/security/suites/jws-2020/v1"],
                  "id": did, "verificationMethod": methods,
                  "assertionMethod": [m["id"] for m in methods]}, "application/did+json")


def multikey(raw_public: bytes) -> str:
    """An Ed25519 public key as Multikey's publicKeyMultibase: "z" + base58btc(0xed 0x01 + the 32 bytes)."""
    return "z" + base58btc(b"\xed\x01" + raw_public)


@bp.get("/verify/status/<int:number>")
@public
def status(number: int):
    """The signed status list (a compact JWS whose payload is the BitstringStatusListCredential)."""
    jws = status_list.stored_jws(number)
    if jws is None:
        abort(404)
    response = status_list.response(jws)
    response.headers["Cache-Control"] = CACHE
    return response
