"""Revocation follows through: a revoked course certificate takes its learning paths' certificates with it and the
course is passed again; a path certificate is never issued while one of its course certificates is revoked."""
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.auth.services import issue_api_token
from lms.certificates import issuing, revocation, services
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate, CertificateEvent, CertificateStatus
from lms.certificates.texts import consequence_text, log_details, revocation_reason
from lms.core.models import ValidationError
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.progress import assignments, paths
from lms.progress import services as progress
from lms.progress.models import ModuleCompletion, PathEnrollment, PathStatus
from lms.quizzes import attempts
from lms.quizzes.models import QuizAttempt
from lms.reports.services import transcript
from tests import factories
from tests.conftest import database_url, make_app, run_in_threads
from tests.quizzes.conftest import add_bank, right_answers

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def courses(db):
    first = factories.CourseFactory(modules=2, slug="first-steps", title_en="First steps", title_ar="الخطوات الأولى")
    second = add_bank(factories.CourseFactory(modules=1, slug="second-steps", title_en="Second steps"))
    return first, second


def make_path(courses, **values):
    base = {"slug": "window-basics", "title_ar": "أساسيات الشباك", "title_en": "Window basics",
            "is_ordered": True, "validity_months": 12, "status": PathStatus.PUBLISHED.value}
    return paths.save_path({**base, **values}, [c.id for c in courses], factories.UserFactory(role="trainer"))


@pytest.fixture
def path(courses):
    return make_path(courses)


def take(learner, course):
    """Every module done and, when the course has one, the quiz passed."""
    progress.enroll(learner.id, course)
    for position in range(1, course.module_count + 1):
        progress.complete_module(learner.id, course, position)
    if course.quiz_settings:
        attempt = attempts.start_attempt(learner.id, course)
        attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
        attempts.submit_attempt(attempt.id, learner.id)


def certificate_of(learner, *, course=None, path=None) -> Certificate | None:
    """The learner's current certificate of a course or a path."""
    subject = Certificate.course_id == course.id if course is not None else Certificate.path_id == path.id
    return _db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == learner.id, subject, Certificate.superseded_at.is_(None))
        .execution_options(populate_existing=True))


def path_enrollment(learner, path) -> PathEnrollment:
    return _db.session.scalar(sa.select(PathEnrollment).where(
        PathEnrollment.user_id == learner.id, PathEnrollment.path_id == path.id)
        .execution_options(populate_existing=True))


@pytest.fixture
def graduate(courses, path):
    """A learner who completed the whole path: two course certificates and the path's."""
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    for course in courses:
        take(learner, course)
    assert certificate_of(learner, path=path).status() == CertificateStatus.VALID
    return learner


# -- 1. the path certificate goes with its course certificate ---------------------------------------------------

def test_revoking_a_course_certificate_revokes_the_path_certificate_naming_it(courses, path, graduate):
    first, _second = courses
    hr = factories.UserFactory(role="hr")
    course_certificate, path_certificate = certificate_of(graduate, course=first), certificate_of(graduate, path=path)
    services.revoke(course_certificate.id, "Exam taken by someone else", hr.id)
    path_certificate = _db.session.get(Certificate, path_certificate.id)
    assert path_certificate.status() == CertificateStatus.REVOKED
    assert path_certificate.revoked_with_id == course_certificate.id and path_certificate.revoked_by_id == hr.id
    assert path_certificate.revoke_reason == "Exam taken by someone else"
    [event] = _db.session.scalars(sa.select(CertificateEvent).where(
        CertificateEvent.certificate_id == path_certificate.id, CertificateEvent.action == "revoke")).all()
    assert event.details == {"reason": "Exam taken by someone else", "with": course_certificate.serial}
    [course_event] = _db.session.scalars(sa.select(CertificateEvent).where(
        CertificateEvent.certificate_id == course_certificate.id, CertificateEvent.action == "revoke")).all()
    assert course_event.details["paths"] == [path_certificate.serial]
    assert services.revoked_with(course_certificate.id) == [path_certificate]
    # The log and the reason read in either language, naming the course certificate and its reason.
    for locale, words in (("en", "The course certificate"), ("ar", "أُلغيت شهادة الدورة التدريبية")):
        with force_locale(locale):
            for text in (revocation_reason(path_certificate), log_details(event.details)):
                assert words in text and course_certificate.serial in text and "Exam taken by someone else" in text
            assert path_certificate.serial in log_details(course_event.details)


