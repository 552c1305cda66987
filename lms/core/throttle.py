"""Throttling of the few endpoints that need it (sign-in, /verify), on the `limits` library that Flask-Limiter uses.

Flask-Limiter checks every request of the app in a before_request hook, which cost 5 to 7% of the pages'
throughput in the benchmark; here only the throttled views pay. The counts live where LMS_RATELIMIT_STORAGE_URI
says: Redis shared by every machine, or by default an SQLite file in the instance folder shared by the workers of
one machine (lms.core.throttle_storage); tests count in memory.
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

from lms.core.throttle_storage import SQLiteStorage

_EXTENSION = "lms_throttle"


def init_app(app: Flask) -> None:
    uri = app.config["LMS_RATELIMIT_STORAGE_URI"]
    storage = SQLiteStorage(uri) if uri.startswith("sqlite:") else storage_from_string(uri)
    app.extensions[_EXTENSION] = MovingWindowRateLimiter(storage)


def _limiter() -> MovingWindowRateLimiter:
    return current_app.extensions[_EXTENSION]


@cache
def _parse(limits: str) -> list[RateLimitItem]:
    return parse_many(limits)


def _items(limits_setting: str) -> list[RateLimitItem]:
    return _parse(current_app.config[limits_setting])


def _wait(item: RateLimitItem, scope: str, identity: str) -> int:
    """Whole seconds until the oldest event counted by `item` leaves its window (at least 1)."""
    limiter = _limiter()
    now = getattr(limiter.storage, "clock", time.time)()  # the SQLite storage's clock, which tests move
    return max(1, math.ceil(limiter.get_window_stats(item, scope, identity).reset_time - now))


def too_many(retry_after: int) -> TooManyRequests:
    """A 429 whose Retry-After says when to come back (the error pages pass the header on)."""
    return TooManyRequests(retry_after=retry_after)


def seconds_until_allowed(scope: str, limits_setting: str, identity: str) -> int:
    """0 when `identity` has room left under every limit of `limits_setting`, else the seconds to wait."""
    limiter = _limiter()
    waits = [_wait(item, scope, identity) for item in _items(limits_setting) if not limiter.test(item, scope, identity)]
    return max(waits, default=0)


def count(scope: str, limits_setting: str, identity: str) -> None:
    """Record one event (e.g. a failed sign-in) against every limit of `limits_setting`."""
    for item in _items(limits_setting):
        _limiter().hit(item, scope, identity)


def throttled(scope: str, limits_setting: str, key: Callable[[], str], methods: tuple[str, ...] = ("POST",)):
    """Refuse with 429 once `key()` has used up the limits named by the config value `limits_setting`."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if request.method in methods:
                limiter = _limiter()
                identity = key()
                for item in _items(limits_setting):
                    if not limiter.hit(item, scope, identity):
                        raise too_many(_wait(item, scope, identity))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def reset() -> None:
    """Forget every count (tests, and an administrator lifting a lock-out)."""
    storage = _limiter().storage
    # limits' in-memory storage sweeps expired counts in a timer thread, which fails (KeyError) when the counts
    # are cleared under it: let a sweep under way end first. The next count starts a new one.
    sweep = getattr(storage, "timer", None)
    if sweep is not None and sweep.is_alive():
        sweep.cancel()
        sweep.join()
    storage.reset()
