"""The trainer's quiz tools: the question bank, import and export, settings, attempts, the log, item statistics."""
import base64
import binascii
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from lms.accounts import roles
from lms.core.forms import carry_newer_fingerprint, show_service_errors
from lms.core.i18n import _, current_locale, localize_digits, ngettext
from lms.core.models import ValidationError
from lms.core.security import roles_required
from lms.core.web import page_arg
from lms.courses.services import course_by_slug, may_manage
from lms.courses.sync import edited_by, files_waiting
from lms.quizzes import attempts, authoring, bank
from lms.quizzes.formats import BankFileError
from lms.quizzes.forms import MAX_BANK_FILE, DeleteQuestionForm, ImportForm, QuestionForm, SettingsForm
from lms.quizzes.settings import QuizSettings
from lms.quizzes.statistics import MIN_ATTEMPTS_TO_JUDGE, course_statistics
from lms.quizzes.types import REGISTRY

bp = Blueprint("quiz_manage", __name__, url_prefix="/manage/courses/<slug>/quiz")
PER_PAGE = 50


def _course_or_404(slug: str):
    """The course, when this trainer may edit it (a course they do not manage is a 404 for them)."""
    course = course_by_slug(slug)
    if course is None or not may_manage(course, current_user):
        abort(404)
    return course


def _question_or_404(course, question_id: int):
    try:
        return authoring.question_in(course, question_id)
    except LookupError:
        abort(404)


def _fields(form):
    for field in form:
        if field.type == "FieldList":
            for entry in field:
                yield from entry
        else:
            yield field


def _place_errors(form, error: ValidationError) -> list[str]:
    """Each refusal beside its field, answers' cells included; returns those that belong to no field."""
    carry_newer_fingerprint(form, error)
    fields = {field.name: field for field in _fields(form)}
    left = list(getattr(error, "problems", []))
    for name, message in getattr(error, "cells", error.errors).items():
        if name in fields:
            fields[name].errors = [*fields[name].errors, message]
        else:
            left.append(message)
    return left


@bp.get("")
@roles_required(roles.AUTHOR_COURSES)
def overview(slug: str):
    course = _course_or_404(slug)
    questions, _categories = authoring.bank_listing(course.id)
    return render_template("quizzes/manage/overview.html", course=course, count=len(questions),
                           settings=QuizSettings.from_dict(course.quiz_settings),
                           not_in_gift=bank.not_in_gift(questions), not_in_english=bank.not_in_english(questions),
                           editor=edited_by(course),
                           waiting=files_waiting(course))


@bp.get("/questions")
@roles_required(roles.AUTHOR_COURSES)
def questions(slug: str):
    course = _course_or_404(slug)
    category, kind = request.args.get("category", ""), request.args.get("type", "")
    shown, categories = authoring.bank_listing(course.id, category, kind if kind in REGISTRY else "")
    everything = authoring.bank_listing(course.id)[0]
    return render_template("quizzes/manage/questions.html", course=course, questions=shown, categories=categories,
                           category=category, kind=kind, types=REGISTRY, not_in_gift=bank.not_in_gift(everything),
                           not_in_english=bank.not_in_english(everything))


@bp.route("/questions/new", methods=["GET", "POST"], defaults={"question_id": None})
@bp.route("/questions/<int:question_id>", methods=["GET", "POST"])
@roles_required(roles.AUTHOR_COURSES)
def edit_question(slug: str, question_id: int | None):
    course = _course_or_404(slug)
    question = _question_or_404(course, question_id) if question_id else None
    kind = question.type if question else request.args.get("type", "single")
    if kind not in REGISTRY:
        abort(404)
    form = QuestionForm(data=authoring.question_values(question, kind)) if request.method == "GET" else QuestionForm()
    form.showing(authoring.stored_question(question) if question else None)
    preview, problems = None, []
    if form.validate_on_submit():
        try:
            if form.preview.data:
                preview, problems = authoring.preview_question(kind, form.data, question)
            else:
                saved = authoring.save_question(course, kind, form.data, current_user.id, question_id)
                flash(_("The question has been saved."), "success")
                return redirect(url_for(".edit_question", slug=slug, question_id=saved.id))
        except LookupError:
            abort(404)
        except ValidationError as error:
            problems = _place_errors(form, error)
    return render_template(
        "quizzes/manage/question_form.html", course=course, question=question, kind=kind, form=form,
        qtype=REGISTRY[kind], preview=preview,
        problems=problems, refused=bool(problems) or any(field.errors for field in _fields(form)),
        finished=authoring.finished_attempts_with(question.id) if question else 0,
        delete_form=DeleteQuestionForm() if question else None)


@bp.post("/questions/<int:question_id>/delete")
@roles_required(roles.AUTHOR_COURSES)
def delete_question(slug: str, question_id: int):
    course = _course_or_404(slug)
    _question_or_404(course, question_id)
    if not DeleteQuestionForm().validate_on_submit():
        flash(_("Tick the box to confirm that the question leaves the bank."), "error")
        return redirect(url_for(".edit_question", slug=slug, question_id=question_id))
    retired = authoring.delete_question(course, question_id, current_user.id)
    flash(_("The question has been retired: the attempts that used it keep it.") if retired
          else _("The question has been deleted."), "success")
    return redirect(url_for(".questions", slug=slug))


