"""A learner who completes a course (two modules, no quiz) and so holds a certificate."""
import pytest

from lms.progress import services as progress
from tests import factories


def complete(user, course):
    """Enrol and mark every module done, as the learner's pages do; returns the enrolment."""
    progress.enroll(user.id, course)
    for position in range(1, course.module_count + 1):
        progress.complete_module(user.id, course, position)
    return progress.enrollment_for(user.id, course.id)


@pytest.fixture
def course(db):
    return factories.CourseFactory(modules=2, title_ar="خدمة المواطنين عبر الشباك", title_en="Serving citizens",
                                   certificate_settings={"validity_months": 24, "language": "both"})


@pytest.fixture
def learner(db):
    return factories.UserFactory(full_name_ar="منى عبد الرحمن", full_name_latin="Mona Abdelrahman")
