"""The quiz API: start or resume, answers all-or-nothing, idempotent submission, and nothing leaked before review."""
import json

import pytest

from lms.progress import services as progress
from lms.quizzes import attempts
from lms.quizzes import bank as bank_module
from lms.quizzes.bank import require_bank as bank_of
from lms.quizzes.types import REGISTRY
from tests import factories
from tests.factories import PASSWORD
from tests.quizzes.conftest import SECRET, STEPS, add_bank, ordering_question, right_answers


@pytest.fixture
def learner(db):
    return factories.UserFactory(username="quizzer")


@pytest.fixture
def api(client, learner):
    token = client.post("/api/v1/tokens", json={"username": "quizzer", "password": PASSWORD}).json["token"]
    headers = {"Authorization": f"Bearer {token}"}

    class Api:
        def get(self, url):
            return client.get(f"/api/v1{url}", headers=headers)

        def post(self, url, **kwargs):
            return client.post(f"/api/v1{url}", headers=headers, **kwargs)

        def put(self, url, **kwargs):
            return client.put(f"/api/v1{url}", headers=headers, **kwargs)

    return Api()


@pytest.fixture
def course(learner):
    quiz_course = add_bank(factories.CourseFactory())
    progress.enroll(learner.id, quiz_course)
    return quiz_course


def _walk_keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _walk_keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk_keys(inner)


def test_start_returns_the_questions_and_never_the_key(api, course):
    response = api.post(f"/courses/{course.slug}/quiz/attempts")
    assert response.status_code == 201
    body = response.json
    assert {"id", "deadline", "questions"} <= set(body)
    types = {q["type"] for q in body["questions"]}
    assert types == {"single", "multiple", "truefalse", "short", "numeric", "matching"}
    for question in body["questions"]:
        assert {"id", "type", "prompt", "options"} <= set(question)
        if question["type"] == "truefalse":
            assert [o["id"] for o in question["options"]] == ["true", "false"]
        if question["type"] == "matching":
            assert len(question["items"]) == 3 and len(question["choices"]) == 3
            assert not {i["id"] for i in question["items"]} & {c["id"] for c in question["choices"]}
    raw = response.get_data(as_text=True)
    assert SECRET not in raw
    assert not set(_walk_keys(body)) & {"fraction", "weight", "feedback", "correct", "right_answers", "value",
                                        "tolerance", "match", "choice_id"}


def test_starting_again_returns_the_open_attempt(api, course):
    first = api.post(f"/courses/{course.slug}/quiz/attempts").json
    again = api.post(f"/courses/{course.slug}/quiz/attempts")
    assert again.status_code == 200 and again.json["id"] == first["id"]


def test_pass_through_the_api(api, course, learner):
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    key = right_answers(attempts.attempt_questions(attempt["id"]))
    saved = api.put(f"/attempts/{attempt['id']}/answers", json={"answers": key})
    assert saved.status_code == 200 and "saved_at" in saved.json
    reread = api.get(f"/attempts/{attempt['id']}").json
    assert set(reread["answers"]) == set(key)
    result = api.post(f"/attempts/{attempt['id']}/submission")
    assert result.status_code == 200 and result.json["score"] == 100 and result.json["passed"] is True
    again = api.post(f"/attempts/{attempt['id']}/submission")
    assert again.json["score"] == 100 and again.json["finished_at"] == result.json["finished_at"]
    quiz = api.get(f"/courses/{course.slug}/quiz").json
    assert quiz["passed"] is True and quiz["grade"] == 100 and len(quiz["attempts"]) == 1
    assert "file" not in quiz["settings"]


def test_fail_through_the_api(api, course):
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    single = next(q for q in attempt["questions"] if q["type"] == "single")
    numeric = next(q for q in attempt["questions"] if q["type"] == "numeric")
    api.put(f"/attempts/{attempt['id']}/answers",
            json={"answers": {str(single["id"]): single["options"][0]["id"], str(numeric["id"]): "٤٫٥"}})
    result = api.post(f"/attempts/{attempt['id']}/submission").json
    assert 0 <= result["score"] < 70 and result["passed"] is False


@pytest.mark.parametrize("answers", [
    "UNKNOWN_QUESTION",
    "SINGLE_BAD_OPTION",
    "MATCHING_BAD_CHOICE",
    "MULTIPLE_NOT_A_LIST",
])
def test_answers_outside_the_attempt_are_refused_and_nothing_is_saved(api, course, answers):
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    by_type = {q["type"]: q for q in attempt["questions"]}
    good = {str(by_type["short"]["id"]): "الإسكندرية"}
    bad = {
        "UNKNOWN_QUESTION": {"999999": "x"},
        "SINGLE_BAD_OPTION": {str(by_type["single"]["id"]): by_type["multiple"]["options"][0]["id"]},
        "MATCHING_BAD_CHOICE": {str(by_type["matching"]["id"]): {by_type["matching"]["items"][0]["id"]: "nope"}},
        "MULTIPLE_NOT_A_LIST": {str(by_type["multiple"]["id"]): {"a": 1}},
    }[answers]
    response = api.put(f"/attempts/{attempt['id']}/answers", json={"answers": {**good, **bad}})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_answers" and set(response.json["error"]["fields"]) == set(bad)
    assert api.get(f"/attempts/{attempt['id']}").json["answers"] == {}


