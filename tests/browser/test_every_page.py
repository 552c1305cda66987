"""Every HTML page of every role, in Arabic and English, on a 360 px phone and a 1366 px desktop, in real Chromium.

The pages come from the app's url_map: a new page the test cannot fill makes it fail, so none is left unchecked.
Each page is checked for what a phone user notices first: the page never scrolls sideways, the header leaves the
screen to the content, no text is too small to read, no checkbox or radio button is squeezed, no Arabic word is split
across lines, and axe-core finds no serious or critical barrier. All findings of a run are reported together.
"""
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from lms.accounts.models import Center, JobTitle, RosterImport, RosterImportStatus, User
from lms.accounts.roster_apply import Slip
from lms.accounts.roster_jobs import seal
from lms.accounts.services import save_district
from lms.certificates.models import Certificate, PrintBatch
from lms.core.models import utcnow
from lms.courses.models import Course, CourseTrainer, Module
from lms.courses.services import import_course_folders
from lms.demo.cli import setup as demo_setup
from lms.extensions import db
from lms.progress.models import Assignment, LearningPath
from lms.quizzes.attempts import start_attempt
from lms.quizzes.models import AttemptStatus, Question, QuizAttempt
from tests.browser.conftest import serving
from tests.browser.test_journey import AXE, BLOCKING_IMPACTS
from tests.conftest import PROJECT_ROOT, database_url, make_app

pytestmark = [pytest.mark.browser, pytest.mark.no_db, pytest.mark.every_page]

DEMO_NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)  # the demo's learning is dated from it; pages use the clock
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}
HEADER_SHARE = 0.15  # of the phone's height, before the menu is opened
SMALLEST_TEXT_PX = 12
LOCALES = ("ar", "en")
# Each role signs in as the demo account that holds it; the visitor is signed out and sees the public pages.
ACCOUNTS = {"learner": "learner", "center_manager": "manager", "trainer": "trainer", "hr": "hr", "admin": "admin"}
VISITOR = "visitor"

# GET rules that answer something other than an HTML page, or only redirect to one: never visited.
NOT_PAGES = {
    "static": "files", "core.favicon": "an icon", "core.healthz": "a health probe",
    "certificates.download": "a PDF", "certificates_manage_printing.batch_download": "a PDF",
    "certificates_manage_look.preview": "a PDF", "courses.export_folder": "a ZIP",
    "course_files.course_file": "a course's image or attachment", "question_types.asset": "a question type's script",
    "certificates.authority_logo": "an image", "reports.matrix_export": "CSV or XLSX",
    "reports.overdue_export": "CSV or XLSX", "reports.scores_export": "CSV or XLSX",
    "staff.roster_template": "a CSV", "quiz_manage.export": "a file",
    "notifications.open_one": "marks a notification read and redirects to its page",
    "quiz_manage.log": "redirects to the course's change log",
    "certificates.scan_worker": "the verifier's service worker", "certificates.scan_manifest": "a web manifest",
    "signing.status": "the signed status list (JWS)", "signing.key_set": "a JSON key set",
    "signing.did_document": "a DID document",
    "offline_shell.service_worker": "the app's service worker", "offline_shell.web_manifest": "a web manifest",
}


@dataclass(frozen=True)
class Demo:
    """Ids of the seeded demo that fill the rules' arguments."""

    slug: str
    module_id: int
    question_id: int
    center_id: int
    user_id: int
    certificate_id: int
    verification_code: str
    batch_id: int
    assignment_id: int
    path_id: int
    path_slug: str
    district_id: int
    job_title_id: int
    any_attempt_id: int  # a learner's finished attempt, as a trainer reviews it
    open_attempt: dict  # username -> their open attempt
    finished_attempt: dict  # username -> their finished attempt
    roster_job: dict  # username -> the roster import they uploaded
    seat_id: int  # the learner's seat at an offline exam


Filler = Callable[[Demo, str], dict | None]  # (demo, username) -> the rule's arguments; None: not theirs to open


def _own(table: str) -> Filler:
    return lambda demo, username: ({"attempt_id": getattr(demo, table)[username]}
                                   if username in getattr(demo, table) else None)


