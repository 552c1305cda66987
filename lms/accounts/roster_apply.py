"""Applying a roster so that other writers barely wait: all-or-nothing, with a short write transaction.

Everything slow happens before the write transaction: checking every row against the database (the plan) and
hashing the new accounts' one-time passwords. The transaction then checks cheaply that the database is still as
planned (refusing everything, RosterChanged, when it is not) and writes in bulk, a few statements per thousand
rows. On SQLite, whose one write lock every sign-in and quiz answer also needs, a 10,000-row roster holds it for
a fraction of a second (bench/roster_import.py).
"""
import os
from collections.abc import Callable, Container
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from lms.accounts.models import Center, JobTitle, Role, User, search_key_of
from lms.accounts.roster import RosterPlan, RosterRejected, confirm_identity_changes, plan_roster
from lms.accounts.roster_files import FIELDS, Roster
from lms.accounts.services import end_sessions, job_title_named, one_time_password, one_time_password_expiry
from lms.core.arabic import normalize_for_matching
from lms.core.db import begin_write
from lms.core.i18n import to_ascii_digits
from lms.core.models import utcnow
from lms.core.signals import staff_changed
from lms.extensions import db

_CHUNK = 1000  # rows per bulk statement, and ids per IN (...) of the checks
_HASH_BATCH = 200  # one-time passwords hashed between two progress reports

# What the plan saw of each person it changes, read again inside the write transaction: any difference means
# someone else changed them meanwhile (their scope, their row), and the plan no longer holds.
_AS_PLANNED = (User.employee_number, User.full_name_ar, User.full_name_latin, User.email, User.center_id,
               User.job_title_id, User.is_active, User.role)
_VIEWER = (User.role, User.scope_governorate_id, User.center_id, User.is_active)


class RosterChanged(Exception):
    """Nothing was written: the staff, their centers or the uploader changed between the plan and the write, or a
    ticked identity change is no longer the one previewed (planning again shows how)."""


class IdentityChangeRefused(Exception):
    """Nothing was written: the change needs confirming (the staff API's `confirm_identity_change`)."""

    def __init__(self, skipped: list["Skipped"]):
        super().__init__(skipped)
        self.skipped = skipped


class _Every:
    """Every identity change confirmed (the staff API, told so)."""

    def __contains__(self, _token: object) -> bool:
        return True


EVERY = _Every()


@dataclass
class Skipped:
    """An identity change left out because nobody ticked it."""

    row: int
    employee_number: str
    reasons: list[str]


@dataclass
class Slip:
    """A one-time password, shown once on a printable slip."""

    name_ar: str
    name_latin: str
    username: str
    password: str
    center_code: str
    center_name_ar: str
    center_name_en: str
    expires_at: datetime | None = None  # when the one-time password stops opening the account


@dataclass
class RosterResult:
    created: list[int]  # user ids
    updated: list[int]
    deactivated: list[int]
    unchanged: int
    slips: list[Slip]
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def skipped_rows(self) -> list[tuple[int, str, list[str]]]:
        return [(s.row, s.employee_number, s.reasons) for s in self.skipped]


@dataclass
class _NewTitle:
    """A job title the plan found new: created (or found, if someone added it meanwhile) inside the write."""

    name: str


@dataclass
class PreparedRoster:
    """A plan reduced to plain values and bulk rows, passwords hashed: what the write transaction needs."""

    viewer_id: int
    viewer: tuple  # _VIEWER as planned
    centers: dict[int, int]  # id -> governorate id, as planned, of every center written
    new_titles: dict[str, str]  # normalised name -> name as written
    accounts: list[dict] = field(default_factory=list)  # User columns of each new account
    updates: list[dict] = field(default_factory=list)  # id and the new values of each changed person
    deactivate: list[int] = field(default_factory=list)
    as_planned: dict[int, tuple] = field(default_factory=dict)  # id -> _AS_PLANNED, of everyone updated or deactivated
    unchanged: int = 0
    slips: list[Slip] = field(default_factory=list)  # of the new accounts
    skipped: list[Skipped] = field(default_factory=list)  # identity changes not confirmed


def prepare_roster(roster: Roster, viewer_id: int, complete: bool = False, confirmed: Container[str] = (),
                   on_progress: Callable[[int, int], None] | None = None) -> PreparedRoster:
    """Plan the roster and hash its new accounts' one-time passwords: the slow part, which writes nothing.
    RosterRejected when a row has an error. Identity changes are applied only when their tick (the preview's
    `Entry.token`) is in `confirmed`, the others are skipped; RosterChanged when a ticked one is no longer what the
    preview showed. `on_progress(hashed, total)` is told as the passwords are hashed."""
    viewer = db.session.get(User, viewer_id)
    if viewer is None:
        raise LookupError(f"User {viewer_id}")
    plan = plan_roster(roster, viewer, complete)
    if plan.errors:
        raise RosterRejected(plan)
    if confirm_identity_changes(plan, confirmed):
        raise RosterChanged()
    # Read out of the ORM objects before anything commits (a progress report would expire them all).
    prepared = _prepared(plan, viewer)
    passwords = _one_time_passwords(len(prepared.accounts), one_time_password_expiry(), on_progress)
    for row, slip, (password, columns) in zip(prepared.accounts, prepared.slips, passwords, strict=True):
        row.update(columns)
        slip.password, slip.expires_at = password, columns["one_time_password_expires_at"]
    prepared.slips.sort(key=lambda s: (s.center_code, s.name_ar))
    return prepared


