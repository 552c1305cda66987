"""A small organisation with known numbers: two centers of Qalyubia and one of another governorate, window clerks,
one course assigned with a due date, some completed, some not; the reports' clock is moved past the due date."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from lms.extensions import db as database
from lms.progress.models import Enrollment
from lms.quizzes.models import AttemptStatus, QuizAttempt
from lms.reports import services
from tests import factories

ASSIGNED = datetime(2026, 3, 1, 9, tzinfo=UTC)
DUE = ASSIGNED + timedelta(days=30)
BEFORE_DUE = ASSIGNED + timedelta(days=10)
AFTER_DUE = DUE + timedelta(days=12)


@dataclass
class Org:
    qalyubia: object
    other: object
    banha: object  # 4 clerks: 2 completed, 1 in progress, 1 not started
    shubra: object  # 3 clerks: 1 completed, 2 not started
    giza: object  # another governorate: 2 clerks, 1 completed
    course: object
    extra: object  # a second course, voluntary, no due date
    clerks: dict  # center code -> [users]


def enroll(user, course, *, completed=False, started=False, due=DUE, required=True):
    row = Enrollment(user_id=user.id, course_id=course.id, enrolled_at=ASSIGNED, is_required=required, due_at=due,
                     completed_at=ASSIGNED + timedelta(days=5) if completed else None,
                     last_activity_at=ASSIGNED + timedelta(days=2) if (completed or started) else None)
    database.session.add(row)
    return row


def attempt(user, course, score, number=1, archived=False):
    database.session.add(QuizAttempt(
        user_id=user.id, course_id=course.id, number=number, status=AttemptStatus.FINISHED, score=score,
        is_passed=score >= 70, pass_mark=70, started_at=ASSIGNED, finished_at=ASSIGNED + timedelta(hours=1),
        archived_at=ASSIGNED + timedelta(days=1) if archived else None))


@pytest.fixture
def org(db):
    qalyubia = factories.GovernorateFactory(code="QLY", name_ar="محافظة القليوبية", name_en="Qalyubia")
    other = factories.GovernorateFactory(code="GIZ", name_ar="محافظة الجيزة", name_en="Giza")
    banha = factories.CenterFactory(governorate=qalyubia, code="QLY-BNH", name_ar="مركز بنها", name_en="Banha")
    shubra = factories.CenterFactory(governorate=qalyubia, code="QLY-SHB", name_ar="مركز شبرا", name_en="Shubra")
    giza = factories.CenterFactory(governorate=other, code="GIZ-DOK", name_ar="مركز الدقي", name_en="Dokki")
    course = factories.CourseFactory(slug="serving-citizens", title_ar="خدمة المواطنين", title_en="Serving citizens")
    extra = factories.CourseFactory(slug="security", title_ar="أمن المعلومات", title_en="Information security")
    clerk = factories.JobTitleFactory()
    clerks = {c.code: [factories.UserFactory(center=c, job_title=clerk) for _ in range(n)]
              for c, n in ((banha, 4), (shubra, 3), (giza, 2))}
    b, s, g = clerks["QLY-BNH"], clerks["QLY-SHB"], clerks["GIZ-DOK"]
    enroll(b[0], course, completed=True)
    enroll(b[1], course, completed=True)
    enroll(b[2], course, started=True)
    enroll(b[3], course)
    enroll(s[0], course, completed=True)
    enroll(s[1], course)
    enroll(s[2], course)
    enroll(g[0], course, completed=True)
    enroll(g[1], course)
    enroll(b[0], extra, completed=True, due=None, required=False)
    enroll(s[0], extra, started=True, due=None, required=False)
    attempt(b[0], course, 55)
    attempt(b[0], course, 85, number=2)
    attempt(b[1], course, 100)
    attempt(s[0], course, 72)
    attempt(s[0], course, 95, number=2, archived=True)  # archived by a renewal: does not count
    attempt(g[0], course, 40)
    database.session.commit()
    return Org(qalyubia, other, banha, shubra, giza, course, extra, clerks)


@pytest.fixture
def clock(monkeypatch):
    """Set the reports' "now": clock(AFTER_DUE)."""
    def set_to(moment):
        monkeypatch.setattr(services, "now", lambda: moment)
        return moment
    set_to(AFTER_DUE)
    return set_to


@pytest.fixture
def count_statements(db):
    def run(work):
        statements = []
        listener = lambda *_a: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)
    return run
