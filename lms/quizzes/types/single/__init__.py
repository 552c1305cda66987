"""Single choice: the learner picks one option; each option has its credit (one at 100%)."""
from lms.core.i18n import _, _l
from lms.quizzes.types.base import ChoiceType


def options_problems(question) -> list[str]:
    """What single choice and multiple response both require of their options."""
    problems = []
    if len(question.answers) < 2:
        problems.append(_("a choice question needs at least two options"))
    if any(not a.text.strip() for a in question.answers):
        problems.append(_("an option has no text"))
    return problems


class SingleType(ChoiceType):
    name = "single"
    label = _l("Single choice")
    hint = _l("Weight 100 for the right option, 0 for the others. To remove an option, empty its texts.")

    def check(self, question):
        problems = super().check(question) + options_problems(question)
        if not any(a.fraction >= 1 for a in question.answers):
            problems.append(_("no option is marked right (=)"))
        return problems

    def moodle_check(self, question):
        if problems := super().moodle_check(question):
            return problems
        if not any(answer.fraction == 1 for answer in question.answers):
            return [_("no answer gives full marks")]  # Moodle: errfractionsnomax / fractionsnomax
        return []


TYPE = SingleType()
