"""Saves that would overwrite another person's: an edit form carries a fingerprint of the values it showed (its
`seen` field); the use case compares it with what is stored when it saves, under the row's write lock.

Two trainers with the same module open: the second to save used to replace the first's text without a word.
Now the second is told, keeps what they typed, and saves again knowingly. A form opened before this check
existed (no fingerprint) and the API are not checked."""
import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from wtforms import HiddenField

from lms.core.forms import FlaskForm
from lms.core.i18n import _, isolated
from lms.core.models import ValidationError, utcnow
from lms.core.web import time_text


def fingerprint(values: Mapping[str, object]) -> str:
    text = json.dumps(dict(values), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def seen_value(stored: Mapping[str, object], at: datetime | None = None) -> str:
    """What an edit form carries: the fingerprint of the stored values, and when the page showed them."""
    return f"{fingerprint(stored)}.{int((at or utcnow()).timestamp())}"


def _opened_at(seen: str) -> datetime | None:
    """When the page was opened, from the form (a person may have changed it: it only picks whom to name)."""
    stamp = seen.partition(".")[2]
    try:
        return datetime.fromtimestamp(int(stamp), UTC) if stamp.isascii() and stamp.isdigit() else None
    except (OverflowError, OSError, ValueError):
        return None


class EditConflict(ValidationError):
    """Another save came between the form's opening and this one. `seen`: the stored values' fingerprint now,
    which the form carries from here, so that saving again replaces them knowingly."""

    def __init__(self, message: str, seen: str):
        super().__init__({"": message})
        self.seen = seen


LastChange = Callable[[datetime | None], tuple[str | None, datetime] | None]


def check_unchanged(seen: str | None, stored: Mapping[str, object], incoming: Mapping[str, object],
                    last_change: LastChange = lambda since: None) -> None:
    """Refuse (EditConflict) when what is stored is no longer what the form showed, unless this save writes what
    is stored anyway (nothing of the other person's would be lost). `last_change(since)`: who and when of the
    latest change made since the page opened, to name them, or None."""
    if not seen or seen.partition(".")[0] == fingerprint(stored):
        return
    if all(incoming.get(key) == value for key, value in stored.items()):
        return
    raise EditConflict(conflict_message(last_change(_opened_at(seen))), seen_value(stored))


def conflict_message(last_change: tuple[str | None, datetime] | None) -> str:
    who, when = last_change or (None, None)
    if who and when:
        saved = _("%(name)s saved a change here at %(time)s, after you opened this page.", name=isolated(who),
                  time=time_text(when))
    else:
        saved = _("Someone saved a change here after you opened this page.")
    return " ".join((saved, _("Nothing was saved: what you typed is kept below. Look at their change, then save "
                              "again to replace it with yours.")))


class EditForm(FlaskForm):
    """A form that edits a stored row: `seen` is set from the row's values when the page opens (`showing`)."""

    seen = HiddenField()

    def showing(self, stored: Mapping[str, object] | None) -> None:
        if stored is not None and not self.is_submitted():
            self.seen.data = seen_value(stored)
