"""Background jobs on huey: SQLite storage in the instance folder by default, Redis in production.

LMS_JOBS_URL chooses (read when this module is imported, so that the web app and `huey_consumer lms.tasks.huey`
agree): `redis://host:6379/1`, or `sqlite:////path/jobs.sqlite3`. Tests run jobs at once (LMS_JOBS_IMMEDIATE).
"""
import os
from contextlib import contextmanager, nullcontext
from functools import cache
from pathlib import Path

from flask import Flask, has_app_context
from huey import RedisHuey, SqliteHuey

INSTANCE = Path(__file__).resolve().parent.parent.parent / "instance"


def _make_huey():
    url = os.environ.get("LMS_JOBS_URL", "")
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("lms", url=url)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else INSTANCE / "jobs.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("lms", filename=str(path))


huey = _make_huey()


def init_app(app: Flask) -> None:
    if app.config.get("LMS_JOBS_IMMEDIATE"):
        huey.immediate = True  # the job runs inside the call that queues it (tests)


@cache
def _worker_app() -> Flask:
    from lms import create_app

    return create_app()


@contextmanager
def app_context():
    """The app a job runs in: the caller's when run at once, else one app per consumer process."""
    with nullcontext() if has_app_context() else _worker_app().app_context():
        yield
