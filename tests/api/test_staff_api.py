"""PUT /api/v1/staff/<employee_number>: an HR system's upsert, checked like a roster row and scoped like the UI."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.auth.services import issue_api_token
from tests import factories


@pytest.fixture
def places(db):
    qalyubia = factories.GovernorateFactory(code="QLY")
    cairo = factories.GovernorateFactory(code="CAI")
    return {"QLY-1": factories.CenterFactory(code="QLY-1", governorate=qalyubia),
            "QLY-2": factories.CenterFactory(code="QLY-2", governorate=qalyubia),
            "CAI-1": factories.CenterFactory(code="CAI-1", governorate=cairo), "qalyubia": qalyubia}


def _bearer(role: str = "hr", **kwargs) -> dict:
    user = factories.UserFactory(role=role, center=None, **kwargs)
    token, _record = issue_api_token(user, timedelta(days=1))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def hr_headers(places):
    return _bearer(scope_governorate_id=places["qalyubia"].id)


BODY = {"full_name_ar": "سارة علي", "full_name_latin": "Sara Ali", "email": "sara@example.gov.eg",
        "center_code": "QLY-1", "job_title": "موظف شباك خدمة", "status": "active"}


def test_created_then_updated_then_unchanged(client, hr_headers, places, db):
    created = client.put("/api/v1/staff/1234", json=BODY, headers=hr_headers)
    assert created.status_code == 201
    assert created.json["result"] == "created" and len(created.json["one_time_password"]) == 10
    assert created.json["staff"]["center_code"] == "QLY-1" and created.json["staff"]["username"] == "1234"
    person = db.session.scalar(sa.select(User).where(User.employee_number == "1234"))
    assert person.must_change_password and person.check_password(created.json["one_time_password"])

    moved = client.put("/api/v1/staff/1234", json={**BODY, "center_code": "QLY-2"}, headers=hr_headers)
    assert moved.status_code == 200 and moved.json["result"] == "updated"
    assert "one_time_password" not in moved.json and moved.json["staff"]["center_code"] == "QLY-2"

    same = client.put("/api/v1/staff/1234", json={**BODY, "center_code": "QLY-2"}, headers=hr_headers)
    assert same.status_code == 200 and same.json["result"] == "unchanged"

    left = client.put("/api/v1/staff/1234", json={**BODY, "center_code": "QLY-2", "status": "ترك العمل"},
                      headers=hr_headers)
    assert left.status_code == 200 and left.json["result"] == "deactivated" and left.json["staff"]["status"] == "left"


def test_field_errors_come_as_a_json_list(client, hr_headers, places, db):
    response = client.put("/api/v1/staff/1235", json={"full_name_ar": "", "email": "nope", "center_code": "X"},
                          headers=hr_headers)
    assert response.status_code == 400
    fields = {(e["field"], e["code"]) for e in response.json["error"]["fields"]}
    assert fields == {("full_name_ar", "required"), ("email", "format"), ("center_code", "unknown_center")}
    bad_type = client.put("/api/v1/staff/1235", json={**BODY, "center_code": 7}, headers=hr_headers)
    assert bad_type.status_code == 400 and bad_type.json["error"]["fields"][0]["field"] == "center_code"
    mismatch = client.put("/api/v1/staff/1235", json={**BODY, "employee_number": "999"}, headers=hr_headers)
    assert mismatch.status_code == 400
    assert db.session.scalar(sa.select(User).where(User.employee_number == "1235")) is None


def test_out_of_scope_centers_and_people_are_403(client, hr_headers, places, db):
    outside = client.put("/api/v1/staff/1236", json={**BODY, "center_code": "CAI-1"}, headers=hr_headers)
    assert outside.status_code == 403 and outside.json["error"]["fields"][0]["code"] == "center_scope"
    factories.UserFactory(employee_number="1237", center=places["CAI-1"])
    theirs = client.put("/api/v1/staff/1237", json=BODY, headers=hr_headers)
    assert theirs.status_code == 403
    factories.UserFactory(employee_number="1238", role=Role.HR, center=places["QLY-1"])
    assert client.put("/api/v1/staff/1238", json=BODY, headers=hr_headers).status_code == 403
    assert db.session.scalar(sa.select(User).where(User.employee_number == "1236")) is None


def test_only_hr_and_admins_may_call_it(client, places):
    for role in ("learner", "center_manager", "trainer"):
        assert client.put("/api/v1/staff/1239", json=BODY, headers=_bearer(role)).status_code == 403
    assert client.put("/api/v1/staff/1239", json=BODY, headers=_bearer("admin")).status_code == 201
    assert client.put("/api/v1/staff/1240", json=BODY).status_code == 401


def test_a_body_that_is_not_a_json_object_is_refused(client, hr_headers):
    assert client.put("/api/v1/staff/1241", data="full_name_ar=x", headers=hr_headers,
                      content_type="application/x-www-form-urlencoded").status_code == 415
    for body in ("[1, 2]", "not json", '"text"'):
        response = client.put("/api/v1/staff/1241", data=body, headers=hr_headers, content_type="application/json")
        assert response.status_code == 400 and response.is_json


def test_an_identity_change_is_refused_unless_confirmed(client, hr_headers, places, db):
    """A new name, or any change to a trainer: 409 `identity_change` and nothing written, unless the body says so."""
    trainer = factories.UserFactory(employee_number="1300", role=Role.TRAINER, full_name_ar="المدرب التجريبي",
                                    center=places["QLY-1"])
    learner = factories.UserFactory(employee_number="1301", full_name_ar="سارة علي", center=places["QLY-1"])
    db.session.commit()
    takeover = {**BODY, "full_name_ar": "شخص آخر", "full_name_latin": "Someone Else", "center_code": "QLY-2"}
    refused = client.put("/api/v1/staff/1300", json=takeover, headers=hr_headers)
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "identity_change" and refused.json["error"]["reasons"] == ["name", "role"]
    assert "confirm_identity_change" in refused.json["error"]["message"]
    same_names = {"full_name_ar": trainer.full_name_ar, "full_name_latin": trainer.full_name_latin}
    moved = client.put("/api/v1/staff/1300", json={**BODY, **same_names, "center_code": "QLY-2"}, headers=hr_headers)
    assert moved.status_code == 409 and moved.json["error"]["reasons"] == ["role"]  # a trainer, even unrenamed
    renamed = client.put("/api/v1/staff/1301", json={**BODY, "full_name_ar": "سارة محمود"}, headers=hr_headers)
    assert renamed.status_code == 409 and renamed.json["error"]["reasons"] == ["name"]
    db.session.refresh(trainer)
    db.session.refresh(learner)
    assert (trainer.full_name_ar, trainer.center.code, learner.full_name_ar) == ("المدرب التجريبي", "QLY-1", "سارة علي")

    confirmed = client.put("/api/v1/staff/1300", json={**takeover, "confirm_identity_change": True},
                           headers=hr_headers)
    assert confirmed.status_code == 200 and confirmed.json["result"] == "updated"
    db.session.refresh(trainer)
    assert (trainer.full_name_ar, trainer.center.code) == ("شخص آخر", "QLY-2")


def test_the_identity_change_message_is_translated_and_the_flag_must_be_a_boolean(client, hr_headers, places, db):
    factories.UserFactory(employee_number="1302", full_name_ar="سارة علي", center=places["QLY-1"])
    db.session.commit()
    arabic = client.put("/api/v1/staff/1302", json={**BODY, "full_name_ar": "هبة"},
                        headers={**hr_headers, "Accept-Language": "ar"})
    assert arabic.status_code == 409 and "الرقم الوظيفي" in arabic.json["error"]["message"]
    wrong = client.put("/api/v1/staff/1302", json={**BODY, "full_name_ar": "هبة", "confirm_identity_change": "yes"},
                       headers=hr_headers)
    assert wrong.status_code == 400 and wrong.json["error"]["fields"][0]["field"] == "confirm_identity_change"
    new = client.put("/api/v1/staff/1303", json=BODY, headers=hr_headers)  # a new account is no identity change
    assert new.status_code == 201
