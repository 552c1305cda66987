"""Use cases for courses and modules: authoring, and import/export of course folders."""
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import selectinload, undefer

from lms.accounts import roles
from lms.accounts.models import Role, User
from lms.core.db import begin_write, get_or_raise, locked, value_taken
from lms.core.edits import check_unchanged
from lms.core.hooks import Registry
from lms.core.i18n import _
from lms.core.models import ValidationError
from lms.courses import log
from lms.courses.files import (
    SLUG_RE,
    CourseFolder,
    ModuleFile,
    media_type,
    write_course_folder,
)
from lms.courses.markdown import course_files_named, render_markdown
from lms.courses.models import Course, CourseAsset, CourseStatus, CourseTrainer, Module
from lms.extensions import db

# Files a learner's browser may fetch from a course folder. Question banks are never served: they hold the key.
SERVED_MEDIA_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}

folder_loaders = Registry("courses.folder_loaders", """Functions (Course, CourseFolder) of the packages above
this one that load their part of a course folder inside the import's transaction (the quizzes package: the
question bank).""")


def files_url(slug: str) -> str:
    """Where relative links in a module point; must match the `course_files.course_file` route."""
    return f"/courses/{slug}/files/"


def render_module(module: Module, slug: str) -> None:
    base = files_url(slug)
    module.html_ar = render_markdown(module.body_ar, base)
    module.html_en = render_markdown(module.body_en, base) if module.body_en.strip() else ""


# --- queries ---------------------------------------------------------------------------------------------

def all_courses() -> list[Course]:
    return list(db.session.scalars(sa.select(Course).order_by(Course.id)))


def _managed_by(user_id: int):
    """Courses a trainer manages: those naming them a trainer, and those naming nobody (shared courses, such as
    the ones loaded from the courses/ folder)."""
    named = sa.select(CourseTrainer.course_id).where(CourseTrainer.course_id == Course.id)
    return sa.or_(sa.exists(named.where(CourseTrainer.user_id == user_id)), ~sa.exists(named))


def managed_courses(user) -> list[Course]:
    """The courses this trainer may edit (administrators: every course)."""
    query = sa.select(Course).order_by(Course.id)
    if user.role != Role.ADMIN:
        query = query.where(_managed_by(user.id))
    return list(db.session.scalars(query))


def may_manage(course: Course, user) -> bool:
    """Administrators edit every course; a trainer the courses they author or are named on (or shared ones)."""
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.TRAINER:
        return False
    return db.session.scalar(sa.select(sa.literal(True)).where(Course.id == course.id, _managed_by(user.id))) or False


def may_see(course: Course, user) -> bool:
    """Learners see published courses only; those who author courses see drafts too."""
    return course.is_published or user.role in roles.AUTHOR_COURSES


def course_by_slug(slug: str, *, with_modules: bool = False, with_bodies: bool = False,
                   with_settings: bool = False) -> Course | None:
    query = sa.select(Course).where(Course.slug == slug)
    if with_settings:  # the quiz and certificate settings, deferred otherwise
        query = query.options(undefer(Course.quiz_settings), undefer(Course.certificate_settings))
    if with_modules or with_bodies:
        modules = selectinload(Course.modules)
        query = query.options(modules.undefer(Module.body_ar).undefer(Module.body_en) if with_bodies else modules)
    return db.session.scalar(query)


def course_file(slug: str, path: str) -> CourseAsset | None:
    return db.session.scalar(
        sa.select(CourseAsset).join(Course).where(Course.slug == slug, CourseAsset.path == path,
                                                  CourseAsset.media_type.in_(SERVED_MEDIA_TYPES))
    )


# --- authoring ---------------------------------------------------------------------------------------------

COURSE_FIELDS = ("slug", "title_ar", "title_en", "summary_ar", "summary_en", "estimated_minutes", "status",
                 "cover_path")
