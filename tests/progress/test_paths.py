"""Learning paths: authoring, enrolling, the lock of an ordered path, and the path certificate."""
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from lms.certificates.codes import grouped
from lms.certificates.issuing import add_months
from lms.certificates.models import Certificate
from lms.core.models import ValidationError
from lms.extensions import db as _db
from lms.progress import assignments, paths
from lms.progress import services as progress
from lms.progress.models import Enrollment, PathEnrollment, PathStatus
from lms.quizzes import attempts
from lms.quizzes.attempts import NotAllowed
from tests import factories
from tests.progress.org import build_org
from tests.quizzes.conftest import add_bank

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)


def make_path(author, courses, **values):
    base = {"slug": "window-basics", "title_ar": "أساسيات الشباك", "title_en": "Window basics",
            "is_ordered": True, "validity_months": 12, "status": PathStatus.PUBLISHED.value}
    return paths.save_path({**base, **values}, [c.id for c in courses], author)


@pytest.fixture
def courses(db):
    first = factories.CourseFactory(modules=2, slug="first-steps", title_en="First steps")
    second = add_bank(factories.CourseFactory(modules=1, slug="second-steps", title_en="Second steps"))
    return first, second


@pytest.fixture
def path(courses):
    return make_path(factories.UserFactory(role="trainer"), courses)


def complete_course(user, course):
    for position in range(1, course.module_count + 1):
        progress.complete_module(user.id, course, position)


def test_a_path_keeps_its_courses_in_order(courses, path):
    assert [s.course_id for s in path.steps] == [courses[0].id, courses[1].id]
    assert [s.position for s in path.steps] == [1, 2]
    reordered = paths.save_path({"slug": path.slug, "title_ar": path.title_ar, "title_en": path.title_en,
                                 "is_ordered": True, "status": "published"}, [courses[1].id, courses[0].id],
                                factories.UserFactory(role="hr"), path.id)
    assert [s.course_id for s in reordered.steps] == [courses[1].id, courses[0].id]


@pytest.mark.parametrize("values, course_ids, field", [
    ({"slug": "Bad Slug"}, None, "slug"),
    ({"title_ar": ""}, None, "title_ar"),
    ({"validity_months": -1}, None, "validity_months"),
    ({}, [], "courses"),
    ({}, [999_999], "courses"),
])
def test_bad_paths_are_refused(courses, values, course_ids, field):
    base = {"slug": "ok-path", "title_ar": "مسار", "title_en": "Path", "status": "published"}
    with pytest.raises(ValidationError) as refused:
        paths.save_path({**base, **values}, [c.id for c in courses] if course_ids is None else course_ids,
                        factories.UserFactory(role="hr"))
    assert field in refused.value.errors


def test_a_trainer_edits_only_their_own_paths(path):
    other = factories.UserFactory(role="trainer")
    with pytest.raises(LookupError):
        paths.save_path({"slug": path.slug, "title_ar": "x", "title_en": "x"}, [], other, path.id)


def test_the_path_list_links_a_trainer_only_to_the_paths_they_may_edit(client, auth, courses, path):
    trainer = auth.as_role("trainer")
    own = make_path(trainer, courses, slug="own-path", title_en="Own path")
    page = client.get("/manage/paths").text
    assert f'href="/manage/paths/{own.id}"' in page
    assert f'href="/manage/paths/{path.id}"' not in page and path.title_ar in page  # listed, not linked
    assert client.get(f"/manage/paths/{path.id}").status_code == 404  # the link would have led there
    auth.as_role("hr")
    page = client.get("/manage/paths").text
    assert f'href="/manage/paths/{own.id}"' in page and f'href="/manage/paths/{path.id}"' in page


def test_an_ordered_path_locks_a_course_until_the_one_before_is_completed(courses, path):
    first, second = courses
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    assert paths.course_to_finish_first(learner.id, second.id).id == first.id
    with pytest.raises(paths.CourseLocked) as locked:
        progress.open_module(learner, second.slug, 1)
    assert locked.value.course.id == first.id
    with pytest.raises(NotAllowed):
        attempts.start_attempt(learner.id, second)
    with pytest.raises(ValidationError):  # nor mark its modules done
        progress.complete_module(learner.id, second, 1)
    progress.open_module(learner, first.slug, 1)  # the first course is open
    complete_course(learner, first)
    assert paths.course_to_finish_first(learner.id, second.id) is None
    progress.open_module(learner, second.slug, 1)
    assert attempts.start_attempt(learner.id, second) is not None