# Every HTML page and how to fill its arguments (None: the person has none to open); a rule with no arguments
# needs no entry.
FILLERS: dict[str, Filler] = {
    "admin.edit_center": lambda d, u: {"center_id": d.center_id},
    "admin.edit_user": lambda d, u: {"user_id": d.user_id},
    "progress.course": lambda d, u: {"slug": d.slug},
    # Only the enrolled open a module (others are sent to the course page); the learner is.
    "progress.module": lambda d, u: {"slug": d.slug, "position": 1} if u == "learner" else None,
    "quizzes.overview": lambda d, u: {"slug": d.slug},
    "progress_manage.show": lambda d, u: {"assignment_id": d.assignment_id},
    "certificates_manage.show": lambda d, u: {"certificate_id": d.certificate_id},
    "certificates_manage_printing.batch": lambda d, u: {"batch_id": d.batch_id},
    "courses.edit_course": lambda d, u: {"slug": d.slug},
    "courses.log": lambda d, u: {"slug": d.slug},
    "courses.files": lambda d, u: {"slug": d.slug},
    "courses.edit_module": lambda d, u: {"slug": d.slug, "module_id": d.module_id},
    "progress_manage.course_table": lambda d, u: {"slug": d.slug},
    "quiz_manage.overview": lambda d, u: {"slug": d.slug},
    "quiz_manage.attempt_list": lambda d, u: {"slug": d.slug},
    "quiz_manage.attempt": lambda d, u: {"slug": d.slug, "attempt_id": d.any_attempt_id},
    "quiz_manage.import_bank": lambda d, u: {"slug": d.slug},
    "quiz_manage.log": lambda d, u: {"slug": d.slug},
    "quiz_manage.questions": lambda d, u: {"slug": d.slug},
    "quiz_manage.edit_question": lambda d, u: {"slug": d.slug, "question_id": d.question_id},
    "quiz_manage.settings": lambda d, u: {"slug": d.slug},
    "quiz_manage.statistics": lambda d, u: {"slug": d.slug},
    # The administrator made the demo's path: a trainer edits only their own.
    "progress_manage.edit_path": lambda d, u: {"path_id": d.path_id} if u != "trainer" else None,
    # Where one's own mobile center stands: the administrator belongs to no center.
    "staff.center_location": lambda d, u: {} if u != "admin" else None,
    "reports.transcript": lambda d, u: {"user_id": d.user_id},
    "staff.person": lambda d, u: {"user_id": d.user_id},
    "staff.placement": lambda d, u: {"user_id": d.user_id},
    "staff.districts": lambda d, u: {"district_id": d.district_id},
    "staff.job_titles": lambda d, u: {"job_title_id": d.job_title_id},
    "staff.roster_job": lambda d, u: {"job_id": d.roster_job[u]} if u in d.roster_job else None,
    "staff.roster_job_slips": lambda d, u: {"job_id": d.roster_job[u]} if u in d.roster_job else None,
    "paths.path_page": lambda d, u: {"slug": d.path_slug},
    "quizzes.attempt": _own("open_attempt"),
    "quizzes.confirm": _own("open_attempt"),
    "quizzes.result": _own("finished_attempt"),
    "offline.take_exam": lambda d, u: {"seat_id": d.seat_id} if u == "learner" else None,
    "certificates.verify": lambda d, u: {"code": d.verification_code},
}


@dataclass(frozen=True)
class Visit:
    endpoint: str
    path: str


def _allowed(view, role: str) -> bool:
    access = getattr(view, "access", None)
    if role == VISITOR:
        return access == "public"
    return access == "login" or (isinstance(access, frozenset) and role in access)


def html_rules(app) -> list:
    return [rule for rule in app.url_map.iter_rules() if "GET" in rule.methods
            and not rule.rule.startswith(("/api/", "/offline/api/")) and rule.endpoint not in NOT_PAGES]


