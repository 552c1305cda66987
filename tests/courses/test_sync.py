"""Course files and web edits together: unchanged files import nothing, changed files over web edits stop with a
report unless forced or kept, web edits are logged with old and new values, the exported folder imports back."""
import io
import shutil
import zipfile
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from lms.courses import log, services, sync
from lms.courses.models import Course, CourseLogEntry, CourseTrainer
from lms.quizzes import authoring
from lms.quizzes.models import Question
from tests import factories
from tests.conftest import PROJECT_ROOT

COURSES = PROJECT_ROOT / "courses"
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _copy(tmp_path: Path, slug: str = "serving-citizens") -> Path:
    target = tmp_path / "src" / slug
    shutil.copytree(COURSES / slug, target)
    return target


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def _course(slug: str = "serving-citizens") -> Course:
    return services.course_by_slug(slug, with_modules=True, with_settings=True)


def _log(course: Course, action: str | None = None) -> list[CourseLogEntry]:
    query = sa.select(CourseLogEntry).where(CourseLogEntry.course_id == course.id).order_by(CourseLogEntry.id)
    return list(sa_session().scalars(query.where(CourseLogEntry.action == action) if action else query))


def _import(runner, *args):
    with force_locale("en"):
        return runner.invoke(args=["courses", "import", *map(str, args)])


def sa_session():
    from lms.extensions import db
    return db.session


