"""A large demo organisation for the reports and their benchmark, written with bulk INSERTs.

Governorates (Qalyubia first) with districts, fixed and mobile technology centers, job titles (most staff are
service window clerks), staff sharing one precomputed password hash, a center manager per center and an HR
officer per governorate, published courses with modules, assignments with due dates (N days after joining),
and enrolments with realistic statuses, module completions and quiz attempts. Deterministic for a given seed.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa

from lms.accounts.models import Center, District, Governorate, JobTitle, Role, User
from lms.core.arabic import normalize_for_matching
from lms.core.db import begin_write
from lms.core.i18n import localize_digits
from lms.core.password_hashes import hash_password
from lms.courses.models import Course, Module
from lms.extensions import db
from lms.progress.models import Assignment, AssignmentMember, Enrollment, ModuleCompletion
from lms.quizzes.models import QuizAttempt

CHUNK = 5000
FIRST_USERNAME = "staff00001"  # its presence means the demo data is already there

GOVERNORATES = [
    ("QLY", "محافظة القليوبية", "Qalyubia Governorate",
     [("بنها", "Banha"), ("شبرا الخيمة", "Shubra El-Kheima"), ("قليوب", "Qalyub"), ("القناطر الخيرية", "El Qanater"),
      ("طوخ", "Toukh"), ("الخانكة", "El Khanka")]),
    ("CAI", "محافظة القاهرة", "Cairo Governorate",
     [("مدينة نصر", "Nasr City"), ("المعادي", "Maadi"), ("حلوان", "Helwan"), ("مصر الجديدة", "Heliopolis")]),
    ("GIZ", "محافظة الجيزة", "Giza Governorate",
     [("الدقي", "Dokki"), ("الهرم", "Haram"), ("السادس من أكتوبر", "6th of October"), ("إمبابة", "Imbaba")]),
    ("ALX", "محافظة الإسكندرية", "Alexandria Governorate",
     [("المنتزه", "Montaza"), ("سيدي جابر", "Sidi Gaber"), ("العجمي", "Agami")]),
    ("SHR", "محافظة الشرقية", "Sharqia Governorate",
     [("الزقازيق", "Zagazig"), ("بلبيس", "Belbeis"), ("منيا القمح", "Minya El Qamh")]),
    ("DKH", "محافظة الدقهلية", "Dakahlia Governorate",
     [("المنصورة", "Mansoura"), ("طلخا", "Talkha"), ("ميت غمر", "Mit Ghamr")]),
]

# code, Arabic, English, share of the staff (the center manager comes on top, one per center)
JOB_TITLES = [
    ("CLERK", "موظف شباك خدمة", "Service window clerk", 65),
    ("TECH", "أخصائي دعم فني", "Technical support specialist", 10),
    ("RECEPTION", "موظف استقبال", "Reception clerk", 10),
    ("SUPERVISOR", "مشرف شبابيك الخدمة", "Service windows supervisor", 8),
    ("ACCOUNTANT", "محاسب", "Accountant", 7),
]
MANAGER_TITLE = ("CENTER-MANAGER", "مدير المركز التكنولوجي", "Technology center manager")

FIRST = [("محمد", "Mohamed"), ("أحمد", "Ahmed"), ("منى", "Mona"), ("فاطمة", "Fatma"), ("إسراء", "Esraa"),
         ("عبد الرحمن", "Abdelrahman"), ("هالة", "Hala"), ("يوسف", "Youssef"), ("آية", "Aya"), ("مصطفى", "Mostafa"),
         ("سارة", "Sara"), ("خالد", "Khaled"), ("نور", "Nour"), ("إبراهيم", "Ibrahim"), ("مريم", "Mariam"),
         ("عمرو", "Amr"), ("ياسمين", "Yasmin"), ("حسن", "Hassan"), ("دينا", "Dina"), ("طارق", "Tarek")]
FAMILY = [("السيد", "Elsayed"), ("عبد الله", "Abdallah"), ("حسين", "Hussein"), ("إبراهيم", "Ibrahim"),
          ("محمود", "Mahmoud"), ("علي", "Ali"), ("عثمان", "Osman"), ("الشافعي", "Elshafei"), ("سليمان", "Soliman"),
          ("النجار", "Elnaggar"), ("عبد العزيز", "Abdelaziz"), ("فؤاد", "Fouad")]
TOPICS = [("خدمة المواطنين في شباك الخدمة", "Serving citizens at the service window"),
          ("أمن المعلومات", "Information security"), ("التعامل مع الشكاوى", "Handling complaints"),
          ("منظومة الدفع الإلكتروني", "Electronic payment system"),
          ("حماية البيانات الشخصية", "Personal data protection"),
          ("خدمات الشهر العقاري", "Notary services"), ("خدمات التموين", "Ration card services"),
          ("خدمات المرور", "Traffic services"), ("السلامة المهنية", "Occupational safety"),
          ("التواصل الفعال", "Effective communication"), ("خدمة ذوي الهمم", "Serving people with disabilities"),
          ("مكافحة الفساد", "Integrity and anti-corruption"), ("الأرشفة الإلكترونية", "Electronic archiving"),
          ("إدارة الطوابير", "Queue management"), ("المركز التكنولوجي المتنقل", "The mobile technology center")]

# status shares: completed, in progress, overdue, not started (voluntary enrolments have no due date)
REQUIRED_MIX = (0.50, 0.18, 0.17)
VOLUNTARY_MIX = (0.45, 0.35, 0.0)
MANDATORY_COURSES = 12


class DemoDataRefused(Exception):
    pass


@dataclass
class DemoSize:
    staff: int = 10_000
    centers: int = 120
    courses: int = 60
    progress: int = 300_000


def arabic(number: int) -> str:
    return localize_digits(number, "ar")


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(sa.insert(model), rows[start:start + CHUNK])


def _ids(column, where) -> dict:
    key = column.class_
    return {k: i for k, i in db.session.execute(sa.select(column, key.id).where(where))}


class _Person(NamedTuple):
    """What decides which courses a member of staff must take."""
    job: str
    governorate_id: int
    center_kind: str


class _Assignment(NamedTuple):
    id: int
    rule: str  # who must take the course: "all", "job" (job codes), "qly-clerks" (a governorate), "mobile"
    value: object
    due_days: int


@dataclass
class _Catalogue:
    """The courses enrolments are drawn from: the first of them are assigned (the same index)."""
    course_ids: list[int]
    module_ids: dict[int, list[int]]
    assignments: list[_Assignment]


class _Rows:
    """Enrolments and what comes with them, written a chunk at a time; how many of each, per table."""

    def __init__(self) -> None:
        self.waiting: dict = {Enrollment: [], AssignmentMember: [], ModuleCompletion: [], QuizAttempt: []}
        self.totals = {model.__tablename__: 0 for model in self.waiting}

    def add(self, model, rows: list[dict]) -> None:
        self.waiting[model].extend(rows)
        self.totals[model.__tablename__] += len(rows)

    def flush(self, final: bool = False) -> None:
        for model, rows in self.waiting.items():
            if rows and (final or len(rows) >= CHUNK):
                db.session.execute(sa.insert(model), rows)
                rows.clear()


def build(size: DemoSize, password: str, now: datetime, *, force: bool = False, seed: int = 5,
          echo=lambda message: None) -> dict[str, int]:
    """Write the demo organisation in one transaction; the number of rows written, per table.

    The steps draw from one random generator in a fixed order: that order is what makes a seed give the same data.
    """
    _refuse_unless_possible(size, force)
    begin_write()  # one transaction: on PostgreSQL, pages read in autocommit and every row would be its own
    rng = random.Random(seed)  # noqa: S311  (made-up data, reproducible on purpose)
    password_hash = hash_password(password)  # one hash for everyone: a hash costs tens of milliseconds
    governorate_ids, districts = _places()
    centers = _centers(size.centers, governorate_ids, districts, rng, now)
    job_ids = _job_titles()
    people = _staff(size.staff, centers, job_ids, password_hash, rng, now)
    profiles = [profile for _row, profile in people]
    rows = [row for row, _profile in people] + _hr_officers(governorate_ids, password_hash, now)
    _insert(User, rows)
    by_name = dict(db.session.execute(sa.select(User.username, User.id).where(User.username.like("staff%"))).all())
    user_ids = [by_name[row["username"]] for row, _profile in people]
    echo(f"  places and {len(rows)} people")
    course_ids, module_ids = _courses(size.courses, now)
    assignments = _assignments(course_ids, job_ids, governorate_ids, now)
    totals = _enrol_staff(size.progress, user_ids, profiles, _Catalogue(course_ids, module_ids, assignments),
                          rng, now, echo)
    counts = {"centers": len(centers), "users": len(rows), "courses": len(course_ids),
              "modules": sum(len(ids) for ids in module_ids.values()), "assignments": len(assignments), **totals}
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))  # fresh statistics, so that the planner knows the tables are large
    db.session.commit()
    return counts


def _refuse_unless_possible(size: DemoSize, force: bool) -> None:
    if size.progress > size.staff * size.courses:
        raise DemoDataRefused("--progress cannot exceed staff x courses")
    if min(size.staff, size.centers, size.courses) < 1 or size.progress < 0:
        raise DemoDataRefused("staff, centers and courses must be at least 1")
    if db.session.scalar(sa.select(User.id).where(User.username == FIRST_USERNAME)) is not None:
        raise DemoDataRefused("The demo data is already there.")
    if not force and db.session.scalar(sa.select(sa.func.count(User.id))):
        raise DemoDataRefused("This database already has staff; add --force to add the demo organisation beside them.")


# --- places and people -----------------------------------------------------------------------------------------------

def _places() -> tuple[dict[str, int], dict[int, list[int]]]:
    """The governorates and districts not there yet; the governorates' ids by code, their districts' ids."""
    for code, name_ar, name_en, _districts in GOVERNORATES:
        if db.session.scalar(sa.select(Governorate.id).where(Governorate.code == code)) is None:
            db.session.execute(sa.insert(Governorate).values(code=code, name_ar=name_ar, name_en=name_en))
    governorate_ids = _ids(Governorate.code, Governorate.code.in_([g[0] for g in GOVERNORATES]))
    for code, _ar, _en, districts in GOVERNORATES:
        known = set(db.session.scalars(sa.select(District.name_ar)
                                       .where(District.governorate_id == governorate_ids[code])))
        new = [{"governorate_id": governorate_ids[code], "name_ar": ar, "name_en": en} for ar, en in districts
               if ar not in known]
        if new:
            _insert(District, new)
    districts = {}
    for gid, did in db.session.execute(sa.select(District.governorate_id, District.id).order_by(District.id)):
        districts.setdefault(gid, []).append(did)
    return governorate_ids, districts


def _centers(count: int, governorate_ids: dict[str, int], districts: dict[int, list[int]], rng: random.Random,
             now: datetime) -> list:
    """Fixed centers, and every seventh a mobile one, spread over the governorates; their rows as written."""
    centers = []
    for n in range(count):
        code, gov_ar, gov_en, _d = GOVERNORATES[n % len(GOVERNORATES)]
        gid = governorate_ids[code]
        mobile = n % 7 == 6
        number = n // len(GOVERNORATES) + 1
        centers.append({
            "governorate_id": gid, "district_id": rng.choice(districts[gid]), "is_active": True,
            "code": f"{code}-{'MOB' if mobile else 'TC'}{number:03d}",
            "kind": "mobile" if mobile else "fixed",
            "name_ar": (f"المركز التكنولوجي المتنقل رقم {arabic(number)}" if mobile
                        else f"المركز التكنولوجي رقم {arabic(number)} - {gov_ar.removeprefix('محافظة ')}"),
            "name_en": (f"Mobile Technology Center No. {number}" if mobile
                        else f"Technology Center No. {number}, {gov_en.removesuffix(' Governorate')}"),
            "location": "أمام مجلس المدينة" if mobile else "", "location_updated_at": now if mobile else None})
    _insert(Center, centers)
    return db.session.execute(sa.select(Center.id, Center.governorate_id, Center.kind)
                              .where(Center.code.in_([c["code"] for c in centers])).order_by(Center.id)).all()


def _job_titles() -> dict[str, int]:
    """Get or create each job title, by code, then by Arabic name; their ids by code."""
    job_ids = {}
    for code, name_ar, name_en, *_share in [*JOB_TITLES, MANAGER_TITLE]:
        found = db.session.scalar(sa.select(JobTitle.id).where(sa.or_(JobTitle.code == code,
                                                                      JobTitle.name_ar == name_ar)))
        if found is None:
            found = db.session.execute(sa.insert(JobTitle).values(code=code, name_ar=name_ar, name_en=name_en)
                                       .returning(JobTitle.id)).scalar_one()
        job_ids[code] = found
    return job_ids


def _staff(count: int, centers: list, job_ids: dict[str, int], password_hash: str, rng: random.Random,
           now: datetime) -> list[tuple[dict, _Person]]:
    """A manager per center, the others spread over the centers: each one's row and what assigns them courses."""
    weights = [share for *_rest, share in JOB_TITLES]
    codes = [code for code, *_rest in JOB_TITLES]
    people = []
    for n in range(count):
        center = centers[n % len(centers)]
        manager = n < len(centers)
        job = MANAGER_TITLE[0] if manager else rng.choices(codes, weights)[0]
        first, father, family = rng.choice(FIRST), rng.choice(FIRST), rng.choice(FAMILY)
        name_ar, name_latin = f"{first[0]} {father[0]} {family[0]}", f"{first[1]} {father[1]} {family[1]}"
        active = manager or rng.random() > 0.02
        created = now - timedelta(days=rng.randint(30, 1500))
        username, number = f"staff{n + 1:05d}", f"{2_000_000 + n + 1}"
        row = {
            "username": username, "employee_number": number, "full_name_ar": name_ar, "full_name_latin": name_latin,
            "center_id": center.id, "job_title_id": job_ids[job], "is_active": active,
            "role": Role.CENTER_MANAGER.value if manager else Role.LEARNER.value, "scope_governorate_id": None,
            "deactivated_at": None if active else now - timedelta(days=rng.randint(1, 200)),
            "password_hash": password_hash, "created_at": created, "must_change_password": False,
            "search_key": normalize_for_matching(f"{name_ar} {name_latin} {username} {number}")}
        people.append((row, _Person(job, center.governorate_id, center.kind)))
    return people


