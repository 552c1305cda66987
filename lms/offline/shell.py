"""The installable app: its service worker at the site's root, its web manifest, the page shown for what is not
kept offline, and "This device" (what this device keeps, read from the device itself)."""
import hashlib
from pathlib import Path

from flask import Blueprint, current_app, jsonify, make_response, render_template, url_for

from lms.core.i18n import _, current_locale, text_direction
from lms.core.security import login_required, public
from lms.core.web import asset_url

bp = Blueprint("offline_shell", __name__)

# The application shell: kept by the service worker at its installation (templates/offline/sw.js).
SHELL_ASSETS = ("css/app.css", "css/offline.css", "favicon.svg", "icons.svg", "icons/app-192.png",
                "icons/app-512.png", "js/menu.js", "js/quiz.js", "js/offline/store.js", "js/offline/people.js",
                "js/offline/sync.js", "js/offline/shell.js", "js/offline/course.js", "js/offline/device.js",
                "js/offline/signin.js")
# Pages a new version of the service worker never replaces while one is open (their <body> also says so with
# data-offline-guard): an attempt and an offline exam.
GUARDED_PATHS = (r"^/quiz/attempts/\d+/?$", r"^/offline/exams/\d+/take/?$")
# Pages never kept: staff management, sign-in, the server's JSON, the verifier (its own worker, scope /verify/).
NOT_KEPT = (r"^/manage(/|$)", r"^/verify(/|$)", r"^/api/", r"^/offline/api/", r"^/login", r"^/logout",
            r"^/password", r"^/offline/(uploads|devices|exams/new)", r"^/reports", r"^/admin", r"^/hr(/|$)",
            r"^/language$", r"^/sw\.js$", r"^/manifest\.webmanifest$")


def _assets() -> list[str]:
    static = Path(current_app.static_folder)
    return [asset_url(name) for name in SHELL_ASSETS if (static / name).exists()]


@bp.get("/sw.js")
@public
def service_worker():
    """The app's service worker, served from the root so that its scope is the whole site but /verify/ (which has
    its own). Its version is the digest of what it keeps and of its own text: a new deployment makes a new one."""
    assets = _assets()
    source = current_app.jinja_env.loader.get_source(current_app.jinja_env, "offline/sw.js")[0]
    version = hashlib.sha256("\n".join([*assets, source]).encode()).hexdigest()[:12]
    # Public pages only ("This device" is kept as the person's own page when opened).
    pages = [url_for(".offline_page"), url_for(".offline_signin")]
    body = render_template("offline/sw.js", version=version, assets=assets, pages=pages,
                           languages=list(current_app.config["LMS_LANGUAGES"]), guarded=list(GUARDED_PATHS),
                           not_kept=list(NOT_KEPT))
    response = make_response(body)
    response.mimetype = "text/javascript"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
@public
def web_manifest():
    """Installs the site as an app, named in the visitor's language."""
    response = jsonify({
        "name": _("Technology Centers Training"), "short_name": _("Training"), "lang": current_locale(),
        "dir": text_direction(), "start_url": url_for("progress.dashboard"), "scope": "/",
        "display": "standalone", "background_color": "#ffffff", "theme_color": "#0b5d4b",
        "icons": [{"src": asset_url("icons/app-192.png"), "sizes": "192x192", "type": "image/png"},
                  {"src": asset_url("icons/app-512.png"), "sizes": "512x512", "type": "image/png"},
                  {"src": asset_url("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    })
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@public
def offline_page():
    """What the service worker shows for a page it does not keep while there is no network."""
    return _kept_for_everyone("offline/offline.html")


@bp.get("/offline/signin")
@public
def offline_signin():
    """A shared tablet without a network: employee number and the PIN chosen on this device (signin.js)."""
    return _kept_for_everyone("offline/signin.html")


def _kept_for_everyone(template: str):
    """A page the service worker keeps in its shell: as a visitor sees it (no one's name), always revalidated."""
    response = make_response(render_template(template, visitor_view=True))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline/device")
@login_required
def this_device():
    """What this device keeps: courses, what waits to be sent, storage; filled in from the device (device.js)."""
    return render_template("offline/device.html")
