"""The staff screens: each viewer sees and changes only the staff of their scope; organisation screens."""
import re

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from lms.accounts.models import Center, CenterKind, District, JobTitle, Role, User
from lms.core.signals import staff_changed
from tests import factories


def _names(page) -> set[str]:
    """The names in the staff table."""
    table = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return set(re.findall(r"<bdi>(موظف [^<]+)</bdi>", table))


@pytest.fixture
def two_centers(qalyubia):
    centers = qalyubia[2]
    mine = [factories.UserFactory(full_name_ar=f"موظف بنها {n}", center=centers["QLY-BENHA"]) for n in range(3)]
    theirs = [factories.UserFactory(full_name_ar=f"موظف شبرا {n}", center=centers["QLY-SHUBRA"]) for n in range(2)]
    cairo = [factories.UserFactory(full_name_ar="موظف القاهرة", center=centers["CAI-1"])]
    return mine, theirs, cairo


def test_a_center_manager_sees_only_their_centers_staff(client, auth, qalyubia, two_centers):
    mine, theirs, cairo = two_centers
    manager = auth.as_role("center_manager", center=qalyubia[2]["QLY-BENHA"])
    page = client.get("/manage/staff/")
    assert page.status_code == 200
    shown = _names(page)
    assert {u.full_name_ar for u in mine} <= shown
    assert not {u.full_name_ar for u in theirs + cairo} & shown
    assert client.get(f"/manage/staff/{theirs[0].id}").status_code == 404
    assert client.get(f"/manage/staff/{mine[0].id}").status_code == 200
    # a filter naming another center shows nobody rather than that center's staff
    other = client.get(f"/manage/staff/?center={qalyubia[2]['QLY-SHUBRA'].id}")
    assert not _names(other) and manager


def test_hr_of_a_governorate_sees_its_staff_only(client, hr, two_centers):
    mine, theirs, cairo = two_centers
    shown = _names(client.get("/manage/staff/"))
    assert {u.full_name_ar for u in mine + theirs} <= shown and "موظف القاهرة" not in shown
    assert client.get(f"/manage/staff/{cairo[0].id}").status_code == 404


def test_search_is_arabic_aware_and_filters_combine(client, hr, qalyubia):
    benha = qalyubia[2]["QLY-BENHA"]
    factories.UserFactory(full_name_ar="موظف أحمد إبراهيم", center=benha)
    factories.UserFactory(full_name_ar="موظف مريم", center=benha, is_active=False)
    factories.UserFactory(full_name_ar="موظف أحمد فني", center=benha,
                          job_title=factories.JobTitleFactory(code="TECH"))
    assert _names(client.get("/manage/staff/?q=احمد ابراهيم")) == {"موظف أحمد إبراهيم"}
    assert _names(client.get("/manage/staff/?q=موظف&active=0")) == {"موظف مريم"}
    tech = factories.JobTitleFactory(code="TECH")
    assert _names(client.get(f"/manage/staff/?job={tech.id}")) == {"موظف أحمد فني"}
    assert len(_names(client.get("/manage/staff/?q=موظف&active=all"))) == 3


def test_sorting_follows_an_allow_list_and_pages_hold_50(client, hr, qalyubia):
    benha = qalyubia[2]["QLY-BENHA"]
    for n in range(55):
        factories.UserFactory(full_name_ar=f"موظف {n:02d}", employee_number=f"{70000 + n}", center=benha)
    first = client.get("/manage/staff/?sort=number&dir=desc")
    rows = re.findall(r"<bdi>(موظف \d\d)</bdi>", first.text)
    assert len(rows) == 50 and rows[0] == "موظف 54"
    assert re.findall(r"<bdi>(موظف \d\d)</bdi>", client.get("/manage/staff/?sort=number&page=2").text) == [
        f"موظف {n}" for n in range(50, 55)]
    assert client.get("/manage/staff/?sort=password_hash").status_code == 200  # ignored, not an error


def test_the_list_costs_the_same_queries_for_5_or_50_rows(client, hr, qalyubia, db):
    def statements_for(count: int) -> int:
        for n in range(count):
            center = factories.CenterFactory(governorate=qalyubia[0])
            factories.UserFactory(center=center, job_title=factories.JobTitleFactory(code=f"J{count}-{n}"))
        statements = []
        listener = lambda *_a: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/manage/staff/?sort=center").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few = statements_for(5)
    assert statements_for(45) == few


