"""`flask notifications send-due`: reminders, overdue notices and digests, expiry notices; each stored and
e-mailed once however often it runs, with the clock moved by --now."""
import smtplib
from datetime import timedelta

import sqlalchemy as sa

from lms.certificates.models import Certificate
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.notifications.services import notify
from tests import factories
from tests.certificates.conftest import complete
from tests.notifications.conftest import FakeSMTP, at, notifications, required

DUE = "2026-12-10T21:00:00+00:00"  # 23:00 on 10 December in Cairo


def test_reminders_seven_days_and_one_day_before_then_overdue_to_the_person_and_a_digest_to_the_manager(
        db, send_due):
    course = factories.CourseFactory(title_en="Serving citizens", slug="serving")
    clerk = factories.UserFactory(email="clerk@example.test")
    manager = factories.UserFactory(role="center_manager", center=clerk.center)
    other_manager = factories.UserFactory(role="center_manager")  # of another center: hears nothing
    enrollment = required(clerk, course, DUE)
    done = factories.UserFactory(center=clerk.center)
    required(done, course, DUE, completed_at=at("2026-12-01T10:00:00+00:00"))
    gone = factories.UserFactory(center=clerk.center, is_active=False)
    required(gone, course, DUE)

    send_due("2026-12-01T08:00:00+00:00")  # nine days before: nothing yet
    assert notifications(db) == []

    send_due("2026-12-04T08:00:00")  # six and a half days before (naive: UTC)
    send_due("2026-12-04T20:00:00+00:00")  # twice the same day: nothing new
    [week] = notifications(db)
    assert (week.user_id, week.kind, week.key) == (clerk.id, "reminder", f"reminder:{enrollment.id}:2026-12-10:7")
    assert week.params["title"]["en"] == "Serving citizens" and week.params["url"] == "/courses/serving"
    assert at(week.params["due_at"]) == at(DUE)

    send_due("2026-12-10T08:00:00+00:00")  # thirteen hours before
    send_due("2026-12-10T09:00:00+00:00")
    reminders = notifications(db, kind="reminder")
    assert [n.key for n in reminders] == [f"reminder:{enrollment.id}:2026-12-10:7",
                                          f"reminder:{enrollment.id}:2026-12-10:1"]

    send_due("2026-12-11T08:00:00+00:00")  # the due date has passed
    send_due("2026-12-11T12:00:00+00:00")
    [overdue] = notifications(db, kind="overdue")
    assert (overdue.user_id, overdue.key) == (clerk.id, f"overdue:{enrollment.id}:2026-12-10")
    [digest] = notifications(db, kind="team_overdue")
    assert digest.user_id == manager.id and digest.params["count"] == 1
    assert digest.key == f"team_overdue:{clerk.center_id}:2026-12-11"
    assert digest.params["name"] == {"ar": clerk.center.name_ar, "en": clerk.center.name_en}
    assert digest.params["url"] == "/manage/reports/overdue"

    send_due("2026-12-12T08:00:00+00:00")  # a new day: a new digest, but the person was told once
    assert len(notifications(db, kind="overdue")) == 1
    assert [n.key[-10:] for n in notifications(db, kind="team_overdue")] == ["2026-12-11", "2026-12-12"]
    assert {n.user_id for n in notifications(db)} == {clerk.id, manager.id}
    assert not notifications(db, user_id=other_manager.id) and not notifications(db, user_id=done.id)
    assert not notifications(db, user_id=gone.id)


def test_a_late_first_run_sends_only_the_reminder_of_the_window_it_is_in(db, send_due):
    clerk = factories.UserFactory()
    enrollment = required(clerk, factories.CourseFactory(), DUE)
    send_due("2026-12-10T12:00:00+00:00")
    assert [n.key for n in notifications(db)] == [f"reminder:{enrollment.id}:2026-12-10:1"]


