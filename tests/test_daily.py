"""The daily run: an explicit, ordered list of steps; each timed and logged; one failing step is rolled back and
reported while the others still run."""
import logging
from datetime import UTC, datetime, timedelta

from lms import daily
from lms.daily import STEPS, Step, StepFailed, run_daily
from lms.notifications.services import notify
from tests import factories
from tests.notifications.conftest import notifications, required

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)


def test_the_steps_run_in_the_order_their_work_needs():
    names = [step.name for step in STEPS]
    assert names == ["renew-certificates", "reminders", "expiry-notices", "stale-print-batches", "roster-imports",
                     "certificate-status-list", "emails"]
    # renewal opens the new cycle the reminders are about; e-mails go out once everything is stored
    assert names.index("renew-certificates") < names.index("reminders") and names[-1] == "emails"


def _notifying(key):
    def run(now):
        notify(run.user_id, "issued", key, {"title": {"en": key}})
        return {"issued": 1}
    return run


def test_a_failing_step_is_rolled_back_and_reported_and_the_others_still_run(db, caplog):
    user = factories.UserFactory()
    db.session.commit()
    first, after = _notifying("first"), _notifying("after")

    def broken(now):
        notify(user.id, "issued", "half-done", {"title": {"en": "half"}})
        raise RuntimeError("the disk is full")

    first.user_id = after.user_id = user.id
    with caplog.at_level(logging.INFO):
        results = run_daily(NOW, steps=(Step("first", first), Step("broken", broken), Step("after", after)))

    assert [(r.name, r.error) for r in results] == [("first", None), ("broken", "RuntimeError: the disk is full"),
                                                    ("after", None)]
    assert all(r.seconds >= 0 for r in results) and results[0].counts == {"issued": 1}
    assert sorted(n.key for n in notifications(db, user_id=user.id)) == ["after", "first"]  # not "half-done"
    logged = caplog.text
    assert "step first done in" in logged and "step broken failed after" in logged and "step after done in" in logged


def test_the_command_reports_a_failed_step_and_exits_with_an_error(runner, db, monkeypatch):
    def broken(now):
        raise StepFailed("the mail server refused us")

    monkeypatch.setattr(daily, "STEPS", (Step("broken", broken), *STEPS))
    result = runner.invoke(args=["notifications", "send-due", "--now", NOW.isoformat()])
    assert result.exit_code == 1
    assert "broken" in result.output and "the mail server refused us" in result.output
    assert all(f"{step.name}: " in result.output for step in STEPS)  # every step timed in the output
    assert "رسائل البريد الإلكتروني المرسلة: 0" in result.output
    # (the command speaks the default language, Arabic): the steps after the broken one ran


def test_the_steps_are_idempotent_on_a_second_run_the_same_day(db):
    course = factories.CourseFactory()
    clerk = factories.UserFactory()
    required(clerk, course, "2026-12-05T21:00:00+00:00")
    run_daily(NOW)
    stored = len(notifications(db))
    run_daily(NOW.replace(hour=20))
    assert stored == 1 and len(notifications(db)) == stored


def _clock(*moments):
    ticks = iter(moments)
    return lambda: next(ticks)


def test_each_run_is_recorded_with_its_start_end_and_outcome(db):
    started, ended = datetime(2026, 12, 1, 6, tzinfo=UTC), datetime(2026, 12, 1, 6, 2, tzinfo=UTC)
    run_daily(NOW, steps=(Step("fine", lambda now: {"x": 1}),), clock=_clock(started, ended))
    last = daily.health(ended).last_run
    assert (last.started_at, last.finished_at, last.acted_as, last.failed_steps) == (started, ended, NOW, None)
    assert last.succeeded


def test_a_run_with_a_failing_step_is_recorded_as_failed_with_the_steps_names(db):
    def broken(now):
        raise StepFailed("the mail server refused us")

    started = datetime(2026, 12, 2, 6, tzinfo=UTC)
    run_daily(NOW, steps=(Step("fine", lambda now: None), Step("broken", broken)),
              clock=_clock(started, started + timedelta(minutes=1)))
    last = daily.health(started).last_run
    assert last.started_at == started and last.finished_at is not None
    assert last.failed_steps == "broken" and not last.succeeded


def test_the_health_warns_when_the_daily_run_has_not_started_for_over_26_hours(db):
    assert daily.health(NOW).is_late and daily.health(NOW).last_run is None
    started = NOW - timedelta(hours=25)
    run_daily(NOW, steps=(), clock=_clock(started, started + timedelta(seconds=5)))
    assert not daily.health(NOW).is_late
    assert daily.health(NOW + timedelta(hours=1, seconds=1)).is_late


def test_the_jobs_queue_counts_failures_of_the_last_24_hours(db):
    from lms.core.jobs import note_failure, queue_counts

    before = queue_counts(NOW).failed
    note_failure(NOW - timedelta(hours=2))
    note_failure(NOW - timedelta(hours=30))  # yesterday's: not counted
    counts = queue_counts(NOW)
    assert counts.failed == before + 1 and counts.pending >= 0
