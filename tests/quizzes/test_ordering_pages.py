"""Ordering questions on the web: the learner's page in both languages (answered without a script), the review, the
statistics, the trainer's editor, and a bank that keeps them in its course folder (Moodle XML, since GIFT cannot)."""
import re

import pytest
import sqlalchemy as sa

from lms.courses.models import CourseAsset
from lms.extensions import db as _db
from lms.progress import services as progress
from lms.quizzes import attempts, bank
from lms.quizzes.models import Question
from lms.quizzes.statistics import course_statistics
from tests import factories
from tests.quizzes.conftest import SECRET, STEPS, ordering_question, sample_questions


def _course(**settings):
    course = factories.CourseFactory()
    course.quiz_settings = {"file": "quiz.gift", "pass_mark": 70, **settings}
    bank._apply(course, [ordering_question()], retire_missing=True)
    _db.session.commit()
    return course


def _start(client, learner, course) -> tuple[int, Question, list[str]]:
    """A started attempt, its ordering question and the order the attempt shows."""
    progress.enroll(learner.id, course)
    response = client.post(f"/courses/{course.slug}/quiz/attempts")
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)", response.headers["Location"]).group(1))
    ((row, question),) = attempts.attempt_questions(attempt_id)
    return attempt_id, question, row.layout["items"]


def _right(question) -> list[str]:
    return [a["id"] for a in question.data["answers"]]


def _positions(question, order: list[str]) -> dict:
    """The no-script form: each item's position select."""
    return {"question": str(question.id), f"q-{question.id}-kind": "ordering",
            **{f"q-{question.id}-{item}": str(n) for n, item in enumerate(order, 1)}}


def test_the_page_shows_the_items_shuffled_with_labelled_positions_in_both_languages(client, as_learner):
    attempt_id, question, shown = _start(client, as_learner, _course())
    assert shown != _right(question)
    page = client.get(f"/quiz/attempts/{attempt_id}").text
    assert '<html lang="ar" dir="rtl">' in page and "رتب خطوات تقديم الخدمة" in page
    assert re.findall(r'data-key="([0-9a-f]+)"', page) == shown  # in the attempt's order, not the right one
    for item in shown:
        control = f"q-{question.id}-{item}"
        assert f'aria-labelledby="{control}-label {control}-text"' in page
        assert re.search(rf'<select id="{control}"[^>]*>\s*<option value="">—</option>', page)  # none chosen yet
    assert ">الترتيب</label>" in page and "أعطِ كل عنصر ترتيبًا خاصًا به، من ١ إلى ٤." in page
    assert re.search(r'<link rel="stylesheet" href="/quiz/types/ordering/ordering\.css\?v=\w+">', page)
    assert re.search(r'<script src="/quiz/types/ordering/ordering\.js\?v=\w+" defer>', page)
    assert SECRET not in page and not re.search(r"fraction|weight|correct|data-right|is-right", page, re.I)
    client.post("/language", data={"lang": "en"})
    english = client.get(f"/quiz/attempts/{attempt_id}").text
    assert '<html lang="en" dir="ltr">' in english and "Put the steps of the service in order" in english
    assert all(en in english for _ar, en in STEPS) and ">Position</label>" in english
    assert "Give each item its own position, from 1 to 4." in english


def test_without_a_script_the_positions_answer_and_the_review_shows_both_orders(client, as_learner):
    attempt_id, question, shown = _start(client, as_learner, _course())
    right = _right(question)
    mine = [right[1], right[0], *right[2:]]  # two steps swapped: 5 pairs of 6 right
    response = client.post(f"/quiz/attempts/{attempt_id}", data={**_positions(question, mine), "go": "1"})
    assert response.status_code == 302
    assert attempts.attempt_questions(attempt_id)[0][0].response == mine
    page = client.get(f"/quiz/attempts/{attempt_id}").text
    assert re.findall(r'data-key="([0-9a-f]+)"', page) == mine  # shown in the learner's order now
    assert re.search(rf'id="q-{question.id}-{mine[0]}"[^>]*>(?:(?!</select>).)*<option value="1" selected>', page,
                     re.S)
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    result = client.get(f"/quiz/attempts/{attempt_id}/result").text
    assert "٨٣٪" in result  # 5/6
    assert "١. مراجعة المستندات؛ ٢. استلام الطلب" in result  # the learner's order
    assert "١. استلام الطلب، ٢. مراجعة المستندات، ٣. سداد الرسوم، ٤. تسليم الخدمة" in result  # the right one
    assert SECRET in result  # review "full": the general feedback too


def test_the_review_policy_score_shows_neither_order(client, as_learner):
    attempt_id, question, _shown = _start(client, as_learner, _course(review="score"))
    client.post(f"/quiz/attempts/{attempt_id}/answers", json={"answers": {str(question.id): _right(question)}})
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    result = client.get(f"/quiz/attempts/{attempt_id}/result").text
    assert "١٠٠٪" in result and "استلام الطلب" not in result and SECRET not in result