def _hr_officers(governorate_ids: dict[str, int], password_hash: str, now: datetime) -> list[dict]:
    """An HR officer per governorate, who sees its staff."""
    return [{"username": f"hr-{code.lower()}", "employee_number": None,
             "full_name_ar": f"الموارد البشرية {code}", "full_name_latin": f"HR officer {code}",
             "center_id": None, "job_title_id": None,
             "is_active": True, "role": Role.HR.value, "scope_governorate_id": governorate_ids[code],
             "deactivated_at": None, "password_hash": password_hash, "created_at": now,
             "must_change_password": False, "search_key": f"hr-{code.lower()}"}
            for code, *_rest in GOVERNORATES]


# --- courses and assignments -----------------------------------------------------------------------------------------

def _courses(count: int, now: datetime) -> tuple[list[int], dict[int, list[int]]]:
    """Published courses of 3 to 6 modules; their ids by slug order, and each one's module ids in order."""
    courses, modules = [], []
    for n in range(count):
        topic_ar, topic_en = TOPICS[n % len(TOPICS)]
        part = n // len(TOPICS) + 1
        courses.append({"slug": f"demo-course-{n + 1:03d}", "title_ar": f"{topic_ar} ({arabic(part)})",
                        "title_en": f"{topic_en} ({part})", "summary_ar": f"دورة تدريبية عن {topic_ar}.",
                        "summary_en": f"A course on {topic_en.lower()}.", "status": "published",
                        "estimated_minutes": 20 + 10 * (n % 6), "module_count": 3 + n % 4,
                        "quiz_settings": {}, "certificate_settings": {}, "created_at": now, "updated_at": now})
    _insert(Course, courses)
    course_ids = [i for (i,) in db.session.execute(sa.select(Course.id).where(
        Course.slug.in_([c["slug"] for c in courses])).order_by(Course.slug))]
    for course_id, course in zip(course_ids, courses, strict=True):
        for position in range(1, course["module_count"] + 1):
            modules.append({"course_id": course_id, "position": position, "file_name": f"{position:02d}-module.md",
                            "title_ar": f"الوحدة {position}", "title_en": f"Module {position}",
                            "body_ar": f"نص الوحدة {position}.", "body_en": f"Module {position} text.",
                            "html_ar": f"<p>نص الوحدة {position}.</p>", "html_en": f"<p>Module {position} text.</p>"})
    _insert(Module, modules)
    module_ids: dict[int, list[int]] = {}
    for course_id, module_id in db.session.execute(sa.select(Module.course_id, Module.id).where(
            Module.course_id.in_(course_ids)).order_by(Module.course_id, Module.position)):
        module_ids.setdefault(course_id, []).append(module_id)
    return course_ids, module_ids


