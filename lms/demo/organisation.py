"""A large demo organisation for the reports and their benchmark, written with bulk INSERTs.

Governorates (Qalyubia first) with districts, fixed and mobile technology centers, job titles (most staff are
service window clerks), staff sharing one precomputed password hash, a center manager per center and an HR
officer per governorate, published courses with modules, assignments with due dates (N days after joining),
and enrolments with realistic statuses, module completions and quiz attempts. Deterministic for a given seed.
"""
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from lms.accounts.models import Center, District, Governorate, JobTitle, Role, User
from lms.core.arabic import normalize_for_matching
from lms.core.db import begin_write
from lms.core.i18n import localize_digits
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


def build(size: DemoSize, password: str, now: datetime, *, force: bool = False, seed: int = 5,
          echo=lambda message: None) -> dict[str, int]:
    """Write the demo organisation in one transaction; the number of rows written, per table."""
    if size.progress > size.staff * size.courses:
        raise DemoDataRefused("--progress cannot exceed staff x courses")
    if min(size.staff, size.centers, size.courses) < 1 or size.progress < 0:
        raise DemoDataRefused("staff, centers and courses must be at least 1")
    if db.session.scalar(sa.select(User.id).where(User.username == FIRST_USERNAME)) is not None:
        raise DemoDataRefused("The demo data is already there.")
    if not force and db.session.scalar(sa.select(sa.func.count(User.id))):
        raise DemoDataRefused("This database already has staff; add --force to add the demo organisation beside them.")
    begin_write()  # one transaction: on PostgreSQL, pages read in autocommit and every row would be its own
    rng = random.Random(seed)  # noqa: S311  (made-up data, reproducible on purpose)
    counts: dict[str, int] = {}
    password_hash = generate_password_hash(password, method="scrypt")  # one hash for everyone: scrypt is slow

    # Places
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
    centers = []
    for n in range(size.centers):
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
    counts["centers"] = len(centers)
    center_rows = db.session.execute(sa.select(Center.id, Center.governorate_id, Center.kind)
                                     .where(Center.code.in_([c["code"] for c in centers])).order_by(Center.id)).all()

    # Job titles (get or create, by code, then by Arabic name)
    job_ids = {}
    for code, name_ar, name_en, *_share in [*JOB_TITLES, MANAGER_TITLE]:
        found = db.session.scalar(sa.select(JobTitle.id).where(sa.or_(JobTitle.code == code,
                                                                      JobTitle.name_ar == name_ar)))
        if found is None:
            found = db.session.execute(sa.insert(JobTitle).values(code=code, name_ar=name_ar, name_en=name_en)
                                       .returning(JobTitle.id)).scalar_one()
        job_ids[code] = found
    weights = [share for *_rest, share in JOB_TITLES]
    codes = [code for code, *_rest in JOB_TITLES]

    # Staff: a manager per center, the others spread over the centers
    people, staff = [], []
    for n in range(size.staff):
        center = center_rows[n % len(center_rows)]
        manager = n < len(center_rows)
        job = MANAGER_TITLE[0] if manager else rng.choices(codes, weights)[0]
        first, father, family = rng.choice(FIRST), rng.choice(FIRST), rng.choice(FAMILY)
        name_ar, name_latin = f"{first[0]} {father[0]} {family[0]}", f"{first[1]} {father[1]} {family[1]}"
        active = manager or rng.random() > 0.02
        created = now - timedelta(days=rng.randint(30, 1500))
        username, number = f"staff{n + 1:05d}", f"{2_000_000 + n + 1}"
        people.append({
            "username": username, "employee_number": number, "full_name_ar": name_ar, "full_name_latin": name_latin,
            "center_id": center.id, "job_title_id": job_ids[job], "is_active": active,
            "role": Role.CENTER_MANAGER.value if manager else Role.LEARNER.value,
            "deactivated_at": None if active else now - timedelta(days=rng.randint(1, 200)),
            "password_hash": password_hash, "created_at": created, "must_change_password": False,
            "search_key": normalize_for_matching(f"{name_ar} {name_latin} {username} {number}")})
        staff.append((job, center.governorate_id, center.kind, active))
    for code, *_rest in GOVERNORATES:
        people.append({"username": f"hr-{code.lower()}", "employee_number": None,
                       "full_name_ar": f"الموارد البشرية {code}", "full_name_latin": f"HR officer {code}",
                       "center_id": None, "job_title_id": None,
                       "is_active": True, "role": Role.HR.value, "scope_governorate_id": governorate_ids[code],
                       "deactivated_at": None, "password_hash": password_hash, "created_at": now,
                       "must_change_password": False, "search_key": f"hr-{code.lower()}"})
    for person in people:
        person.setdefault("scope_governorate_id", None)
    _insert(User, people)
    counts["users"] = len(people)
    by_name = dict(db.session.execute(sa.select(User.username, User.id).where(User.username.like("staff%"))).all())
    user_ids = [by_name[person["username"]] for person in people[:size.staff]]
    echo(f"  places and {len(people)} people")

    # Courses and modules
    courses, modules = [], []
    for n in range(size.courses):
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
    counts["courses"], counts["modules"] = len(courses), len(modules)
    module_ids: dict[int, list[int]] = {}
    for course_id, module_id in db.session.execute(sa.select(Module.course_id, Module.id).where(
            Module.course_id.in_(course_ids)).order_by(Module.course_id, Module.position)):
        module_ids.setdefault(course_id, []).append(module_id)

    # Assignments: the first courses are required of some audiences, N days after joining it
    hr_all = db.session.scalar(sa.select(User.id).where(User.username == f"hr-{GOVERNORATES[0][0].lower()}"))
    audiences = []
    for n in range(min(MANDATORY_COURSES, size.courses)):
        if n < 6:
            audience, rule = {"job_titles": [job_ids["CLERK"]]}, ("job", {"CLERK"})
        elif n < 8:
            audience, rule = {"job_titles": sorted(job_ids.values())}, ("all", None)
        elif n < 10:
            audience = {"governorates": [governorate_ids["QLY"]], "job_titles": [job_ids["CLERK"]]}
            rule = ("qly-clerks", governorate_ids["QLY"])
        else:
            audience, rule = {"center_kind": "mobile"}, ("mobile", None)
        audiences.append((audience, rule, (30, 60, 90)[n % 3]))
    assignment_ids = []
    for n, (audience, _rule, days) in enumerate(audiences):
        assignment_ids.append(db.session.execute(sa.insert(Assignment).values(
            course_id=course_ids[n], audience=audience, due_days=days, is_active=True, created_by_id=hr_all,
            created_at=now - timedelta(days=500)).returning(Assignment.id)).scalar_one())
    counts["assignments"] = len(assignment_ids)

    def required_of(job: str, gid: int, kind: str) -> list[int]:
        out = []
        for n, (_audience, (rule, value), _days) in enumerate(audiences):
            if (rule == "all" or (rule == "job" and job in value) or (rule == "qly-clerks" and gid == value
                                                                      and job == "CLERK")
                    or (rule == "mobile" and kind == "mobile")):
                out.append(n)
        return out

    # Enrolments, members, module completions, quiz attempts
    buffers: dict = {Enrollment: [], AssignmentMember: [], ModuleCompletion: [], QuizAttempt: []}
    totals = dict.fromkeys(("enrollments", "assignment_members", "module_completions", "quiz_attempts"), 0)

    def flush(final: bool = False) -> None:
        for model, rows in buffers.items():
            if rows and (final or len(rows) >= CHUNK):
                db.session.execute(sa.insert(model), rows)
                rows.clear()

    base, extra = divmod(size.progress, size.staff)
    all_courses = list(range(size.courses))
    for n, user_id in enumerate(user_ids):
        job, gid, kind, _active = staff[n]
        wanted = base + (1 if n < extra else 0)
        required = required_of(job, gid, kind)[:wanted]
        chosen = set(required)
        others = [c for c in all_courses if c not in chosen]
        picks = required + rng.sample(others, wanted - len(required))
        for index in picks:
            course_id = course_ids[index]
            is_required = index in chosen
            days = audiences[index][2] if is_required else None
            completed, progressing, late = REQUIRED_MIX if is_required else VOLUNTARY_MIX
            roll = rng.random()
            status = ("completed" if roll < completed else "in_progress" if roll < completed + progressing
                      else "overdue" if roll < completed + progressing + late else "not_started")
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
            course_modules = module_ids[course_id]
            buffers[Enrollment].append({
                "user_id": user_id, "course_id": course_id, "enrolled_at": enrolled, "last_activity_at": activity,
                "completed_at": completed_at, "is_required": is_required, "due_at": due, "renewed_at": None,
                "last_position": 1 if activity else None})
            totals["enrollments"] += 1
            if is_required:
                buffers[AssignmentMember].append({"assignment_id": assignment_ids[index], "user_id": user_id,
                                                  "added_at": enrolled, "due_at": due})
                totals["assignment_members"] += 1
            done = 0
            if status == "completed" and rng.random() < 0.25:
                done = len(course_modules)
            elif activity is not None and status != "completed":
                done = rng.randint(1, len(course_modules) - 1)
            for module_id in course_modules[:done]:
                buffers[ModuleCompletion].append({"user_id": user_id, "module_id": module_id,
                                                  "completed_at": activity})
            totals["module_completions"] += done
            if index % 3 != 2 and (status == "completed" or (activity and rng.random() < 0.3)):
                scores = []
                if status != "completed" or rng.random() < 0.2:
                    scores.append(rng.randint(25, 69))  # a failed attempt first
                if status == "completed":
                    scores.append(min(100, max(70, round(rng.gauss(84, 9)))))
                for number, score in enumerate(scores, 1):
                    finished = (completed_at or activity) - timedelta(minutes=30 * (len(scores) - number))
                    buffers[QuizAttempt].append({
                        "user_id": user_id, "course_id": course_id, "number": number, "status": "finished",
                        "started_at": finished - timedelta(minutes=20), "deadline": None, "finished_at": finished,
                        "finished_by": "learner", "score": float(score), "is_passed": score >= 70, "pass_mark": 70,
                        "review": "full", "archived_at": None})
                totals["quiz_attempts"] += len(scores)
        flush()
        if (n + 1) % 2000 == 0:
            echo(f"  {n + 1} staff enrolled")
    flush(final=True)
    counts.update(totals)
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))  # fresh statistics, so that the planner knows the tables are large
    db.session.commit()
    return counts
