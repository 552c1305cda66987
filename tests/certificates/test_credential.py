"""The Open Badges 3.0 credential: valid against 1EdTech's JSON schema (bundled), its eddsa-rdfc-2022 proof checked
with PyNaCl (not the signer's library), served by the API to its holder and HR in scope, and attached to the stored
PDF as the same bytes (pdfdetach)."""
import base64
import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path

import jsonschema
import pikepdf
import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from lms.auth.services import issue_api_token
from lms.certificates import services
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate
from lms.certificates.signing import credential, keys, seal
from tests import factories
from tests.certificates.conftest import complete
from tests.certificates.test_seal import validate

SCHEMA = json.loads((Path(__file__).parent / "data" / "ob_v3p0_achievementcredential_schema.json").read_text())


@pytest.fixture
def issuer_key():
    from lms.certificates.signing import keys

    return keys


@pytest.fixture
def certificate(db, course, learner):
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def check_proof(vc: dict, public_key: bytes) -> None:
    """eddsa-rdfc-2022 verification: the hash data again (pyld), the signature checked by libsodium (PyNaCl)."""
    [proof] = vc["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofValue"].startswith("z")
    VerifyKey(public_key).verify(credential.hash_data(vc, proof),
                                 credential.base58btc_decode(proof["proofValue"][1:]))


def published_key(client, vc: dict) -> bytes:
    """The public key the proof names, as /verify/keys.json publishes it (did:web:<host>#<kid>)."""
    kid = vc["proof"][0]["verificationMethod"].rpartition("#")[2]
    [jwk] = [k for k in client.get("/verify/keys.json").json["keys"] if k["kid"] == kid]
    return base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))


def get_credential(client, certificate, user):
    token, _record = issue_api_token(user, timedelta(days=1))
    return client.get(f"/api/v1/certificates/{grouped(certificate.code)}/credential",
                      headers={"Authorization": f"Bearer {token}"})


def test_the_api_serves_the_holder_a_valid_open_badges_credential(app, client, certificate, learner):
    response = get_credential(client, certificate, learner)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/vc+ld+json"
    vc = json.loads(response.data)
    jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
                                    ).validate(vc)
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                              "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert vc["id"].endswith(f"/verify/{grouped(certificate.code)}")
    assert vc["credentialStatus"] == {
        "id": f"http://localhost/verify/status/1#{certificate.id}", "type": "BitstringStatusListEntry",
        "statusPurpose": "message", "statusListIndex": str(certificate.id),
        "statusListCredential": "http://localhost/verify/status/1", "statusSize": 2,
        "statusMessage": credential.STATUS_MESSAGES}
    names = [i["identityHash"] for i in vc["credentialSubject"]["identifier"] if i["identityType"] == "name"]
    assert names == ["منى عبد الرحمن", "Mona Abdelrahman"]
    assert vc["credentialSubject"]["achievement"]["name"] == "خدمة المواطنين عبر الشباك"
    assert vc["proof"][0]["verificationMethod"] == f"did:web:localhost#{keys.current_key().kid}"
    assert vc["proof"][0]["verificationMethod"].partition("#")[0] == client.get("/.well-known/did.json").json["id"]
    check_proof(vc, published_key(client, vc))


def test_a_term_no_context_defines_is_refused_not_signed():
    """1EdTech's examples type credentialSchema "1EdTechJsonSchemaValidator2019", which no context defines: pyld
    would resolve it against a made-up base, jsonld.js (safe mode, as verifiers run it) refuses it."""
    document = {"@context": [credential.VC_V2], "type": ["VerifiableCredential"],
                "credentialSchema": [{"id": credential.SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]}
    with pytest.raises(credential.CredentialError):
        credential.canonical(document)
    with pytest.raises(credential.CredentialError):  # a context that is not bundled is never fetched
        credential.canonical({"@context": ["https://example.org/context.json"], "type": "Thing"})


def test_a_changed_credential_fails_its_proof(app, client, certificate, learner):
    vc = json.loads(get_credential(client, certificate, learner).data)
    vc["credentialSubject"]["identifier"][0]["identityHash"] = "منى عبد الرحيم"
    with pytest.raises(BadSignatureError):
        check_proof(vc, published_key(client, vc))
    vc = json.loads(get_credential(client, certificate, learner).data)
    with pytest.raises(BadSignatureError):  # another key
        check_proof(vc, Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw))


