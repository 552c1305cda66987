"""The slips HR prints say until when their one-time password opens the account, in the page's digits."""
import re

import sqlalchemy as sa
from flask_babel import force_locale

from lms.accounts.models import User
from lms.core.web import date_text, time_text
from tests import factories
from tests.accounts.conftest import ARABIC_HEADERS, import_file, xlsx_bytes


def _valid_until(app, person: User, locale: str = "ar") -> str:
    expires_at = person.one_time_password_expires_at
    with app.test_request_context(), force_locale(locale):
        return f"{date_text(expires_at)} الساعة {time_text(expires_at)}"


def test_the_slip_of_a_new_one_time_password_shows_its_expiry(app, client, auth, qalyubia, db):
    benha = qalyubia[2]["QLY-BENHA"]
    auth.as_role("center_manager", center=benha)
    learner = factories.UserFactory(center=benha, username="forgot")
    page = client.post(f"/manage/staff/{learner.id}/password").text
    db.session.refresh(learner)
    assert learner.one_time_password_expires_at is not None
    valid_until = _valid_until(app, learner)
    assert "سارية حتى" in page and valid_until in page
    assert re.search(r"[٠-٩]", valid_until) and not re.search(r"[0-9]", valid_until)  # Arabic digits in Arabic


def test_a_slip_isolates_the_arabic_name_and_the_staff_pages_keep_center_codes_whole(client, auth, qalyubia, db):
    benha = qalyubia[2]["QLY-BENHA"]
    auth.as_role("center_manager", center=benha)
    learner = factories.UserFactory(center=benha, full_name_ar="منى 3", full_name_latin="Mona 3")
    slip = client.post(f"/manage/staff/{learner.id}/password").text
    assert '<p class="slip-name"><bdi>منى 3</bdi> — ' in slip  # else an English page shows "3 منى"
    whole = '<span class="code-cell"><bdi>QLY-BENHA</bdi></span>'  # not "QLY-" on one line, "BENHA" on the next
    assert whole in client.get(f"/manage/staff/{learner.id}").text and whole in client.get("/manage/staff/").text


def test_the_slips_of_a_roster_import_show_their_expiry(app, client, hr, qalyubia, db):
    result = import_file(client, xlsx_bytes(ARABIC_HEADERS, [["9101", "منى", "Mona", "", "QLY-BENHA", "", ""]]))
    person = db.session.scalar(sa.select(User).where(User.username == "9101"))
    assert person.one_time_password_expires_at is not None
    assert _valid_until(app, person) in result.text


def test_the_hr_api_gives_the_expiry_with_the_one_time_password(client, qalyubia, db):
    from datetime import timedelta

    from lms.auth.services import issue_api_token

    hr = factories.UserFactory(role="hr", center=None, scope_governorate_id=qalyubia[0].id)
    token, _record = issue_api_token(hr, timedelta(days=1))
    created = client.put("/api/v1/staff/7001", headers={"Authorization": f"Bearer {token}"},
                         json={"full_name_ar": "سارة علي", "center_code": "QLY-BENHA", "status": "active"})
    assert created.status_code == 201, created.json
    person = db.session.scalar(sa.select(User).where(User.username == "7001"))
    assert created.json["one_time_password_expires_at"] == person.one_time_password_expires_at.isoformat()


def test_a_one_time_password_typed_in_lower_case_or_arabic_indic_digits_opens_the_account(app, db):
    # A phone's keyboard types lower-case letters: the slip's password was refused as wrong.
    from lms.accounts.services import set_one_time_password
    from lms.auth.services import authenticate
    from lms.core.i18n import localize_digits

    person = factories.UserFactory(username="slip")
    password = set_one_time_password(person)
    db.session.commit()
    with app.test_request_context():
        typed = localize_digits(password.lower(), "ar")
        assert authenticate("slip", f" {typed} ") is not None
        assert authenticate("slip", password[::-1] if password[::-1] != password else "ZZZZZZZZZZ") is None
        person.set_password("a Chosen password 7")
        person.one_time_password_expires_at = None
        db.session.commit()
        assert authenticate("slip", "a chosen password 7") is None  # a chosen password is exact
