"""A course's question bank: bringing files in (all or nothing), writing them out, editing one question."""
from dataclasses import dataclass, field

import sqlalchemy as sa

from lms.core.db import begin_write
from lms.core.i18n import _
from lms.core.models import ValidationError
from lms.courses import log as course_log
from lms.courses.files import Problem as FileProblem
from lms.courses.models import Course, CourseAsset
from lms.extensions import db
from lms.quizzes.formats import BankFileError, ParsedQuestion, Problem
from lms.quizzes.formats.aiken import parse_aiken
from lms.quizzes.formats.gift import GIFT_TYPES, parse_gift, to_gift
from lms.quizzes.formats.moodle_xml import parse_moodle_xml, to_moodle_xml
from lms.quizzes.models import AttemptQuestion, Question
from lms.quizzes.settings import QuizSettings, check
from lms.quizzes.types import type_of
from lms.quizzes.versions import keep_as_shown

LANGS = ("ar", "en")
BANK_FORMATS = {"gift": "GIFT", "xml": "Moodle XML", "aiken": "Aiken"}


def detect_format(name: str, content: bytes) -> str:
    lower = name.lower()
    if lower.endswith(".xml") or content.lstrip()[:5] == b"<?xml" or content.lstrip()[:6] == b"<quiz>":
        return "xml"
    if lower.endswith(".txt") and b"ANSWER:" in content and b"{" not in content:
        return "aiken"
    return "gift"


def parse_bank_file(name: str, content: bytes, file_format: str | None = None) -> list[ParsedQuestion]:
    """The questions of one file, every one checked by its type; BankFileError lists every problem."""
    file_format = file_format or detect_format(name, content)
    if file_format == "xml":
        questions = parse_moodle_xml(content)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BankFileError([Problem(None, _("the file is not UTF-8 text"))]) from None
        questions = parse_aiken(text) if file_format == "aiken" else parse_gift(text)
    problems = [Problem(q.line, f"{q.title or '#' + str(n)}: {reason}")
                for n, q in enumerate(questions, 1) for reason in type_of(q.type).check(q)]
    problems += _titles_twice(questions)
    if not questions:
        problems.append(Problem(None, _("the file holds no question")))
    if problems:
        raise BankFileError(problems)
    return questions


def _titles_twice(questions: list[ParsedQuestion]) -> list[Problem]:
    """A title is a question's identity in the bank: two questions of one file with the same title were both
    added, and each import of the file again added one more."""
    first_line: dict[str, int | None] = {}
    problems = []
    for question in questions:
        if not question.title:
            continue
        if question.title in first_line:
            problems.append(Problem(question.line, _("the title %(title)s is also the title of the question on line "
                                                     "%(line)s: give each question its own title",
                                                     title=question.title, line=first_line[question.title] or "?")))
        else:
            first_line[question.title] = question.line
    return problems


def _same_shape(ar: ParsedQuestion, en: ParsedQuestion) -> bool:
    return ar.type == en.type and type_of(ar.type).pairs_with(ar, en)


def pair_languages(arabic: list[ParsedQuestion], english: list[ParsedQuestion]) -> list[dict[str, ParsedQuestion]]:
    """Each Arabic question with its English twin (same title, or same place when untitled).

    BankFileError (with the English file's lines) when the two files do not hold the same questions.
    """
    if not english:
        return [{"ar": q} for q in arabic]
    problems = []
    titles = [q.title for q in arabic]
    by_title = {q.title: q for q in english if q.title}
    use_titles = all(titles) and len(set(titles)) == len(titles)
    seen: set[str] = set()
    for question in english:
        if use_titles and question.title in seen:
            problems.append(Problem(question.line, _("the title %(title)s appears twice", title=question.title),
                                    "en"))
        seen.add(question.title)
    pairs = []
    for index, ar in enumerate(arabic):
        en = by_title.get(ar.title) if use_titles else (english[index] if index < len(english) else None)
        if en is None:
            problems.append(Problem(ar.line, _("%(title)s has no English version", title=ar.title or index + 1),
                                    "ar"))
        elif not _same_shape(ar, en):
            problems.append(Problem(en.line, _("%(title)s: the English version has another type, other answers "
                                               "or other weights", title=en.title or index + 1), "en"))
        else:
            pairs.append({"ar": ar, "en": en})
    if len(english) > len(arabic):
        extra = english[len(arabic)] if not use_titles else next(q for q in english if q.title not in titles)
        problems.append(Problem(extra.line, _("%(title)s has no Arabic version", title=extra.title or "?"), "en"))
    if problems:
        raise BankFileError(problems)
    return pairs


