"""The trainer's quiz tools: the bank's screens, editing each type, preview, import, export, settings, regrade."""
import base64
import re
from dataclasses import replace

import pytest
import sqlalchemy as sa

from lms.core.models import ValidationError
from lms.courses.models import CourseAsset
from lms.extensions import db as _db
from lms.progress import services as progress
from lms.quizzes import attempts, authoring, bank
from lms.quizzes.formats.gift import parse_gift
from lms.quizzes.models import Question, QuizAuditEntry
from tests import factories
from tests.quizzes.conftest import SECRET, add_bank, right_answers, sample_questions


def _url(course, tail: str = "") -> str:
    return f"/manage/courses/{course.slug}/quiz{tail}"


def _bank(course) -> dict[str, Question]:
    return {q.title: q for q in bank.bank_questions(course.id)}


def _form(values: dict, **changes) -> dict:
    """The edit form as a browser posts it: `answers` flattened to answers-N-field."""
    values = {**values, **changes}
    posted = {k: v for k, v in values.items() if k != "answers" and v is not None}
    for index, row in enumerate(values.get("answers", [])):
        posted |= {f"answers-{index}-{k}": v for k, v in row.items()}
    return posted


def _unchanged(question) -> dict:
    return authoring.question_values(question, question.type)


def _audit(course, action: str) -> list[QuizAuditEntry]:
    return list(_db.session.scalars(sa.select(QuizAuditEntry).where(
        QuizAuditEntry.course_id == course.id, QuizAuditEntry.action == action)))


def _finished_attempt(course, answers=None):
    learner = factories.UserFactory()
    progress.enroll(learner.id, course)
    attempt = attempts.start_attempt(learner.id, course, seed=1)
    if answers is not None:
        attempts.save_answers(attempt.id, learner.id, answers(attempts.attempt_questions(attempt.id)))
    return attempts.submit_attempt(attempt.id, learner.id)


def test_every_screen_renders_for_a_trainer_in_arabic(client, as_trainer, quiz_course):
    attempt = _finished_attempt(quiz_course, right_answers)
    pages = ["", "/questions", "/questions?type=single&category=", "/import", "/settings", "/attempts",
             f"/attempts/{attempt.id}", "/log", "/statistics"]
    pages += [f"/questions/new?type={kind}" for kind in ("single", "multiple", "truefalse", "short", "numeric",
                                                          "matching")]
    pages += [f"/questions/{q.id}" for q in _bank(quiz_course).values()]
    for tail in pages:
        response = client.get(_url(quiz_course, tail), follow_redirects=True)  # the log: the course's
        assert response.status_code == 200, tail
        assert '<html lang="ar" dir="rtl">' in response.text, tail
    assert _url(quiz_course) in client.get(f"/manage/courses/{quiz_course.slug}").text  # linked from the course
    assert client.get(_url(quiz_course, "/questions/new?type=essay")).status_code == 404


@pytest.mark.parametrize("role", ["learner", "hr"])
def test_other_roles_get_403(client, auth, quiz_course, role):
    auth.as_role(role)
    question = next(iter(_bank(quiz_course).values()))
    for tail in ("", "/questions", f"/questions/{question.id}", "/import", "/export", "/settings", "/attempts",
                 "/log", "/statistics"):
        assert client.get(_url(quiz_course, tail)).status_code == 403, tail
    for tail in (f"/questions/{question.id}", f"/questions/{question.id}/delete", f"/questions/{question.id}/regrade",
                 "/settings", "/import"):
        assert client.post(_url(quiz_course, tail), data={"confirm": "y"}).status_code == 403, tail
    assert _bank(quiz_course)[question.title].is_active


