"""Review of issue 5's assignments: the same form sent twice, the page of an assignment to named people, and the
choices a center manager is offered."""
from datetime import date

import sqlalchemy as sa

from lms.accounts.models import District
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.progress import assignments
from lms.progress.models import Assignment
from tests import factories
from tests.progress.org import build_org


def _form(course, org) -> dict:
    return {"target": f"course-{course.id}", "audience_type": "rule", "job_titles": [str(org.clerk.id)],
            "due_type": "date", "due_on": "2099-12-31", "due_days": ""}


def test_the_same_assignment_sent_twice_is_stored_and_told_once(client, auth, db):
    org = build_org()
    course = factories.CourseFactory(modules=1)
    auth.login(org.hr(org.qalyubia))
    first = client.post("/manage/assignments/new", data=_form(course, org))
    second = client.post("/manage/assignments/new", data=_form(course, org))  # a double click, a reload
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 1
    told = _db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == "assigned")).all()
    assert sorted(told) == sorted({org.people["clerk_fixed"].id, org.people["clerk_mobile"].id})


def test_a_different_due_date_or_a_withdrawn_one_is_a_new_assignment(db):
    org = build_org()
    course = factories.CourseFactory(modules=1)
    hr = org.hr(org.qalyubia)
    audience = {"job_titles": [org.clerk.id]}
    first = assignments.create_assignment(hr, audience=audience, course_id=course.id, due_on=date(2099, 12, 31))
    later = assignments.create_assignment(hr, audience=audience, course_id=course.id, due_on=date(2100, 1, 31))
    assert later.id != first.id
    assignments.withdraw(first.id, hr)
    again = assignments.create_assignment(hr, audience=audience, course_id=course.id, due_on=date(2099, 12, 31))
    assert again.id not in (first.id, later.id)


def test_the_page_of_an_assignment_to_named_people_shows_how_many(client, auth, db):
    org = build_org()
    course = factories.CourseFactory(modules=1)
    hr = auth.login(org.hr(org.qalyubia))
    named = [org.people["clerk_fixed"].id, org.people["clerk_mobile"].id]
    assignment = assignments.create_assignment(hr, audience={"users": named}, course_id=course.id, due_days=10)
    page = client.get(f"/manage/assignments/{assignment.id}")
    assert page.status_code == 200
    assert "٢ موظفان محددان" in page.text or "موظفان محددان" in page.text or "2 named people" in page.text


def test_a_center_manager_is_offered_their_own_district_only(client, auth, db):
    org = build_org()
    factories.CourseFactory(modules=1)
    other = District(governorate_id=org.qalyubia.id, name_ar="شبين القناطر", name_en="Shebin El Qanater")
    _db.session.add(other)
    _db.session.commit()
    auth.login(org.manager(org.fixed))  # the fixed center is in the district of Banha
    page = client.get("/manage/assignments/new").text
    assert org.district.name_ar in page or org.district.name_en in page
    assert other.name_ar not in page and other.name_en not in page