COVER_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def cover_choices(course_id: int) -> list[str]:
    """The course's images that may be its cover (the paths of its files)."""
    return list(db.session.scalars(sa.select(CourseAsset.path).where(
        CourseAsset.course_id == course_id, CourseAsset.media_type.in_(COVER_MEDIA_TYPES)).order_by(CourseAsset.path)))
MODULE_FIELDS = ("title_ar", "title_en", "body_ar", "body_en")


def course_values(course: Course) -> dict:
    return {key: getattr(course, key) for key in COURSE_FIELDS} | {"status": course.status and course.status.value}


def module_values(module: Module) -> dict:
    return {key: getattr(module, key) for key in MODULE_FIELDS}


def save_course(values: dict, course_id: int | None = None, author_id: int | None = None,
                actor_id: int | None = None) -> Course:
    """Create or edit a course; the author of a new course becomes its trainer (administrators are not named).

    The change is logged with its old and new values, by `actor_id` (the author when not given)."""
    begin_write()
    slug = values["slug"].strip().lower()
    if not SLUG_RE.match(slug) or slug == "new":  # "new" is the address of the "new course" form
        raise ValidationError({"slug": _("Use lower-case Latin letters, digits and dashes.")})
    if value_taken(Course.slug, slug, course_id):
        raise ValidationError({"slug": _("Another course already uses this slug.")})
    course = locked(Course, course_id) if course_id is not None else Course()
    if course_id is not None and course.slug != slug and course.modules:
        raise ValidationError({"slug": _("The slug of a course that has modules cannot change.")})
    before = course_values(course) if course_id is not None else {}
    new = {"slug": slug, **{key: (values.get(key) or "").strip()
                            for key in ("title_ar", "title_en", "summary_ar", "summary_en")},
           "status": CourseStatus(values["status"]).value, "estimated_minutes": values.get("estimated_minutes") or 0}
    if "cover_path" in values:
        new["cover_path"] = values["cover_path"] or None
        if new["cover_path"] is not None and (course_id is None or new["cover_path"] not in cover_choices(course_id)):
            raise ValidationError({"cover_path": _("Choose one of the course's images.")})
    if course_id is not None:
        check_unchanged(values.get("seen"), before, {**before, **new},
                        lambda since: log.last_change(course_id, ("course",), since))
    for key, value in new.items():
        setattr(course, key, CourseStatus(value) if key == "status" else value)
    if course_id is None and author_id is not None:
        course.trainers.append(CourseTrainer(user_id=author_id))
    db.session.add(course)
    db.session.flush()
    changed = log.changes(before, course_values(course), COURSE_FIELDS)
    if changed:
        log.web_edit(course.id, actor_id or author_id, "course", {"changed": changed, "created": course_id is None})
    db.session.commit()
    return course


def save_module(course_id: int, values: dict, module_id: int | None = None, actor_id: int | None = None) -> Module:
    begin_write()
    course = get_or_raise(Course, course_id)
    if module_id is None:
        module = Module(course=course, position=course.module_count + 1,
                        file_name=_free_file_name(course, values["title_en"]))
        course.module_count += 1
        before = {}
    else:
        module = locked(Module, module_id)
        if module.course_id != course_id:
            raise ValidationError({"": _("This module belongs to another course.")})
        before = module_values(module)
    new = {key: (values.get(key) or "").strip() for key in MODULE_FIELDS}
    if module_id is not None:
        check_unchanged(values.get("seen"), before, new, lambda since: log.last_change(
            course_id, ("module", "files"), since, lambda details: details.get("module") in (None, module.file_name)))
    for key, value in new.items():
        setattr(module, key, value)
    render_module(module, course.slug)
    db.session.add(module)
    db.session.flush()
    changed = log.excerpts(log.changes(before, module_values(module), MODULE_FIELDS))
    if changed:
        log.web_edit(course.id, actor_id, "module", {"module": module.file_name, "changed": changed,
                                                     "op": "added" if module_id is None else "edited"})
    db.session.commit()
    return module


