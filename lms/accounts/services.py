"""Use cases for people and places. Each commits once."""
import sqlalchemy as sa

from lms.accounts.models import Center, CenterKind, Governorate, JobTitle, Role, User
from lms.core.arabic import normalize_for_matching
from lms.core.db import begin_write, get_or_raise, value_taken
from lms.core.i18n import _, to_ascii_digits
from lms.core.models import ValidationError, utcnow
from lms.core.signals import user_credentials_changed
from lms.extensions import db

USER_FIELDS = ("username", "employee_number", "full_name_ar", "full_name_latin", "email", "center_id",
               "job_title_id", "role", "is_active", "scope_governorate_id")


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


def create_user(values: dict, password: str) -> User:
    begin_write()
    clean = _clean_user_values(values)
    _check_unique_user(clean, None)
    user = User(**clean)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


def update_user(user_id: int, values: dict, password: str | None = None) -> User:
    begin_write()
    user = get_or_raise(User, user_id)
    clean = _clean_user_values(values)
    _check_unique_user(clean, user_id)
    was_active = user.is_active
    for key, value in clean.items():
        setattr(user, key, value)
    if was_active != user.is_active:
        user.deactivated_at = None if user.is_active else utcnow()
    if password:
        user.set_password(password)
    if password or (was_active and not user.is_active):
        user_credentials_changed.send(user)
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
        title = JobTitle(code=f"JOB-{number}", name_ar=name_ar.strip(), name_en=(name_en or name_ar).strip())
        db.session.add(title)
        db.session.flush()
    return title
