"""The trainer's quiz forms: a question of any type, deleting it, importing a bank file, the quiz settings.

Which answer cells a type's editor shows, with which labels and hint, is the type's (lms.quizzes.types).
"""
from flask_wtf.file import FileField, FileSize
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.core.edits import EditForm
from lms.core.forms import FlaskForm, Form, IntegerField
from lms.core.i18n import _l
from lms.quizzes.authoring import SETTING_LABELS
from lms.quizzes.settings import GRADING_POLICIES, LAYOUTS, REVIEW_POLICIES

AR = {"dir": "rtl", "lang": "ar"}
EN = {"dir": "ltr", "lang": "en"}
NUMBER = {"dir": "ltr", "inputmode": "decimal", "autocomplete": "off", "size": 6}
MAX_BANK_FILE = 2 * 1024 * 1024
TEXT_FORMATS = {"moodle": _l("Moodle auto-format (HTML allowed)"), "markdown": _l("Markdown"), "html": _l("HTML"),
                "plain": _l("Plain text")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]

class AnswerRow(Form):
    """Every cell an answer row may have; each type shows its own (its `columns`, or an editor of its own)."""

    id = HiddenField()
    text_ar = StringField(_l("Text in Arabic"), [Length(max=2000)], render_kw=AR)
    text_en = StringField(_l("Text in English"), [Length(max=2000)], render_kw=EN)
    weight = StringField(_l("Weight (%)"), [Length(max=20)], render_kw=NUMBER)
    value = StringField(_l("Accepted number"), [Length(max=40)], render_kw=NUMBER)
    tolerance = StringField(_l("Tolerance (±)"), [Length(max=40)], render_kw=NUMBER)
    match_ar = StringField(_l("Its match in Arabic"), [Length(max=2000)], render_kw=AR)
    match_en = StringField(_l("Its match in English"), [Length(max=2000)], render_kw=EN)
    feedback_ar = StringField(_l("Feedback in Arabic"), [Length(max=2000)], render_kw=AR)
    feedback_en = StringField(_l("Feedback in English"), [Length(max=2000)], render_kw=EN)


class QuestionForm(EditForm):
    title = StringField(_l("Title"), [Length(max=255)],  # required to save (the service says so), not to preview
                        render_kw={"dir": "auto"},
                        description=_l("Imports and exports recognise a question by its title: keep it unique."))
    category = StringField(_l("Category"), [Optional(), Length(max=255)], render_kw={"dir": "auto"},
                           description=_l("For example: $course$/top/Part 1. Empty: the default category."))
    format = SelectField(_l("Text format"), choices=_choices(TEXT_FORMATS), default="moodle")
    prompt_ar = TextAreaField(_l("Question text in Arabic"), [DataRequired(), Length(max=20_000)],
                              render_kw={**AR, "rows": 4})
    prompt_en = TextAreaField(_l("Question text in English (optional)"), [Optional(), Length(max=20_000)],
                              render_kw={**EN, "rows": 3})
    right = SelectField(_l("The right answer is"), choices=_choices({"true": _l("True"), "false": _l("False")}),
                        default="true")
    answers = FieldList(FormField(AnswerRow), max_entries=60)
    general_feedback_ar = TextAreaField(_l("General feedback in Arabic"), [Optional(), Length(max=20_000)],
                                        render_kw={**AR, "rows": 2},
                                        description=_l("Shown after the attempt, whatever the answer, when the "
                                                       "review policy shows feedback."))
    general_feedback_en = TextAreaField(_l("General feedback in English"), [Optional(), Length(max=20_000)],
                                        render_kw={**EN, "rows": 2})
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class DeleteQuestionForm(FlaskForm):
    confirm = BooleanField(_l("I understand that the question leaves the bank (a question that attempts used is "
                              "retired: their grades stay)."), [DataRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Question bank file (GIFT, Moodle XML or Aiken; at most 2 MB)"),
                     [FileSize(MAX_BANK_FILE, message=_l("The file is larger than 2 MB."))],
                     render_kw={"accept": ".gift,.txt,.xml"})
    lang = SelectField(_l("Language of the file"), choices=_choices({"ar": _l("Arabic"), "en": _l("English")}),
                       default="ar")
    file_format = SelectField(_l("Format"), choices=_choices({"": _l("Recognise it from the file"), "gift": "GIFT",
                                                       "xml": "Moodle XML", "aiken": "Aiken"}), default="")
    # The checked file, base64, sent back with the confirmation. That form is URL-encoded on purpose: Werkzeug
    # caps each multipart text field at MAX_FORM_MEMORY_SIZE (500 kB), URL-encoded bodies only at MAX_CONTENT_LENGTH.
    content = HiddenField()
    file_name = HiddenField()
    check = SubmitField(_l("Check the file"))
    confirm = SubmitField(_l("Import these questions"))


def _whole(label, low: int, high: int, optional: bool = False) -> IntegerField:
    return IntegerField(label, [Optional() if optional else InputRequired(), NumberRange(low, high)],
                        render_kw={"size": 6})


class SettingsForm(EditForm):
    pass_mark = _whole(SETTING_LABELS["pass_mark"], 0, 100)
    attempts = _whole(SETTING_LABELS["attempts"], 0, 1000)
    wait_minutes = _whole(SETTING_LABELS["wait_minutes"], 0, 525_600)
    time_limit_minutes = _whole(SETTING_LABELS["time_limit_minutes"], 0, 1440)
    questions = _whole(SETTING_LABELS["questions"], 1, 10_000, optional=True)
    shuffle = BooleanField(SETTING_LABELS["shuffle"])
    review = SelectField(SETTING_LABELS["review"], choices=_choices(REVIEW_POLICIES))
    grading = SelectField(SETTING_LABELS["grading"], choices=_choices(GRADING_POLICIES))
    layout = SelectField(SETTING_LABELS["layout"], choices=_choices(LAYOUTS))