def _prepared(plan: RosterPlan, viewer: User) -> PreparedRoster:
    prepared = PreparedRoster(
        viewer_id=viewer.id, viewer=(viewer.role, viewer.scope_governorate_id, viewer.center_id, viewer.is_active),
        centers={}, new_titles={normalize_for_matching(name): name for name in plan.new_job_titles},
        unchanged=len(plan.unchanged),
        skipped=[Skipped(e.row, e.values["employee_number"], list(e.identity)) for e in plan.identity_changes])
    now = utcnow()
    for entry in plan.to_create:
        v, target, center = entry.values, entry.target, entry.target["center"]
        prepared.centers[center.id] = center.governorate_id
        username, latin = v["employee_number"].lower(), target.get("full_name_latin", v["full_name_ar"])
        prepared.accounts.append({
            "username": username, "employee_number": v["employee_number"], "full_name_ar": target["full_name_ar"],
            "full_name_latin": latin,  # the Arabic name stands on English pages until HR adds a Latin one
            "email": target.get("email"), "center_id": center.id, "job_title_id": _title(target.get("job_title")),
            "role": Role.LEARNER, "is_active": True, "created_at": now,
            "search_key": search_key_of(target["full_name_ar"], latin, username, v["employee_number"])})
        prepared.slips.append(Slip(target["full_name_ar"], latin, username, "", center.code, center.name_ar,
                                   center.name_en))
    for entry in plan.to_update:
        user, target, center = entry.user, entry.target, entry.target["center"]
        prepared.centers[center.id] = center.governorate_id
        name_ar = target["full_name_ar"]
        latin = target.get("full_name_latin", user.full_name_latin)
        prepared.updates.append({
            "id": user.id, "full_name_ar": name_ar, "full_name_latin": latin, "email": target.get("email", user.email),
            "center_id": center.id,
            "job_title_id": _title(target["job_title"]) if "job_title" in target else user.job_title_id,
            "is_active": True, "deactivated_at": None,
            "search_key": search_key_of(name_ar, latin, user.username, user.employee_number)})
        prepared.as_planned[user.id] = _as_planned(user)
    for entry in plan.to_deactivate:
        prepared.deactivate.append(entry.user.id)
        prepared.as_planned[entry.user.id] = _as_planned(entry.user)
    return prepared


def _title(title: JobTitle | str | None) -> int | _NewTitle | None:
    if isinstance(title, str):
        return _NewTitle(title)
    return title.id if title is not None else None


def _as_planned(user: User) -> tuple:
    return tuple(getattr(user, column.key) for column in _AS_PLANNED)


def _one_time_passwords(count: int, expires_at: datetime,
                        on_progress: Callable[[int, int], None] | None) -> list[tuple[str, dict]]:
    """`count` one-time passwords with their columns, hashed on every core: hashlib's scrypt releases the GIL."""
    made: list[tuple[str, dict]] = []
    if count == 0:
        return made
    with ThreadPoolExecutor(max_workers=min(os.cpu_count() or 1, count)) as pool:
        while len(made) < count:
            batch = min(_HASH_BATCH, count - len(made))
            made.extend(pool.map(lambda _n: one_time_password(expires_at), range(batch)))
            if on_progress is not None:
                on_progress(len(made), count)
    return made


def write_roster(prepared: PreparedRoster, on_written: Callable[[RosterResult], None] | None = None) -> RosterResult:
    """The write transaction: check that the database is still as planned, then write everything in bulk.
    RosterChanged (nothing written) when it is not. `on_written(result)` runs inside the transaction, so that
    what it records (a job's outcome) commits with the roster or not at all."""
    begin_write()
    try:
        _check_as_planned(prepared)
        titles = {key: job_title_named(name).id for key, name in prepared.new_titles.items()}
        created = _insert_accounts(prepared.accounts, titles)
        _update_people(prepared.updates, titles)
        _deactivate(prepared.deactivate)
        changed = created + [row["id"] for row in prepared.updates] + prepared.deactivate
        if changed:
            staff_changed.send(changed)
        result = RosterResult(created=created, updated=[row["id"] for row in prepared.updates],
                              deactivated=list(prepared.deactivate), unchanged=prepared.unchanged,
                              slips=prepared.slips, skipped=prepared.skipped)
        if on_written is not None:
            on_written(result)
        db.session.commit()
    except sa.exc.IntegrityError:  # a username or employee number taken since the check (PostgreSQL's race)
        db.session.rollback()
        raise RosterChanged() from None
    except BaseException:
        db.session.rollback()
        raise
    return result


