"""Administrators create and edit users and technology centers; bad input is refused and kept in the form."""
import sqlalchemy as sa

from lms.accounts.models import Center, CenterKind, Role, User
from tests import factories

NEW_USER = {"username": "Sara.Ali", "full_name_ar": "سارة علي", "full_name_latin": "Sara Ali",
            "employee_number": "٤٤٤٥", "role": "learner", "is_active": "y", "password": "a long password"}


def test_admin_creates_a_user(client, as_admin, db):
    center = factories.CenterFactory()
    response = client.post("/admin/users/new", data={**NEW_USER, "center_id": str(center.id)})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "sara.ali"))
    assert user.employee_number == "4445" and user.center_id == center.id and user.role == Role.LEARNER
    assert user.check_password("a long password")


def test_a_taken_username_or_employee_number_is_refused_and_input_kept(client, as_admin, db):
    factories.UserFactory(username="sara.ali", employee_number="4445")
    client.post("/language", data={"lang": "en"})
    response = client.post("/admin/users/new", data=NEW_USER)
    assert response.status_code == 200
    assert "This username is already taken." in response.text
    assert "This employee number belongs to another user." in response.text
    assert 'value="Sara Ali"' in response.text
    assert db.session.scalar(sa.select(User).where(User.full_name_latin == "Sara Ali")) is None


def test_an_email_address_is_checked_and_a_bad_one_refused_with_a_message(client, as_admin, db):
    client.post("/language", data={"lang": "en"})
    response = client.post("/admin/users/new", data={**NEW_USER, "email": "not an address"})
    assert response.status_code == 200 and "This is not an email address." in response.text
    assert db.session.scalar(sa.select(User).where(User.username == "sara.ali")) is None
    assert client.post("/admin/users/new", data={**NEW_USER, "email": "Sara@Example.gov.eg"}).status_code == 302
    assert db.session.scalar(sa.select(User.email).where(User.username == "sara.ali")) == "Sara@Example.gov.eg"


def test_a_new_user_needs_a_password(client, as_admin, db):
    response = client.post("/admin/users/new", data={**NEW_USER, "password": ""})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.username == "sara.ali")) is None


def test_a_new_accounts_password_is_asked_with_the_other_fields_and_no_current_one_is_promised(client, as_admin):
    # The form said "leave empty to keep the current password" for an account that has none, and asked for the
    # password only in a second round, once the other fields were right.
    client.post("/language", data={"lang": "en", "next": "/"})
    assert "keep the current password" not in client.get("/admin/users/new").text
    page = client.post("/admin/users/new", data={**NEW_USER, "username": "", "password": ""}).text
    assert "A new account needs a password." in page and page.count('class="error"') >= 2
    user = factories.UserFactory()
    assert "Leave empty to keep the current password." in client.get(f"/admin/users/{user.id}").text


def test_admin_edits_a_user_and_keeps_the_password_when_left_empty(client, as_admin, db):
    user = factories.UserFactory(username="omar")
    old_hash = user.password_hash
    data = {"username": "omar", "full_name_ar": "عمر", "full_name_latin": "Omar", "role": "trainer",
            "is_active": "y", "password": ""}
    assert client.post(f"/admin/users/{user.id}", data=data).status_code == 302
    db.session.refresh(user)
    assert user.role == Role.TRAINER and user.full_name_latin == "Omar" and user.password_hash == old_hash


def test_admin_creates_a_mobile_center_and_refuses_a_duplicate_code(client, as_admin, db):
    governorate = factories.GovernorateFactory()
    data = {"code": "qly-mob-9", "governorate_id": str(governorate.id), "name_ar": "المركز التكنولوجي المتنقل ٩",
            "name_en": "Mobile Technology Center 9", "kind": "mobile", "is_active": "y"}
    assert client.post("/admin/centers/new", data=data).status_code == 302
    center = db.session.scalar(sa.select(Center).where(Center.code == "QLY-MOB-9"))
    assert center.kind == CenterKind.MOBILE
    assert client.post("/admin/centers/new", data=data).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Center).where(Center.code == "QLY-MOB-9")) == 1


def test_user_search_is_arabic_aware(client, as_admin, db):
    factories.UserFactory(full_name_ar="أحمد مصطفى إبراهيم", full_name_latin="Ahmed Mostafa")
    factories.UserFactory(full_name_ar="فاطمة الزهراء", full_name_latin="Fatma")
    for typed in ("احمد مصطفي", "ابراهيم", "MOSTAFA"):
        page = client.get("/admin/users", query_string={"q": typed}).text
        assert "Ahmed Mostafa" in page or "أحمد مصطفى" in page, typed
        assert "فاطمة" not in page
    assert "فاطمة الزهراء" in client.get("/admin/users", query_string={"q": "فاطمه"}).text


def test_the_admin_form_follows_the_password_rules(client, as_admin, db):
    client.post("/language", data={"lang": "en"})
    short = client.post("/admin/users/new", data={**NEW_USER, "password": "demo1234"})
    assert short.status_code == 200 and "Use at least 12 characters." in short.text and 'value="Sara Ali"' in short.text
    personal = client.post("/admin/users/new", data={**NEW_USER, "password": "sara.ali.4445"})
    assert "Do not build your password from your name, username or employee number." in personal.text
    assert db.session.scalar(sa.select(User).where(User.username == "sara.ali")) is None
    user = factories.UserFactory(username="omar")
    old_hash = user.password_hash
    data = {"username": "omar", "full_name_ar": "عمر", "full_name_latin": "Omar", "role": "learner",
            "is_active": "y", "password": "password1234"}
    response = client.post(f"/admin/users/{user.id}", data=data)
    assert response.status_code == 200 and "one of the most common passwords" in response.text
    db.session.refresh(user)
    assert user.password_hash == old_hash
