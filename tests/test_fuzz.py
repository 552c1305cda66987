"""Hostile input on every route: no 500, nothing written by a refused request, and no NUL or direction control
stored, on SQLite and PostgreSQL alike.

The routes come from the app's url_map, each tried by a role that may open it, with the ids and codes of a
small seeded world. Path parts get ids no database integer holds and hostile text; query strings carry every
parameter name the app reads; forms carry the fields the app's own pages render for them (found by crawling
those pages), one field hostile at a time; JSON routes get deep, NUL, huge and malformed bodies.
"""
import html.parser
import io
import json
import logging
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.exceptions import HTTPException

from lms.accounts import roster_jobs
from lms.accounts.models import District, RosterImport, RosterImportStatus
from lms.accounts.roster_apply import Slip
from lms.auth.services import issue_api_token
from lms.certificates.models import Certificate, PrintBatch
from lms.core.encoding import b64url
from lms.core.models import utcnow
from lms.extensions import db as _db
from lms.notifications.models import Notification
from lms.notifications.services import notify
from lms.offline import devices
from lms.offline.models import OfflineExam, OfflineSeat
from lms.progress import assignments, paths
from lms.progress import services as progress
from lms.progress.models import PathStatus
from lms.quizzes import attempts
from lms.quizzes.chain import chain_key, chain_of
from lms.quizzes.models import Question
from tests import factories
from tests.certificates.conftest import complete
from tests.quizzes.conftest import add_bank

HUGE_IDS = (2**31, 2**63, 10**30)
HOSTILE = {
    "long": "ي" * 10_000,
    "nul": "a\x00b",
    "superscript": "²",
    "circled": "①",
    "huge": str(10**30),
    "bidi": "\u202egnp.exe\u202c",
    "invisible": "\u200b\u2066\u2069",
    "negative": "-1",
}
# In a path or a query string (26 names at once) the long value is shorter: production's gunicorn refuses a
# request line over 4 KB, and 10,000 letters in each name made 1.5 MB addresses whose decoding by the test client
# took half of this test's two minutes. Forms and JSON bodies keep the 10,000.
URL_HOSTILE = {**HOSTILE, "long": "ي" * 1_000}
FIELD_VALUES = ("long", "nul", "superscript", "huge", "bidi", "invisible")  # one field at a time: fewer values
JSON_NUMBERS = {"int-1e400": 10**400, "int64": 2**63, "float-1e308": 1e308, "negative": -1}
# Every query parameter name the app reads (request.args, reports' parse_filters, the staff list's filters).
QUERY_NAMES = ("page", "per_page", "q", "sort", "dir", "direction", "status", "since", "until", "dates", "course",
               "center", "governorate", "district", "job", "job_title", "active", "include_inactive", "lang", "next",
               "code", "days", "type", "category", "language", "printed")
GENERIC_FIELDS = ("name", "title_ar", "title_en", "full_name_ar", "full_name_latin", "email", "username", "password",
                  "code", "language", "reason", "payload", "go", "page", "lang", "next", "direction", "question")
JSON_BODIES = {
    "deep": "[" * 100_000 + "]" * 100_000,
    "deep-object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "nul": '{"username": "a\\u0000b", "password": "x", "answers": {"1": "a\\u0000"}, "full_name_ar": "\\u0000"}',
    "nul-key": '{"answers": {"1\\u0000": "a"}}',
    "surrogate": '{"username": "\\ud800", "answers": {"1": "\\udfff"}}',
    "huge-number": '{"answers": {"1": 1e400, "2": ' + "9" * 5000 + '}, "username": 1e999}',
    "nan": '{"answers": {"1": NaN}, "username": Infinity}',
    "not-json": "{'a': 1",
}
HOSTILE_FILES = {
    "nul": b"employee number,full name in arabic,center code\n1,\x00,\x00\n",
    "bidi": "employee number,full name in arabic,center code\n7,\u202e\u2066,C\n".encode(),
    "binary": bytes(range(256)) * 8,
}
SKIP_ENDPOINTS = {"static", "question_types.asset", "auth.logout"}  # files on disk; signing out ends the session
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
NAME_COLUMNS = {"users": ("full_name_ar", "full_name_latin"), "certificates": ("name_ar", "name_latin")}