def test_the_revocation_is_one_transaction(courses, path, graduate, monkeypatch):
    first, _second = courses
    course_certificate, path_certificate = certificate_of(graduate, course=first), certificate_of(graduate, path=path)

    def broken(*_args, **_kwargs):
        raise RuntimeError("mail queue down")

    monkeypatch.setattr(revocation, "notify", broken)
    with pytest.raises(RuntimeError):
        services.revoke(course_certificate.id, "wrong person", None)
    _db.session.rollback()
    assert certificate_of(graduate, course=first).revoked_at is None
    assert certificate_of(graduate, path=path).id == path_certificate.id
    assert certificate_of(graduate, path=path).revoked_at is None
    assert progress.enrollment_for(graduate.id, first.id).completed_at is not None


# -- 2. the course no longer counts, and passing it again restores everything ----------------------------------

def test_the_course_is_reopened_like_a_renewal_and_its_paths_are_not_completed(courses, path, graduate):
    first, second = courses
    certificate = certificate_of(graduate, course=first)
    before = progress.enrollment_for(graduate.id, first.id)
    due_before, required_before = before.due_at, before.is_required
    services.revoke(certificate.id, "wrong person", None)
    enrollment = progress.enrollment_for(graduate.id, first.id)
    assert enrollment.completed_at is None and enrollment.renewed_at is not None
    assert enrollment.last_position is None and enrollment.last_activity_at is None
    assert (enrollment.due_at, enrollment.is_required) == (due_before, required_before)
    assert _db.session.scalar(sa.select(sa.func.count(ModuleCompletion.id)).join(ModuleCompletion.module).where(
        ModuleCompletion.user_id == graduate.id, ModuleCompletion.module.has(course_id=first.id))) == 0
    assert progress.enrollment_for(graduate.id, second.id).completed_at is not None  # the other course stands
    assert path_enrollment(graduate, path).completed_at is None
    [note] = _db.session.scalars(sa.select(Notification).where(Notification.kind == "revoked")).all()
    assert note.user_id == graduate.id and note.params["url"] == "/courses/first-steps"


def test_a_revoked_quiz_course_archives_its_attempts(courses, path, graduate):
    _first, second = courses
    services.revoke(certificate_of(graduate, course=second).id, "cheating", None)
    [attempt] = _db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == graduate.id)).all()
    assert attempt.archived_at is not None and attempt.is_passed  # on record, no longer counting
    assert not attempts.quiz_outcome(graduate.id, second).is_passed


def test_passing_the_course_again_issues_new_course_and_path_certificates(courses, path, graduate):
    first, _second = courses
    old_course, old_path = certificate_of(graduate, course=first), certificate_of(graduate, path=path)
    services.revoke(old_course.id, "wrong person", None)
    take(graduate, first)
    new_course, new_path = certificate_of(graduate, course=first), certificate_of(graduate, path=path)
    assert new_course.id != old_course.id and new_course.status() == CertificateStatus.VALID
    assert new_path.id != old_path.id and new_path.status() == CertificateStatus.VALID
    assert _db.session.get(Certificate, old_path.id).status() == CertificateStatus.REVOKED  # still says revoked
    assert _db.session.get(Certificate, old_path.id).superseded_by_id == new_path.id
    assert path_enrollment(graduate, path).completed_at is not None


def test_assignments_reports_and_enrolment_counts_read_it_as_not_completed(courses, path):
    first, second = courses
    hr = factories.UserFactory(role="admin")
    learner = factories.UserFactory()
    due = date(2026, 12, 20)
    for_path = assignments.create_assignment(hr, audience={"users": [learner.id]}, path_id=path.id, due_on=due,
                                             now=NOW)
    for_course = assignments.create_assignment(hr, audience={"users": [learner.id]}, course_id=first.id,
                                               due_on=due, now=NOW)
    for course in courses:
        take(learner, course)
    ids = [for_path.id, for_course.id]
    counts = assignments.status_counts(ids, hr, NOW)
    assert counts[for_path.id]["completed"] == counts[for_course.id]["completed"] == 1
    services.revoke(certificate_of(learner, course=first).id, "wrong person", hr.id)
    before_due, after_due = NOW, datetime(2026, 12, 31, tzinfo=UTC)
    counts = assignments.status_counts(ids, hr, before_due)
    assert counts[for_path.id]["completed"] == counts[for_course.id]["completed"] == 0
    assert counts[for_course.id]["not_started"] == 1
    counts = assignments.status_counts(ids, hr, after_due)
    assert counts[for_path.id]["overdue"] == counts[for_course.id]["overdue"] == 1
    _total, [member] = assignments.members_page(for_course, hr, now=after_due)
    assert member.status == "overdue"
    lines = {line.course.id: line.status for line in transcript(learner.id, None, after_due).lines}
    assert lines == {first.id: "overdue", second.id: "completed"}
    counts = {course.id: completed for course, _enrolled, completed in progress.enrolment_counts(courses=[first])}
    assert counts == {first.id: 0}