def test_an_unordered_path_or_a_learner_not_on_it_has_no_lock(courses, path):
    first, second = courses
    outsider = factories.UserFactory()
    progress.enroll(outsider.id, second)
    assert paths.course_to_finish_first(outsider.id, second.id) is None
    path.is_ordered = False
    _db.session.commit()
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    assert paths.course_to_finish_first(learner.id, second.id) is None


def _pass_quiz(learner, course):
    from tests.quizzes.conftest import right_answers

    attempt = attempts.start_attempt(learner.id, course)
    attempts.save_answers(attempt.id, learner.id, right_answers(attempts.attempt_questions(attempt.id)))
    attempts.submit_attempt(attempt.id, learner.id)


def test_completing_every_course_completes_the_path_and_issues_its_certificate(courses, path):
    first, second = courses
    learner = factories.UserFactory()
    enrollment = paths.enrol_in_path(learner.id, path)
    complete_course(learner, first)
    assert enrollment.completed_at is None
    complete_course(learner, second)
    _pass_quiz(learner, second)
    _db.session.refresh(enrollment)
    assert enrollment.completed_at is not None
    certificate = _db.session.scalar(sa.select(Certificate).where(Certificate.path_id == path.id))
    assert certificate.course_id is None and certificate.user_id == learner.id
    assert (certificate.course_title_ar, certificate.course_title_en) == ("أساسيات الشباك", "Window basics")
    assert certificate.expires_at == add_months(certificate.issued_at, 12)
    # Each course gave its own certificate too.
    assert _db.session.scalar(sa.select(sa.func.count(Certificate.id)).where(
        Certificate.user_id == learner.id)) == 3


def test_enrolling_after_every_course_is_done_completes_the_path_at_once(courses, path):
    first, second = courses
    learner = factories.UserFactory()
    progress.enroll(learner.id, first)
    complete_course(learner, first)
    progress.enroll(learner.id, second)
    complete_course(learner, second)
    _pass_quiz(learner, second)
    assert paths.enrol_in_path(learner.id, path).completed_at is not None


def test_the_path_certificate_has_a_pdf_a_register_entry_and_a_line_in_my_certificates(client, auth, courses, path):
    first, second = courses
    learner = auth.login(factories.UserFactory())
    paths.enrol_in_path(learner.id, path)
    complete_course(learner, first)
    complete_course(learner, second)
    _pass_quiz(learner, second)
    certificate = _db.session.scalar(sa.select(Certificate).where(Certificate.path_id == path.id))
    mine = client.get("/certificates").text
    assert "أساسيات الشباك" in mine or "Window basics" in mine
    verify = client.get(f"/verify/{grouped(certificate.code)}")
    assert verify.status_code == 200 and "أساسيات الشباك" in verify.text
    pdf = client.get(f"/certificates/{grouped(certificate.code)}.pdf?lang=en")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_path_page_shows_steps_and_locks(client, auth, courses, path):
    first, second = courses
    learner = auth.login(factories.UserFactory())
    page = client.get(f"/paths/{path.slug}").text
    assert "/paths/window-basics/enrollment" in page
    assert client.post(f"/paths/{path.slug}/enrollment").status_code == 302
    page = client.get(f"/paths/{path.slug}").text
    assert "is-locked" in page and page.index(first.slug) < page.index(second.slug)
    course_page = client.get(f"/courses/{second.slug}").text
    assert "path-lock" in course_page and f'href="/courses/{first.slug}"' in course_page
    module = client.get(f"/courses/{second.slug}/modules/1")
    assert module.status_code == 302 and module.location.endswith(f"/courses/{second.slug}")
    assert _db.session.scalar(sa.select(PathEnrollment.id).where(PathEnrollment.user_id == learner.id))
    # Nothing on the locked course's pages leads to what only bounces back ("Resume", "Start the quiz", modules).
    assert f'href="/courses/{second.slug}/modules/' not in course_page
    assert f'href="/courses/{second.slug}/quiz"' not in course_page
    quiz = client.get(f"/courses/{second.slug}/quiz").text
    assert "path-lock" in quiz and f'action="/courses/{second.slug}/quiz/attempts"' not in quiz
    home = client.get("/").text
    assert f'href="/courses/{second.slug}/modules/' not in home


def test_a_draft_path_is_hidden_from_learners(client, auth, courses):
    draft = make_path(factories.UserFactory(role="hr"), courses, slug="draft-path", status="draft")
    auth.as_role("learner")
    assert client.get(f"/paths/{draft.slug}").status_code == 404