class _Forms(html.parser.HTMLParser):
    """The POST forms of a page: action, the values the page filled in, every field name, the file fields."""

    def __init__(self):
        super().__init__()
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "post": (attrs.get("method") or "").lower() == "post",
                          "fields": {}, "names": set(), "files": set()}
            self.forms.append(self._form)
            return
        form, name = self._form, attrs.get("name")
        if form is None:
            return
        if tag == "option" and self._select:
            value = attrs.get("value") or ""
            if "selected" in attrs or (value and self._select not in form["fields"]):
                form["fields"][self._select] = value
            return
        if not name:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind == "file":
            form["files"].add(name)
            return
        form["names"].add(name)
        if tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            form["fields"].setdefault(name, "")
        elif tag == "input" and kind not in ("submit", "button", "checkbox", "radio"):
            form["fields"].setdefault(name, attrs.get("value") or ("2030-06-30" if kind == "date" else ""))
        elif tag == "input" and kind in ("checkbox", "radio") and "checked" in attrs:
            form["fields"].setdefault(name, attrs.get("value") or "y")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data


def post_forms(page: str) -> list[dict]:
    parser = _Forms()
    parser.feed(page)
    return [form for form in parser.forms if form["post"]]


@pytest.fixture
def world(db):
    """A course with a quiz bank and a learner's open attempt, a certificate, a path, an assignment, a
    notification, a print batch: every id a route takes exists, so hostile input reaches the views' code."""
    governorate = factories.GovernorateFactory(code="FZG")
    center = factories.CenterFactory(governorate=governorate)
    district = District(governorate_id=governorate.id, name_ar="حي الفرز", name_en="Fuzz district")
    db.session.add(district)
    learner = factories.UserFactory(center=center, email="learner@example.com")
    users = {"learner": learner, "admin": factories.UserFactory(role="admin", center=None),
             "hr": factories.UserFactory(role="hr", center=None)}
    course = add_bank(factories.CourseFactory(modules=2, slug="fuzz-course"))
    done = factories.CourseFactory(modules=1, slug="fuzz-done", certificate_settings={"validity_months": 12})
    complete(learner, done)
    progress.enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course)
    path = paths.save_path({"slug": "fuzz-path", "title_ar": "مسار", "title_en": "Path", "is_ordered": True,
                            "validity_months": 12, "status": PathStatus.PUBLISHED.value}, [done.id], users["admin"])
    assignment = assignments.create_assignment(users["hr"], audience={"users": [learner.id]}, course_id=course.id,
                                               due_days=10, now=datetime(2026, 1, 1, tzinfo=UTC))
    notify(learner.id, "issued", "issued:fuzz", {"title": {"ar": "شهادة", "en": "Certificate"}, "url": "/"})
    batch = PrintBatch(created_by_id=users["hr"].id, language="ar", total=1, status="done", pdf=b"%PDF-1.4")
    job = RosterImport(created_by_id=users["hr"].id, status=RosterImportStatus.DONE.value, row_count=1, created=1,
                       slips=roster_jobs.seal([Slip("اسم", "Name", "fz1", "PASSWORD42", center.code, center.name_ar,
                                                    center.name_en)], utcnow()))
    exam = OfflineExam(course_id=course.id, opens_on=date(2026, 1, 1), closes_on=date(2099, 1, 1), salt="c2FsdA")
    seat = OfflineSeat(exam=exam, user_id=learner.id, questions=attempts.draw_questions(course, seed=1),
                       package={"seat": "encrypted"})
    db.session.add_all([batch, job, exam, seat])
    db.session.commit()
    certificate = db.session.scalar(sa.select(Certificate))
    question_ids = list(db.session.scalars(sa.select(Question.id).where(Question.course_id == course.id)))
    path_values = {
        "slug": course.slug, "position": 1, "module_id": course.modules[0].id, "attempt_id": attempt.id,
        "question_id": question_ids[0], "code": certificate.code, "certificate_id": certificate.id,
        "batch_id": batch.id, "job_id": job.id, "assignment_id": assignment.id, "path_id": path.id,
        "user_id": learner.id, "center_id": center.id, "district_id": district.id, "job_title_id": learner.job_title_id,
        "employee_number": learner.employee_number, "fmt": "csv", "path": "missing.png",
        "notification_id": db.session.scalar(sa.select(Notification.id).where(Notification.user_id == learner.id)),
        "path_slug": path.slug, "design": certificate.design, "course_id": course.id, "number": 1,
        "seat_id": seat.id,
    }
    answers = {"answers": {str(question_id): "x" for question_id in question_ids}}  # one of each type
    events = ['{"k":"start","t":0}', json.dumps({"k": "answer", "t": 5, "q": question_ids[0], "a": "x", "s": 1})]
    json_bodies = {  # a valid body of each JSON route, whose fields are then made hostile one at a time
        "api.create_token": {"username": learner.username, "password": "wrong password"},
        "api_hr.put_staff": {"full_name_ar": "اسم", "full_name_latin": "Name", "center_code": center.code,
                             "status": "active", "email": "a@example.com", "job_title": "Clerk"},
        "api_quizzes.put_answers": answers, "quizzes.autosave": answers,
        # The field kit's upload of the learner's open attempt (kept open: not submitted).
        "offline_api.upload": {"upload_id": "5b0c9a4e-8f1d-4c2b-9a7e-3d6f1b2c4e5a", "kind": "attempt",
                               "attempt": attempt.id, "events": events, "submitted": False,
                               "chain": b64url(chain_of(chain_key("attempt", attempt.id), events))},
    }
    return users, path_values, json_bodies