def visits_of(app, demo: Demo, role: str) -> list[Visit]:
    """The pages `role` may open; EVERY_PAGE_ONLY=reports.,staff.person narrows them while fixing a few."""
    username = ACCOUNTS.get(role, "")
    only = [part for part in os.environ.get("EVERY_PAGE_ONLY", "").split(",") if part]
    visits = []
    for rule in html_rules(app):
        if only and not any(part in rule.endpoint for part in only):
            continue
        if not _allowed(app.view_functions[rule.endpoint], role):
            continue
        values = FILLERS[rule.endpoint](demo, username) if rule.endpoint in FILLERS else {}
        if values is None:
            continue
        path = rule.build(values, append_unknown=False)[1]
        visits.append(Visit(rule.endpoint, path))
    return sorted(visits, key=lambda v: v.path)


# ----------------------------------------------------------------------------------------------- the demo site


def _seed(app) -> Demo:
    """The demo `make run` shows, plus what it leaves out: an open quiz attempt, a trainer of the course, a
    district and a roster import (with its slips) of each person who may import one."""
    with app.app_context():
        db.create_all()
        app.config["LMS_ENV"] = "demo"
        import_course_folders([PROJECT_ROOT / "courses"])
        demo_setup(DEMO_NOW)
        app.config["LMS_ENV"] = "test"
        people = {u.username: u for u in db.session.scalars(sa.select(User))}
        course = db.session.scalar(sa.select(Course).where(Course.slug == "serving-citizens"))
        db.session.add(CourseTrainer(course_id=course.id, user_id=people["trainer"].id))
        db.session.commit()
        learner = people["learner"]
        open_attempt = start_attempt(learner.id, course, now=utcnow(), seed=1)
        governorate_id = db.session.scalar(sa.select(Center.governorate_id).where(Center.code == "QLY-MOB-1"))
        district = save_district({"governorate_id": governorate_id, "name_ar": "بنها", "name_en": "Benha"})
        jobs = {}
        for username in ("hr", "admin"):
            slip = Slip("سميرة فتحي عبد العال", "Samira Fathy Abdelaal", "10002", "K7-PQ4-XM9-2RT", "QLY-MOB-1",
                        "المركز التكنولوجي المتنقل رقم ١", "Mobile Technology Center No. 1", None)
            job = RosterImport(created_by_id=people[username].id, complete=False, row_count=1,
                               status=RosterImportStatus.DONE.value, total=1, done=1, created=1,
                               finished_at=utcnow(), slips=seal([slip], utcnow()))
            db.session.add(job)
            db.session.commit()
            jobs[username] = job.id
        seat_id = _seed_field_work(people, course)
        finished = {}
        for attempt in db.session.scalars(sa.select(QuizAttempt).where(
                QuizAttempt.status == AttemptStatus.FINISHED).order_by(QuizAttempt.id)):
            finished.setdefault(db.session.get(User, attempt.user_id).username, attempt.id)
        certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == people["samira"].id))
        certificate.code = "W" * 24  # the widest code there can be (random ones made a phone page flaky): it must fit
        db.session.commit()
        path = db.session.scalar(sa.select(LearningPath))
        return Demo(
            slug=course.slug,
            module_id=db.session.scalar(sa.select(Module.id).where(Module.course_id == course.id)
                                        .order_by(Module.position)),
            question_id=db.session.scalar(sa.select(Question.id).where(Question.course_id == course.id)
                                          .order_by(Question.position)),
            center_id=learner.center_id, user_id=learner.id,
            certificate_id=certificate.id, verification_code=certificate.code,
            batch_id=db.session.scalar(sa.select(PrintBatch.id)),
            assignment_id=db.session.scalar(sa.select(Assignment.id).order_by(Assignment.id)),
            path_id=path.id, path_slug=path.slug, district_id=district.id,
            job_title_id=db.session.scalar(sa.select(JobTitle.id).where(JobTitle.id == learner.job_title_id)),
            any_attempt_id=db.session.scalar(sa.select(QuizAttempt.id).where(
                QuizAttempt.course_id == course.id, QuizAttempt.status == AttemptStatus.FINISHED)),
            open_attempt={"learner": open_attempt.id}, finished_attempt=finished, roster_job=jobs,
            seat_id=seat_id)