def test_assigning_a_path_enrols_in_the_path_and_its_courses_with_the_same_due_date(courses, path):
    org = build_org()
    first, second = courses
    assignment = assignments.create_assignment(org.hr(org.qalyubia), audience={"job_titles": [org.clerk.id]},
                                               path_id=path.id, due_on=date(2027, 1, 31), now=NOW)
    clerk = org.people["clerk_fixed"]
    path_enrollment = _db.session.scalar(sa.select(PathEnrollment).where(PathEnrollment.user_id == clerk.id))
    course_dues = set(_db.session.scalars(sa.select(Enrollment.due_at).where(Enrollment.user_id == clerk.id)))
    assert course_dues == {path_enrollment.due_at} and path_enrollment.due_at is not None
    assert len(set(_db.session.scalars(sa.select(Enrollment.course_id).where(Enrollment.user_id == clerk.id)))) == 2
    counts = assignments.status_counts([assignment.id], org.admin(), NOW)[assignment.id]
    assert counts["not_started"] == 2
    complete_course(clerk, first)
    counts = assignments.status_counts([assignment.id], org.admin(), NOW)[assignment.id]
    assert counts["in_progress"] == 1


def test_authoring_screens(client, auth, courses):
    first, second = courses
    auth.as_role("trainer")
    response = client.post("/manage/paths/new", data={
        "slug": "new-path", "title_ar": "مسار جديد", "title_en": "New path", "validity_months": "٦",
        "status": "published", "is_ordered": "y", f"position-{first.id}": "2", f"position-{second.id}": "1"})
    assert response.status_code == 302
    created = paths.path_by_slug("new-path")
    assert [s.course_id for s in created.steps] == [second.id, first.id] and created.validity_months == 6
    assert "مسار جديد" in client.get("/manage/paths").text
    bad = client.post(f"/manage/paths/{created.id}", data={
        "slug": "new-path", "title_ar": "مسار جديد", "title_en": "New path", "validity_months": "0",
        "status": "published", f"position-{first.id}": "x"})
    assert bad.status_code == 200 and 'value="x"' in bad.text
    auth.as_role("learner")
    assert client.get("/manage/paths").status_code == 403


def test_a_path_saved_by_another_editor_meanwhile_is_not_replaced(app, client, auth, courses):
    import re

    from tests.conftest import Auth

    first, second = courses
    auth.as_role("admin")
    form = {"slug": "shared-path", "title_ar": "مسار", "title_en": "Path", "validity_months": "0",
            "status": "draft", "is_ordered": "y", f"position-{first.id}": "1", f"position-{second.id}": "2"}
    client.post("/manage/paths/new", data=form)
    created = paths.path_by_slug("shared-path")
    address = f"/manage/paths/{created.id}"

    def seen(page):
        return re.search(r'name="seen" type="hidden" value="([^"]+)"', page).group(1)

    opened = seen(client.get(address).text)
    other = app.test_client()
    Auth(other).as_role("admin")
    reordered = {**form, f"position-{first.id}": "2", f"position-{second.id}": "1"}
    assert other.post(address, data={**reordered, "seen": seen(other.get(address).text)}).status_code == 302
    refused = client.post(address, data={**form, "title_en": "My path", "seen": opened})
    assert refused.status_code == 200 and "لم يُحفظ شيء" in refused.text
    _db.session.expire_all()
    kept = paths.path_by_slug("shared-path")
    assert [s.course_id for s in kept.steps] == [second.id, first.id] and kept.title_en == "Path"


def test_a_path_certificate_can_be_reissued(courses, path):
    from lms.certificates import services as certificates

    first, second = courses
    learner = factories.UserFactory()
    paths.enrol_in_path(learner.id, path)
    complete_course(learner, first)
    complete_course(learner, second)
    _pass_quiz(learner, second)
    old = _db.session.scalar(sa.select(Certificate).where(Certificate.path_id == path.id))
    new = certificates.reissue(old.id, "name corrected", None)
    assert new.path_id == path.id and new.course_id is None and old.superseded_by_id == new.id


def test_the_dashboard_lists_my_paths(client, auth, path):
    learner = auth.login(factories.UserFactory())
    assert "/paths/window-basics" not in client.get("/").text
    paths.enrol_in_path(learner.id, path)
    assert "/paths/window-basics" in client.get("/").text
