"""The reports' home section at a fixed moment: overdue people and the completion rate, in the viewer's scope only
(another governorate's or center's people never count), the same as the reports count them."""
from datetime import UTC, datetime, timedelta

from lms.accounts.scope import scope_of
from lms.progress import services
from lms.reports.filters import Filters
from lms.reports.home import standing
from lms.reports.services import rates
from tests import factories
from tests.progress.org import build_org

NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)


def _enrol(db, user, course, **values):
    enrollment = services.enroll(user.id, course)
    for name, value in values.items():
        setattr(enrollment, name, value)
    db.session.commit()


def test_overdue_people_and_the_completion_rate_in_each_scope(db):
    org = build_org()
    first, second = factories.CourseFactory(), factories.CourseFactory()
    late = {"due_at": NOW - timedelta(days=3)}
    _enrol(db, org.people["clerk_fixed"], first, **late)
    _enrol(db, org.people["clerk_fixed"], second, **late)  # one person late twice: counted once
    _enrol(db, org.people["other_fixed"], first, completed_at=NOW - timedelta(days=5), **late)
    _enrol(db, org.people["clerk_mobile"], first, due_at=NOW + timedelta(days=3))
    _enrol(db, org.people["clerk_mobile"], second, completed_at=NOW - timedelta(days=1))
    _enrol(db, org.people["clerk_giza"], first, **late)
    _enrol(db, org.people["clerk_left"], first, **late)  # left the service: out of the reports

    everything = standing(scope_of(org.admin()), NOW)
    assert everything.overdue_people == 2 and (everything.counts.total, everything.counts.completed) == (6, 2)
    qalyubia = standing(scope_of(org.hr(org.qalyubia)), NOW)
    assert qalyubia.overdue_people == 1 and (qalyubia.counts.total, qalyubia.counts.completed) == (5, 2)
    assert round(qalyubia.counts.rate) == 40
    assert standing(scope_of(org.hr(org.giza)), NOW).overdue_people == 1
    mobile = standing(scope_of(org.manager(org.mobile)), NOW)
    assert mobile.overdue_people == 0 and (mobile.counts.total, mobile.counts.completed) == (2, 1)
    # three days on, the mobile clerk's course is overdue too
    assert standing(scope_of(org.manager(org.mobile)), NOW + timedelta(days=4)).overdue_people == 1
    # the figure is the reports' own: the overview's counts per center add up to it
    per_center, _courses = rates(Filters(), scope_of(org.hr(org.qalyubia)), NOW)
    assert sum(r.counts.total for r in per_center) == qalyubia.counts.total
