"""Page weight benchmark (`make bench`): the first load of every HTML page, for every role, compressed.

    .venv/bin/python bench/page_weight.py         # BENCH_WEIGHT_LANGUAGES=ar,en by default

The demo of `make run` (lms/demo, its dates counted from a fixed moment, and the clock held there while the
pages are read) in a temporary SQLite file; then, through the Flask test client, signed in as each demo account
(learner, center manager, trainer, HR, administrator; and signed out), every GET page of the app's url_map that
the role may open, its arguments filled with the demo's real ids. The API, static files and downloads are left
out: a page counts when it answers 200 with text/html.

A page's first load is its HTML and everything the browser fetches with an empty cache to show it, from the
app itself: the stylesheets and scripts it links, the images it shows (the icon sprite, the favicon) and
whatever the stylesheets load (url(), @import). Neither the app nor gunicorn compresses anything, and the
production section of the README leaves compression to the reverse proxy: each text file is measured
gzip-compressed at level 6 (nginx's gzip_comp_level is 1 by default, about 20% larger; brotli smaller), as a
stand-in for what goes over the wire; the uncompressed size is printed beside. Images already compressed (PNG,
JPEG, WOFF2) count as they are.

Aim, from issue 14: the first load of any page under 60 KB compressed. Exits 1 when a page reaches it.
"""
import gzip
import os
import re
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's lms, whatever the environment's editable install points at
NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)  # as tests/demo: everything in the demo is dated from it
LIMIT_KB = 60
KB = 1024
ACCOUNTS = {"learner": "learner", "center_manager": "manager", "trainer": "trainer", "hr": "hr", "admin": "admin",
            "visitor": None}
LANGUAGES = os.environ.get("BENCH_WEIGHT_LANGUAGES", "ar,en").split(",")
# "large": the demo-data organisation of bench/reports.py added to the demo (10,000 staff, 300,000 enrolments,
# no certificates), so that lists and reports show full pages. Two to three minutes more.
LARGE = os.environ.get("BENCH_WEIGHT_ORGANISATION", "demo") == "large"
TRIES = 12  # candidate argument sets tried per route and role; the heaviest page answered is kept
# Not pages: files, exports and PDFs (also recognised by their content type), and the plumbing.
SKIPPED_ENDPOINTS = {"static", "core.favicon", "core.healthz", "course_files.course_file", "question_types.asset",
                     "certificates.authority_logo"}
DOWNLOAD = re.compile(r"\.(pdf|zip|csv|xlsx|<fmt>)$|/export|/template")
ALREADY_COMPRESSED = {"image/png", "image/jpeg", "image/webp", "image/gif", "font/woff2", "font/woff"}
ASSET_LINKS = re.compile(
    r'<(?:link|script|img|use|image|source)\b[^>]*?\b(?:href|src|xlink:href)="([^"#]+)', re.IGNORECASE)
CSS_LINKS = re.compile(r'url\(\s*["\']?([^"\')#]+)|@import\s+["\']([^"\']+)')


@dataclass
class Weight:
    page: str
    role: str
    language: str
    html: int = 0
    css: int = 0
    js: int = 0
    other: int = 0  # images, icons, fonts
    raw: int = 0  # everything uncompressed
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.html + self.css + self.js + self.other


def compressed_size(body: bytes, mimetype: str) -> int:
    if mimetype in ALREADY_COMPRESSED:
        return len(body)
    return len(gzip.compress(body, compresslevel=6, mtime=0))


def make_app(url: str):
    from lms import create_app

    return create_app({"LMS_ENV": "demo", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": url,
                       "LMS_RATELIMIT_STORAGE_URI": "memory://", "LMS_VERIFY_LIMITS": "10000 per minute",
                       "LMS_JOBS_IMMEDIATE": True,
                       "WTF_CSRF_ENABLED": False})  # the language switch is posted without reading a form first


def build_demo(app) -> None:
    """Schema by migration, the course folders, then the demo of `make run`, dated from NOW."""
    from flask_migrate import upgrade

    from lms.courses.services import import_course_folders
    from lms.demo.cli import setup

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        import_course_folders([ROOT / "courses"])
        setup(NOW)
        open_attempt_for_learner()
        if LARGE:
            from lms.demo import organisation

            size = organisation.DemoSize(staff=10_000, centers=120, courses=60, progress=300_000)
            organisation.build(size, app.config["LMS_DEMO_PASSWORD"], NOW, force=True)


