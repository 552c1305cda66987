"""The live site the browser tests use ends when its block does, even when a test left a page open."""
import socket
import threading
from http.client import HTTPConnection

import pytest
from flask import Flask

from lms.extensions import db
from tests.browser.conftest import serving

pytestmark = pytest.mark.no_db


def test_a_connection_opened_and_never_used_does_not_hold_the_server_open():
    # Chromium opens connections ahead of need; one from a page a failing test left open held the run for ever.
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)  # serving() disposes of the app's engine when it ends
    app.add_url_rule("/", "home", lambda: "ok")
    ended = threading.Event()
    left_open = []

    def serve_and_leave_a_connection_open():
        with serving(app) as url:
            port = int(url.rsplit(":", 1)[1])
            left_open.append(socket.create_connection(("127.0.0.1", port)))
            asked = HTTPConnection("127.0.0.1", port, timeout=10)  # answered after the open one was taken (in turn)
            asked.request("GET", "/")
            asked.getresponse().read()
            asked.close()
        ended.set()

    threading.Thread(target=serve_and_leave_a_connection_open, daemon=True).start()
    try:
        assert ended.wait(timeout=30)
    finally:
        for connection in left_open:
            connection.close()
