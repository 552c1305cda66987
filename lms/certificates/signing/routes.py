"""What verifiers fetch and cache: the issuer's public keys (a JSON key set, a did:web document) and the status
list. Public, the same for everyone, kept an hour by caches."""
from flask import Blueprint, abort, jsonify, request

from lms.certificates.signing import keys, status_list
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
    host = request.host.replace(":", "%3A")
    did = f"did:web:{host}"
    methods = [{"id": f"{did}#{jwk['kid']}", "type": "JsonWebKey2020", "controller": did,
                "publicKeyJwk": {k: jwk[k] for k in ("kty", "crv", "x", "kid")}}
               for jwk in keys.public_key_set()["keys"]]
    return _json({"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"],
                  "id": did, "verificationMethod": methods,
                  "assertionMethod": [m["id"] for m in methods]}, "application/did+json")



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
