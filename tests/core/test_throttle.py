"""lms.core.throttle.reset beside limits' in-memory storage, whose expired counts are swept in a timer thread."""
import threading

from limits import parse

from lms.core import throttle


class _SlowSweep(dict):
    """The storage's events, where the sweeping thread pauses a moment after each read: a reset then lands
    between its read of a count and its write back."""

    def __init__(self, sweeping: threading.Event):
        super().__init__()
        self.sweeping = sweeping

    def get(self, key, default=None):
        value = super().get(key, default)
        if threading.current_thread() is not threading.main_thread():
            self.sweeping.set()
            threading.Event().wait(0.2)
        return value


def test_a_reset_waits_for_the_sweep_under_way(app, monkeypatch):
    """A reset in the middle of a sweep broke the sweeping thread (an error in CI, reported by another test)."""
    errors, sweeping, limit = [], threading.Event(), parse("5 per second")
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(repr(args.exc_value)))
    with app.app_context():
        limiter = throttle._limiter()
        limiter.storage.reset()
        monkeypatch.setattr(limiter.storage, "events", _SlowSweep(sweeping))
        limiter.hit(limit, "test", "someone")
        assert sweeping.wait(5)
        throttle.reset()
        limiter.storage.timer.join(5)
        assert errors == [] and not limiter.storage.events
        assert limiter.get_window_stats(limit, "test", "someone").remaining == 5