def _audience(n: int, job_ids: dict[str, int], governorate_ids: dict[str, int]) -> tuple[dict, str, object]:
    """Who the nth assigned course is for: window clerks, everyone, Qalyubia's clerks, then mobile centers."""
    if n < 6:
        return {"job_titles": [job_ids["CLERK"]]}, "job", {"CLERK"}
    if n < 8:
        return {"job_titles": sorted(job_ids.values())}, "all", None
    if n < 10:
        return ({"governorates": [governorate_ids["QLY"]], "job_titles": [job_ids["CLERK"]]}, "qly-clerks",
                governorate_ids["QLY"])
    return {"center_kind": "mobile"}, "mobile", None


def _assignments(course_ids: list[int], job_ids: dict[str, int], governorate_ids: dict[str, int],
                 now: datetime) -> list[_Assignment]:
    """The first courses are required of some audiences, 30, 60 or 90 days after joining it."""
    hr_all = db.session.scalar(sa.select(User.id).where(User.username == f"hr-{GOVERNORATES[0][0].lower()}"))
    assignments = []
    for n, course_id in enumerate(course_ids[:MANDATORY_COURSES]):
        audience, rule, value = _audience(n, job_ids, governorate_ids)
        days = (30, 60, 90)[n % 3]
        assignment_id = db.session.execute(sa.insert(Assignment).values(
            course_id=course_id, audience=audience, due_days=days, is_active=True, created_by_id=hr_all,
            created_at=now - timedelta(days=500)).returning(Assignment.id)).scalar_one()
        assignments.append(_Assignment(assignment_id, rule, value, days))
    return assignments


