"""A learner who completes a course (two modules, no quiz) and so holds a certificate."""
import subprocess
import unicodedata

import pytest

from lms.progress import services as progress
from tests import factories


def complete(user, course):
    """Enrol and mark every module done, as the learner's pages do; returns the enrolment."""
    progress.enroll(user.id, course)
    for position in range(1, course.module_count + 1):
        progress.complete_module(user.id, course, position)
    return progress.enrollment_for(user.id, course.id)


def watermark_text(pdf: bytes, page: int = 1) -> str:
    """The page's text in drawing order (pdftotext -raw), where the slanted watermark comes last, on a line of its
    own, in visual order: each line is given as drawn and reversed, so that Arabic reads in logical order."""
    out = subprocess.run(["pdftotext", "-raw", "-f", str(page), "-l", str(page), "-", "-"], input=pdf,
                         capture_output=True, check=True).stdout.decode()
    out = unicodedata.normalize("NFKC", "".join(ch for ch in out if unicodedata.category(ch) != "Cf"))
    lines = [line.replace(" ", "") for line in out.splitlines()]
    return "\n".join(lines + [line[::-1] for line in lines])


@pytest.fixture
def course(db):
    return factories.CourseFactory(modules=2, title_ar="خدمة المواطنين عبر الشباك", title_en="Serving citizens",
                                   certificate_settings={"validity_months": 24, "language": "both"})


@pytest.fixture
def learner(db):
    return factories.UserFactory(full_name_ar="منى عبد الرحمن", full_name_latin="Mona Abdelrahman")