def stored_text_checks(dialect: str) -> tuple[list[str], sa.Select]:
    """One query counting the rows that hold what no request may store: NUL characters in any text (SQLite
    stores them; PostgreSQL refuses them, which the 500 check catches) and direction controls in names."""
    find = sa.func.instr if dialect == "sqlite" else sa.func.strpos
    checks = []
    for table in _db.metadata.sorted_tables:
        texts = [c for c in table.columns if isinstance(c.type, sa.String)]
        if dialect == "sqlite" and texts:
            checks.append((f"NUL stored in {table.name}", table,
                           sa.or_(*(find(c, sa.func.char(0)) > 0 for c in texts))))
        for name in NAME_COLUMNS.get(table.name, ()):
            checks.append((f"direction control stored in {table.name}.{name}", table,
                           sa.or_(*(find(table.c[name], char) > 0 for char in sorted(BIDI_CONTROLS)))))
    query = sa.select(*(sa.select(sa.func.count()).select_from(table).where(where).scalar_subquery()
                        for _label, table, where in checks))
    return [label for label, _table, _where in checks], query


class Fuzzer:
    def __init__(self, app, client, auth, connection, users):
        self.app, self.client, self.auth, self.connection, self.users = app, client, auth, connection, users
        self.failures: list[str] = []
        self.tokens = {role: issue_api_token(user, timedelta(hours=1))[0] for role, user in users.items()}
        self.grants = {role: devices.register(user, str(uuid.UUID(int=n))).token  # the device API's credential
                       for n, (role, user) in enumerate(users.items(), start=1)}
        self.tables = [t.name for t in _db.metadata.sorted_tables]
        self.count_query = sa.select(*(sa.select(sa.func.count()).select_from(t).scalar_subquery()
                                       for t in _db.metadata.sorted_tables))
        self.stored_labels, self.stored_query = stored_text_checks(connection.dialect.name)
        self.stored = self.stored_text_counts()

    def counts(self) -> tuple:
        return tuple(self.connection.execute(self.count_query).one())

    def stored_text_counts(self) -> tuple:
        return tuple(self.connection.execute(self.stored_query).one())

    def send(self, role: str, method: str, url: str, label: str, **kwargs):
        """One request. Fails on a 5xx, on a refused (4xx) write after which a table has more or fewer rows, and
        on a write after which more rows hold NUL characters or names hold direction controls."""
        writes = method != "GET"
        before = self.counts() if writes else None
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if url.startswith("/api/") else {}
        if url.startswith("/offline/api/"):
            headers = {"Authorization": f"Bearer {self.grants[role]}"}
        response = self.client.open(url, method=method, headers=headers, **kwargs)
        where = f"{role} {method} {url[:100]} [{label}] -> {response.status_code}"
        if response.status_code >= 500:
            self.failures.append(where)
        elif writes and response.status_code >= 400 and (after := self.counts()) != before:
            changed = [t for t, a, b in zip(self.tables, before, after, strict=True) if a != b]
            self.failures.append(f"{where}: refused but wrote to {changed}")
        if writes:
            stored, self.stored = self.stored, self.stored_text_counts()
            if more := [label for label, a, b in zip(self.stored_labels, stored, self.stored, strict=True) if b > a]:
                self.failures.append(f"{where}: {', '.join(more)}")
        return response


def values_for(rule, path_values: dict) -> dict:
    values = {name: path_values[name] for name in rule.arguments}
    if rule.rule.startswith("/paths/"):
        values["slug"] = path_values["path_slug"]
    return values


