"""Signing in and out, and API tokens."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.models import User
from lms.auth.models import ApiToken, LoginSession
from lms.core.db import begin_write
from lms.core.i18n import to_ascii_digits
from lms.core.inputs import parse_int
from lms.core.models import UTCDateTime, utcnow
from lms.extensions import db

# Checked when no account matches, so that a wrong username costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method="scrypt")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate(identifier: str, password: str) -> User | None:
    """The active user with this username or employee number and password, else None (whatever was wrong)."""
    identifier = to_ascii_digits(identifier.strip())
    if not identifier or not password:
        return None
    user = db.session.scalar(
        sa.select(User)
        .options(sa.orm.undefer(User.password_hash))
        .where(sa.or_(User.username == identifier.lower(), User.employee_number == identifier))
    )
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


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


def end_all_sessions(user_id: int) -> None:
    """Sign a user out everywhere, e.g. when an administrator deactivates them or resets their password."""
    db.session.execute(sa.delete(LoginSession).where(LoginSession.user_id == user_id))
    db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user_id))


def change_password(user: User, current: str, new: str, keep_token: str | None) -> bool:
    """Change one's own password; every other browser and API token of the user is signed out."""
    if not user.check_password(current):
        return False
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
