"""Response headers set in one place: no-store on every API answer, page and download; HSTS in production only."""
import re
from datetime import timedelta

import pytest

from lms.auth.services import issue_api_token
from lms.certificates.manage import printing
from tests import factories
from tests.conftest import make_app

PLACEHOLDERS = {"int": "1", "default": "x", "path": "x"}


def _url(rule) -> str:
    """A URL that the rule matches: 1 for every number in the path, x for every text."""
    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>", lambda m: PLACEHOLDERS[m.group(1) or "default"], rule.rule)


def test_every_api_answer_is_no_store(app, client, db):
    token, _record = issue_api_token(factories.UserFactory(), timedelta(hours=1))
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")]
    assert len(rules) >= 19
    for rule in rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            for headers in ({"Authorization": f"Bearer {token}"}, {}):
                response = client.open(_url(rule), method=method, headers=headers, json={})
                answer = (method, rule.rule, response.status_code)
                assert "no-store" in response.headers.get("Cache-Control", ""), answer


# Every route that sends a file, and how to get it as someone allowed to: the walk below fails on a new one.
DOWNLOADS = {
    "/manage/reports/matrix.<fmt>": ("hr", ["/manage/reports/matrix.csv", "/manage/reports/matrix.xlsx"]),
    "/manage/reports/overdue.<fmt>": ("hr", ["/manage/reports/overdue.csv", "/manage/reports/overdue.xlsx"]),
    "/manage/reports/scores.<fmt>": ("hr", ["/manage/reports/scores.csv", "/manage/reports/scores.xlsx"]),
    "/manage/staff/import/template.csv": ("hr", ["/manage/staff/import/template.csv"]),
    "/manage/courses/<slug>/quiz/export": ("trainer", ["/manage/courses/{slug}/quiz/export"]),
    "/certificates/<code>.pdf": ("learner", ["/certificates/{code}.pdf"]),
    "/manage/certificates/batches/<int:batch_id>.pdf": ("hr", ["/manage/certificates/batches/1.pdf"]),
    "/manage/certificates/settings/preview.pdf": ("hr", ["/manage/certificates/settings/preview.pdf?lang=en"]),
}


def test_the_downloads_are_all_listed(app):
    sends_a_file = re.compile(r"(\.<fmt>|\.pdf|\.csv|\.xlsx|/export)$")
    assert {r.rule for r in app.url_map.iter_rules() if sends_a_file.search(r.rule)} == set(DOWNLOADS)


@pytest.fixture
def certificate(db):
    from tests.certificates.conftest import complete

    learner = factories.UserFactory()
    course = factories.CourseFactory(modules=1)
    complete(learner, course)
    return learner, course


def test_every_download_is_no_store(client, auth, certificate, monkeypatch):
    from lms.certificates.codes import grouped
    from lms.certificates.services import certificates_of

    learner, course = certificate
    code = grouped(certificates_of(learner.id)[0].code)
    monkeypatch.setattr(printing, "_batch_or_404", lambda batch_id: type("Batch", (), {"id": batch_id}))
    monkeypatch.setattr(printing.batches, "batch_pdf", lambda batch_id: b"%PDF-1.7 a stack")
    users = {"hr": factories.UserFactory(role="hr", center=None), "trainer": factories.UserFactory(role="trainer"),
             "learner": learner}
    for role, urls in DOWNLOADS.values():
        auth.login(users[role])
        for url in urls:
            response = client.get(url.format(slug=course.slug, code=code))
            assert response.status_code == 200, url
            assert "no-store" in response.headers["Cache-Control"], url


@pytest.mark.no_db
def test_hsts_in_production_only():
    production = make_app("sqlite://", LMS_ENV="production")
    answer = production.test_client().get("/healthz")
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    for app in (make_app("sqlite://"), make_app("sqlite://", LMS_ENV="demo"),
                make_app("sqlite://", LMS_ENV="production", LMS_HSTS_SECONDS=0)):
        assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


@pytest.mark.no_db
def test_hsts_max_age_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("LMS_HSTS_SECONDS", "300")
    production = make_app("sqlite://", LMS_ENV="production")
    assert production.test_client().get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=300;")
