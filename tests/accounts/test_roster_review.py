"""Review of issue 5's roster import: a tiny sheet that declares a million rows, and job title codes."""
import io
import tracemalloc

import openpyxl
import sqlalchemy as sa

from lms.accounts import roster, roster_files, services
from lms.accounts.models import JobTitle
from lms.core.db import begin_write
from tests import factories
from tests.accounts.conftest import ENGLISH_HEADERS, import_file, xlsx_bytes


def test_a_small_sheet_whose_last_cell_is_far_below_is_read_in_little_memory():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(ENGLISH_HEADERS[:5])
    sheet.append(["1", "منى", "", "", "QLY-BENHA"])
    sheet.cell(row=300_000, column=2, value=" ")  # a blank cell far below: a row element, and every row above
    out = io.BytesIO()
    workbook.save(out)
    content = out.getvalue()
    assert len(content) < 10_000  # no zip bomb: the zip checks let it through
    tracemalloc.start()
    try:
        parsed = roster_files.read_roster("r.xlsx", content)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [row[:2] for row in parsed.rows] == [[2, "1"]]
    assert peak < 30 * 1024 * 1024  # it was over 100 MB: a list of 41 empty cells for each row above


def test_row_numbers_still_count_blank_rows(client, hr, qalyubia, db):
    content = xlsx_bytes(ENGLISH_HEADERS[:5], [["1", "منى", "", "", "QLY-BENHA"], [], [], ["2", "", "", "", "X"]])
    plan = roster.plan_roster(roster_files.read_roster("r.xlsx", content), hr)
    assert {e.row for e in plan.errors} == {5}


def test_a_new_job_title_never_takes_a_code_hr_typed(client, hr, qalyubia, db):
    existing = db.session.scalar(sa.select(sa.func.count(JobTitle.id)))
    typed = [f"JOB-{existing + 2}", f"JOB-{existing + 3}"]  # the codes the count would give next
    for code in typed:
        factories.JobTitleFactory(code=code)
    begin_write()
    title = services.job_title_named("أخصائي جودة")
    db.session.commit()
    assert title.code not in typed
    before = db.session.scalar(sa.select(sa.func.count(JobTitle.id)))
    page = import_file(client, xlsx_bytes(ENGLISH_HEADERS, [["77", "منى", "", "", "QLY-BENHA", "مراجع", ""]]))
    assert page.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(JobTitle.id))) == before + 1
