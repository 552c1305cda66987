"""What the app refuses at its edge, the same on every database: ids no database integer holds, NUL characters,
JSON nested deeper than any of our documents or holding what no database stores; and the one way to read a
whole number a person typed (`parse_int`), which `int()` and `str.isdigit()` disagree about (², ①).

A request carrying NUL or such JSON is answered 400, an id too large 404, before any view runs: no view has to
think of them, and nothing is written.
"""
import json
import math
import re

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from lms.core.errors import ClearBadRequest
from lms.core.i18n import _, to_ascii_digits

# A spreadsheet runs a cell that starts with one of these as a formula: exports put an apostrophe before such text
# (lms.reports.exports), and imports take it off again (lms.accounts.roster_files).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DB_INT_MAX = 2**31 - 1  # the largest id or count every database's INTEGER column holds
MAX_JSON_DEPTH = 32  # our deepest document (an answer to a matching question inside "answers") is 3 levels


class DatabaseIntConverter(IntegerConverter):
    """`<int:...>` for the whole app: ASCII digits up to DB_INT_MAX; a larger id is no page (404), not a 500
    from a database that cannot hold it."""

    regex = r"[0-9]{1,10}"  # 2**31-1 has ten digits; \d would also take Arabic-Indic and other digits

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = DB_INT_MAX,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def parse_int(text: object, low: int = 0, high: int = DB_INT_MAX) -> int | None:
    """A whole number typed by a person (Arabic-Indic and Persian digits too), or None when `text` is not one
    between `low` and `high`. Refuses what `str.isdigit` lets through and `int` cannot read (², ①), signs,
    underscores and inner spaces."""
    digits = to_ascii_digits(str(text if text is not None else "")).strip()
    if not digits.isascii() or not digits.isdigit() or len(digits) > len(str(high)):
        return None
    number = int(digits)
    return number if low <= number <= high else None


def db_int(value: object) -> int:
    """`coerce=` for select fields of ids: like int, but a ValueError (the field's "not a valid choice") for
    what parse_int refuses, so that no id too large for the database reaches a query."""
    number = parse_int(value)
    if number is None:
        raise ValueError(f"not an id: {value!r}")
    return number


class _RefusedJSON(ValueError):
    """JSON that parses but that the app refuses: a ValueError, so `get_json(silent=True)` reads it as None."""

    def __init__(self, error: ClearBadRequest):
        super().__init__(error.description)
        self.error = error


_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _too_deep(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than `limit`: one regex pass, stopping as soon as they do
    (json.loads would recurse first and fail with RecursionError near 1,000 levels)."""
    depth = 0
    for match in _JSON_TOKENS.finditer(text):
        part = match.group()
        if part in "[{":
            depth += 1
            if depth > limit:
                return True
        elif part in "]}":
            depth -= 1
    return False


def _bad_text(value: object) -> bool:
    """Whether a parsed JSON document holds a NUL or a lone surrogate (which no database can store) anywhere."""
    if isinstance(value, str):
        return "\x00" in value or not _encodable(value)
    if isinstance(value, dict):
        return any(_bad_text(k) or _bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_text(v) for v in value)
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400: stored as Infinity, which is not JSON for PostgreSQL
        raise _RefusedJSON(ClearBadRequest("number_too_large", _("A number in the request is too large.")))
    return number


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 300:  # beyond any float: float() of it raises OverflowError in the views
        raise _RefusedJSON(ClearBadRequest("number_too_large", _("A number in the request is too large.")))
    return int(text)


def _no_constant(name: str):
    raise _RefusedJSON(ClearBadRequest("number_too_large", _("A number in the request is too large.")))


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only documents the app can store: not too deep, no NUL, numbers a float holds."""

    # Arabic written as UTF-8, not \uXXXX: the texts every page hands its scripts weigh a third (still HTML-safe).
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs):
        text = s.decode(json.detect_encoding(s)) if isinstance(s, (bytes, bytearray)) else s
        if _too_deep(text):
            raise _RefusedJSON(ClearBadRequest("json_too_deep", _("The JSON document is nested too deeply.")))
        value = json.loads(text, parse_float=_finite, parse_int=_bounded_int, parse_constant=_no_constant, **kwargs)
        if _bad_text(value):
            raise _RefusedJSON(_nul_refusal())
        return value


def _nul_refusal() -> ClearBadRequest:
    return ClearBadRequest("invalid_character", _("The request contains a NUL character or other text that cannot be "
                                                "stored. Remove it and try again."))


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values.getlist(key)) for key in values)


def refuse_hostile_input() -> None:
    """Before every view: NUL characters in the path, the query string or a form, and JSON bodies the
    provider refuses, end the request with a 400."""
    if "\x00" in request.path or _has_nul(request.args):  # the path as decoded: /verify/%00 too
        raise _nul_refusal()
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if is_form and (_has_nul(request.form) or any("\x00" in (f.filename or "") for f in request.files.values())):
        raise _nul_refusal()
    if request.is_json:
        try:
            request.get_json()  # parsed once: the view reads the cached document
        except BadRequest as error:
            reason = error  # Flask and Werkzeug wrap the parser's error in one or two BadRequests
            while reason is not None and not isinstance(reason, _RefusedJSON):
                reason = reason.__cause__ or reason.__context__
            if reason is not None:
                raise reason.error from None
            # Malformed JSON is the view's to answer, with its own message.


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIntConverter
    app.json = SafeJSONProvider(app)
    app.before_request(refuse_hostile_input)
