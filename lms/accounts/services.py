"""Use cases for people and places. Each commits once."""
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from lms.accounts.models import Center, CenterKind, District, Governorate, JobTitle, Role, User
from lms.accounts.scope import EVERYTHING, Scope, may_manage, scope_of
from lms.core.arabic import normalize_for_matching
from lms.core.db import begin_write, get_or_raise, locked, value_taken
from lms.core.edits import check_unchanged
from lms.core.hooks import Hook
from lms.core.i18n import _, to_ascii_digits
from lms.core.models import ValidationError, utcnow
from lms.core.passwords import password_problem, personal_words
from lms.core.signals import staff_changed
from lms.extensions import db

USER_FIELDS = ("username", "employee_number", "full_name_ar", "full_name_latin", "email", "center_id",
               "job_title_id", "role", "is_active", "scope_governorate_id")

end_sessions = Hook("accounts.end_sessions", """(user_ids): sign these people out everywhere (browser sessions
and API tokens), inside the caller's write transaction: their password was changed or reset, or they were
deactivated. The auth package provides it; a password change must never leave an old session open.""")


def _clean_user_values(values: dict) -> dict:
    clean = {k: values.get(k) for k in USER_FIELDS if k in values}
    if "username" in clean:
        clean["username"] = (clean["username"] or "").strip().lower()
    if "employee_number" in clean:
        clean["employee_number"] = to_ascii_digits((clean["employee_number"] or "").strip()) or None
    if "email" in clean:
        clean["email"] = (clean["email"] or "").strip() or None
    if "role" in clean:
        clean["role"] = Role(clean["role"])
        if clean["role"] != Role.HR:
            clean["scope_governorate_id"] = None  # only HR has a governorate scope
    return clean


def _check_unique_user(values: dict, user_id: int | None) -> None:
    errors = {}
    for field, message in (("username", _("This username is already taken.")),
                           ("employee_number", _("This employee number belongs to another user."))):
        value = values.get(field)
        if value is not None and value_taken(getattr(User, field), value, user_id):
            errors[field] = message
    if errors:
        raise ValidationError(errors)


def password_problem_for(password: str, user: User | None = None, values: dict | None = None) -> str | None:
    """lms.core.passwords' verdict on a password for this account, as it is or with `values` about to be saved:
    why it may not be chosen, or None."""
    values = values or {}

    def value(name: str):
        return values[name] if name in values else getattr(user, name, None)

    return password_problem(password, personal_words(
        *(value(n) for n in ("username", "employee_number", "full_name_latin", "email"))))


def _check_password(password: str, user: User | None, clean: dict) -> None:
    if problem := password_problem_for(password, user, clean):
        raise ValidationError({"password": problem})


def create_user(values: dict, password: str) -> User:
    clean = _clean_user_values(values)
    _check_password(password, None, clean)
    begin_write()
    _check_unique_user(clean, None)
    user = User(**clean)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    staff_changed.send([user.id])
    db.session.commit()
    return user


def stored_user(user: User) -> dict:
    """The account's values that the administrator's form changes, as stored (an edit form's fingerprint)."""
    return {key: getattr(user, key) for key in USER_FIELDS} | {"role": user.role.value}


def update_user(user_id: int, values: dict, password: str | None = None) -> User:
    """`values["seen"]`, when given: the fingerprint of what the form showed (lms.core.edits); a change made
    since, by another person or a roster import, is not replaced silently."""
    begin_write()
    user = locked(User, user_id)
    clean = _clean_user_values(values)
    stored = stored_user(user)
    check_unchanged(values.get("seen"), stored,
                    {**stored, **clean, "role": clean["role"].value if "role" in clean else stored["role"]})
    if password:
        _check_password(password, user, clean)
    _check_unique_user(clean, user_id)
    was_active = user.is_active
    placed_before = (user.center_id, user.job_title_id, user.is_active)
    for key, value in clean.items():
        setattr(user, key, value)
    if was_active != user.is_active:
        user.deactivated_at = None if user.is_active else utcnow()
    if password:
        user.set_password(password)
    if password or (was_active and not user.is_active):
        end_sessions([user.id])
    if (user.center_id, user.job_title_id, user.is_active) != placed_before:
        db.session.flush()
        staff_changed.send([user.id])
    db.session.commit()
    return user


def set_user_locale(user_id: int, locale: str) -> None:
    begin_write()
    db.session.execute(sa.update(User).where(User.id == user_id).values(locale=locale))
    db.session.commit()