def test_a_course_completed_before_it_was_assigned_takes_the_assignments_due_date_when_reopened(courses):
    # The assignment's page said "overdue" while the reports, the transcript and the learner's page gave no due
    # date: the completed enrolment had none of its own.
    first, second = courses
    hr = factories.UserFactory(role="admin")
    learner = factories.UserFactory()
    take(learner, first)
    assignment = assignments.create_assignment(hr, audience={"users": [learner.id]}, course_id=first.id,
                                               due_on=date(2026, 12, 20), now=NOW)
    assert progress.enrollment_for(learner.id, first.id).due_at is None
    services.revoke(certificate_of(learner, course=first).id, "wrong person", hr.id)
    _db.session.expire_all()
    after_due = datetime(2026, 12, 31, tzinfo=UTC)
    _total, [member] = assignments.members_page(assignment, hr, now=after_due)
    assert progress.enrollment_for(learner.id, first.id).due_at == member.due_at
    assert member.status == "overdue"
    assert {line.course.id: line.status for line in transcript(learner.id, None, after_due).lines} == \
        {first.id: "overdue"}


# -- superseded certificates -----------------------------------------------------------------------------------

def test_revoking_a_certificate_already_replaced_changes_nothing_else(courses, path, graduate):
    first, _second = courses
    old = certificate_of(graduate, course=first)
    new = services.reissue(old.id, "name corrected", None)
    assert revocation.consequences(_db.session.get(Certificate, old.id)) == revocation.Consequences([], False)
    services.revoke(old.id, "old paper lost", None)
    assert certificate_of(graduate, course=first).id == new.id
    assert certificate_of(graduate, path=path).status() == CertificateStatus.VALID
    assert progress.enrollment_for(graduate.id, first.id).completed_at is not None
    assert path_enrollment(graduate, path).completed_at is not None


def test_a_reissued_course_certificate_counts_and_revoking_it_takes_the_path_with_it(courses, path):
    first, second = courses
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    take(learner, first)
    reissued = services.reissue(certificate_of(learner, course=first).id, "name corrected", None)
    take(learner, second)
    path_certificate = certificate_of(learner, path=path)
    assert path_certificate.status() == CertificateStatus.VALID  # the new one counts
    # The old one is superseded and its successor now revoked: the course no longer counts.
    services.revoke(reissued.id, "wrong person", None)
    assert _db.session.get(Certificate, path_certificate.id).revoked_with_id == reissued.id
    assert path_enrollment(learner, path).completed_at is None


# -- 3. never a path certificate while a course certificate is revoked -------------------------------------------

def test_completing_the_last_course_after_a_revocation_issues_no_path_certificate(courses):
    """The order that produced the bug: a course certificate revoked, then the path's last course completed."""
    first, second = courses
    path = make_path(courses, is_ordered=False)
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    take(learner, first)
    services.revoke(certificate_of(learner, course=first).id, "wrong person", None)
    take(learner, second)
    assert path_enrollment(learner, path).completed_at is None
    assert certificate_of(learner, path=path) is None


def test_a_stale_completion_of_a_revoked_course_does_not_count(courses):
    """What a revocation committing while a completion ran would leave in the completion's view: the course still
    completed, its certificate revoked. The path is not completed and no certificate is issued."""
    first, second = courses
    path = make_path(courses, is_ordered=False)
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    take(learner, first)
    certificate = certificate_of(learner, course=first)
    certificate.revoked_at, certificate.revoke_reason = NOW, "wrong person"  # the enrolment left completed
    _db.session.commit()
    take(learner, second)
    enrollment = path_enrollment(learner, path)
    assert enrollment.completed_at is None and certificate_of(learner, path=path) is None
    enrollment.completed_at = NOW  # even asked directly, the certificates package refuses
    assert issuing.issue_path_certificate(enrollment) is None
    assert revocation.uncertified_courses(learner.id, path.id) == [first.id]
    # Passing the course again (a later completion) counts.
    enrollment.completed_at = None
    _db.session.commit()
    progress.enrollment_for(learner.id, first.id).completed_at = None
    _db.session.commit()
    take(learner, first)
    assert revocation.uncertified_courses(learner.id, path.id) == []
    assert certificate_of(learner, path=path).status() == CertificateStatus.VALID