def _seed_field_work(people: dict, course: Course) -> int:
    """A mobile center's tablet that synced, another that never did, uploads HR must read, and the learner's seat
    at an offline exam (its id) (issue 16)."""
    import datetime as dt
    import uuid

    from lms.offline.devices import mark_sync, register
    from lms.offline.models import OfflineExam, OfflineSeat, OfflineUpload

    tablet = register(people["learner"], str(uuid.UUID(int=1)), "تابلت السيارة المتنقلة ١")
    mark_sync(tablet.grant)
    register(people["samira"], str(uuid.UUID(int=2)), "")
    for n, (status, reason, suspicious) in enumerate((("refused", "after_limit", []),
                                                      ("accepted", None, ["clock_moved", "resumed"]))):
        db.session.add(OfflineUpload(upload_id=str(uuid.UUID(int=10 + n)), user_id=people["learner"].id,
                                     device_id=tablet.device.id, kind="attempt", received_at=utcnow(),
                                     body_sha256="0" * 64, status=status, reason=reason, suspicious=suspicious,
                                     detail="", size_bytes=1200, events_count=12))
    exam = OfflineExam(course_id=course.id, created_by_id=people["hr"].id, opens_on=dt.date(2026, 12, 1),
                       closes_on=dt.date(2026, 12, 31), time_limit_minutes=20, salt="AAAAAAAAAAAAAAAAAAAAAA")
    exam.seats.append(OfflineSeat(user_id=people["learner"].id, questions=[], package=None))
    db.session.add(exam)
    db.session.commit()
    return exam.seats[0].id


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    app = make_app(database_url(tmp_path_factory.mktemp("every-page-db"), "every_page"))
    demo = _seed(app)
    with serving(app) as url:
        yield app, url, demo


# ----------------------------------------------------------------------------------------------- the checks

# One evaluation per page and width: what a person would see wrong, as short sentences.
PAGE_CHECKS = """({phone, headerLimit, smallest}) => {
  const found = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) {
    const wide = [...document.querySelectorAll('body *')].filter(el => {
      const r = el.getBoundingClientRect();
      return r.width && (r.right > doc.clientWidth + 1 || r.left < -1);
    }).filter(el => !el.parentElement || el.parentElement.getBoundingClientRect().right <= doc.clientWidth + 1
                    && el.parentElement.getBoundingClientRect().left >= -1);
    found.push(`scrolls sideways: ${doc.scrollWidth} px in ${doc.clientWidth} px; widest: ` +
               wide.slice(0, 3).map(describe).join(', '));
  }
  if (phone) {
    const header = document.querySelector('.site-header');
    const height = header ? header.getBoundingClientRect().height : 0;
    if (height > headerLimit) found.push(`header ${Math.round(height)} px high (at most ${headerLimit})`);
  }
  for (const box of document.querySelectorAll('input[type="checkbox"], input[type="radio"]')) {
    const r = box.getBoundingClientRect();  // a long label beside it in a flex row squeezed one to 6 px wide
    if (visible(box) && (r.width < 16 || r.height < 16))
      found.push(`${box.type} squeezed to ${Math.round(r.width)}x${Math.round(r.height)} px: ${describe(box)}`);
  }
  const small = new Map(), splitWords = new Map(), splittable = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const arabic = /[\\u0600-\\u06FF]/;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.nodeValue.trim();
    const el = node.parentElement;
    if (!text || !el || !visible(el)) continue;
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) < smallest) small.set(describe(el), `${style.fontSize} "${text.slice(0, 30)}"`);
    if (!arabic.test(text)) continue;
    if (style.overflowWrap === 'anywhere' || style.wordBreak === 'break-all')
      splittable.set(describe(el), `${style.overflowWrap}/${style.wordBreak}`);
    for (const match of node.nodeValue.matchAll(/\\S+/g)) {
      if (!arabic.test(match[0])) continue;
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
      if (tops.size > 1) splitWords.set(describe(el), match[0]);
    }
  }
  for (const [where, what] of small) found.push(`text under ${smallest} px: ${where} ${what}`);
  for (const [where, what] of splittable) found.push(`Arabic text may split inside a word (${what}): ${where}`);
  for (const [where, word] of splitWords) found.push(`Arabic word split across lines: "${word}" in ${where}`);
  return found.slice(0, 12);

  function visible(el) {
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) return false;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.clipPath === 'inset(50%)' || (s.position === 'absolute' && parseFloat(s.width) <= 1)) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  }
  function describe(el) {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
      parts.unshift(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                    (e.classList.length ? '.' + [...e.classList].join('.') : ''));
    }
    return parts.join(' > ');
  }
}"""


