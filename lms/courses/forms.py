from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.core.edits import EditForm
from lms.core.forms import FlaskForm, IntegerField
from lms.core.i18n import _l
from lms.core.names import clean_name
from lms.courses.files import SIGNATURES


class CourseForm(EditForm):
    slug = StringField(_l("Slug (used in links)"), validators=[
        DataRequired(), Length(min=2, max=80),
        Regexp(r"^[a-z0-9][a-z0-9-]+$", message=_l("Use lower-case Latin letters, digits and dashes."))],
        render_kw={"dir": "ltr", "autocapitalize": "none", "spellcheck": "false"})
    title_ar = StringField(_l("Title in Arabic"), validators=[DataRequired(), Length(max=200)],
                           filters=[clean_name], render_kw={"dir": "rtl", "lang": "ar"})  # printed on certificates
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=200)],
                           filters=[clean_name], render_kw={"dir": "ltr", "lang": "en"})
    summary_ar = TextAreaField(_l("Summary in Arabic"), validators=[Optional(), Length(max=2000)],
                               render_kw={"dir": "rtl", "lang": "ar", "rows": 3})
    summary_en = TextAreaField(_l("Summary in English"), validators=[Optional(), Length(max=2000)],
                               render_kw={"dir": "ltr", "lang": "en", "rows": 3})
    estimated_minutes = IntegerField(_l("Estimated time (minutes)"), validators=[Optional(), NumberRange(0, 100000)])
    status = SelectField(_l("Status"), choices=lambda: [("draft", _l("Draft (hidden from learners)")),
                                                        ("published", _l("Published"))])
    # Choices: the course's images (set by the view); shown on the course's card in the catalogue.
    cover_path = SelectField(_l("Cover image"), choices=lambda: [("", _l("No cover (a plain pattern)"))],
                             description=_l("One of the images of the course folder, shown on the course's card."))

    def offer_covers(self, paths: list[str]) -> None:
        """The course's images to choose from; without any, no choice is shown and the cover is left as it is."""
        if paths:
            self.cover_path.choices = lambda: [("", _l("No cover (a plain pattern)"))] + [(p, p) for p in paths]
        else:
            del self.cover_path


class ModuleForm(EditForm):
    title_ar = StringField(_l("Title in Arabic"), validators=[DataRequired(), Length(max=200)],
                           render_kw={"dir": "rtl", "lang": "ar"})
    title_en = StringField(_l("Title in English"), validators=[DataRequired(), Length(max=200)],
                           render_kw={"dir": "ltr", "lang": "en"})
    body_ar = TextAreaField(_l("Content in Arabic (Markdown)"), validators=[DataRequired(), Length(max=200_000)],
                            render_kw={"dir": "rtl", "lang": "ar", "rows": 18})
    body_en = TextAreaField(_l("Content in English (Markdown, optional)"),
                            validators=[Optional(), Length(max=200_000)],
                            render_kw={"dir": "ltr", "lang": "en", "rows": 12})
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class DeleteModuleForm(FlaskForm):
    confirm = BooleanField(_l("I understand that learners' progress on this module will be removed too."),
                           validators=[DataRequired()])


class CourseFileForm(FlaskForm):
    file = FileField(_l("Image or document"), [FileRequired(message=_l("Choose a file."))],
                     description=_l("PNG, JPEG, GIF or WebP image, or PDF document; at most 5 MB."),
                     render_kw={"accept": ",".join(SIGNATURES)})
    replace = BooleanField(_l("Replace the file of the same name"))


class RemoveFileForm(FlaskForm):
    confirm = BooleanField(_l("Remove it even though modules show it (they will show it missing)"))
