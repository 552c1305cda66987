"""Response plumbing shared by every page: versioned static URLs, icons, security headers, date display."""
import hashlib
import io
import re
from datetime import datetime
from functools import cache
from pathlib import Path

from flask import Flask, abort, current_app, render_template, request, send_file, url_for
from flask_babel import format_date, format_time, get_locale
from markupsafe import Markup
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.security import safe_join

from lms.core.i18n import localize_digits
from lms.core.inputs import DB_INT_MAX
from lms.core.security import JSON_PREFIXES

CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Pages and files made for the person who asked: names, grades, certificates, exports of the staff.
PER_VIEWER_TYPES = frozenset({"text/html", "text/csv", "application/pdf",
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})


def init_app(app: Flask) -> None:
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 365 * 24 * 3600  # static URLs carry a content hash
    if proxies := app.config["LMS_TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    if "static" in app.view_functions:
        app.view_functions["static"] = _static_file
    app.jinja_env.globals["asset_url"] = asset_url
    app.jinja_env.globals["icon"] = icon
    app.jinja_env.globals["same_for_everyone"] = same_for_everyone
    app.jinja_env.filters["date_text"] = date_text
    app.jinja_env.filters["time_text"] = time_text
    app.after_request(_security_headers)


def asset_url(filename: str) -> str:
    return url_for("static", filename=filename, v=_digest(current_app.static_folder, filename))


_CSS_COMMENT = re.compile(rb"/\*.*?\*/\s*", re.S)


def _static_file(filename: str):
    """A static file; a stylesheet without its comments, which are for its authors (6 KB of every first load on
    a counter's poor connection). Its URL's version is the file's own digest, as for any static file."""
    if not filename.endswith(".css"):
        return current_app.send_static_file(filename)
    path = safe_join(current_app.static_folder, filename)
    if path is None or not Path(path).is_file():
        abort(404)
    body = _without_comments(path, Path(path).stat().st_mtime_ns)
    return send_file(io.BytesIO(body), mimetype="text/css", etag=hashlib.sha256(body).hexdigest()[:16],
                     max_age=current_app.get_send_file_max_age(filename), conditional=True)


@cache
def _without_comments(path: str, _mtime_ns: int) -> bytes:
    return _CSS_COMMENT.sub(b"", Path(path).read_bytes())


@cache
def _digest(folder: str, filename: str) -> str:
    return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:10]


def same_for_everyone(template: str) -> Markup:
    """A partial that shows no one's data (the field kit's texts on every page), rendered once per language per
    process rather than on every page; again each time while templates reload (development)."""
    rendered = current_app.extensions.setdefault("lms_same_for_everyone", {})
    key = (template, str(get_locale()))
    html = rendered.get(key)
    if html is None or current_app.jinja_env.auto_reload:
        html = rendered[key] = Markup(render_template(template))  # noqa: S704 (autoescaped by Jinja)
    return html


SPRITE = "icons.svg"
# Icons that point along the reading direction: mirrored on right-to-left pages (.icon-flip in app.css).
DIRECTIONAL_ICONS = frozenset({"arrow-next", "arrow-previous", "chevron-next", "chevron-previous"})


def icon(name: str, label: str | None = None) -> Markup:
    """An icon of lms/static/icons.svg. Without a label it is decoration beside words that say the same, hidden
    from screen readers; with one it stands alone and the label is its name."""
    if name not in sprite_icons(current_app.static_folder):
        raise ValueError(f"no icon {name!r} in {SPRITE}")
    classes = "icon icon-flip" if name in DIRECTIONAL_ICONS else "icon"
    href = f"{asset_url(SPRITE)}#{name}"
    if label is None:
        return Markup('<svg class="{}" aria-hidden="true" focusable="false"><use href="{}"></use></svg>').format(
            classes, href)
    return Markup('<svg class="{}" role="img" focusable="false"><title>{}</title><use href="{}"></use></svg>').format(
        classes, label, href)


@cache
def sprite_icons(folder: str) -> frozenset[str]:
    return frozenset(re.findall(r'<symbol id="([^"]+)"', (Path(folder) / SPRITE).read_text(encoding="utf-8")))


MAX_PAGE = DB_INT_MAX  # the largest page number whose offset every database accepts


def page_arg(args, name: str = "page") -> int:
    """The page number a query string asks for: 1 when missing or unreadable, at most MAX_PAGE (a larger one
    would overflow the database's integer and fail the request instead of showing an empty page)."""
    return min(max(args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def date_text(value: datetime) -> str:
    """A date for people: Arabic month names and Arabic-Indic digits on Arabic pages."""
    return localize_digits(format_date(value, "d MMMM y"))


def time_text(value: datetime) -> str:
    """A time of day in the governorate's zone (BABEL_DEFAULT_TIMEZONE), 24-hour, digits as the page wants."""
    return localize_digits(format_time(value, "HH:mm"))


def _security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if _per_viewer(response):
        headers.setdefault("Cache-Control", "no-store")  # shared counters: nothing survives sign-out in a cache
    if current_app.config["LMS_ENV"] == "production" and (seconds := current_app.config["LMS_HSTS_SECONDS"]):
        headers.setdefault("Strict-Transport-Security", f"max-age={seconds}; includeSubDomains")
    return response


def _per_viewer(response) -> bool:
    """Every API answer, page and download: one place, so that no new route or export is forgotten. What sets
    its own Cache-Control (static files, course images) keeps it."""
    return (request.path.startswith(JSON_PREFIXES) or response.mimetype in PER_VIEWER_TYPES
            or response.headers.get("Content-Disposition", "").startswith("attachment"))