def save_center(values: dict, center_id: int | None = None) -> Center:
    begin_write()
    code = (values.get("code") or "").strip().upper()
    if value_taken(Center.code, code, center_id):
        raise ValidationError({"code": _("Another technology center already uses this code.")})
    center = get_or_raise(Center, center_id) if center_id is not None else Center()
    center.code = code
    center.governorate_id = values["governorate_id"]
    center.name_ar = values["name_ar"].strip()
    center.name_en = values["name_en"].strip()
    center.kind = CenterKind(values["kind"])
    center.is_active = bool(values.get("is_active", True))
    center.district_id = values.get("district_id") or None
    if center.district_id is not None and db.session.scalar(
            sa.select(District.governorate_id).where(District.id == center.district_id)) != center.governorate_id:
        raise ValidationError({"district_id": _("This district is in another governorate.")})
    # Only a mobile center has a current location: a fixed one's form does not show the field, and has none.
    location = (values.get("location") or "").strip() if center.kind == CenterKind.MOBILE else ""
    if location != (center.location or ""):
        center.location, center.location_updated_at = location, utcnow() if location else None
    db.session.add(center)
    db.session.commit()
    return center


def save_governorate(code: str, name_ar: str, name_en: str) -> Governorate:
    begin_write()
    code = code.strip().upper()
    governorate = db.session.scalar(sa.select(Governorate).where(Governorate.code == code)) or Governorate(code=code)
    governorate.name_ar, governorate.name_en = name_ar.strip(), name_en.strip()
    db.session.add(governorate)
    db.session.commit()
    return governorate


def list_users(search: str = "", page: int = 1, per_page: int = 50):
    query = sa.select(User).options(sa.orm.joinedload(User.center)).order_by(User.full_name_ar)
    if needle := normalize_for_matching(search):
        query = query.where(User.search_key.contains(needle, autoescape=True))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def list_centers() -> list[Center]:
    return list(db.session.scalars(
        sa.select(Center).options(sa.orm.joinedload(Center.governorate)).order_by(Center.code)
    ))


def list_governorates() -> list[Governorate]:
    return list(db.session.scalars(sa.select(Governorate).order_by(Governorate.code)))


def list_job_titles() -> list[JobTitle]:
    return list(db.session.scalars(sa.select(JobTitle).order_by(JobTitle.name_ar)))


def job_title_named(name_ar: str, name_en: str = "") -> JobTitle:
    """The job title with this Arabic name, created when new (inside the caller's transaction)."""
    title = db.session.scalar(sa.select(JobTitle).where(JobTitle.name_ar == name_ar.strip()))
    if title is None:
        number = (db.session.scalar(sa.select(sa.func.count(JobTitle.id))) or 0) + 1
        while value_taken(JobTitle.code, f"JOB-{number}"):  # HR may have typed such a code themself
            number += 1
        title = JobTitle(code=f"JOB-{number}", name_ar=name_ar.strip(), name_en=(name_en or name_ar).strip())
        db.session.add(title)
        db.session.flush()
    return title


# ---------------------------------------------------------------- staff (HR and center managers, in scope)

# No 0/O, 1/I/L, 5/S, B/8: a slip is read by eye and typed at a counter.
_UNAMBIGUOUS = "ACDEFGHJKMNPQRTUVWXYZ2346789"
# A one-time password is 48 random bits that live until their first use: a cheaper hash than a chosen password's,
# so that a roster of thousands is imported in seconds, not minutes.
ONE_TIME_HASH = "scrypt:2048:8:1"


def one_time_password_expiry(now: datetime | None = None) -> datetime:
    """When a one-time password made at `now` stops opening its account: LMS_ONE_TIME_PASSWORD_HOURS later."""
    return (now or utcnow()) + timedelta(hours=current_app.config["LMS_ONE_TIME_PASSWORD_HOURS"])


def one_time_password(expires_at: datetime) -> tuple[str, dict]:
    """A new random password, and the User columns that store it (hashed; its holder must replace it at first
    sign-in, before `expires_at`). The one place that says what a one-time password sets, whether for one account
    (set_one_time_password) or for a roster's thousands, hashed on several threads and written in bulk."""
    password = "".join(secrets.choice(_UNAMBIGUOUS) for _ in range(10))
    return password, {"password_hash": generate_password_hash(password, method=ONE_TIME_HASH),
                      "must_change_password": True, "one_time_password_expires_at": expires_at}


def set_one_time_password(user: User, now: datetime | None = None) -> str:
    """Give the account a new one-time password; returned once, stored hashed."""
    password, columns = one_time_password(one_time_password_expiry(now))
    for name, value in columns.items():
        setattr(user, name, value)
    return password


def deactivate(user: User) -> None:
    """Left: kept with their records and certificates, signed out everywhere."""
    user.is_active = False
    user.deactivated_at = utcnow()
    end_sessions([user.id])


def _managed(viewer_id: int, user_id: int) -> User:
    """The person, when the viewer may change them; LookupError otherwise (a 404: out of scope is absent)."""
    viewer, person = db.session.get(User, viewer_id), db.session.get(User, user_id)
    if viewer is None or person is None or not may_manage(viewer, person):
        raise LookupError(f"User {user_id}")
    return person


