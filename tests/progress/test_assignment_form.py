"""The assignment form reads and checks only the part chosen (people or a rule; a day or a number of days); the
other part is hidden on the page, and a refused form keeps the choice and everything typed."""
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lms.extensions import db as _db
from lms.progress import assignments
from lms.progress.models import AssignmentMember
from tests import factories
from tests.progress.org import build_org

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


@pytest.fixture
def org(db):
    return build_org()


@pytest.fixture
def course(db):
    return factories.CourseFactory(modules=1, title_en="Serving citizens")


def _members() -> set[int]:
    return set(_db.session.scalars(sa.select(AssignmentMember.user_id)))


def _checked(page: str, name: str) -> str:
    return re.search(rf'<input checked[^>]*name="{name}"[^>]*value="(\w+)"', page).group(1)


def test_the_page_marks_each_part_for_the_choice_that_shows_it(client, auth, org):
    auth.login(org.hr(org.qalyubia))
    page = client.get("/manage/assignments/new").text
    assert page.count('data-audience="people"') == 1 and page.count('data-audience="rule"') == 1
    assert 'data-due="date"' in page and 'data-due="days"' in page
    assert _checked(page, "audience_type") == "rule" and _checked(page, "due_type") == "date"


def test_people_chosen_ignores_the_rule_part_even_when_it_holds_nonsense(client, auth, org, course, time_machine):
    time_machine.move_to(NOW, tick=False)
    hr = auth.login(org.hr(org.qalyubia))
    clerk = org.people["clerk_fixed"]
    response = client.post("/manage/assignments/new", data={
        "target": f"course-{course.id}", "audience_type": "people", "employee_numbers": clerk.employee_number,
        "governorates": ["not-a-number"], "job_titles": [str(org.clerk.id)], "center_kind": "boat",
        "due_type": "days", "due_days": "10", "due_on": "someday"})
    assert response.status_code == 302
    [assignment] = assignments.list_assignments(hr)[1]
    assert assignment.audience["users"] == [clerk.id] and "job_titles" not in assignment.audience
    assert assignment.due_days == 10
    assert _members() == {clerk.id}  # not every clerk the hidden rule names


def test_rule_chosen_ignores_the_people_part(client, auth, org, course, time_machine):
    time_machine.move_to(NOW, tick=False)
    hr = auth.login(org.hr(org.qalyubia))
    response = client.post("/manage/assignments/new", data={
        "target": f"course-{course.id}", "audience_type": "rule", "job_titles": [str(org.clerk.id)],
        "employee_numbers": "x" * 200_001,  # too long, and not staff: unread, since the rule was chosen
        "due_type": "date", "due_on": "2026-12-31", "due_days": "many"})
    assert response.status_code == 302
    [assignment] = assignments.list_assignments(hr)[1]
    assert "users" not in assignment.audience and assignment.due_on == date(2026, 12, 31)
    assert _members() == {org.people["clerk_fixed"].id, org.people["clerk_mobile"].id}


def test_a_refused_form_keeps_the_choice_and_both_parts_as_typed(client, auth, org, course):
    auth.login(org.hr(org.qalyubia))
    client.post("/language", data={"lang": "en"})
    response = client.post("/manage/assignments/new", data={
        "target": "", "audience_type": "people", "employee_numbers": "E-1234\nE-5678",
        "job_titles": [str(org.clerk.id)], "due_type": "days", "due_days": "", "due_on": "2026-12-31"})
    page = response.text
    assert response.status_code == 200 and _members() == set()
    assert _checked(page, "audience_type") == "people" and _checked(page, "due_type") == "days"
    assert "E-1234\nE-5678</textarea>" in page  # what was typed in the chosen part
    assert re.search(rf'<option selected value="{org.clerk.id}">', page)  # and in the hidden one, kept
    assert 'value="2026-12-31"' in page
    assert "Give a whole number of days." in page  # the chosen due field is checked
    assert "Give a date" not in page  # the other one is not


def test_a_refused_choice_is_tied_to_its_group_for_a_screen_reader(client, auth, org):
    # The audience's error stood below its radio buttons, linked to nothing: a screen reader on a radio heard none.
    auth.as_role("hr", scope_governorate_id=org.qalyubia.id)
    page = client.post("/manage/assignments/new", data={"audience_type": "bogus"}).text
    group = re.search(r'<fieldset class="field radios choice has-error"[^>]*>', page).group(0)
    assert 'aria-describedby="audience_type-error"' in group and 'id="audience_type-error"' in page
    radios = re.findall(r'<input[^>]*name="audience_type"[^>]*>', page)
    assert radios and all('aria-invalid="true"' in radio for radio in radios)
