"""The trainer's side of a quiz: one question edited on a form, retired or deleted; the settings; the log.

A question form sends plain values: its texts, and `answers`, one row per answer in the order shown, each with
the id it had (kept, so that attempts' saved answers still point at the same options), its texts in both
languages and its numbers as typed.
"""
from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa

from lms.accounts.models import User
from lms.core.db import begin_write, locked
from lms.core.edits import EditConflict, check_unchanged
from lms.core.i18n import _, _l, localize_digits, ngettext
from lms.core.models import ValidationError
from lms.courses import log as course_log
from lms.courses.log import LogText, list_text, value_text
from lms.courses.models import Course, CourseLogEntry
from lms.extensions import db
from lms.quizzes.bank import LANGS, _write_back, audit
from lms.quizzes.formats import TEXT_FORMATS, ParsedQuestion
from lms.quizzes.models import AttemptQuestion, AttemptStatus, Question, QuizAttempt
from lms.quizzes.rendering import to_html
from lms.quizzes.review import ReviewedQuestion, ShownQuestion
from lms.quizzes.settings import GRADING_POLICIES, LAYOUTS, REVIEW_POLICIES, QuizSettings, check
from lms.quizzes.types import REGISTRY, pick, type_of
from lms.quizzes.types.base import cell, new_id
from lms.quizzes.versions import keep_as_shown

SETTING_LABELS = {
    "pass_mark": _l("Pass mark (%)"), "attempts": _l("Attempts allowed (0 = unlimited)"),
    "wait_minutes": _l("Wait between attempts (minutes)"), "time_limit_minutes": _l("Time limit (minutes, 0 = none)"),
    "questions": _l("Questions drawn for each attempt (empty = all)"), "shuffle": _l("Shuffle the options"),
    "review": _l("After an attempt, the learner sees"), "grading": _l("Which attempt counts"),
    "layout": _l("Layout"),
}


class InvalidQuestion(ValidationError):
    """The form does not describe a question that can be stored.

    `cells` maps a field name ("answers-2-value") to what is wrong with it; `problems` are the type's reasons.
    """

    def __init__(self, cells: dict[str, str], problems: list[str]):
        super().__init__({**cells, **({"": " ".join(problems)} if problems else {})})
        self.cells, self.problems = cells, problems


@dataclass
class Draft:
    kind: str
    by_lang: dict[str, ParsedQuestion]  # "ar", and "en" when any English was given
    data: dict  # the stored form of the answers, ids kept
    problems: list[str]

    @property
    def first(self) -> ParsedQuestion:
        return self.by_lang["ar"]


# --- a question on a form: the rows are the type's to show and read --------------------------------------------

QUESTION_LOGGED = {"title": _l("Title"), "category": _l("Category"), "prompt_ar": _l("Question text in Arabic"),
                   "prompt_en": _l("Question text in English (optional)"), "answers": _l("Answers"),
                   "general_feedback_ar": _l("General feedback in Arabic"),
                   "general_feedback_en": _l("General feedback in English")}


def _logged(question: Question) -> dict:
    """A question as its log entry gives it: its texts, and its answers as one line each (text, match, weight)."""
    rows = []
    for answer in question.data.get("answers", []):
        if "value" in answer:
            text = f"{answer['value']} ± {answer.get('tolerance') or 0}"
        else:
            text = " → ".join(filter(None, [pick(answer.get("text") or {}, "ar"),
                                            pick(answer.get("match") or {}, "ar")]))
        if "fraction" in answer:
            text += f" ({round(answer['fraction'] * 100)}%)"
        rows.append(text)
    return {"title": question.title, "category": question.category,
            **{f"prompt_{lang}": (question.prompt or {}).get(lang, "") for lang in LANGS},
            **{f"general_feedback_{lang}": (question.general_feedback or {}).get(lang, "") for lang in LANGS},
            "answers": " | ".join(rows)}


def stored_question(question: Question) -> dict:
    """What a save of the question writes, as stored: an edit form's fingerprint is taken of it."""
    return {"title": question.title, "category": question.category, "format": question.format,
            "prompt": question.prompt, "general_feedback": question.general_feedback, "data": question.data}


