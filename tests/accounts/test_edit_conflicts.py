"""An administrator's account form, or HR's placement form, left open while someone else changes the person:
saving it does not undo their change silently (a move to another center, a deactivation)."""
import re

from lms.accounts import services
from lms.accounts.models import User
from tests import factories
from tests.conftest import Auth


def _seen(page: str) -> str:
    return re.search(r'name="seen" type="hidden" value="([0-9a-f]+\.[0-9]+)"', page).group(1)


def _account_form(person: User, **changes) -> dict:
    return {"username": person.username, "full_name_ar": person.full_name_ar,
            "full_name_latin": person.full_name_latin, "employee_number": person.employee_number or "",
            "center_id": str(person.center_id), "role": "learner", "is_active": "y", "password": "", **changes}


def test_the_account_form_does_not_move_back_someone_hr_moved_meanwhile(app, client, hr, qalyubia, db):
    benha, shubra = qalyubia[2]["QLY-BENHA"], qalyubia[2]["QLY-SHUBRA"]
    person = factories.UserFactory(center=benha, full_name_latin="Mona Adel")
    admin = app.test_client()
    Auth(admin).as_role("admin")
    admin.post("/language", data={"lang": "en", "next": "/"})
    opened = _seen(admin.get(f"/admin/users/{person.id}").text)
    form = _account_form(person, full_name_latin="Mona Adel Said")

    placement = f"/manage/staff/{person.id}/placement"
    moved = client.post(placement, data={"center_id": shubra.id, "seen": _seen(client.get(placement).text)})
    assert moved.status_code == 302

    refused = admin.post(f"/admin/users/{person.id}", data={**form, "seen": opened})
    assert refused.status_code == 200 and "Someone saved a change here after you opened this page." in refused.text
    assert 'value="Mona Adel Said"' in refused.text
    db.session.refresh(person)
    assert person.center_id == shubra.id and person.full_name_latin == "Mona Adel"

    # Told, the administrator saves again: what the form holds now replaces it, knowingly.
    assert admin.post(f"/admin/users/{person.id}", data={**form, "seen": _seen(refused.text)}).status_code == 302
    db.session.refresh(person)
    assert person.full_name_latin == "Mona Adel Said"


def test_the_account_form_does_not_reactivate_someone_deactivated_meanwhile(app, client, as_admin, db):
    person = factories.UserFactory()
    opened = _seen(client.get(f"/admin/users/{person.id}").text)
    hr = factories.UserFactory(role="hr")
    services.set_staff_active(hr.id, person.id, False)
    refused = client.post(f"/admin/users/{person.id}", data={**_account_form(person, full_name_ar="اسم آخر"),
                                                             "seen": opened})
    assert refused.status_code == 200
    db.session.refresh(person)
    assert not person.is_active and person.full_name_ar != "اسم آخر"


def test_a_placement_form_left_open_does_not_undo_another_move(app, client, hr, qalyubia, db):
    benha, shubra, mobile = (qalyubia[2][code] for code in ("QLY-BENHA", "QLY-SHUBRA", "QLY-MOB-1"))
    person = factories.UserFactory(center=benha)
    placement = f"/manage/staff/{person.id}/placement"
    opened = _seen(client.get(placement).text)
    services.place_staff(factories.UserFactory(role="admin").id, person.id, mobile.id, None)
    refused = client.post(placement, data={"center_id": shubra.id, "seen": opened})
    assert refused.status_code == 200
    db.session.refresh(person)
    assert person.center_id == mobile.id
    # The same move made twice is no conflict: nothing of the other person's would be lost.
    assert client.post(placement, data={"center_id": mobile.id, "seen": opened}).status_code == 302
