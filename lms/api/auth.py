"""Bearer tokens for the API. Browser sessions are ignored under /api, so no cross-site request can act."""
from functools import wraps

from flask import g, request

from lms.auth.services import user_for_api_token
from lms.core.errors import json_error


def token_required(view):
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

    wrapped.access = "token"
    return wrapped