@pytest.fixture
def race_app(tmp_path):
    app = make_app(database_url(tmp_path, "revocation_race"))
    with app.app_context():
        _db.create_all()
    yield app
    with app.app_context():  # the database is made afresh next time (certificates refer to each other: no drop)
        _db.engine.dispose()


@pytest.mark.no_db
@pytest.mark.parametrize("first_in", ["revocation", "completion"])
def test_a_revocation_and_the_paths_completion_at_once_never_leave_a_valid_path_certificate(
        race_app, monkeypatch, first_in):
    """Whichever takes the locks first, the other waits for it: either no path certificate is issued, or it is
    revoked with the course certificate."""
    with race_app.app_context():
        first = factories.CourseFactory(modules=1, slug="first-race")
        second = factories.CourseFactory(modules=1, slug="second-race")
        path = make_path((first, second), is_ordered=False)
        learner = factories.UserFactory()
        paths.enrol_in_path(learner.id, path)
        take(learner, first)
        progress.enroll(learner.id, second)
        ids = {"learner": learner.id, "second": second.id, "path": path.id,
               "certificate": certificate_of(learner, course=first).id}
        _db.session.remove()

    holding, go_on = threading.Event(), threading.Event()

    def hold(function):
        def held(*args, **kwargs):
            result = function(*args, **kwargs)
            holding.set()  # the locks are taken: the other one starts and must wait
            go_on.wait(10)
            return result
        return held

    if first_in == "revocation":  # held once the course certificate is revoked, before the commit
        monkeypatch.setattr(revocation, "carry_out", hold(revocation.carry_out))
    else:  # held once the path certificate is issued, before the commit
        issue = issuing._issue
        monkeypatch.setattr(issuing, "_issue", lambda user, course, *args, **kwargs: (
            issue if course is not None else hold(issue))(user, course, *args, **kwargs))

    def revoke():
        services.revoke(ids["certificate"], "wrong person", None)

    def complete():
        course = _db.session.get(type(second), ids["second"])
        progress.complete_module(ids["learner"], course, 1)

    def work(n):
        if n == 0:
            (revoke if first_in == "revocation" else complete)()
        else:
            assert holding.wait(10)
            releaser = threading.Timer(0.5, go_on.set)
            releaser.start()
            (complete if first_in == "revocation" else revoke)()

    assert run_in_threads(race_app, work, 2) == []
    go_on.set()
    with race_app.app_context():
        learner_id, path_id = ids["learner"], ids["path"]
        path_certificates = list(_db.session.scalars(sa.select(Certificate).where(
            Certificate.user_id == learner_id, Certificate.path_id == path_id)))
        assert all(c.revoked_at is not None for c in path_certificates)
        completed = _db.session.scalar(sa.select(PathEnrollment.completed_at).where(
            PathEnrollment.user_id == learner_id, PathEnrollment.path_id == path_id))
        assert completed is None
        if first_in == "completion":
            assert len(path_certificates) == 1  # issued first, then revoked with the course certificate
        _db.session.remove()


# -- 4. the screens ----------------------------------------------------------------------------------------------

def test_the_revoke_form_says_what_will_happen_before_confirming(client, auth, courses, path, graduate):
    first, second = courses
    auth.as_role("hr")
    course_certificate, path_certificate = certificate_of(graduate, course=first), certificate_of(graduate, path=path)
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(f"/manage/certificates/{course_certificate.id}").text
    assert "The learning path certificate" in page and "will be revoked too" in page
    assert path_certificate.serial in page and "Window basics" in page
    assert "the learner must pass the course again" in page and 'aria-describedby="revoke-consequences"' in page
    # A path certificate's own page warns of nothing more.
    assert "revoke-consequences" not in client.get(f"/manage/certificates/{path_certificate.id}").text
    done = client.post(f"/manage/certificates/{course_certificate.id}/revocation",
                       data={"revoke-reason": "Exam taken by someone else"}, follow_redirects=True)
    assert done.status_code == 200 and f"The learning path certificate {path_certificate.serial} was revoked" \
        in done.text.replace("\u2068", "").replace("\u2069", "")
    shown = client.get(f"/manage/certificates/{path_certificate.id}").text
    assert "Revoked" in shown and course_certificate.serial in shown and "Exam taken by someone else" in shown
    assert f"/manage/certificates/{course_certificate.id}" in shown


