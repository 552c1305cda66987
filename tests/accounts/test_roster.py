"""Roster import: HR's file is read whatever its language, encoding and format, previewed with per-row errors,
and applied all-or-nothing and idempotently, only within HR's scope."""
import html
import io
import zipfile

import pytest
import sqlalchemy as sa

from lms.accounts import roster, roster_files
from lms.accounts.models import JobTitle, Role, User
from lms.auth.models import LoginSession
from lms.core.signals import staff_changed
from tests import factories
from tests.accounts.conftest import (
    ARABIC_HEADERS,
    ENGLISH_HEADERS,
    apply,
    csv_text,
    import_file,
    payload_of,
    slips_of,
    ticks_of,
    upload,
    xlsx_bytes,
)


def _staff(db, **where):
    return list(db.session.scalars(sa.select(User).filter_by(**where).order_by(User.employee_number)))


@pytest.fixture
def changed_ids():
    received = []

    def listener(sender, **_):
        received.append(list(sender))

    staff_changed.connect(listener)
    yield received
    staff_changed.disconnect(listener)


def test_hr_imports_500_staff_from_an_arabic_headed_xlsx(client, hr, qalyubia, db, changed_ids):
    factories.JobTitleFactory()  # موظف شباك خدمة, already on the list
    codes = ["QLY-BENHA", "QLY-SHUBRA", "QLY-MOB-1"]
    rows = [[str(100000 + n), f"موظف رقم {n}", f"Employee {n}", f"e{n}@example.gov.eg", codes[n % 3],
             "موظف شباك خدمة" if n % 5 else "مشرف وردية", "نشط"] for n in range(500)]
    rows[7][0] = 100007  # a number typed as a number: openpyxl gives it back as an int
    content = xlsx_bytes(ARABIC_HEADERS, rows)

    preview = upload(client, content)
    assert preview.status_code == 200
    assert "٥٠٠" in preview.text  # 500 to create, in Arabic-Indic digits
    assert "مشرف وردية" in preview.text  # listed as a new job title
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.employee_number.like("1%"))) == 0

    applied = apply(client, payload_of(preview))
    assert applied.status_code == 302  # over LMS_ROSTER_JOB_ROWS: a background job (run at once in the tests)
    assert "٥٠٠" in client.get(applied.headers["Location"]).text  # its page: 500 created
    result = client.get(applied.headers["Location"] + "/slips")
    assert result.status_code == 200
    staff = _staff(db, role=Role.LEARNER)
    staff = [u for u in staff if u.employee_number.startswith("1")]
    assert len(staff) == 500
    assert all(u.must_change_password and u.is_active and u.username == u.employee_number for u in staff)
    by_center = {code: sum(1 for u in staff if u.center.code == code) for code in codes}
    assert by_center == {"QLY-BENHA": 167, "QLY-SHUBRA": 167, "QLY-MOB-1": 166}
    supervisor = db.session.scalar(sa.select(JobTitle).where(JobTitle.name_ar == "مشرف وردية"))
    assert sum(1 for u in staff if u.job_title_id == supervisor.id) == 100
    assert staff[0].full_name_latin == "Employee 0" and staff[0].email == "e0@example.gov.eg"

    slips = slips_of(result)
    assert len(slips) == 500 and len(set(slips.values())) == 500
    person = next(u for u in staff if u.username == "100042")
    assert person.check_password(slips["100042"])  # stored hashed only
    assert slips["100042"] not in person.password_hash
    assert sorted(changed_ids[-1]) == sorted(u.id for u in staff)


def test_english_headed_csv_with_a_bom(client, hr, qalyubia, db):
    text = csv_text(ENGLISH_HEADERS, [["2001", "سارة علي", "Sara Ali", "", "qly-benha", "Service window clerk",
                                       "active"],
                                      ["2002", "عمر خالد", "", "", "QLY-SHUBRA", "", ""]])
    factories.JobTitleFactory()
    import_file(client, ("\ufeff" + text).encode("utf-8"), "staff.csv")
    sara, omar = _staff(db, role=Role.LEARNER)[-2:]
    assert (sara.full_name_ar, sara.center.code, sara.job_title.code) == ("سارة علي", "QLY-BENHA", "CLERK")
    assert omar.full_name_latin == "عمر خالد" and omar.job_title is None