# --- the course folder ---------------------------------------------------------------------------------------

def check_course_folder(folder) -> list[FileProblem]:
    """Problems with a course folder's `quiz:` block and question bank files (read before any import)."""
    base = f"{folder.slug}/course.yaml"
    problems = [FileProblem(base, None, reason) for reason in check(folder.quiz).values()]
    if problems or "file" not in folder.quiz:
        return problems
    try:
        _folder_pairs(folder)
    except BankFileError as error:
        return [FileProblem(f"{folder.slug}/{name}", p.line, p.reason) for name, p in _blame(folder, error)]
    return []


def _blame(folder, error: BankFileError):
    """Each problem with the file it is in: Problem.file says "ar", "en", or a file name."""
    settings = QuizSettings.from_dict(folder.quiz)
    files = {"ar": settings.file, "en": settings.english_file}
    return [(files.get(p.file, p.file or settings.file), p) for p in error.problems]


def _folder_pairs(folder) -> list[dict[str, ParsedQuestion]]:
    settings = QuizSettings.from_dict(folder.quiz)
    if settings.file not in folder.assets:
        raise BankFileError([Problem(None, _("quiz file %(name)s not found", name=settings.file), "course.yaml")])
    arabic = _parse_as(settings.file, folder.assets[settings.file], "ar")
    english_bytes = folder.assets.get(settings.english_file)
    english = _parse_as(settings.english_file, english_bytes, "en") if english_bytes is not None else []
    return pair_languages(arabic, english)


def _parse_as(name: str, content: bytes, lang: str) -> list[ParsedQuestion]:
    """The questions of one language's file; its problems say which language's file they are in."""
    try:
        return parse_bank_file(name, content)
    except BankFileError as error:
        for problem in error.problems:
            problem.file = problem.file or lang
        raise


def sync_course_bank(course: Course, folder) -> None:
    """Make the course's bank what its folder says (inside the course import's transaction)."""
    if "file" not in folder.quiz:
        return
    _apply(course, _folder_pairs(folder), retire_missing=True)


# --- storing -------------------------------------------------------------------------------------------------

