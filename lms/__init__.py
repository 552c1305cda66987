"""Arabic-first staff training and certification LMS for technology centers."""
import os
from importlib import import_module
from pathlib import Path

from flask import Flask

from lms.config import load_config

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The domain packages in the direction of imports: each may import those before it, never one after it, and
# sends news upward by signal or asks through a hook (lms.core.hooks). Each says what it adds in its `init_app`.
PACKAGES = ("core", "accounts", "auth", "courses", "notifications", "quizzes", "progress", "certificates", "offline",
            "reports", "api")


def create_app(config: object | dict | None = None, packages: tuple[str, ...] = PACKAGES) -> Flask:
    """Build the app; `config` (a dict or settings object) overrides what the environment says."""
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "templates"), instance_relative_config=True,
                instance_path=_instance_path())
    load_config(app, config)
    register_extensions(app)
    for name in packages:
        import_module(f"lms.{name}").init_app(app)
    register_top_level(app)
    check_required_hooks(app, packages)
    return app


def _instance_path() -> str | None:
    """LMS_INSTANCE_PATH: the folder of this server's own files (the demo's secrets and seal, its SQLite files), so
    that servers side by side, or test runs, each have theirs; by default `instance/` beside the code."""
    path = os.environ.get("LMS_INSTANCE_PATH")
    return str(Path(path).resolve()) if path else None


def register_extensions(app: Flask) -> None:
    """The database first: every package reads it. The other extensions are bound by lms.core, in the order their
    request hooks must run."""
    from lms.extensions import db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True)


def register_top_level(app: Flask) -> None:
    """What spans the packages: the ordered daily run and the demo organisation."""
    from lms import daily, demo

    daily.init_app(app)
    demo.init_app(app)


def check_required_hooks(app: Flask, packages: tuple[str, ...]) -> None:
    """A rule a lower package asks for and no package provides stops start-up instead of failing open."""
    from lms.core.hooks import check_hooks

    check_hooks(app, packages)
