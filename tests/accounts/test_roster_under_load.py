"""A 10,000-row roster import while learners sign in and answer quizzes on a gunicorn server with several workers:
every request succeeds. Before, the import held SQLite's write lock for its whole length (planning, hashing, the
ORM's inserts) and every sign-in and answer meanwhile failed with a 500 "database is locked".

The import runs here as the background job's consumer would (roster_jobs.run_import, through queue_import), on the
same database file as the server. To keep the test short, the server's busy timeout is 2 s instead of
production's 15 s, and the one-time passwords are hashed at an eighth of their real cost (3 to 5 s for 10,000
instead of 20 to 40 s; bench/roster_import.py measures the real one): the import that held the lock throughout
then kept it 5 to 8 s, and the learners' writes failed after 2 s, as they did after 15 s at the real cost.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from html import unescape
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from lms.accounts import roster_jobs
from lms.accounts import services as account_services
from lms.accounts.models import Center, Governorate, JobTitle, Role, RosterImport, RosterImportStatus, User
from lms.accounts.roster_files import Roster
from lms.core.password_hashes import hash_password
from lms.courses.models import Course
from lms.courses.services import import_course_folders
from lms.extensions import db
from lms.progress.models import Enrollment
from tests.conftest import PROJECT_ROOT, database_url, make_app

pytestmark = [pytest.mark.no_db, pytest.mark.live_server]

ROWS = 10_000
LEARNERS = 6
WORKERS = 3
BUSY_TIMEOUT_MS = 2_000
PASSWORD = "learner password 42"
SLUG = "serving-citizens"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(app) -> int:
    """The real courses, one center, learners enrolled in a quiz they may take again and again; HR's id."""
    with app.app_context():
        db.create_all()
        import_course_folders([PROJECT_ROOT / "courses"])
        course = db.session.scalar(sa.select(Course).where(Course.slug == SLUG))
        course.quiz_settings = {"file": "quiz.gift", "pass_mark": 70, "attempts": 0, "questions": 3}
        governorate = Governorate(code="QLY", name_ar="القليوبية", name_en="Qalyubia")
        db.session.add(governorate)
        db.session.flush()
        db.session.add(Center(code="QLY-1", name_ar="المركز التكنولوجي ببنها", name_en="Benha",
                              governorate_id=governorate.id))
        db.session.add(JobTitle(code="CLERK", name_ar="موظف شباك خدمة", name_en="Service window clerk"))
        password_hash = hash_password(PASSWORD)  # one hash for all of them
        learners = [User(username=f"learner{n}", full_name_ar="متدرب", full_name_latin="Learner",
                         password_hash=password_hash) for n in range(LEARNERS)]
        hr = User(username="hr", full_name_ar="الموارد البشرية", full_name_latin="HR", role=Role.HR)
        db.session.add_all([*learners, hr])
        db.session.flush()
        db.session.add_all(Enrollment(user_id=learner.id, course_id=course.id) for learner in learners)
        db.session.commit()
        hr_id = hr.id
        db.session.remove()
        db.engine.dispose()
    return hr_id