@dataclass
class ImportPlan:
    """What an import will do, shown before it is confirmed."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)


def bank_questions(course_id: int, active_only: bool = True) -> list[Question]:
    query = sa.select(Question).where(Question.course_id == course_id).order_by(Question.position)
    if active_only:
        query = query.where(Question.is_active)
    return list(db.session.scalars(query))


def _match(existing: list[Question], pairs: list[dict[str, ParsedQuestion]]) -> list[Question | None]:
    by_title = {q.title: q for q in existing if q.title}
    matched = []
    for index, pair in enumerate(pairs):
        title = _first(pair).title
        if title:
            matched.append(by_title.pop(title, None))
        else:
            untitled = [q for q in existing if not q.title]
            matched.append(untitled[index] if index < len(untitled) else None)
    return matched


def _fill(question: Question, pair: dict[str, ParsedQuestion]) -> None:
    first = _first(pair)
    kind = type_of(first.type)
    previous = question.data if question.type == first.type else None
    content = {"type": first.type, "format": first.format,
               "prompt": {lang: pair[lang].text if lang in pair else "" for lang in LANGS},
               "general_feedback": {lang: pair[lang].general_feedback if lang in pair else "" for lang in LANGS},
               "data": kind.to_data({lang: pair[lang] for lang in LANGS if lang in pair}, previous)}
    keep_as_shown(question, content)
    question.title, question.category = first.title, first.category
    for key, value in content.items():
        setattr(question, key, value)
    question.is_active = True


def plan_import(course: Course, pairs: list[dict[str, ParsedQuestion]], retire_missing: bool) -> ImportPlan:
    existing = bank_questions(course.id, active_only=False)
    matched = _match(existing, pairs)
    plan = ImportPlan()
    for pair, question in zip(pairs, matched, strict=True):
        label = _first(pair).title or _first(pair).text[:60]
        (plan.updated if question is not None else plan.new).append(label)
    if retire_missing:
        kept = {id(q) for q in matched if q is not None}
        plan.retired = [q.title or str(q.id) for q in existing if id(q) not in kept and q.is_active]
    return plan


def _apply(course: Course, pairs: list[dict[str, ParsedQuestion]], retire_missing: bool) -> ImportPlan:
    plan = plan_import(course, pairs, retire_missing)
    existing = bank_questions(course.id, active_only=False)
    matched = _match(existing, pairs)
    kept = set()
    last = max((q.position for q in existing), default=0)
    for index, (pair, question) in enumerate(zip(pairs, matched, strict=True), 1):
        if question is None:
            question = Question(course_id=course.id, position=last + index)
            db.session.add(question)
        elif retire_missing:
            question.position = index
        _fill(question, pair)
        kept.add(id(question))
    if retire_missing:
        used = set(db.session.scalars(sa.select(AttemptQuestion.question_id).join(Question).where(
            Question.course_id == course.id).distinct()))
        for question in existing:
            if id(question) in kept:
                continue
            if question.id in used:
                question.is_active = False  # attempts still point at it
            else:
                db.session.delete(question)
    db.session.flush()
    return plan


def import_questions(course: Course, name: str, content: bytes, lang: str, actor_id: int | None,
                     confirm: bool = False, file_format: str | None = None) -> ImportPlan:
    """A trainer's upload: questions with a known title are updated, the others added.

    Without `confirm` nothing changes: the plan says what would. BankFileError lists every problem.
    """
    parsed = parse_bank_file(name, content, file_format)
    pairs = [{lang: q} for q in parsed]
    # A question it updates keeps its text in the other language when the two still say the same thing.
    other = "en" if lang == "ar" else "ar"
    existing = {q.title: q for q in bank_questions(course.id, active_only=False) if q.title}
    for pair in pairs:
        question = existing.get(pair[lang].title)
        if question is not None and question.prompt.get(other):
            kept = _as_parsed(question, other)
            if _same_shape(*((pair[lang], kept) if lang == "ar" else (kept, pair[lang]))):
                pair[other] = kept
    pairs = [{k: pair[k] for k in LANGS if k in pair} for pair in pairs]  # Arabic first: it decides the key
    plan = plan_import(course, pairs, retire_missing=False)
    if not confirm:
        return plan
    begin_write()
    _apply(course, pairs, retire_missing=False)
    _write_back(course)
    audit(course.id, actor_id, "import", {"file": name, "new": len(plan.new), "updated": len(plan.updated)})
    db.session.commit()
    return plan


def _first(pair: dict[str, ParsedQuestion]) -> ParsedQuestion:
    """The side that decides type, key and title: the Arabic one, or the English one of an English-only upload."""
    return pair.get("ar") or pair["en"]


def _as_parsed(question: Question, lang: str, fallback: bool = False) -> ParsedQuestion:
    """The question in one language; with `fallback`, in the other one when it has no text in `lang`."""
    if fallback and not question.prompt.get(lang):
        lang = "en" if lang == "ar" else "ar"
    return ParsedQuestion(
        type=question.type, text=question.prompt.get(lang, ""), title=question.title, format=question.format,
        category=question.category, general_feedback=question.general_feedback.get(lang, ""),
        answers=type_of(question.type).to_answers(question.data, lang))


def export_bank(course_id: int, lang: str = "ar", file_format: str = "gift") -> str:
    """The bank in GIFT or Moodle XML ("xml"); a question not yet written in `lang` comes in the other language,
    so none is lost. GIFT leaves out the questions it has no syntax for, and says so in a comment."""
    questions = [_as_parsed(q, lang, fallback=True) for q in bank_questions(course_id)]
    return to_moodle_xml(questions) if file_format == "xml" else to_gift(questions)


def export_gift(course_id: int, lang: str = "ar") -> str:
    return export_bank(course_id, lang, "gift")


def not_in_gift(questions: list[Question]) -> list[Question]:
    """The questions a GIFT export leaves out (GIFT has no syntax for their type)."""
    return [q for q in questions if q.type not in GIFT_TYPES]


def not_in_english(questions: list[Question]) -> list[Question]:
    """The questions with no English text yet (the English exports give them in Arabic)."""
    return [q for q in questions if not q.prompt.get("en")]


def _bank_file(settings: QuizSettings, questions: list[Question]) -> str:
    """The name of the course folder's bank file: its own, or the Moodle XML one beside it (quiz.gift ->
    quiz.xml) once the bank holds a question that GIFT cannot write: the folder must hold the whole bank."""
    if settings.file.lower().endswith(".xml") or not not_in_gift(questions):
        return settings.file
    return settings.file.rpartition(".")[0] + ".xml" if "." in settings.file else settings.file + ".xml"


def _write_back(course: Course) -> None:
    """Keep the course folder's bank files in step with the bank, so that an export gives the bank."""
    settings = QuizSettings.from_dict(course.quiz_settings)
    questions = bank_questions(course.id)
    name = _bank_file(settings, questions)
    write = to_moodle_xml if name.lower().endswith(".xml") else to_gift
    target = QuizSettings(file=name)
    files = {target.file: write([_as_parsed(q, "ar", fallback=True) for q in questions])}
    if any(q.prompt.get("en") for q in questions):
        files[target.english_file] = write([_as_parsed(q, "en", fallback=True) for q in questions])
    assets = {a.path: a for a in db.session.scalars(sa.select(CourseAsset).where(CourseAsset.course_id == course.id))}
    if name != settings.file:  # the GIFT files gave way to Moodle XML ones
        for stale in (settings.file, settings.english_file):
            if stale in assets:
                db.session.delete(assets.pop(stale))
    for path, text in files.items():
        asset = assets.get(path) or CourseAsset(course_id=course.id, path=path, media_type="text/plain")
        asset.content = text.encode()
        db.session.add(asset)
    if "file" not in (course.quiz_settings or {}) or name != settings.file:
        course.quiz_settings = {**(course.quiz_settings or {}), "file": name}


def audit(course_id: int, actor_id: int | None, action: str, details: dict) -> None:
    """Log a change to the quiz in the course's log; a change to its content (not a regrade) is a web edit that the
    next import from changed files will not overwrite unless forced."""
    if action == "regrade":
        course_log.record(course_id, actor_id, action, details)
    else:
        course_log.web_edit(course_id, actor_id, action, details)


_QUIZ_COURSE = (
    sa.select(Course)
    .options(sa.orm.undefer(Course.quiz_settings))
    .where(Course.slug == sa.bindparam("slug"),
           sa.exists().where(Question.course_id == Course.id, Question.is_active))
)


def quiz_course(slug: str) -> Course | None:
    """The course with this slug when it has a quiz, its settings loaded (one query)."""
    return db.session.scalar(_QUIZ_COURSE, {"slug": slug})


def has_questions(course_id: int) -> bool:
    return db.session.scalar(sa.select(Question.id).where(Question.course_id == course_id, Question.is_active)
                             .limit(1)) is not None


def require_bank(course: Course) -> list[Question]:
    questions = bank_questions(course.id)
    if not questions:
        raise ValidationError({"": _("This course has no quiz.")})
    return questions


