"""The packages' front doors: create_app sets up each package through its `init_app`, in the direction of imports,
and refuses to start when a rule a lower package asks for (a required hook) has no provider."""
import re

import pytest

from lms import PACKAGES, create_app
from lms.core.hooks import Hook, HookMissing, check_hooks
from lms.courses.files import folder_checks
from lms.courses.services import folder_loaders

CONFIG = {"LMS_ENV": "test", "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": "sqlite://",
          "LMS_RATELIMIT_STORAGE_URI": "memory://"}


@pytest.mark.no_db
@pytest.mark.parametrize(("left_out", "hook"), [("progress", "quizzes.may_start_attempt"),
                                                ("auth", "accounts.end_sessions"),
                                                ("certificates", "progress.uncertified_courses")])
def test_start_up_fails_when_a_required_hook_has_no_provider(left_out, hook):
    with pytest.raises(HookMissing, match=hook):
        create_app(CONFIG, packages=tuple(p for p in PACKAGES if p != left_out))


@pytest.mark.no_db
def test_every_declared_hook_is_provided_by_the_whole_app():
    app = create_app(CONFIG)
    check_hooks(app, PACKAGES)  # what create_app does: no exception
    assert {"quizzes.may_start_attempt", "accounts.end_sessions", "progress.uncertified_courses"} <= set(Hook.declared)


@pytest.mark.no_db
def test_a_hook_without_a_provider_fails_closed_when_called():
    app = create_app(CONFIG)
    lonely = Hook("core.lonely", "provided by nobody")
    try:
        with app.app_context(), pytest.raises(HookMissing):
            lonely()
    finally:
        del Hook.declared["core.lonely"]


@pytest.mark.no_db
def test_a_hook_takes_one_provider():
    app = create_app(CONFIG)
    hook = Hook.declared["quizzes.may_start_attempt"]
    with pytest.raises(RuntimeError, match="two providers"):
        hook.provide(app, lambda course, user_id: None)


@pytest.mark.no_db
def test_the_quizzes_package_checks_and_loads_course_folders_through_the_registries():
    from lms.quizzes import bank

    app = create_app(CONFIG)
    assert folder_checks.entries(app) == [bank.check_course_folder]
    assert folder_loaders.entries(app) == [bank.sync_course_bank]
    without_quizzes = create_app(CONFIG, packages=("core", "accounts", "auth", "courses"))
    assert folder_checks.entries(without_quizzes) == [] and folder_loaders.entries(without_quizzes) == []


@pytest.mark.no_db
def test_no_package_is_imported_only_for_its_side_effects():
    """The wiring is explicit: no `noqa: F401` import left in the packages (they were imports made only so that a
    module's signal receivers would connect)."""
    from pathlib import Path

    import lms

    side_effect = re.compile(r"noqa: [^\n]*F401")
    offenders = [str(path) for path in Path(lms.__file__).parent.rglob("*.py") if side_effect.search(path.read_text())]
    assert offenders == []
