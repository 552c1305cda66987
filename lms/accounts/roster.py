"""Staff rosters: plan what a roster changes (the preview), with every row's errors. Reads only.

The preview is reproducible without server state: its rows travel back in a signed form field
(`roster_files.sign_roster`) and everything is checked again at apply, against the database as it is then
(roster_apply).
"""
import difflib
import hashlib
import json
import re
from collections.abc import Container
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.accounts.models import Center, JobTitle, Role, User
from lms.accounts.roster_files import FIELDS, REQUIRED, Roster, field_labels
from lms.accounts.scope import may_manage, scope_of
from lms.core.arabic import normalize_for_matching
from lms.core.i18n import _, localize_digits, ngettext, to_ascii_digits
from lms.core.names import clean_name
from lms.extensions import db

_IN_CHUNK = 500
_ACTIVE = {"نشط", "يعمل", "active", "1", "yes", "نعم", ""}
_LEFT = {"ترك العمل", "غير نشط", "left", "inactive", "0", "no", "لا"}
_ACTIVE_KEYS = {normalize_for_matching(s) for s in _ACTIVE}
_LEFT_KEYS = {normalize_for_matching(s) for s in _LEFT}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMBER = re.compile(r"^[A-Za-z0-9._-]+$")
_LIMITS = {"employee_number": 32, "full_name_ar": 200, "full_name_latin": 200, "email": 254, "center_code": 32,
           "job_title": 120, "status": 40}


class RosterRejected(Exception):
    """Applying was refused: rows have errors (the database may have changed since the preview)."""

    def __init__(self, plan: "RosterPlan"):
        super().__init__(plan.errors)
        self.plan = plan


# ---------------------------------------------------------------- planning


@dataclass
class RowError:
    row: int
    field: str
    column: str  # the header as written in the file (or the field's name)
    message: str
    code: str  # required, format, duplicate, unknown_center, center_scope, person_scope, username_taken
    value: str = ""  # what the cell holds (cleaned): shown beside the problem, so HR finds it in the file


@dataclass
class Entry:
    row: int
    values: dict[str, str]
    user: User | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, old, new)
    target: dict = field(default_factory=dict)  # attributes to set
    reason: str = ""  # deactivation: "left" (the file says so) or "missing" (absent from a complete file)
    identity: list[str] = field(default_factory=list)  # why it needs a tick: "name", "role" (identity_reasons)
    token: str = ""  # what the tick of an identity change confirms: its row and what it changes, of whom

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user is not None else None


