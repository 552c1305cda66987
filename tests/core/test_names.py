"""People's names lose invisible and direction-control characters wherever they enter (admin form, roster file,
staff API) and when a certificate prints them; a name of nothing but such characters is refused."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import roster, roster_files
from lms.accounts.models import User
from lms.auth.services import issue_api_token
from lms.certificates.models import Certificate
from lms.core.names import clean_name
from lms.courses.models import Course
from tests import factories
from tests.accounts.conftest import ENGLISH_HEADERS, csv_text
from tests.certificates.conftest import complete

RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"
ZWNJ = "\u200c"


@pytest.mark.no_db
@pytest.mark.parametrize(("raw", "clean"), [
    ("أحمد علي", "أحمد علي"),
    (f"{RLO}nahmA{PDF}", "nahmA"),  # shown as "Amhan" with the override: the certificate must print what is stored
    (f"Sara{LRI}\u202a\u202b\u202d{PDI} Ali", "Sara Ali"),
    ("\u200e\u200f\u061cمنى\ufeff\u200b", "منى"),  # LRM, RLM, ALM, BOM, zero-width space
    ("  سارة \t\n  علي  ", "سارة علي"),
    ("\xa0Mona\u3000Ali\u2028", "Mona Ali"),  # no-break, ideographic and line separator spaces
    (f"می{ZWNJ}خواهم", f"می{ZWNJ}خواهم"),  # Persian: ZWNJ between letters shapes the word, kept
    (f"{ZWNJ}علي{ZWNJ}", "علي"),  # at the edges it does nothing: dropped
    ("Omar\x00\x07", "Omar"),
    ("e\u0301", "é"),  # NFC: one code point, as typed on another keyboard
    (f"{RLO}{PDF}", ""), ("\u200b\u2066\u2069", ""), ("\u3164\u115f\u2800", ""), (" ", ""), ("-.-", ""),
    (None, ""),
])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


NEW_USER = {"username": "sara.ali", "full_name_ar": "سارة علي", "full_name_latin": "Sara Ali", "role": "learner",
            "is_active": "y", "password": "a long password"}


def test_the_admin_form_stores_names_without_direction_controls(client, as_admin, db):
    data = {**NEW_USER, "full_name_ar": f"{RLO}سارة علي{PDF}", "full_name_latin": f"{LRI}Sara Ali{PDI}"}
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "sara.ali"))
    assert (user.full_name_ar, user.full_name_latin) == ("سارة علي", "Sara Ali")


def test_the_admin_form_refuses_a_name_of_invisible_characters(client, as_admin, db):
    response = client.post("/admin/users/new", data={**NEW_USER, "full_name_ar": f"\u200b{RLO}{PDF}\u3164"})
    assert response.status_code == 200 and "aria-invalid" in response.text
    assert db.session.scalar(sa.select(User).where(User.username == "sara.ali")) is None


def test_roster_rows_lose_direction_controls_and_invisible_names_are_required(db):
    center = factories.CenterFactory(code="QLY-1")
    admin = factories.UserFactory(role="admin", center=None)
    rows = [["5001", f"{RLO}نهى{PDF}", f"{LRI}Noha{PDI}", "", center.code, "", ""],
            ["5002", f"\u200b{RLO}{PDF}", "", "", center.code, "", ""]]
    file = csv_text(ENGLISH_HEADERS, rows).encode()
    plan = roster.plan_roster(roster_files.read_roster("r.csv", file), admin)
    assert [(e.row, e.field, e.code) for e in plan.errors] == [(3, "full_name_ar", "required")]
    assert plan.to_create[0].target["full_name_ar"] == "نهى"
    assert plan.to_create[0].target["full_name_latin"] == "Noha"


def test_the_staff_api_stores_clean_names_and_refuses_invisible_ones(client, db):
    center = factories.CenterFactory(code="QLY-1")
    token, _record = issue_api_token(factories.UserFactory(role="hr", center=None), timedelta(hours=1))
    headers = {"Authorization": f"Bearer {token}"}
    body = {"full_name_ar": f"{RLO}سارة{PDF}", "center_code": center.code, "status": "active"}
    assert client.put("/api/v1/staff/7001", json=body, headers=headers).status_code == 201
    assert db.session.scalar(sa.select(User.full_name_ar).where(User.employee_number == "7001")) == "سارة"
    response = client.put("/api/v1/staff/7002", json={**body, "full_name_ar": f"{LRI}{PDI}"}, headers=headers)
    assert response.status_code == 400
    assert response.json["error"]["fields"][0]["field"] == "full_name_ar"
    assert db.session.scalar(sa.select(User).where(User.employee_number == "7002")) is None


def test_a_certificate_prints_a_name_stored_before_cleaning_without_its_controls(db):
    learner = factories.UserFactory(full_name_ar=f"{RLO}منى{PDF}", full_name_latin=f"Mona{LRI}{PDI}")
    course = factories.CourseFactory(modules=1, title_en=f"{RLO}Serving citizens")
    complete(learner, course)
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))
    assert (certificate.name_ar, certificate.name_latin) == ("منى", "Mona")
    assert certificate.course_title_en == "Serving citizens"


def test_course_titles_from_the_editor_lose_direction_controls(client, as_admin, db):
    data = {"slug": "bidi-course", "title_ar": f"{RLO}دورة{PDF}", "title_en": f"{LRI}Course{PDI}",
            "status": "draft", "estimated_minutes": "30"}
    assert client.post("/manage/courses/new", data=data).status_code == 302
    course = db.session.scalar(sa.select(Course).where(Course.slug == "bidi-course"))
    assert (course.title_ar, course.title_en) == ("دورة", "Course")
