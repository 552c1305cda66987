"""HR's reports: the completion matrix, rates by center and course, overdue staff, scores, transcripts.

Every page, export and transcript is limited to the viewer's scope (lms.accounts.scope). A learner's own transcript
is in routes.py.
"""
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache

from flask import Blueprint, Response, abort, current_app, get_template_attribute, render_template, request
from flask_babel import force_locale, format_date
from flask_login import current_user
from markupsafe import Markup

from lms.accounts import roles
from lms.accounts.scope import scope_of
from lms.core.i18n import _, current_locale, format_percent, localize_digits, pick_language, text_direction
from lms.core.localtime import governorate_zone
from lms.core.security import roles_required
from lms.core.web import date_text
from lms.reports import charts, services, trends
from lms.reports.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, chunked, csv_stream, xlsx_bytes
from lms.reports.filters import PER_PAGE, STATUS_ICONS, STATUS_LABELS, parse_filters, status_label

bp = Blueprint("reports", __name__, url_prefix="/manage/reports")
EXPORT_FORMATS = ("csv", "xlsx")


@bp.app_template_global()
def report_status(status: str) -> dict:
    return {"label": status_label(status), "icon": STATUS_ICONS.get(status, "")}


def _fresh() -> tuple[int, timedelta]:
    """How long a count of the overview (and the matrix's totals) is reused: minutes, and as a duration."""
    minutes = max(current_app.config["LMS_REPORTS_FRESH_MINUTES"], 0)
    return minutes, timedelta(minutes=minutes)


@lru_cache(maxsize=4096)
def _day_text(day: date, locale: str) -> str:
    """date_text of a day in a language: the matrix shows hundreds of days on every page, mostly the same ones from
    one page to the next. Written in `locale` whatever the request's, since the text is kept under it."""
    with force_locale(locale):
        return date_text(day)


def _matrix_cells(matrix: services.Matrix, locale: str) -> dict[int, Markup]:
    """Each row's course cells, as HTML. A page of 50 staff by 60 courses holds 3,000 cells but a few hundred
    different ones (a status and a day): each is rendered once, by the template's macro, and reused."""
    cell = get_template_attribute("reports/_matrix.html", "cell")
    labels = {status: (STATUS_ICONS[status], status_label(status)) for status in STATUS_LABELS}
    zone, days, rendered = governorate_zone(), {None: None}, {None: cell()}

    def html(found: services.Cell | None) -> Markup:
        if found is None:
            return rendered[None]
        when = found.completed_at if found.status == "completed" and found.completed_at else found.due_at
        if when not in days:
            days[when] = when.astimezone(zone).date()  # many cells share a due date
        key = (found.status, days[when])
        if key not in rendered:
            rendered[key] = cell(found.status, *labels[found.status], key[1] and _day_text(key[1], locale))
        return rendered[key]

    return {row.id: Markup("").join([html(matrix.cells.get((row.id, course.id))) for course in matrix.courses])
            for row in matrix.rows}


def _request(sort_keys=()):
    filters, errors = parse_filters(request.args, dict.fromkeys(sort_keys))
    return filters, errors, scope_of(current_user), current_locale()


def _page(template: str, filters, errors, scope, locale, **context):
    return render_template(template, filters=filters, errors=errors, per_page=PER_PAGE,
                           choices=services.filter_choices(scope, locale), statuses=STATUS_LABELS, **context)


def _rate_bars(rates) -> list[charts.Bar]:
    return [charts.Bar(pick_language({"ar": r.name_ar, "en": r.name_en}), round(r.counts.rate, 1),
                       format_percent(r.counts.rate)) for r in rates]


