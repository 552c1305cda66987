"""Roster import benchmark (`make bench`): how long a 10,000-row roster holds SQLite's write lock.

    .venv/bin/python bench/roster_import.py        # BENCH_ROSTER_ROWS=10000 by default

On a SQLite file (WAL, as in production): one governorate with 20 technology centers, an HR officer and a rule
assignment (every window clerk must take a course), so that the new staff are enrolled as part of the import. Then
two imports, each through the job's own steps (`prepare_roster`: plan and hash; `write_roster`: the write):

- first: BENCH_ROSTER_ROWS new staff (window clerks), each given a one-time password;
- again: the same file where 10% moved to another center and 5% left (updates and deactivations, no password).

For each: the planning time, the hashing time, the write-lock hold time (from BEGIN IMMEDIATE to COMMIT of every
write transaction, measured on the engine's events; the longest is the figure), and the total. Meanwhile another
connection takes the write lock every 50 ms (BEGIN IMMEDIATE; COMMIT), as a sign-in would: its longest wait is
what a sign-in or a quiz answer would have waited. The aim: the write phase under 1 s.
"""
import os
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = int(os.environ.get("BENCH_ROSTER_ROWS", "10000"))
CENTERS = 20
AIM_S = 1.0


def make_app(url: str):
    from lms import create_app

    return create_app({"LMS_ENV": "test", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url})


def seed() -> int:
    """The organisation and a rule assignment; the HR officer's id."""
    from lms.accounts.models import Center, Governorate, JobTitle, Role, User
    from lms.courses.models import Course, CourseStatus
    from lms.extensions import db
    from lms.progress.models import Assignment

    db.create_all()
    governorate = Governorate(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
    db.session.add(governorate)
    db.session.flush()
    db.session.add_all(Center(code=f"QLY-{n:02d}", name_ar=f"المركز التكنولوجي {n}", name_en=f"Center {n}",
                              governorate_id=governorate.id) for n in range(CENTERS))
    clerk = JobTitle(code="CLERK", name_ar="موظف شباك خدمة", name_en="Service window clerk")
    hr = User(username="hr", full_name_ar="الموارد البشرية", full_name_latin="HR", role=Role.HR)
    course = Course(slug="serving-citizens", title_ar="خدمة المواطنين", title_en="Serving citizens",
                    status=CourseStatus.PUBLISHED)
    db.session.add_all([clerk, hr, course])
    db.session.flush()
    db.session.add(Assignment(course_id=course.id, audience={"job_titles": [clerk.id]}, due_days=30,
                              created_by_id=hr.id))
    db.session.commit()
    return hr.id


def roster_rows(moved: float = 0.0, left: float = 0.0) -> list[list]:
    rows = []
    for n in range(ROWS):
        center = (n + (1 if n % 100 < moved * 100 else 0)) % CENTERS
        status = "ترك العمل" if n % 100 >= 100 - left * 100 else "نشط"
        rows.append([n + 2, str(500000 + n), f"موظف رقم {n}", f"Employee {n}", f"e{n}@example.gov.eg",
                     f"QLY-{center:02d}", "موظف شباك خدمة", status])
    return rows


class WriteLockClock:
    """Times every write transaction (BEGIN IMMEDIATE ... COMMIT or ROLLBACK) on the engine."""

    def __init__(self, engine):
        self.engine, self.held, self._started = engine, [], None
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._end)
        event.listen(engine, "rollback", self._end)

    def close(self):
        event.remove(self.engine, "begin", self._begin)
        event.remove(self.engine, "commit", self._end)
        event.remove(self.engine, "rollback", self._end)

    def _begin(self, conn):
        if conn.get_execution_options().get("lms_write"):
            self._started = time.perf_counter()

    def _end(self, conn):
        if self._started is not None:
            self.held.append(time.perf_counter() - self._started)
            self._started = None


class OtherWriter(threading.Thread):
    """Another connection taking the write lock every 50 ms, as sign-ins do; its longest wait."""

    def __init__(self, path: Path):
        super().__init__(daemon=True)
        self.path, self.waits, self.stop = path, [0.0], threading.Event()

    def run(self):
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=120)
        while not self.stop.wait(0.05):
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("COMMIT")
            self.waits.append(time.perf_counter() - started)
        connection.close()


def measure(name: str, rows: list[list], hr_id: int, engine, path: Path) -> dict:
    from lms.accounts import roster_apply
    from lms.accounts.roster_files import Roster

    hashing = {"s": 0.0}
    hash_passwords = roster_apply._one_time_passwords

    def timed_hashing(*args):
        started = time.perf_counter()
        made = hash_passwords(*args)
        hashing["s"] += time.perf_counter() - started
        return made

    roster_apply._one_time_passwords = timed_hashing  # the step inside prepare_roster, timed on its own
    clock, other = WriteLockClock(engine), OtherWriter(path)
    other.start()
    try:
        started = time.perf_counter()
        prepared = roster_apply.prepare_roster(Roster(rows=rows, headers={}, unknown_columns=[]), hr_id)
        prepared_at = time.perf_counter()
        result = roster_apply.write_roster(prepared)
        ended = time.perf_counter()
    finally:
        roster_apply._one_time_passwords = hash_passwords
        other.stop.set()
        other.join()
        clock.close()
    return {"import": name, "created": len(result.created), "updated": len(result.updated),
            "deactivated": len(result.deactivated), "plan_s": prepared_at - started - hashing["s"],
            "hash_s": hashing["s"], "write_lock_s": max(clock.held), "writes": len(clock.held),
            "total_s": ended - started, "other_wait_s": max(other.waits)}


def main() -> int:
    from lms.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="lms-bench-roster-"))
    path = folder / "roster.sqlite3"
    app = make_app(f"sqlite:///{path}")
    results = []
    with app.app_context():
        hr_id = seed()
        engine = db.engine
        results.append(measure("first: all new", roster_rows(), hr_id, engine, path))
        db.session.remove()
        results.append(measure("again: 10% moved, 5% left", roster_rows(moved=0.10, left=0.05), hr_id, engine, path))
        enrolled = db.session.scalar(sa.text("SELECT count(*) FROM enrollments"))
        db.engine.dispose()
    print(f"\nRoster import on SQLite, {ROWS:,} rows, {os.cpu_count()} CPUs ({enrolled:,} enrolments made by the rule)")
    print("| import | created | updated | deactivated | plan s | hash s | write lock s | write transactions "
          "| total s | longest wait of another writer s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['import']} | {r['created']} | {r['updated']} | {r['deactivated']} | {r['plan_s']:.2f} "
              f"| {r['hash_s']:.2f} | {r['write_lock_s']:.3f} | {r['writes']} | {r['total_s']:.2f} "
              f"| {r['other_wait_s']:.3f} |")
    worst = max(r["write_lock_s"] for r in results)
    verdict = "holds" if worst < AIM_S else "MISSED"
    print(f"\nLongest write-lock hold: {worst:.3f} s (aim: under {AIM_S:.0f} s): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