def open_attempt_for_learner() -> None:
    """The demo's attempts are all finished: the learner starts one, so that the quiz page itself is measured."""
    from lms.accounts.models import User
    from lms.courses.models import Course
    from lms.extensions import db
    from lms.quizzes.attempts import start_attempt

    learner = db.session.scalar(sa.select(User).where(User.username == "learner"))
    course = db.session.scalar(sa.select(Course).where(Course.slug == "serving-citizens"))
    start_attempt(learner.id, course, now=NOW, seed=1)


def candidates(rule, user_id: int | None):
    """Argument sets for `rule` from the demo's rows, the signed-in person's own first (their attempts,
    notifications), each set consistent (a module of that course, an attempt at that course's quiz)."""
    from lms.accounts.models import Center, District, JobTitle, RosterImport, User
    from lms.certificates.models import Certificate, PrintBatch
    from lms.courses.models import Course, Module
    from lms.extensions import db
    from lms.notifications.models import Notification
    from lms.progress.models import Assignment, LearningPath
    from lms.quizzes.models import Question, QuizAttempt

    args = set(rule.arguments) - set(rule.defaults or {})  # /manage/staff/districts: district_id=None

    def rows(statement):
        return db.session.execute(statement.limit(TRIES)).all()

    def mine_first(model):
        if model is User:  # the demo's learner, whose page has the most in it
            return [sa.case((User.username == "learner", 0), else_=1), User.id]
        owner = getattr(model, "user_id", None)
        order = [sa.case((owner == user_id, 0), else_=1)] if owner is not None and user_id else []
        return order + [model.id]

    if args == {"slug"} and rule.rule.startswith(("/paths", "/manage/paths")):
        return [{"slug": s} for s, in rows(sa.select(LearningPath.slug).order_by(LearningPath.id))]
    if args == {"slug"}:
        return [{"slug": s} for s, in rows(sa.select(Course.slug).order_by(Course.id))]
    if args == {"slug", "position"}:
        return [{"slug": s, "position": p} for s, p in rows(sa.select(Course.slug, Module.position).join(
            Module.course).order_by(Module.position.desc(), Course.id))]
    if args == {"slug", "module_id"}:
        return [{"slug": s, "module_id": m} for s, m in rows(sa.select(Course.slug, Module.id).join(
            Module.course).order_by(Module.id))]
    if args == {"slug", "attempt_id"}:
        return [{"slug": s, "attempt_id": a} for s, a in rows(sa.select(Course.slug, QuizAttempt.id).join(
            Course, Course.id == QuizAttempt.course_id).order_by(QuizAttempt.id))]
    if args == {"slug", "question_id"}:
        return [{"slug": s, "question_id": q} for s, q in rows(sa.select(Course.slug, Question.id).join(
            Course, Course.id == Question.course_id).order_by(Question.id))]
    if args == {"code"}:
        return [{"code": c} for c, in rows(sa.select(Certificate.code).order_by(Certificate.id))]
    single = {"attempt_id": QuizAttempt, "user_id": User, "center_id": Center, "certificate_id": Certificate,
              "batch_id": PrintBatch, "notification_id": Notification, "path_id": LearningPath,
              "assignment_id": Assignment, "district_id": District, "job_title_id": JobTitle, "job_id": RosterImport}
    if len(args) == 1 and (name := next(iter(args))) in single:
        model = single[name]
        return [{name: i} for i, in rows(sa.select(model.id).order_by(*mine_first(model)))]
    if not args:
        return [{}]
    return []  # a page whose arguments the demo has no rows for (a roster import's job): reported as not reached


def may_open(view, role: str) -> bool:
    access = getattr(view, "access", None)
    if access == "public":
        return True
    if access == "login":
        return role != "visitor"
    return access is not None and role in access


