"""The course folder format (see courses/README.md): read and write it, with no database involved.

Reading checks everything and reports each problem as (file, line, reason), so that an import can refuse
a bad course before it changes anything.
"""
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from lms.core.hooks import Registry
from lms.core.i18n import _, localize_digits

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
MODULE_FILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.md$")
ASSET_SUFFIXES = {".gift", ".xml", ".txt", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf"}
MAX_ASSET_BYTES = 5 * 1024 * 1024
# A cover is shown small on every course card: a photo this size is plenty, and a larger one slows the catalogue.
MAX_COVER_BYTES = 1024 * 1024
COVER_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
                    ".gif": (b"GIF87a", b"GIF89a"), ".webp": (b"RIFF",)}
SIGNATURES = COVER_SIGNATURES | {".pdf": (b"%PDF-",)}
COURSE_KEYS = {"slug", "title", "summary", "estimated_minutes", "status", "modules", "quiz", "certificate",
               "trainers", "cover"}
LANGS = ("ar", "en")

folder_checks = Registry("courses.folder_checks", """Functions (CourseFolder) -> list[Problem] of the packages
above this one, each checking its own blocks (the quizzes package: `quiz:` and the question bank), so that a bad
folder imports nothing.""")


@dataclass
class Problem:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        if self.line:
            return _("%(file)s, line %(line)s: %(reason)s", file=self.file, line=localize_digits(self.line),
                     reason=self.reason)
        return f"{self.file}: {self.reason}"


class CourseFileError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class ModuleFile:
    file_name: str
    title: dict[str, str]
    body: dict[str, str]  # "ar" always, "en" when <name>.en.md exists


@dataclass
class CourseFolder:
    slug: str
    title: dict[str, str]
    summary: dict[str, str]
    status: str
    estimated_minutes: int
    quiz: dict
    certificate: dict
    modules: list[ModuleFile] = field(default_factory=list)
    assets: dict[str, bytes] = field(default_factory=dict)  # relative path -> content
    trainers: list[str] | None = None  # usernames of the trainers who edit it; None: not said (shared)
    cover: str | None = None  # the path of one of `assets`, an image shown on the course's card


def find_course_folders(paths: list[Path]) -> list[Path]:
    """A folder with course.yaml is a course; any other folder is searched one level down."""
    found = []
    for path in paths:
        if (path / "course.yaml").is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if (p / "course.yaml").is_file()))
    return found


def is_of_type(suffix: str, content: bytes) -> bool:
    """Whether `content` starts as a file of this suffix does (".png", ".pdf"...: those of SIGNATURES)."""
    return content.startswith(SIGNATURES[suffix]) and (suffix != ".webp" or content[8:12] == b"WEBP")


def media_type(path: str) -> str:
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


class _Reader:
    """Collects every problem of one course folder instead of stopping at the first."""

    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []

    def problem(self, file: Path | str, line: int | None, reason: str) -> None:
        name = str(file.relative_to(self.root.parent)) if isinstance(file, Path) else file
        self.problems.append(Problem(name, line, reason))

    def load_yaml(self, file: Path, text: str, first_line: int = 1):
        """The parsed mapping and the line of each top-level key (1-based, in the file)."""
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + first_line if mark else None
            self.problem(file, line, _("invalid YAML: %(reason)s", reason=error.problem or error.context))
            return None, {}
        if not isinstance(data, dict):
            self.problem(file, first_line, _("expected a mapping of keys and values"))
            return None, {}
        lines = {key.value: key.start_mark.line + first_line for key, _v in node.value}
        return data, lines

    def bilingual(self, file, line, value, name: str, required: bool) -> dict[str, str]:
        if value is None and not required:
            return {"ar": "", "en": ""}
        if not isinstance(value, dict) or not all(isinstance(value.get(k), str) for k in LANGS):
            self.problem(file, line, _("%(key)s must have both \"ar\" and \"en\" texts", key=name))
            return {"ar": "", "en": ""}
        if required and not all(value[k].strip() for k in LANGS):
            self.problem(file, line, _("%(key)s must not be empty", key=name))
        return {k: value[k].strip() for k in LANGS}


