"""Reports benchmark (`make bench`): the demo organisation built, then HR's completion matrix and overdue list.

    .venv/bin/python bench/reports.py     # BENCH_BACKENDS=sqlite,postgres by default

For each backend: a fresh database (a SQLite file in a temporary folder; the PostgreSQL database
`lms_bench_reports` dropped and created), the schema from `flask_migrate.upgrade`, then `flask --app lms demo-data
--staff 10000 --centers 120 --courses 60 --progress 300000` (timed). Then, through the Flask test client, signed in
as the HR officer scoped to Qalyubia: the completion matrix of that governorate and the overdue list, each the
median of 20 requests after 3 warm-up ones, with the number of SQL statements of each page when it shows a few
rows and when it shows 50.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from load import recreate_postgres
from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("LMS_BENCH_REPORTS_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench_reports")
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgres").split(",")
SIZE = ["--staff", "10000", "--centers", "120", "--courses", "60", "--progress", "300000"]
AIMS = {"page_ms": 300, "build_s": 300}
PAGES = {"completion matrix": "/manage/reports/matrix?governorate=QLY",
         "overdue list": "/manage/reports/overdue?governorate=QLY"}
RUNS, WARM_UP = 20, 3
# The same pages narrowed to a handful of rows: the statement count must not change with the rows shown.
NARROW = {"completion matrix": "&center=QLY-TC001&job_title=SUPERVISOR",
          "overdue list": "&center=QLY-TC001&course=demo-course-001"}


def make_app(url: str):
    from lms import create_app

    return create_app({"LMS_ENV": "test", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                       "WTF_CSRF_ENABLED": False})


def build(url: str, size: list[str] = SIZE) -> float:
    """Schema by migration, then the demo-data command in a process of its own, as people run it."""
    from flask_migrate import upgrade

    app = make_app(url)
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        from lms.extensions import db

        db.engine.dispose()
    env = {**os.environ, "LMS_ENV": "test", "LMS_DATABASE_URL": url, "LMS_SECRET_KEY": "bench"}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "lms", "demo-data", *size], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"demo-data failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    print("  " + done.stdout.strip().splitlines()[-2])
    return seconds


def measure(url: str) -> dict:
    from lms.accounts.models import User
    from lms.auth.services import start_login_session
    from lms.extensions import db

    app = make_app(url)
    client = app.test_client()
    with app.app_context():
        hr = db.session.scalar(sa.select(User).where(User.username == "hr-qly"))
        token, user_id = start_login_session(hr, timedelta(hours=1)), hr.id
        engine = db.engine
    with client.session_transaction() as session:
        session.update({"sid": token, "_user_id": str(user_id), "_fresh": True})
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(1))
    results = {}
    for name, path in PAGES.items():
        for _ in range(WARM_UP):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        counts = {}
        for label, narrowed in (("few", path + NARROW[name]), ("full", path)):
            statements.clear()
            response = client.get(narrowed)
            assert response.status_code == 200
            counts[label] = (len(statements), response.text.count('<a href="/manage/reports/people/'))
        response = client.get(path)
        results[name] = {"median_ms": statistics.median(times), "p90_ms": sorted(times)[int(0.9 * RUNS) - 1],
                         "kb": len(response.data) / 1024, "statements": counts}
    with app.app_context():
        db.engine.dispose()
    return results


def main() -> int:
    missed, table = [], []
    for backend in BACKENDS:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{folder}/bench.sqlite3" if backend == "sqlite" else recreate_postgres(POSTGRES_URL)
            if url is None:
                continue
            print(f"{backend}: building the demo organisation")
            seconds = build(url)
            print(f"  built in {seconds:.0f} s")
            results = measure(url)
        table.append((backend, seconds, results))
        if seconds > AIMS["build_s"]:
            missed.append(f"{backend}: demo-data took {seconds:.0f} s (aim: under {AIMS['build_s']} s)")
        for name, r in results.items():
            if r["median_ms"] > AIMS["page_ms"]:
                missed.append(f"{backend}: {name} {r['median_ms']:.0f} ms (aim: under {AIMS['page_ms']} ms)")
    print("\n| backend | demo-data s | page | median ms | p90 ms | KB | SQL statements (rows shown) |")
    print("|---|---:|---|---:|---:|---:|---|")
    for backend, seconds, results in table:
        for name, r in results.items():
            few, full = r["statements"]["few"], r["statements"]["full"]
            print(f"| {backend} | {seconds:.0f} | {name} | {r['median_ms']:.0f} | {r['p90_ms']:.0f} | {r['kb']:.0f} "
                  f"| {few[0]} ({few[1]} rows), {full[0]} ({full[1]} rows) |")
    for line in missed:
        print(f"aim missed: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
