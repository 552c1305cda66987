"""The question types. Each is one folder of this package, named in NAMES: nothing else lists them.

A folder holds the type's class (`TYPE` in its __init__.py: checking, storing, the editor's rows, showing,
reading and grading answers, statistics, Moodle XML), the partial that shows it to a learner (question.html,
found as "qtypes/<name>/question.html"), and the static files its pages link (static/, served below). Adding a
type is adding its folder and its name here.
"""
import hashlib
import importlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, abort, send_from_directory, url_for
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from lms.core.security import public
from lms.quizzes.types.base import InvalidResponse, Presented, QuestionType, pick

NAMES = ("single", "multiple", "truefalse", "short", "numeric", "matching", "ordering")
FOLDER = Path(__file__).resolve().parent


def _load(name: str) -> QuestionType:
    kind = importlib.import_module(f"{__name__}.{name}").TYPE
    if kind.name != name:
        raise RuntimeError(f"lms/quizzes/types/{name}/ holds the type {kind.name!r}")
    return kind


REGISTRY: dict[str, QuestionType] = {name: _load(name) for name in NAMES}


def type_of(name: str) -> QuestionType:
    return REGISTRY[name]


def moodle_reader(element) -> QuestionType | None:
    """The type that reads a Moodle XML <question>, by its type attribute (multichoice: single or multiple)."""
    qtype = element.get("type", "")
    return next((kind for kind in REGISTRY.values() if kind.moodle_qtype == qtype and kind.reads_moodle(element)),
                None)


# --- what the types add to the app ------------------------------------------------------------------------

bp = Blueprint("question_types", __name__)


@bp.get("/quiz/types/<name>/<path:filename>")
@public
def asset(name: str, filename: str):
    """A type's static file (its URL carries the file's digest: cached for a year like /static)."""
    if name not in REGISTRY:
        abort(404)
    return send_from_directory(FOLDER / name / "static", filename)


@cache
def _digest(name: str, filename: str) -> str:
    return hashlib.sha256((FOLDER / name / "static" / filename).read_bytes()).hexdigest()[:10]


def asset_urls(names, extension: str) -> list[str]:
    """The URLs of the static files ending in `extension` (".js", ".css") of the types named, each once."""
    return [url_for("question_types.asset", name=name, filename=filename, v=_digest(name, filename))
            for name in dict.fromkeys(names) for filename in REGISTRY[name].assets if filename.endswith(extension)]


def register_question_types(app: Flask) -> None:
    """The types' partials for Jinja ("qtypes/<name>/..."), the registry and the types' files for templates,
    and the route that serves those files. The quizzes package's init_app calls it."""
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, PrefixLoader({"qtypes": FileSystemLoader(FOLDER)})])
    app.jinja_env.globals["question_types"] = REGISTRY
    app.jinja_env.globals["question_type_assets"] = asset_urls
    app.register_blueprint(bp)


__all__ = ["NAMES", "REGISTRY", "InvalidResponse", "Presented", "QuestionType", "moodle_reader", "pick",
           "register_question_types", "type_of"]
