"""The roles, and the one table of which roles each kind of work needs.

Every role gate reads this table: the pages' `lms.core.security.roles_required`, the API's
`lms.api.auth.token_roles_required`, the services that ask "may this role ...?", the main menu's entries, and
the access test (tests/core/test_access.py), which fails on a route whose roles are not one of these permissions.
Whose rows a person may then see or change (HR's governorate, a manager's center, a trainer's own courses) is
decided by `lms.accounts.scope` and the services, not here.

=====================  =======  ==============  =======  ==  =====  =============================================
permission             learner  center_manager  trainer  hr  admin  the work
=====================  =======  ==============  =======  ==  =====  =============================================
AUTHOR_COURSES                                  x            x      courses, modules, quizzes; seeing drafts
MANAGE_PATHS                                    x        x   x      learning paths
FOLLOW_PROGRESS                 x               x        x   x      the progress tables of courses
MANAGE_STAFF                    x                        x   x      the staff list, a person's record,
                                                                    deactivating, reactivating, new passwords
ASSIGN_TRAINING                 x                        x   x      assignments (screens and API)
VIEW_REPORTS                    x                        x   x      reports and exports (screens and API)
LOCATE_MOBILE_CENTER            x                            x      where a mobile technology center stands
MANAGE_ROSTER                                            x   x      roster imports, placing people in centers
                                                                    and job titles, districts, job titles, the
                                                                    staff API
MANAGE_CERTIFICATES                                      x   x      the print room, revoking, reissuing, how
                                                                    certificates look; others' certificates
ADMINISTER                                                   x      user accounts, technology centers
=====================  =======  ==============  =======  ==  =====  =============================================

Administrators may do every kind of work: each permission names them (tests/accounts/test_roles.py checks it),
rather than a decorator letting them through on the side.
"""
import enum


class Role(enum.StrEnum):
    LEARNER = "learner"
    CENTER_MANAGER = "center_manager"  # sees and manages the staff of their own technology center
    TRAINER = "trainer"  # authors the courses they are named trainers of
    HR = "hr"  # the staff of one governorate (scope_governorate_id), or of all when it is empty
    ADMIN = "admin"


AUTHOR_COURSES = frozenset({Role.TRAINER, Role.ADMIN})
MANAGE_PATHS = frozenset({Role.TRAINER, Role.HR, Role.ADMIN})
FOLLOW_PROGRESS = frozenset({Role.CENTER_MANAGER, Role.TRAINER, Role.HR, Role.ADMIN})
MANAGE_STAFF = frozenset({Role.CENTER_MANAGER, Role.HR, Role.ADMIN})
ASSIGN_TRAINING = frozenset({Role.CENTER_MANAGER, Role.HR, Role.ADMIN})
VIEW_REPORTS = frozenset({Role.CENTER_MANAGER, Role.HR, Role.ADMIN})
LOCATE_MOBILE_CENTER = frozenset({Role.CENTER_MANAGER, Role.ADMIN})
MANAGE_ROSTER = frozenset({Role.HR, Role.ADMIN})
MANAGE_CERTIFICATES = frozenset({Role.HR, Role.ADMIN})
ADMINISTER = frozenset({Role.ADMIN})

# By name, for the access test and the menu's check: a route's or menu entry's roles must be one of these.
PERMISSIONS: dict[str, frozenset[Role]] = {
    name: value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, frozenset)}
