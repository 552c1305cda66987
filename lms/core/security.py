"""Access rules, declared on every view so that they can be read at the route and checked by the tests.

Every view carries `view.access`: "public", "login", or a tuple of roles. The test suite walks
`app.url_map` and fails on a view that declares nothing.
"""
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request
from flask_login import current_user

from lms.extensions import login_manager


def public(view):
    view.access = "public"
    return view


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.access = "login"
    return wrapped


def roles_required(*roles: str):
    """Signed-in users whose role is one of `roles` (admin always passes); others get 403."""
    allowed = frozenset(roles) | {"admin"}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = tuple(sorted(allowed))
        return wrapped

    return decorator


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-site relative paths may be a redirect target (no open redirects)."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return fallback
    return target


def wants_json() -> bool:
    return request.path.startswith("/api/")