def _must_take(assignment: _Assignment, person: _Person) -> bool:
    rule, value = assignment.rule, assignment.value
    return (rule == "all" or (rule == "job" and person.job in value)
            or (rule == "qly-clerks" and person.governorate_id == value and person.job == "CLERK")
            or (rule == "mobile" and person.center_kind == "mobile"))


# --- enrolments, module completions, quiz attempts -------------------------------------------------------------------

def _enrol_staff(progress: int, user_ids: list[int], profiles: list[_Person], catalogue: _Catalogue,
                 rng: random.Random, now: datetime, echo) -> dict[str, int]:
    """`progress` enrolments spread evenly over the staff: the courses assigned to them first, then others."""
    rows = _Rows()
    base, extra = divmod(progress, len(user_ids))
    all_courses = range(len(catalogue.course_ids))
    for n, (user_id, person) in enumerate(zip(user_ids, profiles, strict=True)):
        wanted = base + (1 if n < extra else 0)
        required = [i for i, a in enumerate(catalogue.assignments) if _must_take(a, person)][:wanted]
        chosen = set(required)
        others = [c for c in all_courses if c not in chosen]
        for index in required + rng.sample(others, wanted - len(required)):
            _enrol(rows, user_id, index, index in chosen, catalogue, rng, now)
        rows.flush()
        if (n + 1) % 2000 == 0:
            echo(f"  {n + 1} staff enrolled")
    rows.flush(final=True)
    return rows.totals


