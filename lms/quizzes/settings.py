"""A course's quiz settings: course.yaml's `quiz:` block and the settings form say the same things."""
from dataclasses import asdict, dataclass

from lms.core.i18n import _, _l, localize_digits

REVIEW_POLICIES = {
    "score": _l("The score only"),
    "answers": _l("The score, and whether each answer was right (not the right answers)"),
    "full": _l("The score, the right answers and feedback"),
}
GRADING_POLICIES = {"highest": _l("The highest attempt"), "last": _l("The last attempt")}
LAYOUTS = {"all": _l("All questions on one page"), "one": _l("One question per page")}


@dataclass(frozen=True)
class QuizSettings:
    file: str = "quiz.gift"  # the bank's Arabic file in the course folder; English beside it as <name>.en.<ext>
    pass_mark: int = 70  # percent
    attempts: int = 0  # 0 = unlimited
    wait_minutes: int = 0  # between the end of an attempt and the start of the next
    time_limit_minutes: int = 0  # 0 = none
    questions: int | None = None  # drawn at random from the bank; None = all
    shuffle: bool = True  # the options of each question
    review: str = "full"  # what the learner sees after submitting: a key of REVIEW_POLICIES
    grading: str = "highest"  # which attempt counts: a key of GRADING_POLICIES
    layout: str = "all"  # a key of LAYOUTS

    @classmethod
    def from_dict(cls, data: dict | None) -> "QuizSettings":
        """Settings from stored values; anything unknown or invalid falls back to the default."""
        data = data or {}
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known) if not check(known) else cls()

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if not (k == "questions" and v is None)}

    @property
    def english_file(self) -> str:
        stem, dot, ext = self.file.rpartition(".")
        return f"{stem}.en.{ext}" if dot else f"{self.file}.en"


def _whole(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check(data: dict) -> dict[str, str]:
    """Problems with a `quiz:` block, by key (empty when all is well)."""
    problems = {}
    for key in sorted(set(data) - set(QuizSettings.__dataclass_fields__)):
        problems[key] = _("unknown key %(key)s", key=f"quiz.{key}")
    if "file" in data and not (isinstance(data["file"], str) and data["file"].strip()):
        problems["file"] = _("quiz.file must name a file of the course folder")
    ranges = {"pass_mark": (0, 100), "attempts": (0, 1000), "wait_minutes": (0, 525_600),
              "time_limit_minutes": (0, 1440)}
    for key, (low, high) in ranges.items():
        if key in data and not _whole(data[key], low, high):
            problems[key] = _("quiz.%(key)s must be a whole number from %(low)s to %(high)s", key=key,
                              low=localize_digits(low), high=localize_digits(high))
    if data.get("questions") is not None and not _whole(data["questions"], 1, 10_000):
        problems["questions"] = _("quiz.questions must be a whole number of at least 1 (or absent for all)")
    if "shuffle" in data and not isinstance(data["shuffle"], bool):
        problems["shuffle"] = _("quiz.shuffle must be true or false")
    for key, allowed in (("review", REVIEW_POLICIES), ("grading", GRADING_POLICIES), ("layout", LAYOUTS)):
        if key in data and data[key] not in allowed:
            problems[key] = _("quiz.%(key)s must be one of: %(values)s", key=key, values=", ".join(allowed))
    return problems
