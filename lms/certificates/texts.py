"""How a revocation reads, in the viewer's language: the reason of a path certificate revoked with a course
certificate, the log's details, and what the revoke form warns of. Stored values stay language-free (serials and
the reason as HR typed it), so that each reader sees them in their own language."""
from markupsafe import Markup, escape

from lms.certificates.models import Certificate
from lms.certificates.revocation import Consequences
from lms.core.i18n import _, current_locale, ngettext, pick_language

FSI, PDI = "\u2068", "\u2069"  # a serial keeps its own direction inside text of the other one


def _serials(serials: list[str]) -> str:
    return ("، " if current_locale() == "ar" else ", ").join(f"{FSI}{s}{PDI}" for s in serials)


def _with_course(serial: str, reason: str) -> str:
    return _("The course certificate %(serial)s it stands on was revoked: %(reason)s",
             serial=_serials([serial]), reason=reason)


def revocation_reason(certificate: Certificate) -> str:
    """Why it was revoked: HR's reason, or for a learning path's certificate, the course certificate it was revoked
    with and that one's reason."""
    if certificate.revoked_with is not None:
        return _with_course(certificate.revoked_with.serial, certificate.revoke_reason or "")
    return certificate.revoke_reason or ""


def log_details(details: dict) -> str:
    """The Details cell of a certificate's log."""
    if details.get("with"):
        return _with_course(details["with"], details.get("reason") or "")
    text = details.get("reason") or details.get("new_serial") or details.get("replaces") or details.get("to") or ""
    if paths := details.get("paths"):
        also = ngettext("The learning path certificate %(serials)s was revoked with it.",
                        "The learning path certificates %(serials)s were revoked with it.", len(paths),
                        serials=_serials(paths))
        text = f"{text} {also}" if text else also
    return text


def serial_text(serial: str) -> Markup:
    """A serial inside running text: left to right, on one line (it never breaks at its dashes)."""
    return Markup('<bdi dir="ltr" class="code-cell">{}</bdi>').format(serial)


def consequence_text(consequences: Consequences) -> Markup | str:
    """What revoking will do besides, said before HR confirms; "" when nothing. It includes that the learner's
    modules marked done are cleared with the course (lms.progress.cycles): HR used to learn it from the learner."""
    certificates = consequences.path_certificates
    start_again = _("The modules they marked done and their quiz attempts in this course will no longer count: they "
                    "take it again from its first module.")
    if certificates:
        names = escape("، " if current_locale() == "ar" else ", ").join(
            escape("{} ({})").format(serial_text(c.serial), pick_language(c, "course_title")) for c in certificates)
        return escape(ngettext(
            "The learning path certificate %(names)s will be revoked too, and the learner must pass the course "
            "again.",
            "The learning path certificates %(names)s will be revoked too, and the learner must pass the course "
            "again.", len(certificates), names="%(names)s")) % {"names": names} + " " + start_again
    if consequences.course_again:
        return _("The learner must pass the course again: it will no longer count as completed, in a learning "
                 "path or an assignment.") + " " + start_again
    return ""