@contextmanager
def _writes():
    """The INSERT, UPDATE and DELETE statements sent while the block runs."""
    sent: list[str] = []
    connection = sa_session().connection()

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            sent.append(statement)
    sa.event.listen(connection, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        sa.event.remove(connection, "before_cursor_execute", seen)


def _trainer():
    return factories.UserFactory(role="trainer", username="mona.trainer")


def _edit_title(course: Course, trainer, title: str = "Edited on the web") -> None:
    services.save_course({"slug": course.slug, "title_ar": course.title_ar, "title_en": title,
                          "summary_ar": course.summary_ar, "summary_en": course.summary_en,
                          "status": course.status.value, "estimated_minutes": course.estimated_minutes},
                         course.id, actor_id=trainer.id)


def test_the_import_records_the_folder_its_hash_and_when(db, tmp_path):
    folder = _copy(tmp_path)
    [done] = sync.import_folders([folder], now=WHEN)
    course = _course()
    assert done.outcome == "new"
    assert course.source_path == folder.as_posix() and len(course.source_hash) == 64
    assert course.imported_at == WHEN and not course.is_edited_on_web
    [entry] = _log(course, "files")
    assert entry.details["hash"] == course.source_hash and entry.actor_id is None


def test_unchanged_files_import_nothing_even_over_web_edits(runner, db, tmp_path):
    folder = _copy(tmp_path)
    services.import_course_folders([folder])
    _edit_title(_course(), _trainer())
    entries = len(_log(_course()))
    with _writes() as sent:
        result = _import(runner, str(folder))
    assert result.exit_code == 0, result.output
    assert "unchanged serving-citizens" in result.output
    assert sent == []
    db.session.expire_all()
    assert _course().title_en == "Edited on the web" and _course().is_edited_on_web
    assert len(_log(_course())) == entries


def test_files_unchanged_since_the_import_say_so_when_nothing_was_edited(db, tmp_path):
    folder = _copy(tmp_path)
    sync.import_folders([folder])
    assert [d.outcome for d in sync.import_folders([folder])] == ["unchanged"]


def _conflict_setup(tmp_path):
    """Two courses imported; the first edited on the web (title and quiz settings); both changed in the files."""
    first, second = _copy(tmp_path), _copy(tmp_path, "digital-services-workflow")
    services.import_course_folders([first, second])
    trainer = _trainer()
    _edit_title(_course(), trainer)
    authoring.save_settings(_course(), {"pass_mark": 55}, trainer.id)
    _replace(first / "course.yaml", "pass_mark: 70", "pass_mark: 80")
    _replace(first / "modules" / "01-welcome.md", "\n\n", "\n\nA new line from Git.\n\n")
    _replace(second / "course.yaml", "estimated_minutes: 100", "estimated_minutes: 120")
    return first, second, trainer


def test_changed_files_over_web_edits_stop_with_a_report_and_write_nothing(runner, db, tmp_path):
    first, second, _trainer_ = _conflict_setup(tmp_path)
    with _writes() as sent:
        result = _import(runner, str(first.parent))
    assert result.exit_code == 1
    assert sent == []
    report = result.output
    assert "conflict: serving-citizens" in report and "digital-services-workflow" not in report.split("Error")[0]
    assert "mona.trainer" in report
    assert "quiz settings" in report and "module 01-welcome.md" in report and "title" in report
    assert "Nothing was imported" in report and "--force" in report
    db.session.expire_all()
    assert _course().title_en == "Edited on the web" and _course().quiz_settings["pass_mark"] == 55
    assert _course("digital-services-workflow").estimated_minutes == 100  # all or nothing


def test_force_overwrites_web_edits_and_logs_it(runner, db, tmp_path):
    first, _second, _trainer_ = _conflict_setup(tmp_path)
    result = _import(runner, "--force", str(first.parent))
    assert result.exit_code == 0, result.output
    assert "imported serving-citizens over the web edits" in result.output
    db.session.expire_all()
    course = _course()
    assert course.title_en == "Serving Citizens at the Service Window" and course.quiz_settings["pass_mark"] == 80
    assert "A new line from Git." in course.modules[0].body_ar and not course.is_edited_on_web
    entry = _log(course, "files")[-1]
    assert entry.details["outcome"] == "forced" and "quiz" in entry.details["overwrote"]
    assert entry.details["hash"] == course.source_hash
    assert _course("digital-services-workflow").estimated_minutes == 120
    with force_locale("en"):
        text = log.describe(entry)
    assert "forced: the web edits were overwritten" in text.summary
    assert ("Web edits overwritten", None, "title, quiz settings, module 01-welcome.md") in text.changes


def test_keep_web_edits_imports_the_others_and_says_which_were_kept(runner, db, tmp_path):
    first, _second, _trainer_ = _conflict_setup(tmp_path)
    result = _import(runner, "--keep-web-edits", str(first.parent))
    assert result.exit_code == 0, result.output
    assert "kept serving-citizens as edited on the web" in result.output and "mona.trainer" in result.output
    db.session.expire_all()
    assert _course().title_en == "Edited on the web" and _course().quiz_settings["pass_mark"] == 55
    assert _course().is_edited_on_web
    assert _course("digital-services-workflow").estimated_minutes == 120


def test_files_kept_out_are_logged_once_and_the_course_screens_show_the_conflict(runner, client, auth, db,
                                                                                 tmp_path):
    """A deployment imports with --keep-web-edits at every start: the course's screens must say that changed
    files wait, and what differs, without a log line per start; an import that settles it clears the message."""
    first, _second, trainer = _conflict_setup(tmp_path)
    assert _import(runner, "--keep-web-edits", str(first.parent)).exit_code == 0
    with _writes() as sent:
        assert _import(runner, "--keep-web-edits", str(first.parent)).exit_code == 0
    assert sent == []  # the same files again: logged already
    kept = [e for e in _log(_course(), "files") if e.details["outcome"] == "kept"]
    assert len(kept) == 1 and "quiz" in kept[0].details["parts"] and "title" in kept[0].details["web"]
    auth.login(trainer)
    client.post("/language", data={"lang": "en", "next": "/"})
    for url in ("/manage/courses/serving-citizens", "/manage/courses/serving-citizens/quiz"):
        page = client.get(url).text
        assert "Conflict: changed files are waiting" in page, url
        assert "its files had changed (quiz settings, module 01-welcome.md)" in page, url
    log_page = client.get("/manage/courses/serving-citizens/log").text
    assert "the web edits were kept" in log_page
    client.post("/language", data={"lang": "ar", "next": "/"})
    assert "تعارض" in client.get("/manage/courses/serving-citizens").text
    _replace(first / "course.yaml", "pass_mark: 80", "pass_mark: 85")  # newer files: logged again
    assert _import(runner, "--keep-web-edits", str(first.parent)).exit_code == 0
    assert len([e for e in _log(_course(), "files") if e.details["outcome"] == "kept"]) == 2
    assert _import(runner, "--force", str(first.parent)).exit_code == 0
    db.session.expire_all()
    assert sync.files_waiting(_course()) is None
    assert "تعارض" not in client.get("/manage/courses/serving-citizens").text


def test_force_and_keep_web_edits_do_not_go_together(runner, db, tmp_path):
    result = _import(runner, "--force", "--keep-web-edits", str(_copy(tmp_path)))
    assert result.exit_code == 2 and "not both" in result.output


def _new_module(course, trainer):
    services.save_module(course.id, {"title_ar": "وحدة", "title_en": "Extra", "body_ar": "نص"}, actor_id=trainer.id)


def _edit_module(course, trainer):
    module = course.modules[0]
    services.save_module(course.id, {"title_ar": module.title_ar, "title_en": "Renamed", "body_ar": "نص"},
                         module.id, actor_id=trainer.id)


def _edit_question(course, trainer):
    question = sa_session().scalar(sa.select(Question).where(Question.course_id == course.id).limit(1))
    authoring.delete_question(course, question.id, trainer.id)


WEB_EDITS = {
    "course fields": lambda course, trainer: _edit_title(course, trainer),
    "new module": _new_module,
    "module edit": _edit_module,
    "module move": lambda course, trainer: services.move_module(course.id, course.modules[0].id, 1, trainer.id),
    "module reorder": lambda course, trainer: services.reorder_modules(
        course.id, [m.id for m in reversed(course.modules)], trainer.id),
    "module delete": lambda course, trainer: services.delete_module(course.id, course.modules[-1].id, trainer.id),
    "quiz settings": lambda course, trainer: authoring.save_settings(course, {"attempts": 3}, trainer.id),
    "questions": _edit_question,
}


@pytest.mark.parametrize("edit", WEB_EDITS.values(), ids=WEB_EDITS.keys())
def test_any_web_edit_makes_changed_files_a_conflict(db, tmp_path, edit):
    folder = _copy(tmp_path)
    sync.import_folders([folder])
    trainer = _trainer()
    edit(_course(), trainer)
    db.session.expire_all()
    course = _course()
    assert course.is_edited_on_web and sync.edited_by(course) == trainer
    _replace(folder / "course.yaml", "estimated_minutes: 90", "estimated_minutes: 95")
    with pytest.raises(sync.ImportConflict) as error:
        sync.import_folders([folder])
    [conflict] = error.value.conflicts
    assert conflict.edited_by == "mona.trainer" and conflict.in_files == ["estimated_minutes"]


def test_a_course_made_on_the_web_is_not_overwritten_by_a_folder_of_the_same_slug(db, tmp_path):
    trainer = _trainer()
    services.save_course({"slug": "serving-citizens", "title_ar": "دورة", "title_en": "Mine", "status": "draft"},
                         author_id=trainer.id)
    with pytest.raises(sync.ImportConflict):
        sync.import_folders([_copy(tmp_path)])


def test_a_regrade_is_not_a_web_edit(db, tmp_path):
    sync.import_folders([_copy(tmp_path)])
    course = _course()
    from lms.quizzes.bank import audit
    audit(course.id, None, "regrade", {"changed": []})
    db.session.commit()
    db.session.expire_all()
    assert not _course().is_edited_on_web


def test_web_edits_are_logged_with_old_and_new_values(db, tmp_path):
    sync.import_folders([_copy(tmp_path)])
    trainer = _trainer()
    course = _course()
    _edit_title(course, trainer)
    moved = course.modules[0].file_name
    services.move_module(course.id, course.modules[0].id, 1, trainer.id)
    authoring.save_settings(_course(), {"pass_mark": 60}, trainer.id)
    course_entry, module_entry, settings_entry = _log(_course())[-3:]
    assert course_entry.details["changed"] == {"title_en": ["Serving Citizens at the Service Window",
                                                           "Edited on the web"]}
    assert module_entry.details == {"module": moved, "op": "moved", "changed": {"position": [1, 2]}}
    assert settings_entry.details["changed"]["pass_mark"] == [70, 60]
    assert all(e.actor_id == trainer.id for e in (course_entry, module_entry, settings_entry))


def test_a_module_edit_logs_its_texts_shortened(db, tmp_path):
    sync.import_folders([_copy(tmp_path)])
    course = _course()
    module = course.modules[0]
    services.save_module(course.id, {"title_ar": module.title_ar, "title_en": "Welcome again",
                                     "body_ar": "ن" * 500}, module.id, actor_id=None)
    entry = _log(course, "module")[-1]
    assert entry.details["changed"]["title_en"][1] == "Welcome again"
    assert len(entry.details["changed"]["body_ar"][1]) == log.EXCERPT + 1


def test_a_line_added_at_a_long_modules_end_shows_in_the_log(db, tmp_path):
    # The log showed before and after as the same first 120 characters: the change could not be seen.
    sync.import_folders([_copy(tmp_path)])
    course = _course()
    module = course.modules[0]
    long_text = "نص الوحدة التدريبية الطويل. " * 40
    services.save_module(course.id, {"title_ar": module.title_ar, "title_en": module.title_en,
                                     "body_ar": long_text}, module.id, actor_id=None)
    course.is_edited_on_web = False  # as after an import of these texts
    db.session.commit()
    services.save_module(course.id, {"title_ar": module.title_ar, "title_en": module.title_en,
                                     "body_ar": long_text + "\n\nسطر جديد في آخر الوحدة."}, module.id, actor_id=None)
    before, after = _log(course, "module")[-1].details["changed"]["body_ar"]
    assert before != after and "سطر جديد في آخر الوحدة." in after and before.startswith("…")
    db.session.refresh(course)
    assert course.is_edited_on_web  # a web edit, which an import of changed files must not overwrite silently


@pytest.mark.parametrize("language,words", [
    ("en", ["Change log", "Before", "After", "Title in English", "Pass mark (%)", "Imported from the folder"]),
    ("ar", ["سجل التغييرات", "قبل", "بعد", "العنوان بالإنجليزية", "درجة النجاح"]),
])
def test_the_log_page_shows_old_and_new_values_isolated(client, auth, db, tmp_path, language, words):
    sync.import_folders([_copy(tmp_path)])
    trainer = auth.login(_trainer())
    _edit_title(_course(), trainer)
    authoring.save_settings(_course(), {"pass_mark": 60}, trainer.id)
    client.post("/language", data={"lang": language, "next": "/"})
    page = client.get("/manage/courses/serving-citizens/log").text
    assert "<bdi>Serving Citizens at the Service Window</bdi>" in page and "<bdi>Edited on the web</bdi>" in page
    numbers = ("<bdi>70</bdi>", "<bdi>60</bdi>") if language == "en" else ("<bdi>٧٠</bdi>", "<bdi>٦٠</bdi>")
    assert all(number in page for number in numbers)
    for word in words:
        assert word in page, word
    assert client.get("/manage/courses/serving-citizens/quiz/log").status_code == 301


def _export(client, slug: str, into: Path) -> Path:
    response = client.get(f"/manage/courses/{slug}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    zipfile.ZipFile(io.BytesIO(response.data)).extractall(into)
    return into / slug


def test_the_exported_folder_of_an_unedited_course_imports_as_unchanged(client, auth, db, tmp_path):
    sync.import_folders([_copy(tmp_path)])
    auth.login(_trainer())
    folder = _export(client, "serving-citizens", tmp_path / "zip")
    assert [d.outcome for d in sync.import_folders([folder])] == ["unchanged"]


def test_the_exported_folder_of_web_edits_imports_back_as_a_match(client, auth, runner, db, tmp_path):
    sync.import_folders([_copy(tmp_path)])
    trainer = auth.login(_trainer())
    _edit_title(_course(), trainer)
    authoring.save_settings(_course(), {"pass_mark": 60}, trainer.id)
    _edit_question(_course(), trainer)
    before = services.course_to_folder(_course())
    folder = _export(client, "serving-citizens", tmp_path / "zip")

    result = _import(runner, str(folder))
    assert result.exit_code == 0, result.output
    assert "the files hold the course as it is now" in result.output
    db.session.expire_all()
    course = _course()
    assert services.course_to_folder(course) == before and not course.is_edited_on_web
    assert course.source_path == folder.as_posix()
    assert _log(course, "files")[-1].details["outcome"] == "matched"
    assert [d.outcome for d in sync.import_folders([folder])] == ["unchanged"]


def test_another_trainers_course_cannot_be_exported(client, auth, db):
    course = factories.CourseFactory()
    course.trainers.append(CourseTrainer(user_id=factories.UserFactory(role="trainer").id))
    db.session.flush()
    auth.as_role("trainer")
    assert client.get(f"/manage/courses/{course.slug}/export.zip").status_code == 404
    assert client.get(f"/manage/courses/{course.slug}/log").status_code == 404


@pytest.mark.parametrize("language,managed,edited", [
    ("en", "Managed from files", "Changed on the web since the last import"),
    ("ar", "تُدار من الملفات", "عُدّلت على المنصة منذ آخر استيراد"),
])
def test_the_course_screens_say_the_course_is_managed_from_files(client, auth, db, tmp_path, language, managed,
                                                                   edited):
    folder = _copy(tmp_path)
    sync.import_folders([folder], now=WHEN)
    trainer = auth.login(_trainer())
    client.post("/language", data={"lang": language, "next": "/"})
    for url in ("/manage/courses/serving-citizens", "/manage/courses/serving-citizens/quiz"):
        page = client.get(url).text
        assert managed in page and f"<bdi dir=\"ltr\">{folder.as_posix()}</bdi>" in page and edited not in page, url
        assert "/manage/courses/serving-citizens/export.zip" in page
    _edit_title(_course(), trainer)
    for url in ("/manage/courses/serving-citizens", "/manage/courses/serving-citizens/quiz", "/manage/courses"):
        page = client.get(url).text
        assert edited in page, url
    assert ("1 March 2026" if language == "en" else "١ مارس ٢٠٢٦") in page  # the list: when it was last imported
    assert trainer.full_name_latin in client.get("/manage/courses/serving-citizens").text or language == "ar"


def test_the_log_names_coded_values_in_the_readers_words(client, auth, db, tmp_path):
    # It showed "draft", "published", "full", "one": the codes of the files, not the words of the forms.
    sync.import_folders([_copy(tmp_path)])
    trainer = auth.login(_trainer())
    course = _course()
    values = {key: getattr(course, key) for key in services.COURSE_FIELDS} | {"status": "draft"}
    services.save_course(values, course.id, actor_id=trainer.id)
    authoring.save_settings(_course(), {"review": "answers", "layout": "one", "shuffle": True}, trainer.id)
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get("/manage/courses/serving-citizens/log").text
    assert "<bdi>Draft (hidden from learners)</bdi>" in page and "<bdi>draft</bdi>" not in page
    assert "One question per page" in page and "<bdi>one</bdi>" not in page
    assert "whether each answer was right" in page
