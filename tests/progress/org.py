"""A small organisation for the assignment tests: two governorates, three technology centers, clerks and others."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.accounts.models import CenterKind, District, Role, User
from lms.extensions import db
from tests import factories


class QueryCounter:
    """Counts the statements sent to the database inside a `with` block."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


@dataclass
class Org:
    qalyubia: object
    giza: object
    district: object
    fixed: object  # a fixed center in Qalyubia
    mobile: object  # a mobile center in Qalyubia
    giza_center: object
    clerk: object
    other_title: object
    people: dict = field(default_factory=dict)

    def add(self, name: str, center, title=None, **kwargs) -> User:
        person = factories.UserFactory(center=center, job_title=title or self.clerk, **kwargs)
        self.people[name] = person
        return person

    def hr(self, governorate=None) -> User:
        return factories.UserFactory(role=Role.HR, center=None, job_title=None,
                                     scope_governorate_id=governorate.id if governorate else None)

    def manager(self, center) -> User:
        return factories.UserFactory(role=Role.CENTER_MANAGER, center=center, job_title=None)

    def admin(self) -> User:
        return factories.UserFactory(role=Role.ADMIN, center=None, job_title=None)


def build_org() -> Org:
    qalyubia = factories.GovernorateFactory(name_ar="محافظة القليوبية", name_en="Qalyubia")
    giza = factories.GovernorateFactory(name_ar="محافظة الجيزة", name_en="Giza")
    district = District(governorate_id=qalyubia.id, name_ar="بنها", name_en="Banha")
    db.session.add(district)
    db.session.commit()
    fixed = factories.CenterFactory(governorate=qalyubia, district_id=district.id)
    mobile = factories.CenterFactory(governorate=qalyubia, kind=CenterKind.MOBILE)
    giza_center = factories.CenterFactory(governorate=giza)
    org = Org(qalyubia, giza, district, fixed, mobile, giza_center, factories.JobTitleFactory(),
              factories.JobTitleFactory(code="MGR"))
    org.add("clerk_fixed", fixed)
    org.add("clerk_mobile", mobile)
    org.add("clerk_giza", giza_center)
    org.add("other_fixed", fixed, org.other_title)
    org.add("clerk_left", fixed, is_active=False)
    return org