def question_values(question: Question | None, kind: str) -> dict:
    """What the edit form shows: the question, one row per answer, then empty rows to add more."""
    qtype = type_of(kind)
    if question is None:
        return {"format": "moodle", "right": "true", "answers": qtype.form_rows(None)}
    answers = question.data["answers"]
    return {"title": question.title, "category": question.category, "format": question.format,
            **{f"prompt_{lang}": question.prompt.get(lang, "") for lang in LANGS},
            **{f"general_feedback_{lang}": (question.general_feedback or {}).get(lang, "") for lang in LANGS},
            **qtype.form_values(answers), "answers": qtype.form_rows(answers)}


def _has_english(kind: str, values: dict, kept: list[tuple[dict, float]]) -> bool:
    return bool(cell(values, "prompt_en") or cell(values, "general_feedback_en") or type_of(kind).has_english(kept))


def _stored(kind: str, by_lang: dict[str, ParsedQuestion], kept: list[tuple[dict, float]],
            previous: dict | None) -> dict:
    """The answers as stored, each row keeping the id it came with (when it is one of the question's)."""
    known = {a["id"]: a for a in (previous or {}).get("answers", [])}
    ids: list[str] = []
    for row, _fraction in kept:
        given = cell(row, "id")
        ids.append(given if given in known and given not in ids else new_id())
    return type_of(kind).from_rows(by_lang, kept, ids, known)


def read_question(kind: str, values: dict, previous: dict | None = None) -> Draft:
    """The question a form describes; InvalidQuestion names the cells that cannot be read.

    Problems with the question as a whole (no right answer, weights not adding up) are in `Draft.problems`:
    the type's own checks, then Moodle's rules that every bank file must pass, so that the bank always exports.
    """
    if kind not in REGISTRY:
        raise InvalidQuestion({}, [_("Unknown question type.")])
    cells: dict[str, str] = {}
    fmt = values.get("format") or "moodle"
    if fmt not in TEXT_FORMATS:
        cells["format"], fmt = _("Choose a text format."), "moodle"
    answers, kept = type_of(kind).read_form(values, cells)
    if cells:
        raise InvalidQuestion(cells, [])
    langs = LANGS if _has_english(kind, values, kept) else ("ar",)
    by_lang = {lang: ParsedQuestion(
        type=kind, text=cell(values, f"prompt_{lang}"), answers=answers[lang], title=cell(values, "title"),
        format=fmt, category=cell(values, "category"), general_feedback=cell(values, f"general_feedback_{lang}"))
        for lang in langs}
    problems = []
    for lang, parsed in by_lang.items():
        found = type_of(kind).check(parsed) or type_of(kind).moodle_check(parsed)
        problems += [_("English version: %(problem)s", problem=p) if lang == "en" else p for p in found]
    return Draft(kind, by_lang, _stored(kind, by_lang, kept, previous), problems)


def preview_question(kind: str, values: dict, question: Question | None = None
                     ) -> tuple[dict[str, ShownQuestion], list[str]]:
    """The question as a learner would see it, in each language given, and its problems; nothing is saved."""
    draft = read_question(kind, values, question.data if question else None)
    prompt = {lang: q.text for lang, q in draft.by_lang.items()}
    layout = type_of(kind).authored_layout(draft.data)
    shown = {}
    for lang in draft.by_lang:  # an id per language: the page's controls must not share ids
        stand_in = SimpleNamespace(id=f"preview-{lang}", data=draft.data, format=draft.first.format, prompt=prompt)
        shown[lang] = ShownQuestion(1, type_of(kind).present(stand_in, layout, lang), None, False)
    return shown, draft.problems


def _refuse(error: ValidationError):
    db.session.rollback()
    raise error


def question_in(course: Course, question_id: int, lock: bool = False) -> Question:
    """One of the course's questions still in its bank (`lock`: for the rest of the write); LookupError if not."""
    try:
        question = locked(Question, question_id) if lock else db.session.get(Question, question_id)
    except LookupError:
        question = None
    if question is None or question.course_id != course.id or not question.is_active:
        raise LookupError(question_id)
    return question


