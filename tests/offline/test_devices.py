"""A device registers per person through the signed-in session, then syncs with its grant's bearer token only."""
import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from lms.auth.services import issue_api_token
from lms.core.models import utcnow
from lms.offline import devices
from lms.offline.models import Device, DeviceGrant
from tests import factories
from tests.offline.conftest import bearer, register


def test_a_signed_in_person_registers_a_device_and_gets_a_grant(client, auth, db):
    user = auth.login(factories.UserFactory())
    client_id = str(uuid.uuid4())
    response = client.post("/offline/devices", json={"client_id": client_id.upper(), "label": " تابلت ١ "})
    assert response.status_code == 201
    body = response.get_json()
    assert body["device"] == client_id and re.fullmatch(r"[A-Za-z0-9_-]{43}", body["token"])
    assert body["user"] == {"id": user.id, "employee_number": user.employee_number, "name": user.full_name_ar}
    device = db.session.scalar(sa.select(Device))
    assert (device.label, device.center_id) == ("تابلت ١", user.center_id)
    grant = db.session.scalar(sa.select(DeviceGrant))
    assert grant.token_hash != body["token"] and body["expires_at"] == grant.expires_at.isoformat()
    assert grant.expires_at - grant.created_at == timedelta(days=30)
    assert client.get("/offline/api/grant", headers=bearer(body["token"])).get_json()["device"] == client_id


def test_registering_again_revokes_the_older_grant_of_the_same_person_only(db, learner):
    first = register(learner, "0b5e9b8e-4b8a-4c1e-9d6a-3f1f0e6f7a01")
    other = register(factories.UserFactory(), "0b5e9b8e-4b8a-4c1e-9d6a-3f1f0e6f7a01")
    second = register(learner, "0b5e9b8e-4b8a-4c1e-9d6a-3f1f0e6f7a01")
    assert first.device.id == other.device.id == second.device.id
    assert devices.grant_for_token(first.token) is None
    assert devices.grant_for_token(second.token).id == second.grant.id
    assert devices.grant_for_token(other.token).id == other.grant.id


def test_a_bad_client_id_or_label_is_a_json_400_and_nothing_is_made(client, auth, db):
    auth.login(factories.UserFactory())
    for body in ({}, {"client_id": "x"}, {"client_id": 5}, {"client_id": "g" * 36}, [],
                 {"client_id": str(uuid.uuid4()), "label": 3}):
        response = client.post("/offline/devices", json=body)
        assert response.status_code == 400 and response.get_json()["error"]["code"] in ("bad_client_id", "bad_label")
    assert client.post("/offline/devices", data="nope", content_type="application/json").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Device)) == 0


def test_registering_needs_a_session_and_the_csrf_header(app, client, auth, db, monkeypatch):
    assert client.post("/offline/devices", json={"client_id": str(uuid.uuid4())}).status_code in (302, 401)
    auth.login(factories.UserFactory())
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/offline/devices", json={"client_id": str(uuid.uuid4())}).status_code == 400
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/offline/devices", json={"client_id": str(uuid.uuid4())}, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_the_device_api_takes_only_a_live_grant(client, auth, db, learner, granted):
    assert client.get("/offline/api/grant", headers=bearer(granted.token)).status_code == 200
    api_token, _record = issue_api_token(learner, timedelta(hours=1))
    auth.login(learner)  # a session cookie is no credential here
    for headers in ({}, bearer(api_token), bearer("x" * 43), {"Authorization": granted.token},
                    bearer("x" * 5000), bearer("a\u00e9")):
        response = client.get("/offline/api/grant", headers=headers)
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    granted.grant.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/offline/api/grant", headers=bearer(granted.token)).status_code == 401


def test_an_expired_grant_or_a_departed_person_is_refused(client, db, learner, granted):
    granted.grant.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/offline/api/grant", headers=bearer(granted.token)).status_code == 401
    fresh = register(learner)
    learner.is_active = False
    db.session.commit()
    assert client.get("/offline/api/grant", headers=bearer(fresh.token)).status_code == 401


def test_every_call_marks_the_device_last_sync_and_user(client, db, learner, granted):
    assert granted.device.last_sync_at is None
    client.get("/offline/api/grant", headers=bearer(granted.token))
    device = db.session.scalar(sa.select(Device).execution_options(populate_existing=True))
    assert device.last_sync_at is not None and device.last_user_id == learner.id
    assert client.get("/offline/api/nothing", headers=bearer(granted.token)).get_json()["error"]["code"]
