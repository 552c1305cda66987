"""Access rules, declared on every view so that they can be read at the route and checked by the tests.

Every view carries `view.access`: "public", "login" (anyone signed in), or the set of roles it lets in; a view
that needs someone signed in also says how they prove it, `view.credential`: "session" here (the pages),
"token" for the API (`lms.api.auth`, the same decorators over a bearer token). The test suite walks
`app.url_map` and fails on a view that declares nothing, or whose roles are not a permission of the table.

The role sets come from that table, `lms.accounts.roles` (`@roles_required(roles.MANAGE_STAFF)`): core sits below
accounts and knows no role, so its decorators take a set and the table stays the one place that names roles.
"""
from collections.abc import Collection
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

    wrapped.access, wrapped.credential = "login", "session"
    return wrapped


def role_set(roles: Collection[str]) -> frozenset[str]:
    """The roles a gate lets in, checked when the route is declared."""
    if isinstance(roles, str) or not roles:  # a bare "hr" would be the set {"h", "r"}
        raise TypeError("a role gate takes a permission: a set of roles from lms.accounts.roles")
    return frozenset(roles)


def roles_required(roles: Collection[str]):
    """Signed-in users whose role is in `roles`, a permission of lms.accounts.roles; others get 403."""
    allowed = role_set(roles)

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.access, wrapped.credential = allowed, "session"
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


# Where bearer credentials, not the session, authenticate and every answer is JSON: the API and the field kit's
# device API (lms.offline).
JSON_PREFIXES = ("/api/", "/offline/api/")


def wants_json() -> bool:
    return request.path.startswith(JSON_PREFIXES)