@dataclass
class Findings:
    problems: list[str]

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


def _axe(page, contrast: bool) -> list[str]:
    """Colour contrast, axe's slowest rule, is checked once per page (the phone's): no colour depends on width."""
    options = {"resultTypes": ["violations"]} | ({} if contrast else {"rules": {"color-contrast": {"enabled": False}}})
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return [f"axe {v['id']} ({v['impact']}): " + "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]


def _sign_in(context, site: str, role: str, locale: str, password: str) -> None:
    page = context.new_page()
    if role != VISITOR:
        page.request.post(f"{site}/login", form={"identifier": ACCOUNTS[role], "password": password})
    # The session's choice wins over the account's: each context keeps its own language.
    page.request.post(f"{site}/language", form={"lang": locale, "next": "/"})
    page.close()


def _check_visit(page, site: str, visit: Visit, locale: str, findings: Findings, where_role: str,
                 shots=None) -> None:
    page.set_viewport_size(PHONE)
    response = page.goto(site + visit.path, wait_until="load")
    where = f"{visit.path} ({visit.endpoint}) [{where_role}, {locale}"
    if response is None or response.status != 200 or response.url.rstrip("/") != (site + visit.path).rstrip("/"):
        status = response.status if response else "no answer"
        findings.add(where + "]", f"answered {status} at {response.url if response else ''}")
        return
    lang = page.evaluate("document.documentElement.lang")
    if lang != locale:
        findings.add(where + "]", f"shown in {lang!r}")
    for size in (PHONE, DESKTOP):
        if size is DESKTOP:
            page.set_viewport_size(size)
        label = f"{where}, {size['width']} px]"
        for what in page.evaluate(PAGE_CHECKS, {"phone": size is PHONE, "smallest": SMALLEST_TEXT_PX,
                                                "headerLimit": int(PHONE["height"] * HEADER_SHARE)}):
            findings.add(label, what)
        for what in _axe(page, contrast=size is PHONE):
            findings.add(label, what)
        if shots is not None:
            name = re.sub(r"\W+", "-", visit.path).strip("-") or "home"
            page.screenshot(path=shots / f"{where_role}-{locale}-{size['width']}-{name}.png")


def test_every_rule_is_a_known_page_or_not_a_page(demo_site):
    """A new page fails here until the test knows how to fill its arguments (FILLERS) or why it is no page."""
    app, _site, _demo = demo_site
    unknown = sorted(rule.rule for rule in html_rules(app) if rule.arguments and rule.endpoint not in FILLERS)
    assert unknown == [], "add these to FILLERS or NOT_PAGES in tests/browser/test_every_page.py"
    stale = sorted((set(FILLERS) | set(NOT_PAGES)) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == []


def test_every_page_of_every_role(demo_site, browser, tmp_path, request):
    app, site, demo = demo_site
    password = app.config["LMS_DEMO_PASSWORD"]
    findings = Findings([])
    shots = tmp_path if request.config.getoption("verbose") > 1 else None
    seen = 0
    for role in (VISITOR, *ACCOUNTS):
        visits = visits_of(app, demo, role)
        for locale in LOCALES:
            context = browser.new_context(viewport=PHONE, locale=locale, bypass_csp=True)
            _sign_in(context, site, role, locale, password)
            context.add_init_script(path=AXE)  # once per context: injecting it per page costs more than axe
            page = context.new_page()
            for visit in visits:
                _check_visit(page, site, visit, locale, findings, role, shots)
                seen += 1
            context.close()
    print(f"\n{seen} page visits checked; screenshots in {shots}" if shots else f"\n{seen} page visits checked")
    assert not findings.problems, f"{len(findings.problems)} problems:\n" + "\n".join(findings.problems)
