"""Offline exams: prepared for named staff all or nothing, the code shown once, packages that the code opens."""
import re
from datetime import date

import pytest
import sqlalchemy as sa

from lms.core.encoding import b64url
from lms.offline import codes
from lms.offline.models import OfflineExam, OfflineSeat
from lms.progress import services as progress
from lms.quizzes import attempts
from lms.quizzes.chain import chain_key
from tests import factories
from tests.offline.conftest import bearer, register

NEW = "/offline/exams/new"


@pytest.fixture
def staff(db, quiz_course):
    center = factories.CenterFactory()
    people = [factories.UserFactory(center=center, full_name_ar=f"موظف {n}") for n in range(3)]
    for person in people:
        progress.enroll(person.id, quiz_course)
    return center, people


def form(course, people, opens="2026-12-01", closes="2099-12-31"):
    return {"course": str(course.id), "employee_numbers": "\n".join(p.employee_number for p in people),
            "opens_on": opens, "closes_on": closes}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_hr_prepares_an_exam_and_sees_the_code_once(client, auth, db, quiz_course, staff):
    _center, people = staff
    auth.as_role("hr")
    assert client.get(NEW).status_code == 200
    response = client.post(NEW, data=form(quiz_course, people))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    code = re.search(r'class="code-value"[^>]*><strong>([0-9A-Z]{5} [0-9A-Z]{5})</strong>', page).group(1)
    assert "رمز المراقب" in page and "Invigilator code" in page and page.count(code) == 2
    exam = db.session.scalar(sa.select(OfflineExam))
    assert [s.user_id for s in exam.seats] == [p.id for p in people]
    assert code.replace(" ", "") not in str([exam.salt, *[s.package for s in exam.seats]])  # never stored
    assert all(s.questions and s.package["seat"] == s.id for s in exam.seats)


def test_the_package_opens_with_the_code_and_holds_the_questions_and_the_chain_key(client, auth, db, quiz_course,
                                                                                    staff):
    _center, people = staff
    auth.as_role("hr")
    page = client.post(NEW, data=form(quiz_course, people[:1])).get_data(as_text=True)
    code = re.search(r"<strong>([0-9A-Z]{5} [0-9A-Z]{5})</strong>", page).group(1)
    seat = db.session.scalar(sa.select(OfflineSeat))
    grant = register(people[0])
    listing = client.get("/offline/api/exams", headers=bearer(grant.token)).get_json()["exams"]
    assert listing == [{"seat": seat.id, "course": {"slug": quiz_course.slug, "title": {
        "ar": quiz_course.title_ar, "en": quiz_course.title_en}}, "opens_on": "2026-12-01",
        "closes_on": "2099-12-31", "time_limit_seconds": None, "questions": len(seat.questions),
        "package_url": f"/offline/api/seats/{seat.id}/package", "received": False}]
    package = client.get(listing[0]["package_url"], headers=bearer(grant.token)).get_json()
    assert package["kdf"] == {"name": "PBKDF2", "hash": "SHA-256", "iterations": 310000,
                              "salt": package["kdf"]["salt"]}
    assert package["cipher"]["aad"] == f"lms-seat:{seat.id}"
    typed = code.lower().replace(" ", "-")  # as typed on a tablet: lower case, a dash
    plain = codes.open_package(package, typed)
    assert plain["seat"] == seat.id and plain["chain_key"] == b64url(chain_key("seat", seat.id))
    assert plain["questions"] == [item["question"] for item in seat.questions]
    for lang in ("ar", "en"):
        fieldsets = re.findall(r'<fieldset class="question"[^>]*data-question="(\d+)"', plain["html"][lang])
        assert [int(q) for q in fieldsets] == plain["questions"]
        assert "data-reader" in plain["html"][lang]
    assert "SECRET-FEEDBACK" not in str(plain)  # no key nor feedback in a package
    with pytest.raises(Exception):  # noqa: B017, PT011 (AESGCM's InvalidTag)
        codes.open_package(package, "0000000000")
    assert db.session.get(OfflineSeat, seat.id, populate_existing=True).downloaded_at is not None
    other = register(people[1])
    assert client.get(listing[0]["package_url"], headers=bearer(other.token)).status_code == 404


def test_the_code_is_read_as_typed():
    assert codes.normalize("ab1o i-l٣ ") == "AB10113"
    assert len(codes.new_code()) == 10 and set(codes.new_code()) <= set(codes.ALPHABET)


def test_nothing_is_made_when_someone_cannot_take_it_and_the_form_says_who_and_why(client, auth, db, quiz_course,
                                                                                   staff):
    _center, people = staff
    quiz_course.quiz_settings = {**quiz_course.quiz_settings, "attempts": 1}
    db.session.commit()
    finished = attempts.start_attempt(people[1].id, quiz_course)
    attempts.submit_attempt(finished.id, people[1].id)
    stranger = factories.UserFactory()  # not enrolled
    auth.as_role("hr")
    data = form(quiz_course, [*people, stranger])
    data["employee_numbers"] += "\nNOPE-1"
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert count(db, OfflineExam) == 0 and count(db, OfflineSeat) == 0
    problems = re.search(r'<ul class="error-list"[^>]*>(.*?)</ul>', page, re.S).group(1)
    assert "NOPE-1" in problems and people[1].employee_number in problems and stranger.employee_number in problems
    assert people[0].employee_number not in problems
    assert "No attempt left at this quiz." in problems or "لم تتبق" in problems


def test_a_center_manager_examines_only_their_centers_staff(client, auth, db, quiz_course, staff):
    center, people = staff
    outsider = factories.UserFactory()
    progress.enroll(outsider.id, quiz_course)
    auth.as_role("center_manager", center=center)
    assert client.post(NEW, data=form(quiz_course, [outsider])).status_code == 422
    assert client.post(NEW, data=form(quiz_course, people)).status_code == 200
    assert count(db, OfflineSeat) == 3


@pytest.mark.parametrize(("opens", "closes"), [("2026-12-10", "2026-12-01"), ("2020-01-01", "2020-01-02"),
                                               ("x", "2099-01-01"), ("2099-01-01", "")])
def test_bad_dates_are_refused(client, auth, db, quiz_course, staff, opens, closes):
    auth.as_role("hr")
    assert client.post(NEW, data=form(quiz_course, staff[1], opens, closes)).status_code == 422
    assert count(db, OfflineExam) == 0


def test_learners_cannot_prepare_exams(client, auth, db):
    auth.as_role("learner")
    assert client.get(NEW).status_code == 403


def test_a_trainer_prepares_for_enrolled_learners(client, auth, db, quiz_course, staff):
    auth.as_role("trainer")
    assert client.post(NEW, data=form(quiz_course, staff[1][:2])).status_code == 200
    assert count(db, OfflineSeat) == 2
    assert date.today()  # (the closing day is far ahead: no dependence on today)