def test_cp1256_csv_with_semicolons_from_arabic_excel(client, hr, qalyubia, db):
    text = csv_text(ARABIC_HEADERS, [["3001", "محمود حسن", "Mahmoud Hassan", "", "QLY-BENHA", "", "نشط"]], ";")
    import_file(client, text.encode("cp1256"), "staff.csv")
    person = db.session.scalar(sa.select(User).where(User.employee_number == "3001"))
    assert person.full_name_ar == "محمود حسن" and person.center.code == "QLY-BENHA"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_the_headers_of_the_apps_own_exports_are_known(lang):
    # HR fixed Latin names in the completion matrix's Arabic export and loaded it back: its column
    # "الاسم بالحروف اللاتينية" was ignored as unknown, and every change lost.
    from flask_babel import force_locale

    from lms.core.i18n import _
    labels = {"employee_number": ["Employee number"], "full_name_ar": ["Name in Arabic", "Full name in Arabic"],
              "full_name_latin": ["Name in Latin letters", "Full name in Latin letters"],
              "center_code": ["Technology center code"], "job_title": ["Job title"], "email": ["Email"]}
    with force_locale(lang):
        read = {field: {roster_files._HEADER_FIELDS.get(roster_files._header_key(_(label))) for label in names}
                for field, names in labels.items()}
    assert read == {field: {field} for field in labels}


def test_a_date_cell_is_shown_as_the_sheet_shows_it(client, hr, qalyubia, db):
    from datetime import datetime
    content = xlsx_bytes(ARABIC_HEADERS[:5], [[datetime(2024, 3, 15), "هدى", "", "", "QLY-BENHA"]])
    preview = upload(client, content).text
    assert "2024-03-15" in preview and "T00:00:00" not in preview and "00:00:00" not in preview


def test_unknown_columns_are_listed_and_ignored(client, hr, qalyubia, db):
    text = csv_text(ENGLISH_HEADERS[:5] + ["Shoe size"], [["4001", "هدى", "Hoda", "", "QLY-BENHA", "42"]])
    preview = upload(client, text.encode(), "staff.csv")
    assert "Shoe size" in preview.text and payload_of(preview)


def test_per_row_errors_name_the_row_and_column_and_nothing_is_imported(client, hr, qalyubia, db):
    factories.UserFactory(employee_number="9001", role=Role.HR, center=qalyubia[2]["QLY-BENHA"])
    rows = [["5001", "صحيح", "", "", "QLY-BENHA", "", ""],          # row 2: fine
            ["5002", "", "", "", "QLY-BENHA", "", ""],              # 3: no Arabic name
            ["5003", "بريد", "", "not-an-email", "QLY-BENHA", "", ""],  # 4
            ["5004", "مركز", "", "", "NOPE", "", ""],               # 5: unknown center
            ["5005", "خارج", "", "", "CAI-1", "", ""],              # 6: another governorate's center
            ["5001", "مكرر", "", "", "QLY-BENHA", "", ""],          # 7: number twice
            ["9001", "موارد", "", "", "QLY-BENHA", "", ""],         # 8: an HR account
            ["5006", "حالة", "", "", "QLY-BENHA", "", "maybe"]]     # 9: unknown status
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, rows))
    assert payload_of(preview) is None  # no apply button while a row has an error
    user = db.session.get(User, hr.id)
    plan = roster.plan_roster(roster_files.read_roster("r.xlsx", xlsx_bytes(ARABIC_HEADERS, rows)), user)
    found = {(e.row, e.column, e.code) for e in plan.errors}
    assert found == {(3, "الاسم بالعربية", "required"), (4, "البريد الإلكتروني", "format"),
                     (5, "كود المركز التكنولوجي", "unknown_center"), (6, "كود المركز التكنولوجي", "center_scope"),
                     (7, "الرقم الوظيفي", "duplicate"), (8, "الرقم الوظيفي", "person_scope"),
                     (9, "الحالة", "format")}
    shown = html.unescape(preview.text)
    for error in plan.errors:
        assert f">{error.row}</td>" in preview.text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
        assert error.message in shown
    # Beside each problem, what the cell holds: HR finds it in the file without counting rows.
    assert {(e.row, e.value) for e in plan.errors} >= {(4, "not-an-email"), (5, "NOPE"), (9, "maybe"), (3, "")}
    assert '<td data-label="القيمة"><bdi>NOPE</bdi></td>' in preview.text
    assert db.session.scalar(sa.select(User).where(User.employee_number == "5001")) is None