@bp.get("")
@roles_required(roles.VIEW_REPORTS)
def overview():
    filters, errors, scope, locale = _request()
    fresh_minutes, fresh = _fresh()
    counted = services.recent_rates(filters, scope, services.now(), fresh)
    centers, courses = counted.centers, counted.courses
    rtl = text_direction(locale) == "rtl"
    return _page("reports/overview.html", filters, errors, scope, locale, centers=centers, courses=courses,
                 counted_at=counted.counted_at, fresh_minutes=fresh_minutes,
                 center_chart=charts.bar_chart(_("Completion rate per technology center"), _rate_bars(centers),
                                               rtl=rtl) if centers else None,
                 course_chart=charts.bar_chart(_("Completion rate per course"), _rate_bars(courses),
                                               rtl=rtl) if courses else None)


@bp.get("/trend")
@roles_required(roles.VIEW_REPORTS)
def trend():
    filters, errors, scope, locale = _request()
    result = trends.completion_trend(filters, scope, services.now())
    overall_name = pick_language(result.overall_place, "name") if result.overall_place else _("Every governorate")
    center_name = pick_language(result.center_place, "name") if result.center_place else ""
    return _page("reports/trend.html", filters, errors, scope, locale, trend=result, overall_name=overall_name,
                 center_name=center_name, rate_text=_rate_text, month_text=_month_text,
                 chart=_trend_chart(result, overall_name, center_name, rtl=text_direction(locale) == "rtl"))


def _trend_chart(result: trends.Trend, overall_name: str, center_name: str, rtl: bool) -> charts.Chart:
    """The governorate's line in the colour of "completed"; the chosen center's dashed, with square points."""
    series = [charts.Series(overall_name, [m.rate for m in result.overall], charts.COMPLETED,
                            texts=[_rate_text(m) for m in result.overall])]
    if result.center is not None:
        series.append(charts.Series(center_name, [m.rate for m in result.center], charts.CENTER, dashed=True,
                                    marker="square", texts=[_rate_text(m) for m in result.center]))
    points = [(format_date(month, "MMMM"), localize_digits(month.year)) for month in result.months]
    return charts.line_chart(_("Completion rate by month"), points, series, rtl=rtl, percent=format_percent)


def _rate_text(month: trends.MonthRate) -> str:
    return format_percent(month.rate) if month.rate is not None else _("No enrolments")


def _month_text(month: date) -> str:
    return localize_digits(format_date(month, "MMMM y"))


@bp.get("/matrix")
@roles_required(roles.VIEW_REPORTS)
def matrix():
    filters, errors, scope, locale = _request(services.MATRIX_SORT_KEYS)
    fresh_minutes, fresh = _fresh()
    result = services.matrix(filters, scope, locale, services.now(), fresh=fresh)
    return _page("reports/matrix.html", filters, errors, scope, locale, matrix=result,
                 cells=_matrix_cells(result, locale), fresh_minutes=fresh_minutes)


@bp.get("/overdue")
@roles_required(roles.VIEW_REPORTS)
def overdue():
    filters, errors, scope, locale = _request(services.OVERDUE_SORT_KEYS)
    total, rows = services.overdue(filters, scope, locale, services.now())
    return _page("reports/overdue.html", filters, errors, scope, locale, total=total, rows=rows)


@bp.get("/scores")
@roles_required(roles.VIEW_REPORTS)
def scores():
    filters, errors, scope, locale = _request()
    distributions = services.score_distributions(filters, scope)
    chosen = next((d for d in distributions if d.slug == filters.course), distributions[0] if distributions else None)
    chart = None
    if chosen is not None:
        bars = [charts.Bar(bin_label(n), count, localize_digits(count)) for n, count in enumerate(chosen.bins)]
        chart = charts.histogram(_("Best quiz scores: %(course)s", course=pick_language(
            {"ar": chosen.title_ar, "en": chosen.title_en})), bars, rtl=text_direction(locale) == "rtl")
    return _page("reports/scores.html", filters, errors, scope, locale, distributions=distributions,
                 chosen=chosen, chart=chart, bin_label=bin_label)


