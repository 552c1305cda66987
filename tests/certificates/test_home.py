"""The certificates' home sections at a fixed moment: a learner's new certificates, and the print room's desk
counted in the viewer's scope only (another governorate's or center's certificates never count)."""
import itertools
from datetime import UTC, datetime, timedelta

from lms.accounts.scope import scope_of
from lms.certificates.codes import grouped
from lms.certificates.home import desk, new_certificates
from lms.certificates.models import Certificate
from tests import factories
from tests.progress.org import build_org

NOW = datetime(2031, 3, 14, 9, 30, tzinfo=UTC)
_numbers = itertools.count(1)


def make_certificate(db, holder, course=None, **values) -> Certificate:
    """A certificate as issuing stores it, with the dates and print-room state a test needs."""
    n = next(_numbers)
    course = course or factories.CourseFactory()
    certificate = Certificate(
        code=f"HOMETEST{n:08d}", serial=f"QLY-2031-{n:06d}", user_id=holder.id, course_id=course.id,
        name_ar=holder.full_name_ar, name_latin=holder.full_name_latin, course_title_ar=course.title_ar,
        course_title_en=course.title_en, completed_at=values.get("issued_at", NOW - timedelta(days=1)),
        design="classic", language="both", **{"issued_at": NOW - timedelta(days=1), **values})
    db.session.add(certificate)
    db.session.commit()
    return certificate


def test_new_certificates_are_the_valid_ones_of_the_last_thirty_days_newest_first(db):
    learner = factories.UserFactory()
    older = make_certificate(db, learner, issued_at=NOW - timedelta(days=20))
    newer = make_certificate(db, learner, issued_at=NOW - timedelta(days=2))
    make_certificate(db, learner, issued_at=NOW - timedelta(days=40))  # not new any more
    make_certificate(db, learner, issued_at=NOW - timedelta(days=3), revoked_at=NOW - timedelta(days=1))
    make_certificate(db, factories.UserFactory(), issued_at=NOW - timedelta(days=1))  # someone else's
    shown = new_certificates(learner.id, NOW)
    assert [item.certificate.id for item in shown] == [newer.id, older.id]
    assert shown[0].code == grouped(newer.code)


def test_the_desk_counts_what_waits_in_the_viewers_scope_only(db):
    org = build_org()
    fixed, mobile, giza = org.people["clerk_fixed"], org.people["clerk_mobile"], org.people["clerk_giza"]
    make_certificate(db, fixed)  # to print
    make_certificate(db, fixed, expires_at=NOW + timedelta(days=20))  # to print, expiring
    make_certificate(db, mobile, printed_at=NOW - timedelta(days=1))  # to hand over
    make_certificate(db, mobile, printed_at=NOW - timedelta(days=3), handed_over_at=NOW - timedelta(days=2))
    make_certificate(db, mobile, expires_at=NOW + timedelta(days=45), printed_at=NOW, handed_over_at=NOW)
    make_certificate(db, fixed, revoked_at=NOW - timedelta(days=1))  # revoked: never printed, never counted
    make_certificate(db, fixed, expires_at=NOW - timedelta(days=1))  # expired already
    make_certificate(db, giza)  # another governorate's
    make_certificate(db, giza, expires_at=NOW + timedelta(days=5), printed_at=NOW)

    everything = desk(scope_of(org.admin()), NOW)
    assert (everything.to_print, everything.to_hand_over, everything.expiring) == (3, 2, 2)
    qalyubia = desk(scope_of(org.hr(org.qalyubia)), NOW)
    assert (qalyubia.to_print, qalyubia.to_hand_over, qalyubia.expiring) == (2, 1, 1)
    giza_hr = desk(scope_of(org.hr(org.giza)), NOW)
    assert (giza_hr.to_print, giza_hr.to_hand_over, giza_hr.expiring) == (1, 1, 1)
    mobile_manager = desk(scope_of(org.manager(org.mobile)), NOW)
    assert (mobile_manager.to_print, mobile_manager.to_hand_over, mobile_manager.expiring) == (0, 1, 0)
    # twenty days on, the mobile center's certificate expires within thirty days
    assert desk(scope_of(org.manager(org.mobile)), NOW + timedelta(days=20)).expiring == 1