def test_apply_checks_again_and_applies_nothing_when_the_database_changed(client, hr, qalyubia, db):
    rows = [["6001", "أول", "", "", "QLY-BENHA", "", ""], ["6002", "ثان", "", "", "QLY-BENHA", "", ""]]
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, rows))
    factories.UserFactory(username="6002", employee_number=None)  # takes the username meanwhile
    response = apply(client, payload_of(preview))
    assert response.status_code == 409
    assert db.session.scalar(sa.select(User).where(User.employee_number == "6001")) is None


def test_applying_the_same_file_twice_changes_nothing_the_second_time(client, hr, qalyubia, db, changed_ids):
    rows = [["7001", "أحمد", "Ahmed", "", "QLY-BENHA", "فني دعم", ""]]
    content = xlsx_bytes(ARABIC_HEADERS, rows)
    preview = upload(client, content)
    payload = payload_of(preview)
    apply(client, payload)
    person = db.session.scalar(sa.select(User).where(User.employee_number == "7001"))
    password_hash, titles = person.password_hash, db.session.scalar(sa.select(sa.func.count(JobTitle.id)))
    changed_ids.clear()

    again = apply(client, payload)  # the same signed preview sent twice
    assert again.status_code == 200 and slips_of(again) == {}
    second = upload(client, content)
    assert payload_of(second) is None and "الملف لا يغيّر شيئًا." in second.text
    db.session.refresh(person)
    assert person.password_hash == password_hash
    assert db.session.scalar(sa.select(sa.func.count(JobTitle.id))) == titles
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.employee_number == "7001")) == 1
    assert changed_ids == []


def test_updates_show_old_and_new_values(client, hr, qalyubia, db):
    person = factories.UserFactory(employee_number="8001", username="8001", full_name_ar="قديم",
                                   center=qalyubia[2]["QLY-BENHA"])
    client.post("/language", data={"lang": "en"})
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, [["8001", "جديد", "", "", "QLY-SHUBRA", "", ""]]))
    assert "قديم" in preview.text and "جديد" in preview.text and "QLY-SHUBRA" in preview.text
    apply(client, payload_of(preview), ticks_of(preview))  # a new name: an identity change, ticked
    db.session.refresh(person)
    assert person.full_name_ar == "جديد" and person.center.code == "QLY-SHUBRA"


def test_staff_who_left_are_deactivated_never_deleted_and_come_back_with_their_password(client, hr, qalyubia, db):
    person = factories.UserFactory(employee_number="8101", username="8101", center=qalyubia[2]["QLY-BENHA"])
    other = factories.UserFactory(employee_number="8102", center=qalyubia[2]["QLY-BENHA"])
    password_hash = person.password_hash
    db.session.add(LoginSession(token_hash="x" * 64, user_id=person.id,
                                expires_at=person.created_at.replace(year=2100)))
    db.session.commit()

    import_file(client, xlsx_bytes(ARABIC_HEADERS, [["8101", person.full_name_ar, "", "", "QLY-BENHA", "",
                                                     "ترك العمل"]]))
    db.session.refresh(person)
    assert not person.is_active and person.deactivated_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).where(LoginSession.user_id == person.id)) == 0
    assert db.session.get(User, other.id).is_active  # not in the file, not a complete file: untouched

    import_file(client, xlsx_bytes(ARABIC_HEADERS, [["8101", person.full_name_ar, "", "", "QLY-BENHA", "", "نشط"]]))
    db.session.refresh(person)
    assert person.is_active and person.deactivated_at is None and person.password_hash == password_hash