def bin_label(n: int) -> str:
    return localize_digits(f"{10 * n}–{10 * n + 9 if n < services.SCORE_BINS - 1 else 100}")


@bp.get("/people/<int:user_id>")
@roles_required(roles.VIEW_REPORTS)
def transcript(user_id: int):
    result = services.transcript(user_id, scope_of(current_user), services.now())
    if result is None:
        abort(404)
    return render_template("reports/transcript.html", transcript=result, own=False)


# --- exports ---------------------------------------------------------------------------------------------------------

def _download(fmt: str, name: str, title: str, headers: list[str], rows):
    filename = f"{name}-{date.today().isoformat()}.{fmt}"
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt == "csv":
        # Built whole before it is sent (rows are still read a chunk at a time): a streamed body would query the
        # database after the request's context is gone.
        return Response("".join(csv_stream(headers, rows)), headers=disposition, content_type=CSV_MEDIA_TYPE)
    content = xlsx_bytes(title, headers, rows, rtl=text_direction() == "rtl")
    return Response(content, headers=disposition, content_type=XLSX_MEDIA_TYPE)


@bp.get("/matrix.<fmt>")
@roles_required(roles.VIEW_REPORTS)
def matrix_export(fmt: str):
    """One row per person and course, with the screen's filters, sort and scope."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters, _errors, scope, locale = _request(services.MATRIX_SORT_KEYS)
    at = services.now()
    headers = [_("Employee number"), _("Name in Arabic"), _("Name in Latin letters"), _("Technology center code"),
               _("Technology center"), _("Job title"), _("Course"), _("Status"), _("Due date"),
               _("Completed on"), _("Best score")]

    def rows():
        for r in chunked(lambda offset, size: services.completions(filters, scope, locale, at, offset, size)):
            yield [r.employee_number, r.full_name_ar, r.full_name_latin, r.center_code,
                   pick_language({"ar": r.center_name_ar, "en": r.center_name_en}),
                   pick_language({"ar": r.job_title_ar, "en": r.job_title_en}),
                   pick_language({"ar": r.course_title_ar, "en": r.course_title_en}), status_label(r.status),
                   r.due_at, r.completed_at, r.best_score]

    return _download(fmt, "completion-matrix", _("Completion matrix"), headers, rows())


@bp.get("/scores.<fmt>")
@roles_required(roles.VIEW_REPORTS)
def scores_export(fmt: str):
    """The scores table: per course, how many people's best score falls in each band, with the screen's filters."""
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters, _errors, scope, _locale = _request()
    headers = [_("Course"), *(bin_label(n) for n in range(services.SCORE_BINS)), _("People")]
    rows = ([pick_language({"ar": d.title_ar, "en": d.title_en}), *d.bins, d.people]
            for d in services.score_distributions(filters, scope))
    return _download(fmt, "quiz-scores", _("Quiz scores"), headers, rows)


@bp.get("/overdue.<fmt>")
@roles_required(roles.VIEW_REPORTS)
def overdue_export(fmt: str):
    if fmt not in EXPORT_FORMATS:
        abort(404)
    filters, _errors, scope, locale = _request(services.OVERDUE_SORT_KEYS)
    at = services.now()
    headers = [_("Employee number"), _("Name"), _("Technology center code"), _("Technology center"), _("Course"),
               _("Due date"), _("Days overdue")]

    def fetch(offset: int, size: int):
        page = offset // size + 1
        return services.overdue(replace(filters, page=page), scope, locale, at, per_page=size)[1]

    def rows():
        for r in chunked(fetch):
            yield [r.employee_number, r.full_name_ar if locale == "ar" else r.full_name_latin, r.center_code,
                   pick_language({"ar": r.center_name_ar, "en": r.center_name_en}),
                   pick_language({"ar": r.course_title_ar, "en": r.course_title_en}), r.due_at, r.days]

    return _download(fmt, "overdue", _("Overdue"), headers, rows())