def test_a_center_manager_deactivates_and_reactivates_a_learner(client, auth, qalyubia, db):
    received = []
    listener = lambda sender, **_: received.append(sender)  # noqa: E731
    staff_changed.connect(listener)
    try:
        benha = qalyubia[2]["QLY-BENHA"]
        auth.as_role("center_manager", center=benha)
        learner = factories.UserFactory(center=benha)
        assert client.post(f"/manage/staff/{learner.id}/deactivate").status_code == 302
        db.session.refresh(learner)
        assert not learner.is_active and learner.deactivated_at is not None
        assert client.post(f"/manage/staff/{learner.id}/reactivate").status_code == 302
        db.session.refresh(learner)
        assert learner.is_active and learner.deactivated_at is None
        assert received == [[learner.id], [learner.id]]
    finally:
        staff_changed.disconnect(listener)


def test_a_center_manager_may_not_change_another_manager_or_other_centers(client, auth, qalyubia, db):
    benha = qalyubia[2]["QLY-BENHA"]
    auth.as_role("center_manager", center=benha)
    colleague = factories.UserFactory(center=benha, role=Role.CENTER_MANAGER)
    elsewhere = factories.UserFactory(center=qalyubia[2]["QLY-SHUBRA"])
    for person in (colleague, elsewhere):
        assert client.post(f"/manage/staff/{person.id}/deactivate").status_code == 404
        db.session.refresh(person)
        assert person.is_active
    page = client.get(f"/manage/staff/{colleague.id}")
    assert page.status_code == 200 and "/deactivate" not in page.text
    assert client.get(f"/manage/staff/{colleague.id}/placement").status_code == 403  # HR's


def test_a_new_one_time_password_is_shown_once(app, client, auth, qalyubia, db):
    benha = qalyubia[2]["QLY-BENHA"]
    auth.as_role("center_manager", center=benha)
    learner = factories.UserFactory(center=benha, username="forgot")
    page = client.post(f"/manage/staff/{learner.id}/password")
    password = re.search(r'slip-password"><bdi dir="ltr">([^<]+)<', page.text).group(1)
    db.session.refresh(learner)
    assert learner.must_change_password and learner.check_password(password)
    assert password not in client.get(f"/manage/staff/{learner.id}").text
    other = app.test_client()
    signed_in = other.post("/login", data={"identifier": "forgot", "password": password})
    assert other.get(signed_in.headers["Location"]).headers["Location"].endswith("/account/password")


def test_hr_moves_someone_within_scope_only(client, hr, qalyubia, db):
    person = factories.UserFactory(center=qalyubia[2]["QLY-BENHA"])
    shubra, cairo = qalyubia[2]["QLY-SHUBRA"], qalyubia[2]["CAI-1"]
    title = factories.JobTitleFactory(code="TECH")
    page = client.get(f"/manage/staff/{person.id}/placement")
    assert "CAI-1" not in page.text
    assert "يحتفظ الشخص بالدورات التدريبية المكلَّف بها من قبل" in page.text  # what a move does to assignments
    response = client.post(f"/manage/staff/{person.id}/placement", data={"center_id": cairo.id})
    assert response.status_code == 200
    db.session.refresh(person)
    assert person.center_id == qalyubia[2]["QLY-BENHA"].id
    response = client.post(f"/manage/staff/{person.id}/placement",
                           data={"center_id": shubra.id, "job_title_id": title.id})
    assert response.status_code == 302
    db.session.refresh(person)
    assert (person.center_id, person.job_title_id) == (shubra.id, title.id)


