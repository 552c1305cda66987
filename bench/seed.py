"""A realistic organisation for the load benchmark: one governorate, its centers, hundreds of staff, progress."""
import random
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from lms import create_app
from lms.accounts.models import Center, CenterKind, Governorate, Role, User
from lms.accounts.services import job_title_named
from lms.core.models import utcnow
from lms.core.password_hashes import hash_password
from lms.courses.models import Course, Module
from lms.courses.services import import_course_folders
from lms.extensions import db
from lms.progress.models import Enrollment, ModuleCompletion

STAFF = 600
CENTERS = 12
BENCH_LEARNERS = 8  # the first users: all enrolled in the course that the benchmark reads
QUIZ_LEARNERS = 32  # the first users, enrolled in the same course, take turns at its quiz (bench/quiz_flow.py)
# The benchmark course's quiz: 10 questions drawn from its bank of 19, as many attempts as learners like.
QUIZ_SETTINGS = {"file": "quiz.gift", "pass_mark": 70, "attempts": 0, "questions": 10, "time_limit_minutes": 30}
FIRST_NAMES = ("أحمد", "محمد", "محمود", "مصطفى", "خالد", "عمر", "ياسر", "هاني", "منى", "سارة", "هبة", "نهى",
               "إيمان", "ريهام", "دعاء", "شيماء")
FIRST_LATIN = ("Ahmed", "Mohamed", "Mahmoud", "Mostafa", "Khaled", "Omar", "Yasser", "Hany", "Mona", "Sara",
               "Heba", "Noha", "Eman", "Reham", "Doaa", "Shaimaa")
FAMILY_NAMES = (("إبراهيم", "Ibrahim"), ("السيد", "El-Sayed"), ("عبد الرحمن", "Abdelrahman"), ("حسن", "Hassan"),
                ("علي", "Ali"), ("عبد الله", "Abdallah"), ("فؤاد", "Fouad"), ("سالم", "Salem"))
JOBS = ("موظف شباك خدمة", "أخصائي نظم", "مشرف وردية", "أمين خزينة", "مدخل بيانات")


@dataclass(frozen=True)
class Seeded:
    users: int
    enrollments: int
    completions: int
    learners: list[str]  # usernames of the benchmark's learners, enrolled in `slug`
    quiz_learners: list[str]  # usernames of the quiz's learners (the first of them are `learners`)


def seed_database(url: str, courses_dir: Path, slug: str, password: str) -> Seeded:
    """Fill a freshly migrated database, through the real importer and bulk inserts elsewhere."""
    app = _app(url)
    rng = random.Random(2024)  # the same organisation on every run and backend
    with app.app_context():
        import_course_folders([courses_dir])
        db.session.execute(sa.update(Course).where(Course.slug == slug).values(quiz_settings=QUIZ_SETTINGS))
        centers = _add_centers()
        user_ids = _add_staff(rng, centers, hash_password(password))
        enrollments, completions = _add_progress(rng, user_ids, slug)
        db.session.commit()
        db.engine.dispose()
    learners = [_username(i) for i in range(BENCH_LEARNERS)]
    quiz_learners = [_username(i) for i in range(QUIZ_LEARNERS)]
    return Seeded(len(user_ids), enrollments, completions, learners, quiz_learners)


def _app(url: str):
    return create_app({"LMS_ENV": "production", "SECRET_KEY": "seed", "LMS_ISSUER_KEY_PASSPHRASE": "seed",
                       "SQLALCHEMY_DATABASE_URI": url})


def _add_centers() -> list[int]:
    """One governorate with fixed and mobile centers, as in Qalyubia."""
    governorate = Governorate(code="QLY", name_ar="محافظة القليوبية", name_en="Qalyubia Governorate")
    db.session.add(governorate)
    db.session.flush()
    rows = [{"governorate_id": governorate.id, "code": f"QLY-{n:02d}", "name_ar": f"المركز التكنولوجي رقم {n}",
             "name_en": f"Technology Center No. {n}", "kind": CenterKind.MOBILE if n % 4 == 0 else CenterKind.FIXED}
            for n in range(1, CENTERS + 1)]
    return list(db.session.scalars(sa.insert(Center).returning(Center.id), rows))


def _username(index: int) -> str:
    return f"staff{index + 1:04d}"


