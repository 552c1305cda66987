"""What `flask demo setup` adds beside the accounts, so that a newcomer finds every screen with something in it:
a learning path, assignments with due dates (one overdue), learners of two centers part-way and done, issued
certificates waiting to be printed, one expiring soon, one revoked, and the notifications all that gives.

Every date is counted from `now`, the run's moment, so the demo means the same any day. Each scene runs once:
it is skipped when what it makes is there already, so a second run changes nothing and what people changed on
the web since stays as they left it.
"""
from datetime import datetime, timedelta

import sqlalchemy as sa

from lms.accounts.models import Center, User
from lms.certificates import batches
from lms.certificates import services as certificates
from lms.certificates.expiry_notices import store_expiry_notices
from lms.certificates.models import PrintBatch
from lms.certificates.printroom import CertificateFilter
from lms.core.db import begin_write
from lms.core.localtime import local_date
from lms.core.models import ValidationError
from lms.courses.models import Course
from lms.demo.learning import complete, untouched_enrolment, work_through
from lms.extensions import db
from lms.progress import assignments, paths
from lms.progress.models import Assignment
from lms.progress.reminders import store_due_notices

SERVING, SECURITY, WORKFLOW = "serving-citizens", "information-security-privacy", "digital-services-workflow"
PATH_SLUG = "new-window-clerk"
REVOKE_REASON = "صدرت بالخطأ: اجتاز الاختبار موظف آخر بدلًا من صاحب الشهادة."

# username, what they did: (course slug, "done" days ago | "started" days ago)
STORIES = [
    ("learner", [(WORKFLOW, "done", 30), (SERVING, "started", 20)]),
    ("samira", [(SERVING, "done", 20)]),
    ("walid", [(SERVING, "done", 9), (SECURITY, "started", 4)]),
    ("nadia", [(SERVING, "started", 25)]),
    ("tarek", [(WORKFLOW, "done", 3)]),
    ("heba", [(SECURITY, "done", 350)]),  # a 12-month certificate: it expires in about two weeks
    ("omar", [(SERVING, "done", 60)]),  # revoked below
]
REVOKED = ("omar", SERVING)
MOBILE_MANAGER = "سمر علي حسن، مدير المركز التكنولوجي المتنقل رقم ١"


def build(now: datetime, echo=lambda message: None) -> None:
    courses = {c.slug: c for c in db.session.scalars(sa.select(Course).where(
        Course.slug.in_([SERVING, SECURITY, WORKFLOW]), Course.status == "published"))}
    if len(courses) < 3:
        echo("The demo courses are not imported (flask courses import courses/): no learning to show yet.")
        return
    people = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(
        ["admin", "hr", *(name for name, _story in STORIES)])))}
    if len(people) < 2 + len(STORIES):
        echo("Some demo accounts are missing (renamed on the web?): no learning added.")
        return
    centers = {c.code: c.id for c in db.session.scalars(sa.select(Center))}
    clerks = [people["learner"].job_title_id]  # the window clerks, not the managers and HR of those centers
    for username, story in STORIES:  # first: an assignment made later leaves a completion as it was
        for slug, what, days in story:
            _play(people[username], courses[slug], what, now - timedelta(days=days), people["hr"])
    path = _path(courses, people["admin"])
    _assign(courses[SERVING], None, people["hr"], {"centers": [centers["QLY-MOB-1"]], "job_titles": clerks},
            now=now - timedelta(days=45), due_days=30)  # due 15 days ago: overdue for those not done
    _assign(None, path, people["hr"], {"centers": [centers["QLY-BENHA"]], "job_titles": clerks},
            now=now - timedelta(days=5), due_on=local_date(now) + timedelta(days=21))
    _print_room(courses[WORKFLOW], people["learner"], people["hr"], now)
    for step in (store_due_notices, store_expiry_notices):  # what the daily run would tell them today
        begin_write()
        step(now)
        db.session.commit()
    echo("Demo learning: a learning path, two assignments, progress and certificates.")


def _print_room(course: Course, holder: User, hr: User, now: datetime) -> None:
    """One certificate printed and handed over already, so that the print log and a batch's hand-over have
    something in them; the others wait to be printed. Never again once any batch exists."""
    if db.session.scalar(sa.select(PrintBatch.id).limit(1)) is not None:
        return
    criteria = CertificateFilter(text=holder.employee_number or holder.username, course_id=course.id)
    try:
        batch = batches.create_batch(criteria, "course", hr.id, f"{course.title_ar}: {holder.full_name_ar}",
                                     queue=False)
    except ValidationError:  # their certificate is not there (changed on the web): nothing to print
        db.session.rollback()
        return
    batches.run_batch(batch.id)
    batches.mark_printed(batch.id, hr.id)
    batches.hand_over(batch.id, holder.center_id, MOBILE_MANAGER, local_date(now), hr.id, now=now)


def _path(courses: dict[str, Course], admin: User):
    path = paths.path_by_slug(PATH_SLUG)
    if path is None:
        path = paths.save_path({
            "slug": PATH_SLUG, "status": "published", "is_ordered": True, "validity_months": 24,
            "title_ar": "مسار الموظف الجديد بشباك الخدمة", "title_en": "New service window clerk",
            "summary_ar": "الدورات التي يبدأ بها كل موظف جديد بشباك الخدمة، بالترتيب.",
            "summary_en": "The courses every new service window clerk starts with, in order."},
            [courses[WORKFLOW].id, courses[SECURITY].id], admin)
    return path


def _assign(course: Course | None, path, hr: User, audience: dict, now: datetime, **due) -> None:
    """Assign once: never again once any assignment of it exists (withdrawn on the web, say)."""
    exists = db.session.scalar(sa.select(Assignment.id).where(
        Assignment.course_id == course.id if course else Assignment.path_id == path.id))
    if exists is None:
        assignments.create_assignment(hr, audience=audience, course_id=course.id if course else None,
                                      path_id=None if course else path.id, now=now, **due)


def _play(user: User, course: Course, what: str, at: datetime, hr: User) -> None:
    begin_write()
    enrollment = untouched_enrolment(user.id, course, at - timedelta(days=7))
    if enrollment is None:
        db.session.rollback()
        return
    if what == "started":
        work_through(enrollment, course, 1, at)
        db.session.commit()
        return
    certificate = complete(enrollment, course, at)
    db.session.commit()
    if (user.username, course.slug) == REVOKED:
        certificates.revoke(certificate.id, REVOKE_REASON, hr.id)
