"""A course's change log: web edits with their old and new values, imports from files, and the entries of the
packages above (the quiz's), which they describe through `log_describers`."""
import os
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup, escape

from lms.accounts.models import User
from lms.core.hooks import Registry
from lms.core.i18n import _, _l, current_locale, list_text
from lms.core.models import utcnow
from lms.courses.models import Course, CourseLogEntry
from lms.extensions import db

log_describers = Registry("courses.log_describers", """Functions (CourseLogEntry) -> LogText | None of the
packages above this one, each describing its own actions (the quizzes package: questions, settings, regrades).""")

FIELD_LABELS = {
    "slug": _l("Slug (used in links)"), "title_ar": _l("Title in Arabic"), "title_en": _l("Title in English"),
    "summary_ar": _l("Summary in Arabic"), "summary_en": _l("Summary in English"),
    "estimated_minutes": _l("Estimated time (minutes)"), "status": _l("Status"),
    "body_ar": _l("Content in Arabic (Markdown)"), "body_en": _l("Content in English (Markdown, optional)"),
    "position": _l("Place in the course"), "cover_path": _l("Cover image"),
}
EXCERPT = 120  # a module's texts are logged as a stretch, from where they first differ: the log is read, not diffed


@dataclass
class LogText:
    summary: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)  # (what, before, after)


@dataclass(frozen=True)
class LogLine:
    entry: CourseLogEntry
    actor: User | None
    text: LogText

    @property
    def summary(self) -> str:
        return self.text.summary


def excerpt(text: str | None, start: int = 0) -> str | None:
    if text is None:
        return None
    part = text[start:start + EXCERPT].strip()
    return ("…" if start > 0 else "") + part + ("…" if start + EXCERPT < len(text) else "")