def _add_staff(rng: random.Random, centers: list[int], password_hash: str) -> list[int]:
    """Staff share one password hash: each costs tens of milliseconds."""
    jobs = [job_title_named(name).id for name in JOBS]
    rows = []
    for i in range(STAFF):
        first = rng.randrange(len(FIRST_NAMES))
        family_ar, family_latin = rng.choice(FAMILY_NAMES)
        role = Role.TRAINER if i % 100 == 99 else Role.HR if i % 100 == 98 else Role.LEARNER
        rows.append({"username": _username(i), "employee_number": f"{10001 + i}",
                     "full_name_ar": f"{FIRST_NAMES[first]} {family_ar}",
                     "full_name_latin": f"{FIRST_LATIN[first]} {family_latin}",
                     "email": f"{_username(i)}@example.gov.eg", "center_id": rng.choice(centers),
                     "job_title_id": rng.choice(jobs), "role": role, "password_hash": password_hash,
                     "created_at": utcnow() - timedelta(days=rng.randrange(30, 900))})
    return list(db.session.scalars(sa.insert(User).returning(User.id), rows))


def _add_progress(rng: random.Random, user_ids: list[int], slug: str) -> tuple[int, int]:
    """Most staff in one to three courses, part-way through; the benchmark's learners always in `slug`."""
    courses = list(db.session.scalars(sa.select(Course).order_by(Course.id)))
    modules = {c.id: list(db.session.scalars(sa.select(Module.id).where(Module.course_id == c.id)
                                             .order_by(Module.position))) for c in courses}
    bench_course = next(c for c in courses if c.slug == slug)
    enrollments, completions = [], []
    for index, user_id in enumerate(user_ids):
        chosen = _courses_for(rng, courses, bench_course, index)
        for course in chosen:
            enrollment, done = _progress_rows(rng, user_id, modules[course.id])
            enrollments.append({"course_id": course.id, **enrollment})
            completions.extend(done)
    db.session.execute(sa.insert(Enrollment), enrollments)
    db.session.execute(sa.insert(ModuleCompletion), completions)
    return len(enrollments), len(completions)


def _courses_for(rng: random.Random, courses: list, bench_course, index: int) -> list:
    if index < max(BENCH_LEARNERS, QUIZ_LEARNERS):
        others = [c for c in courses if c is not bench_course]
        return [bench_course, *rng.sample(others, rng.randint(0, len(others)))]
    if rng.random() < 0.1:  # newcomers not enrolled yet
        return []
    return rng.sample(courses, rng.randint(1, len(courses)))


def _progress_rows(rng: random.Random, user_id: int, module_ids: list[int]) -> tuple[dict, list[dict]]:
    """An enrolment some weeks old with its first modules done, some finished, and their completion rows."""
    enrolled_at = utcnow() - timedelta(days=rng.randrange(1, 120), minutes=rng.randrange(1440))
    done = rng.choice([0, *range(len(module_ids) + 1), len(module_ids)])
    times = sorted(enrolled_at + timedelta(hours=rng.randrange(1, 24 * 20)) for _ in range(done))
    last_activity = times[-1] if times else None
    enrollment = {"user_id": user_id, "enrolled_at": enrolled_at, "last_position": min(done + 1, len(module_ids)),
                  "last_activity_at": last_activity,
                  "completed_at": last_activity if done == len(module_ids) else None}
    rows = [{"user_id": user_id, "module_id": module_id, "completed_at": at}
            for module_id, at in zip(module_ids, times, strict=False)]
    return enrollment, rows


def add_takers(url: str, count: int, slug: str, password: str) -> list[str]:
    """`count` more staff for exam day (bench/exam_day.py), enrolled in `slug` and spread over the centers; their
    usernames. One password hash for all of them: each costs tens of milliseconds."""
    app = _app(url)
    rng = random.Random(count)
    with app.app_context():
        centers = list(db.session.scalars(sa.select(Center.id)))
        jobs = [job_title_named(name).id for name in JOBS]
        course = db.session.scalar(sa.select(Course).where(Course.slug == slug))
        password_hash = hash_password(password)
        usernames = [f"taker{n + 1:05d}" for n in range(count)]
        for first in range(0, count, 1000):  # a few thousand rows a statement: SQLite takes 32,766 parameters
            rows = []
            for n in range(first, min(first + 1000, count)):
                name = rng.randrange(len(FIRST_NAMES))
                family_ar, family_latin = rng.choice(FAMILY_NAMES)
                rows.append({"username": usernames[n], "employee_number": f"{70001 + n}",
                             "full_name_ar": f"{FIRST_NAMES[name]} {family_ar}",
                             "full_name_latin": f"{FIRST_LATIN[name]} {family_latin}",
                             "email": f"{usernames[n]}@example.gov.eg", "center_id": rng.choice(centers),
                             "job_title_id": rng.choice(jobs), "role": Role.LEARNER, "password_hash": password_hash,
                             "created_at": utcnow() - timedelta(days=rng.randrange(30, 900))})
            ids = list(db.session.scalars(sa.insert(User).returning(User.id), rows))
            db.session.execute(sa.insert(Enrollment), [
                {"user_id": user_id, "course_id": course.id, "enrolled_at": utcnow() - timedelta(days=7),
                 "last_position": 1} for user_id in ids])
        db.session.commit()
        db.engine.dispose()
    return usernames
