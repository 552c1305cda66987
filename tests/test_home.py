"""The home page (`/`) by role: each role sees its sections and not the others', the figures link to the filtered
screens, and a passed quiz leads to the certificate."""
import re
from datetime import timedelta

import pytest
from flask import url_for

from lms.core.home import HomeSection, home, home_sections
from lms.core.models import utcnow
from lms.progress import services as progress
from lms.quizzes import attempts
from tests import factories
from tests.certificates.test_home import make_certificate
from tests.quizzes.conftest import add_bank, right_answers

LEARNER_SECTIONS = ("Due next", "Continue where you left off", "New certificates", "My courses")
TRAINER_SECTIONS = ("Your courses", "Recent attempts", "Questions that need a look")
STAFF_SECTIONS = ("Training of your staff", "Certificates")
ADMIN_SECTIONS = ("System health",)


def _home(client, lang="en") -> str:
    with client.session_transaction() as session:
        session["lang"] = lang
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _headings(html: str) -> list[str]:
    return re.findall(r"<h2 id=\"[^\"]+\">([^<]+)</h2>", html)


def _hrefs(app, *endpoints) -> list[str]:
    with app.test_request_context():
        return [url_for(endpoint, **args).replace("&", "&amp;") for endpoint, args in endpoints]


def test_sections_are_drawn_in_order_for_their_roles_and_only_when_they_have_something(app):
    viewer = factories.UserFactory.build(role="hr")
    with app.app_context():
        names = [s.name for s in home_sections(viewer, utcnow())]
    assert names == ["standing", "certificate-desk"]  # an HR officer who follows no course of their own
    assert all(isinstance(section, HomeSection) for section in home.entries(app))


def test_the_learner_sees_what_is_due_where_they_left_off_and_their_new_certificate(app, client, as_learner, db):
    now = utcnow()
    late = factories.CourseFactory(title_en="Late course")
    enrollment = progress.enroll(as_learner.id, late)
    enrollment.due_at, enrollment.last_position, enrollment.last_activity_at = now - timedelta(days=2), 2, now
    db.session.commit()
    certificate = make_certificate(db, as_learner, issued_at=now - timedelta(days=1))
    html = _home(client)
    assert _headings(html)[:3] == list(LEARNER_SECTIONS[:3]) and "My courses" in _headings(html)
    assert not set(_headings(html)) & {*TRAINER_SECTIONS, *STAFF_SECTIONS, *ADMIN_SECTIONS}
    assert "Late course" in html and "Overdue" in html
    assert _hrefs(app, ("progress.module", {"slug": late.slug, "position": 2}))[0] in html
    download, = _hrefs(app, ("certificates.download", {"code": re.sub(r"(.{4})(?!$)", r"\1-", certificate.code)}))
    assert download in html
    arabic = _home(client, "ar")
    assert "المواعيد النهائية القادمة" in arabic and "متأخر" in arabic
    assert re.search(r'<span class="figure">١</span>\s*دورة متأخرة', arabic)  # Arabic-Indic digits, words


def test_the_learners_course_card_leads_to_the_certificate_of_a_completed_course(app, client, as_learner, db):
    course = factories.CourseFactory(modules=1)
    progress.enroll(as_learner.id, course)
    progress.complete_module(as_learner.id, course, 1)  # no quiz: the course is completed, the certificate issued
    html = _home(client)
    card = re.search(r'<article class="course-card">.*?</article>', html, re.S).group(0)
    assert "Download your certificate" in card and "/certificates/" in card and ".pdf" in card


def test_a_passed_quiz_leads_straight_to_the_certificate(app, client, as_learner, db):
    course = add_bank(factories.CourseFactory(modules=1))
    progress.enroll(as_learner.id, course)
    attempt = attempts.start_attempt(as_learner.id, course)
    attempts.save_answers(attempt.id, as_learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, as_learner.id)
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Finish every module of the course to receive your certificate." in page  # a module is left
    assert "Download your certificate" not in page

    progress.complete_module(as_learner.id, course, 1)
    page = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    assert "Download your certificate" in page and re.search(r'href="/certificates/[-A-Z0-9]+\.pdf"', page)