def test_bad_bodies_and_foreign_attempts_get_json_errors(api, course, db):
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    assert api.put(f"/attempts/{attempt['id']}/answers", data="oops", content_type="application/json"
                   ).status_code == 400
    assert api.put(f"/attempts/{attempt['id']}/answers", json={"answers": []}).json["error"]["code"] == "bad_request"
    other = factories.UserFactory()
    progress.enroll(other.id, course)
    foreign = attempts.start_attempt(other.id, course)
    for response in (api.get(f"/attempts/{foreign.id}"), api.post(f"/attempts/{foreign.id}/submission"),
                     api.put(f"/attempts/{foreign.id}/answers", json={"answers": {}})):
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_answers_after_submission_are_refused_with_409(api, course):
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    api.post(f"/attempts/{attempt['id']}/submission")
    response = api.put(f"/attempts/{attempt['id']}/answers", json={"answers": {}})
    assert response.status_code == 409 and response.json["error"]["code"] == "attempt_finished"


def test_a_replayed_older_save_gets_409_and_the_newer_answer_stays(api, course):
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    assert attempt["seq"] == 0
    short = str(next(q["id"] for q in attempt["questions"] if q["type"] == "short"))
    url = f"/attempts/{attempt['id']}/answers"
    assert api.put(url, json={"answers": {short: "first"}, "seq": 1}).json["seq"] == 1
    assert api.put(url, json={"answers": {short: "second"}, "seq": 2}).json["seq"] == 2
    replayed = api.put(url, json={"answers": {short: "first"}, "seq": 1})
    assert replayed.status_code == 409
    assert replayed.json["error"]["code"] == "stale_answers" and replayed.json["error"]["latest_seq"] == 2
    reread = api.get(f"/attempts/{attempt['id']}").json
    assert reread["answers"][short] == "second" and reread["seq"] == 2
    assert api.put(url, json={"answers": {short: "third"}}).json["seq"] == 3  # no seq: the newest save
    assert api.put(url, json={"answers": {short: "x"}, "seq": "4"}).json["error"]["code"] == "bad_request"


def test_rules_refuse_with_403(api, learner, db):
    course = add_bank(factories.CourseFactory(), attempts=1)
    assert api.post(f"/courses/{course.slug}/quiz/attempts").json["error"]["code"] == "not_allowed"  # not enrolled
    progress.enroll(learner.id, course)
    attempt = api.post(f"/courses/{course.slug}/quiz/attempts").json
    api.post(f"/attempts/{attempt['id']}/submission")
    response = api.post(f"/courses/{course.slug}/quiz/attempts")
    assert response.status_code == 403 and api.get(f"/courses/{course.slug}/quiz").json["may_start"] is False


def test_a_course_without_quiz_is_404(api, db):
    course = factories.CourseFactory()
    assert api.get(f"/courses/{course.slug}/quiz").status_code == 404


def test_english_prompts_on_request(api, db, learner):
    from lms.quizzes.formats import Answer, ParsedQuestion

    course = factories.CourseFactory()
    add_bank(course, bank_questions=[ParsedQuestion("truefalse", "الشمس نجم", [Answer("true", 1), Answer("false", 0)])])
    question = bank_of(course)[0]
    question.prompt = {"ar": "الشمس نجم", "en": "The sun is a star"}
    progress.enroll(learner.id, course)
    body = api.post(f"/courses/{course.slug}/quiz/attempts?lang=en").json
    assert body["questions"][0]["prompt"] == "The sun is a star"
    assert json.dumps(body["questions"][0]["options"][0], ensure_ascii=False)


def test_the_three_shipped_quizzes_can_be_passed_and_failed_through_the_api(client, db):
    from lms.courses.services import import_course_folders
    from tests.conftest import PROJECT_ROOT

    courses = import_course_folders([PROJECT_ROOT / "courses"])
    assert len(courses) == 3
    for course in courses:
        for name, answer_right in ((f"pass-{course.slug}", True), (f"fail-{course.slug}", False)):
            user = factories.UserFactory(username=name)
            token = client.post("/api/v1/tokens", json={"username": name, "password": PASSWORD}).json["token"]
            headers = {"Authorization": f"Bearer {token}"}
            client.post(f"/api/v1/courses/{course.slug}/enrollment", headers=headers)
            attempt = client.post(f"/api/v1/courses/{course.slug}/quiz/attempts", headers=headers).json
            assert len(attempt["questions"]) >= 19
            assert SECRET not in json.dumps(attempt)
            if answer_right:
                key = right_answers(attempts.attempt_questions(attempt["id"]))
                saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers", json={"answers": key},
                                   headers=headers)
                assert saved.status_code == 200, saved.json
            result = client.post(f"/api/v1/attempts/{attempt['id']}/submission", headers=headers).json
            assert result["passed"] is answer_right and result["score"] == (100 if answer_right else 0), course.slug
            assert user.id