def test_positions_that_are_not_an_order_are_refused_and_kept_as_chosen(client, as_learner):
    attempt_id, question, shown = _start(client, as_learner, _course())
    form = {**_positions(question, shown), f"q-{question.id}-{shown[1]}": "1", f"q-{question.id}-{shown[3]}": ""}
    response = client.post(f"/quiz/attempts/{attempt_id}", data={**form, "go": "1"})
    assert response.status_code == 422
    page = response.text
    assert "أعطِ كل عنصر ترتيبًا خاصًا به، من ١ إلى ٤." in page and 'role="alert"' in page
    assert re.findall(r'data-key="([0-9a-f]+)"', page) == shown
    chosen = re.findall(r'<option value="(\d+)" selected>', page)
    assert chosen == ["1", "1", "3"]  # as sent: items 1 and 2 at 1, item 3 at 3, item 4 at none
    assert attempts.attempt_questions(attempt_id)[0][0].response is None


@pytest.mark.parametrize("bad", [
    "a text", {"x": "1"}, ["nope"], "DUPLICATE", "MISSING", "EXTRA", [[1]], 5,
])
def test_the_script_s_json_answers_are_checked_too(client, as_learner, bad):
    attempt_id, question, shown = _start(client, as_learner, _course())
    right = _right(question)
    raw = {"DUPLICATE": [right[0], *right[:-1]], "MISSING": right[:-1], "EXTRA": [*right, right[0]]}.get(bad, bad) \
        if isinstance(bad, str) else bad
    url = f"/quiz/attempts/{attempt_id}/answers"
    refused = client.post(url, json={"answers": {str(question.id): raw}})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["fields"] == {str(question.id): "أعطِ كل عنصر ترتيبًا خاصًا به، من ١ إلى ٤."}
    assert client.post(url, json={"answers": {str(question.id): shown}}).status_code == 200


def test_the_types_files_are_served_with_their_digest(client, app):
    page_url = None
    with app.test_request_context():
        from lms.quizzes.types import asset_urls
        page_url = asset_urls(["ordering", "single", "ordering"], ".js")
    assert len(page_url) == 1 and page_url[0].startswith("/quiz/types/ordering/ordering.js?v=")
    response = client.get(page_url[0])
    assert response.status_code == 200 and "javascript" in response.content_type
    assert "readers.ordering" in response.text and response.cache_control.max_age >= 86400
    response.close()
    for url in ("/quiz/types/nope/ordering.js", "/quiz/types/ordering/nope.js", "/quiz/types/ordering/../__init__.py",
                "/quiz/types/ordering/%2e%2e/__init__.py", "/quiz/types/ordering/question.html"):
        assert client.get(url).status_code == 404, url


def test_statistics_count_each_item_put_in_its_place(client, auth, db):
    course = _course()
    question = bank.bank_questions(course.id)[0]
    a, b, c, d = _right(question)
    for order in ([a, b, c, d], [b, a, c, d], None):
        learner = factories.UserFactory()
        progress.enroll(learner.id, course)
        attempt = attempts.start_attempt(learner.id, course)
        if order:
            attempts.save_answers(attempt.id, learner.id, {str(question.id): order})
        attempts.submit_attempt(attempt.id, learner.id)
    (item,) = course_statistics(course.id, "ar")
    assert item.facility == pytest.approx(100 * (1 + 5 / 6) / 3)
    assert [(r.label, r.count, r.fraction) for r in item.responses] == [
        ("١. استلام الطلب", 1, None), ("٢. مراجعة المستندات", 1, None), ("٣. سداد الرسوم", 2, None),
        ("٤. تسليم الخدمة", 2, None)]
    assert item.no_answer == 1 and not item.has_credit
    auth.as_role("trainer")
    page = client.get(f"/manage/courses/{course.slug}/quiz/statistics").text
    assert ">في مكانه الصحيح</th>" in page and ">ترتيب</td>" in page and "١. استلام الطلب" in page
    assert "التوصيل الصحيح" not in page and ">الدرجة المستحقة</th>" not in page


# --- the trainer's editor -----------------------------------------------------------------------------------

def _url(course, tail: str = "") -> str:
    return f"/manage/courses/{course.slug}/quiz{tail}"


def _items(*rows: tuple[str, str]) -> dict:
    return {f"answers-{n}-{lang}": text for n, row in enumerate(rows) for lang, text in zip(("text_ar", "text_en"),
                                                                                              row, strict=True)}


