"""Browser fixtures: the real app served over HTTP on its own database, and Debian's Chromium driving it."""
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from werkzeug.serving import WSGIRequestHandler, make_server

from lms.accounts.services import create_user
from lms.courses.services import import_course_folders
from lms.extensions import db
from tests.conftest import PROJECT_ROOT, database_url, make_app

CHROMIUM = Path("/usr/bin/chromium")
# Flags that keep Chromium from calling home: the test machines reach no network but our own server.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LEARNER_PASSWORD = "browser journey 42"


@dataclass(frozen=True)
class LiveSite:
    url: str
    app: Flask
    course_slugs: list[str]

    def text(self, locale: str, message: str) -> str:
        """A UI string as the app shows it in `locale`, so that locators follow the catalogue as it grows."""
        with self.app.test_request_context(), force_locale(locale):
            return gettext(message)


def _seed(app: Flask) -> list[str]:
    """Schema, the real course folders and one learner: what a new deployment has on its first day."""
    with app.app_context():
        db.create_all()
        courses = import_course_folders([PROJECT_ROOT / "courses"])
        learner = {"username": "learner", "role": "learner",
                   "full_name_ar": "متعلم التجربة", "full_name_latin": "Journey Learner"}
        create_user(learner, LEARNER_PASSWORD)
        return [course.slug for course in courses if course.is_published]


class _RequestHandler(WSGIRequestHandler):
    # A connection Chromium keeps alive but no longer uses ends after this many idle seconds: server_close() below
    # waits for every connection's thread, and a page a failing test left open otherwise held the run for ever.
    timeout = 5


@contextmanager
def serving(app: Flask):
    """The app served over HTTP on a free port, in a thread, for as long as the block lasts; yields its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_RequestHandler)
    # server_close() then waits for the requests under way, so that their connections are back in the pool before
    # it is disposed (a connection checked out then was left open, and PostgreSQL's driver warned when GC found it).
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, name="live-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_site(tmp_path_factory):
    """A fresh database for each test, so the learner always starts every course at 0%."""
    app = make_app(database_url(tmp_path_factory.mktemp("browser-db"), "browser"))
    slugs = _seed(app)
    with serving(app) as url:
        yield LiveSite(url, app, slugs)


def _real_clock_env() -> dict[str, str]:
    """The environment without libfaketime: `make test-future` shifts the server's clock, while Chromium (which
    spins under libfaketime) keeps the real one; pages give the browser durations, never instants."""
    return {name: value for name, value in os.environ.items()
            if name != "LD_PRELOAD" and not name.startswith("FAKETIME")}


def _service_workers_blocked_unless_asked(browser) -> None:
    """The app's service worker sits between a page and Playwright's routes, which then miss what it fetches
    (Playwright's advice: block workers when routing). The worker's own tests ask for it: service_workers="allow"."""
    new_context = browser.new_context

    def blocking(**options):
        options.setdefault("service_workers", "block")
        return new_context(**options)

    browser.new_context = blocking


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium; a machine without it skips, except in CI where a missing browser is a failure. One per
    module, not per session: Playwright's synchronous API leaves its event loop running in this thread, and the
    tests that follow the browser's (pyHanko's seal, for one) start event loops of their own."""
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=_real_clock_env())
        _service_workers_blocked_unless_asked(browser)
        yield browser
        browser.close()


def wait_for_promise(page, function: str, arg=None, timeout: float = 10_000) -> object:
    """Waits until an async page function resolves to something truthy, and returns it. Playwright's
    wait_for_function does not await a promise: it takes the promise itself as a truthy answer at once."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        result = page.evaluate(function, arg)
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still falsy after {timeout / 1000:g} s: {function}")
        time.sleep(0.1)
