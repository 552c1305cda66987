"""What a report shows: the filters people choose (from a query string) and the sort keys they may ask for.

The same `Filters` serve the screens, the exports and the API, so that an export holds exactly what its screen
shows. Values are codes (governorate and center codes, job title codes, course slugs) so that HR systems can
send the ones they know; districts have no code and go by id. Digits may be Arabic-Indic.
"""
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta

from lms.core.i18n import _l, to_ascii_digits
from lms.core.inputs import parse_int
from lms.core.localtime import start_of_day
from lms.progress.status import TrainingStatus

PER_PAGE = 50
DATE_FIELDS = ("due", "completed")

STATUS_LABELS = {
    TrainingStatus.COMPLETED.value: _l("Completed"),
    TrainingStatus.IN_PROGRESS.value: _l("In progress"),
    TrainingStatus.NOT_STARTED.value: _l("Not started"),
    TrainingStatus.OVERDUE.value: _l("Overdue"),
}
# Shown beside the words, never instead of them (aria-hidden in the page).
STATUS_ICONS = {"completed": "✓", "in_progress": "◐", "not_started": "○", "overdue": "!"}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


@dataclass(frozen=True)
class Filters:
    governorate: str = ""  # governorate code
    district: int | None = None
    center: str = ""  # center code
    job_title: str = ""  # job title code
    course: str = ""  # course slug
    status: str = ""  # a TrainingStatus value
    dates: str = "due"  # which date `since`/`until` bound: "due" or "completed"
    since: date | None = None
    until: date | None = None
    include_inactive: bool = False  # staff who left are left out unless asked for
    sort: str = ""
    page: int = 1

    @property
    def touches_enrollments(self) -> bool:
        return bool(self.course or self.status or self.since or self.until)

    def query_args(self, **changes) -> dict[str, str]:
        """The filters as query-string arguments (empty ones left out): for links, pagers and exports."""
        filters = replace(self, **changes) if changes else self
        args = {}
        for f in fields(filters):
            value = getattr(filters, f.name)
            if f.name == "dates" and value == "due":
                continue
            if f.name == "page" and value == 1:
                continue
            if value in ("", None, False):
                continue
            args[f.name] = "1" if value is True else value.isoformat() if isinstance(value, date) else str(value)
        return args


def _text(args, name: str, limit: int = 80) -> str:
    return to_ascii_digits(str(args.get(name, "") or "")).strip()[:limit]


def _positive_int(args, name: str, errors: dict, label: str) -> int | None:
    raw = _text(args, name)
    if not raw:
        return None
    number = parse_int(raw, low=1)
    if number is None:
        errors[name] = label
    return number


def parse_filters(args, sort_keys: dict, max_page_size: int | None = None) -> tuple[Filters, dict[str, str]]:
    """Filters from query arguments, and the errors of the ones that could not be read (those are ignored).

    An unknown sort key falls back to the report's default: only keys of `sort_keys` ever reach SQL.
    """
    errors: dict[str, str] = {}
    status = _text(args, "status")
    if status and status not in STATUS_LABELS:
        errors["status"] = str(_l("Unknown status."))
        status = ""
    dates = _text(args, "dates") or "due"
    if dates not in DATE_FIELDS:
        errors["dates"] = str(_l("Choose due date or completion date."))
        dates = "due"
    bounds = {}
    for name in ("since", "until"):
        raw = _text(args, name)
        bounds[name] = None
        if raw:
            try:
                bounds[name] = date.fromisoformat(raw)
            except ValueError:
                errors[name] = str(_l("Enter a date as YYYY-MM-DD."))
    if bounds["since"] and bounds["until"] and bounds["since"] > bounds["until"]:
        errors["until"] = str(_l("The end date is before the start date."))
        bounds["until"] = None
    sort = _text(args, "sort")
    if sort.lstrip("-") not in sort_keys:
        sort = ""
    page = _positive_int(args, "page", errors, str(_l("Enter a page number."))) or 1
    filters = Filters(
        governorate=_text(args, "governorate", 8).upper(),
        district=_positive_int(args, "district", errors, str(_l("Unknown district."))),
        center=_text(args, "center", 32),
        job_title=_text(args, "job_title", 32),
        course=_text(args, "course", 80),
        status=status, dates=dates, since=bounds["since"], until=bounds["until"],
        include_inactive=_text(args, "include_inactive") in ("1", "on", "true", "yes"),
        sort=sort, page=page,
    )
    return filters, errors


def sort_order(filters: Filters, sort_keys: dict, default: str) -> list:
    """ORDER BY clauses for the chosen key (from the allow-list only), "-key" for descending."""
    key = filters.sort or default
    descending = key.startswith("-")
    columns = sort_keys[key.lstrip("-")]
    return [c.desc() if descending else c.asc() for c in columns]


# Days before or after any record: the first and last days a datetime holds (year 1, 9999) would overflow once
# moved to UTC or to the next day, so bounds are clamped to these.
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(9000, 12, 31)


def day_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[start of `since`, start of the day after `until`) in the governorate's time, as aware datetimes."""
    start = start_of_day(min(max(since, EARLIEST_DAY), LATEST_DAY)) if since else None
    end = start_of_day(min(max(until, EARLIEST_DAY), LATEST_DAY) + timedelta(days=1)) if until else None
    return start, end
