"""The registry is the one list of question types: each type is a folder with its parts, and nothing else names them."""
import re

import pytest

from lms import PROJECT_ROOT
from lms.quizzes.types import FOLDER, NAMES, REGISTRY
from lms.quizzes.types.base import QuestionType

pytestmark = pytest.mark.no_db

# GIFT and Aiken are syntaxes of Moodle's core types: they know those types by their names (GIFT_TYPES).
SYNTAXES = {FOLDER.parent / "formats" / "gift.py", FOLDER.parent / "formats" / "aiken.py"}


def test_each_registered_type_is_a_folder_with_its_parts(app):
    folders = {path.parent.name for path in FOLDER.glob("*/__init__.py")}
    assert folders == set(NAMES) == set(REGISTRY)
    for name, kind in REGISTRY.items():
        assert kind.name == name and str(kind.label)
        assert (FOLDER / name / "question.html").is_file(), name
        app.jinja_env.get_template(kind.template)  # the registry's loader finds the partial in the folder
        app.jinja_env.get_template(kind.editor)
        if kind.editor == QuestionType.editor:  # the shared answers table: the type says what it shows
            assert kind.columns and kind.hint, name
        for asset in kind.assets:
            assert (FOLDER / name / "static" / asset).is_file(), (name, asset)


def _type_name_tests() -> re.Pattern:
    """`== "matching"`, `!== 'short'`, `in ("single", "truefalse")`, `"numeric" ==`: code that branches on a type."""
    names = "|".join(NAMES)
    quoted = rf"""["'](?:{names})["']"""
    return re.compile(rf"""(?:[!=]==?\s*{quoted}|{quoted}\s*[!=]==?|\bin\s*[(\[{{][^)\]}}]*{quoted})""")


def test_nothing_outside_the_type_folders_branches_on_a_type_name():
    pattern = _type_name_tests()
    files = [*(PROJECT_ROOT / "lms").rglob("*.py"), *(PROJECT_ROOT / "lms").rglob("*.js"),
             *(PROJECT_ROOT / "lms").rglob("*.html"), *(PROJECT_ROOT / "templates").rglob("*.html")]
    found = [f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
             for path in files if FOLDER not in path.parents and path not in SYNTAXES
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    assert found == []


def test_the_pattern_finds_the_branches_it_is_meant_to():
    pattern = _type_name_tests()
    for line in ('if kind == "matching":', "if (kind === 'multiple') {", '{% if p.type in ("short", "numeric") %}',
                 'elif question.type != "numeric":', '"truefalse" == kind'):
        assert pattern.search(line), line
    assert not pattern.search('kind = REGISTRY.get(request.form[name + "-kind"])')
