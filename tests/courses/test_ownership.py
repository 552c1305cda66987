"""Trainers manage the courses they author (and shared ones that name no trainer); others' are 404 to them."""
import pytest

from lms.courses import services
from lms.courses.files import CourseFileError
from lms.courses.models import CourseTrainer
from tests import factories
from tests.courses.test_authoring import COURSE
from tests.courses.test_course_files import _copy


@pytest.fixture
def someone_elses_course(db):
    author = factories.UserFactory(role="trainer")
    course = factories.CourseFactory(slug="theirs", modules=1)
    course.trainers.append(CourseTrainer(user_id=author.id))
    db.session.commit()
    return course


def test_the_author_of_a_new_course_becomes_its_trainer(client, as_trainer, db):
    client.post("/manage/courses/new", data=COURSE)
    course = services.course_by_slug("new-course")
    assert [t.user_id for t in course.trainers] == [as_trainer.id]
    assert client.get("/manage/courses/new-course").status_code == 200


@pytest.mark.parametrize("url", ["/manage/courses/theirs", "/manage/courses/theirs/modules/new",
                                 "/manage/courses/theirs/quiz", "/manage/courses/theirs/quiz/questions",
                                 "/manage/courses/theirs/progress"])
def test_another_trainers_course_is_not_found(client, as_trainer, someone_elses_course, url):
    assert client.get(url).status_code == 404


def test_another_trainers_course_cannot_be_changed(client, as_trainer, someone_elses_course, db):
    response = client.post("/manage/courses/theirs", data=COURSE | {"slug": "theirs", "title_en": "Taken over"})
    assert response.status_code == 404
    db.session.expire_all()
    assert services.course_by_slug("theirs").title_en != "Taken over"


def test_the_course_list_shows_own_and_shared_courses_only(client, as_trainer, someone_elses_course, db):
    factories.CourseFactory(slug="shared-course", title_en="Shared course")
    client.post("/manage/courses/new", data=COURSE)
    page = client.get("/manage/courses", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "new-course" in page and "shared-course" in page and "theirs" not in page


def test_administrators_manage_every_course(client, as_admin, someone_elses_course):
    assert client.get("/manage/courses/theirs").status_code == 200
    assert client.get("/manage/courses/theirs/quiz/questions").status_code == 200


def test_course_yaml_names_its_trainers(client, auth, db, tmp_path):
    mona = factories.UserFactory(username="mona", role="trainer")
    folder = _copy(tmp_path)
    yaml_file = folder / "course.yaml"
    yaml_file.write_text(yaml_file.read_text() + "trainers: [Mona, someone-not-here]\n")
    [course] = services.import_course_folders([folder])
    assert [t.user_id for t in course.trainers] == [mona.id]
    auth.as_role("trainer")
    assert client.get(f"/manage/courses/{course.slug}").status_code == 404
    auth.login(mona)
    assert client.get(f"/manage/courses/{course.slug}").status_code == 200
    exported = services.export_course(course.slug, tmp_path / "out")
    assert "trainers:\n- mona\n" in (exported / "course.yaml").read_text()


def test_a_bad_trainers_list_is_refused_with_its_line(db, tmp_path):
    folder = _copy(tmp_path)
    yaml_file = folder / "course.yaml"
    yaml_file.write_text(yaml_file.read_text() + "trainers: mona\n")
    with pytest.raises(CourseFileError) as refused:
        services.import_course_folders([folder])
    assert any("trainers" in str(p) for p in refused.value.problems)
