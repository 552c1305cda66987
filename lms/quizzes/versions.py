"""Questions changed after attempts used them: the attempts keep the question as they showed it.

A trainer's edit or an import of the bank changed the question under every past attempt: a learner's review
said she had answered an option she never saw ("20 pounds" for "15 minutes"), and marked it right. Before the
content changes, the attempts that show the question as it is get a copy of it (QuestionVersion) and show that.
A regrade is the exception the trainer asks for: it grades the attempts against the question as it is now, and
they then show it as it is now (lms.quizzes.attempts.regrade)."""
import sqlalchemy as sa

from lms.extensions import db
from lms.quizzes.models import AttemptQuestion, Question, QuestionVersion

CONTENT = ("type", "format", "prompt", "general_feedback", "data")  # what a learner is shown and graded on


def content_of(question: Question | QuestionVersion) -> dict:
    return {key: getattr(question, key) for key in CONTENT} | {"general_feedback": question.general_feedback or {}}


def keep_as_shown(question: Question, new_content: dict) -> None:
    """Call before `question` takes `new_content` (keys of CONTENT): the attempts that show it as it is keep it so.
    Nothing is kept when the content does not change or no attempt shows the question as it is."""
    if question.id is None:
        return
    current = content_of(question)
    if all(new_content.get(key, current[key]) == current[key] for key in CONTENT):
        return
    showing = (AttemptQuestion.question_id == question.id) & AttemptQuestion.version_id.is_(None)
    if db.session.scalar(sa.select(AttemptQuestion.id).where(showing).limit(1)) is None:
        return
    version = QuestionVersion(question_id=question.id, **current)
    db.session.add(version)
    db.session.flush()
    db.session.execute(sa.update(AttemptQuestion).where(showing).values(version_id=version.id),
                       execution_options={"synchronize_session": False})


def as_shown(question: Question, version: QuestionVersion | None) -> Question:
    """The question as an attempt showed it: itself, or a copy (never saved) holding the kept version's content."""
    if version is None:
        return question
    return Question(id=question.id, course_id=question.course_id, position=question.position, title=question.title,
                    category=question.category, is_active=question.is_active, **content_of(version))


def show_as_it_is(attempt_ids: list[int], question_ids: list[int] | None) -> None:
    """A regrade: these attempts show (and are graded against) the questions as they are now."""
    if not attempt_ids:
        return
    rows = AttemptQuestion.attempt_id.in_(attempt_ids)
    if question_ids:
        rows &= AttemptQuestion.question_id.in_(question_ids)
    db.session.execute(sa.update(AttemptQuestion).where(rows).values(version_id=None),
                       execution_options={"synchronize_session": False})