def _enrol(rows: _Rows, user_id: int, index: int, is_required: bool, catalogue: _Catalogue, rng: random.Random,
           now: datetime) -> None:
    course_id = catalogue.course_ids[index]
    days = catalogue.assignments[index].due_days if is_required else None
    status = _status(is_required, rng)
    enrolled, due, completed_at, activity = _dates(status, days, rng, now)
    rows.add(Enrollment, [{
        "user_id": user_id, "course_id": course_id, "enrolled_at": enrolled, "last_activity_at": activity,
        "completed_at": completed_at, "is_required": is_required, "due_at": due, "renewed_at": None,
        "last_position": 1 if activity else None}])
    if is_required:
        rows.add(AssignmentMember, [{"assignment_id": catalogue.assignments[index].id, "user_id": user_id,
                                     "added_at": enrolled, "due_at": due}])
    modules = catalogue.module_ids[course_id]
    done = _modules_done(status, activity, len(modules), rng)
    rows.add(ModuleCompletion, [{"user_id": user_id, "module_id": module_id, "completed_at": activity}
                                for module_id in modules[:done]])
    if index % 3 != 2 and (status == "completed" or (activity and rng.random() < 0.3)):
        rows.add(QuizAttempt, _attempts(user_id, course_id, status, completed_at or activity, rng))