def save_question(course: Course, kind: str, values: dict, actor_id: int | None,
                  question_id: int | None = None) -> Question:
    """Store a new question, or a question's new version; the course folder's bank files follow."""
    begin_write()
    question = question_in(course, question_id, lock=True) if question_id is not None else None
    kind = question.type if question else kind
    try:
        draft = read_question(kind, values, question.data if question else None)
    except InvalidQuestion as error:
        _refuse(error)
    if draft.problems:
        _refuse(InvalidQuestion({}, draft.problems))
    title = draft.first.title
    if not title:
        _refuse(ValidationError({"title": _("Give the question a title.")}))
    taken = sa.select(Question.id).where(Question.course_id == course.id, Question.title == title)
    if question is not None:
        taken = taken.where(Question.id != question.id)
    if db.session.scalar(taken.limit(1)) is not None:
        _refuse(ValidationError({"title": _("Another question of this bank (perhaps a retired one) has this "
                                            "title: imports and exports would mix them up.")}))
    new = {"title": title, "category": draft.first.category, "format": draft.first.format,
           "prompt": {lang: draft.by_lang[lang].text if lang in draft.by_lang else "" for lang in LANGS},
           "general_feedback": {lang: draft.by_lang[lang].general_feedback if lang in draft.by_lang else ""
                                for lang in LANGS}, "data": draft.data}
    if question is None:
        last = db.session.scalar(sa.select(sa.func.max(Question.position)).where(Question.course_id == course.id))
        question = Question(course_id=course.id, position=(last or 0) + 1, type=kind)
        db.session.add(question)
    else:
        try:
            check_unchanged(values.get("seen"), stored_question(question), new, lambda since: course_log.last_change(
                course.id, ("question", "files"), since,
                lambda details: details.get("question") in (None, question.id)))
        except EditConflict as error:
            _refuse(error)
    keep_as_shown(question, new)
    before = _logged(question) if question_id is not None else {}
    for key, value in new.items():
        setattr(question, key, value)
    db.session.flush()
    _write_back(course)
    changed = course_log.excerpts(course_log.changes(before, _logged(question), QUESTION_LOGGED))
    audit(course.id, actor_id, "question", {"question": question.id, "title": title,
                                            **({"changed": changed} if question_id is not None else {})})
    db.session.commit()
    return question


def delete_question(course: Course, question_id: int, actor_id: int | None) -> bool:
    """Take a question out of the bank: retired when attempts used it (True), else deleted (False)."""
    begin_write()
    question = question_in(course, question_id)
    title = question.title
    used = db.session.scalar(sa.select(AttemptQuestion.id).where(AttemptQuestion.question_id == question.id)
                             .limit(1)) is not None
    if used:
        question.is_active = False
    else:
        db.session.delete(question)
    db.session.flush()
    _write_back(course)
    audit(course.id, actor_id, "question", {"question": question_id, "title": title,
                                            "retired" if used else "deleted": True})
    db.session.commit()
    return used


def active_count(course_id: int) -> int:
    """How many questions the bank holds (not the retired ones)."""
    return db.session.scalar(sa.select(sa.func.count(Question.id)).where(Question.course_id == course_id,
                                                                         Question.is_active)) or 0


def finished_attempts_with(question_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(sa.distinct(QuizAttempt.id))).join(AttemptQuestion)
        .where(AttemptQuestion.question_id == question_id, QuizAttempt.status == AttemptStatus.FINISHED)) or 0


def bank_listing(course_id: int, category: str = "", kind: str = "") -> tuple[list[Question], list[str]]:
    """The active questions that pass the filters, and every category of the bank (for the filter)."""
    questions = list(db.session.scalars(sa.select(Question).where(
        Question.course_id == course_id, Question.is_active).order_by(Question.position)))
    categories = sorted({q.category for q in questions if q.category})
    shown = [q for q in questions if (not category or q.category == category) and (not kind or q.type == kind)]
    return shown, categories


# --- settings --------------------------------------------------------------------------------------------------

def shown_settings(settings: dict) -> dict:
    """The settings the form shows and changes: an edit form's fingerprint is taken of them (not of the bank
    file's name, which a question's save changes when GIFT cannot write it: the trainer's own save was refused)."""
    return {key: settings.get(key) for key in SETTING_LABELS}


