"""Each kind of notification worded in the reader's language, values isolated, HTML escaped."""
import pytest
from flask_babel import force_locale

from lms.notifications.messages import KINDS, compose

PARAMS = {"title": {"ar": "خدمة المواطنين", "en": "Serving citizens"}, "url": "/courses/serving",
          "due_at": "2026-12-10T21:00:00+00:00", "expires_at": "2027-01-05T10:00:00+00:00", "count": 3,
          "name": {"ar": "المركز التكنولوجي بقليوب", "en": "Qalyub Technology Center"}}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_worded_in_english_and_arabic(app, kind):
    with app.test_request_context(), force_locale("en"):
        english = compose(kind, PARAMS)
        html = compose(kind, PARAMS, html=True)
    with app.test_request_context(), force_locale("ar"):
        arabic = compose(kind, PARAMS)
    assert english.subject and english.body and arabic.subject and arabic.body
    if kind == "team_overdue":
        assert "\u2068Qalyub Technology Center\u2069" in english.subject and "\u20683\u2069" in english.subject
        assert "\u2068٣\u2069" in arabic.subject and "المركز التكنولوجي بقليوب" in arabic.subject
        assert "<bdi>Qalyub Technology Center</bdi>" in html.subject
    else:
        assert "\u2068Serving citizens\u2069" in english.subject + english.body
        assert "\u2068خدمة المواطنين\u2069" in arabic.subject + arabic.body
        assert "Serving citizens" not in arabic.subject + arabic.body
        assert "<bdi>Serving citizens</bdi>" in html.subject + html.body


def test_dates_are_the_governorates_day_in_the_readers_script(app):
    with app.test_request_context(), force_locale("ar"):
        arabic = compose("reminder", PARAMS)
    with app.test_request_context(), force_locale("en"):
        english = compose("reminder", PARAMS)
    assert "\u2068١٠ ديسمبر ٢٠٢٦\u2069" in arabic.subject  # 23:00 in Cairo on 10 December
    assert "\u206810 December 2026\u2069" in english.subject
    with app.test_request_context(), force_locale("en"):
        late = compose("reminder", {**PARAMS, "due_at": "2026-12-10T23:00:00+00:00"})
    assert "11 December 2026" in late.subject  # one in the morning in Cairo


def test_titles_are_escaped_in_html(app):
    params = {"title": {"en": "<script>alert(1)</script>"}}
    with app.test_request_context(), force_locale("en"):
        message = compose("issued", params, html=True)
    assert "<script>" not in message.subject + message.body
    assert "&lt;script&gt;" in message.subject


def test_missing_values_and_unknown_kinds_do_not_break_the_bell(app):
    with app.test_request_context(), force_locale("en"):
        assert compose("assigned", {"title": {"ar": "دورة"}}).body == "You are required to complete \u2068دورة\u2069."
        assert compose("something-new", {}).subject == "You have a new notification."
        assert compose("reminder", {"due_at": "not a date"}).subject
