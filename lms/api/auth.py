"""Bearer tokens for the API. Browser sessions are ignored under /api, so no cross-site request can act.

The API's gates mirror the pages' (lms.core.security): `token_required` is `login_required` and
`token_roles_required(roles.VIEW_REPORTS)` is `roles_required(roles.VIEW_REPORTS)`, over a bearer token and
answering in JSON; they declare `view.access` the same way, so the access test checks both alike.
"""
from collections.abc import Collection
from functools import wraps

from flask import g, request

from lms.auth.services import user_for_api_token
from lms.core.errors import json_error
from lms.core.security import role_set


def token_required(view):
    """Anyone holding a valid token (g.api_user); 401 with WWW-Authenticate otherwise."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        user = user_for_api_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            response = json_error(401, "unauthorized")
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="lms"'
            return response
        g.api_user = user
        return view(*args, **kwargs)

    wrapped.access, wrapped.credential = "login", "token"
    return wrapped


def token_roles_required(roles: Collection[str]):
    """A valid token whose person's role is in `roles`, a permission of lms.accounts.roles; 401 without a token,
    403 "forbidden" for another role."""
    allowed = role_set(roles)

    def decorator(view):
        @wraps(view)
        def in_role(*args, **kwargs):
            if g.api_user.role not in allowed:
                return json_error(403, "forbidden")
            return view(*args, **kwargs)

        wrapped = token_required(in_role)
        wrapped.access = allowed
        return wrapped

    return decorator
