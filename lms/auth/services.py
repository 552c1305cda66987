"""Signing in and out, and API tokens."""
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import User
from lms.accounts.services import password_problem_for
from lms.auth.models import ApiToken, LoginSession
from lms.core.db import begin_write
from lms.core.i18n import _, to_ascii_digits
from lms.core.inputs import parse_int
from lms.core.models import UTCDateTime, ValidationError, utcnow
from lms.core.password_hashes import hash_password, needs_rehash, verify_password
from lms.extensions import db

# Checked when no account matches, so that a wrong username costs as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class OneTimePasswordExpired(Exception):
    """The right one-time password, given after its expiry: its holder needs a new one from HR."""

    @staticmethod
    def message() -> str:
        return _("This one-time password has expired. Ask HR or your technology center's manager for a new one.")


def normalize_identifier(identifier: str) -> str:
    """A username or employee number as sign-in matches it: any digits as ASCII, no outer spaces, lower case."""
    return to_ascii_digits(identifier.strip()).lower()


def _account_query(identifier: str, *columns):
    # Usernames are stored in lower case; employee numbers with ASCII digits, in the case HR typed them.
    typed = to_ascii_digits(identifier.strip())
    return sa.select(*columns).where(sa.or_(User.username == typed.lower(), User.employee_number == typed))


def account_id(identifier: str) -> int | None:
    """The id of the account that signing in with `identifier` targets, active or not; None when there is none."""
    if not identifier.strip():
        return None
    return db.session.scalar(_account_query(identifier, User.id).order_by(User.id).limit(1))


def authenticate(identifier: str, password: str, now: datetime | None = None) -> User | None:
    """The active user with this username or employee number and password, else None (whatever was wrong).

    Raises OneTimePasswordExpired only when the password was right. A password that no longer passes the policy
    still signs in, and its holder is asked to choose another (must_change_password)."""
    if not identifier.strip() or not password:
        return None
    user = db.session.scalar(
        _account_query(identifier, User).options(sa.orm.undefer(User.password_hash)).order_by(User.id).limit(1))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not user.check_password(as_typed_on_slip(user, password)) or not user.is_active:
        return None
    expires_at = user.one_time_password_expires_at
    if expires_at is not None and expires_at <= (now or utcnow()):
        raise OneTimePasswordExpired()
    if not user.must_change_password and password_problem_for(password, user) is not None:
        _require_new_password(user)
    elif expires_at is None and needs_rehash(user.password_hash):
        _rehash(user, password)
    return user


def _rehash(user: User, password: str) -> None:
    """A chosen password's older hash (scrypt) replaced by today's, now that the password is at hand; once."""
    begin_write()
    db.session.execute(sa.update(User).where(User.id == user.id).values(password_hash=hash_password(password)))
    db.session.commit()


def _require_new_password(user: User) -> None:
    begin_write()
    db.session.execute(sa.update(User).where(User.id == user.id).values(must_change_password=True))
    db.session.commit()
    user.must_change_password = True


def start_login_session(user: User, lifetime: timedelta) -> str:
    """Record a new sign-in and return the token that the browser's session cookie will carry."""
    token = secrets.token_urlsafe(32)
    begin_write()
    db.session.add(LoginSession(token_hash=hash_token(token), user_id=user.id, expires_at=utcnow() + lifetime))
    db.session.commit()
    return token


# Runs on every signed-in request: built once.
_USER_FOR_LOGIN_SESSION = (
    sa.select(User)
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(
        LoginSession.token_hash == sa.bindparam("token_hash"),
        User.id == sa.bindparam("user_id"),
        User.is_active.is_(True),
        LoginSession.expires_at > sa.bindparam("now", type_=UTCDateTime),
    )
)


def user_for_login_session(user_id: str, token: str | None) -> User | None:
    number = parse_int(user_id, low=1)
    if not token or number is None:
        return None
    return db.session.scalar(_USER_FOR_LOGIN_SESSION,
                             {"token_hash": hash_token(token), "user_id": number, "now": utcnow()})


def end_login_session(token: str | None) -> None:
    if token:
        begin_write()
        db.session.execute(sa.delete(LoginSession).where(LoginSession.token_hash == hash_token(token)))
        db.session.commit()


def end_sessions_of(user_ids: list[int]) -> None:
    """Sign these people out everywhere, browsers and API tokens (accounts' `end_sessions` hook: a password
    changed or reset, a deactivation, a roster deactivating hundreds): a few statements in all."""
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id.in_(chunk)))
        db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id.in_(chunk)))


def as_typed_on_slip(user: User, password: str) -> str:
    """A one-time password as its slip prints it: upper-case Latin letters and digits, so that a phone's
    lower-case letters or Arabic-Indic digits still open the account (they were refused as a wrong password).
    A password the person chose is taken exactly as typed."""
    if user.one_time_password_expires_at is None:
        return password
    return to_ascii_digits(password.strip()).upper()


def change_password(user: User, current: str, new: str, keep_token: str | None) -> bool:
    """Change one's own password; every other browser and API token of the user is signed out.

    False when `current` is wrong; ValidationError({"new": ...}) when the new one may not be chosen."""
    current = as_typed_on_slip(user, current)
    if not user.check_password(current):
        return False
    if new == current:
        raise ValidationError({"new": _("Choose a password other than the one-time password.")
                               if user.one_time_password_expires_at else
                               _("Choose a password other than your current one.")})
    if problem := password_problem_for(new, user):
        raise ValidationError({"new": problem})
    begin_write()
    user = db.session.get(User, user.id)
    user.set_password(new)
    user.must_change_password = False
    db.session.execute(sa.delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.token_hash != hash_token(keep_token or "")))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id))
    db.session.commit()
    return True


def issue_api_token(user: User, lifetime: timedelta) -> tuple[str, ApiToken]:
    token = secrets.token_urlsafe(32)
    begin_write()
    record = ApiToken(token_hash=hash_token(token), user_id=user.id, expires_at=utcnow() + lifetime)
    db.session.add(record)
    db.session.commit()
    return token, record


_USER_FOR_API_TOKEN = (
    sa.select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == sa.bindparam("token_hash"), User.is_active.is_(True),
           ApiToken.expires_at > sa.bindparam("now", type_=UTCDateTime))
)


def user_for_api_token(token: str) -> User | None:
    return db.session.scalar(_USER_FOR_API_TOKEN, {"token_hash": hash_token(token), "now": utcnow()})
