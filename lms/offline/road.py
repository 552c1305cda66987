"""Courses for the road: what a device keeps of a course to read it without a network (its pages in both
languages, the files its modules show, the learner's progress), and the modules marked as done meanwhile."""
import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, url_for

from lms.accounts.models import User
from lms.core.i18n import _
from lms.core.models import ValidationError
from lms.courses.models import Course, Module
from lms.courses.services import files_url
from lms.extensions import db
from lms.progress import services as progress

MAX_ITEMS = 200


def manifest(user: User, slug: str) -> dict:
    """Everything a device fetches to keep `slug` for `user` (LookupError when the course is not theirs to see).
    The module pages are listed only for an enrolled learner: the others are sent back to the course page."""
    course = progress.visible_course(slug, user)
    if course is None:
        raise LookupError(slug)
    modules = list(db.session.scalars(sa.select(Module).where(Module.course_id == course.id)
                                      .order_by(Module.position)))
    enrollment = progress.enrollment_for(user.id, course.id)
    enrolled = enrollment is not None
    done = sorted(progress.completed_positions(user.id, course.id)) if enrolled else []
    page_urls = [url_for("progress.course", slug=slug)]
    if enrolled:
        page_urls += [url_for("progress.module", slug=slug, position=m.position) for m in modules]
    # The home page (where a sign-in with the PIN lands) and "This device" (where the page shown offline sends
    # people) must open without a network too.
    page_urls += [url_for("progress.dashboard"), url_for("offline_shell.this_device")]
    files = sorted({address for m in modules for address in _files_of(slug, m)})
    return {
        "course": {"slug": course.slug, "title": {"ar": course.title_ar, "en": course.title_en or course.title_ar}},
        "languages": list(current_app.config["LMS_LANGUAGES"]),
        "enrolled": enrolled,
        "pages": page_urls,
        "files": files,
        "modules": [{"id": m.id, "position": m.position, "url": url_for("progress.module", slug=slug,
                                                                        position=m.position),
                     "title": {"ar": m.title_ar, "en": m.title_en or m.title_ar}} for m in modules],
        "progress": {"done": done},
        # The module the learner opened last: fetched again last, so "resume where I left off" stays where it was.
        "resume_position": enrollment.last_position if enrolled else None,
    }


def _files_of(slug: str, module: Module) -> set[str]:
    prefix = re.escape(files_url(slug))
    found = set()
    for html in (module.html_ar or "", module.html_en or ""):
        found.update(re.findall(rf'(?:src|href)="({prefix}[^"#?]+)"', html))
    return found


@dataclass(frozen=True)
class Marked:
    id: str
    status: str  # "done" or "refused"
    message: str
    course: str | None = None
    position: int | None = None


ITEM_ID = re.compile(r"[0-9a-fA-F-]{8,64}")


def parse_items(body: object) -> list[dict]:
    """The items of a progress upload ({"items": [{"id", "module"}]}), or ValidationError for anything else."""
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise ValidationError({"items": _("Send {\"items\": [{\"id\": ..., \"module\": ...}]} (at most %(num)s).",
                                          num=MAX_ITEMS)})
    for item in items:
        if not (isinstance(item, dict) and isinstance(item.get("id"), str) and ITEM_ID.fullmatch(item["id"])
                and isinstance(item.get("module"), int) and not isinstance(item.get("module"), bool)
                and 0 < item["module"] < 2**31):
            raise ValidationError({"items": _("Each item needs an \"id\" and a \"module\" number.")})
    return items


def mark_done(user: User, items: list[dict]) -> list[Marked]:
    """Each module marked as done on the device, through the progress package's own service (the same rules as
    on the page; idempotent: a module done twice is done once)."""
    results = []
    for item in items:
        module = db.session.get(Module, item["module"])
        course = db.session.get(Course, module.course_id) if module is not None else None
        if course is None or progress.visible_course(course.slug, user) is None:
            results.append(Marked(item["id"], "refused", _("This module does not exist.")))
            continue
        try:
            progress.complete_module(user.id, course, module.position)
        except ValidationError as error:
            db.session.rollback()
            results.append(Marked(item["id"], "refused", error.errors.get("", str(error)), course.slug,
                                  module.position))
            continue
        except LookupError:
            db.session.rollback()
            results.append(Marked(item["id"], "refused", _("This module does not exist.")))
            continue
        results.append(Marked(item["id"], "done", "", course.slug, module.position))
    return results
