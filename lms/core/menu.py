"""The main menu: each package adds the entries of its pages in its `init_app`; base.html draws the entries the
signed-in person's role may open, by `order`.

Orders are spaced by ten so that an entry can go between two others; tests/core/test_menu.py spells out each
role's menu. The bell and the sign-out form are base.html's own.
"""
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask_login import current_user

from lms.core.hooks import Registry


@dataclass(frozen=True)
class MenuEntry:
    endpoint: str
    label: Any  # a lazy translation (_l): read in the visitor's language when the menu is drawn
    # A permission of lms.accounts.roles, the same as the endpoint's gate (the access test checks that the menu
    # never shows an entry to a role its page refuses); None: every signed-in person.
    roles: Collection[str] | None
    order: int
    section: str | None = None  # an endpoint prefix: the entry is the current page on all of that section's pages


menu = Registry("core.menu", "The main menu's entries (MenuEntry), each added by the package that owns the page.")


def menu_entries() -> list[MenuEntry]:
    """The entries the signed-in person may open, in order (none for a visitor)."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    return sorted((e for e in menu.entries() if e.roles is None or role in e.roles), key=lambda e: e.order)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["menu_entries"] = menu_entries
