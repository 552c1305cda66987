"""The report pages: scoped to the viewer, sortable on an allow-list only, paginated, a fixed number of statements."""
import re
from datetime import timedelta

import pytest
from cachelib import SimpleCache

from lms.reports import services
from tests import factories
from tests.reports.conftest import AFTER_DUE, enroll

PAGES = ["/manage/reports", "/manage/reports/matrix", "/manage/reports/overdue", "/manage/reports/scores"]


def names(org, code):
    return [u.full_name_latin for u in org.clerks[code]]


@pytest.mark.parametrize("url", PAGES)
def test_a_center_manager_sees_only_their_center(org, clock, client, auth, url):
    auth.as_role("center_manager", center=org.shubra)
    page = client.get(url + "?lang=en").text
    assert "مركز شبرا" in page or "Shubra" in page or url.endswith("scores")
    for other in ("مركز بنها", "مركز الدقي"):
        assert other not in page
    for name in names(org, "QLY-BNH") + names(org, "GIZ-DOK"):
        assert name not in page


@pytest.mark.parametrize("url", PAGES)
def test_hr_scoped_to_a_governorate_sees_only_it(org, clock, client, auth, url):
    auth.as_role("hr", scope_governorate_id=org.qalyubia.id)
    page = client.get(url).text
    assert "مركز الدقي" not in page
    for name in names(org, "GIZ-DOK"):
        assert name not in page.replace("<bdi>", "").replace("</bdi>", "")


def test_matrix_shows_statuses_due_dates_and_totals(org, clock, client, auth):
    auth.as_role("hr")
    page = client.get("/manage/reports/matrix?course=serving-citizens&center=QLY-BNH").text
    assert page.count('class="s-completed"') == 2
    assert page.count('class="s-overdue"') == 2
    assert page.count("٣١ مارس ٢٠٢٦") == 2  # the overdue cells' due date, Arabic month and digits
    assert page.count("٦ مارس ٢٠٢٦") == 2  # the completed cells' completion date
    assert '<caption id="matrix-caption">' in page and 'scope="row"' in page
    auth.as_role("hr", locale="en")
    english = client.get("/manage/reports/matrix?course=serving-citizens&center=QLY-BNH").text
    tfoot = english[english.index("<tfoot>"):]
    assert "Completed: 2 of 4" in tfoot and "(50%)" in tfoot and "Overdue: 2" in tfoot
    assert "31 March 2026" in english


def test_learners_and_trainers_may_not_open_reports(org, client, auth):
    for role in ("learner", "trainer"):
        auth.as_role(role)
        for url in PAGES + ["/manage/reports/matrix.csv", f"/manage/reports/people/{org.clerks['QLY-BNH'][0].id}"]:
            assert client.get(url).status_code == 403, (role, url)


def test_overdue_list_is_sorted_on_an_allow_list(org, clock, client, auth):
    auth.as_role("hr")
    by_name = client.get("/manage/reports/overdue?sort=-name&lang=en").text
    assert 'aria-sort="descending"' in by_name
    unknown = client.get("/manage/reports/overdue?sort=users.password_hash").text
    assert _table(unknown) == _table(client.get("/manage/reports/overdue").text)  # the default order
    assert client.get("/manage/reports/overdue?sort=1;DROP TABLE users").status_code == 200


def _table(page: str) -> str:
    return page[page.index("<table"):page.index("</table>")]


def test_matrix_pages_fifty_people_at_a_time(org, clock, client, auth, db):
    course = org.course
    from tests.reports.conftest import enroll

    for user in factories.UserFactory.create_batch(60, center=org.banha):
        enroll(user, course)
    db.session.commit()
    auth.as_role("hr")
    first = client.get("/manage/reports/matrix?center=QLY-BNH").text
    assert first.count('<a href="/manage/reports/people/') == 50
    second = client.get("/manage/reports/matrix?center=QLY-BNH&page=٢").text
    assert second.count('<a href="/manage/reports/people/') == 14
    assert 'rel="prev"' in second


def test_matrix_and_overdue_statements_do_not_grow_with_rows(org, clock, client, auth, db, count_statements):
    from tests.reports.conftest import enroll

    many = factories.CenterFactory(governorate=org.qalyubia, code="QLY-BIG")
    few = factories.CenterFactory(governorate=org.qalyubia, code="QLY-SML")
    for center, n in ((many, 50), (few, 5)):
        for user in factories.UserFactory.create_batch(n, center=center):
            enroll(user, org.course)
            enroll(user, org.extra, started=True, due=None, required=False)
    db.session.commit()
    auth.as_role("hr")
    for url in ("/manage/reports/matrix", "/manage/reports/overdue"):
        small = count_statements(lambda u=url: client.get(u + "?center=QLY-SML"))
        large = count_statements(lambda u=url: client.get(u + "?center=QLY-BIG"))
        assert small == large, url


def test_transcript_in_scope_404_out_of_scope(org, clock, client, auth):
    person = org.clerks["QLY-BNH"][0]
    auth.as_role("center_manager", center=org.banha)
    page = client.get(f"/manage/reports/people/{person.id}")
    assert page.status_code == 200
    assert "خدمة المواطنين" in page.text and "٨٥٪" in page.text
    auth.as_role("center_manager", center=org.shubra)
    assert client.get(f"/manage/reports/people/{person.id}").status_code == 404
    auth.as_role("hr", scope_governorate_id=org.other.id)
    assert client.get(f"/manage/reports/people/{person.id}").status_code == 404