def test_a_new_due_date_gets_its_own_reminders(db, send_due):
    clerk = factories.UserFactory()
    enrollment = required(clerk, factories.CourseFactory(), DUE)
    send_due("2026-12-11T08:00:00+00:00")
    enrollment.due_at = at("2026-12-20T21:00:00+00:00")
    db.session.commit()
    send_due("2026-12-15T08:00:00+00:00")
    assert [n.kind for n in notifications(db)] == ["overdue", "reminder"]


def test_reminder_days_come_from_the_settings(app, db, send_due, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_REMINDER_DAYS", (3,))
    clerk = factories.UserFactory()
    enrollment = required(clerk, factories.CourseFactory(), DUE)
    send_due("2026-12-04T08:00:00+00:00")
    assert notifications(db) == []
    send_due("2026-12-08T08:00:00+00:00")
    assert [n.key for n in notifications(db)] == [f"reminder:{enrollment.id}:2026-12-10:3"]


def test_expiring_certificates_are_announced_once(db, send_due):
    course = factories.CourseFactory(modules=1, certificate_settings={"validity_months": 12})
    holder = factories.UserFactory()
    complete(holder, course)
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == holder.id))
    revoked_holder = factories.UserFactory()
    complete(revoked_holder, course)
    db.session.execute(sa.update(Certificate).where(Certificate.user_id == revoked_holder.id)
                       .values(revoked_at=certificate.issued_at))
    db.session.commit()

    send_due((certificate.expires_at - timedelta(days=31)).isoformat())
    assert notifications(db, kind="expiring") == []
    send_due((certificate.expires_at - timedelta(days=10)).isoformat())
    send_due((certificate.expires_at - timedelta(days=9)).isoformat())
    [notice] = notifications(db, kind="expiring")
    assert (notice.user_id, notice.key) == (holder.id, f"expiring:{certificate.id}")
    assert at(notice.params["expires_at"]) == certificate.expires_at and notice.params["url"] == "/certificates"
    send_due((certificate.expires_at + timedelta(days=1)).isoformat())  # expired: no longer "expiring"
    assert len(notifications(db, kind="expiring")) == 1


def test_a_certificate_issued_on_completion_is_news_to_its_holder(db):
    course = factories.CourseFactory(modules=1, title_ar="خدمة المواطنين", title_en="Serving citizens")
    learner = factories.UserFactory()
    complete(learner, course)
    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))
    [issued] = notifications(db, user_id=learner.id)
    assert (issued.kind, issued.key) == ("issued", f"issued:{certificate.id}")
    assert issued.params["title"] == {"ar": "خدمة المواطنين", "en": "Serving citizens"}
    assert issued.params["url"] == "/certificates"


def test_each_email_is_sent_once_and_people_without_an_address_are_skipped(db, send_due, smtp):
    with_address = factories.UserFactory(email="mona@example.test", locale="en")
    without = factories.UserFactory(email=None)
    left = factories.UserFactory(email="left@example.test", is_active=False)
    for user in (with_address, without, left):
        notify(user.id, "issued", f"issued:test-{user.id}", {"title": {"ar": "دورة", "en": "Course"},
                                                               "url": "/certificates"})
    notify(with_address.id, "reminder", "reminder:x", {"title": {"en": "Course"}, "due_at": DUE})
    db.session.commit()

    first = send_due()
    second = send_due()
    assert [m["To"] for m in smtp.sent] == ["mona@example.test", "mona@example.test"]
    assert "2" in first.output and "0" in second.output
    assert smtp.logins == [("lms", "s3cret"), ("lms", "s3cret")]
    assert "s3cret" not in first.output + second.output
    mine = notifications(db, user_id=with_address.id)
    assert all(n.emailed_at is not None and not n.email_skipped for n in mine)
    others = notifications(db, user_id=without.id) + notifications(db, user_id=left.id)
    assert all(n.email_skipped and n.emailed_at is None for n in others)


