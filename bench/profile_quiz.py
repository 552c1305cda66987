"""Where a quiz attempt's server time goes, per request type (not part of `make bench`).

    [PROFILE_DIR=/tmp/profiles] .venv/bin/python bench/profile_quiz.py [sqlite|postgres] [attempts] [top]

Seeds a database as `make bench` does (PostgreSQL: drops and re-creates lms_bench), then drives the app in-process
with Flask's test client, in production mode, through an exam-day arrival (bench/exam_day.py: the sign-in page,
signing in, the dashboard, the quiz's page) and the flows of bench/quiz_flow.py: first unprofiled (time and SQL
statements per request type), then under cProfile, one profile per request type. No HTTP server, so the figures
leave out gunicorn and the sockets; what remains is the app's own cost.
"""
import cProfile
import io
import json
import os
import pstats
import random
import re
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from load import PASSWORD, ROOT, SLUG, database, migrate
from quiz_flow import (
    QUESTIONS,
    answer_for,
    csrf_of,
    forget_attempts,
    form_fields,
    questions_from_json,
    questions_from_page,
)
from seed import seed_database
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from lms import create_app
from lms.extensions import db

DUMP = os.environ.get("PROFILE_DIR")  # also write each request type's profile there (.prof, for pstats)
APP_CODE = f"{ROOT}/(lms|templates)/"  # pstats restriction: the app's functions and templates
ARRIVALS = 64  # sign-ins measured (two per seeded quiz learner, under the sign-in limits)
HISTORY = 20  # a learner's attempts are deleted after this many (what they cost grows with their number)
STATEMENTS = [0]  # SQL statements sent so far (an engine event counts them)


def count_statement(*_args) -> None:
    STATEMENTS[0] += 1


class Steps:
    """Wall and CPU time, SQL statements and (when profiling) a cProfile per request type."""

    def __init__(self, profile: bool):
        self.profile = profile
        self.wall, self.cpu, self.calls, self.sql = defaultdict(float), defaultdict(float), defaultdict(int), {}
        self.profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)

    def request(self, step: str, send, *args, **kwargs):
        statements, wall, cpu = STATEMENTS[0], time.perf_counter(), time.process_time()
        if self.profile:
            self.profiles[step].enable()
        response = send(*args, **kwargs)
        if self.profile:
            self.profiles[step].disable()
        self.wall[step] += time.perf_counter() - wall
        self.cpu[step] += time.process_time() - cpu
        self.calls[step] += 1
        self.sql[step] = self.sql.get(step, 0) + STATEMENTS[0] - statements
        return response


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise RuntimeError(f"{what}: HTTP {response.status_code}, expected {status}: {response.get_data()[:300]!r}")
    return response


def sign_in(client, username: str) -> None:
    page = expect(client.get("/login"), 200, "GET /login").get_data(as_text=True)
    form = {"identifier": username, "password": PASSWORD, "csrf_token": csrf_of(page), "next": ""}
    expect(client.post("/login", data=form), 302, "POST /login")


def browser_attempt(client, steps: Steps, rng: random.Random, csrf: str) -> str:
    started = expect(steps.request("browser start", client.post, f"/courses/{SLUG}/quiz/attempts",
                                   data={"csrf_token": csrf}), 302, "start")
    path = urlsplit(started.headers["Location"]).path
    attempt_id = int(re.fullmatch(r"/quiz/attempts/(\d+)", path).group(1))
    page = expect(steps.request("browser page", client.get, path), 200, "page").get_data(as_text=True)
    questions = questions_from_page(page)
    assert len(questions) == QUESTIONS, len(questions)
    csrf = csrf_of(page)
    for question in questions:
        body = json.dumps({"answers": {str(question["id"]): answer_for(question, rng)}})
        expect(steps.request("browser save", client.post, f"/quiz/attempts/{attempt_id}/answers", data=body,
                             headers={"Content-Type": "application/json", "X-CSRFToken": csrf}), 200, "autosave")
    expect(steps.request("browser submit", client.post, f"/quiz/attempts/{attempt_id}/submit",
                         data={"csrf_token": csrf}), 302, "submit")
    return csrf


def form_attempt(client, steps: Steps, rng: random.Random, csrf: str) -> str:
    """The 3 requests without JavaScript: start, the page, its form with every answer and go=submit."""
    started = expect(steps.request("form start", client.post, f"/courses/{SLUG}/quiz/attempts",
                                   data={"csrf_token": csrf}), 302, "start")
    path = urlsplit(started.headers["Location"]).path
    page = expect(steps.request("form page", client.get, path), 200, "page").get_data(as_text=True)
    csrf = csrf_of(page)
    fields = [("csrf_token", csrf), ("seq", re.search(r'name="seq" value="(\d+)"', page).group(1)), ("go", "submit")]
    for question in questions_from_page(page):
        fields += form_fields(question, answer_for(question, rng))
    expect(steps.request("form submit", client.post, path, data=MultiDict(fields)), 302, "submit")
    return csrf


