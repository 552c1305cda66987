"""Background jobs on huey: SQLite storage in the instance folder by default, Redis in production.

LMS_JOBS_URL chooses (read when this module is imported, so that the web app and `huey_consumer lms.tasks.huey`
agree): `redis://host:6379/1`, or `sqlite:////path/jobs.sqlite3`. Tests run jobs at once (LMS_JOBS_IMMEDIATE).
"""
import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey
from huey.signals import SIGNAL_ERROR

# The instance folder as lms.create_app finds it (LMS_INSTANCE_PATH, else instance/ beside the code).
INSTANCE = Path(os.environ.get("LMS_INSTANCE_PATH") or Path(__file__).resolve().parent.parent.parent / "instance")


def _make_huey():
    url = os.environ.get("LMS_JOBS_URL", "")
    if url.startswith(("redis://", "rediss://")):
        return RedisHuey("lms", url=url)
    path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else INSTANCE / "jobs.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("lms", filename=str(path))


huey = _make_huey()

# When jobs failed, kept in the queue's own storage (the consumer writes it, the web app reads it): the last few
# are enough for "failed today" on the administrator's home.
_FAILURES_KEY = "lms:failures"
_FAILURES_KEPT = 200
FAILURES_WINDOW = timedelta(hours=24)


def note_failure(moment: datetime) -> None:
    """Note a job that failed at `moment` (the consumer's error signal does; tests too)."""
    stamps = huey.get(_FAILURES_KEY, peek=True) or []
    huey.put(_FAILURES_KEY, [*stamps, moment.timestamp()][-_FAILURES_KEPT:])


@huey.signal(SIGNAL_ERROR)
def _failed(_signal, _task, _exc=None) -> None:
    note_failure(datetime.now(UTC))


@dataclass(frozen=True)
class QueueCounts:
    pending: int  # waiting for a worker
    scheduled: int  # waiting for their time (retries)
    failed: int  # failed within FAILURES_WINDOW


def queue_counts(now: datetime) -> QueueCounts | None:
    """The background jobs' queue at a glance; None when the queue cannot be read (its Redis is down)."""
    try:
        stamps = huey.get(_FAILURES_KEY, peek=True) or []
        since = (now - FAILURES_WINDOW).timestamp()
        return QueueCounts(huey.pending_count(), huey.scheduled_count(),
                           sum(1 for stamp in stamps if since <= stamp <= now.timestamp()))
    except Exception:  # the home page must open even when the queue's storage does not answer
        current_app.logger.exception("the jobs queue could not be read")
        return None



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