def excerpts(changed: dict[str, list]) -> dict[str, list]:
    """{key: [before, after]} with long texts cut to the stretch where they first differ (a line added at a
    module's end showed as two identical beginnings)."""
    shown = {}
    for key, (old, new) in changed.items():
        if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > EXCERPT:
            same = len(os.path.commonprefix([old, new]))
            start = max(0, same - EXCERPT // 4)
            shown[key] = [excerpt(old, start), excerpt(new, start)]
        else:
            shown[key] = [excerpt(old) if isinstance(old, str) else old, excerpt(new) if isinstance(new, str) else new]
    return shown


def part_label(key: str) -> str:
    kind, _sep, name = key.partition(":")
    labels = {"title": _("title"), "summary": _("summary"), "status": _("status"),
              "estimated_minutes": _("estimated time"), "quiz": _("quiz settings"),
              "certificate": _("certificate settings"), "trainers": _("trainers"), "order": _("order of the modules"),
              "cover": _("cover image")}
    if kind == "module":
        return _("module %(name)s", name=name)
    if kind == "file":
        if name.endswith((".gift", ".xml", ".txt")):
            return _("questions (%(name)s)", name=name)
        return _("file %(name)s", name=name)
    return labels.get(kind, kind)


def part_list(keys: list[str] | None) -> str:
    """The parts of a course named by their keys, as a list in the reader's words ("—" for none)."""
    return list_text([part_label(k) for k in keys or []]) or "—"


def record(course_id: int, actor_id: int | None, action: str, details: dict) -> None:
    db.session.add(CourseLogEntry(course_id=course_id, actor_id=actor_id, action=action, details=details))


def mark_edited(course_id: int, now: datetime | None = None) -> None:
    """A web edit: the next import from changed files will not overwrite it unless forced (who: the log says)."""
    db.session.execute(sa.update(Course).where(Course.id == course_id).values(
        is_edited_on_web=True, edited_at=now or utcnow()))


def web_edit(course_id: int, actor_id: int | None, action: str, details: dict) -> None:
    record(course_id, actor_id, action, details)
    mark_edited(course_id)


NOT_EDITS = ("files", "regrade")  # actions that change no content: imports from files, regrades


def last_editor(course_id: int) -> User | None:
    """Who made the course's latest web edit."""
    return db.session.scalar(
        sa.select(User).join(CourseLogEntry, CourseLogEntry.actor_id == User.id)
        .where(CourseLogEntry.course_id == course_id, CourseLogEntry.action.not_in(NOT_EDITS))
        .order_by(CourseLogEntry.created_at.desc(), CourseLogEntry.id.desc()).limit(1))


def last_change(course_id: int, actions: tuple[str, ...], since: datetime | None, about=lambda details: True,
                look_back: int = 50) -> tuple[str | None, datetime] | None:
    """Who (their name in the reader's language; None for an import without a person) and when of the latest of
    the course's entries of `actions` since `since` (None: none is named) whose details are `about` the part in
    question."""
    if since is None:
        return None
    rows = db.session.execute(
        sa.select(CourseLogEntry, User).outerjoin(User, User.id == CourseLogEntry.actor_id)
        .where(CourseLogEntry.course_id == course_id, CourseLogEntry.action.in_(actions),
               CourseLogEntry.created_at >= since)
        .order_by(CourseLogEntry.created_at.desc(), CourseLogEntry.id.desc()).limit(look_back)).all()
    for entry, actor in rows:
        if about(entry.details or {}):
            return (actor.display_name(current_locale()) if actor else None), entry.created_at
    return None


def changes(before: dict, after: dict, keys) -> dict[str, list]:
    """{key: [before, after]} of the keys whose value changed."""
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def course_log(course_id: int, limit: int = 200) -> list[LogLine]:
    """The latest changes to the course, newest first."""
    rows = db.session.execute(
        sa.select(CourseLogEntry, User).outerjoin(User, User.id == CourseLogEntry.actor_id)
        .where(CourseLogEntry.course_id == course_id)
        .order_by(CourseLogEntry.created_at.desc(), CourseLogEntry.id.desc()).limit(limit)).all()
    return [LogLine(entry, actor, describe(entry)) for entry, actor in rows]


def describe(entry: CourseLogEntry) -> LogText:
    text = _describe_own(entry)
    for describer in log_describers.entries():
        text = text or describer(entry)
    return text or LogText(entry.action)


def _isolated(message, **values) -> Markup:
    """The message with each value (file names, paths, hashes: Latin) isolated left to right, so that a path that
    wraps in Arabic text keeps its order."""
    return escape(str(message)) % {key: Markup('<bdi dir="ltr">{}</bdi>').format(value)
                                   for key, value in values.items()}


VALUE_LABELS = {"status": {"draft": _l("Draft (hidden from learners)"), "published": _l("Published")}}


def value_text(labels: dict, key: str, value: object) -> object:
    """A logged value in the reader's words where it is a code ("draft", "full"...): the log showed the codes."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return labels.get(key, {}).get(value, value) if isinstance(value, str) else value


def _labelled(changed: dict) -> list[tuple[str, object, object]]:
    return [(str(FIELD_LABELS.get(key, key)), value_text(VALUE_LABELS, key, old), value_text(VALUE_LABELS, key, new))
            for key, (old, new) in changed.items()]


def _describe_own(entry: CourseLogEntry) -> LogText | None:
    details = entry.details or {}
    if entry.action == "course":
        summary = _("Course created") if details.get("created") else _("Course details changed")
        return LogText(summary, _labelled(details.get("changed", {})))
    if entry.action == "module":
        if details.get("op") == "reordered":
            before, after = details.get("changed", {}).get("order", [[], []])
            return LogText(_("Order of the modules changed"),
                           [(_("Order of the modules"), list_text(before), list_text(after))])
        message = {"added": _l("Module %(name)s added"), "moved": _l("Module %(name)s moved"),
                   "deleted": _l("Module %(name)s deleted")}.get(details.get("op"), _l("Module %(name)s changed"))
        return LogText(_isolated(message, name=details.get("module", "")), _labelled(details.get("changed", {})))
    if entry.action == "file":
        message = {"added": _l("File %(name)s added"), "replaced": _l("File %(name)s replaced"),
                   "removed": _l("File %(name)s removed")}.get(details.get("op"), _l("File %(name)s changed"))
        return LogText(_isolated(message, name=details.get("file", "")))
    if entry.action == "files":
        return _describe_import(details)
    return None


def _describe_import(details: dict) -> LogText:
    where, digest = details.get("path", ""), (details.get("hash") or "")[:12]
    if details.get("outcome") == "matched":
        message = _l("Imported from the folder %(path)s (content %(hash)s): it holds the course as edited on the "
                     "web, so nothing changed")
    elif details.get("outcome") == "forced":
        message = _l("Imported from the folder %(path)s (content %(hash)s), forced: the web edits were "
                     "overwritten")
    elif details.get("outcome") == "kept":
        message = _l("Not imported from the folder %(path)s (content %(hash)s): its files changed while the course "
                     "was edited on the web, and the web edits were kept")
    else:
        message = _l("Imported from the folder %(path)s (content %(hash)s)")
    summary = _isolated(message, path=where, hash=digest)
    rows = [(_("Parts changed in the files"), details.get("parts")),
            (_("Web edits overwritten"), details.get("overwrote")),
            (_("Parts where the course differs from the files"), details.get("web"))]
    return LogText(summary, [(what, None, list_text([part_label(p) for p in parts])) for what, parts in rows if parts])
