"""Course folders and web edits living together: what an import from files may overwrite, and the export back.

Each import records the folder's content hash and each part's (course fields, each module, the order, quiz and
certificate settings, trainers, each file). Importing again:
- files unchanged since the last import: nothing happens, whatever was edited on the web;
- files that hold exactly the course as it is now (an export of the web edits, committed to Git): recorded as
  imported, nothing else changes;
- files changed, course not edited on the web since the last import: imported;
- files changed over web edits: a conflict. A plain import stops and writes nothing; `force` overwrites the web
  edits (and logs it); `keep_web_edits` leaves those courses as they are and imports the others.
"""
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.db import begin_write
from lms.core.i18n import _
from lms.core.models import utcnow
from lms.courses import log
from lms.courses.files import (
    CourseFileError,
    CourseFolder,
    Problem,
    find_course_folders,
    read_course_folder,
    write_course_folder,
)
from lms.courses.models import Course, CourseLogEntry
from lms.courses.services import course_by_slug, course_to_folder, upsert_course
from lms.extensions import db

FIELDS = ("title", "summary", "status", "estimated_minutes", "quiz", "certificate", "trainers", "cover")


# --- fingerprints ------------------------------------------------------------------------------------------------

def _digest(value) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def folder_parts(folder: CourseFolder) -> dict:
    """A hash of each part of a course folder, as read (so that the way a file is laid out does not count)."""
    def text(pair: dict) -> dict:
        return {lang: (value or "").strip() for lang, value in pair.items() if (value or "").strip()}
    # The cover counts only when there is one, so that courses without a cover keep the hashes they had.
    cover = {"cover": _digest(folder.cover)} if folder.cover else {}
    return cover | {
        "title": _digest(text(folder.title)), "summary": _digest(text(folder.summary)),
        "status": _digest(folder.status), "estimated_minutes": _digest(folder.estimated_minutes),
        "quiz": _digest(folder.quiz or {}), "certificate": _digest(folder.certificate or {}),
        "trainers": _digest(sorted(folder.trainers or [])),
        "order": _digest([m.file_name for m in folder.modules]),
        "modules": {m.file_name: _digest([text(m.title), text(m.body)]) for m in folder.modules},
        "files": {path: _digest(content) for path, content in folder.assets.items()},
    }


def parts_hash(parts: dict) -> str:
    return _digest(parts)


def differing_parts(old: dict | None, new: dict) -> list[str]:
    """The parts that differ, as keys: "title", "module:01-welcome.md", "file:quiz.gift"..."""
    old = old or {}
    found = [key for key in (*FIELDS, "order") if old.get(key) != new.get(key)]
    for group, prefix in (("modules", "module"), ("files", "file")):
        before, after = old.get(group) or {}, new.get(group) or {}
        names = sorted(set(before) | set(after))
        found += [f"{prefix}:{name}" for name in names if before.get(name) != after.get(name)]
    return found


# --- importing -----------------------------------------------------------------------------------------------------

@dataclass
class CourseImport:
    """What an import did, or would do, with one course folder."""

    slug: str
    path: str
    outcome: str  # "new", "updated", "unchanged", "matched", "forced", "kept", "conflict"
    in_files: list[str] = field(default_factory=list)  # parts changed in the files since the last import
    on_web: list[str] = field(default_factory=list)  # parts that differ between the course now and those files
    edited_by: str | None = None
    edited_at: datetime | None = None
    course: Course | None = None


class ImportConflict(Exception):
    """Files changed over courses edited on the web: nothing was imported."""

    def __init__(self, conflicts: list[CourseImport]):
        super().__init__(", ".join(c.slug for c in conflicts))
        self.conflicts = conflicts


def read_folders(paths: list[Path]) -> list[tuple[Path, CourseFolder]]:
    """Every course folder under `paths`, read and checked; CourseFileError lists every problem of them all."""
    folders = find_course_folders(paths)
    if not folders:
        raise CourseFileError([Problem(str(p), None, _("no course.yaml found here")) for p in paths])
    problems, parsed = [], []
    for folder in folders:
        try:
            parsed.append((folder, read_course_folder(folder)))
        except CourseFileError as error:
            problems.extend(error.problems)
    slugs = [c.slug for _path, c in parsed]
    for slug in sorted({s for s in slugs if slugs.count(s) > 1}):
        problems.append(Problem(slug, None, _("two course folders use the same slug")))
    if problems:
        raise CourseFileError(problems)
    return parsed