def pages(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if ("GET" in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS and not rule.rule.startswith("/api/")
                and not DOWNLOAD.search(rule.rule)):
            yield rule, app.view_functions[rule.endpoint]


def sign_in(app, client, username: str | None) -> int | None:
    from lms.accounts.models import User
    from lms.auth.services import start_login_session
    from lms.extensions import db

    if username is None:
        return None
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        token, user_id = start_login_session(user, timedelta(hours=8)), user.id
        db.session.remove()
    with client.session_transaction() as session:
        session.update({"sid": token, "_user_id": str(user_id), "_fresh": True})
    return user_id


def set_language(client, language: str) -> None:
    response = client.post("/language", data={"lang": language, "next": "/"})
    assert response.status_code in (302, 303), f"switching to {language}: {response.status_code}"


def same_app(url: str, base: str) -> str | None:
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def weigh(client, url: str, page: str, role: str, language: str, answers: set) -> Weight | None:
    response = client.get(url)
    if response.status_code != 200 or response.mimetype != "text/html":
        answers.add(str(response.status_code) if response.status_code != 200 else response.mimetype)
        return None
    weight = Weight(page, role, language, html=compressed_size(response.data, response.mimetype),
                    raw=len(response.data))
    queue = [a for link in ASSET_LINKS.findall(response.text) if (a := same_app(link, url))]
    seen = set()
    while queue:  # each file once, as a browser's cache would have it
        asset = queue.pop(0)
        if asset in seen:
            continue
        seen.add(asset)
        with client.get(asset) as file:
            if file.status_code != 200:
                raise AssertionError(f"{page} as {role} links {asset}: {file.status_code}")
            body, mimetype = file.get_data(), file.mimetype
        size = compressed_size(body, mimetype)
        weight.raw += len(body)
        weight.files.append(f"{asset.split('?')[0]} {size / KB:.1f}")
        if mimetype == "text/css":
            weight.css += size
            queue += [a for match in CSS_LINKS.findall(body.decode()) if (a := same_app("".join(match), asset))]
        elif mimetype in ("text/javascript", "application/javascript"):
            weight.js += size
        else:
            weight.other += size
    return weight


def measure(app) -> tuple[list[Weight], list[tuple[str, str, str]]]:
    """The heaviest answer of each page for each role and language; and the pages a role may open that no
    argument set from the demo reached."""
    weights, unreached = [], []
    for role, username in ACCOUNTS.items():
        for language in LANGUAGES:
            client = app.test_client()
            user_id = sign_in(app, client, username)
            set_language(client, language)
            for rule, view in pages(app):
                if not may_open(view, role):
                    continue
                with app.app_context():
                    argument_sets = candidates(rule, user_id)
                found, answers = [], set()
                for values in islice(argument_sets, TRIES):
                    url = rule.build(values, append_unknown=False)[1]
                    if weight := weigh(client, url, rule.rule, role, language, answers):
                        found.append(weight)
                if found:
                    weights.append(max(found, key=lambda w: w.total))
                elif language == LANGUAGES[0]:
                    unreached.append((rule.rule, role, ", ".join(sorted(answers)) or "no rows"))
    return weights, unreached


def kb(size: int) -> str:
    return f"{size / KB:.1f}"


def report(weights: list[Weight], unreached: list[tuple[str, str, str]]) -> int:
    # One row per page and role: its heavier language.
    heaviest = {}
    for w in weights:
        key = (w.page, w.role)
        if key not in heaviest or w.total > heaviest[key].total:
            heaviest[key] = w
    rows = sorted(heaviest.values(), key=lambda w: (w.total, w.page, w.role))
    print(f"\n{len(rows)} pages by role (each in its heavier language of {', '.join(LANGUAGES)}), "
          f"gzip -6, KB = 1,024 bytes\n")
    print("| page | role | lang | HTML KB | CSS KB | JS KB | images KB | total KB | uncompressed KB |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for w in rows:
        print(f"| `{w.page}` | {w.role} | {w.language} | {kb(w.html)} | {kb(w.css)} | {kb(w.js)} | {kb(w.other)} "
              f"| **{kb(w.total)}** | {kb(w.raw)} |")
    by_role = defaultdict(int)
    for w in rows:
        by_role[w.role] += 1
    print("\npages per role: " + ", ".join(f"{role} {n}" for role, n in by_role.items()))
    largest = rows[-1]
    print(f"largest: {largest.page} as {largest.role} ({largest.language}), {kb(largest.total)} KB: "
          + ", ".join(largest.files))
    if unreached:
        print("no page answered (a redirect, someone else's row, or nothing in the demo to fill it):")
        by_page = defaultdict(list)
        for page, role, answers in unreached:
            by_page[page].append(f"{role} {answers}")
        for page, answers in by_page.items():
            print(f"  {page}: {'; '.join(answers)}")
    over = [w for w in rows if w.total >= LIMIT_KB * KB]
    for w in over:
        print(f"aim missed: {w.page} as {w.role} ({w.language}) weighs {kb(w.total)} KB (aim: under {LIMIT_KB} KB)")
    return 1 if over else 0


def main() -> int:
    import time_machine

    import lms

    print(f"code: {Path(lms.__file__).parent}")
    with tempfile.TemporaryDirectory() as folder, time_machine.travel(NOW, tick=True):
        app = make_app(f"sqlite:///{folder}/weight.sqlite3")
        print("building the demo")
        build_demo(app)
        weights, unreached = measure(app)
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()
    return report(weights, unreached)


if __name__ == "__main__":
    sys.exit(main())