def _locked_course(course_id: int) -> tuple[Course, list[Module]]:
    """The course locked for this write and its modules read afresh after the lock, so that two editors moving
    modules at once take turns instead of numbering from the same stale order."""
    course = locked(Course, course_id)
    db.session.expire(course, ["modules"])
    modules = list(db.session.scalars(sa.select(Module).where(Module.course_id == course_id)
                                      .order_by(Module.position).execution_options(populate_existing=True)))
    return course, modules


def move_module(course_id: int, module_id: int, offset: int, actor_id: int | None = None) -> int:
    """Move a module up (-1) or down (+1) in its course; learners' progress stays with the module. Its new
    position (1, 2, 3...)."""
    begin_write()
    course, order = _locked_course(course_id)
    index = next((i for i, m in enumerate(order) if m.id == module_id), None)
    if index is None:
        raise LookupError(module_id)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
        _place_modules(course, order)
        log.web_edit(course.id, actor_id, "module", {"module": order[target].file_name, "op": "moved",
                                                     "changed": {"position": [index + 1, target + 1]}})
    else:
        target = index
    db.session.commit()
    return target + 1


def reorder_modules(course_id: int, module_ids: list[int], actor_id: int | None = None) -> None:
    """Put the course's modules in this order: `module_ids` must be exactly the course's modules, each once
    (ValidationError otherwise, and nothing changes). A web edit, logged with the order before and after."""
    begin_write()
    course, current = _locked_course(course_id)
    by_id = {m.id: m for m in current}
    if len(module_ids) != len(set(module_ids)) or set(module_ids) != set(by_id):
        raise ValidationError({"": _("The list of modules has changed since the page was opened: reload the page "
                                     "and try again.")})
    ordered = [by_id[i] for i in module_ids]
    if ordered != current:
        before = [m.file_name for m in current]
        _place_modules(course, ordered)
        log.web_edit(course.id, actor_id, "module", {"op": "reordered", "changed": {
            "order": [before, [m.file_name for m in ordered]]}})
    db.session.commit()


def delete_module(course_id: int, module_id: int, actor_id: int | None = None) -> None:
    """Remove a module and learners' completions of it; the modules after it move up."""
    begin_write()
    course = get_or_raise(Course, course_id)
    remaining = [m for m in course.modules if m.id != module_id]
    if len(remaining) == len(course.modules):
        raise LookupError(module_id)
    gone = next(m for m in course.modules if m.id == module_id)
    details = {"module": gone.file_name, "op": "deleted", "changed": {
        "title_ar": [gone.title_ar, None], "title_en": [gone.title_en, None]}}
    _place_modules(course, remaining)
    log.web_edit(course.id, actor_id, "module", details)
    db.session.commit()


def _place_modules(course: Course, ordered: list[Module]) -> None:
    """Make `ordered` the course's modules, numbered from 1; the ones left out are deleted."""
    # Park current positions out of the way first: (course_id, position) is unique at every flush.
    for module in course.modules:
        module.position = -module.id
    db.session.flush()
    for position, module in enumerate(ordered, start=1):
        module.position = position
    course.modules = ordered
    course.module_count = len(ordered)


def _free_file_name(course: Course, title: str) -> str:
    stem = "-".join("".join(c if c.isascii() and c.isalnum() else " " for c in title.lower()).split())[:40]
    taken = set(db.session.scalars(sa.select(Module.file_name).where(Module.course_id == course.id)))
    number = course.module_count + 1
    while True:
        name = f"{number:02d}-{stem or 'module'}.md"
        if name not in taken:
            return name
        number += 1


def missing_files(course_id: int, *texts: str) -> list[str]:
    """The files these Markdown texts point at that the course does not have (learners would find them missing)."""
    named = list(dict.fromkeys(path for text in texts for path in course_files_named(text or "")))
    if not named:
        return []
    held = set(db.session.scalars(sa.select(CourseAsset.path).where(CourseAsset.course_id == course_id,
                                                                     CourseAsset.path.in_(named))))
    return [path for path in named if path not in held]


def preview_markdown(text: str, slug: str) -> str:
    return render_markdown(text, files_url(slug))


