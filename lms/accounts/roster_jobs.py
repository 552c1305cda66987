"""Large rosters, applied by a background job with a progress page, like a print batch.

The slips of the new accounts' one-time passwords cannot be shown in the response that applied the roster, so the
job keeps them, encrypted (Fernet, with a key derived from the app's secret key: a copy of the database alone
reveals no password). Only the uploader may open them, until they say the slips are printed, which erases them,
and for LMS_ROSTER_SLIPS_HOURS at most: past that they can no longer be decrypted, and the daily run erases them.
"""
import base64
import json
import zlib
from dataclasses import astuple
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from flask_babel import force_locale

from lms.accounts.models import Role, RosterImport, RosterImportStatus, User
from lms.accounts.roster import RosterRejected
from lms.accounts.roster_apply import RosterChanged, RosterResult, Slip, prepare_roster, write_roster
from lms.accounts.roster_files import Roster
from lms.core.db import begin_write, locked
from lms.core.models import utcnow
from lms.extensions import db

STALE_AFTER = timedelta(hours=2)  # 10,000 rows take under a minute: a job this old was lost with its consumer


def queue_import(roster: Roster, complete: bool, uploader_id: int, locale: str,
                 confirmed: list[str] | None = None) -> RosterImport:
    """Keep the previewed rows and the identity changes ticked (`Entry.token`s), and queue the job that applies them;
    `locale`: the language of its error messages."""
    begin_write()
    job = RosterImport(created_by_id=uploader_id, complete=complete, row_count=len(roster.rows),
                       status=RosterImportStatus.QUEUED.value,
                       roster={"rows": roster.rows, "headers": roster.headers,
                               "unknown_columns": roster.unknown_columns, "confirmed": list(confirmed or [])})
    db.session.add(job)
    db.session.commit()
    from lms.accounts.tasks import apply_roster_import  # the job module imports this one

    apply_roster_import(job.id, locale)
    return job


def run_import(job_id: int, locale: str) -> None:
    """The job: plan and hash (reporting progress), then one short write transaction that also records the outcome
    and the sealed slips. Nothing is written when the roster is refused or the job fails."""
    begin_write()
    job = locked(RosterImport, job_id)
    if job.status != RosterImportStatus.QUEUED:
        db.session.rollback()
        return  # run already (a job delivered twice)
    job.status = RosterImportStatus.RUNNING.value
    uploader_id, complete, rows = job.created_by_id, job.complete, dict(job.roster)
    db.session.commit()
    confirmed = set(rows.pop("confirmed", []))
    try:
        with force_locale(locale):
            prepared = prepare_roster(Roster(**rows), uploader_id, complete, confirmed,
                                      on_progress=partial(_progress, job_id))
        sealed = seal(prepared.slips, utcnow()) if prepared.slips else None
        write_roster(prepared, on_written=partial(_record, job_id, sealed))
    except RosterRejected as rejected:
        _end(job_id, RosterImportStatus.REFUSED, problems=[[e.row, e.column, e.message] for e in rejected.plan.errors])
    except RosterChanged:
        _end(job_id, RosterImportStatus.REFUSED)
    except Exception as error:
        current_app.logger.exception("roster import %s failed", job_id)
        _end(job_id, RosterImportStatus.FAILED, error=repr(error)[:2000])


def _progress(job_id: int, hashed: int, total: int) -> None:
    begin_write()
    db.session.execute(sa.update(RosterImport).where(RosterImport.id == job_id).values(done=hashed, total=total))
    db.session.commit()


def _record(job_id: int, sealed: bytes | None, result: RosterResult) -> None:
    """Inside the roster's write transaction: the job is done exactly when the roster is written."""
    db.session.execute(sa.update(RosterImport).where(RosterImport.id == job_id).values(
        status=RosterImportStatus.DONE.value, created=len(result.created), updated=len(result.updated),
        deactivated=len(result.deactivated), unchanged=result.unchanged, done=len(result.created),
        total=len(result.created), slips=sealed, roster=None, finished_at=utcnow(),
        skipped=[[s.row, s.employee_number, s.reasons] for s in result.skipped]))