def test_a_complete_file_deactivates_the_learners_of_its_centers_missing_from_it(client, hr, qalyubia, db):
    benha, shubra = qalyubia[2]["QLY-BENHA"], qalyubia[2]["QLY-SHUBRA"]
    listed = factories.UserFactory(employee_number="8201", center=benha)
    missing = factories.UserFactory(employee_number="8202", center=benha)
    manager = factories.UserFactory(employee_number="8203", center=benha, role=Role.CENTER_MANAGER)
    elsewhere = factories.UserFactory(employee_number="8204", center=shubra)
    content = xlsx_bytes(ARABIC_HEADERS, [["8201", listed.full_name_ar, listed.full_name_latin, "", "QLY-BENHA",
                                           listed.job_title.name_ar, ""]])
    preview = upload(client, content, complete=True)
    assert missing.full_name_ar in preview.text
    apply(client, payload_of(preview))
    for user in (listed, missing, manager, elsewhere):
        db.session.refresh(user)
    assert (listed.is_active, missing.is_active, manager.is_active, elsewhere.is_active) == (True, False, True, True)


def test_hr_of_another_governorate_cannot_touch_these_staff(client, auth, qalyubia, db):
    person = factories.UserFactory(employee_number="8301", center=qalyubia[2]["QLY-BENHA"])
    auth.as_role("hr", scope_governorate_id=qalyubia[1].id, center=None)
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, [["8301", "اسم", "", "", "CAI-1", "", ""]]))
    assert payload_of(preview) is None
    db.session.refresh(person)
    assert person.center.code == "QLY-BENHA"


def test_a_center_manager_cannot_import(client, as_center_manager):
    assert client.get("/manage/staff/import").status_code == 403
    assert upload(client, b"x", "r.csv").status_code == 403


def test_a_tampered_or_borrowed_preview_is_refused(client, auth, hr, qalyubia, db):
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, [["8401", "اسم", "", "", "QLY-BENHA", "", ""]]))
    payload = payload_of(preview)
    tampered = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    assert apply(client, tampered).status_code == 400
    forged_rows = roster_files.Roster(rows=[[2, "8401", "اسم", "", "", "CAI-1", "", ""]], headers={},
                                      unknown_columns=[])
    forged = roster_files.sign_roster(forged_rows, hr.id, False, "another-secret")
    assert apply(client, forged).status_code == 400
    auth.as_role("hr", center=None)  # another HR user replays the first one's preview
    assert apply(client, payload).status_code == 400
    assert db.session.scalar(sa.select(User).where(User.employee_number == "8401")) is None


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("members", [
    {"xl/worksheets/sheet1.xml": b"\0" * (50 * 1024 * 1024)},  # 50 MB unpacked
    {"xl/worksheets/sheet1.xml": b"\0" * (3 * 1024 * 1024)},  # 3 MB of zeros: a ratio no roster has
    {f"xl/m{n}.xml": b"<a/>" for n in range(300)},  # too many members
], ids=["total", "ratio", "members"])
def test_zip_bombs_are_refused_before_reading(members, monkeypatch):
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("openpyxl must not be reached"))
    with pytest.raises(roster_files.RosterFileError):
        roster_files.read_roster("bomb.xlsx", _zip(members))


def test_limits_on_size_rows_and_columns(client, hr, qalyubia, db, monkeypatch):
    exactly = csv_text(ENGLISH_HEADERS[:5], [[str(n), "اسم", "", "", "QLY-BENHA"] for n in range(20_000)]).encode()
    assert len(roster_files.read_roster("r.csv", exactly).rows) == 20_000
    for content in (exactly + b"20000,x,,,QLY-BENHA\n", b"a" * (5 * 1024 * 1024 + 1)):
        with pytest.raises(roster_files.RosterFileError):
            roster_files.read_roster("r.csv", content)
    too_wide = xlsx_bytes(ENGLISH_HEADERS[:5] + [f"extra {n}" for n in range(40)], [["1", "اسم", "", "", "QLY-BENHA"]])
    with pytest.raises(roster_files.RosterFileError):
        roster_files.read_roster("r.xlsx", too_wide)
    # Through the page, with smaller limits (the test client leaves big request bodies' temporary files open).
    monkeypatch.setattr(roster_files, "MAX_ROWS", 10)
    monkeypatch.setattr(roster_files, "MAX_FILE_BYTES", 4000)
    eleven = csv_text(ENGLISH_HEADERS[:5], [[str(n), "اسم", "", "", "QLY-BENHA"] for n in range(11)]).encode()
    for content, name in ((eleven, "r.csv"), (b"a" * 4001, "r.csv"), (too_wide, "r.xlsx"),
                          (b"PK\x03\x04 not really a zip", "r.xlsx"), (b"\xd0\xcf\x11\xe0old", "r.xls"),
                          (csv_text(["Name"], [["x"]]).encode(), "r.csv")):
        response = upload(client, content, name)
        assert response.status_code == 400 and payload_of(response) is None, name
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.full_name_ar == "اسم")) == 0


