"""Course folders: the real courses import, export then import is lossless, bad folders import nothing."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask_babel import force_locale

from lms.courses import services
from lms.courses.files import CourseFileError, read_course_folder
from lms.courses.models import Course, Module
from lms.progress.models import ModuleCompletion
from lms.progress.services import complete_module, enroll
from tests import factories
from tests.conftest import PROJECT_ROOT

COURSES = PROJECT_ROOT / "courses"


def _copy(tmp_path: Path, slug: str = "serving-citizens") -> Path:
    target = tmp_path / "src" / slug
    shutil.copytree(COURSES / slug, target)
    return target


def test_the_shipped_courses_are_real_and_complete():
    slugs = []
    for folder in sorted(p for p in COURSES.iterdir() if (p / "course.yaml").exists()):
        course = read_course_folder(folder)
        slugs.append(course.slug)
        assert len(course.modules) >= 4
        assert all(m.title["ar"] and m.title["en"] and m.body.get("en") for m in course.modules)
        quiz = course.assets[course.quiz["file"]].decode()
        questions = [block for block in quiz.split("\n\n") if "{" in block]
        assert len(questions) >= 15
    assert len(slugs) >= 3


def test_import_command_loads_every_course(runner, db):
    result: Result = runner.invoke(args=["courses", "import", str(COURSES)])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) >= 3
    course = services.course_by_slug("serving-citizens", with_modules=True)
    assert [m.position for m in course.modules] == list(range(1, course.module_count + 1))
    assert "<h2>" in course.modules[0].html_ar and course.modules[0].html_en


def test_export_then_import_is_lossless(runner, db, tmp_path):
    services.import_course_folders([COURSES])
    for slug in ("serving-citizens", "digital-services-workflow", "information-security-privacy"):
        before = services.course_to_folder(services.course_by_slug(slug, with_modules=True))
        result = runner.invoke(args=["courses", "export", slug, str(tmp_path / "out")])
        assert result.exit_code == 0, result.output
        assert read_course_folder(tmp_path / "out" / slug) == before
        services.import_course_folders([tmp_path / "out" / slug])
        db.session.expire_all()
        assert services.course_to_folder(services.course_by_slug(slug, with_modules=True)) == before


def test_reimport_updates_by_slug_and_keeps_progress(db, tmp_path):
    folder = _copy(tmp_path)
    [course] = services.import_course_folders([folder])
    learner = factories.UserFactory()
    enroll(learner.id, course)
    complete_module(learner.id, course, 2)
    second_module_id = course.modules[1].id

    # The trainer reorders modules and renames the course.
    yaml_file = folder / "course.yaml"
    text = yaml_file.read_text()
    modules_line = next(line for line in text.splitlines() if line.startswith("modules:"))
    names = [n.strip() for n in modules_line.split("[", 1)[1].rstrip("]").split(",")]
    reordered = [names[1], names[0], *names[2:]]
    yaml_file.write_text(text.replace(modules_line, f"modules: [{', '.join(reordered)}]"))
    [again] = services.import_course_folders([folder])

    assert again.id == course.id
    moved = db.session.get(Module, second_module_id)
    assert moved.position == 1
    assert db.session.scalar(sa.select(ModuleCompletion).where(ModuleCompletion.module_id == second_module_id))


def _break(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


BAD_FOLDERS = [
    # (what is broken, how, expected file, expected line or None, words in the reason)
    ("yaml syntax", lambda f: _break(f, "course.yaml", "title:", "title: [unclosed\nx:"), "course.yaml", None,
     "invalid YAML"),
    ("unknown key", lambda f: _break(f, "course.yaml", "status:", "colour: red\nstatus:"), "course.yaml", None,
     "unknown key colour"),
    ("bad slug", lambda f: _break(f, "course.yaml", 'slug: "serving-citizens"', 'slug: "Serving Citizens"'),
     "course.yaml", 1, "slug"),
    ("missing module", lambda f: (f / "modules" / "02-courtesy-and-conduct.md").unlink(), "course.yaml", None,
     "not found"),
    ("no front matter", lambda f: _break(f, "modules/01-welcome.md", "---\n", ""), "modules/01-welcome.md", 1,
     "front matter"),
    ("module title", lambda f: _break(f, "modules/01-welcome.md", "title:", "titel:"), "modules/01-welcome.md", 2,
     "unknown key titel"),
    ("pass mark", lambda f: _break(f, "course.yaml", "pass_mark: 70", "pass_mark: 170"), "course.yaml", None,
     "pass_mark"),
    ("certificate language", lambda f: _break(f, "course.yaml", "{validity_months: 24}",
                                              "{validity_months: 24, language: fr}"), "course.yaml", None,
     "certificate.language"),
    ("quiz file", lambda f: (f / "quiz.gift").unlink(), "course.yaml", None, "quiz file quiz.gift not found"),
    ("file type", lambda f: (f / "run.sh").write_text("echo"), "run.sh", None, "not accepted"),
    ("image among modules", lambda f: (f / "modules" / "a.png").write_bytes(b"x"), "modules/a.png", None,
     "only module files"),
    ("unlisted module", lambda f: (f / "modules" / "99-extra.md").write_text("---\ntitle: {ar: a, en: b}\n---\n"),
     "modules/99-extra.md", None, "not listed"),
]


@pytest.mark.parametrize("name,damage,file,line,reason", BAD_FOLDERS, ids=[b[0] for b in BAD_FOLDERS])
def test_a_bad_course_gives_file_line_and_reason_and_imports_nothing(runner, db, tmp_path, name, damage, file,
                                                                   line, reason):
    good = _copy(tmp_path, "information-security-privacy")
    bad = _copy(tmp_path, "serving-citizens")
    damage(bad)
    with force_locale("en"):
        result = runner.invoke(args=["courses", "import", str(good.parent)])
    assert result.exit_code != 0
    assert f"serving-citizens/{file}" in result.output
    assert reason in result.output
    if line:
        assert f"{file}, line {line}:" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Course)) == 0


def test_yaml_errors_report_the_line(tmp_path):
    folder = _copy(tmp_path)
    _break(folder, "course.yaml", "status:", "status: [oops\nstatus:")
    with pytest.raises(CourseFileError) as error:
        read_course_folder(folder)
    [problem] = error.value.problems
    expected = next(i for i, line in enumerate((folder / "course.yaml").read_text().splitlines(), 1)
                    if "[oops" in line)
    assert problem.line is not None and abs(problem.line - expected) <= 1


def test_question_banks_are_never_served_to_browsers(client, auth, db):
    services.import_course_folders([COURSES / "serving-citizens"])
    auth.as_role("learner")
    assert client.get("/courses/serving-citizens/files/quiz.gift").status_code == 404


def test_problems_are_reported_in_arabic_by_default(runner, db, tmp_path):
    folder = _copy(tmp_path)
    _break(folder, "course.yaml", "status:", "colour: red\nstatus:")
    result = runner.invoke(args=["courses", "import", str(folder)])
    assert result.exit_code != 0 and "مفتاح غير معروف: colour" in result.output


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_module_images_come_from_the_course_folder(client, auth, db, tmp_path):
    folder = _copy(tmp_path)
    (folder / "images").mkdir()
    (folder / "images" / "queue.png").write_bytes(PNG)
    _break(folder, "modules/01-welcome.md", "\n## ", "\n![الطابور](images/queue.png)\n\n## ")
    services.import_course_folders([folder])
    auth.as_role("learner")
    client.post("/courses/serving-citizens/enrollment")
    assert 'src="/courses/serving-citizens/files/images/queue.png"' in client.get(
        "/courses/serving-citizens/modules/1").text
    image = client.get("/courses/serving-citizens/files/images/queue.png")
    assert image.status_code == 200 and image.data == PNG and image.mimetype == "image/png"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/courses/serving-citizens/files/images/none.png").status_code == 404
