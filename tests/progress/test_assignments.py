"""Assigning a course to an audience: who it reaches (within the assigner's scope), due dates, statuses by the
clock, people who join later, withdrawing, and the screens."""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from lms.core.db import begin_write
from lms.core.localtime import end_of_day, local_date
from lms.core.models import ValidationError
from lms.core.signals import staff_changed
from lms.courses.models import CourseStatus
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.progress import assignments
from lms.progress import services as progress
from lms.progress.models import AssignmentMember, Enrollment
from tests import factories
from tests.progress.org import QueryCounter, build_org

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
CAIRO = ZoneInfo("Africa/Cairo")


@pytest.fixture
def org(db):
    return build_org()


@pytest.fixture
def course(db):
    return factories.CourseFactory(modules=2, title_ar="خدمة المواطنين", title_en="Serving citizens")


def enrolment(user, course):
    return _db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == user.id,
                                                          Enrollment.course_id == course.id))


def members(assignment) -> set[int]:
    return set(_db.session.scalars(sa.select(AssignmentMember.user_id).where(
        AssignmentMember.assignment_id == assignment.id)))


def test_all_window_clerks_of_the_hr_governorate_with_a_due_date(org, course):
    hr = org.hr(org.qalyubia)
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_on=date(2026, 12, 31), now=NOW)
    reached = {org.people["clerk_fixed"].id, org.people["clerk_mobile"].id}
    assert members(assignment) == reached  # not Giza's clerk, not the other job title, not the one who left
    assert assignment.audience == {"job_titles": [org.clerk.id], "within_governorate": org.qalyubia.id}
    due = datetime(2026, 12, 31, 23, 59, 59, tzinfo=CAIRO)
    for user_id in reached:
        row = _db.session.scalar(sa.select(Enrollment).where(Enrollment.user_id == user_id))
        assert row.is_required and row.due_at == due and row.course_id == course.id
    notes = _db.session.scalars(sa.select(Notification).where(Notification.kind == "assigned")).all()
    assert {n.user_id for n in notes} == reached
    params = notes[0].params
    assert notes[0].key == f"assigned:{assignment.id}"
    assert params["title"] == {"ar": "خدمة المواطنين", "en": "Serving citizens"}
    assert params["url"] == f"/courses/{course.slug}" and datetime.fromisoformat(params["due_at"]) == due


def test_a_rule_matches_every_part_and_any_value_within_a_part(org, course):
    admin = org.admin()
    fixed_clerks = assignments.create_assignment(
        admin, audience={"center_kind": "fixed", "job_titles": [org.clerk.id]}, course_id=course.id,
        due_days=30, now=NOW)
    assert members(fixed_clerks) == {org.people["clerk_fixed"].id, org.people["clerk_giza"].id}
    by_place = assignments.create_assignment(
        admin, audience={"districts": [org.district.id], "centers": [org.mobile.id, org.fixed.id]},
        course_id=course.id, due_days=30, now=NOW)
    assert members(by_place) == {org.people["clerk_fixed"].id, org.people["other_fixed"].id}


def test_an_existing_enrolment_keeps_the_earlier_due_date_and_a_completed_one_its_own(org, course):
    admin = org.admin()
    early, done = org.people["clerk_fixed"], org.people["clerk_mobile"]
    progress.enroll(early.id, course)
    enrolment(early, course).due_at = NOW + timedelta(days=3)
    progress.enroll(done.id, course)
    for position in (1, 2):
        progress.complete_module(done.id, course, position)
    _db.session.commit()
    assignments.create_assignment(admin, audience={"users": [early.id, done.id]}, course_id=course.id,
                                  due_days=30, now=NOW)
    assert enrolment(early, course).due_at == NOW + timedelta(days=3)
    assert enrolment(done, course).due_at is None and enrolment(done, course).is_required
    # Nobody is told to take a course they have completed.
    assert _db.session.scalar(sa.select(Notification.user_id).where(Notification.kind == "assigned")) == early.id