def set_staff_active(viewer_id: int, user_id: int, active: bool) -> User:
    begin_write()
    person = _managed(viewer_id, user_id)
    if person.is_active != active:
        if active:
            person.is_active, person.deactivated_at = True, None
        else:
            deactivate(person)
        db.session.flush()
        staff_changed.send([person.id])
    db.session.commit()
    return person


def new_one_time_password(viewer_id: int, user_id: int) -> str:
    """For someone who forgot theirs: a one-time password, shown once to the manager; old sessions end."""
    begin_write()
    person = _managed(viewer_id, user_id)
    password = set_one_time_password(person)
    end_sessions([person.id])
    db.session.commit()
    return password


def stored_placement(person: User) -> dict:
    return {"center_id": person.center_id, "job_title_id": person.job_title_id}


def place_staff(viewer_id: int, user_id: int, center_id: int | None, job_title_id: int | None,
                seen: str | None = None) -> User:
    """Move someone to another technology center (in the viewer's scope) or job title. `seen`: as in
    update_user."""
    begin_write()
    _managed(viewer_id, user_id)
    person = locked(User, user_id)
    check_unchanged(seen, stored_placement(person), {"center_id": center_id, "job_title_id": job_title_id})
    center = db.session.get(Center, center_id) if center_id is not None else None
    if center is None or not scope_of(db.session.get(User, viewer_id)).allows_center(center):
        raise ValidationError({"center_id": _("Choose one of the technology centers you manage.")})
    if job_title_id is not None and db.session.get(JobTitle, job_title_id) is None:
        raise ValidationError({"job_title_id": _("Choose a job title from the list.")})
    if (person.center_id, person.job_title_id) != (center_id, job_title_id):
        person.center_id, person.job_title_id = center_id, job_title_id
        db.session.flush()
        staff_changed.send([person.id])
    db.session.commit()
    return person


def list_districts(scope: Scope = EVERYTHING) -> list[District]:
    return list(db.session.scalars(
        sa.select(District).options(sa.orm.joinedload(District.governorate))
        .where(scope.governorates(District.governorate_id)).order_by(District.governorate_id, District.name_ar)))


STAFF_SORTS = {"name": User.full_name_ar, "latin": User.full_name_latin, "number": User.employee_number,
               "center": Center.code, "job": JobTitle.name_ar, "joined": User.created_at}


def list_staff(scope: Scope, search: str = "", center_id: int | None = None, job_title_id: int | None = None,
               active: bool | None = True, sort: str = "name", descending: bool = False, page: int = 1,
               per_page: int = 50):
    """The staff in `scope`, filtered and sorted on an allow-list (STAFF_SORTS), one page of them."""
    order = STAFF_SORTS.get(sort, User.full_name_ar)
    query = (sa.select(User).outerjoin(User.center).outerjoin(User.job_title)
             .options(sa.orm.contains_eager(User.center), sa.orm.contains_eager(User.job_title))
             .where(scope.users())
             .order_by((order.desc() if descending else order.asc()).nulls_last(), User.id))
    if needle := normalize_for_matching(search):
        query = query.where(User.search_key.contains(needle, autoescape=True))
    if center_id is not None:
        query = query.where(User.center_id == center_id)
    if job_title_id is not None:
        query = query.where(User.job_title_id == job_title_id)
    if active is not None:
        query = query.where(User.is_active.is_(active))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def save_district(values: dict, district_id: int | None = None) -> District:
    begin_write()
    district = get_or_raise(District, district_id) if district_id is not None else District()
    name_ar = values["name_ar"].strip()
    taken = db.session.scalar(sa.select(District.id).where(
        District.governorate_id == values["governorate_id"], District.name_ar == name_ar,
        District.id != (district_id or 0)))
    if taken is not None:
        raise ValidationError({"name_ar": _("This governorate already has a district with this name.")})
    district.governorate_id, district.name_ar, district.name_en = values["governorate_id"], name_ar, \
        values["name_en"].strip()
    db.session.add(district)
    db.session.commit()
    return district


def save_job_title(values: dict, job_title_id: int | None = None) -> JobTitle:
    begin_write()
    code = values["code"].strip().upper()
    name_ar = values["name_ar"].strip()
    if value_taken(JobTitle.code, code, job_title_id):
        raise ValidationError({"code": _("Another job title already uses this code.")})
    if value_taken(JobTitle.name_ar, name_ar, job_title_id):
        raise ValidationError({"name_ar": _("Another job title already has this name.")})
    title = get_or_raise(JobTitle, job_title_id) if job_title_id is not None else JobTitle()
    title.code, title.name_ar, title.name_en = code, name_ar, values["name_en"].strip()
    db.session.add(title)
    db.session.commit()
    return title


def update_center_location(center_id: int, location: str) -> Center:
    """Where a mobile technology center stands now, as its manager reports it."""
    begin_write()
    center = get_or_raise(Center, center_id)
    if center.kind != CenterKind.MOBILE:
        raise LookupError(f"Center {center_id} is not mobile")
    center.location, center.location_updated_at = location.strip(), utcnow()
    db.session.commit()
    return center
