"""Every button of every template wears the design system's `.button` (a bordered, 44 px target); the `.link`
look is for true links. The few exceptions are listed here with why, so that a new one is a decision."""
import re

import pytest

from lms.extensions import db as _db
from lms.notifications.services import notify
from tests.conftest import PROJECT_ROOT

BUTTON = re.compile(r"<button\b[^>]*>|<input\b[^>]*type=\"(?:submit|button|reset)\"[^>]*>", re.S)
# Buttons styled by the component they belong to, not as a `.button`.
COMPONENT_BUTTONS = (
    'name="lang"',  # the header's language switch (.lang-switch)
    "data-nav=",  # the quiz navigator's numbered squares (.navigator)
    'class="menu-button"',  # the phone header's menu button (.menu-button)
)
# The header's "Sign out" sits among the account's links and reads as one.
LINK_LOOKING = {"base.html"}


def _templates():
    folders = [PROJECT_ROOT / "templates", PROJECT_ROOT / "lms"]
    return sorted(path for folder in folders for path in folder.rglob("*.html"))


def _name(path) -> str:
    return str(path.relative_to(PROJECT_ROOT / "templates")) if "templates" in path.parts else str(path)


def _has_class(classes: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){name}(?![\w-])", classes) is not None


@pytest.mark.parametrize("path", _templates(), ids=_name)
def test_every_button_wears_the_design_system(path):
    wrong = []
    for tag in BUTTON.findall(path.read_text(encoding="utf-8")):
        if any(mark in tag for mark in COMPONENT_BUTTONS):
            continue
        found = re.search(r'class="([^"]*)"', tag)
        classes = found.group(1) if found else ""  # may hold Jinja: class="button{{ ' primary' if ... }}"
        if _has_class(classes, "button") or (_has_class(classes, "link") and _name(path) in LINK_LOOKING):
            continue
        wrong.append(" ".join(tag.split()))
    assert not wrong, f"buttons without class=\"button\" in {_name(path)}: {wrong}"


def test_the_notifications_mark_all_as_read_is_a_button(client, auth, db):
    user = auth.as_role("learner")
    notify(user.id, "issued", "issued:one", {"title": {"en": "Course"}})
    _db.session.commit()
    page = client.get("/notifications").text
    form = re.search(r'<form[^>]*notifications-actions[^>]*>.*?</form>', page, re.S)
    assert form and '<button type="submit" class="button">' in form.group(0)