# --- course folders ------------------------------------------------------------------------------------------

def import_course_folders(paths: list[Path], **options) -> list[Course]:
    """Import every course under `paths`, all or nothing; re-importing updates by slug and keeps progress.

    Files changed over a course edited on the web raise ImportConflict unless told otherwise (see sync.py).
    """
    from lms.courses.sync import import_folders

    return [done.course for done in import_folders(paths, **options) if done.course is not None]


def upsert_course(folder: CourseFolder) -> Course:
    """Make the course what its folder says (inside the import's transaction)."""
    course = course_by_slug(folder.slug, with_modules=True) or Course(slug=folder.slug)
    course.title_ar, course.title_en = folder.title["ar"], folder.title["en"]
    course.summary_ar, course.summary_en = folder.summary["ar"], folder.summary["en"]
    course.status = CourseStatus(folder.status)
    course.estimated_minutes = folder.estimated_minutes
    course.quiz_settings = folder.quiz
    course.certificate_settings = folder.certificate
    course.cover_path = folder.cover
    if folder.trainers is not None:
        _name_trainers(course, folder.trainers)
    db.session.add(course)

    existing = {m.file_name: m for m in course.modules}
    kept = []
    for data in folder.modules:
        module = existing.pop(data.file_name, None) or Module(file_name=data.file_name)
        module.title_ar, module.title_en = data.title["ar"], data.title["en"]
        module.body_ar, module.body_en = data.body["ar"], data.body.get("en", "")
        render_module(module, course.slug)
        kept.append(module)
    _place_modules(course, kept)  # modules gone from the folder are deleted, with their completions

    current_assets = {a.path: a for a in course.assets}
    course.assets = [
        _asset(current_assets.get(path), path, content) for path, content in sorted(folder.assets.items())
    ]
    db.session.flush()
    for load in folder_loaders.entries():
        load(course, folder)
    return course


def _name_trainers(course: Course, usernames: list[str]) -> None:
    """The trainers course.yaml names, among the active trainer accounts. A name with no such account is left out
    rather than refused: course files are often loaded before the accounts exist (`make run`); the course is then
    shared, as one naming nobody is."""
    ids = db.session.scalars(sa.select(User.id).where(
        User.username.in_(usernames), User.role == Role.TRAINER, User.is_active.is_(True)))
    kept = {t.user_id: t for t in course.trainers}
    course.trainers = [kept.get(user_id) or CourseTrainer(user_id=user_id) for user_id in ids]


def _asset(asset: CourseAsset | None, path: str, content: bytes) -> CourseAsset:
    asset = asset or CourseAsset(path=path)
    asset.media_type = media_type(path)
    asset.content = content
    return asset


def course_to_folder(course: Course) -> CourseFolder:
    return CourseFolder(
        slug=course.slug,
        title={"ar": course.title_ar, "en": course.title_en},
        summary={"ar": course.summary_ar, "en": course.summary_en},
        status=course.status.value,
        estimated_minutes=course.estimated_minutes,
        quiz=course.quiz_settings or {},
        certificate=course.certificate_settings or {},
        modules=[
            ModuleFile(file_name=m.file_name, title={"ar": m.title_ar, "en": m.title_en},
                       body={"ar": m.body_ar, **({"en": m.body_en} if m.body_en else {})})
            for m in course.modules
        ],
        assets={a.path: a.content for a in course.assets},
        trainers=_trainer_usernames(course.id) or None,
        cover=course.cover_path,
    )


def _trainer_usernames(course_id: int) -> list[str]:
    return sorted(db.session.scalars(sa.select(User.username).join(CourseTrainer, CourseTrainer.user_id == User.id)
                                     .where(CourseTrainer.course_id == course_id)))


def export_course(slug: str, directory: Path) -> Path:
    course = course_by_slug(slug, with_bodies=True)
    if course is None:
        raise ValidationError({"slug": _("No course has the slug %(slug)s.", slug=slug)})
    target = directory / course.slug
    write_course_folder(course_to_folder(course), target)
    return target
