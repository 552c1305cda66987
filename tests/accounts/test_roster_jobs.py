"""Large rosters go to a background job (run at once in the tests): its page follows the progress, then shows what
it changed and, to the uploader only, the slips of the new accounts, kept encrypted until printed or a day old."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import roster_apply, roster_jobs
from lms.accounts.models import RosterImport, RosterImportStatus, User
from lms.core.models import utcnow
from tests import factories
from tests.accounts.conftest import ARABIC_HEADERS, apply, payload_of, slips_of, upload, xlsx_bytes

ROWS = [["9001", "منى", "Mona", "", "QLY-BENHA", "", ""], ["9002", "هبة", "Heba", "", "QLY-BENHA", "", ""],
        ["9003", "سارة", "Sara", "", "QLY-SHUBRA", "", ""]]


@pytest.fixture(autouse=True)
def small_jobs(app, monkeypatch):
    """Three rows make a job, and the passwords are hashed one at a time: three progress reports."""
    monkeypatch.setitem(app.config, "LMS_ROSTER_JOB_ROWS", 2)
    monkeypatch.setattr(roster_apply, "_HASH_BATCH", 1)


def _import(client, rows=ROWS):
    applied = apply(client, payload_of(upload(client, xlsx_bytes(ARABIC_HEADERS, rows))))
    assert applied.status_code == 302
    return applied.headers["Location"]


def _job(db) -> RosterImport:
    return db.session.scalar(sa.select(RosterImport).order_by(RosterImport.id.desc()))


def test_a_large_roster_is_applied_by_a_job_that_reports_its_progress(client, hr, qalyubia, db, monkeypatch):
    seen = []

    def progress(job_id, hashed, total):
        roster_jobs_progress(job_id, hashed, total)
        seen.append(db.session.execute(sa.select(RosterImport.status, RosterImport.done, RosterImport.total)
                                       .where(RosterImport.id == job_id)).one())

    roster_jobs_progress = roster_jobs._progress
    monkeypatch.setattr(roster_jobs, "_progress", progress)
    page = client.get(_import(client))
    assert seen == [("running", 1, 3), ("running", 2, 3), ("running", 3, 3)]
    job = _job(db)
    assert (job.status, job.created, job.updated, job.unchanged, job.percent) == ("done", 3, 0, 0, 100)
    assert job.roster is None  # the file's rows are not kept once applied
    assert "<meta http-equiv=\"refresh\"" not in page.text and "فتح القسائم للطباعة" in page.text
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.employee_number.like("900%"))) == 3


def test_the_page_of_a_running_job_refreshes_and_shows_how_far_it_got(client, hr, db):
    job = RosterImport(created_by_id=hr.id, status=RosterImportStatus.RUNNING.value, row_count=4000, total=4000,
                       done=1000)
    db.session.add(job)
    db.session.commit()
    page = client.get(f"/manage/staff/import/jobs/{job.id}")
    assert page.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in page.text and 'aria-valuenow="25"' in page.text
    assert "تجري تهيئة كلمات مرور مؤقتة" in page.text


def test_only_the_uploader_opens_the_slips_which_are_kept_encrypted_until_erased(client, auth, hr, qalyubia, db):
    job_url = _import(client)
    page = client.get(job_url + "/slips")
    slips = slips_of(page)
    assert page.text.count("سارية حتى") == 3  # each slip says until when its password opens the account
    assert sorted(slips) == ["9001", "9002", "9003"]
    for username, password in slips.items():
        person = db.session.scalar(sa.select(User).where(User.username == username))
        assert person.check_password(password) and person.must_change_password
    job = _job(db)
    stored = db.session.scalar(sa.select(RosterImport.slips).where(RosterImport.id == job.id))
    assert stored and not any(password.encode() in stored for password in slips.values())
    [sealed] = {slip.expires_at for slip in roster_jobs.job_slips(job.id, hr.id, utcnow())}
    assert sealed == person.one_time_password_expires_at  # the slips say until when, as the account holds it

    auth.as_role("hr", scope_governorate_id=qalyubia[0].id, center=None)  # a colleague
    assert client.get(job_url).status_code == 404 and client.get(job_url + "/slips").status_code == 404
    auth.as_role("admin")
    assert client.get(job_url).status_code == 200 and client.get(job_url + "/slips").status_code == 404

    auth.login(hr)
    erased = client.post(job_url + "/slips/erase")
    assert erased.status_code == 302
    assert client.get(job_url + "/slips").status_code == 404
    assert "حُذفت قسائم كلمات المرور" in client.get(job_url).text
    assert db.session.scalar(sa.select(RosterImport.slips).where(RosterImport.id == job.id)) is None


def test_slips_expire_and_the_daily_run_erases_them_and_fails_lost_jobs(client, hr, qalyubia, db):
    _import(client)
    job = _job(db)
    lost = RosterImport(created_by_id=hr.id, status=RosterImportStatus.RUNNING.value, row_count=500,
                        created_at=utcnow() - timedelta(hours=3))
    db.session.add(lost)
    db.session.commit()
    assert roster_jobs.job_slips(job.id, hr.id, utcnow()) and roster_jobs.slips_kept(job, utcnow())
    later = utcnow() + timedelta(hours=25)
    assert roster_jobs.job_slips(job.id, hr.id, later) is None  # past LMS_ROSTER_SLIPS_HOURS: unreadable
    assert not roster_jobs.slips_kept(job, later)  # and the page no longer offers them
    roster_jobs.tidy_roster_imports(later)
    db.session.commit()
    db.session.refresh(job)
    db.session.refresh(lost)
    assert job.slips is None and job.slips_erased_at is not None
    assert lost.status == RosterImportStatus.FAILED


def test_a_job_whose_rows_no_longer_hold_writes_nothing_and_says_why_in_the_uploaders_language(client, hr,
                                                                                               qalyubia, db):
    client.post("/language", data={"lang": "en"})
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, ROWS))
    factories.UserFactory(username="9002", employee_number=None)  # takes a username after the preview
    applied = apply(client, payload_of(preview))
    page = client.get(applied.headers["Location"])
    job = _job(db)
    assert job.status == RosterImportStatus.REFUSED and job.roster is None
    assert job.problems == [[3, "الرقم الوظيفي",
                             "Another account already uses this employee number as its username."]]
    assert "Nothing was changed" in page.text and "Another account already uses" in page.text
    assert db.session.scalar(sa.select(User).where(User.employee_number.like("900%"))) is None


def test_a_job_is_run_once_even_when_delivered_twice(client, hr, qalyubia, db):
    _import(client)
    job = _job(db)
    roster_jobs.run_import(job.id, "ar")
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.employee_number.like("900%"))) == 3
