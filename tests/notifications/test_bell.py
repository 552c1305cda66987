"""The bell in the header and the list of a person's notifications."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.core.models import utcnow
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.notifications.services import notify
from tests import factories
from tests.notifications.conftest import notifications

TITLE = {"ar": "خدمة المواطنين", "en": "Serving citizens"}


def _give(user, count: int, **params) -> list[Notification]:
    for n in range(count):
        notify(user.id, "issued", f"issued:test-{n}", {"title": TITLE, "url": "/certificates", **params})
    _db.session.commit()
    return notifications(_db, user_id=user.id)


def _english(client):
    client.post("/language", data={"lang": "en"})


def test_the_bell_shows_the_unread_count_with_an_accessible_name(client, auth, db):
    learner = auth.as_role("learner")
    _english(client)
    page = client.get("/").text
    assert 'aria-label="Notifications"' in page and "bell-count" not in page
    given = _give(learner, 3)
    given[0].read_at = utcnow()
    notify(factories.UserFactory().id, "issued", "issued:someone-else", {"title": TITLE})  # not counted
    db.session.commit()
    page = client.get("/courses").text
    assert 'aria-label="Notifications: 2 unread"' in page
    assert '<span class="bell-count" aria-hidden="true">2</span>' in page and 'href="/notifications"' in page


def test_the_bell_counts_in_arabic_digits_on_arabic_pages(client, auth, db):
    learner = auth.as_role("learner", locale="ar")
    _give(learner, 12)
    assert '<span class="bell-count" aria-hidden="true">١٢</span>' in client.get("/").text


def test_anonymous_visitors_have_no_bell_and_no_query_for_it(app, client, db):
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        page = client.get("/login").text
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", listener)
    assert "bell" not in page and not [s for s in statements if "notifications" in s]


@pytest.mark.parametrize("url", ["/", "/courses", "/certificates", "/notifications"])
def test_the_bell_adds_one_query_per_page(app, client, auth, db, url):
    learner = auth.as_role("learner")
    _give(learner, 3)
    client.get(url)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa.event.listen(_db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(_db.engine, "before_cursor_execute", listener)
    counts = [s for s in statements if "count(notifications.id)" in s and "read_at IS NULL" in s]
    assert len(counts) == 1


def test_the_list_shows_my_notifications_newest_first_unread_marked_and_paged(client, auth, db):
    learner = auth.as_role("learner")
    _english(client)
    given = _give(learner, 25)
    for n, notification in enumerate(given):
        notification.created_at = utcnow() - timedelta(days=30 - n)
        notification.params = {**notification.params, "title": {"en": f"Course {n:02d}"}}
    given[24].read_at = utcnow()
    notify(factories.UserFactory().id, "issued", "issued:other", {"title": {"en": "Someone else's"}})
    db.session.commit()

    first = client.get("/notifications").text
    assert first.index("Course 24") < first.index("Course 23") and "Course 04" not in first
    assert "Someone else" not in first
    assert first.count("notification unread") == 19 and "Page 1 of 2" in first
    assert "Certificate issued: <bdi>Course 24</bdi>" in first
    assert 'name="csrf_token"' in first and "Mark all as read" in first
    second = client.get("/notifications?page=2").text
    assert "Course 04" in second and "Course 00" in second and "Course 05" not in second


def test_the_list_takes_a_fixed_number_of_queries(app, client, auth, db):
    learner = auth.as_role("learner")

    def queries():
        client.get("/notifications")
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            client.get("/notifications")
        finally:
            sa.event.remove(_db.engine, "before_cursor_execute", listener)
        return len(statements)

    _give(learner, 2)
    small = queries()
    for n in range(18):
        notify(learner.id, "reminder", f"reminder:{n}", {"title": TITLE, "due_at": utcnow().isoformat()})
    db.session.commit()
    assert queries() == small


def test_opening_a_notification_marks_it_read_and_leads_to_its_page(client, auth, db):
    learner = auth.as_role("learner")
    first, second = _give(learner, 2)
    response = client.get(f"/notifications/{first.id}")
    assert response.status_code == 302 and response.headers["Location"] == "/certificates"
    response = client.post(f"/notifications/{second.id}")
    assert response.headers["Location"] == "/certificates"
    assert all(n.read_at is not None for n in notifications(db, user_id=learner.id))


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", None])
def test_only_same_site_links_are_followed(client, auth, db, url):
    learner = auth.as_role("learner")
    notify(learner.id, "issued", "issued:x", {"title": TITLE, **({"url": url} if url else {})})
    db.session.commit()
    [notification] = notifications(db, user_id=learner.id)
    assert client.get(f"/notifications/{notification.id}").headers["Location"] == "/notifications"


def test_someone_elses_notification_is_not_found_and_stays_unread(client, auth, db):
    auth.as_role("learner")
    other = factories.UserFactory()
    notify(other.id, "issued", "issued:theirs", {"title": TITLE, "url": "/certificates"})
    db.session.commit()
    [theirs] = notifications(db, user_id=other.id)
    assert client.get(f"/notifications/{theirs.id}").status_code == 404
    assert client.post(f"/notifications/{theirs.id}").status_code == 404
    assert client.get("/notifications/999999").status_code == 404
    assert notifications(db, user_id=other.id)[0].read_at is None


def test_mark_all_as_read(client, auth, db):
    learner = auth.as_role("learner")
    _english(client)
    _give(learner, 3)
    other = factories.UserFactory()
    notify(other.id, "issued", "issued:theirs", {"title": TITLE})
    db.session.commit()
    assert client.get("/notifications/read").status_code == 405
    response = client.post("/notifications/read", follow_redirects=True)
    assert "All notifications are marked as read." in response.text and "bell-count" not in response.text
    assert all(n.read_at for n in notifications(db, user_id=learner.id))
    assert notifications(db, user_id=other.id)[0].read_at is None


def test_mark_all_as_read_needs_the_csrf_token(app, client, auth, db, monkeypatch):
    learner = auth.as_role("learner")
    _give(learner, 1)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/notifications/read").status_code == 400
    assert notifications(db, user_id=learner.id)[0].read_at is None


def test_the_list_needs_signing_in(client, db):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code in (302, 400)
