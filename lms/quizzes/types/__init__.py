"""The question types: one class each says how a question is checked, stored, shown, answered and graded.

A question's `data` is `{"answers": [...]}`, each answer `{"id": ..., <fields>}` where text fields are
bilingual ({"ar": ..., "en": ...}) and numbers are plain. Ids are random: they say nothing about the key.
"""
from lms.quizzes.types.base import InvalidResponse, Presented, QuestionType, pick
from lms.quizzes.types.choice import MultipleType, SingleType, TrueFalseType
from lms.quizzes.types.matching import MatchingType
from lms.quizzes.types.numeric import NumericType
from lms.quizzes.types.short import ShortType

REGISTRY: dict[str, QuestionType] = {t.name: t for t in (
    SingleType(), MultipleType(), TrueFalseType(), ShortType(), NumericType(), MatchingType())}


def type_of(name: str) -> QuestionType:
    return REGISTRY[name]


__all__ = ["REGISTRY", "InvalidResponse", "Presented", "QuestionType", "pick", "type_of"]