def apply_roster(roster: Roster, viewer_id: int, complete: bool = False,
                 confirmed: Container[str] = ()) -> RosterResult:
    """Apply the whole file, but for the identity changes not ticked in `confirmed`, or nothing: RosterRejected
    when a row has an error, RosterChanged when the database changed between the preview or plan and the write."""
    return write_roster(prepare_roster(roster, viewer_id, complete, confirmed))


def _chunks(values: list) -> list[list]:
    return [values[i:i + _CHUNK] for i in range(0, len(values), _CHUNK)]


def _check_as_planned(prepared: PreparedRoster) -> None:
    """A handful of indexed reads: the uploader's role and scope, the centers' governorates, the new usernames and
    employee numbers still free, and everyone changed exactly as the plan saw them."""
    viewer = db.session.execute(sa.select(*_VIEWER).where(User.id == prepared.viewer_id)).first()
    if viewer is None or tuple(viewer) != prepared.viewer:
        raise RosterChanged()
    centers = {}
    for chunk in _chunks(sorted(prepared.centers)):
        query = sa.select(Center.id, Center.governorate_id).where(Center.id.in_(chunk))
        centers.update((center_id, governorate_id) for center_id, governorate_id in db.session.execute(query))
    if centers != prepared.centers:
        raise RosterChanged()
    for chunk in _chunks(prepared.accounts):
        taken = sa.or_(User.username.in_([row["username"] for row in chunk]),
                       User.employee_number.in_([row["employee_number"] for row in chunk]))
        if db.session.scalar(sa.select(User.id).where(taken).limit(1)) is not None:
            raise RosterChanged()
    for chunk in _chunks(sorted(prepared.as_planned)):
        rows = db.session.execute(sa.select(User.id, *_AS_PLANNED).where(User.id.in_(chunk)).with_for_update()).all()
        if len(rows) != len(chunk) or any(tuple(row[1:]) != prepared.as_planned[row[0]] for row in rows):
            raise RosterChanged()


def _with_titles(rows: list[dict], titles: dict[str, int]) -> list[dict]:
    """The rows with the ids of the job titles just created (copies: a refused write leaves `prepared` as it was)."""
    return [{**row, "job_title_id": titles[normalize_for_matching(row["job_title_id"].name)]}
            if isinstance(row["job_title_id"], _NewTitle) else row for row in rows]


def _insert_accounts(accounts: list[dict], titles: dict[str, int]) -> list[int]:
    """Core executemany, then the new ids read back by username: the ORM's bulk INSERT took a third longer on
    SQLite, and RETURNING five times longer on PostgreSQL (psycopg parses the huge multi-row INSERT it becomes)."""
    ids: list[int] = []
    for chunk in _chunks(accounts):
        db.session.execute(sa.insert(User.__table__), _with_titles(chunk, titles))
        ids.extend(db.session.scalars(sa.select(User.id).where(User.username.in_([row["username"] for row in chunk]))))
    return ids


def _update_people(updates: list[dict], titles: dict[str, int]) -> None:
    for chunk in _chunks(updates):
        db.session.execute(sa.update(User), _with_titles(chunk, titles))  # by primary key, one executemany


def _deactivate(user_ids: list[int]) -> None:
    """Left: kept with their records and certificates, signed out everywhere (accounts.services.deactivate, in
    bulk)."""
    now = utcnow()
    for chunk in _chunks(user_ids):
        db.session.execute(sa.update(User).where(User.id.in_(chunk)).values(is_active=False, deactivated_at=now)
                           .execution_options(synchronize_session=False))
    if user_ids:
        end_sessions(list(user_ids))


# ---------------------------------------------------------------- one person (the staff API)


def upsert_person(employee_number: str, values: dict, viewer_id: int,
                  confirm_identity_change: bool = False) -> tuple[str, User | None, str | None]:
    """One roster row for one person: ("created" | "updated" | "deactivated" | "unchanged", user, one-time password
    for a new account). RosterRejected and RosterChanged as for a file; IdentityChangeRefused (nothing written) for
    an identity change not confirmed."""
    row = [1, employee_number, *(values.get(f) or "" for f in FIELDS[1:])]
    roster = Roster(rows=[row], headers={}, unknown_columns=[])
    prepared = prepare_roster(roster, viewer_id, confirmed=EVERY if confirm_identity_change else ())
    if prepared.skipped:
        raise IdentityChangeRefused(prepared.skipped)
    result = write_roster(prepared)
    for outcome, ids in (("created", result.created), ("deactivated", result.deactivated),
                         ("updated", result.updated)):
        if ids:
            person = db.session.get(User, ids[0], populate_existing=True)
            return outcome, person, result.slips[0].password if outcome == "created" else None
    user = db.session.scalar(sa.select(User).where(User.employee_number == to_ascii_digits(employee_number.strip())))
    return "unchanged", user, None
