"""Exports: the screen's rows, scope and filters; Excel-friendly CSV; never a formula, in CSV or XLSX."""
import csv
import io

import pytest
from openpyxl import load_workbook

from lms.extensions import db as database
from lms.reports.exports import csv_safe, xlsx_bytes
from lms.reports.filters import status_label

RISKY = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _csv(response) -> list[list[str]]:
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_matrix_csv_has_a_bom_arabic_headers_and_one_row_per_person_and_course(app, org, clock, client, auth):
    auth.as_role("hr", scope_governorate_id=org.qalyubia.id)
    response = client.get("/manage/reports/matrix.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="completion-matrix-')
    rows = _csv(response)
    assert rows[0][:2] == ["الرقم الوظيفي", "الاسم بالعربية"]
    assert len(rows) == 1 + 9  # 7 enrolments in the course, 2 in the other; none from Giza
    assert not any("مركز الدقي" in cell for row in rows for cell in row)
    statuses = [row[7] for row in rows[1:]]
    with app.test_request_context():
        assert statuses.count(status_label("overdue")) == 4  # in Arabic, as the catalogue says it


def test_export_follows_the_filters(org, clock, client, auth):
    auth.as_role("hr")
    rows = _csv(client.get("/manage/reports/matrix.csv?status=overdue&center=QLY-SHB"))
    assert len(rows) == 3


def test_center_manager_exports_only_their_center(org, clock, client, auth):
    auth.as_role("center_manager", center=org.giza)
    rows = _csv(client.get("/manage/reports/overdue.csv"))
    assert [row[3] for row in rows[1:]] == ["مركز الدقي"]
    book = load_workbook(io.BytesIO(client.get("/manage/reports/matrix.xlsx").data))
    sheet = book.active
    centers = {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert centers == {"مركز الدقي"}


@pytest.mark.parametrize("value", RISKY)
def test_csv_neutralises_formulas(value):
    assert csv_safe(value) == "'" + value
    assert csv_safe("أحمد") == "أحمد" and csv_safe(12.5) == "12.5"


def test_formula_names_come_back_as_text_in_csv_and_xlsx(org, clock, client, auth, db):
    person = org.clerks["QLY-BNH"][0]
    person.full_name_ar = "=HYPERLINK(\"http://evil.example\",\"x\")"
    person.full_name_latin = "@SUM(1+1)"
    database.session.commit()
    auth.as_role("hr")
    rows = _csv(client.get("/manage/reports/matrix.csv?center=QLY-BNH&lang=en"))
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in [row[1] for row in rows]
    assert "'@SUM(1+1)" in [row[2] for row in rows]
    response = client.get("/manage/reports/matrix.xlsx?center=QLY-BNH")
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.sheet_view.rightToLeft is True
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    risky = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert risky.data_type == "s"  # a string, not a formula ("f")
    assert risky.value == "=HYPERLINK(\"http://evil.example\",\"x\")"


def test_xlsx_writer_keeps_every_risky_string_a_string():
    data = xlsx_bytes("t", ["h"], [[value] for value in RISKY] + [["#N/A"]], rtl=False)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.sheet_view.rightToLeft in (None, False)
    for cell in (row[0] for row in sheet.iter_rows(min_row=2)):
        assert cell.data_type == "s", cell.value


def test_english_headers_for_an_english_viewer(org, clock, client, auth):
    auth.as_role("hr", locale="en")
    rows = _csv(client.get("/manage/reports/overdue.csv"))
    assert rows[0][0] == "Employee number"
    assert rows[1][-1] == "12"  # days overdue
    sheet = load_workbook(io.BytesIO(client.get("/manage/reports/overdue.xlsx").data)).active
    assert not sheet.sheet_view.rightToLeft


def test_control_characters_a_roster_let_in_do_not_break_the_xlsx(app):
    with app.test_request_context():
        content = xlsx_bytes("Sheet", ["Name"], [["منى\x01 علي\x1b"], ["=1+\x02"]], rtl=True)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["A2"].value == "منى علي" and sheet["A3"].value == "=1+" and sheet["A3"].data_type == "s"


def test_a_workbook_reads_at_first_open_header_bold_and_in_view_columns_wide_enough():
    # Long Arabic center and course names were cut at Excel's default width, and the header scrolled away.
    book = load_workbook(io.BytesIO(xlsx_bytes("مصفوفة", ["الرقم الوظيفي", "المركز التكنولوجي", "الدورة التدريبية"],
                                               [["1", "مركز بنها", "خدمة المواطنين"]], rtl=True)))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1]) and not sheet["B2"].font.bold
    assert all(sheet.column_dimensions[letter].width >= len(sheet[f"{letter}1"].value) for letter in "ABC")
    title = "تطبيق معايير جودة الخدمة في شباك المركز التكنولوجي المتنقل"  # longer than its header
    wide = load_workbook(io.BytesIO(xlsx_bytes("x", ["Course", "Score"], [[title, 90]], rtl=True))).active
    assert wide.column_dimensions["A"].width >= len(title) and wide.column_dimensions["B"].width < 20


def test_the_scores_table_downloads_as_on_the_screen(org, clock, client, auth):
    # The scores report was the one report HR could not take away (no CSV or XLSX).
    auth.as_role("hr", scope_governorate_id=org.qalyubia.id)
    assert "/manage/reports/scores.xlsx" in client.get("/manage/reports/scores").text
    rows = _csv(client.get("/manage/reports/scores.csv"))
    assert rows[0][0] == "الدورة التدريبية" and rows[0][-1] == "عدد الموظفين" and len(rows[0]) == 12
    [serving] = [row for row in rows[1:] if row[0] == "خدمة المواطنين"]
    assert serving[1:] == ["0", "0", "0", "0", "0", "0", "0", "1", "1", "1", "3"]  # as test_services counts them
    book = load_workbook(io.BytesIO(client.get("/manage/reports/scores.xlsx").data))
    assert [cell.value for cell in book.active[2]][-1] == 3