def test_the_pdf_carries_the_same_credential_bytes_as_the_api(app, client, certificate, learner, tmp_path):
    served = get_credential(client, certificate, learner).data
    pdf = services.certificate_pdf(certificate, certificate.language)
    (tmp_path / "c.pdf").write_bytes(pdf)
    (tmp_path / "out").mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(tmp_path / "out"), str(tmp_path / "c.pdf")], check=True)
    assert (tmp_path / "out" / credential.FILE_NAME).read_bytes() == served
    with pikepdf.open(io.BytesIO(pdf)) as opened:  # a PDF/A-3 associated file of the document, and sealed after
        [spec] = list(opened.Root.AF)
        assert spec.AFRelationship == "/Data" and spec.EF.F.Subtype == "/application/vc+ld+json"
        assert "/AcroForm" in opened.Root
        with opened.open_metadata() as meta:
            assert meta.pdfa_status == "3B"
    assert validate(pdf, seal.demo_authority().root_pem).bottom_line  # the seal covers the attachment


def test_hr_in_scope_gets_it_and_others_do_not(app, client, certificate, learner):
    hr = factories.UserFactory(role="hr")
    assert get_credential(client, certificate, hr).status_code == 200
    stranger = factories.UserFactory()
    response = get_credential(client, certificate, stranger)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    response = client.get(f"/api/v1/certificates/{grouped(certificate.code)}/credential")
    assert response.status_code == 401


def test_without_an_issuer_key_the_pdf_has_no_credential_and_the_api_says_so(app, client, certificate, learner,
                                                                             issuer_key, monkeypatch):
    def none():
        raise issuer_key.NoIssuerKey()

    monkeypatch.setattr(issuer_key, "current_key", none)
    pdf = services.certificate_pdf(certificate, certificate.language)
    assert credential.embedded(pdf) is None
    response = get_credential(client, certificate, learner)
    assert response.status_code == 404 and response.json["error"]["code"] == "no_credential"
    assert services.certificate_pdf(certificate, certificate.language) == pdf  # kept, not rendered again


def test_a_pdf_stored_before_the_issuer_had_a_key_is_rendered_again_with_its_credential(
        app, client, certificate, learner, issuer_key, monkeypatch):
    current = issuer_key.current_key

    def none():
        raise issuer_key.NoIssuerKey()

    monkeypatch.setattr(issuer_key, "current_key", none)
    services.certificate_pdf(certificate, certificate.language)
    monkeypatch.setattr(issuer_key, "current_key", current)
    response = get_credential(client, certificate, learner)
    assert response.status_code == 200
    assert credential.embedded(services.certificate_pdf(certificate, certificate.language)) == response.data


def test_base58btc_round_trips():
    for data in (b"", b"\0\0abc", bytes(range(64))):
        assert credential.base58btc_decode(credential.base58btc(data)) == data


def test_a_credential_keeps_verifying_after_the_key_is_rotated(app, client, certificate, learner):
    before = json.loads(get_credential(client, certificate, learner).data)
    old_kid = keys.current_key().kid
    keys.rotate_key()
    after = json.loads(get_credential(client, certificate, learner).data)
    assert after == before  # the stored one, signed with the key of its day
    assert keys.current_key().kid != old_kid
    check_proof(after, published_key(client, after))  # the retired key stays published


@pytest.mark.parametrize("created", ["2026-12-05T21:14:03Z", "2031-01-31T00:00:59Z", "1999-12-31T23:59:59Z"])
def test_the_proof_options_shortcut_gives_the_same_n_quads_as_the_long_way(created):
    config = {"@context": [credential.VC_V2, credential.OB_V3], "type": "DataIntegrityProof",
              "cryptosuite": "eddsa-rdfc-2022", "created": created,
              "verificationMethod": "did:web:lms.example.gov.eg#k1", "proofPurpose": "assertionMethod"}
    short = credential._canonical_config(config)
    assert short == credential.canonical(config)
    assert created.encode() in short