def test_a_learner_reads_their_own_transcript(org, clock, client, auth):
    person = auth.login(org.clerks["QLY-SHB"][0])
    page = client.get("/me/transcript")
    assert page.status_code == 200
    assert person.full_name_ar in page.text and "أمن المعلومات" in page.text
    with client.get("/static/css/app.css") as css:
        assert "@media print" in css.text


def test_bad_filters_are_shown_and_ignored(org, clock, client, auth):
    auth.as_role("hr")
    page = client.get("/manage/reports/matrix?since=31-02-2026&status=late")
    assert page.status_code == 200
    assert 'aria-invalid="true"' in page.text


def test_the_overview_reuses_a_count_for_a_minute_and_says_when_it_was_made(org, clock, client, auth, app, db,
                                                                            monkeypatch):
    monkeypatch.setitem(app.config, "LMS_REPORTS_FRESH_MINUTES", 1)
    monkeypatch.setattr(services, "_recent", SimpleCache())
    auth.as_role("hr")
    client.post("/language", data={"lang": "en"})
    first = client.get("/manage/reports").text
    assert "Counted at" in first and "counted again when the page is opened a minute or more later" in first
    enroll(factories.UserFactory(center=org.banha), org.extra, completed=True)
    db.session.commit()
    clock(AFTER_DUE + timedelta(seconds=59))
    assert _row(client.get("/manage/reports").text, "Banha") == _row(first, "Banha")
    clock(AFTER_DUE + timedelta(seconds=60))
    again = client.get("/manage/reports").text
    assert _row(again, "Banha") != _row(first, "Banha")
    client.post("/language", data={"lang": "ar"})
    assert "يُعاد حسابها عند فتح الصفحة بعد دقيقة أو أكثر" in client.get("/manage/reports").text


def test_the_overview_reuses_a_count_only_for_the_same_scope_and_filters(org, clock, client, auth, app,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "LMS_REPORTS_FRESH_MINUTES", 1)
    monkeypatch.setattr(services, "_recent", SimpleCache())
    auth.as_role("hr")
    client.post("/language", data={"lang": "en"})
    assert _has_row(client.get("/manage/reports").text, "Shubra")
    auth.as_role("center_manager", center=org.banha)
    client.post("/language", data={"lang": "en"})
    own = client.get("/manage/reports").text
    assert _has_row(own, "Banha") and not _has_row(own, "Shubra") and not _has_row(own, "Dokki")
    auth.as_role("hr")
    client.post("/language", data={"lang": "en"})
    assert not _has_row(client.get("/manage/reports?center=QLY-BNH").text, "Shubra")


def _has_row(page: str, center: str) -> bool:
    return re.search(rf'data-label="Technology center">(?:<bdi>)?{center}(?:</bdi>)?</th>', page) is not None


def _row(page: str, center: str) -> str:
    """The cells of a center's row in the overview's table of centers."""
    found = re.search(rf'data-label="Technology center">(?:<bdi>)?{center}(?:</bdi>)?</th>(.*?)</tr>', page, re.S)
    assert found, f"no row for {center}"
    return found.group(1)


def _matrix_footer(page: str) -> str:
    return page[page.index("<tfoot>"):page.index("</tfoot>")]


def test_the_matrix_totals_are_the_overviews_count_reused_for_a_minute_and_say_when(org, clock, client, auth, app,
                                                                                    db, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_REPORTS_FRESH_MINUTES", 1)
    monkeypatch.setattr(services, "_recent", SimpleCache())
    auth.as_role("hr")
    client.post("/language", data={"lang": "en"})
    first = client.get("/manage/reports/matrix?center=QLY-BNH").text
    assert "Completed: 2 of 4" in _matrix_footer(first)
    assert "The totals of all pages were counted at" in first and "a minute or more later" in first
    newcomer = factories.UserFactory(center=org.banha)
    enroll(newcomer, org.course, completed=True)
    db.session.commit()
    clock(AFTER_DUE + timedelta(seconds=59))
    again = client.get("/manage/reports/matrix?center=QLY-BNH&sort=-name").text
    assert newcomer.full_name_latin in again  # the rows are read anew: only the totals are reused
    assert _matrix_footer(again) == _matrix_footer(first)
    clock(AFTER_DUE + timedelta(seconds=60))
    assert "Completed: 3 of 5" in _matrix_footer(client.get("/manage/reports/matrix?center=QLY-BNH").text)
    client.post("/language", data={"lang": "ar"})
    arabic = client.get("/manage/reports/matrix?center=QLY-BNH").text
    assert "حُسبت مجاميع كل الصفحات في" in arabic and "بعد دقيقة أو أكثر" in arabic


def test_matrix_cells_stand_under_their_own_course(org, clock, client, auth):
    b = org.clerks["QLY-BNH"]
    auth.as_role("hr", locale="en")
    page = client.get("/manage/reports/matrix?center=QLY-BNH").text
    courses = re.findall(r'<th scope="col" class="course-col">(.*?)</th>', page)
    statuses = {}
    for person in (b[0], b[2], b[3]):
        row = re.search(rf'{person.full_name_latin}.*?</tr>', page, re.S).group(0)
        cells = re.findall(r'<td(?: class="s-(\w+)")?>(?!<bdi>)', row.split('<td class="code-cell">')[1])  # courses
        statuses[person] = dict(zip(courses, cells, strict=True))
    course, extra = org.course.title_en, org.extra.title_en
    assert statuses[b[0]][course] == "completed" and statuses[b[2]][course] == "overdue"
    assert statuses[b[3]][extra] == ""  # "—": not enrolled