def test_due_days_count_from_joining(org, course):
    admin = org.admin()
    assignment = assignments.create_assignment(admin, audience={"users": [org.people["clerk_fixed"].id]},
                                               course_id=course.id, due_days=14, now=NOW)
    # The end of the 14th day after joining, in the governorate's time: the day the screens show.
    expected = end_of_day(local_date(NOW) + timedelta(days=14))
    assert enrolment(org.people["clerk_fixed"], course).due_at == expected
    assert assignment.due_on is None and assignment.due_days == 14


@pytest.mark.parametrize("change, field", [
    ({"due_on": date(2026, 11, 21)}, "due_on"),
    ({"due_days": 0}, "due_days"),
    ({"audience": {"job_titles": [999_999]}}, "job_titles"),
    ({"audience": {"governorates": ["giza"]}}, "governorates"),
    ({"audience": {"users": []}}, "users"),
    ({"audience": {"center_kind": "flying"}}, "center_kind"),
])
def test_bad_input_is_refused_and_changes_nothing(org, course, change, field):
    values = {"audience": {"job_titles": [org.clerk.id]}, "course_id": course.id, "due_days": 10, **change}
    if "due_on" in change:
        values.pop("due_days")
    with pytest.raises(ValidationError) as refused:
        assignments.create_assignment(org.hr(), now=NOW, **values)
    assert field in refused.value.errors
    assert _db.session.scalar(sa.select(sa.func.count(AssignmentMember.user_id))) == 0


def test_a_draft_course_and_an_empty_audience_are_refused(org, course):
    hr = org.hr()
    course.status = CourseStatus.DRAFT
    _db.session.commit()
    with pytest.raises(ValidationError) as refused:
        assignments.create_assignment(hr, audience={}, course_id=course.id, due_days=5, now=NOW)
    assert list(refused.value.errors) == ["course"]
    course.status = CourseStatus.PUBLISHED
    _db.session.commit()
    nobody = factories.JobTitleFactory(code="NOBODY")
    with pytest.raises(ValidationError) as refused:
        assignments.create_assignment(hr, audience={"job_titles": [nobody.id]}, course_id=course.id, due_days=5,
                                      now=NOW)
    assert "" in refused.value.errors


def test_the_scope_bounds_what_an_assigner_may_name(org, course):
    hr = org.hr(org.qalyubia)
    with pytest.raises(ValidationError) as refused:
        assignments.create_assignment(hr, audience={"governorates": [org.giza.id]}, course_id=course.id,
                                      due_days=5, now=NOW)
    assert "governorates" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        assignments.create_assignment(hr, audience={"users": [org.people["clerk_giza"].id]}, course_id=course.id,
                                      due_days=5, now=NOW)
    assert "users" in refused.value.errors
    manager = org.manager(org.fixed)
    with pytest.raises(ValidationError):
        assignments.create_assignment(manager, audience={"centers": [org.mobile.id]}, course_id=course.id,
                                      due_days=5, now=NOW)
    mine = assignments.create_assignment(manager, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                         due_days=5, now=NOW)
    assert members(mine) == {org.people["clerk_fixed"].id}
    assert mine.audience["within_center"] == org.fixed.id


def test_statuses_follow_the_clock(org, course):
    hr = org.hr(org.qalyubia)
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_on=date(2026, 12, 1), now=NOW)
    started, idle = org.people["clerk_fixed"], org.people["clerk_mobile"]
    progress.complete_module(started.id, course, 1)
    counts = assignments.status_counts([assignment.id], hr, NOW)[assignment.id]
    assert counts == {"not_started": 1, "in_progress": 1, "completed": 0, "overdue": 0}
    later = datetime(2026, 12, 2, tzinfo=UTC)
    assert assignments.status_counts([assignment.id], hr, later)[assignment.id] == {
        "not_started": 0, "in_progress": 0, "completed": 0, "overdue": 2}
    progress.complete_module(idle.id, course, 1)
    progress.complete_module(idle.id, course, 2)
    assert assignments.status_counts([assignment.id], hr, later)[assignment.id]["completed"] == 1
    _total, rows = assignments.members_page(assignment, hr, sort="status", now=later)
    assert [(r.user.id, r.status) for r in rows] == [(idle.id, "completed"), (started.id, "overdue")]