class Server:
    """gunicorn with several sync workers, as production runs it, on the test's database."""

    def __init__(self, url: str, tmp_path):
        self.port = _free_port()
        env = {**os.environ, "LMS_ENV": "production", "LMS_SECRET_KEY": "live-test",
               "LMS_ISSUER_KEY_PASSPHRASE": "live-test", "LMS_DATABASE_URL": url,
               "LMS_SQLITE_BUSY_TIMEOUT_MS": str(BUSY_TIMEOUT_MS), "LMS_SIGN_IN_LIMITS": "100000 per minute",
               "LMS_JOBS_URL": f"sqlite:///{tmp_path / 'jobs.sqlite3'}",
               # the project first; `make test-future` adds its clock mending (tests/future_clock)
               "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))}
        self.log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind", f"127.0.0.1:{self.port}",
             "lms:create_app()"], cwd=PROJECT_ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.log.seek(0)
        pytest.fail(f"gunicorn did not start:\n{self.log.read()[-3000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()


class Learner(threading.Thread):
    """Signs in through the form and the API, then takes the quiz through the API, again and again until told to
    stop; every answer that is not the expected one is kept."""

    def __init__(self, server: Server, username: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.server, self.username, self.stop = server, username, stop
        self.rounds, self.unexpected = 0, []

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.round()
                self.rounds += 1
        except Exception as error:  # reported by the test
            self.unexpected.append(repr(error))

    def expect(self, step: str, wanted: int, method: str, path: str, body: bytes | None = None,
               headers: dict | None = None) -> tuple[dict, str]:
        status, response_headers, text = self.server.request(method, path, body, headers)
        if status != wanted:
            self.unexpected.append(f"{step}: {status} {text[:200]!r}")
            raise RuntimeError(f"{self.username} stopped at {step}")
        return response_headers, text

    def round(self) -> None:
        headers, page = self.expect("login page", 200, "GET", "/login")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        token = unescape(re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1))
        form = urlencode({"identifier": self.username, "password": PASSWORD, "csrf_token": token}).encode()
        self.expect("sign-in", 302, "POST", "/login", form,
                    {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        _headers, text = self.expect("API sign-in", 201, "POST", "/api/v1/tokens",
                                     json.dumps({"username": self.username, "password": PASSWORD}).encode(),
                                     {"Content-Type": "application/json"})
        bearer = {"Authorization": f"Bearer {json.loads(text)['token']}", "Content-Type": "application/json"}
        _headers, text = self.expect("start", 201, "POST", f"/api/v1/courses/{SLUG}/quiz/attempts", headers=bearer)
        attempt = json.loads(text)
        answers = {str(q["id"]): _an_answer(q) for q in attempt["questions"]}
        self.expect("answers", 200, "PUT", f"/api/v1/attempts/{attempt['id']}/answers",
                    json.dumps({"answers": answers}).encode(), bearer)
        self.expect("submission", 200, "POST", f"/api/v1/attempts/{attempt['id']}/submission", headers=bearer)


def _an_answer(question: dict):
    """Some valid answer to a question as the API shows it (right or wrong does not matter here)."""
    options = [o["id"] for o in question["options"]]
    if question["type"] in ("single", "truefalse"):
        return options[0]
    if question["type"] == "multiple":
        return options[:1]
    if question["type"] == "matching":
        return {item["id"]: question["choices"][0]["id"] for item in question["items"]}
    return "5" if question["type"] == "numeric" else "الرقم القومي"


def test_sign_ins_and_quiz_answers_succeed_during_a_10000_row_import(tmp_path, monkeypatch):
    url = database_url(tmp_path, "roster_load")
    importer = make_app(url)  # the job's consumer: LMS_JOBS_IMMEDIATE runs the job inside queue_import
    hr_id = _seed(importer)
    monkeypatch.setattr(account_services, "ONE_TIME_HASH", "scrypt:256:8:1")  # an eighth of the real cost
    rows = [[n + 2, str(700000 + n), f"موظف رقم {n}", f"Employee {n}", "", "QLY-1", "موظف شباك خدمة", "نشط"]
            for n in range(ROWS)]
    server = Server(url, tmp_path)
    stop, learners = threading.Event(), []
    try:
        server.wait_healthy()
        learners = [Learner(server, f"learner{n}", stop) for n in range(LEARNERS)]
        for learner in learners:
            learner.start()
        while any(learner.rounds == 0 and learner.is_alive() for learner in learners):
            time.sleep(0.05)  # every learner is under way before the import starts
        rounds_before = sum(learner.rounds for learner in learners)
        with importer.app_context():
            job = roster_jobs.queue_import(Roster(rows=rows, headers={}, unknown_columns=[]), False, hr_id, "ar")
            job_id = job.id
        rounds_during = sum(learner.rounds for learner in learners) - rounds_before
    finally:
        stop.set()
        for learner in learners:
            learner.join(60)
        server.stop()

    assert [problem for learner in learners for problem in learner.unexpected] == []
    assert rounds_during > 0  # the learners kept signing in and answering while the import ran
    with importer.app_context():
        job = db.session.get(RosterImport, job_id)
        assert (job.status, job.created) == (RosterImportStatus.DONE, ROWS)
        assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.employee_number.is_not(None))) == ROWS
        db.session.remove()
        db.engine.dispose()