@pytest.mark.parametrize("url", ["/attempts/{n}", "/attempts/{n}/answers", "/attempts/{n}/submission",
                                 "/courses/{slug}/modules/{n}", "/courses/{slug}/modules/{n}/completion"])
def test_a_number_too_large_for_the_database_is_a_404(api, course, url):
    """Found by schemathesis: it overflowed the database integer (a 500)."""
    path = url.format(n=2**63, slug=course.slug)
    method = "put" if path.endswith("/answers") else "post" if path.endswith(("submission", "completion")) else "get"
    response = getattr(api, method)(path, **({"json": {"answers": {}}} if method == "put" else {}))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


# --- ordering questions -----------------------------------------------------------------------------------------

@pytest.fixture
def ordering_course(learner):
    course = factories.CourseFactory()
    course.quiz_settings = {"file": "quiz.gift", "pass_mark": 70}
    bank_module._apply(course, [ordering_question()], retire_missing=True)
    progress.enroll(learner.id, course)
    return course


def test_an_ordering_question_comes_shuffled_and_without_its_order(api, ordering_course):
    response = api.post(f"/courses/{ordering_course.slug}/quiz/attempts?lang=en")
    (question,) = response.json["questions"]
    right = [a["id"] for a in bank_of(ordering_course)[0].data["answers"]]
    assert question["type"] == "ordering" and set(question) == {"id", "type", "prompt", "options", "items"}
    assert all(set(item) == {"id", "text"} for item in question["items"])
    assert [item["id"] for item in question["items"]] != right and sorted(i["id"] for i in question["items"]) == sorted(
        right)
    assert {item["text"] for item in question["items"]} == {en for _ar, en in STEPS}
    raw = response.get_data(as_text=True)
    assert SECRET not in raw and not set(_walk_keys(response.json)) & {
        "fraction", "position", "order", "right_answers", "correct", "answers_order"}


def test_an_ordering_answer_is_the_list_of_item_ids_in_the_learners_order(api, ordering_course):
    attempt = api.post(f"/courses/{ordering_course.slug}/quiz/attempts").json
    qid = str(attempt["questions"][0]["id"])
    right = [a["id"] for a in bank_of(ordering_course)[0].data["answers"]]
    saved = api.put(f"/attempts/{attempt['id']}/answers", json={"answers": {qid: right[::-1]}})
    assert saved.status_code == 200 and api.get(f"/attempts/{attempt['id']}").json["answers"] == {qid: right[::-1]}
    api.put(f"/attempts/{attempt['id']}/answers", json={"answers": {qid: right}})
    assert api.post(f"/attempts/{attempt['id']}/submission").json["score"] == 100
    (review,) = api.get(f"/attempts/{attempt['id']}").json["review"]
    assert review["right_answers"] == [f"{n}. {ar}" for n, (ar, _en) in
                                       zip("١٢٣٤", STEPS, strict=True)] and review["fraction"] == 1


@pytest.mark.parametrize("bad", ["NOT_A_LIST", "AN_OBJECT", "UNKNOWN_ID", "DUPLICATE", "MISSING", "NUMBERS", "NESTED",
                                 "TRUE"])
def test_bad_ordering_answers_are_refused_with_json_and_nothing_is_saved(api, ordering_course, bad):
    attempt = api.post(f"/courses/{ordering_course.slug}/quiz/attempts").json
    qid = str(attempt["questions"][0]["id"])
    items = [item["id"] for item in attempt["questions"][0]["items"]]
    answer = {"NOT_A_LIST": items[0], "AN_OBJECT": dict.fromkeys(items, 1), "UNKNOWN_ID": [*items[:-1], "ffffffff"],
              "DUPLICATE": [items[0], *items[:-1]], "MISSING": items[:-1], "NUMBERS": [1, 2, 3, 4],
              "NESTED": [items], "TRUE": True}[bad]
    response = api.put(f"/attempts/{attempt['id']}/answers", json={"answers": {qid: answer}})
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid_answers"
    assert response.json["error"]["fields"] == {qid: "أعطِ كل عنصر ترتيبًا خاصًا به، من ١ إلى ٤."}
    assert api.get(f"/attempts/{attempt['id']}").json["answers"] == {}


def test_the_document_names_every_registered_type(api):
    enum = api.get("/openapi.json").json["components"]["schemas"]["Question"]["properties"]["type"]["enum"]
    assert enum == list(REGISTRY) and "ordering" in enum
