"""Whose staff a person may see and manage: one place that every screen, report, export and API answer asks.

- administrator: everyone;
- HR: the staff of one governorate (`scope_governorate_id`), or of every governorate when it is empty;
- center manager: the staff of their own technology center;
- trainers and learners: nobody's (trainers see learners through the courses they teach, not as staff).
"""
from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import Center, Role, User


@dataclass(frozen=True)
class Scope:
    """Empty fields mean "no restriction at this level"; `nobody` closes everything."""

    governorate_id: int | None = None
    center_id: int | None = None
    nobody: bool = False

    @property
    def is_everything(self) -> bool:
        return not self.nobody and self.governorate_id is None and self.center_id is None

    def users(self, user=User):
        """A condition on a User (or an alias of it): the people in scope. Staff without a center are seen only
        by those who see everything."""
        if self.nobody:
            return sa.false()
        if self.center_id is not None:
            return user.center_id == self.center_id
        if self.governorate_id is not None:
            return user.center_id.in_(sa.select(Center.id).where(Center.governorate_id == self.governorate_id))
        return sa.true()

    def centers(self, center=Center):
        """A condition on a Center: the technology centers in scope."""
        if self.nobody:
            return sa.false()
        if self.center_id is not None:
            return center.id == self.center_id
        if self.governorate_id is not None:
            return center.governorate_id == self.governorate_id
        return sa.true()

    def governorates(self, governorate_id_column):
        """A condition on a governorate id column."""
        if self.nobody:
            return sa.false()
        if self.center_id is not None:
            return governorate_id_column == sa.select(Center.governorate_id).where(
                Center.id == self.center_id).scalar_subquery()
        if self.governorate_id is not None:
            return governorate_id_column == self.governorate_id
        return sa.true()

    def allows_center(self, center: Center | None) -> bool:
        if self.nobody:
            return False
        if center is None:
            return self.is_everything
        if self.center_id is not None:
            return center.id == self.center_id
        return self.governorate_id is None or center.governorate_id == self.governorate_id

    def allows(self, user: User) -> bool:
        """Whether this person is in scope (the user's center must be loaded or loadable)."""
        if self.nobody:
            return False
        if self.center_id is not None:
            return user.center_id == self.center_id
        return self.allows_center(user.center) if self.governorate_id is not None else True


NOBODY = Scope(nobody=True)
EVERYTHING = Scope()


def scope_of(viewer: User) -> Scope:
    """The staff `viewer` may see and manage."""
    if viewer is None or not getattr(viewer, "is_authenticated", True) or not viewer.is_active:
        return NOBODY
    if viewer.role == Role.ADMIN:
        return EVERYTHING
    if viewer.role == Role.HR:
        return Scope(governorate_id=viewer.scope_governorate_id)
    if viewer.role == Role.CENTER_MANAGER and viewer.center_id is not None:
        return Scope(center_id=viewer.center_id)
    return NOBODY


# Roles whose accounts a roster, the staff API and the staff screens may change; HR and administrators are
# managed on the administrator's user form only.
ROSTER_ROLES = frozenset({Role.LEARNER, Role.CENTER_MANAGER, Role.TRAINER})


def may_manage(viewer: User, person: User) -> bool:
    """Whether `viewer` may change `person`: in scope, not oneself, and a roster role (a center manager: only the
    learners of their technology center)."""
    if person.id == viewer.id or not scope_of(viewer).allows(person):
        return False
    if viewer.role == Role.CENTER_MANAGER:
        return person.role == Role.LEARNER
    return person.role in ROSTER_ROLES