def roles_for(app, rule) -> tuple[str, ...]:
    """Who tries a route: a role it lets in (admin passes every role check, so it takes the rest)."""
    view = app.view_functions[rule.endpoint]
    access = getattr(view, "access", "public")
    if getattr(view, "credential", None) in ("token", "grant"):
        return ("learner", "hr")
    if isinstance(access, frozenset):
        return ("hr",) if "hr" in access else ("admin",)
    return ("learner",)


def crawl(app, fuzz, rules, path_values) -> dict[str, dict]:
    """The first form found for each POST endpoint on the pages the roles open."""
    adapter, found = app.url_map.bind("localhost"), {}
    for rule in rules:
        if "GET" not in rule.methods or rule.endpoint.endswith(("download", "preview", "_export", "pdf", "template")):
            continue
        for role in roles_for(app, rule):
            fuzz.auth.login(fuzz.users[role])
            url = rule.build(values_for(rule, path_values))[1]
            page = fuzz.send(role, "GET", url, "crawl")
            if page.status_code != 200 or page.mimetype != "text/html":
                continue
            for form in post_forms(page.get_data(as_text=True)):
                action = form["action"] or url
                try:
                    endpoint, _args = adapter.match(urlsplit(action).path, method="POST")
                except HTTPException:  # a form posting outside the app
                    continue
                found.setdefault(endpoint, {**form, "action": action})
    return found


def fuzz_rule(fuzz, rule, role, values, form, json_body):
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
        url = rule.build(values)[1]
        for name, value in values.items():
            for bad in HUGE_IDS if isinstance(value, int) else URL_HOSTILE.values():
                fuzz.send(role, method, rule.build({**values, name: bad})[1], f"path {name}")
        if method == "GET":
            for label, bad in URL_HOSTILE.items():
                fuzz.send(role, method, f"{url}?{urlencode(dict.fromkeys(QUERY_NAMES, bad))}", f"query {label}")
        elif rule.rule.startswith(("/api/", "/offline/api/")) or json_body is not None:
            for label, body in JSON_BODIES.items():
                fuzz.send(role, method, url, f"json {label}", data=body, content_type="application/json")
            hostile = {**{label: HOSTILE[label] for label in FIELD_VALUES}, **JSON_NUMBERS}
            for name, value in (json_body or {}).items():
                for label, bad in hostile.items():
                    bad = {k: bad for k in value} if isinstance(value, dict) else bad
                    fuzz.send(role, method, url, f"json {name}={label}", json={**json_body, name: bad})
        else:
            action, fields = (form["action"], form["fields"]) if form else (url, {})
            for name in one_of_each(form["names"] if form else GENERIC_FIELDS):
                for label in FIELD_VALUES:
                    fuzz.send(role, method, action, f"form {name}={label}", data={**fields, name: HOSTILE[label]})
            for name in sorted(form["files"] if form else ()):
                for label, content in HOSTILE_FILES.items():
                    fuzz.send(role, method, action, f"file {name}={label}", content_type="multipart/form-data",
                              data={**fields, name: (io.BytesIO(content), "roster.csv")})


def one_of_each(names) -> list[str]:
    """Field names with repeated rows (answers-0-text, answers-1-text...) reduced to their first row."""
    kinds = {}
    for name in sorted(names):
        kinds.setdefault(re.sub(r"-\d+-", "-#-", name), name)
    return list(kinds.values())


def test_hostile_input_never_gives_a_500_nor_writes_when_refused(app, client, auth, db, world):
    users, path_values, json_bodies = world
    connection = db.session.bind
    fuzz = Fuzzer(app, client, auth, connection, users)
    errors = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = errors.append  # the error handler logs each 500 with its exception
    app.logger.addHandler(handler)
    try:
        rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS), key=str)
        forms = crawl(app, fuzz, rules, path_values)
        for rule in rules:
            values = values_for(rule, path_values)
            for role in roles_for(app, rule):
                savepoint = connection.begin_nested()  # every route starts from the same world
                auth.login(users[role])
                fuzz.stored = fuzz.stored_text_counts()
                fuzz_rule(fuzz, rule, role, values, forms.get(rule.endpoint), json_bodies.get(rule.endpoint))
                savepoint.rollback()
    finally:
        app.logger.removeHandler(handler)
    causes = sorted({f"{r.exc_info[0].__name__}: {str(r.exc_info[1])[:200]}" for r in errors if r.exc_info})
    assert not fuzz.failures, "\n".join([*fuzz.failures[:60], "", *causes])
    assert len(forms) >= 30  # the crawl found the app's forms (so fields, not just guesses, were fuzzed)
