"""The limits on signing in (the form and POST /api/v1/tokens alike), counted per account actually targeted.

An identifier is normalised as sign-in matches it (lms.auth.services.normalize_identifier) and resolved to the
account's id when one exists, so that "12345", "١٢٣٤٥", "۱۲۳۴۵" and " 12345 " spend one budget:
- every attempt, per address and account (LMS_SIGN_IN_LIMITS): a whole office behind one address still gets in;
- failed attempts per account, from any address (LMS_ACCOUNT_FAILURE_LIMITS, ASVS 2.2.1);
- failed attempts per address, over every account (LMS_ADDRESS_FAILURE_LIMITS): one password tried on many.

The failure limits slow an attack down rather than lock the account: there is no locked state for an
administrator to lift. Past the budget, sign-ins to that account (or from that address) get 429 with
Retry-After, the seconds until the oldest counted failure leaves its moving window; each failure that ages out
frees one attempt again. The per-minute part of LMS_ACCOUNT_FAILURE_LIMITS spreads a distributed attack over the
hour, so its real holder waits about a minute at a time rather than the hour. Only failures count: the holder's
own sign-ins never use up the budget, and a right password is never checked while it is exhausted (that would
let guessing go on).
"""
from flask import g, request

from lms.auth.services import account_id, normalize_identifier
from lms.core.throttle import count, seconds_until_allowed, too_many

SIGN_IN_SCOPE = "sign-in"
_FAILURES = (("sign-in-failures-account", "LMS_ACCOUNT_FAILURE_LIMITS", "account"),
             ("sign-in-failures-address", "LMS_ADDRESS_FAILURE_LIMITS", "address"))


def account_key(identifier: str) -> str:
    """"user:<id>" for an existing account, else "name:<normalised identifier>"; looked up once per request."""
    cache = g.setdefault("_sign_in_accounts", {})
    if identifier not in cache:
        user_id = account_id(identifier)
        cache[identifier] = f"user:{user_id}" if user_id is not None else \
            f"name:{normalize_identifier(identifier)[:64]}"
    return cache[identifier]


def _typed_identifier() -> str:
    body = request.get_json(silent=True)
    identifier = request.form.get("identifier") or (body.get("username") if isinstance(body, dict) else "")
    return identifier if isinstance(identifier, str) else ""


def sign_in_attempt_key() -> str:
    """The key of LMS_SIGN_IN_LIMITS, for lms.core.throttle.throttled: this address and the account targeted."""
    return f"{request.remote_addr}|{account_key(_typed_identifier())}"


def _failure_identities(identifier: str):
    for scope, setting, kind in _FAILURES:
        yield scope, setting, account_key(identifier) if kind == "account" else str(request.remote_addr)


def refuse_while_failing(identifier: str) -> None:
    """429 (with Retry-After) while the account or this address has used up its failed sign-ins."""
    wait = max((seconds_until_allowed(*identity) for identity in _failure_identities(identifier)), default=0)
    if wait:
        raise too_many(wait)


def count_failure(identifier: str) -> None:
    for identity in _failure_identities(identifier):
        count(*identity)
