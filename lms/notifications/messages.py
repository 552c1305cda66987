"""The wording of each kind of notification, in the current locale (the page's, or the recipient's under
flask_babel's `force_locale` for e-mails), from the stored params (see the params convention in the models).

Titles and names are picked by language and isolated from the sentence around them: with <bdi> in HTML, with
the Unicode isolates FSI...PDI in plain text (e-mail subjects and bodies), so that a Latin course code inside
an Arabic sentence (or the reverse) keeps its place.
"""
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import escape

from lms.core.i18n import _, isolate, localize_digits, ngettext, pick_language
from lms.core.web import date_text

FSI, PDI = "\u2068", "\u2069"
KINDS = ("assigned", "renewal", "reminder", "overdue", "team_overdue", "issued", "expiring", "revoked")


@dataclass(frozen=True)
class Message:
    subject: str  # one line: the bell's entry and the e-mail's subject (Markup when composed for HTML)
    body: str


def compose(kind: str, params: dict | None, *, html: bool = False) -> Message:
    """The notification's subject and body in the current locale; `html`: Markup with <bdi> around values."""
    params = params or {}
    title = pick_language(params.get("title") or {})
    name = pick_language(params.get("name") or {})
    due = _date(params.get("due_at"))
    expires = _date(params.get("expires_at"))
    count = int(params.get("count") or 0)

    def fill(template: str, **values) -> str:
        if html:
            return escape(template) % {k: isolate(v) for k, v in values.items()}
        return template % {k: f"{FSI}{v}{PDI}" for k, v in values.items()}

    if kind == "assigned":
        subject = fill(_("New training assignment: %(title)s"), title=title)
        body = (fill(_("You are required to complete %(title)s by %(date)s."), title=title, date=due) if due
                else fill(_("You are required to complete %(title)s."), title=title))
    elif kind == "renewal":
        subject = fill(_("Renew your certificate: %(title)s"), title=title)
        body = (fill(_("Your certificate of %(title)s is about to expire. Complete the course again by %(date)s "
                       "to renew it."), title=title, date=due) if due
                else fill(_("Your certificate of %(title)s is about to expire. Complete the course again to renew "
                            "it."), title=title))
    elif kind == "reminder":
        subject = fill(_("Reminder: %(title)s is due on %(date)s"), title=title, date=due)
        body = fill(_("You have not completed %(title)s yet. The due date is %(date)s."), title=title, date=due)
    elif kind == "overdue":
        subject = fill(_("Overdue: %(title)s"), title=title)
        body = fill(_("The due date of %(title)s was %(date)s and it is not completed yet. Complete it as soon as "
                      "you can."), title=title, date=due)
    elif kind == "team_overdue":
        # The placeholders are passed through unfilled (each replaced by itself) to be filled, isolated, below.
        template = ngettext("%(people)s person has overdue training at %(center)s",
                            "%(people)s people have overdue training at %(center)s", count, people="%(people)s",
                            center="%(center)s")
        subject = fill(template, people=localize_digits(count), center=name)
        body = _("They have not completed required training by its due date. Open the overdue list to see who.")
    elif kind == "issued":
        subject = fill(_("Certificate issued: %(title)s"), title=title)
        body = fill(_("Your certificate of completion of %(title)s has been issued. You can download it from My "
                      "certificates."), title=title)
    elif kind == "expiring":
        subject = fill(_("Your certificate expires on %(date)s: %(title)s"), title=title, date=expires)
        body = fill(_("Your certificate of completion of %(title)s expires on %(date)s."), title=title,
                    date=expires)
    elif kind == "revoked":
        subject = fill(_("Certificate revoked: %(title)s"), title=title)
        body = fill(_("Your certificate of completion of %(title)s was revoked. Complete the course again to "
                      "receive a new certificate."), title=title)
    else:
        subject, body = _("You have a new notification."), ""
    return Message(subject, escape(body) if html else str(body))


def kind_label(kind: str) -> str:
    """What a kind of notification is called (the summary of `send-due`)."""
    labels = {"assigned": _("Assignments"), "renewal": _("Renewals"), "reminder": _("Reminders"),
              "overdue": _("Overdue notices"), "team_overdue": _("Overdue digests to center managers"),
              "issued": _("Certificates issued"), "expiring": _("Expiry notices"),
              "revoked": _("Certificates revoked")}
    return labels.get(kind, kind)


def _date(value: str | None) -> str:
    """An ISO-8601 moment as people read a date (the governorate's day, Arabic months and digits in Arabic)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return date_text(moment)