def api_attempt(client, steps: Steps, rng: random.Random, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    started = expect(steps.request("api start", client.post, f"/api/v1/courses/{SLUG}/quiz/attempts", headers=auth),
                     201, "start").get_json()
    attempt_id = started["id"]
    expect(steps.request("api load", client.get, f"/api/v1/attempts/{attempt_id}", headers=auth), 200, "load")
    answers = {str(q["id"]): answer_for(q, rng) for q in questions_from_json(started["questions"])}
    expect(steps.request("api save", client.put, f"/api/v1/attempts/{attempt_id}/answers", json={"answers": answers},
                         headers=auth), 200, "save")
    expect(steps.request("api submit", client.post, f"/api/v1/attempts/{attempt_id}/submission", headers=auth),
           200, "submit")


def arrive(app, steps: Steps, username: str) -> None:
    """What a taker does on exam day before the attempt (bench/exam_day.py): sign in, the dashboard, the quiz."""
    with app.test_client() as client:
        client.environ_base["wsgi.url_scheme"] = "https"
        page = expect(steps.request("arrive login page", client.get, "/login"), 200, "GET /login")
        form = {"identifier": username, "password": PASSWORD, "csrf_token": csrf_of(page.get_data(as_text=True)),
                "next": ""}
        expect(steps.request("arrive sign-in", client.post, "/login", data=form), 302, "POST /login")
        expect(steps.request("arrive dashboard", client.get, "/"), 200, "dashboard")
        expect(steps.request("arrive quiz page", client.get, f"/courses/{SLUG}/quiz"), 200, "quiz page")


def drive(app, url: str, steps: Steps, attempts: int, username: str) -> None:
    """`attempts` through each flow; the learner's attempts are deleted every HISTORY, as bench/quiz_flow.py does."""
    rng = random.Random(7)
    with app.test_client() as client:  # a browser: keeps its cookies (https, since they are Secure)
        client.environ_base["wsgi.url_scheme"] = "https"
        sign_in(client, username)
        csrf = csrf_of(expect(client.get(f"/courses/{SLUG}/quiz"), 200, "overview").get_data(as_text=True))
        for n in range(attempts):
            if n % HISTORY == 0:
                forget_attempts(url)
            csrf = browser_attempt(client, steps, rng, csrf)
        for n in range(attempts):
            if n % HISTORY == 0:
                forget_attempts(url)
            csrf = form_attempt(client, steps, rng, csrf)
    with app.test_client() as client:
        body = expect(client.post("/api/v1/tokens", json={"username": username, "password": PASSWORD}), 201, "token")
        token = body.get_json()["token"]
        for n in range(attempts):
            if n % HISTORY == 0:
                forget_attempts(url)
            api_attempt(client, steps, rng, token)


def report(steps: Steps, top: int) -> None:
    print("\n| request | calls | wall ms | CPU ms | SQL statements |")
    print("|---|---:|---:|---:|---:|")
    for step in steps.calls:
        n = steps.calls[step]
        print(f"| {step} | {n} | {1000 * steps.wall[step] / n:.2f} | {1000 * steps.cpu[step] / n:.2f} "
              f"| {steps.sql[step] / n:.1f} |")
    for step, profile in steps.profiles.items():
        if DUMP:
            Path(DUMP).mkdir(parents=True, exist_ok=True)
            profile.dump_stats(Path(DUMP) / f"{step.replace(' ', '-')}.prof")
        # The app's own functions and templates by cumulative time, then everything by own time.
        for title, order, where in (("the app's functions and templates", "cumulative", APP_CODE),
                                    ("all functions", "tottime", "")):
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out).sort_stats(order)
            stats.print_stats(*([where] if where else []), top)
            text = out.getvalue().replace(str(ROOT) + "/", "")
            print(f"\n===== {step}: {title}, top {top} by {order} time, seconds over {steps.calls[step]} calls "
                  "=====")
            print(text[text.index("   ncalls"):].rstrip() if "   ncalls" in text else text)


def main() -> int:
    backend = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    attempts = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    with database(backend) as url:
        if url is None:
            return 1
        secret = secrets.token_hex(32)
        migrate(url, secret)
        seeded = seed_database(url, ROOT / "courses", SLUG, PASSWORD)
        # Limits counted in memory: production's default file in the instance folder outlives the run, and a second
        # run within the hour found the seeded accounts' sign-ins and tokens used up.
        app = create_app({"LMS_ENV": "production", "SECRET_KEY": secret, "LMS_ISSUER_KEY_PASSPHRASE": secret,
                          "SQLALCHEMY_DATABASE_URI": url, "LMS_RATELIMIT_STORAGE_URI": "memory://"})
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", count_statement)
        drive(app, url, Steps(False), max(attempts // 5, 5), seeded.learners[0])  # warm-up: templates, statements
        for profile, username in ((False, seeded.learners[1]), (True, seeded.learners[2])):
            steps = Steps(profile)
            for n in range(ARRIVALS):
                arrive(app, steps, seeded.quiz_learners[n % len(seeded.quiz_learners)])
            drive(app, url, steps, attempts, username)
            print(f"\n## {backend}, {'under cProfile' if profile else 'unprofiled'}, {attempts} attempts per flow")
            report(steps, top)
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