def read_course_folder(root: Path) -> CourseFolder:
    reader = _Reader(root)
    yaml_file = root / "course.yaml"
    data, lines = reader.load_yaml(yaml_file, yaml_file.read_text(encoding="utf-8"))
    if data is None:
        raise CourseFileError(reader.problems)

    for key in sorted(set(data) - COURSE_KEYS):
        reader.problem(yaml_file, lines.get(key), _("unknown key %(key)s", key=key))
    slug = data.get("slug")
    if not isinstance(slug, str) or not SLUG_RE.match(slug):
        reader.problem(yaml_file, lines.get("slug", 1),
                       _("slug must be lower-case Latin letters, digits and dashes"))
    title = reader.bilingual(yaml_file, lines.get("title", 1), data.get("title"), "title", True)
    summary = reader.bilingual(yaml_file, lines.get("summary"), data.get("summary"), "summary", False)
    status = data.get("status", "published")
    if status not in ("published", "draft"):
        reader.problem(yaml_file, lines.get("status"), _("status must be published or draft"))
    minutes = data.get("estimated_minutes", 0)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 100_000:
        reader.problem(yaml_file, lines.get("estimated_minutes"), _("estimated_minutes must be a whole number"))
        minutes = 0

    quiz = data.get("quiz") or {}
    if not isinstance(quiz, dict):
        reader.problem(yaml_file, lines.get("quiz"), _("quiz must be a mapping"))
        quiz = {}
    certificate = data.get("certificate") or {}
    months = certificate.get("validity_months", 0) if isinstance(certificate, dict) else None
    if not isinstance(months, int) or isinstance(months, bool) or months < 0:
        reader.problem(yaml_file, lines.get("certificate"),
                       _("certificate.validity_months must be a whole number, 0 for never"))
        certificate = {}
    elif certificate.get("language", "both") not in ("ar", "en", "both"):
        reader.problem(yaml_file, lines.get("certificate"), _("certificate.language must be ar, en or both"))
        certificate = {}
    elif not _whole(certificate.get("renewal_days", 30), 0, 3650):
        reader.problem(yaml_file, lines.get("certificate"),
                       _("certificate.renewal_days must be a whole number of days before expiry"))
        certificate = {}

    trainers = data.get("trainers")
    if trainers is not None and (not isinstance(trainers, list) or not all(isinstance(t, str) for t in trainers)):
        reader.problem(yaml_file, lines.get("trainers"), _("trainers must list usernames"))
        trainers = None

    modules = _read_modules(reader, root, data.get("modules"), lines.get("modules", 1))
    assets = _read_assets(reader, root, {m.file_name for m in modules})
    cover = _check_cover(reader, yaml_file, lines.get("cover"), data.get("cover"), assets)
    if reader.problems:
        raise CourseFileError(reader.problems)
    folder = CourseFolder(slug=slug, title=title, summary=summary, status=status, estimated_minutes=minutes,
                          quiz=quiz, certificate=certificate, modules=modules, assets=assets,
                          trainers=[t.strip().lower() for t in trainers] if trainers is not None else None,
                          cover=cover)
    for check in folder_checks.entries():
        reader.problems.extend(check(folder))
    if reader.problems:
        raise CourseFileError(reader.problems)
    return folder


