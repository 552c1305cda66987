"""E-mail settings from the environment, and what each message carries."""
import pytest
from flask import Flask

from lms.config import load_config
from lms.notifications.mail import build_message


@pytest.mark.no_db
def test_smtp_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    for name, value in (("LMS_SMTP_HOST", "mail.example.gov.eg"), ("LMS_SMTP_PORT", "25"),
                        ("LMS_SMTP_USER", "lms"), ("LMS_SMTP_PASSWORD", "p"), ("LMS_SMTP_STARTTLS", "false"),
                        ("LMS_MAIL_FROM", "training@example.gov.eg"), ("LMS_REMINDER_DAYS", "14, 3,1"),
                        ("LMS_EXPIRY_NOTICE_DAYS", "60")):
        monkeypatch.setenv(name, value)
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app, {"LMS_ENV": "test", "SECRET_KEY": "x"})
    config = app.config
    assert (config["LMS_SMTP_HOST"], config["LMS_SMTP_PORT"], config["LMS_SMTP_STARTTLS"]) == (
        "mail.example.gov.eg", 25, False)
    assert config["LMS_MAIL_FROM"] == "training@example.gov.eg" and config["LMS_REMINDER_DAYS"] == (14, 3, 1)
    assert config["LMS_EXPIRY_NOTICE_DAYS"] == 60


@pytest.mark.no_db
def test_defaults_send_no_email(monkeypatch, tmp_path):
    for name in ("LMS_SMTP_HOST", "LMS_SMTP_PORT", "LMS_SMTP_STARTTLS", "LMS_REMINDER_DAYS"):
        monkeypatch.delenv(name, raising=False)
    app = Flask(__name__, instance_path=str(tmp_path))
    load_config(app, {"LMS_ENV": "test", "SECRET_KEY": "x"})
    assert app.config["LMS_SMTP_HOST"] == "" and app.config["LMS_SMTP_PORT"] == 587
    assert app.config["LMS_SMTP_STARTTLS"] is True and app.config["LMS_REMINDER_DAYS"] == (7, 1)


def test_a_message_is_plain_text_and_html_marked_as_automatic(app, smtp):
    with app.app_context():
        message = build_message("mona@example.test", "issued", {"title": {"en": "Course"}, "url": "/certificates"},
                                "en")
    assert message["Auto-Submitted"] == "auto-generated" and message["Date"] and message["Message-ID"]
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "https://lms.example.test/certificates" in message.get_body(("plain",)).get_content()
    assert 'href="https://lms.example.test/certificates"' in message.get_body(("html",)).get_content()


def test_a_title_with_a_line_break_still_makes_a_message(app, smtp):
    with app.app_context():
        message = build_message("mona@example.test", "issued", {"title": {"en": "Serving\r\ncitizens"}}, "en")
    assert "\n" not in message["Subject"] and "Serving citizens" in message["Subject"]