@dataclass
class RosterPlan:
    to_create: list[Entry] = field(default_factory=list)
    to_update: list[Entry] = field(default_factory=list)
    to_deactivate: list[Entry] = field(default_factory=list)
    unchanged: list[Entry] = field(default_factory=list)
    # Updates and deactivations that change who an account is: applied only when ticked (confirm_identity_changes);
    # those left here are skipped.
    identity_changes: list[Entry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    new_job_titles: list[str] = field(default_factory=list)
    # A new title that is nearly an existing one ("موظفة شباك خدمة" beside "موظف شباك خدمة"): new title -> existing.
    close_job_titles: dict[str, str] = field(default_factory=dict)
    unknown_columns: list[str] = field(default_factory=list)
    complete: bool = False

    @property
    def has_changes(self) -> bool:
        return bool(self.to_create or self.to_update or self.to_deactivate or self.identity_changes)


def _job_title(text: str, titles: dict[str, JobTitle | str], plan: RosterPlan) -> JobTitle | str:
    """The job title a row names: an existing one, or a new one (its text), which the plan lists."""
    key = normalize_for_matching(text)
    if key not in titles:
        if close := _closest_title(key, titles):
            plan.close_job_titles[text] = close.name_ar
        titles[key] = text
        plan.new_job_titles.append(text)
    return titles[key]


def _closest_title(key: str, titles: dict[str, JobTitle | str]) -> JobTitle | None:
    """The existing job title a new one is nearly the same as (a letter or two apart), if any."""
    existing = {k: t for k, t in titles.items() if isinstance(t, JobTitle)}
    close = difflib.get_close_matches(key, list(existing), n=1, cutoff=0.85)
    return existing[close[0]] if close else None


def _chunks(values: list) -> list[list]:
    return [values[i:i + _IN_CHUNK] for i in range(0, len(values), _IN_CHUNK)]


def _clean(values: dict[str, str]) -> dict[str, str]:
    clean = {f: " ".join(str(values.get(f) or "").split()) for f in FIELDS}
    for name in ("full_name_ar", "full_name_latin"):  # as certificates will print them: no direction controls
        clean[name] = clean_name(clean[name])
    clean["employee_number"] = to_ascii_digits(clean["employee_number"])
    clean["center_code"] = to_ascii_digits(clean["center_code"]).upper()
    return clean


def _status(text: str) -> bool | None:
    key = normalize_for_matching(text)
    if key in _ACTIVE_KEYS:
        return True
    if key in _LEFT_KEYS:
        return False
    return None


def plan_roster(roster: Roster, viewer: User, complete: bool = False) -> RosterPlan:
    """What applying `roster` as `viewer` would do, and every row's errors. Reads only."""
    plan = RosterPlan(unknown_columns=list(roster.unknown_columns), complete=complete)
    labels = field_labels()
    scope = scope_of(viewer)

    rows = [(raw[0], _clean(dict(zip(FIELDS, raw[1:], strict=False)))) for raw in roster.rows]
    cells = dict(rows)

    def error(row, name, message, code):
        plan.errors.append(RowError(row, name, roster.headers.get(name) or labels[name], message, code,
                                    cells.get(row, {}).get(name) or ""))

    numbers = [v["employee_number"] for _row, v in rows if v["employee_number"]]
    codes = sorted({v["center_code"] for _row, v in rows if v["center_code"]})
    centers = {c.code: c for chunk in _chunks(codes)
               for c in db.session.scalars(sa.select(Center).where(Center.code.in_(chunk)))}
    existing = {u.employee_number: u for chunk in _chunks(sorted(set(numbers))) for u in db.session.scalars(
        sa.select(User).options(sa.orm.joinedload(User.center), sa.orm.joinedload(User.job_title))
        .where(User.employee_number.in_(chunk)))}
    wanted_usernames = sorted({n.lower() for n in numbers if n not in existing})
    taken = {name for chunk in _chunks(wanted_usernames)
             for name in db.session.scalars(sa.select(User.username).where(User.username.in_(chunk)))}
    titles: dict[str, JobTitle | str] = {}
    for title in db.session.scalars(sa.select(JobTitle)):
        titles.setdefault(normalize_for_matching(title.name_ar), title)
        titles.setdefault(normalize_for_matching(title.name_en), title)

    first_row: dict[str, int] = {}
    for row, v in rows:
        before = len(plan.errors)
        for name in REQUIRED:
            if not v[name]:
                error(row, name, _("This value is required."), "required")
        for name, limit in _LIMITS.items():
            if len(v[name]) > limit:
                error(row, name, ngettext("At most %(num)s character.", "At most %(num)s characters.", limit,
                                                num=localize_digits(limit)), "format")
        number = v["employee_number"]
        if number and not _NUMBER.match(number):
            error(row, "employee_number", _("Use Latin letters, digits, dot, dash or underscore."), "format")
        if v["email"] and not _EMAIL.match(v["email"]):
            error(row, "email", _("This is not an email address."), "format")
        active = _status(v["status"])
        if active is None:
            error(row, "status", _("Write “active” or “left” (نشط / ترك العمل)."), "format")
        if number.lower() in first_row:  # the username is the number in lower case: "A1" and "a1" collide
            error(row, "employee_number", _("This employee number is also in row %(row)s.",
                                            row=localize_digits(first_row[number.lower()])), "duplicate")
        elif number:
            first_row[number.lower()] = row
        center = centers.get(v["center_code"])
        if v["center_code"] and center is None:
            error(row, "center_code", _("No technology center has this code."), "unknown_center")
        elif center is not None and not scope.allows_center(center):
            error(row, "center_code", _("This technology center is outside the ones you manage."), "center_scope")
        user = existing.get(number)
        if user is not None and not may_manage(viewer, user):
            error(row, "employee_number", _("This employee number belongs to an account you may not manage."),
                  "person_scope")
        elif user is None and number and number.lower() in taken:
            error(row, "employee_number", _("Another account already uses this employee number as its username."),
                  "username_taken")
        if len(plan.errors) > before:
            continue

        target = {"full_name_ar": v["full_name_ar"], "center": center, "is_active": active}
        if v["full_name_latin"]:
            target["full_name_latin"] = v["full_name_latin"]
        if v["email"]:
            target["email"] = v["email"]
        if v["job_title"]:
            target["job_title"] = _job_title(v["job_title"], titles, plan)
        entry = Entry(row=row, values=v, user=user, target=target)
        if user is None:
            (plan.to_create if active else plan.unchanged).append(entry)  # nobody to deactivate
        elif not active:
            entry.reason = "left"
            _sort_change(plan, entry, plan.to_deactivate if user.is_active else plan.unchanged)
        else:
            entry.changes = _changes(user, target, v)
            _sort_change(plan, entry, plan.to_update if entry.changes else plan.unchanged)

    if complete and not plan.errors:
        _plan_missing(plan, scope, {c.id for c in centers.values()}, set(numbers))
    return plan


def identity_reasons(user: User, changes: list[tuple[str, str, str]]) -> list[str]:
    """Why a change to `user` may be someone else taking over the account, and needs a person to confirm it:
    "name" when the name changes, "role" when the account holds a role beyond learner. Adding a Latin name where
    there was none (or where the Arabic one stood in, as for new accounts) does not change the name."""
    reasons = []
    names = {name: old for name, old, _new in changes}
    if "full_name_ar" in names or names.get("full_name_latin", "") not in ("", user.full_name_ar):
        reasons.append("name")
    if user.role != Role.LEARNER:
        reasons.append("role")
    return reasons


def _sort_change(plan: RosterPlan, entry: Entry, listed: list[Entry]) -> None:
    if listed is not plan.unchanged:
        entry.identity = identity_reasons(entry.user, entry.changes)
    if not entry.identity:
        listed.append(entry)
        return
    seen = [entry.user.id, str(entry.user.role), entry.user.full_name_ar, entry.user.full_name_latin, entry.reason,
            entry.changes]
    digest = hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode()).hexdigest()[:16]
    entry.token = f"{entry.row}-{digest}"
    plan.identity_changes.append(entry)


