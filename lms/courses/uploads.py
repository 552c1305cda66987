"""A course's files on the web: the images and documents its modules show, added and removed by its trainers.

Adding or removing one is a web edit like a module's (the next import from changed files does not overwrite it
unless forced), logged, and exported with the course folder."""
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import sqlalchemy as sa
from flask_babel import force_locale

from lms.core.db import begin_write, locked
from lms.core.i18n import _, isolated, pick_language
from lms.core.models import ValidationError
from lms.courses import log
from lms.courses.files import MAX_ASSET_BYTES, SIGNATURES, is_of_type, media_type
from lms.courses.markdown import course_files_named
from lms.courses.models import Course, CourseAsset, Module
from lms.courses.services import SERVED_MEDIA_TYPES
from lms.extensions import db

FOLDER = "files"  # where files added on the web go in the course folder


@dataclass
class CourseFile:
    path: str
    media_type: str
    size: int
    is_cover: bool = False
    shown_by: list[Module] = field(default_factory=list)  # the modules that show or link to it

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


def course_files(course: Course) -> list[CourseFile]:
    """The course's images and documents (not its question banks), by path, with the modules that use each."""
    rows = db.session.execute(
        sa.select(CourseAsset.path, CourseAsset.media_type, sa.func.length(CourseAsset.content))
        .where(CourseAsset.course_id == course.id, CourseAsset.media_type.in_(SERVED_MEDIA_TYPES))
        .order_by(CourseAsset.path)).all()
    files = {path: CourseFile(path, kind, size or 0, is_cover=path == course.cover_path) for path, kind, size in rows}
    for module in _modules(course.id):
        for path in _named(module):
            if path in files:
                files[path].shown_by.append(module)
    return list(files.values())


def add_file(course_id: int, file_name: str, content: bytes, *, replace: bool = False,
             actor_id: int | None = None) -> str:
    """Add an image or PDF to the course under files/; its path. ValidationError (nothing changes) for another
    kind of file, one too large or not what its name says, or a name the course already has unless `replace`."""
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower()
    if suffix not in SIGNATURES:
        raise ValidationError({"file": _("Choose a PNG, JPEG, GIF or WebP image or a PDF document.")})
    if len(content) > MAX_ASSET_BYTES:
        raise ValidationError({"file": _("The file is larger than 5 MB.")})
    if not is_of_type(suffix, content):
        raise ValidationError({"file": _("The file is not a valid %(type)s file: it may be damaged, or of another "
                                         "type than its name says.", type=suffix.lstrip(".").upper())})
    if replace and _latin_stem(file_name) is None:
        raise ValidationError({"file": _("A file named in other than Latin letters gets a new name, so it replaces "
                                         "nothing: to replace one of the course's files, name the new one as it is "
                                         "named here (image-1.png for files/image-1.png).")})
    begin_write()
    course = locked(Course, course_id)  # two uploads of one name take turns
    taken = set(db.session.scalars(sa.select(CourseAsset.path).where(CourseAsset.course_id == course_id)))
    path = _path_for(file_name, suffix, taken)
    twin = next((other for other, held in db.session.execute(
        sa.select(CourseAsset.path, CourseAsset.content).where(
            CourseAsset.course_id == course_id, sa.func.length(CourseAsset.content) == len(content)))
        if held == content and other != path), None)
    if twin is not None:  # the same picture twice, under two names (an Arabic name gets a new one each time)
        raise ValidationError({"file": _("This file is already in the course, as %(path)s.",
                                         path=isolated(twin))})
    existing = db.session.scalar(sa.select(CourseAsset).where(CourseAsset.course_id == course_id,
                                                              CourseAsset.path == path))
    if existing is not None and not replace:
        raise ValidationError({"file": _("The course already has a file named %(path)s. Tick “Replace the file of "
                                         "the same name” to put this one in its place.", path=isolated(path))})
    asset = existing or CourseAsset(course_id=course.id, path=path)
    asset.media_type, asset.content = media_type(path), content
    db.session.add(asset)
    log.web_edit(course.id, actor_id, "file", {"file": path, "op": "replaced" if existing else "added",
                                               "size": len(content)})
    db.session.commit()
    return path


def remove_file(course_id: int, path: str, *, confirmed: bool = False, actor_id: int | None = None) -> None:
    """Remove one of the course's images or documents. Refused (ValidationError) while it is the cover, and while
    modules show it unless `confirmed`; LookupError when the course has no such file."""
    begin_write()
    course = locked(Course, course_id)
    asset = db.session.scalar(sa.select(CourseAsset).where(
        CourseAsset.course_id == course_id, CourseAsset.path == path,
        CourseAsset.media_type.in_(SERVED_MEDIA_TYPES)))
    if asset is None:
        raise LookupError(path)
    if course.cover_path == path:
        raise ValidationError({"": _("This image is the course's cover: choose another cover, or none, on the "
                                     "course's page first.")})
    shown_by = [m for m in _modules(course_id) if path in _named(m)]
    if shown_by and not confirmed:
        titles = log.list_text([isolated(pick_language(m, "title")) for m in shown_by])
        raise ValidationError({"": _("Nothing was removed: these modules show the file: %(modules)s. Tick the box "
                                     "to remove it all the same.", modules=titles)})
    db.session.delete(asset)
    log.web_edit(course.id, actor_id, "file", {"file": path, "op": "removed", "size": len(asset.content)})
    db.session.commit()


def placeholders_in(*texts: str) -> list[str]:
    """The Files page's stand-in words ("description of the picture"...) left in a module's Markdown, in either
    language: learners would see them as a link's name, and screen readers read them as the picture."""
    words = set()
    for lang in ("ar", "en"):
        with force_locale(lang):
            words |= {f"[{_('description of the picture')}]", f"[{_('title of the document')}]"}
    return sorted(word for word in words if any(word in (text or "") for text in texts))


_UNDESCRIBED_IMAGE = re.compile(r"!\[\s*\]\(\s*<?([^)\s>]+)")


def undescribed_images(*texts: str) -> list[str]:
    """The images a module shows with no description (![](files/map.png)): a screen reader says nothing of them,
    or their file name."""
    return sorted({match for text in texts for match in _UNDESCRIBED_IMAGE.findall(text or "")})


def _modules(course_id: int) -> list[Module]:
    return list(db.session.scalars(sa.select(Module).where(Module.course_id == course_id).order_by(Module.position)))


def _named(module: Module) -> set[str]:
    return set(course_files_named(module.body_ar or "")) | set(course_files_named(module.body_en or ""))


def _latin_stem(file_name: str) -> str | None:
    """The uploaded name in Latin letters, digits and dashes ("Office Map.PNG" -> "office-map"); None for a name
    in another script."""
    stem = PurePosixPath(file_name.replace("\\", "/")).stem.lower()
    if not (stem.isascii() and any(c.isalnum() for c in stem)):
        return None
    return "-".join("".join(c if c.isalnum() else " " for c in stem).split())[:60]


def _path_for(file_name: str, suffix: str, taken: set[str]) -> str:
    """files/<the name in Latin letters>; a name in another script (Arabic) gets a free numbered one,
    "image-2.png", since links to it are copied from the files page, not typed."""
    if stem := _latin_stem(file_name):
        return f"{FOLDER}/{stem}{suffix}"
    base = "document" if suffix == ".pdf" else "image"
    number = 1
    while f"{FOLDER}/{base}-{number}{suffix}" in taken:
        number += 1
    return f"{FOLDER}/{base}-{number}{suffix}"