def test_new_staff_who_match_a_rule_join_it(org, course):
    hr = org.hr(org.qalyubia)
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    newcomer = org.add("newcomer", org.mobile)
    giza_newcomer = org.add("giza_newcomer", org.giza_center)
    begin_write()
    staff_changed.send([newcomer.id, giza_newcomer.id])
    _db.session.commit()
    assert newcomer.id in members(assignment) and giza_newcomer.id not in members(assignment)
    due = enrolment(newcomer, course).due_at
    # Counted from the day they joined (today: staff_changed carries no clock), to the end of that day.
    assert due == end_of_day(local_date(datetime.now(UTC)) + timedelta(days=10))
    assert _db.session.scalar(sa.select(Notification.key).where(Notification.user_id == newcomer.id)) == \
        f"assigned:{assignment.id}"
    staff_changed.send([newcomer.id])  # again: nothing new
    assert len(members(assignment)) == 3


def test_a_person_who_moves_into_the_rule_joins_it(org, course):
    admin = org.admin()
    assignment = assignments.create_assignment(admin, audience={"centers": [org.fixed.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    mover = org.people["clerk_giza"]
    mover.center = org.fixed
    _db.session.commit()
    assignments.join_matching([mover.id])
    assert mover.id in members(assignment)


def test_a_withdrawn_assignment_takes_nobody_new_and_keeps_its_records(org, course):
    hr = org.hr(org.qalyubia)
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    assignments.withdraw(assignment.id, hr)
    newcomer = org.add("newcomer", org.fixed)
    staff_changed.send([newcomer.id])
    assert newcomer.id not in members(assignment)
    assert len(members(assignment)) == 2 and enrolment(org.people["clerk_fixed"], course).is_required


def test_another_governorate_cannot_withdraw_or_see_it(org, course):
    hr = org.hr(org.qalyubia)
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    giza_hr = org.hr(org.giza)
    with pytest.raises(LookupError):
        assignments.withdraw(assignment.id, giza_hr)
    assert assignments.list_assignments(giza_hr) == (0, [])


def _people(org, n: int) -> None:
    for _ in range(n):
        org.add("x", org.fixed)


def test_assigning_costs_the_same_statements_for_5_or_50_people(org, course):
    admin = org.admin()
    counts = []
    for extra in (5, 45):
        _people(org, extra)
        with QueryCounter() as counter:
            assignments.create_assignment(admin, audience={"centers": [org.fixed.id]}, course_id=course.id,
                                          due_days=10 + extra, now=NOW)
        counts.append(counter.count)
    assert counts[0] == counts[1]


# -- the screens ----------------------------------------------------------------------------------------------

def test_hr_assigns_from_the_form(client, auth, org, course, time_machine):
    time_machine.move_to(NOW, tick=False)  # the form refuses a due date in the past
    hr = auth.login(org.hr(org.qalyubia))
    page = client.get("/manage/assignments/new").text
    assert org.fixed.code in page and org.giza_center.code not in page  # choices within the scope
    response = client.post("/manage/assignments/new", data={
        "target": f"course-{course.id}", "audience_type": "rule", "job_titles": [str(org.clerk.id)],
        "due_type": "date", "due_on": "٢٠٢٦-١٢-٣١", "due_days": ""})
    assert response.status_code == 302
    [assignment] = assignments.list_assignments(hr)[1]
    assert assignment.due_on == date(2026, 12, 31) and len(members(assignment)) == 2
    listing = client.get("/manage/assignments").text
    assert "Serving citizens" in listing or "خدمة المواطنين" in listing


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client, auth, org, course):
    auth.login(org.hr(org.qalyubia))
    response = client.post("/manage/assignments/new", data={
        "target": f"course-{course.id}", "audience_type": "people",
        "employee_numbers": f"{org.people['clerk_fixed'].employee_number}\n{org.people['clerk_giza'].employee_number}",
        "due_type": "days", "due_days": "10"})
    assert response.status_code == 200
    assert org.people["clerk_giza"].employee_number in response.text  # named as not in scope, and kept
    assert _db.session.scalar(sa.select(sa.func.count(AssignmentMember.user_id))) == 0


def test_a_center_manager_sees_only_their_center(client, auth, org, course):
    admin = org.admin()
    assignment = assignments.create_assignment(admin, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    auth.login(org.manager(org.fixed))
    page = client.get(f"/manage/assignments/{assignment.id}").text
    assert org.people["clerk_fixed"].full_name_ar in page
    assert org.people["clerk_mobile"].full_name_ar not in page and org.people["clerk_giza"].full_name_ar not in page
    assert "Withdraw" not in page and "سحب" not in page
    assert client.post(f"/manage/assignments/{assignment.id}/withdrawal").status_code == 404


def test_out_of_scope_assignments_are_absent(client, auth, org, course):
    hr = org.hr(org.qalyubia)
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    auth.login(org.manager(org.giza_center))
    assert client.get(f"/manage/assignments/{assignment.id}").status_code == 404
    assert f"/manage/assignments/{assignment.id}" not in client.get("/manage/assignments").text


def test_learners_and_trainers_may_not_assign(client, auth):
    for role in ("learner", "trainer"):
        auth.as_role(role)
        assert client.get("/manage/assignments").status_code == 403


def test_withdrawing_from_the_page(client, auth, org, course):
    hr = auth.login(org.hr(org.qalyubia))
    assignment = assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    assert client.post(f"/manage/assignments/{assignment.id}/withdrawal").status_code == 302
    _db.session.refresh(assignment)
    assert not assignment.is_active


def test_the_member_list_sorts_on_an_allow_list_and_pages(client, auth, org, course):
    hr = auth.login(org.hr(org.qalyubia))
    assignment = assignments.create_assignment(hr, audience={"centers": [org.fixed.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    assert client.get(f"/manage/assignments/{assignment.id}?sort=password_hash&dir=desc").status_code == 200
    assert client.get(f"/manage/assignments/{assignment.id}?sort=due&status=overdue&page=9").status_code == 200


def _member_page_queries(app, client, url) -> int:
    client.get(url)
    with app.app_context(), QueryCounter() as counter:
        assert client.get(url).status_code == 200
    return counter.count


@pytest.mark.parametrize("which", ["list", "show"])
def test_the_pages_run_a_fixed_number_of_queries(app, client, auth, org, course, which):
    hr = auth.login(org.hr(org.qalyubia))
    assignment = assignments.create_assignment(hr, audience={"centers": [org.fixed.id]}, course_id=course.id,
                                               due_days=10, now=NOW)
    url = "/manage/assignments" if which == "list" else f"/manage/assignments/{assignment.id}"
    small = _member_page_queries(app, client, url)
    _people(org, 30)
    assignments.join_matching([p.id for p in org.people.values()])
    assignments.create_assignment(hr, audience={"job_titles": [org.clerk.id]}, course_id=course.id, due_days=3,
                                  now=NOW)
    assert _member_page_queries(app, client, url) == small


def test_the_dashboard_shows_the_due_date_and_overdue(client, auth, org, course, time_machine):
    time_machine.move_to(NOW, tick=False)  # the page reads the clock: it must be the assignment's
    learner = auth.login(org.people["clerk_fixed"])
    admin = org.admin()
    assignments.create_assignment(admin, audience={"users": [learner.id]}, course_id=course.id, due_days=5, now=NOW)
    page = client.get("/").text
    assert "training-overdue" not in page and ("due by" in page or "الموعد" in page or "due" in page)
    time_machine.move_to(NOW + timedelta(days=6, hours=1))  # past the end of the fifth day in Cairo
    auth.login(learner)  # a new working day, a new sign-in
    assert "training-overdue" in client.get("/").text