def confirm_identity_changes(plan: RosterPlan, confirmed: Container[str]) -> list[int]:
    """Move the identity changes whose tick is in `confirmed` to the changes applied; the others stay, skipped.
    The rows ticked for an identity change other than the plan's now (the person changed since the preview)."""
    ticked_rows = set()
    if isinstance(confirmed, (list, tuple, set, frozenset)):
        ticked_rows = {token.partition("-")[0] for token in confirmed if isinstance(token, str)}
    kept, stale = [], []
    for entry in plan.identity_changes:
        if entry.token in confirmed:
            (plan.to_deactivate if entry.reason == "left" else plan.to_update).append(entry)
        else:
            kept.append(entry)
            if str(entry.row) in ticked_rows:
                stale.append(entry.row)
    plan.identity_changes = kept
    return stale


def _changes(user: User, target: dict, v: dict[str, str]) -> list[tuple[str, str, str]]:
    changes = []
    for name in ("full_name_ar", "full_name_latin", "email"):
        if name in target and (getattr(user, name) or "") != target[name]:
            changes.append((name, getattr(user, name) or "", target[name]))
    if user.center_id != target["center"].id:
        changes.append(("center_code", user.center.code if user.center else "", v["center_code"]))
    title = target.get("job_title")
    if title is not None and (isinstance(title, str) or title.id != user.job_title_id):
        changes.append(("job_title", user.job_title.name_ar if user.job_title else "",
                        title if isinstance(title, str) else title.name_ar))
    if not user.is_active:
        changes.append(("status", "left", "active"))
    return changes


def _plan_missing(plan: RosterPlan, scope, center_ids: set[int], numbers: set[str]) -> None:
    """A file that lists every employee of its centers: their active learners absent from it have left."""
    if not center_ids:
        return
    missing = db.session.scalars(
        sa.select(User).options(sa.orm.joinedload(User.center))
        .where(User.center_id.in_(sorted(center_ids)), User.is_active.is_(True), User.role == Role.LEARNER,
               scope.users())
        .order_by(User.employee_number))
    for user in missing:
        if user.employee_number not in numbers:
            plan.to_deactivate.append(Entry(row=0, values={}, user=user, reason="missing"))
