"""The home page (`/`): each package adds the sections it owns for the roles it serves, in its `init_app`, the way
it adds menu entries (lms.core.menu); the page draws, by `order`, the sections of the signed-in person's role that
have something to show.

A section's `load(viewer, now)` returns what its template shows, or None to be left out (a trainer with no
courses of their own to follow sees no "due next"). The numbers come from the owning package's services, which
take "now" as a parameter so that tests fix it.
"""
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.core.hooks import Registry


@dataclass(frozen=True)
class HomeSection:
    name: str  # the section's id in the page
    template: str  # drawn with `data`: what `load` returned
    roles: Collection[str] | None  # None: every signed-in person
    order: int  # spaced by ten, as the menu's
    load: Callable[[Any, datetime], Any]


@dataclass(frozen=True)
class ShownSection:
    name: str
    template: str
    data: Any


home = Registry("core.home", "The home page's sections (HomeSection), each added by the package that owns it.")


def home_sections(viewer, now: datetime) -> list[ShownSection]:
    """The sections `viewer` sees at `now`, in order: those of their role that have something to show."""
    shown = []
    for section in sorted(home.entries(), key=lambda s: s.order):
        if section.roles is not None and viewer.role not in section.roles:
            continue
        data = section.load(viewer, now)
        if data is not None:
            shown.append(ShownSection(section.name, section.template, data))
    return shown