def test_the_bank_lists_and_filters_questions(client, as_trainer, db):
    course = add_bank(factories.CourseFactory())
    _db.session.get(Question, _bank(course)["Q2"].id).category = "$course$/top/Part 2"
    _db.session.commit()
    page = client.get(_url(course, "/questions")).text
    assert all(f">{title}<" in page for title in ("Q1", "Q2", "Q6")) and "توصيل" in page  # the type's label
    only = client.get(_url(course, "/questions?category=$course$/top/Part 2")).text
    assert ">Q2<" in only and ">Q1<" not in only
    by_type = client.get(_url(course, "/questions?type=truefalse")).text
    assert ">Q3<" in by_type and ">Q2<" not in by_type


@pytest.mark.parametrize("title", ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6"])
def test_saving_a_question_unchanged_keeps_its_data_and_ids(client, as_trainer, quiz_course, title):
    question = _bank(quiz_course)[title]
    before = question.data
    page = client.get(_url(quiz_course, f"/questions/{question.id}")).text
    assert f'name="answers-0-id" type="hidden" value="{before["answers"][0]["id"]}"' in page
    assert "/regrade" not in page  # no finished attempt to regrade
    response = client.post(_url(quiz_course, f"/questions/{question.id}"), data=_form(_unchanged(question),
                                                                                      save="Save"))
    assert response.status_code == 302
    _db.session.expire_all()
    after = _db.session.get(Question, question.id).data
    assert [a["id"] for a in after["answers"]] == [a["id"] for a in before["answers"]]
    assert [a.get("choice_id") for a in after["answers"]] == [a.get("choice_id") for a in before["answers"]]
    strip = "fraction" if title == "Q6" else None  # a matching pair's weight means nothing
    assert [{k: v for k, v in a.items() if k != strip} for a in after["answers"]] == \
           [{k: v for k, v in a.items() if k != strip} for a in before["answers"]]
    entry = _audit(quiz_course, "question")[-1]
    assert entry.details["question"] == question.id


def test_editing_choices_keeps_the_ids_of_the_options_kept(client, as_trainer, quiz_course):
    question = _bank(quiz_course)["Q1"]
    values = _unchanged(question)
    cairo, aswan, tanta = (row["id"] for row in values["answers"][:3])
    rows = values["answers"]
    rows[1] |= {"text_ar": "أسوان الجميلة", "text_en": "Aswan"}
    rows[2] |= {"text_ar": "", "text_en": ""}  # emptied: removed
    rows[3] |= {"text_ar": "الأقصر", "weight": "0"}  # a new option in an empty row
    rows[0] |= {"text_en": "Cairo"}
    english = _form(values, prompt_en="What is the capital of Egypt?", save="Save")
    refused = client.post(_url(quiz_course, f"/questions/{question.id}"), data=english)  # الأقصر has no English
    assert refused.status_code == 200 and 'role="alert"' in refused.text
    english["answers-3-text_en"] = "Luxor"
    response = client.post(_url(quiz_course, f"/questions/{question.id}"), data=english)
    assert response.status_code == 302
    _db.session.expire_all()
    saved = _db.session.get(Question, question.id)
    ids = [a["id"] for a in saved.data["answers"]]
    assert ids[:2] == [cairo, aswan] and tanta not in ids and len(ids) == 3
    assert saved.data["answers"][1]["text"] == {"ar": "أسوان الجميلة", "en": "Aswan"}
    assert saved.prompt["en"] == "What is the capital of Egypt?"
    gift = _db.session.scalar(sa.select(CourseAsset.content).where(CourseAsset.course_id == quiz_course.id,
                                                                   CourseAsset.path == "quiz.gift")).decode()
    assert "أسوان الجميلة" in gift and "طنطا" not in gift  # the course folder's file follows


@pytest.mark.parametrize("kind,form,check", [
    ("single", {"answers-0-text_ar": "نعم", "answers-0-weight": "١٠٠", "answers-1-text_ar": "لا"},
     lambda d: [a["fraction"] for a in d["answers"]] == [1.0, 0.0]),
    ("multiple", {"answers-0-text_ar": "أ", "answers-0-weight": "50", "answers-1-text_ar": "ب",
                  "answers-1-weight": "50", "answers-2-text_ar": "ج", "answers-2-weight": "-100"},
     lambda d: [a["fraction"] for a in d["answers"]] == [0.5, 0.5, -1.0]),
    ("truefalse", {"right": "false", "answers-0-feedback_ar": "للأسف", "answers-1-feedback_ar": "أحسنت"},
     lambda d: {a["id"]: (a["fraction"], a["feedback"]["ar"]) for a in d["answers"]}
     == {"true": (0.0, "للأسف"), "false": (1.0, "أحسنت")}),
    ("short", {"answers-0-text_ar": "القاهرة", "answers-0-text_en": "Cairo", "answers-0-weight": "100",
               "prompt_en": "Egypt's capital?"},
     lambda d: d["answers"][0]["text"] == {"ar": "القاهرة", "en": "Cairo"}),
    ("numeric", {"answers-0-value": "٢٫٥", "answers-0-tolerance": "0,1", "answers-0-weight": "100"},
     lambda d: (d["answers"][0]["value"], d["answers"][0]["tolerance"]) == (2.5, 0.1)),
    ("matching", {f"answers-{i}-{k}": v for i, (a, b) in enumerate([("١", "واحد"), ("٢", "اثنان"), ("٣", "ثلاثة")])
                  for k, v in (("text_ar", a), ("match_ar", b))},
     lambda d: len({a["choice_id"] for a in d["answers"]}) == 3),
])
def test_a_new_question_of_each_type(client, as_trainer, quiz_course, kind, form, check):
    response = client.post(_url(quiz_course, f"/questions/new?type={kind}"),
                           data={"title": "جديد", "prompt_ar": "سؤال جديد", "format": "moodle", "save": "Save", **form})
    assert response.status_code == 302, response.text
    question = _bank(quiz_course)["جديد"]
    assert question.type == kind and question.position == 7 and check(question.data)
    assert response.headers["Location"].endswith(f"/questions/{question.id}")


@pytest.mark.parametrize("title,changes,message", [
    ("Q1", {"answers-0-weight": "0"}, "no option is marked right"),
    ("Q2", {"answers-1-weight": "30"}, "must add up to 100%"),
    ("Q5", {"answers-0-value": "خمسة"}, "This is not a number."),
    ("Q1", {"answers-0-weight": "150"}, "Give a percentage from -100 to 100."),
    ("Q3", {"prompt_ar": "  "}, "This field is required."),
    ("Q4", {"title": "Q1"}, "has this title"),
    ("Q6", {"answers-1-match_ar": "", "answers-1-text_ar": "", "answers-2-text_ar": ""}, "at least two pairs"),
])
def test_invalid_input_is_refused_and_changes_nothing(client, as_trainer, quiz_course, title, changes, message):
    client.post("/language", data={"lang": "en"})
    question = _bank(quiz_course)[title]
    before = (question.data, question.prompt, question.title)
    form = {**_form(_unchanged(question)), **changes, "save": "Save"}
    response = client.post(_url(quiz_course, f"/questions/{question.id}"), data=form)
    assert response.status_code == 200 and message in response.text
    assert 'role="alert"' in response.text
    for typed in changes.values():
        if typed.strip():
            assert f'value="{typed}"' in response.text or f">{typed}<" in response.text  # kept as typed
    _db.session.expire_all()
    again = _db.session.get(Question, question.id)
    assert (again.data, again.prompt, again.title) == before and not _audit(quiz_course, "question")


def test_an_unreadable_cell_is_marked_beside_it(client, as_trainer, quiz_course):
    question = _bank(quiz_course)["Q5"]
    form = {**_form(_unchanged(question)), "answers-0-value": "خمسة", "save": "Save"}
    page = client.post(_url(quiz_course, f"/questions/{question.id}"), data=form).text
    assert re.search(r'aria-describedby="answers-0-value-error"[^>]*aria-invalid="true"', page)
    assert 'id="answers-0-value-error"' in page


def test_preview_shows_the_question_as_a_learner_sees_it_and_saves_nothing(client, as_trainer, quiz_course):
    question = _bank(quiz_course)["Q1"]
    values = _unchanged(question)
    values["answers"][1]["text_ar"] = "الجيزة"
    page = client.post(_url(quiz_course, f"/questions/{question.id}"),
                       data=_form(values, prompt_ar="ما عاصمة مصر الحديثة؟", preview="Preview")).text
    preview = page[page.index('id="question-preview"'):page.index("</section>")]
    assert "ما عاصمة مصر الحديثة؟" in preview and "الجيزة" in preview and "disabled" in preview
    assert 'type="radio"' in preview and SECRET not in preview
    _db.session.expire_all()
    assert _db.session.get(Question, question.id).prompt["ar"] == "ما عاصمة مصر؟"
    assert not _audit(quiz_course, "question")
    new = client.post(_url(quiz_course, "/questions/new?type=matching"), data={
        "prompt_ar": "صل", "answers-0-text_ar": "أ", "answers-0-match_ar": "١", "preview": "Preview"}).text
    assert "at least two pairs" in new or "زوجين" in new  # its problems, beside the preview
    assert len(_bank(quiz_course)) == 6


def test_removing_a_question(client, as_trainer, quiz_course):
    used, unused = _bank(quiz_course)["Q1"], _bank(quiz_course)["Q2"]
    learner = factories.UserFactory()
    progress.enroll(learner.id, quiz_course)
    attempts.start_attempt(learner.id, quiz_course)  # every question is drawn
    refused = client.post(_url(quiz_course, f"/questions/{unused.id}/delete"))
    assert refused.status_code == 302 and _db.session.get(Question, unused.id) is not None
    client.post(_url(quiz_course, f"/questions/{used.id}/delete"), data={"confirm": "y"})
    _db.session.expire_all()
    assert _db.session.get(Question, used.id).is_active is False
    assert "Q1" not in _bank(quiz_course)
    assert client.get(_url(quiz_course, f"/questions/{used.id}")).status_code == 404
    new = Question(course_id=quiz_course.id, position=9, title="Q9", type="short", prompt={"ar": "؟"},
                   data={"answers": []})
    _db.session.add(new)
    _db.session.commit()
    client.post(_url(quiz_course, f"/questions/{new.id}/delete"), data={"confirm": "y"})
    assert _db.session.scalar(sa.select(Question.id).where(Question.id == new.id)) is None
    assert [e.details.get("retired") or e.details.get("deleted") for e in _audit(quiz_course, "question")] == [True,
                                                                                                            True]


def test_regrade_after_fixing_the_key(client, as_trainer, quiz_course):
    single = _bank(quiz_course)["Q1"]
    aswan = single.data["answers"][1]["id"]
    attempt = _finished_attempt(quiz_course, lambda rows: {str(single.id): aswan})
    assert attempt.score == 0
    values = _unchanged(single)
    values["answers"][0]["weight"], values["answers"][1]["weight"] = "0", "100"
    page = client.post(_url(quiz_course, f"/questions/{single.id}"), data=_form(values, save="Save"),
                       follow_redirects=True).text
    assert f'action="{_url(quiz_course, f"/questions/{single.id}/regrade")}"' in page  # offered after saving
    client.post(_url(quiz_course, f"/questions/{single.id}/regrade"))
    _db.session.refresh(attempt)
    assert attempt.score == pytest.approx(100 / 6, abs=0.01)
    (entry,) = _audit(quiz_course, "regrade")
    assert entry.details["questions"] == [single.id] and entry.details["changed"][0]["attempt"] == attempt.id


IMPORT = """::Q1:: ما عاصمة جمهورية مصر العربية؟ {=القاهرة ~الإسكندرية}

::Q7:: الرقم القومي من ١٤ رقمًا {T}
"""


def test_import_checks_first_then_imports_all(client, as_trainer, quiz_course):
    from io import BytesIO
    checked = client.post(_url(quiz_course, "/import"), data={
        "file": (BytesIO(IMPORT.encode()), "bank.gift"), "lang": "ar", "file_format": "", "check": "x"})
    page = checked.text
    assert checked.status_code == 200 and "Q7" in page and "Q1" in page
    assert "Q7" not in _bank(quiz_course) and _bank(quiz_course)["Q1"].prompt["ar"] == "ما عاصمة مصر؟"
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', page).group(1)
    assert base64.b64decode(content) == IMPORT.encode()
    done = client.post(_url(quiz_course, "/import"), data={
        "content": content, "file_name": "bank.gift", "lang": "ar", "file_format": "", "confirm": "x"})
    assert done.status_code == 302
    _db.session.expire_all()
    questions = _bank(quiz_course)
    assert questions["Q7"].type == "truefalse" and "جمهورية" in questions["Q1"].prompt["ar"]
    assert _audit(quiz_course, "import")[0].details["new"] == 1


def test_a_bad_file_shows_its_lines_and_imports_nothing(client, as_trainer, quiz_course):
    from io import BytesIO
    client.post("/language", data={"lang": "en"})
    bad = "::Q8:: سؤال بلا إجابة صحيحة {~أ ~ب}\n\n\n::Q9:: مقال {}\n"
    page = client.post(_url(quiz_course, "/import"), data={
        "file": (BytesIO(bad.encode()), "bad.gift"), "lang": "ar", "check": "x"}).text
    assert "line 1:" in page and "line 4:" in page and "Nothing was imported" in page
    confirmed = client.post(_url(quiz_course, "/import"), data={
        "content": base64.b64encode(bad.encode()).decode(), "file_name": "bad.gift", "lang": "ar", "confirm": "x"})
    assert confirmed.status_code == 200 and "line 1:" in confirmed.text
    assert set(_bank(quiz_course)) == {"Q1", "Q2", "Q3", "Q4", "Q5", "Q6"} and not _audit(quiz_course, "import")


def test_a_file_with_two_questions_of_one_title_is_refused(client, as_trainer, quiz_course):
    # Both were added, and every import of the same file again added one more copy.
    from io import BytesIO
    one = ("<question type=\"truefalse\"><name><text>سؤال مكرر</text></name><questiontext><text>أ</text>"
           "</questiontext><answer fraction=\"100\"><text>true</text></answer><answer fraction=\"0\"><text>false"
           "</text></answer></question>\n")
    twice = f"<quiz>\n{one}{one}</quiz>"
    page = client.post(_url(quiz_course, "/import"), data={
        "file": (BytesIO(twice.encode()), "bank.xml"), "lang": "ar", "check": "x"}).text
    assert "هو أيضًا عنوان السؤال" in page and "سؤال مكرر" in page
    assert "سؤال مكرر" not in _bank(quiz_course)


def test_a_large_file_travels_back_with_the_confirmation(client, as_trainer, quiz_course):
    big = ("// " + "ت" * 200 + "\n") * 1500 + "::Q10:: سؤال أخير {T}\n"  # about 600 kB
    assert len(big.encode()) > 500_000
    response = client.post(_url(quiz_course, "/import"), data={
        "content": base64.b64encode(big.encode()).decode(), "file_name": "big.gift", "lang": "ar",
        "confirm": "x"})
    assert response.status_code == 302 and "Q10" in _bank(quiz_course)


def _bilingual(question):
    """The sample question with English texts beside the Arabic ones (matching weights are GIFT's: none)."""
    answers = [replace(a, text=a.text if question.type == "truefalse" else (f"answer {n}" if a.text else ""),
                       match=f"match {n}" if a.match else "", feedback=f"feedback {n}" if a.feedback else "",
                       fraction=0.0 if question.type == "matching" else a.fraction)
               for n, a in enumerate(question.answers)]
    arabic = replace(question, answers=[replace(a, fraction=b.fraction)
                                        for a, b in zip(question.answers, answers, strict=True)])
    return {"ar": arabic, "en": replace(question, text=f"Question {question.title}", answers=answers,
                                        general_feedback="general" if question.general_feedback else "")}


@pytest.mark.parametrize("lang,name", [("ar", "quiz.gift"), ("en", "quiz.en.gift")])
def test_export_gives_gift_that_reads_back_as_the_bank(client, as_trainer, db, lang, name):
    course = factories.CourseFactory()
    course.quiz_settings = {"file": "quiz.gift"}
    bank._apply(course, [_bilingual(q) for q in sample_questions()], retire_missing=True)
    _db.session.commit()
    response = client.get(_url(course, f"/export?lang={lang}" if lang == "en" else "/export"))
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == f"attachment; filename={course.slug}-{name}"
    parsed = parse_gift(response.get_data(as_text=True))
    for question in parsed:
        question.line = 0
    assert parsed == [_bilingual(q)[lang] for q in sample_questions()]
    assert ("Question Q1" in response.text) == (lang == "en")


def test_the_bank_pages_say_how_many_questions_the_english_export_gives_in_arabic(client, as_trainer, db):
    # A bank imported in Arabic only exported "English" files identical to the Arabic ones, and nothing said so.
    course = factories.CourseFactory()
    course.quiz_settings = {"file": "quiz.gift"}
    questions = sample_questions()
    bank._apply(course, [_bilingual(questions[0])] + [{"ar": q} for q in questions[1:]], retire_missing=True)
    _db.session.commit()
    client.post("/language", data={"lang": "en", "next": "/"})
    gap = f"{len(questions) - 1} questions have no English text yet: the English exports give them in Arabic."
    assert gap in client.get(_url(course, "")).text and gap in client.get(_url(course, "/questions")).text
    bank._apply(course, [_bilingual(q) for q in questions], retire_missing=True)
    _db.session.commit()
    assert "no English text yet" not in client.get(_url(course, "/questions")).text


def test_settings_are_saved_and_audited(client, as_trainer, quiz_course):
    learner = factories.UserFactory()
    progress.enroll(learner.id, quiz_course)
    running = attempts.start_attempt(learner.id, quiz_course)
    form = {"pass_mark": "٨٠", "attempts": "3", "wait_minutes": "10", "time_limit_minutes": "30", "questions": "",
            "shuffle": "y", "review": "answers", "grading": "last", "layout": "one"}
    assert client.post(_url(quiz_course, "/settings"), data=form).status_code == 302
    _db.session.refresh(quiz_course)
    assert quiz_course.quiz_settings == {"file": "quiz.gift", "pass_mark": 80, "attempts": 3, "wait_minutes": 10,
                                         "time_limit_minutes": 30, "shuffle": True, "review": "answers",
                                         "grading": "last", "layout": "one"}
    (entry,) = _audit(quiz_course, "settings")
    assert entry.details["changed"]["pass_mark"] == [70, 80] and "shuffle" not in entry.details["changed"]
    _db.session.refresh(running)
    assert running.deadline is None  # a running attempt keeps the clock it started with
    page = client.get(_url(quiz_course, "/settings")).text
    assert 'name="pass_mark" size="6" type="text" value="80"' in page or 'value="80"' in page


def test_more_questions_per_attempt_than_the_bank_holds_is_said(client, as_trainer, quiz_course):
    form = {"pass_mark": "70", "attempts": "0", "wait_minutes": "0", "time_limit_minutes": "0", "questions": "10",
            "shuffle": "y", "review": "full", "grading": "highest", "layout": "all"}
    page = client.post(_url(quiz_course, "/settings"), data=form, follow_redirects=True).text
    assert "يضم بنك الأسئلة ٦ أسئلة" in page and "١٠" in page
    page = client.post(_url(quiz_course, "/settings"), data={**form, "questions": "5"}, follow_redirects=True).text
    assert "يضم بنك الأسئلة" not in page


@pytest.mark.parametrize("changes", [{"pass_mark": "150"}, {"questions": "0"}, {"review": "all"},
                                     {"attempts": "كثير"}])
def test_invalid_settings_are_refused(client, as_trainer, quiz_course, changes):
    form = {"pass_mark": "70", "attempts": "0", "wait_minutes": "0", "time_limit_minutes": "0", "questions": "",
            "shuffle": "y", "review": "full", "grading": "highest", "layout": "all", **changes}
    response = client.post(_url(quiz_course, "/settings"), data=form)
    assert response.status_code == 200 and 'class="error"' in response.text
    _db.session.refresh(quiz_course)
    assert quiz_course.quiz_settings == {"file": "quiz.gift", "pass_mark": 70} and not _audit(quiz_course, "settings")


@pytest.mark.parametrize("values", [{"pass_mark": 150}, {"questions": 0}, {"shuffle": "yes"}, {"layout": "two"}])
def test_the_service_refuses_invalid_settings_whatever_the_form_lets_through(quiz_course, values):
    with pytest.raises(ValidationError) as refused:
        authoring.save_settings(quiz_course, values, None)
    assert set(refused.value.errors) == set(values)
    _db.session.refresh(quiz_course)
    assert quiz_course.quiz_settings == {"file": "quiz.gift", "pass_mark": 70} and not _audit(quiz_course, "settings")


def test_attempts_and_one_attempt_with_the_key(client, as_trainer, quiz_course):
    attempt = _finished_attempt(quiz_course, lambda rows: {str(q.id): "الاسكندريه" for _aq, q in rows
                                                           if q.type == "short"})
    learner = _db.session.get(factories.UserFactory._meta.model, attempt.user_id)
    listing = client.get(_url(quiz_course, "/attempts")).text
    assert f"<bdi>{learner.full_name_ar}</bdi>" in listing and f"<bdi>{learner.employee_number}</bdi>" in listing
    page = client.get(_url(quiz_course, f"/attempts/{attempt.id}")).text
    assert "الاسكندريه" in page and "القاهرة" in page  # the learner's answer and the key
    other = add_bank(factories.CourseFactory())
    assert client.get(_url(other, f"/attempts/{attempt.id}")).status_code == 404


def test_the_log_shows_the_latest_change_first(client, as_trainer, quiz_course):
    client.post(_url(quiz_course, "/settings"), data={
        "pass_mark": "60", "attempts": "0", "wait_minutes": "0", "time_limit_minutes": "0", "review": "full",
        "grading": "highest", "layout": "all"})
    question = _bank(quiz_course)["Q4"]
    client.post(_url(quiz_course, f"/questions/{question.id}"), data=_form(_unchanged(question), save="Save"))
    page = client.get(_url(quiz_course, "/log"), follow_redirects=True).text
    assert page.index("Q4") < page.index(str(authoring.SETTING_LABELS["pass_mark"]))
    assert f"<bdi>{as_trainer.full_name_ar}</bdi>" in page


def test_the_bank_list_shows_a_prompt_without_the_text_of_its_script(client, as_trainer, quiz_course):
    question = _bank(quiz_course)["Q1"]
    question.format, question.prompt = "html", {"ar": "<p>ما الوثيقة المطلوبة؟</p><script>alert(1)</script>"}
    _db.session.commit()
    page = client.get(_url(quiz_course, "/questions")).text
    assert "ما الوثيقة المطلوبة؟" in page and "alert(1)" not in page


def test_the_log_shows_what_a_question_edit_changed(client, as_trainer, quiz_course):
    # The log said only "Question Q1 saved": a key changed from one option to another left no trace of which.
    question = _bank(quiz_course)["Q1"]
    values = _unchanged(question)
    for row in values["answers"]:
        if row:
            row["weight"] = "100" if row["text_ar"] == "أسوان" else "0"
    client.post(_url(quiz_course, f"/questions/{question.id}"), data=_form(values, save="Save"))
    client.post("/language", data={"lang": "en", "next": "/"})
    page = client.get(_url(quiz_course, "/log"), follow_redirects=True).text
    assert "Answers" in page and "القاهرة (100%)" in page and "أسوان (100%)" in page
