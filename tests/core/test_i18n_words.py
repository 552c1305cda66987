"""Words and digits (issue 13.5): Arabic's six plural forms, our own form messages, Arabic-Indic digits in running
text."""
import importlib
import pkgutil
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import wtforms
from babel.messages.pofile import read_po
from flask import session
from flask_babel import force_locale, refresh
from werkzeug.datastructures import MultiDict

import lms
from lms.auth.forms import LoginForm
from lms.core.forms import FlaskForm, Form
from lms.core.i18n import _, localize_digits, ngettext
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


# Form messages: WTForms' own, from our catalogue ---------------------------------------------------------------

def _wtforms_messages() -> list:
    with Path(wtforms.i18n.messages_path(), "wtforms.pot").open("rb") as handle:
        return [m for m in read_po(handle) if m.id]


def _form_classes() -> list[type]:
    for module in pkgutil.walk_packages(lms.__path__, "lms."):
        importlib.import_module(module.name)
    found, todo = [], [wtforms.Form]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.__module__.startswith("lms.") and cls.__module__ != "lms.core.forms":
            found.append(cls)
    return found


def test_every_wtforms_message_is_in_our_catalogue_in_arabic():
    """A WTForms upgrade that adds a message fails here: add it to lms.core.forms._wtforms_messages."""
    catalogue = _catalogue()
    untranslated = [m.id for m in _wtforms_messages() if not (m.id in catalogue and all(
        catalogue[m.id].string if isinstance(m.id, tuple) else [catalogue[m.id].string]))]
    assert untranslated == []


def test_every_form_derives_from_the_forms_that_speak_our_language():
    classes = _form_classes()
    assert len(classes) > 20
    assert [c for c in classes if not issubclass(c, FlaskForm | Form)] == []
    plain = [(c.__name__, name) for c in classes for name, field in vars(c).items()
             if getattr(field, "field_class", None) is wtforms.IntegerField]
    assert plain == []  # lms.core.forms.IntegerField refuses numbers beyond a database integer


def _errors(errors) -> list[str]:
    if isinstance(errors, dict):
        return [e for value in errors.values() for e in _errors(value)]
    if isinstance(errors, list | tuple):
        return [e for value in errors for e in _errors(value)]
    return [errors]


def _english_default_stems() -> list[str]:
    """The English defaults up to their first placeholder: "Field must be at least ", "Not a valid choice."..."""
    ids = [i for m in _wtforms_messages() for i in (m.id if isinstance(m.id, tuple) else [m.id])]
    return [re.split(r"%\(|%s|\{", i)[0] for i in ids if len(re.split(r"%\(|%s|\{", i)[0]) > 4]


@pytest.mark.parametrize("typed", ["", "zz", "٣" * 3000])
def test_every_forms_errors_show_in_arabic_with_no_english_default(app, typed):
    """Every form of the app, posted empty, with a word where numbers, dates and choices are due, and too long."""
    stems, seen = _english_default_stems(), []
    for cls in _form_classes():
        with app.test_request_context(method="POST"):
            names = [f.name for f in cls(formdata=None, meta={"csrf": False})]
            data = MultiDict({name: typed for name in names} | {f"{name}-{i}-{sub}": typed for name in names
                                                                  for i in range(3) for sub in ("text", "title")})
            form = cls(formdata=data, meta={"csrf": False})
            for field in form:
                if getattr(field, "choices", ()) is None:
                    field.choices = []
            form.validate()
            seen += _errors(form.errors)
    assert seen  # the forms did refuse these
    left = [e for e in seen if any(stem in str(e) for stem in stems)]
    assert left == []


def test_wtforms_messages_follow_the_readers_language_and_digits(app):
    data = MultiDict({"identifier": "a" * 65, "password": ""})
    with app.test_request_context(method="POST"):
        form = LoginForm(formdata=data, meta={"csrf": False})
        form.validate()
        assert form.errors == {"identifier": ["يجب ألا يزيد النص على ٦٤ حرفًا."], "password": ["هذا الحقل مطلوب."]}
    with app.test_request_context(method="POST"):
        session["lang"] = "en"
        refresh()  # the locale is kept for the app context the test shares
        form = LoginForm(formdata=data, meta={"csrf": False})
        form.validate()
        assert form.errors == {"identifier": ["Field cannot be longer than 64 characters."],
                               "password": ["This field is required."]}


def test_a_course_form_refuses_a_word_for_minutes_in_arabic(client, auth):
    auth.as_role("trainer")
    page = client.post("/manage/courses/new", data={"slug": "x", "title_ar": "دورة", "title_en": "Course",
                                                    "estimated_minutes": "abc", "status": "draft"}).text
    assert "أدخل عددًا صحيحًا." in page and "يجب أن يكون عدد الأحرف بين ٢ و٨٠." in page
    assert "Not a valid integer value." not in page


def test_a_number_too_large_for_any_database_is_refused_not_a_500(client, auth):
    auth.as_role("trainer")
    response = client.post("/manage/courses/new", data={"slug": "huge", "title_ar": "دورة", "title_en": "Course",
                                                         "estimated_minutes": "9" * 400, "status": "draft"})
    assert response.status_code == 200 and "يجب ألا يزيد العدد على ٢١٤٧٤٨٣٦٤٧." in response.text


# Arabic-Indic digits in Arabic running text ------------------------------------------------------------------

@pytest.mark.parametrize("locale,bank,course", [
    ("ar", "السطر ١٢: السؤال بلا نص", "course.yaml، السطر ٣: unknown key titel"),
    ("en", "line 12: the question has no text", "course.yaml, line 3: unknown key titel")])
def test_import_problems_give_their_line_in_the_readers_digits(app, locale, bank, course):
    from lms.courses.files import Problem as CourseProblem
    from lms.quizzes.formats import Problem as BankProblem
    with force_locale(locale):
        assert str(BankProblem(12, _("the question has no text"))) == bank
        assert str(CourseProblem("course.yaml", 3, "unknown key titel")) == course


@pytest.mark.parametrize("locale,answer,key", [("ar", "٤٫٥", ["٥ ± ٠٫٥"]), ("en", "4.5", ["5 ± 0.5"])])
def test_numeric_answers_show_in_the_readers_digits(locale, answer, key):
    from lms.quizzes.types import type_of
    question = SimpleNamespace(data={"answers": [{"value": 5.0, "tolerance": 0.5, "fraction": 1.0}]})
    kind = type_of("numeric")
    assert kind.response_text(question, 4.5, locale) == answer and kind.right_answers(question, locale) == key


@pytest.mark.parametrize("locale,expected", [("ar", "من ٠ إلى ١٠٠"), ("en", "from 0 to 100")])
def test_a_quiz_blocks_limits_read_in_the_readers_digits(app, locale, expected):
    from lms.quizzes import settings
    with force_locale(locale):
        assert expected in settings.check({"file": "quiz.gift", "pass_mark": 170})["pass_mark"]


@pytest.mark.no_db
def test_ngettext_outside_an_app_gives_the_english_forms_with_ascii_digits():
    assert ngettext("%(num)s day", "%(num)s days", 12) == "12 days"
    assert ngettext("%(num)s day", "%(num)s days", 1) == "1 day"