def save_settings(course: Course, values: dict, actor_id: int | None) -> dict[str, list]:
    """Store the quiz settings (the bank file's name kept); returns {key: [before, after]} of what changed.

    Running attempts keep the deadline, pass mark and review policy they started with.
    """
    begin_write()
    stored = dict(course.quiz_settings or {})
    wanted = {**stored, **{k: values[k] for k in SETTING_LABELS if k in values}}
    if wanted.get("questions") is None:
        wanted.pop("questions", None)
    if problems := check(wanted):
        _refuse(ValidationError(problems))
    before, after = QuizSettings.from_dict(stored).as_dict(), QuizSettings.from_dict(wanted).as_dict()
    try:
        check_unchanged(values.get("seen"), shown_settings(before), shown_settings(after),
                        lambda since: course_log.last_change(course.id, ("settings", "files"), since))
    except EditConflict as error:
        _refuse(error)
    changed = {k: [before.get(k), after.get(k)] for k in SETTING_LABELS if before.get(k) != after.get(k)}
    course.quiz_settings = wanted
    if changed:
        audit(course.id, actor_id, "settings", {"changed": changed})
    db.session.commit()
    return changed


# --- attempts and the log ----------------------------------------------------------------------------------

def attempts_page(course_id: int, page: int, per_page: int = 50) -> tuple[int, list[tuple[QuizAttempt, User]]]:
    """The course's attempts, by learner then attempt number, one page of them, and how many there are."""
    total = db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)).where(QuizAttempt.course_id == course_id))
    rows = db.session.execute(
        sa.select(QuizAttempt, User).join(User, User.id == QuizAttempt.user_id)
        .where(QuizAttempt.course_id == course_id)
        .order_by(User.full_name_ar, User.id, QuizAttempt.number)
        .limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return total or 0, [(attempt, user) for attempt, user in rows]


def attempt_in(course_id: int, attempt_id: int) -> tuple[QuizAttempt, User]:
    row = db.session.execute(sa.select(QuizAttempt, User).join(User, User.id == QuizAttempt.user_id)
                             .where(QuizAttempt.id == attempt_id, QuizAttempt.course_id == course_id)).first()
    if row is None:
        raise LookupError(attempt_id)
    return row[0], row[1]


def trainer_review(rows: list[tuple[AttemptQuestion, Question]], lang: str) -> list[ReviewedQuestion]:
    """Every question of an attempt with the learner's answer, its credit and the key, whatever the review policy."""
    reviewed = []
    for n, (aq, question) in enumerate(rows, 1):
        kind = type_of(question.type)
        reviewed.append(ReviewedQuestion(
            n, to_html(pick(question.prompt, lang), question.format), question.type,
            kind.response_text(question, aq.response, lang) if aq.response is not None else "",
            aq.fraction or 0.0, kind.right_answers(question, lang),
            kind.chosen_feedback(question, aq.response, lang) if aq.response is not None else [], question.format))
    return reviewed


def regraded_text(changed: int) -> str:
    return ngettext("Regraded: %(count)s score changed", "Regraded: %(count)s scores changed", changed,
                    count=localize_digits(changed))


def describe(entry: CourseLogEntry) -> LogText | None:
    """The course log's lines for the quiz's changes (its describer in `courses.log_describers`)."""
    details, digits = entry.details or {}, localize_digits
    if entry.action == "question":
        title = details.get("title") or f"#{details.get('question')}"
        if details.get("deleted"):
            return LogText(_("Question “%(title)s” deleted", title=title))
        if details.get("retired"):
            return LogText(_("Question “%(title)s” retired (attempts used it)", title=title))
        changed = details.get("changed", {}).items()
        return LogText(_("Question “%(title)s” saved", title=title),
                       [(str(QUESTION_LOGGED.get(k, k)), old, new) for k, (old, new) in changed])
    if entry.action == "import":
        return LogText(ngettext("File %(file)s imported: %(num)s new question, %(updated)s updated",
                                "File %(file)s imported: %(num)s new questions, %(updated)s updated",
                                details.get("new", 0),
                                file=details.get("file", ""), num=digits(details.get("new", 0)),
                                updated=digits(details.get("updated", 0))))
    if entry.action == "settings":
        changed = details.get("changed", {})
        keys = [str(SETTING_LABELS.get(k, k)) for k in changed]
        values = {"review": REVIEW_POLICIES, "grading": GRADING_POLICIES, "layout": LAYOUTS}
        return LogText(_("Quiz settings changed: %(keys)s", keys=list_text(keys) if keys else "—"),
                       [(str(SETTING_LABELS.get(k, k)), value_text(values, k, old), value_text(values, k, new))
                        for k, (old, new) in changed.items()])
    if entry.action == "regrade":
        return LogText(regraded_text(len(details.get("changed", []))))
    return None
