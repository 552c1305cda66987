"""factory_boy factories: test data without raw SQL."""
import factory
from factory.alchemy import SQLAlchemyModelFactory

from lms.accounts.models import Center, CenterKind, Governorate, JobTitle, Role, User
from lms.core.password_hashes import hash_password
from lms.courses.markdown import render_markdown
from lms.courses.models import Course, CourseStatus, Module
from lms.extensions import db

PASSWORD = "correct horse 42"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: slow on purpose


class _Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731  (the session of the current test)
        sqlalchemy_session_persistence = "commit"


class GovernorateFactory(_Factory):
    class Meta:
        model = Governorate

    code = factory.Sequence(lambda n: f"G{n:03d}")
    name_ar = factory.Sequence(lambda n: f"محافظة {n}")
    name_en = factory.Sequence(lambda n: f"Governorate {n}")


class CenterFactory(_Factory):
    class Meta:
        model = Center

    governorate = factory.SubFactory(GovernorateFactory)
    code = factory.Sequence(lambda n: f"C-{n:04d}")
    name_ar = factory.Sequence(lambda n: f"المركز التكنولوجي {n}")
    name_en = factory.Sequence(lambda n: f"Technology Center {n}")
    kind = CenterKind.FIXED


class JobTitleFactory(_Factory):
    """`JobTitleFactory()` is the window clerk, the same row every time; give a code for another."""

    class Meta:
        model = JobTitle
        sqlalchemy_get_or_create = ("code",)

    code = "CLERK"
    name_ar = factory.LazyAttribute(lambda t: "موظف شباك خدمة" if t.code == "CLERK" else f"وظيفة {t.code}")
    name_en = factory.LazyAttribute(lambda t: "Service window clerk" if t.code == "CLERK" else f"Job {t.code}")


class UserFactory(_Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    employee_number = factory.Sequence(lambda n: f"{50000 + n}")
    full_name_ar = factory.Sequence(lambda n: f"موظف رقم {n}")
    full_name_latin = factory.Sequence(lambda n: f"Employee {n}")
    center = factory.SubFactory(CenterFactory)
    job_title = factory.SubFactory(JobTitleFactory)
    role = Role.LEARNER
    password_hash = _PASSWORD_HASH


class CourseFactory(_Factory):
    class Meta:
        model = Course

    slug = factory.Sequence(lambda n: f"course-{n}")
    title_ar = factory.Sequence(lambda n: f"دورة {n}")
    title_en = factory.Sequence(lambda n: f"Course {n}")
    summary_ar = "ملخص الدورة"
    summary_en = "Course summary"
    status = CourseStatus.PUBLISHED
    estimated_minutes = 30

    @factory.post_generation
    def modules(course, create, count, **kwargs):
        """`CourseFactory(modules=3)` adds three modules."""
        for position in range(1, (count if count is not None else 2) + 1):
            body = f"## القسم {position}\n\nنص الوحدة {position}."
            course.modules.append(Module(
                position=position, file_name=f"{position:02d}-m.md", title_ar=f"الوحدة {position}",
                title_en=f"Module {position}", body_ar=body, body_en=f"Module {position} text.",
                html_ar=render_markdown(body, f"/courses/{course.slug}/files/"),
                html_en=f"<p>Module {position} text.</p>"))
        course.module_count = len(course.modules)
        if create:
            db.session.commit()