def test_a_course_certificate_without_a_path_warns_only_that_the_course_is_passed_again(courses, graduate):
    first, _second = courses
    other = factories.UserFactory()
    take(other, first)
    with force_locale("en"):
        said = consequence_text(revocation.consequences(certificate_of(other, course=first)))
        assert said.startswith("The learner must pass the course again")
        # What else happens, said before it does: the modules marked done were cleared without a word.
        assert "The modules they marked done and their quiz attempts in this course will no longer count" in said
        certificate = certificate_of(graduate, course=first)
        assert "will be revoked too" in consequence_text(revocation.consequences(certificate))
    with force_locale("ar"):
        assert "ستُلغى أيضًا شهادة المسار التدريبي" in consequence_text(revocation.consequences(certificate))


def test_the_learner_and_hr_see_the_new_state(client, auth, courses, path, graduate):
    first, _second = courses
    course_certificate, path_certificate = certificate_of(graduate, course=first), certificate_of(graduate, path=path)
    services.revoke(course_certificate.id, "wrong person", None)
    auth.login(graduate)
    course_page = client.get(f"/courses/{first.slug}").text
    assert "أُلغيت شهادتك في هذه الدورة التدريبية" in course_page and "Download your certificate" not in course_page
    path_page = client.get(f"/paths/{path.slug}").text
    assert "لقد أتممت هذا المسار التدريبي" not in path_page
    client.post("/language", data={"lang": "en", "next": "/"})
    path_page = client.get(f"/paths/{path.slug}").text
    assert "You completed this learning path" not in path_page and "1 of 2 courses completed" in path_page
    assert path_enrollment(graduate, path).completed_at is None
    client.post("/language", data={"lang": "ar", "next": "/"})
    mine = client.get("/certificates").text
    assert mine.count("status-revoked") == 2
    register = client.get(f"/verify/{grouped(path_certificate.code)}").text
    assert "ملغاة" in register and course_certificate.serial in register and "wrong person" in register
    # The API: the holder's list and the public check.
    token = _api_token(graduate)
    listed = client.get("/api/v1/me/certificates", headers={"Authorization": f"Bearer {token}"}).json
    statuses = {c["serial"]: c["status"] for c in listed["certificates"]}
    assert statuses[course_certificate.serial] == statuses[path_certificate.serial] == "revoked"
    body = client.get(f"/api/v1/verify/{grouped(path_certificate.code)}").json
    assert body["status"] == "revoked" and body["reason"] == "wrong person"
    assert body["revoked_with"] == course_certificate.serial


def test_the_assignments_api_counts_it_as_not_completed(client, courses, path):
    first, _second = courses
    hr = factories.UserFactory(role="admin")
    learner = factories.UserFactory()
    assignment = assignments.create_assignment(hr, audience={"users": [learner.id]}, course_id=first.id,
                                               due_on=date(2026, 12, 20), now=NOW)
    take(learner, first)
    headers = {"Authorization": f"Bearer {_api_token(hr)}"}

    def counts():
        body = client.get("/api/v1/assignments", headers=headers).json
        return next(a for a in body["assignments"] if a["id"] == assignment.id)["counts"]

    assert counts()["completed"] == 1
    services.revoke(certificate_of(learner, course=first).id, "wrong person", hr.id)
    after = counts()  # not started, or overdue once the due date has passed (the API counts at its own clock)
    assert after["completed"] == 0 and after["not_started"] + after["overdue"] == 1


def _api_token(user) -> str:
    return issue_api_token(user, timedelta(hours=1))[0]


def test_revoking_twice_is_refused(courses, graduate):
    first, _second = courses
    certificate = certificate_of(graduate, course=first)
    services.revoke(certificate.id, "wrong person", None)
    with pytest.raises(ValidationError):
        services.revoke(certificate.id, "again", None)


def test_the_command_line_says_which_path_certificates_went_too(runner, courses, path, graduate):
    first, _second = courses
    course_certificate, path_certificate = certificate_of(graduate, course=first), certificate_of(graduate, path=path)
    result = runner.invoke(args=["certificates", "revoke", grouped(course_certificate.code), "--reason", "خطأ"])
    assert result.exit_code == 0 and path_certificate.serial in result.output
    checked = runner.invoke(args=["certificates", "verify", grouped(path_certificate.code)])
    assert course_certificate.serial in checked.output and "خطأ" in checked.output