def import_folders(paths: list[Path], *, force: bool = False, keep_web_edits: bool = False,
                   now: datetime | None = None) -> list[CourseImport]:
    """Import every course under `paths`, all or nothing; ImportConflict (nothing written) when files changed over
    web edits, unless `force` (overwrite them) or `keep_web_edits` (leave those courses as they are)."""
    parsed = read_folders(paths)
    now = now or utcnow()
    begin_write()
    plans = []
    for path, folder in parsed:
        parts = folder_parts(folder)
        course = course_by_slug(folder.slug, with_bodies=True, with_settings=True)
        plans.append((folder, parts, _plan(path, folder, parts, course, course_to_folder, force, keep_web_edits)))
    conflicts = [plan for _f, _p, plan in plans if plan.outcome == "conflict"]
    if conflicts:
        db.session.rollback()
        raise ImportConflict(conflicts)
    wrote = False
    for folder, parts, plan in plans:
        if plan.outcome == "kept":
            wrote = _record_held_back(plan, parts, now) or wrote
            continue
        if plan.outcome == "unchanged":
            continue
        if plan.outcome != "matched":
            plan.course = upsert_course(folder)
        _record_import(plan, parts, now)
        wrote = True
    if wrote:
        db.session.commit()
    else:
        db.session.rollback()  # nothing to write: not even a transaction to commit
    return [plan for _f, _p, plan in plans]


def _plan(path: Path, folder: CourseFolder, parts: dict, course: Course | None, to_folder,
          force: bool, keep_web_edits: bool) -> CourseImport:
    plan = CourseImport(folder.slug, path.as_posix(), "new" if course is None else "updated", course=course)
    if course is None:
        return plan
    plan.in_files = differing_parts(course.source_parts, parts)
    if course.source_hash == parts_hash(parts):
        plan.outcome = "unchanged"
        return plan
    current = folder_parts(to_folder(course))
    if current == parts:
        plan.outcome = "matched"
        return plan
    if not course.is_edited_on_web:
        return plan
    plan.on_web = differing_parts(current, parts)
    plan.edited_at = course.edited_at
    editor = log.last_editor(course.id)
    plan.edited_by = editor.username if editor else None
    plan.outcome = "forced" if force else "kept" if keep_web_edits else "conflict"
    return plan


def _record_import(plan: CourseImport, parts: dict, now: datetime) -> None:
    course = plan.course
    digest = parts_hash(parts)
    course.source_path, course.source_hash, course.source_parts = plan.path, digest, parts
    course.imported_at, course.is_edited_on_web = now, False
    db.session.flush()
    details = {"path": plan.path, "hash": digest, "outcome": "imported" if plan.outcome in ("new", "updated")
               else plan.outcome, "parts": plan.in_files}
    if plan.outcome == "forced":
        details["overwrote"] = plan.on_web
    log.record(course.id, None, "files", details)


def _record_held_back(plan: CourseImport, parts: dict, now: datetime) -> bool:
    """Files kept out of a course edited on the web: logged once per version of the files, so that the course's
    screens say that its files wait (a deployment runs this at every start)."""
    digest = parts_hash(parts)
    waiting = files_waiting(plan.course)
    if waiting is not None and waiting.details.get("hash") == digest:
        return False
    log.record(plan.course.id, None, "files", {"path": plan.path, "hash": digest, "outcome": "kept",
                                               "parts": plan.in_files, "web": plan.on_web})
    return True


def files_waiting(course: Course) -> CourseLogEntry | None:
    """The import that last left this course's web edits in place over changed files, while they still wait:
    the course is still edited on the web and no import came after."""
    if not course.is_edited_on_web:
        return None
    latest = db.session.scalar(sa.select(CourseLogEntry).where(
        CourseLogEntry.course_id == course.id, CourseLogEntry.action == "files")
        .order_by(CourseLogEntry.id.desc()).limit(1))
    return latest if latest is not None and latest.details.get("outcome") == "kept" else None


# --- exporting ---------------------------------------------------------------------------------------------------

def export_zip(course: Course) -> bytes:
    """The course as a course folder `<slug>/...` in a zip, to unpack into courses/ and commit."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as directory, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        root = Path(directory) / course.slug
        write_course_folder(course_to_folder(course), root)
        for file in sorted(root.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(directory).as_posix())
    return buffer.getvalue()


def edited_by(course: Course) -> User | None:
    return log.last_editor(course.id) if course.is_edited_on_web else None