@bp.post("/questions/<int:question_id>/regrade")
@roles_required(roles.AUTHOR_COURSES)
def regrade(slug: str, question_id: int):
    course = _course_or_404(slug)
    question = _question_or_404(course, question_id)
    changes = attempts.regrade(course, [question.id], current_user.id)
    flash(authoring.regraded_text(len(changes)), "success")
    return redirect(url_for(".edit_question", slug=slug, question_id=question.id))


def _upload(form: ImportForm) -> tuple[str, bytes | None]:
    """The file to import: just uploaded, or sent back (base64) with the confirmation."""
    upload = form.file.data
    if upload and upload.filename:
        return re.split(r"[\\/]", upload.filename)[-1][:255], upload.read()
    if not (form.confirm.data and form.content.data):
        return "", None
    try:
        content = base64.b64decode(form.content.data, validate=True)
    except (binascii.Error, ValueError):
        return "", None
    return (form.file_name.data or "quiz.gift")[:255], content if len(content) <= MAX_BANK_FILE else None


@bp.route("/import", methods=["GET", "POST"])
@roles_required(roles.AUTHOR_COURSES)
def import_bank(slug: str):
    course = _course_or_404(slug)
    form = ImportForm()
    plan, problems = None, []
    if form.validate_on_submit():
        name, content = _upload(form)
        confirm = bool(form.confirm.data) and not form.file.data
        if content is None:
            form.file.errors = [*form.file.errors, _("Choose a question bank file.")]
        else:
            try:
                plan = bank.import_questions(course, name, content, form.lang.data, current_user.id, confirm=confirm,
                                             file_format=form.file_format.data or None)
            except BankFileError as error:
                problems = [str(problem) for problem in error.problems]
            else:
                if confirm:
                    flash(ngettext("Imported: %(num)s new question, %(updated)s updated.",
                                   "Imported: %(num)s new questions, %(updated)s updated.", len(plan.new),
                                   num=localize_digits(len(plan.new)),
                                   updated=localize_digits(len(plan.updated))), "success")
                    return redirect(url_for(".questions", slug=slug))
                form.content.data, form.file_name.data = base64.b64encode(content).decode(), name
    return render_template("quizzes/manage/import.html", course=course, form=form, plan=plan, problems=problems)


@bp.get("/export")
@roles_required(roles.AUTHOR_COURSES)
def export(slug: str):
    """The bank in GIFT, or in Moodle XML (?format=xml), which holds every type."""
    course = _course_or_404(slug)
    lang = "en" if request.args.get("lang") == "en" else "ar"
    file_format = "xml" if request.args.get("format") == "xml" else "gift"
    response = current_app.response_class(bank.export_bank(course.id, lang, file_format),
                                          mimetype="application/xml" if file_format == "xml" else "text/plain")
    name = f"{course.slug}-quiz{'.en' if lang == 'en' else ''}.{file_format}"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "no-store"  # it holds the key
    return response


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(roles.AUTHOR_COURSES)
def settings(slug: str):
    course = _course_or_404(slug)
    stored = QuizSettings.from_dict(course.quiz_settings)
    form = SettingsForm(data=stored.as_dict()) if request.method == "GET" else SettingsForm()
    form.showing(authoring.shown_settings(stored.as_dict()))
    if form.validate_on_submit():
        try:
            authoring.save_settings(course, form.data, current_user.id)
        except ValidationError as error:
            show_service_errors(form, error)
        else:
            flash(_("The quiz settings have been saved."), "success")
            if (wanted := form.questions.data) and wanted > (bank_size := authoring.active_count(course.id)):
                flash(ngettext("The bank has %(num)s question: each attempt asks it, not %(wanted)s.",
                               "The bank has %(num)s questions: each attempt asks all of them, not %(wanted)s.",
                               bank_size, num=localize_digits(bank_size), wanted=localize_digits(wanted)), "info")
            return redirect(url_for(".settings", slug=slug))
    return render_template("quizzes/manage/settings.html", course=course, form=form)


@bp.get("/attempts")
@roles_required(roles.AUTHOR_COURSES)
def attempt_list(slug: str):
    course = _course_or_404(slug)
    page = page_arg(request.args)
    total, rows = authoring.attempts_page(course.id, page, PER_PAGE)
    return render_template("quizzes/manage/attempts.html", course=course, rows=rows, total=total, page=page,
                           per_page=PER_PAGE)


@bp.get("/attempts/<int:attempt_id>")
@roles_required(roles.AUTHOR_COURSES)
def attempt(slug: str, attempt_id: int):
    course = _course_or_404(slug)
    try:
        shown, learner = authoring.attempt_in(course.id, attempt_id)
    except LookupError:
        abort(404)
    reviewed = authoring.trainer_review(attempts.attempt_questions(shown.id), current_locale())
    return render_template("quizzes/manage/attempt.html", course=course, attempt=shown, learner=learner,
                           reviewed=reviewed)


@bp.get("/log")
@roles_required(roles.AUTHOR_COURSES)
def log(slug: str):
    """The quiz's changes are in the course's change log now."""
    _course_or_404(slug)
    return redirect(url_for("courses.log", slug=slug), 301)


@bp.get("/statistics")
@roles_required(roles.AUTHOR_COURSES)
def statistics(slug: str):
    course = _course_or_404(slug)
    return render_template("quizzes/manage/statistics.html", course=course, types=REGISTRY,
                           items=course_statistics(course.id, current_locale()),
                           min_attempts=MIN_ATTEMPTS_TO_JUDGE)
