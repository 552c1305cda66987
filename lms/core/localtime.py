"""The governorate's clock (BABEL_DEFAULT_TIMEZONE): due dates, date filters, digests and serial years count in
its days, whatever the server's zone."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app


def governorate_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_date(moment: datetime) -> date:
    """The day it is in the governorate at this moment."""
    return moment.astimezone(governorate_zone()).date()


def start_of_day(day: date) -> datetime:
    """The first instant of `day` in the governorate, as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=governorate_zone())


def end_of_day(day: date) -> datetime:
    """The last second of `day` in the governorate, as an aware datetime."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=governorate_zone())
