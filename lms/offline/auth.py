"""The device API's one credential: a grant's bearer token. Cookies and the API's tokens are not accepted here,
so a page cannot act through it and a token given for the JSON API cannot sync a device."""
from functools import wraps

from flask import g, request

from lms.core.errors import json_error
from lms.offline.devices import grant_for_token, mark_sync


def grant_required(view):
    """Anyone holding a live grant (g.grant, g.api_user); 401 JSON with WWW-Authenticate otherwise. Every call
    let in marks the device's last sync."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        grant = grant_for_token(token) if scheme.lower() == "bearer" and 0 < len(token) <= 200 else None
        if grant is None:
            response = json_error(401, "unauthorized")
            response[0].headers["WWW-Authenticate"] = 'Bearer realm="lms-offline"'
            return response
        g.grant, g.api_user = grant, grant.user
        mark_sync(grant)
        return view(*args, **kwargs)

    wrapped.access, wrapped.credential = "login", "grant"
    return wrapped