def _end(job_id: int, status: RosterImportStatus, problems: list | None = None, error: str | None = None) -> None:
    begin_write()
    db.session.execute(sa.update(RosterImport).where(RosterImport.id == job_id).values(
        status=status.value, problems=problems or [], error=error, roster=None, finished_at=utcnow()))
    db.session.commit()


# ---------------------------------------------------------------- the slips, sealed


def _fernet() -> Fernet:
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=b"lms roster slips").derive(
        current_app.config["SECRET_KEY"].encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(slips: list[Slip], now: datetime) -> bytes:
    data = json.dumps([astuple(s) for s in slips], default=datetime.isoformat).encode()
    return _fernet().encrypt_at_time(zlib.compress(data), int(now.timestamp()))


def _unseal(token: bytes, now: datetime) -> list[Slip] | None:
    """The slips, or None once LMS_ROSTER_SLIPS_HOURS have passed since they were sealed."""
    try:
        data = _fernet().decrypt_at_time(token, current_app.config["LMS_ROSTER_SLIPS_HOURS"] * 3600,
                                         int(now.timestamp()))
    except InvalidToken:
        return None
    slips = [Slip(*values) for values in json.loads(zlib.decompress(data))]
    for slip in slips:
        slip.expires_at = datetime.fromisoformat(slip.expires_at) if slip.expires_at else None
    return slips


# ---------------------------------------------------------------- reading, for the uploader


def visible_job(job_id: int, viewer: User) -> RosterImport | None:
    """The uploader's own job; administrators see every job (but never the slips)."""
    query = sa.select(RosterImport).where(RosterImport.id == job_id)
    if viewer.role != Role.ADMIN:
        query = query.where(RosterImport.created_by_id == viewer.id)
    return db.session.scalar(query)


def slips_kept(job: RosterImport, now: datetime) -> bool:
    """Whether the job's slips can still be opened: not erased, and sealed less than LMS_ROSTER_SLIPS_HOURS ago."""
    hours = timedelta(hours=current_app.config["LMS_ROSTER_SLIPS_HOURS"])
    return bool(job.created and job.slips_erased_at is None and job.finished_at and job.finished_at > now - hours)


def job_slips(job_id: int, viewer_id: int, now: datetime) -> list[Slip] | None:
    """The slips of the uploader's job; None when there are none (any more) or it is not theirs."""
    token = db.session.scalar(sa.select(RosterImport.slips).where(RosterImport.id == job_id,
                                                                  RosterImport.created_by_id == viewer_id))
    return _unseal(token, now) if token else None


def erase_slips(job_id: int, viewer_id: int, now: datetime) -> None:
    """The uploader has printed the slips: nothing is kept of the one-time passwords but their hashes."""
    begin_write()
    db.session.execute(sa.update(RosterImport).where(
        RosterImport.id == job_id, RosterImport.created_by_id == viewer_id, RosterImport.slips.is_not(None),
    ).values(slips=None, slips_erased_at=now))
    db.session.commit()


def tidy_roster_imports(now: datetime) -> None:
    """A step of the daily run (lms/daily.py): erase slips past their hours (they can no longer be read anyway), and
    mark failed the jobs whose consumer stopped mid-way, so that their page says so instead of "applying"."""
    hours = timedelta(hours=current_app.config["LMS_ROSTER_SLIPS_HOURS"])
    db.session.execute(sa.update(RosterImport).where(
        RosterImport.slips.is_not(None), RosterImport.finished_at < now - hours,
    ).values(slips=None, slips_erased_at=now))
    db.session.execute(sa.update(RosterImport).where(
        RosterImport.status.in_([RosterImportStatus.QUEUED.value, RosterImportStatus.RUNNING.value]),
        RosterImport.created_at < now - STALE_AFTER,
    ).values(status=RosterImportStatus.FAILED.value, error="stopped before it finished", roster=None,
             finished_at=now))
