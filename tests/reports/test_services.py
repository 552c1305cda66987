"""The reports' numbers for a known organisation: per center, per course, in the matrix, before and after the due
date."""
from datetime import UTC, datetime

from lms.accounts.scope import EVERYTHING, Scope
from lms.reports import services
from lms.reports.filters import Filters
from tests import factories
from tests.reports.conftest import AFTER_DUE, BEFORE_DUE, enroll


def _by_key(rates):
    return {r.key: r.counts for r in rates}


def test_rates_per_center_before_and_after_the_due_date(org):
    course = Filters(course="serving-citizens")
    before = _by_key(services.rates(course, EVERYTHING, BEFORE_DUE)[0])
    assert (before["QLY-BNH"].total, before["QLY-BNH"].completed, before["QLY-BNH"].in_progress,
            before["QLY-BNH"].not_started, before["QLY-BNH"].overdue) == (4, 2, 1, 1, 0)
    assert before["QLY-BNH"].rate == 50
    after = _by_key(services.rates(course, EVERYTHING, AFTER_DUE)[0])
    assert (after["QLY-BNH"].completed, after["QLY-BNH"].overdue, after["QLY-BNH"].in_progress) == (2, 2, 0)
    assert (after["QLY-SHB"].total, after["QLY-SHB"].completed, after["QLY-SHB"].overdue) == (3, 1, 2)
    assert round(after["QLY-SHB"].rate, 1) == 33.3
    assert (after["GIZ-DOK"].total, after["GIZ-DOK"].completed, after["GIZ-DOK"].overdue) == (2, 1, 1)


def test_rates_per_course_count_every_enrolment_in_scope(org):
    qalyubia = Scope(governorate_id=org.qalyubia.id)
    rates = _by_key(services.rates(Filters(), qalyubia, AFTER_DUE)[1])
    assert (rates["serving-citizens"].total, rates["serving-citizens"].completed,
            rates["serving-citizens"].overdue) == (7, 3, 4)
    assert (rates["security"].total, rates["security"].completed, rates["security"].in_progress) == (2, 1, 1)


def test_matrix_cells_and_column_totals(org):
    result = services.matrix(Filters(sort="center"), Scope(governorate_id=org.qalyubia.id), "en", AFTER_DUE)
    assert result.total == 7  # the clerks of Banha and Shubra; Giza is out of scope
    assert [r.center_code for r in result.rows] == ["QLY-BNH"] * 4 + ["QLY-SHB"] * 3
    assert {c.slug for c in result.courses} == {"serving-citizens", "security"}
    b = org.clerks["QLY-BNH"]
    assert result.cells[(b[0].id, org.course.id)].status == "completed"
    assert result.cells[(b[2].id, org.course.id)].status == "overdue"
    assert (b[3].id, org.extra.id) not in result.cells
    totals = result.totals[org.course.id]
    assert (totals.total, totals.completed, totals.overdue) == (7, 3, 4)


def test_matrix_status_and_place_filters(org):
    overdue = services.matrix(Filters(status="overdue", center="QLY-SHB"), EVERYTHING, "en", AFTER_DUE)
    assert {r.id for r in overdue.rows} == {u.id for u in org.clerks["QLY-SHB"][1:]}
    assert services.matrix(Filters(status="overdue"), EVERYTHING, "en", BEFORE_DUE).total == 0
    giza = services.matrix(Filters(governorate="GIZ"), EVERYTHING, "en", AFTER_DUE)
    assert {r.center_code for r in giza.rows} == {"GIZ-DOK"}


def test_inactive_staff_are_left_out_unless_asked_for(org, db):
    leaver = org.clerks["QLY-BNH"][3]
    leaver.is_active = False
    db.session.commit()
    assert services.matrix(Filters(center="QLY-BNH"), EVERYTHING, "en", AFTER_DUE).total == 3
    assert services.matrix(Filters(center="QLY-BNH", include_inactive=True), EVERYTHING, "en", AFTER_DUE).total == 4


def test_dates_filter_due_or_completed_between(org):
    from datetime import date

    due = services.matrix(Filters(since=date(2026, 3, 31), until=date(2026, 3, 31)), EVERYTHING, "en", AFTER_DUE)
    assert due.total == 9
    done = services.matrix(Filters(dates="completed", since=date(2026, 3, 6), until=date(2026, 3, 6)), EVERYTHING,
                           "en", AFTER_DUE)
    assert done.total == 4  # completed on 6 March (Cairo time); b0 completed both courses that day
    assert services.matrix(Filters(dates="completed", since=date(2026, 4, 1)), EVERYTHING, "en", AFTER_DUE).total == 0


def test_overdue_list_days_and_sorting(org):
    total, rows = services.overdue(Filters(sort="center"), Scope(governorate_id=org.qalyubia.id), "en", AFTER_DUE)
    assert total == 4
    assert [r.center_code for r in rows] == ["QLY-BNH", "QLY-BNH", "QLY-SHB", "QLY-SHB"]
    assert {r.days for r in rows} == {12}
    assert services.overdue(Filters(), EVERYTHING, "en", BEFORE_DUE)[0] == 0


def test_days_overdue_are_calendar_days_as_the_export_dates_say():
    # Due 22 November (its end, in Cairo), seen on 7 December: the export said 14 beside "2026-11-22"; a calendar,
    # or =TODAY()-F2 in Excel, says 15.
    due = datetime(2026, 11, 22, 21, 59, 59, tzinfo=UTC)
    assert services.days_late(due, datetime(2026, 12, 7, 4, 0, tzinfo=UTC)) == 15
    assert services.days_late(due, datetime(2026, 11, 22, 23, 0, tzinfo=UTC)) == 1  # past midnight in Cairo
    assert services.days_late(due, datetime(2026, 11, 22, 12, 0, tzinfo=UTC)) == 0


def test_score_distribution_uses_the_best_non_archived_finished_attempt(org):
    (distribution,) = services.score_distributions(Filters(), Scope(governorate_id=org.qalyubia.id))
    assert distribution.slug == "serving-citizens"
    # Banha: 85 (best of 55 and 85) and 100 (in the last bin); Shubra: 72 (the archived 95 does not count)
    assert distribution.bins == [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
    everyone = services.score_distributions(Filters(), EVERYTHING)[0]
    assert everyone.bins[4] == 1 and everyone.people == 4


def test_transcript_lists_courses_scores_and_is_scoped(org):
    person = org.clerks["QLY-BNH"][0]
    result = services.transcript(person.id, Scope(center_id=org.banha.id), AFTER_DUE)
    assert [(line.course.slug, line.status, line.best_score) for line in result.lines] == [
        ("serving-citizens", "completed", 85), ("security", "completed", None)]
    assert services.transcript(person.id, Scope(center_id=org.shubra.id), AFTER_DUE) is None


def test_rates_count_staff_without_a_center_per_course_only(org):
    enroll(factories.UserFactory(center=None), org.course, completed=True)
    centers, courses = services.rates(Filters(), EVERYTHING, AFTER_DUE)
    per_course = _by_key(courses)["serving-citizens"]
    assert (per_course.total, per_course.completed) == (10, 5)  # the nine clerks' and the one without a center
    assert sum(r.counts.total for r in centers) == sum(r.counts.total for r in courses) - 1
    assert [r.key for r in centers] == sorted(r.key for r in centers)
    assert [r.key for r in courses] == sorted(r.key for r in courses)