def test_a_trainer_writes_an_ordering_question_in_both_languages(client, as_trainer):
    course = factories.CourseFactory()
    form = client.get(_url(course, "/questions/new?type=ordering")).text
    assert "العنصر بالعربية" in form and "بترتيبها الصحيح" in form and 'name="answers-3-text_ar"' in form
    response = client.post(_url(course, "/questions/new?type=ordering"), data={
        "title": "خطوات", "prompt_ar": "رتب الخطوات", "prompt_en": "Order the steps", "format": "moodle",
        "save": "Save", **_items(*STEPS[:3])})
    assert response.status_code == 302, response.text
    (question,) = bank.bank_questions(course.id)
    assert question.type == "ordering" and question.prompt == {"ar": "رتب الخطوات", "en": "Order the steps"}
    assert [a["text"] for a in question.data["answers"]] == [{"ar": ar, "en": en} for ar, en in STEPS[:3]]
    edit = client.get(_url(course, f"/questions/{question.id}")).text
    assert [edit.index(f'value="{ar}"') for ar, _en in STEPS[:3]] == sorted(
        edit.index(f'value="{ar}"') for ar, _en in STEPS[:3])  # the rows in the right order
    # Moved up a row and saved: the order is the rows', the items keep their ids.
    ids = [a["id"] for a in question.data["answers"]]
    rows = {**_items(STEPS[1], STEPS[0], STEPS[2]), "answers-0-id": ids[1], "answers-1-id": ids[0],
            "answers-2-id": ids[2]}
    saved = client.post(_url(course, f"/questions/{question.id}"), data={
        "title": "خطوات", "prompt_ar": "رتب الخطوات", "prompt_en": "Order the steps", "format": "moodle",
        "save": "Save", **rows})
    assert saved.status_code == 302
    _db.session.expire_all()
    assert [a["id"] for a in _db.session.get(Question, question.id).data["answers"]] == [ids[1], ids[0], ids[2]]


@pytest.mark.parametrize("rows, message", [
    ([("استلام الطلب", "")], "يحتاج سؤال الترتيب إلى عنصرين على الأقل"),
    ([("استلام الطلب", "Receive"), ("", "Pay")], "أحد العناصر بلا نص"),
    ([("استلام الطلب", ""), ("سداد", ""), ("استلام الطلب", "")], "عنصران لهما النص نفسه"),
])
def test_an_ordering_question_that_cannot_be_saved_keeps_what_was_typed(client, as_trainer, rows, message):
    course = factories.CourseFactory()
    response = client.post(_url(course, "/questions/new?type=ordering"), data={
        "title": "خطوات", "prompt_ar": "رتب الخطوات", "format": "moodle", "save": "Save", **_items(*rows)})
    assert response.status_code == 200 and message in response.text and 'role="alert"' in response.text
    for row in rows:
        for text in row:
            if text:
                assert f'value="{text}"' in response.text
    assert bank.bank_questions(course.id) == []


def test_the_preview_shows_the_items_with_their_positions(client, as_trainer):
    course = factories.CourseFactory()
    page = client.post(_url(course, "/questions/new?type=ordering"), data={
        "prompt_ar": "رتب الخطوات", "format": "moodle", "preview": "Preview", **_items(*STEPS)}).text
    preview = page[page.index('id="question-preview"'):page.index("</section>")]
    assert "disabled" in preview and preview.count("<select") == 8  # four items, in Arabic and in English
    assert "استلام الطلب" in preview and "Pay the fees" in preview
    assert "/quiz/types/ordering/ordering.css" in page and bank.bank_questions(course.id) == []


# --- the bank's files ---------------------------------------------------------------------------------------

def test_the_course_folder_keeps_the_bank_in_moodle_xml_once_it_holds_an_ordering_question(client, as_trainer):
    course = factories.CourseFactory()
    course.quiz_settings = {"file": "quiz.gift"}
    bank._apply(course, [{"ar": q} for q in sample_questions()[:2]], retire_missing=True)
    bank._write_back(course)
    _db.session.commit()
    client.post(_url(course, "/questions/new?type=ordering"), data={
        "title": "Q7", "prompt_ar": "رتب", "prompt_en": "Order", "format": "moodle", "save": "Save",
        **_items(*STEPS)})
    _db.session.expire_all()
    assets = {a.path: a.content.decode() for a in _db.session.scalars(
        sa.select(CourseAsset).where(CourseAsset.course_id == course.id))}
    assert set(assets) == {"quiz.xml", "quiz.en.xml"} and course.quiz_settings["file"] == "quiz.xml"
    titles = [q.title for q in bank.parse_bank_file("quiz.xml", assets["quiz.xml"].encode())]
    assert titles == ["Q1", "Q2", "Q7"]  # the folder holds the whole bank, read back as an import reads it
    assert "Receive the request" in assets["quiz.en.xml"]


def test_exports_say_what_gift_leaves_out_and_moodle_xml_holds_it(client, as_trainer):
    course = _course()
    overview = client.get(_url(course)).text
    assert "سؤال واحد من نوع لا تكتبه صيغة GIFT" in overview and "format=xml" in overview
    gift = client.get(_url(course, "/export"))
    assert "لم يُصدَّر «Q7» (ترتيب)" in gift.text and "استلام الطلب" not in gift.text
    xml = client.get(_url(course, "/export?format=xml&lang=en"))
    assert xml.headers["Content-Disposition"] == f"attachment; filename={course.slug}-quiz.en.xml"
    assert xml.mimetype == "application/xml" and '<question type="ordering">' in xml.text
    assert "Pay the fees" in xml.text


def test_the_export_command_writes_moodle_xml(runner, db):
    course = _course()
    result = runner.invoke(args=["questions", "export", course.slug, "--format", "xml", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert '<question type="ordering">' in result.output and "Pay the fees" in result.output
    assert "// لم يُصدَّر «Q7» (ترتيب)" in runner.invoke(args=["questions", "export", course.slug]).output
