"""The issuer's signing keys: created, rotated, listed, encrypted, published."""
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms import create_app
from lms.certificates.signing import keys, routes
from lms.certificates.signing.models import IssuerKey
from lms.config import ConfigError
from lms.core.encoding import from_b64url

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_a_key_is_signed_with_and_published_with_its_kid(db):
    key = keys.create_key(NOW)
    kid, signature = keys.sign(b"hello")
    assert kid == key.kid and len(kid) == 8 and len(signature) == 64
    raw = from_b64url(key.public_key)
    assert keys.key_id(raw) == kid
    Ed25519PublicKey.from_public_bytes(raw).verify(signature, b"hello")
    assert "ENCRYPTED PRIVATE KEY" in key.private_key  # never in clear
    published = keys.public_key_set()
    assert published["keys"] == [{"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": kid, "alg": "EdDSA",
                                  "use": "sig", "nbf": int(NOW.timestamp())}]
    assert published["issuer"]["name_ar"]


def test_the_private_key_does_not_open_with_another_passphrase(app, db):
    key = keys.create_key(NOW)
    app.config["LMS_ISSUER_KEY_PASSPHRASE"], saved = "another", app.config["LMS_ISSUER_KEY_PASSPHRASE"]
    try:
        with pytest.raises(ValueError):
            keys.private_key(key.kid)
    finally:
        app.config["LMS_ISSUER_KEY_PASSPHRASE"] = saved


def test_rotation_keeps_the_old_key_published(db):
    old = keys.create_key(NOW)
    with pytest.raises(keys.KeyExists):
        keys.create_key(NOW)
    later = datetime(2027, 1, 1, tzinfo=UTC)
    new = keys.rotate_key(later)
    assert keys.current_key().kid == new.kid and db.session.get(IssuerKey, old.id).retired_at == later
    published = {k["kid"]: k for k in keys.public_key_set()["keys"]}
    assert published[old.kid]["exp"] == int(later.timestamp()) and "exp" not in published[new.kid]
    assert keys.sign(b"x")[0] == new.kid


def test_production_has_no_key_on_demand(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ENV", "production")
    with pytest.raises(keys.NoIssuerKey):
        keys.current_key()
    monkeypatch.setitem(app.config, "LMS_ENV", "test")
    assert keys.current_key().retired_at is None  # created on demand


def test_cli_creates_rotates_and_lists(runner, db):
    assert runner.invoke(args=["certificates", "keys", "list"]).exit_code == 1
    created = runner.invoke(args=["certificates", "keys", "create"])
    assert created.exit_code == 0, created.output
    again = runner.invoke(args=["certificates", "keys", "create"])
    assert again.exit_code == 1 and "rotate" in again.output.lower() or "تدوير" in again.output
    rotated = runner.invoke(args=["certificates", "keys", "rotate"])
    assert rotated.exit_code == 0, rotated.output
    listed = runner.invoke(args=["certificates", "keys", "list"])
    assert listed.exit_code == 0 and len(listed.output.strip().splitlines()) == 2


def test_keys_json_and_did_document(client, db):
    key = keys.create_key(NOW)
    db.session.commit()
    response = client.get("/verify/keys.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.json["keys"][0]["kid"] == key.kid
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did.json["id"] == "did:web:localhost"
    multikey, jwk = did.json["verificationMethod"]
    assert multikey == {"id": f"did:web:localhost#{key.kid}", "type": "Multikey", "controller": "did:web:localhost",
                        "publicKeyMultibase": routes.multikey(from_b64url(key.public_key))}
    assert multikey["publicKeyMultibase"].startswith("z6Mk")  # what every Ed25519 Multikey starts with
    assert jwk["id"] == f"did:web:localhost#{key.kid}-jwk" and jwk["publicKeyJwk"]["x"] == key.public_key


@pytest.mark.no_db
def test_production_refuses_to_start_without_a_passphrase(monkeypatch):
    monkeypatch.setenv("LMS_ENV", "production")
    monkeypatch.setenv("LMS_SECRET_KEY", "s" * 40)
    monkeypatch.delenv("LMS_ISSUER_KEY_PASSPHRASE", raising=False)
    with pytest.raises(ConfigError, match="LMS_ISSUER_KEY_PASSPHRASE"):
        create_app()


@pytest.mark.no_db
def test_demo_keeps_a_passphrase_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("LMS_ENV", "demo")
    monkeypatch.delenv("LMS_ISSUER_KEY_PASSPHRASE", raising=False)
    monkeypatch.setenv("LMS_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app()
    stored = Path(app.instance_path) / "issuer_key_passphrase"
    assert stored.read_text().strip() == app.config["LMS_ISSUER_KEY_PASSPHRASE"]
