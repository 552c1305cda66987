"""Languages, translated strings and locale-aware display of numbers and dates; import `_` from here."""
import unicodedata

from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale, get_translations, lazy_gettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lms.extensions import babel

_l = lazy_gettext
__all__ = ["_", "_l", "ngettext", "current_locale", "text_direction", "localize_digits"]

_ARABIC_INDIC = str.maketrans("0123456789.%", "٠١٢٣٤٥٦٧٨٩٫٪")
RTL_LANGUAGES = {"ar"}


def select_locale() -> str:
    """The one place that decides the language: the visitor's choice, then the account's, then Arabic. A device
    keeping pages for offline reading asks for each language in turn (X-LMS-Language, sent by its scripts only)."""
    languages = current_app.config["LMS_LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.headers.get("X-LMS-Language")
    if asked in languages:
        return asked
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.add_extension("jinja2.ext.i18n")
    # Flask-Babel looks the catalogue up again for every string of a page; one look-up per request will do.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["digits"] = localize_digits
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["tr"] = pick_language
    app.jinja_env.globals["text_direction"] = text_direction
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["bidi"] = isolate
    app.jinja_env.globals["sep"] = separator


def list_text(items) -> str:
    """Items of a list in running text: an Arabic comma in Arabic, a comma in English."""
    return ("، " if current_locale() == "ar" else ", ").join(str(item) for item in items)


def separator() -> str:
    """Between two facts on a line. Not the middle dot in Arabic: beside Arabic-Indic digits it reads as a zero
    ("صورة · ٤ كيلوبايت" was read as 40 KB)."""
    return "، " if current_locale() == "ar" else " · "


def _locale():
    """Flask-Babel's get_locale(), read straight from where it keeps this context's answer (and force_locale's):
    a page asks hundreds of times (the dashboard ~400), and get_locale() goes through `g`'s proxy three times per
    call, a tenth of that page's CPU. Before the first call, after force_locale, or should Flask-Babel keep it
    elsewhere one day, get_locale() itself answers."""
    try:
        locale = g._flask_babel.babel_locale
    except (AttributeError, RuntimeError):  # not chosen yet in this context, or no context at all
        locale = None
    return locale if locale is not None else get_locale()


def _request_translations():
    locale = _locale()
    cached = g.get("_lms_translations")
    if cached is None or cached[0] is not locale:
        cached = g._lms_translations = (locale, get_translations())
    return cached[1]


def current_locale() -> str:
    locale = _locale()  # our locales are bare languages ("ar", "en"): .language is the whole identifier
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def text_direction(locale: str | None = None) -> str:
    return "rtl" if (locale or current_locale()) in RTL_LANGUAGES else "ltr"


def localize_digits(value: object, locale: str | None = None) -> str:
    """Arabic pages show Arabic-Indic digits (٠-٩) where numbers are meant for people. Outside an app (a parser run
    on its own) there is no catalogue either: the words are the English msgids, and the digits stay ASCII."""
    text = str(value)
    if locale is None and not has_app_context():
        return text
    return text.translate(_ARABIC_INDIC) if (locale or current_locale()) == "ar" else text


def ngettext(singular: str, plural: str, n: int, /, **variables) -> str:
    """The sentence for a count of `n`, in the form the language gives it (Arabic has six). Unlike Flask-Babel's,
    `%(num)s` defaults to the count in the reader's digits and may also be given: write `%(num)s`, not `%(num)d`."""
    variables.setdefault("num", localize_digits(n))
    if not has_app_context():  # a parser run on its own: no catalogue
        return (singular if n == 1 else plural) % variables
    return _request_translations().ungettext(singular, plural, n) % variables


def format_percent(value: float | int) -> str:
    number = localize_digits(round(value))
    return f"{number}٪" if current_locale() == "ar" else f"{number}%"


class _AsciiDigits(dict):
    """str.translate table for every Unicode decimal digit (Arabic-Indic, Persian and the others): filled as
    characters are first met, so that no table of the whole of Unicode is built at start-up."""

    def __missing__(self, code: int) -> int | str:
        digit = unicodedata.decimal(chr(code), None)
        self[code] = str(digit) if digit is not None else code
        return self[code]


_TO_ASCII = _AsciiDigits({ord("٫"): "."})  # the Arabic decimal separator


def to_ascii_digits(text: str) -> str:
    """Inputs accept Arabic-Indic, Persian and any other Unicode decimal digits: normalise them before parsing.

    Sign-in and its limits normalise identifiers with this same function, so every spelling of an employee
    number is one account with one budget."""
    return text.translate(_TO_ASCII)


def pick_language(pair: dict | object, field: str | None = None) -> str:
    """The text in the viewer's language, falling back to the other one when it is missing.

    `pair` is a {"ar": ..., "en": ...} dict, or an object with `<field>_ar` and `<field>_en` attributes.
    """
    locale = current_locale()
    other = "en" if locale == "ar" else "ar"
    if isinstance(pair, dict):
        return pair.get(locale) or pair.get(other) or ""
    return getattr(pair, f"{field}_{locale}", None) or getattr(pair, f"{field}_{other}", None) or ""


def isolate(text: object) -> Markup:
    """Wrap a name or code in <bdi> so it keeps its own direction inside text of the other one."""
    return Markup("<bdi>{}</bdi>").format(text)


def isolated(text: object) -> str:
    """`isolate` for plain text (flash messages, form errors): FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE."""
    return f"\u2068{text}\u2069"
