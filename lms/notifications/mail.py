"""E-mail through the standard library: one SMTP connection per run of `send-due`, a plain text and a small
HTML part in the recipient's language and direction. Settings: LMS_SMTP_* and LMS_MAIL_FROM (lms/config.py)."""
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale

from lms.core.i18n import _, current_locale, text_direction
from lms.notifications.messages import compose


def smtp_configured() -> bool:
    return bool(current_app.config.get("LMS_SMTP_HOST"))


def recipient_locale(locale: str | None) -> str:
    languages = current_app.config["LMS_LANGUAGES"]
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def build_message(to: str, kind: str, params: dict, locale: str | None) -> EmailMessage:
    """The e-mail of one notification, worded in `locale` (the recipient's; Arabic when they chose none)."""
    config = current_app.config
    with force_locale(recipient_locale(locale)):
        plain, rich = compose(kind, params), compose(kind, params, html=True)
        link = _absolute(params.get("url"))
        text = plain.body
        if link:
            text += "\n\n" + _("Open it in the training system: %(url)s", url=link)
        text += "\n\n-- \n" + _("Technology Centers Training")
        html = render_template("notifications/email.html", message=rich, link=link, lang=current_locale(),
                               dir=text_direction())
    message = EmailMessage()
    message["Subject"] = " ".join(plain.subject.split())  # a line break in a title would be refused in a header
    message["From"] = config.get("LMS_MAIL_FROM") or config.get("LMS_SMTP_USER") or "lms@localhost"
    message["To"] = to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain(message["From"]))
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


class Mailer:
    """One SMTP session for many messages: `with Mailer() as mailer: mailer.send(message)`."""

    def __enter__(self):
        config = current_app.config
        port = int(config["LMS_SMTP_PORT"])
        if port == 465:  # TLS from the first byte (SMTPS), rather than STARTTLS
            self.smtp = smtplib.SMTP_SSL(config["LMS_SMTP_HOST"], port, timeout=30,
                                         context=ssl.create_default_context())
        else:
            self.smtp = smtplib.SMTP(config["LMS_SMTP_HOST"], port, timeout=30)
        try:
            if port != 465 and config["LMS_SMTP_STARTTLS"]:
                self.smtp.starttls(context=ssl.create_default_context())
            if config.get("LMS_SMTP_USER"):
                self.smtp.login(config["LMS_SMTP_USER"], config.get("LMS_SMTP_PASSWORD") or "")
        except BaseException:
            self.smtp.close()
            raise
        return self

    def send(self, message: EmailMessage) -> None:
        self.smtp.send_message(message)

    def __exit__(self, *exc) -> None:
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()


def _absolute(path: str | None) -> str | None:
    """A notification's link as an address for e-mail (LMS_PUBLIC_URL + the path); None without either."""
    base = (current_app.config.get("LMS_PUBLIC_URL") or "").rstrip("/")
    if not path or not base or not path.startswith("/") or path.startswith("//"):
        return None
    return base + path


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip("> ") or "localhost"
