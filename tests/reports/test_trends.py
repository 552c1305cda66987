"""The completion rate month by month: months in Cairo's time, the running month up to "now", empty months empty,
a chosen center beside its governorate, and nobody from outside the viewer's scope."""
from datetime import UTC, date, datetime

import pytest

from lms.accounts.scope import EVERYTHING, Scope
from lms.extensions import db as database
from lms.progress.models import Enrollment
from lms.reports import trends
from lms.reports.filters import Filters
from tests import factories
from tests.reports.conftest import AFTER_DUE


def _by_month(rates) -> dict[date, tuple[int, int, float | None]]:
    return {r.month: (r.counts.total, r.counts.completed, None if r.rate is None else round(r.rate, 1))
            for r in rates}


def test_months_end_at_the_local_midnight_and_the_running_month_at_now(app):
    # 31 March 22:30 UTC is already 1 April in Cairo (UTC+2)
    at = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)
    months = trends.month_starts(at, 3)
    assert months == [date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)]
    ends = trends.month_ends(months, at)
    assert ends[0] == datetime(2026, 2, 28, 22, tzinfo=UTC)  # midnight starting 1 March in Cairo
    assert ends[1] == datetime(2026, 3, 31, 22, tzinfo=UTC)
    assert ends[2] == at  # April is still running
    assert trends.month_starts(datetime(2026, 1, 15, tzinfo=UTC), 2) == [date(2025, 12, 1), date(2026, 1, 1)]


def test_rates_per_month_for_the_governorate_empty_months_empty(org):
    qalyubia = Scope(governorate_id=org.qalyubia.id)
    trend = trends.completion_trend(Filters(), qalyubia, AFTER_DUE)
    assert len(trend.months) == trends.MONTHS and trend.months[-1] == date(2026, 4, 1)
    by_month = _by_month(trend.overall)
    assert by_month[date(2026, 2, 1)] == (0, 0, None)  # nothing enrolled yet: no rate, not 0%
    assert by_month[date(2025, 5, 1)] == (0, 0, None)
    # Banha 4 + Shubra 3 on the course, 2 on the voluntary one; 4 of those 9 completed on 6 March
    assert by_month[date(2026, 3, 1)] == (9, 4, 44.4)
    assert by_month[date(2026, 4, 1)] == (9, 4, 44.4)
    assert trend.overall_place.code == "QLY" and trend.center is None
    course = _by_month(trends.completion_trend(Filters(course="serving-citizens"), qalyubia, AFTER_DUE).overall)
    assert course[date(2026, 3, 1)] == (7, 3, 42.9)


def test_the_same_rate_as_the_overview_at_the_end(org):
    """One definition: the last month's rate is the rate the overview shows now."""
    from lms.reports import services

    filters = Filters(course="serving-citizens")
    centers, _courses = services.rates(filters, EVERYTHING, AFTER_DUE)
    total = services.Counts(sum(r.counts.total for r in centers), sum(r.counts.completed for r in centers))
    assert trends.completion_trend(filters, EVERYTHING, AFTER_DUE).overall[-1].rate == total.rate


def test_now_bounds_the_running_month(org):
    qalyubia = Scope(governorate_id=org.qalyubia.id)
    before_completions = datetime(2026, 3, 3, tzinfo=UTC)
    march = _by_month(trends.completion_trend(Filters(), qalyubia, before_completions).overall)
    assert march[date(2026, 3, 1)] == (9, 0, 0.0)  # enrolled, none completed yet: 0%, a real measure


def test_a_chosen_center_beside_its_governorate(org):
    qalyubia = Scope(governorate_id=org.qalyubia.id)
    trend = trends.completion_trend(Filters(center="QLY-BNH"), qalyubia, AFTER_DUE)
    assert trend.center_place.code == "QLY-BNH"
    assert _by_month(trend.center)[date(2026, 3, 1)] == (5, 3, 60.0)  # 4 on the course + 1 voluntary
    assert _by_month(trend.overall)[date(2026, 3, 1)] == (9, 4, 44.4)  # the governorate's line stays whole


def test_another_governorates_people_are_never_counted(org):
    qalyubia = Scope(governorate_id=org.qalyubia.id)
    trend = trends.completion_trend(Filters(center="GIZ-DOK"), qalyubia, AFTER_DUE)
    assert trend.center is None and trend.center_place is None  # not in scope: no line at all
    assert _by_month(trend.overall)[date(2026, 3, 1)] == (9, 4, 44.4)
    giza = trends.completion_trend(Filters(governorate="GIZ"), qalyubia, AFTER_DUE)
    assert _by_month(giza.overall)[date(2026, 3, 1)] == (0, 0, None)
    everything = trends.completion_trend(Filters(), EVERYTHING, AFTER_DUE)
    assert _by_month(everything.overall)[date(2026, 3, 1)] == (11, 5, 45.5)
    assert everything.overall_place is None  # every governorate


def test_a_center_manager_sees_their_center_only(org):
    trend = trends.completion_trend(Filters(center="QLY-SHB"), Scope(center_id=org.banha.id), AFTER_DUE)
    assert trend.overall_place.code == "QLY-BNH" and trend.center is None
    assert _by_month(trend.overall)[date(2026, 3, 1)] == (5, 3, 60.0)


@pytest.fixture
def midnight(db):
    """Four enrolments around Cairo's midnights: 31 Jan 22:30 UTC is 1 Feb; 28 Feb 21:59 UTC is still February."""
    governorate = factories.GovernorateFactory(code="QLY")
    center = factories.CenterFactory(governorate=governorate, code="QLY-1")
    course = factories.CourseFactory()
    moments = [(datetime(2026, 1, 31, 21, 59, tzinfo=UTC), datetime(2026, 2, 28, 21, 59, tzinfo=UTC)),
               (datetime(2026, 1, 31, 22, 30, tzinfo=UTC), datetime(2026, 2, 28, 22, 0, tzinfo=UTC)),
               (datetime(2026, 2, 10, tzinfo=UTC), None),
               (datetime(2026, 3, 31, 21, 59, tzinfo=UTC), None)]
    for enrolled, completed in moments:
        user = factories.UserFactory(center=center)
        database.session.add(Enrollment(user_id=user.id, course_id=course.id, enrolled_at=enrolled,
                                        completed_at=completed))
    database.session.commit()
    return governorate


def test_month_buckets_at_the_local_midnight(midnight):
    at = datetime(2026, 4, 10, tzinfo=UTC)
    by_month = _by_month(trends.completion_trend(Filters(), Scope(governorate_id=midnight.id), at, 4).overall)
    assert by_month[date(2026, 1, 1)] == (1, 0, 0.0)  # 31 Jan 23:59 in Cairo; 00:30 on 1 Feb is February's
    assert by_month[date(2026, 2, 1)] == (3, 1, 33.3)  # completed 28 Feb 23:59; 1 March 00:00 is March's
    assert by_month[date(2026, 3, 1)] == (4, 2, 50.0)  # 31 March 23:59 in Cairo
    assert by_month[date(2026, 4, 1)] == (4, 2, 50.0)


def test_three_statements_whatever_the_number_of_months(org, count_statements):
    """One counts every month for both lines; the center and the governorate are named by one each."""
    qalyubia = Scope(governorate_id=org.qalyubia.id)
    chosen = Filters(center="QLY-BNH", governorate="QLY")
    trends.completion_trend(chosen, qalyubia, AFTER_DUE)  # the session's first statement of the test is its own
    counts = [count_statements(lambda n=n: trends.completion_trend(chosen, qalyubia, AFTER_DUE, n)) for n in (3, 24)]
    assert counts == [3, 3]
