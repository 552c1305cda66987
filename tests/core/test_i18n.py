"""Arabic first: direction from the locale, Arabic-Indic digits, and a catalogue with every string translated."""
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from lms.core.i18n import current_locale, localize_digits, to_ascii_digits
from tests import factories
from tests.conftest import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "lms/translations/ar/LC_MESSAGES/messages.po"


def test_arabic_is_the_default_and_right_to_left(client):
    page = client.get("/login").text
    assert '<html lang="ar" dir="rtl">' in page


def test_the_language_switch_turns_the_page_left_to_right(client):
    response = client.post("/language", data={"lang": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").text
    assert '<html lang="en" dir="ltr">' in page and "Sign in" in page
    client.post("/language", data={"lang": "xx"})
    assert '<html lang="en" dir="ltr">' in client.get("/login").text


def test_a_signed_in_users_choice_is_remembered_on_the_account(client, auth, db):
    user = auth.as_role("learner")
    client.post("/language", data={"lang": "en"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_arabic_pages_show_arabic_indic_digits(client, auth, db):
    factories.CourseFactory(slug="digits", modules=12, estimated_minutes=45)
    auth.as_role("learner")
    page = client.get("/courses/digits").text
    assert "١٢" in page and "٤٥" in page
    client.post("/language", data={"lang": "en"})
    page = client.get("/courses/digits").text
    assert "12 modules" in page and "45" in page


@pytest.mark.parametrize("text,expected", [("١٢٣", "123"), ("۴۵", "45"), ("٣٫٥", "3.5"), ("abc", "abc"),
                                                 ("१२३", "123"), ("１２", "12"), ("١2۳", "123"), ("²", "²")])
def test_inputs_accept_every_kind_of_digit(text, expected):
    assert to_ascii_digits(text) == expected


def test_localize_digits_only_in_arabic(app):
    assert localize_digits(2026, "ar") == "٢٠٢٦" and localize_digits(2026, "en") == "2026"


def test_the_language_follows_force_locale_in_and_out_of_its_block(app):
    # current_locale() reads the language Flask-Babel keeps for the request: a block that forces another one (an
    # email, a certificate in the holder's language) must see it, and the page after the block its own again.
    # Each block its own app context: the test's, shared by request contexts, would keep the last language in `g`.
    with app.app_context(), app.test_request_context("/", headers={"X-LMS-Language": "en"}):
        assert current_locale() == "en" and gettext("Sign in") == "Sign in"
        with force_locale("ar"):
            assert current_locale() == "ar" and localize_digits(7) == "٧"
            with force_locale("en"):
                assert current_locale() == "en"
            assert current_locale() == "ar" and gettext("Sign in") != "Sign in"
        assert current_locale() == "en" and localize_digits(7) == "7" and gettext("Sign in") == "Sign in"
    with app.app_context(), app.test_request_context("/"), force_locale("en"):  # forced before anything asked
        assert current_locale() == "en"
    with app.app_context(), app.test_request_context("/"):
        assert current_locale() == "ar"


def _source_messages() -> set[str]:
    method_map = [("lms/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(PROJECT_ROOT), method_map, keywords={"_": None, "_l": None, "gettext": None,
                                                      "ngettext": (1, 2), "lazy_gettext": None}):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_string_is_translated_into_arabic():
    """Extraction runs in CI: a string added without its Arabic translation fails here."""
    with Path(CATALOGUE).open("rb") as handle:
        catalogue = read_po(handle, locale="ar")
    missing = sorted(m for m in _source_messages() if not (m in catalogue and catalogue[m].string
                                                          and not catalogue[m].fuzzy))
    assert missing == []
    plural = [m for m in catalogue if isinstance(m.id, tuple)]
    assert all(all(form for form in m.string) for m in plural)


# One word for one thing: spellings the Arabic catalogue once used side by side, and the one it keeps (Egypt's).
ONE_SPELLING = {"ميغابايت": "ميجابايت", "غيغابايت": "جيجابايت"}


def test_the_arabic_catalogue_spells_each_word_one_way():
    with CATALOGUE.open("rb") as po:
        catalogue = read_po(po)
    texts = [text for message in catalogue if message.id
             for text in (message.string if isinstance(message.string, tuple) else (message.string,))]
    for avoided, kept in ONE_SPELLING.items():
        assert not [text for text in texts if avoided in text], f"write {kept}, not {avoided}"
        assert any(kept in text for text in texts)