def test_a_one_time_password_opens_nothing_but_the_password_form_until_changed(app, client, hr, qalyubia, db):
    result = import_file(client, xlsx_bytes(ARABIC_HEADERS, [["9101", "منى", "Mona", "", "QLY-BENHA", "", ""]]))
    password = slips_of(result)["9101"]
    newcomer = app.test_client()
    response = newcomer.post("/login", data={"identifier": "9101", "password": password})
    assert response.status_code == 302
    page = newcomer.get(response.headers["Location"])
    assert page.status_code == 302 and page.headers["Location"].endswith("/account/password")
    assert newcomer.get("/courses").headers["Location"].endswith("/account/password")
    assert newcomer.get("/account/password").status_code == 200
    changed = newcomer.post("/account/password", data={"current": password, "new": "my own secret 9",
                                                       "confirm": "my own secret 9"})
    assert changed.status_code == 302
    assert newcomer.get("/courses").status_code == 200
    person = db.session.scalar(sa.select(User).where(User.username == "9101"))
    db.session.refresh(person)
    assert not person.must_change_password and person.check_password("my own secret 9")


def test_the_template_has_arabic_headers_and_a_bom(client, hr):
    response = client.get("/manage/staff/import/template.csv")
    assert response.data.startswith("\ufeff".encode())
    header = response.data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["الرقم الوظيفي", "الاسم بالعربية", "الاسم بالإنجليزية"]
    # and the template's own headers are read back
    assert roster_files.read_roster("t.csv", response.data).headers["center_code"] == "كود المركز التكنولوجي"


def test_the_template_is_headed_in_english_for_an_english_reader_and_reads_back(client, hr):
    client.post("/language", data={"lang": "en", "next": "/"})
    response = client.get("/manage/staff/import/template.csv")
    header = response.data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["Employee number", "Full name in Arabic", "Full name in Latin letters"]
    read = roster_files.read_roster("t.csv", response.data).headers
    assert set(read) == set(roster_files.FIELDS)


def test_the_apostrophe_an_export_puts_before_formula_like_text_is_taken_off(app):
    # A roster edited from a CSV export kept "'-" where the export had guarded a leading "-" from spreadsheets.
    content = ("الرقم الوظيفي,الاسم بالعربية,كود المركز التكنولوجي,الاسم بالحروف اللاتينية\n"
               "'+201,علي,QLY-1,'-Ali\n'7001,منى,QLY-1,O'Neil\n").encode()
    with app.test_request_context():
        rows = roster_files.read_roster("r.csv", content).rows
    assert [row[1] for row in rows] == ["+201", "'7001"]  # only before a formula character
    assert [row[3] for row in rows] == ["-Ali", "O'Neil"]


def test_a_new_job_title_nearly_an_existing_one_is_pointed_out(client, hr, qalyubia, db):
    # "موظفة شباك خدمة" became a job title of its own, beside "موظف شباك خدمة", without a word.
    factories.JobTitleFactory()  # موظف شباك خدمة
    rows = [["20001", "فاطمة علي", "Fatma Ali", "", "QLY-BENHA", "موظفة شباك خدمة", "نشط"],
            ["20002", "سعيد حسن", "Said Hassan", "", "QLY-BENHA", "مشرف وردية", "نشط"]]
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, rows)).text
    notices = [p for p in preview.split('<p class="notice">')[1:] if "المسمى الوظيفي الحالي" in p]
    assert len(notices) == 1 and "موظفة شباك خدمة" in notices[0] and "موظف شباك خدمة" in notices[0]