def _check_cover(reader: _Reader, yaml_file: Path, line: int | None, cover, assets: dict[str, bytes]) -> str | None:
    """`cover:` names an image of the folder (PNG, JPEG, GIF or WebP, at most 1 MB), or is left out."""
    if cover is None:
        return None
    if not isinstance(cover, str) or not cover.strip():
        reader.problem(yaml_file, line, _("cover must be the path of an image in the course folder"))
        return None
    cover = cover.strip().removeprefix("./")
    suffix = Path(cover).suffix.lower()
    if suffix not in COVER_SIGNATURES:
        reader.problem(yaml_file, line, _("the cover %(path)s must be a PNG, JPEG, GIF or WebP image", path=cover))
    elif cover not in assets:
        reader.problem(yaml_file, line, _("the cover %(path)s is not in the course folder", path=cover))
    elif len(assets[cover]) > MAX_COVER_BYTES:
        reader.problem(yaml_file, line, _("the cover %(path)s is larger than 1 MB", path=cover))
    elif not is_of_type(suffix, assets[cover]):
        reader.problem(yaml_file, line, _("the cover %(path)s is not a valid image of its type", path=cover))
    else:
        return cover
    return None


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _read_modules(reader: _Reader, root: Path, listed, line: int) -> list[ModuleFile]:
    yaml_file = root / "course.yaml"
    if not isinstance(listed, list) or not listed or not all(isinstance(n, str) for n in listed):
        reader.problem(yaml_file, line, _("modules must list at least one module file"))
        return []
    modules = []
    for name in listed:
        path = root / "modules" / name
        if not MODULE_FILE_RE.match(name) or name.endswith(".en.md"):
            reader.problem(yaml_file, line, _("bad module file name %(name)s", name=name))
        elif listed.count(name) > 1:
            reader.problem(yaml_file, line, _("module %(name)s is listed twice", name=name))
        elif not path.is_file():
            reader.problem(yaml_file, line, _("module file %(name)s not found", name=f"modules/{name}"))
        else:
            modules.append(_read_module(reader, path))
    for path in sorted((root / "modules").iterdir()):
        base = path.name.removesuffix(".en.md") + ".md" if path.name.endswith(".en.md") else path.name
        if path.name.startswith("."):
            continue
        if path.suffix != ".md" or not path.is_file():
            reader.problem(path, None, _("only module files go in modules/; put images in another folder"))
        elif base not in listed:
            reader.problem(path, None, _("this file is not listed in course.yaml modules"))
    return [m for m in modules if m is not None]


def _read_module(reader: _Reader, path: Path) -> ModuleFile | None:
    text = path.read_text(encoding="utf-8")
    match = re.match(r"---\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        reader.problem(path, 1, _("the file must start with front matter between --- lines"))
        return None
    front, lines = reader.load_yaml(path, match.group(1), first_line=2)
    if front is None:
        return None
    for key in sorted(set(front) - {"title"}):
        reader.problem(path, lines.get(key), _("unknown key %(key)s", key=key))
    title = reader.bilingual(path, lines.get("title", 2), front.get("title"), "title", True)
    body = {"ar": text[match.end():].strip("\n") + "\n"}
    english = path.with_name(path.name.removesuffix(".md") + ".en.md")
    if english.is_file():
        body["en"] = english.read_text(encoding="utf-8").strip("\n") + "\n"
    return ModuleFile(file_name=path.name, title=title, body=body)


def _read_assets(reader: _Reader, root: Path, module_files: set[str]) -> dict[str, bytes]:
    assets = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if (not path.is_file() or relative == "course.yaml" or relative.startswith("modules/")
                or any(part.startswith(".") for part in path.relative_to(root).parts)):
            continue
        if path.suffix.lower() not in ASSET_SUFFIXES:
            reader.problem(path, None, _("files of this type are not accepted in a course folder"))
        elif path.stat().st_size > MAX_ASSET_BYTES:
            reader.problem(path, None, _("the file is larger than 5 MB"))
        else:
            assets[relative] = path.read_bytes()
    return assets


def write_course_folder(course: CourseFolder, root: Path) -> None:
    """Write `course` in the folder format; reading it back gives the same CourseFolder."""
    (root / "modules").mkdir(parents=True, exist_ok=True)
    data = {"slug": course.slug, "title": course.title, "summary": course.summary,
            "estimated_minutes": course.estimated_minutes, "status": course.status,
            "modules": [m.file_name for m in course.modules]}
    if course.quiz:
        data["quiz"] = course.quiz
    if course.certificate:
        data["certificate"] = course.certificate
    if course.trainers:
        data["trainers"] = course.trainers
    if course.cover:
        data["cover"] = course.cover
    _dump = {"allow_unicode": True, "sort_keys": False, "width": 1000}
    (root / "course.yaml").write_text(yaml.safe_dump(data, **_dump), encoding="utf-8")
    for module in course.modules:
        front = yaml.safe_dump({"title": module.title}, **_dump)
        (root / "modules" / module.file_name).write_text(f"---\n{front}---\n{module.body['ar']}", encoding="utf-8")
        if module.body.get("en"):
            english = module.file_name.removesuffix(".md") + ".en.md"
            (root / "modules" / english).write_text(module.body["en"], encoding="utf-8")
    for relative, content in course.assets.items():
        if relative.startswith("/") or ".." in relative.split("/"):
            raise ValueError(f"unsafe asset path {relative!r}")
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