def _status(is_required: bool, rng: random.Random) -> str:
    completed, progressing, late = REQUIRED_MIX if is_required else VOLUNTARY_MIX
    roll = rng.random()
    return ("completed" if roll < completed else "in_progress" if roll < completed + progressing
            else "overdue" if roll < completed + progressing + late else "not_started")


def _dates(status: str, days: int | None, rng: random.Random, now: datetime) -> tuple:
    """When the person enrolled, was due, completed the course and was last active, as their status implies."""
    if status == "overdue":
        enrolled = now - timedelta(days=days + rng.randint(1, 150), hours=rng.randint(0, 23))
    elif status == "completed":
        enrolled = now - timedelta(days=rng.randint(20, 500), hours=rng.randint(0, 23))
    else:
        enrolled = now - timedelta(days=rng.randint(0, (days or 200) - 1), hours=rng.randint(0, 23))
    due = enrolled + timedelta(days=days) if days else None
    completed_at = activity = None
    if status == "completed":
        span = max((min(due, now) if due else now) - enrolled, timedelta(hours=2))
        completed_at = activity = enrolled + span * rng.uniform(0.05, 0.95)
    elif status == "in_progress" or (status == "overdue" and rng.random() < 0.5):
        activity = enrolled + (now - enrolled) * rng.uniform(0.1, 0.9)
    return enrolled, due, completed_at, activity


def _modules_done(status: str, activity: datetime | None, count: int, rng: random.Random) -> int:
    if status == "completed" and rng.random() < 0.25:
        return count
    if activity is not None and status != "completed":
        return rng.randint(1, count - 1)
    return 0


def _attempts(user_id: int, course_id: int, status: str, last: datetime, rng: random.Random) -> list[dict]:
    """A passed attempt for a completed course, sometimes after a failed one; a failed one for the others."""
    scores = []
    if status != "completed" or rng.random() < 0.2:
        scores.append(rng.randint(25, 69))  # a failed attempt first
    if status == "completed":
        scores.append(min(100, max(70, round(rng.gauss(84, 9)))))
    attempts = []
    for number, score in enumerate(scores, 1):
        finished = last - timedelta(minutes=30 * (len(scores) - number))
        attempts.append({
            "user_id": user_id, "course_id": course_id, "number": number, "status": "finished",
            "started_at": finished - timedelta(minutes=20), "deadline": None, "finished_at": finished,
            "finished_by": "learner", "score": float(score), "is_passed": score >= 70, "pass_mark": 70,
            "review": "full", "archived_at": None})
    return attempts
