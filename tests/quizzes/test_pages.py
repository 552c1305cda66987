import re
from datetime import timedelta

from lms.extensions import db as _db
from lms.progress import services as progress
from lms.quizzes import attempts
from lms.quizzes.models import QuizAttempt
from tests import factories
from tests.quizzes.conftest import SECRET, add_bank, right_answers


def _start(client, course):
    response = client.post(f"/courses/{course.slug}/quiz/attempts")
    assert response.status_code == 302
    return int(re.search(r"/quiz/attempts/(\d+)", response.headers["Location"]).group(1))


def test_the_quiz_page_says_how_many_questions_an_attempt_holds(client, as_learner, db):
    course = add_bank(factories.CourseFactory(slug="counted", modules=1), questions=4)  # 4 drawn from a bank of 6
    progress.enroll(as_learner.id, course)
    assert "٤ أسئلة" in client.get("/courses/counted/quiz").text
    course.quiz_settings = {**course.quiz_settings, "questions": 50}  # more than the bank holds: all of it
    _db.session.commit()
    assert "٦ أسئلة" in client.get("/courses/counted/quiz").text


def test_the_attempt_page_holds_no_key_weight_or_feedback(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    page = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    assert "ما عاصمة مصر؟" in page and "القاهرة" in page
    assert SECRET not in page
    assert not re.search(r"fraction|weight|correct|data-right|is-right", page, re.I)
    # Every option id on the page is one of the attempt's, and the right one is not marked in any way.
    rows = attempts.attempt_questions(attempt_id)
    single = next(q for _aq, q in rows if q.type == "single")
    right = next(a["id"] for a in single.data["answers"] if a["fraction"] >= 1)
    wrong = next(a["id"] for a in single.data["answers"] if a["fraction"] == 0)
    tag = re.search(rf'<input[^>]*value="{right}"[^>]*>', page).group(0)
    other = re.search(rf'<input[^>]*value="{wrong}"[^>]*>', page).group(0)
    assert tag.replace(right, "X") == other.replace(wrong, "X")


def test_a_learner_answers_without_javascript_submits_and_sees_the_review(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    rows = attempts.attempt_questions(attempt_id)
    key = right_answers(rows)
    form = {"page": "1", "go": "finish"}
    for _aq, q in rows:
        form.setdefault("question", []).append(str(q.id))
        form[f"q-{q.id}-kind"] = q.type
        value = key[str(q.id)]
        if q.type == "matching":
            form.update({f"q-{q.id}-{item}": choice for item, choice in value.items()})
        else:
            form[f"q-{q.id}"] = value if not isinstance(value, float) else "٥"  # Arabic-Indic five
    response = client.post(f"/quiz/attempts/{attempt_id}", data=form)
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/submit")
    confirm = client.get(f"/quiz/attempts/{attempt_id}/submit").get_data(as_text=True)
    assert "٦ من ٦" in confirm or "6 of 6" in confirm
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    result = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "١٠٠٪" in result and SECRET in result  # review "full": feedback shown once it is over


def test_a_refused_answer_keeps_what_was_typed(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    numeric = next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.type == "numeric")
    response = client.post(f"/quiz/attempts/{attempt_id}", data={
        "question": str(numeric.id), f"q-{numeric.id}-kind": "numeric", f"q-{numeric.id}": "خمسة", "go": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="خمسة"' in page and 'role="alert"' in page


def test_autosave_answers_in_json(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    short = next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.type == "short")
    saved = client.post(f"/quiz/attempts/{attempt_id}/answers", json={"answers": {str(short.id): "  الاسكندريه "}})
    assert saved.status_code == 200 and "saved_at" in saved.get_json()
    refused = client.post(f"/quiz/attempts/{attempt_id}/answers", json={"answers": {"999999": "x"}})
    assert refused.status_code == 422 and "999999" in refused.get_json()["error"]["fields"]
    assert client.post(f"/quiz/attempts/{attempt_id}/answers", data="nope").status_code == 400


def test_the_review_policy_score_shows_no_answers(client, as_learner):
    course = add_bank(factories.CourseFactory(), review="score")
    progress.enroll(as_learner.id, course)
    attempt_id = _start(client, course)
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    result = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert SECRET not in result and "القاهرة" not in result


def test_the_review_policy_answers_says_right_or_wrong_without_the_key(client, as_learner):
    # It showed "Right answer: ..." under every question missed, as "full" does, though it promised less.
    course = add_bank(factories.CourseFactory(), review="answers")
    progress.enroll(as_learner.id, course)
    attempt_id = _start(client, course)
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    result = client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "الإجابة الصحيحة" not in result and "القاهرة" not in result and SECRET not in result
    assert "خطأ" in result


def test_one_question_per_page(client, as_learner):
    course = add_bank(factories.CourseFactory(), layout="one")
    progress.enroll(as_learner.id, course)
    attempt_id = _start(client, course)
    page = client.get(f"/quiz/attempts/{attempt_id}?page=2").get_data(as_text=True)
    assert page.count('<fieldset') == 1 and "اختر الأعداد الزوجية" in page


def test_another_learners_attempt_is_not_found(client, auth, quiz_course):
    owner = factories.UserFactory()
    progress.enroll(owner.id, quiz_course)
    attempt = attempts.start_attempt(owner.id, quiz_course)
    auth.as_role("learner")
    for url in (f"/quiz/attempts/{attempt.id}", f"/quiz/attempts/{attempt.id}/result",
                f"/quiz/attempts/{attempt.id}/submit"):
        assert client.get(url).status_code == 404
    assert client.post(f"/quiz/attempts/{attempt.id}/submit").status_code == 404
    _db.session.refresh(attempt)
    assert attempt.is_open


def test_the_overview_lists_attempts_and_says_when_none_are_left(client, as_learner):
    course = add_bank(factories.CourseFactory(), attempts=1)
    progress.enroll(as_learner.id, course)
    attempt_id = _start(client, course)
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    page = client.get(f"/courses/{course.slug}/quiz").get_data(as_text=True)
    assert f"/quiz/attempts/{attempt_id}/result" in page
    assert f'action="/courses/{course.slug}/quiz/attempts"' not in page


def test_moving_to_another_question_saves_this_one_without_javascript(client, as_learner):
    course = add_bank(factories.CourseFactory(), layout="one")
    progress.enroll(as_learner.id, course)
    attempt_id = _start(client, course)
    rows = attempts.attempt_questions(attempt_id)
    first = rows[0][1]
    key = right_answers(rows)[str(first.id)]
    page = client.get(f"/quiz/attempts/{attempt_id}?page=1").get_data(as_text=True)
    assert 'form="quiz-form" name="go" value="3"' in page  # the navigator submits the page's answers
    response = client.post(f"/quiz/attempts/{attempt_id}", data={
        "question": str(first.id), f"q-{first.id}-kind": first.type, f"q-{first.id}": key, "go": "3"})
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}?page=3")
    _db.session.expire_all()
    assert attempts.attempt_questions(attempt_id)[0][0].response == key


def _short_question(attempt_id: int):
    return next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.type == "short")


def _saved(attempt_id: int, question_id: int):
    _db.session.expire_all()
    return next(aq.response for aq, q in attempts.attempt_questions(attempt_id) if q.id == question_id)


def test_autosave_refuses_an_older_save_that_arrives_after_a_newer_one(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    short = _short_question(attempt_id)
    url = f"/quiz/attempts/{attempt_id}/answers"
    for seq, text in ((1, "first"), (2, "second")):  # in order: both saved
        response = client.post(url, json={"answers": {str(short.id): text}, "seq": seq})
        assert response.status_code == 200 and response.get_json()["seq"] == seq
    replayed = client.post(url, json={"answers": {str(short.id): "first"}, "seq": 1})
    assert replayed.status_code == 409
    error = replayed.get_json()["error"]
    assert error["code"] == "stale_answers" and error["latest_seq"] == 2 and set(error["fields"]) == {str(short.id)}
    assert _saved(attempt_id, short.id) == "second"
    for bad in ("3", True, 0, 2**31, 2.5, None):
        response = client.post(url, json={"answers": {str(short.id): "x"}, "seq": bad})
        assert response.status_code == 400, bad
    assert _saved(attempt_id, short.id) == "second"


def test_the_form_carries_the_next_number_and_a_page_older_than_a_save_is_refused(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    short = _short_question(attempt_id)
    page = client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    assert 'name="seq" value="1"' in page
    client.post(f"/quiz/attempts/{attempt_id}/answers", json={"answers": {str(short.id): "from the script"}, "seq": 4})
    assert 'name="seq" value="5"' in client.get(f"/quiz/attempts/{attempt_id}").get_data(as_text=True)
    form = {"question": str(short.id), f"q-{short.id}-kind": "short", f"q-{short.id}": "from an old page"}
    stale = client.post(f"/quiz/attempts/{attempt_id}", data={**form, "seq": "3", "go": "1"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert 'value="from the script"' in page and 'role="alert"' in page and 'name="seq" value="5"' in page
    assert _saved(attempt_id, short.id) == "from the script"
    assert client.post(f"/quiz/attempts/{attempt_id}", data={**form, "seq": "x", "go": "1"}).status_code == 400
    saved = client.post(f"/quiz/attempts/{attempt_id}", data={**form, "seq": "5", "go": "1"})
    assert saved.status_code == 302 and _saved(attempt_id, short.id) == "from an old page"


def test_a_stale_page_whose_time_ran_out_still_submits_what_was_saved(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    short = _short_question(attempt_id)
    client.post(f"/quiz/attempts/{attempt_id}/answers", json={"answers": {str(short.id): "newer"}, "seq": 2})
    response = client.post(f"/quiz/attempts/{attempt_id}", data={
        "question": str(short.id), f"q-{short.id}-kind": "short", f"q-{short.id}": "older", "seq": "1",
        "go": "submit"})
    assert response.headers["Location"].endswith(f"/quiz/attempts/{attempt_id}/result")
    assert _saved(attempt_id, short.id) == "newer"
    assert not _db.session.get(QuizAttempt, attempt_id).is_open


def test_the_result_shows_numeric_answers_in_the_readers_digits(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    numeric = next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.type == "numeric")
    client.post(f"/quiz/attempts/{attempt_id}", data={
        "question": str(numeric.id), f"q-{numeric.id}-kind": "numeric", f"q-{numeric.id}": "4.5", "go": "1"})
    client.post(f"/quiz/attempts/{attempt_id}/submit")
    result = client.get(f"/quiz/attempts/{attempt_id}/result").text
    assert re.search(r"</strong> ٤٫٥\s", result) and re.search(r"</strong> ٥</p>", result)
    client.post("/language", data={"lang": "en"})
    result = client.get(f"/quiz/attempts/{attempt_id}/result").text
    assert re.search(r"</strong> 4\.5\s", result) and re.search(r"</strong> 5</p>", result)


def test_a_page_sent_after_its_attempt_was_submitted_says_so_not_that_time_ran_out(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    short = _short_question(attempt_id)
    form = {"question": str(short.id), f"q-{short.id}-kind": "short", f"q-{short.id}": "kept", "go": "submit"}
    assert client.post(f"/quiz/attempts/{attempt_id}", data=form).status_code == 302
    again = client.post(f"/quiz/attempts/{attempt_id}", data={**form, f"q-{short.id}": "too late"},
                        follow_redirects=True)
    assert again.request.path == f"/quiz/attempts/{attempt_id}/result"
    page = again.get_data(as_text=True)
    assert "انتهت هذه المحاولة" in page and "انتهى وقتك" not in page
    assert _saved(attempt_id, short.id) == "kept"


def test_a_page_sent_after_its_time_ran_out_says_the_time_was_up(client, as_learner, quiz_course):
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    short = _short_question(attempt_id)
    attempt = _db.session.get(QuizAttempt, attempt_id)
    attempt.deadline = attempt.started_at - timedelta(hours=1)  # its time ran out long before this page was sent
    _db.session.commit()
    late = client.post(f"/quiz/attempts/{attempt_id}", data={
        "question": str(short.id), f"q-{short.id}-kind": "short", f"q-{short.id}": "late", "go": "1"},
        follow_redirects=True)
    assert late.request.path == f"/quiz/attempts/{attempt_id}/result"
    page = late.get_data(as_text=True)
    assert "انتهى وقتك" in page and "انتهت هذه المحاولة" not in page
    _db.session.expire_all()
    assert _db.session.get(QuizAttempt, attempt_id).finished_by == "timeout"


def test_the_quiz_page_of_a_course_not_enrolled_in_offers_to_enrol(client, as_learner, quiz_course):
    # "Start the quiz" answered "enrol in the course first" on a page with nothing to enrol with.
    page = client.get(f"/courses/{quiz_course.slug}/quiz").text
    assert f'action="/courses/{quiz_course.slug}/enrollment"' in page
    assert f'action="/courses/{quiz_course.slug}/quiz/attempts"' not in page
    progress.enroll(as_learner.id, quiz_course)
    assert f'action="/courses/{quiz_course.slug}/quiz/attempts"' in client.get(f"/courses/{quiz_course.slug}/quiz").text


def test_a_matching_question_with_one_item_matched_is_partly_answered(client, as_learner, quiz_course):
    # It counted as answered in the navigator and on the submit page; its result was "partly right".
    progress.enroll(as_learner.id, quiz_course)
    attempt_id = _start(client, quiz_course)
    matching = next(q for _aq, q in attempts.attempt_questions(attempt_id) if q.type == "matching")
    item, choice = next(iter(right_answers([(None, matching)])[str(matching.id)].items()))
    attempts.save_answers(attempt_id, as_learner.id, {str(matching.id): {item: choice}})
    confirm = client.get(f"/quiz/attempts/{attempt_id}/submit").text
    assert "أجبت عن ٠ من ٦ أسئلة" in confirm and "(أُجيب عنه جزئيًا)" in confirm
    page = client.get(f"/quiz/attempts/{attempt_id}").text
    assert "أُجيب عنه جزئيًا" in page