def test_hr_adds_districts_in_scope_and_job_titles(client, hr, qalyubia, db):
    governorate, other, _ = qalyubia
    client.post("/manage/staff/districts", data={"governorate_id": governorate.id, "name_ar": "بنها",
                                                  "name_en": "Banha"})
    assert db.session.scalar(sa.select(District).where(District.name_ar == "بنها")).governorate_id == governorate.id
    client.post("/manage/staff/districts", data={"governorate_id": other.id, "name_ar": "مصر الجديدة",
                                                  "name_en": "Heliopolis"})
    assert db.session.scalar(sa.select(District).where(District.name_en == "Heliopolis")) is None
    cairo_district = District(governorate_id=other.id, name_ar="شبرا مصر", name_en="Shubra Masr")
    db.session.add(cairo_district)
    db.session.commit()
    assert client.get(f"/manage/staff/districts/{cairo_district.id}").status_code == 404
    assert "شبرا مصر" not in client.get("/manage/staff/districts").text
    client.post("/manage/staff/job-titles", data={"code": "SUP", "name_ar": "مشرف", "name_en": "Supervisor"})
    assert db.session.scalar(sa.select(JobTitle).where(JobTitle.code == "SUP")).name_ar == "مشرف"
    response = client.post("/manage/staff/job-titles", data={"code": "SUP2", "name_ar": "مشرف", "name_en": "x"})
    assert response.status_code == 200 and db.session.scalar(sa.select(JobTitle).where(JobTitle.code == "SUP2")) is None


def test_only_hr_of_every_governorate_renames_a_job_title(client, auth, hr, qalyubia, db):
    title = factories.JobTitleFactory()
    response = client.post(f"/manage/staff/job-titles/{title.id}", data={"code": "CLERK", "name_ar": "كاتب",
                                                                         "name_en": "Clerk"})
    assert response.status_code == 403 and f"job-titles/{title.id}" not in client.get("/manage/staff/job-titles").text
    db.session.expire_all()
    assert db.session.get(JobTitle, title.id).name_ar == "موظف شباك خدمة"
    auth.as_role("hr")  # every governorate
    client.post(f"/manage/staff/job-titles/{title.id}", data={"code": "CLERK", "name_ar": "كاتب", "name_en": "Clerk"})
    db.session.expire_all()
    assert db.session.get(JobTitle, title.id).name_ar == "كاتب"


def test_the_center_form_takes_a_district_and_a_location(client, as_admin, qalyubia, db):
    governorate = qalyubia[0]
    district = District(governorate_id=governorate.id, name_ar="طوخ", name_en="Toukh")
    db.session.add(district)
    db.session.commit()
    center = qalyubia[2]["QLY-MOB-1"]
    response = client.post(f"/admin/centers/{center.id}", data={
        "code": center.code, "governorate_id": governorate.id, "name_ar": center.name_ar, "name_en": center.name_en,
        "kind": "mobile", "is_active": "y", "district_id": district.id, "location": "أمام مجلس مدينة طوخ"})
    assert response.status_code == 302
    db.session.refresh(center)
    assert center.district_id == district.id and center.location == "أمام مجلس مدينة طوخ"
    assert center.location_updated_at is not None
    # Made a fixed center: it has no current location (its form hides the field; one sent anyway is not kept).
    client.post(f"/admin/centers/{center.id}", data={
        "code": center.code, "governorate_id": governorate.id, "name_ar": center.name_ar, "name_en": center.name_en,
        "kind": "fixed", "is_active": "y", "location": "ميدان المحطة"})
    db.session.refresh(center)
    assert center.kind == "fixed" and center.location == "" and center.location_updated_at is None


def test_the_manager_of_a_mobile_center_updates_its_location(client, auth, qalyubia, db):
    mobile = qalyubia[2]["QLY-MOB-1"]
    auth.as_role("center_manager", center=mobile)
    assert client.get("/manage/staff/center-location").status_code == 200
    client.post("/manage/staff/center-location", data={"location": "ميدان المحطة، بنها"})
    center = db.session.get(Center, mobile.id)
    db.session.refresh(center)
    assert center.location == "ميدان المحطة، بنها" and center.location_updated_at is not None


def test_a_fixed_centers_manager_has_no_location_form(client, auth, qalyubia):
    auth.as_role("center_manager", center=qalyubia[2]["QLY-BENHA"])
    assert qalyubia[2]["QLY-BENHA"].kind == CenterKind.FIXED
    assert client.get("/manage/staff/center-location").status_code == 404


def test_learners_and_trainers_cannot_open_the_staff_screens(client, auth):
    for role in ("learner", "trainer"):
        auth.as_role(role)
        assert client.get("/manage/staff/").status_code == 403


def test_hr_and_admin_accounts_are_shown_but_not_managed(client, hr, qalyubia, db):
    admin = factories.UserFactory(role=Role.ADMIN, center=qalyubia[2]["QLY-BENHA"])
    assert client.post(f"/manage/staff/{admin.id}/deactivate").status_code == 404
    assert db.session.get(User, admin.id).is_active