def test_a_failed_quiz_says_nothing_of_a_certificate(client, as_learner, db):
    course = add_bank(factories.CourseFactory(modules=1))
    progress.enroll(as_learner.id, course)
    attempt = attempts.start_attempt(as_learner.id, course)
    attempts.submit_attempt(attempt.id, as_learner.id)  # nothing answered
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = client.get(f"/quiz/attempts/{attempt.id}/result").get_data(as_text=True)
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    assert "did not pass" in main and "certificate" not in main.lower()


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_and_administrators_see_their_figures_each_a_link_to_the_filtered_screen(app, client, auth, role):
    auth.as_role(role, center=None, job_title=None)
    html = _home(client)
    headings = _headings(html)
    assert all(h in headings for h in STAFF_SECTIONS)
    assert not set(headings) & {*LEARNER_SECTIONS, *TRAINER_SECTIONS}
    assert "You are not enrolled" not in html
    for href in _hrefs(app, ("reports.overdue", {}), ("reports.overview", {}),
                       ("certificates_manage.search", {"status": "valid", "printed": "no"}),
                       ("certificates_manage_printing.batch_list", {}),
                       ("certificates_manage.expiry", {"days": 30})):
        assert f'href="{href}"' in html, href
    assert ("System health" in headings) is (role == "admin")


def test_the_administrator_is_warned_when_the_daily_run_never_ran(client, as_admin):
    html = _home(client)
    assert "The daily run has never run" in html and "jobs waiting" in html


def test_the_center_manager_sees_the_reports_figures_and_the_certificates_without_the_print_rooms_links(
        app, client, as_center_manager):
    html = _home(client)
    assert all(h in _headings(html) for h in STAFF_SECTIONS) and "System health" not in html
    assert f'href="{_hrefs(app, ("reports.overdue", {}))[0]}"' in html
    assert "/manage/certificates" not in html  # the print room is HR's
    assert "HR prints the certificates" in html


def test_the_trainer_sees_their_courses_and_not_the_staffs_figures(app, client, auth, db):
    auth.as_role("trainer")
    course = factories.CourseFactory(title_en="Shared course")  # naming no trainer: every trainer's
    html = _home(client)
    headings = _headings(html)
    assert "Your courses" in headings and "Questions that need a look" in headings
    assert "Recent attempts" not in headings  # nobody attempted a quiz yet
    assert not set(headings) & {*STAFF_SECTIONS, *ADMIN_SECTIONS}
    assert _hrefs(app, ("courses.edit_course", {"slug": course.slug}))[0] in html


@pytest.mark.parametrize("role", ["hr", "admin", "trainer", "learner", "center_manager"])
def test_arabic_homes_write_every_figure_in_arabic_indic_digits(client, auth, db, role):
    viewer = auth.as_role(role)
    for n in range(12):  # two-digit figures: "13 enrolments" must read "١٣"
        clerk = factories.UserFactory(center=viewer.center)
        course = factories.CourseFactory(title_ar="دورة تجريبية")  # names may hold any digits; figures may not
        enrollment = progress.enroll(clerk.id if n else viewer.id, course)
        enrollment.due_at = utcnow() - timedelta(days=1)
    factories.CourseFactory(modules=1, title_ar="دورة متاحة")
    db.session.commit()
    main = re.search(r"<main.*?</main>", _home(client, "ar"), re.S).group(0)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<bdi>.*?</bdi>", "", main))
    assert not re.search(r"[0-9]", text), re.findall(r".{0,30}[0-9].{0,10}", text)


@pytest.mark.parametrize("lang, none", [("ar", "لا"), ("en", "No")])
def test_a_figure_of_nothing_says_no_rather_than_a_zero_that_reads_as_a_bullet(client, auth, lang, none):
    # The Arabic-Indic zero is a lone dot in large type: "٠ printed certificate waiting to be handed over" was read
    # as a bulleted "a printed certificate is waiting". A manager's new center has nothing in any figure.
    auth.as_role("center_manager")
    main = re.search(r"<main.*?</main>", _home(client, lang), re.S).group(0)
    figures = re.findall(r'<span class="figure">([^<]*)</span>', main)
    assert figures == [none, "٠٪" if lang == "ar" else "0%", none, none, none, none]  # the rate is a percentage
    if lang == "en":
        assert '<span class="figure">No</span> printed certificates waiting to be handed over' in main
