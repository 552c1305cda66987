"""Words and digits (issue 13.5): Arabic's six plural forms, our own form messages, Arabic-Indic digits in running
text."""
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from lms.core.i18n import ngettext
from lms.core.passwords import password_problem
from tests import factories
from tests.conftest import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "lms/translations/ar/LC_MESSAGES/messages.po"
CLDR_ARABIC = ("(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)")


def _catalogue():
    with Path(CATALOGUE).open("rb") as handle:
        return read_po(handle, locale="ar")


def test_the_arabic_catalogue_has_the_six_cldr_plural_forms():
    catalogue = _catalogue()
    assert catalogue.num_plurals == 6 and catalogue.plural_expr == CLDR_ARABIC
    plural = [m for m in catalogue if isinstance(m.id, tuple)]
    assert plural and all(len(m.string) == 6 and all(m.string) for m in plural)


@pytest.mark.parametrize("count,expected", [
    (0, "٠ يوم"), (1, "يوم واحد"), (2, "يومان"), (3, "٣ أيام"), (10, "١٠ أيام"), (11, "١١ يومًا"),
    (99, "٩٩ يومًا"), (100, "١٠٠ يوم"), (102, "١٠٢ يوم"), (103, "١٠٣ أيام"), (111, "١١١ يومًا")])
def test_arabic_counts_take_the_form_cldr_gives_them(app, count, expected):
    from lms.core.i18n import localize_digits
    with app.test_request_context():
        assert ngettext("%(num)s day", "%(num)s days", count, num=localize_digits(count)) == expected


@pytest.mark.parametrize("minutes,arabic,english", [
    (1, "دقيقة واحدة", "about 1 minute"), (2, "دقيقتان", "about 2 minutes"), (5, "٥ دقائق", "about 5 minutes"),
    (45, "٤٥ دقيقة", "about 45 minutes")])
def test_the_course_page_says_its_minutes_in_the_right_form(client, auth, minutes, arabic, english):
    factories.CourseFactory(slug="minutes", estimated_minutes=minutes)
    auth.as_role("learner")
    assert arabic in client.get("/courses/minutes").text
    client.post("/language", data={"lang": "en"})
    assert english in client.get("/courses/minutes").text


def test_the_password_length_rule_is_a_plural_with_arabic_digits(app):
    with app.test_request_context():
        assert password_problem("short one") == "يجب ألا تقل كلمة المرور عن ١٢ حرفًا."
        assert password_problem("x" * 129) == "يجب ألا تزيد كلمة المرور على ١٢٨ حرفًا."
