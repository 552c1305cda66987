"""Schemathesis against the API's own OpenAPI document: every check, every operation, as a learner and as HR.

No answer may be a 5xx, and every answer must be one the document lists, with its content type, headers and
schema; valid requests must be accepted and invalid ones refused. Bounded (a few examples per operation, a fixed
seed) so that it runs in seconds on SQLite and PostgreSQL alike.
"""
import contextvars
import zlib
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation

from lms.api.routes import _openapi_document
from lms.auth.services import issue_api_token
from lms.certificates.codes import grouped
from lms.certificates.services import certificates_of
from lms.core.names import clean_name
from lms.progress import services as progress
from lms.quizzes import attempts
from tests import factories
from tests.certificates.conftest import complete
from tests.factories import PASSWORD
from tests.quizzes.conftest import add_bank

BODY, PATH, QUERY = ParameterLocation.BODY, ParameterLocation.PATH, ParameterLocation.QUERY
CONFIG = {
    "seed": 20261122,
    # The bearer token is the test's to send, not a parameter to generate: ignored_auth tries requests without it.
    # NUL is refused in every request, as the document's introduction says (no schema keyword can say it).
    "generation": {"deterministic": True, "mode": "all", "with-security-parameters": False, "allow-x00": False},
    "operations": [{
        # Answers to questions the attempt does not hold are well-formed and refused by rule: 422, documented.
        "include-path": "/attempts/{attempt_id}/answers",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]}},
    }, {
        # A new name for the real person (a well-formed body) is an identity change, refused without the flag: 409.
        "include-path": "/staff/{employee_number}",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "409"]}},
    }],
}


class _SessionApp:
    """The session's app, once its fixture made it: the schema is built when tests are collected, before fixtures
    (schemathesis.pytest.from_fixture, which would wait for them, fails under pytest 9: it sets Node._nodeid).

    Each request runs in a fresh context, as in production (see IsolatedClient in tests/conftest.py)."""

    app = None

    def __call__(self, environ, start_response):
        return contextvars.Context().run(self.app, environ, start_response)


# The document the app serves at /api/v1/openapi.json (test_api.py checks that it lists every route).
schema = schemathesis.openapi.from_dict(_openapi_document(), config=schemathesis.Config.from_dict(CONFIG))
schema.app = _SessionApp()


def _seed(role: str) -> dict:
    """Real things for requests to name: courses (one with a quiz and an open attempt), a certificate, a center."""
    governorate = factories.GovernorateFactory(code="QLY")
    center = factories.CenterFactory(code="QLY-1", governorate=governorate)
    learner = factories.UserFactory(username="learner", center=center)
    plain = factories.CourseFactory(slug="plain", modules=2)
    quiz = add_bank(factories.CourseFactory(slug="quiz", modules=1))
    complete(learner, plain)
    progress.enroll(learner.id, quiz)
    attempt, _is_new = attempts.open_or_start(learner.id, quiz)
    [certificate] = certificates_of(learner.id)
    caller = learner if role == "learner" else factories.UserFactory(role="hr", center=None)
    token, _record = issue_api_token(caller, timedelta(hours=1))
    path = {"slug": ["plain", "quiz"], "position": [1, 2], "attempt_id": [attempt.id],
            "code": [grouped(certificate.code)], "employee_number": [learner.employee_number]}
    return {"token": token, "path": path, "center_code": center.code,
            "credentials": {"username": learner.username, "password": PASSWORD}}


@pytest.fixture(params=["learner", "hr"])
def real(request, app, db):
    schema.app.app = app
    return _seed(request.param)


def _name_real_things(case, real: dict) -> None:
    """Valid requests keep the rules no schema can express: they name a technology center that exists (an unknown
    one is a 400), names with a letter or digit in them (lms.core.names: one of invisible or unassigned characters
    only is no name, a 422) and a date range that does not end before it starts (a 400); every other one names real
    things in its path (the rest get their 404s) and a real account's credentials (the rest get 401s)."""
    meta = case.meta
    pick = zlib.crc32(repr(case).encode())  # the same choices on every run
    if isinstance(case.body, dict) and not (meta is not None and meta.is_negative_at(BODY)):
        if "center_code" in case.body:
            case.body = {**case.body, "center_code": real["center_code"]}
        for name in ("full_name_ar", "full_name_latin"):
            if isinstance(case.body.get(name), str) and not clean_name(case.body[name]):
                case.body = {**case.body, name: "Sara"}
        if {"username", "password"} <= case.body.keys() and pick % 2:
            case.body = {**case.body, **real["credentials"]}
    query = case.query or {}
    if query.get("since") and query.get("until") and not (meta is not None and meta.is_negative_at(QUERY)):
        early, late = sorted((query["since"], query["until"]))
        case.query = {**query, "since": early, "until": late}
    names = [name for name in case.path_parameters or () if name in real["path"]]
    if not names or (meta is not None and meta.is_negative_at(PATH)):
        return
    if pick % 2:
        case.path_parameters = {**case.path_parameters, **{
            name: real["path"][name][(pick >> (1 + 4 * i)) % len(real["path"][name])] for i, name in enumerate(names)}}


def no_store(ctx, response, case):
    """Every API answer carries a person's data, or could: no cache keeps it (the document says so too)."""
    assert "no-store" in response.headers.get("cache-control", [""])[0], response.headers.get("cache-control")


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
def test_the_api_conforms_to_its_document(case, real):
    _name_real_things(case, real)
    case.call_and_validate(headers={"Authorization": f"Bearer {real['token']}"}, additional_checks=[no_store])