def test_a_dropped_connection_leaves_the_rest_for_the_next_run(db, send_due, smtp):
    user = factories.UserFactory(email="a@example.test")
    for n in range(3):
        notify(user.id, "issued", f"issued:test-{n}", {"title": {"en": f"Course {n}"}})
    db.session.commit()
    smtp.fail_after = 1
    result = send_due(expect_ok=False)
    assert result.exit_code == 1 and len(smtp.sent) == 1
    assert [n.emailed_at is not None for n in notifications(db)] == [True, False, False]
    smtp.fail_after = None
    send_due()
    assert len(smtp.sent) == 3 and all(n.emailed_at for n in notifications(db))


def test_without_smtp_nothing_is_emailed_now_or_later(app, db, send_due, monkeypatch):
    user = factories.UserFactory(email="a@example.test")
    notify(user.id, "issued", "issued:old", {"title": {"en": "Old news"}})
    db.session.commit()
    assert app.config["LMS_SMTP_HOST"] == ""
    send_due()
    [old] = notifications(db)
    assert old.email_skipped and old.emailed_at is None

    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "LMS_SMTP_HOST", "smtp.example.test")
    send_due()
    assert FakeSMTP.sent == []


def _body(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_emails_are_written_in_the_recipients_language(db, send_due, smtp):
    params = {"title": {"ar": "خدمة المواطنين", "en": "Serving citizens"}, "url": "/courses/serving",
              "due_at": DUE}
    arabic = factories.UserFactory(email="ar@example.test", locale="ar")
    english = factories.UserFactory(email="en@example.test", locale="en")
    unset = factories.UserFactory(email="unset@example.test", locale=None)
    for user in (arabic, english, unset):
        notify(user.id, "reminder", "reminder:1:2026-12-10:7", params)
    db.session.commit()
    send_due()
    by_address = {m["To"]: m for m in smtp.sent}

    en = by_address["en@example.test"]
    assert "Reminder" in en["Subject"] and "Serving citizens" in en["Subject"] and "10 December 2026" in en["Subject"]
    assert "https://lms.example.test/courses/serving" in _body(en, "plain")
    assert 'lang="en" dir="ltr"' in _body(en, "html") and "<bdi>Serving citizens</bdi>" in _body(en, "html")

    for address in ("ar@example.test", "unset@example.test"):  # no language chosen: Arabic
        ar = by_address[address]
        assert "خدمة المواطنين" in ar["Subject"] and "١٠ ديسمبر ٢٠٢٦" in ar["Subject"]
        assert "Serving citizens" not in ar["Subject"] + _body(ar, "plain")
        assert "\u2068خدمة المواطنين\u2069" in _body(ar, "plain")
        assert 'lang="ar" dir="rtl"' in _body(ar, "html")
    assert ar["From"] == "lms@example.test"


def test_now_must_be_a_date(send_due):
    result = send_due("next tuesday", expect_ok=False)
    assert result.exit_code == 2


def test_notices_are_stored_in_a_fixed_number_of_queries(app, db, send_due):
    """No per-person loop: 5 or 50 people late in 5 or 50 centers cost the same statements."""
    def grow(people):
        course = factories.CourseFactory()
        for _n in range(people):
            clerk = factories.UserFactory()
            factories.UserFactory(role="center_manager", center=clerk.center)
            required(clerk, course, DUE)
            required(clerk, factories.CourseFactory(), "2026-12-03T21:00:00+00:00")

    def count(now):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            send_due(now)
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", listener)
        return len([s for s in statements if "notifications" not in s or not s.lstrip().upper().startswith(
            "INSERT")])

    count("2026-12-03T08:00:00+00:00")  # the first run also makes what is made once (the issuer's first key)
    grow(5)
    small = count("2026-12-04T08:00:00+00:00")
    grow(45)
    assert count("2026-12-05T08:00:00+00:00") == small
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) > 100
