"""Applying a roster: planned and hashed before the write transaction, which checks that the database is still as
planned (refusing everything when it is not), writes in bulk, and is all-or-nothing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts import roster_apply
from lms.accounts.models import JobTitle, Role, User
from lms.accounts.roster_apply import EVERY, RosterChanged, prepare_roster, write_roster
from lms.accounts.roster_files import Roster
from lms.auth.models import LoginSession
from lms.auth.services import issue_api_token
from lms.core.models import utcnow
from lms.core.signals import staff_changed
from tests import factories
from tests.accounts.conftest import ARABIC_HEADERS, apply, payload_of, ticks_of, upload, xlsx_bytes


@pytest.fixture
def staff(db, qalyubia):
    """Someone whose name the roster changes, someone who left, and the roster: them and two newcomers."""
    benha = qalyubia[2]["QLY-BENHA"]
    renamed = factories.UserFactory(employee_number="8001", username="8001", full_name_ar="قديم", center=benha)
    leaving = factories.UserFactory(employee_number="8002", username="8002", center=benha)
    db.session.add(LoginSession(token_hash="s" * 64, user_id=leaving.id, expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    rows = [[2, "8001", "جديد", "", "", "QLY-BENHA", "", ""],
            [3, "8002", leaving.full_name_ar, "", "", "QLY-BENHA", "", "ترك العمل"],
            [4, "8003", "وافد أول", "", "", "QLY-SHUBRA", "مشرف وردية", ""],
            [5, "8004", "وافد ثان", "", "", "QLY-SHUBRA", "", ""]]
    return renamed, leaving, Roster(rows=rows, headers={}, unknown_columns=[])


def _nothing_written(db, renamed_to: str = "قديم") -> None:
    assert db.session.scalars(sa.select(User.employee_number).where(
        User.employee_number.in_(["8003", "8004"]))).all() == []
    assert db.session.scalar(sa.select(User.full_name_ar).where(User.employee_number == "8001")) == renamed_to
    assert db.session.scalar(sa.select(User.is_active).where(User.employee_number == "8002")) is True
    assert db.session.scalar(sa.select(JobTitle).where(JobTitle.name_ar == "مشرف وردية")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                             .where(LoginSession.token_hash == "s" * 64)) == 1


def test_everything_is_written_in_one_go(db, hr, staff):
    renamed, leaving, roster = staff
    result = write_roster(prepare_roster(roster, hr.id, confirmed=EVERY))
    assert (len(result.created), result.updated, result.deactivated) == (2, [renamed.id], [leaving.id])
    newcomer = db.session.scalar(sa.select(User).where(User.employee_number == "8003"))
    assert newcomer.job_title.name_ar == "مشرف وردية" and newcomer.role == Role.LEARNER
    assert newcomer.must_change_password
    assert newcomer.check_password(next(s.password for s in result.slips if s.username == "8003"))
    assert newcomer.search_key  # written by the bulk INSERT, which the ORM's events never see
    db.session.refresh(renamed)
    db.session.refresh(leaving)
    assert renamed.full_name_ar == "جديد" and "جديد" in renamed.search_key
    assert not leaving.is_active and leaving.deactivated_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)
                             .where(LoginSession.user_id == leaving.id)) == 0


def test_a_failure_inside_the_write_transaction_leaves_nothing_written(db, hr, staff):
    def enrolment_breaks(_user_ids, **_kwargs):
        raise RuntimeError("enrolment failed")

    prepared = prepare_roster(staff[2], hr.id)
    staff_changed.connect(enrolment_breaks)  # the last step: after every insert, update and deactivation
    try:
        with pytest.raises(RuntimeError):
            write_roster(prepared)
    finally:
        staff_changed.disconnect(enrolment_breaks)
    _nothing_written(db)


def _take_a_username(db, qalyubia, staff):
    factories.UserFactory(username="8004", employee_number=None)


def _rename(db, qalyubia, staff):
    staff[0].full_name_ar = "اسم ثالث"


def _move_out_of_scope(db, qalyubia, staff):
    staff[1].center = qalyubia[2]["CAI-1"]


def _narrow_the_uploaders_scope(db, qalyubia, staff):
    db.session.scalar(sa.select(User).where(User.role == Role.HR)).scope_governorate_id = qalyubia[1].id


def _move_a_center(db, qalyubia, staff):
    qalyubia[2]["QLY-SHUBRA"].governorate = qalyubia[1]


@pytest.mark.parametrize("change", [_take_a_username, _rename, _move_out_of_scope, _narrow_the_uploaders_scope,
                                    _move_a_center])
def test_nothing_is_written_when_the_database_changed_after_the_plan(db, hr, qalyubia, staff, change):
    prepared = prepare_roster(staff[2], hr.id, confirmed=EVERY)
    change(db, qalyubia, staff)
    db.session.commit()
    with pytest.raises(RosterChanged):
        write_roster(prepared)
    _nothing_written(db, "اسم ثالث" if change is _rename else "قديم")


def test_a_username_taken_between_the_check_and_the_insert_is_refused_too(db, hr, staff, monkeypatch):
    """PostgreSQL's race: another transaction commits the same username after the check; the unique index says so."""
    prepared = prepare_roster(staff[2], hr.id)
    monkeypatch.setattr(roster_apply, "_check_as_planned", lambda _prepared: None)
    factories.UserFactory(username="8003", employee_number=None)
    db.session.commit()
    with pytest.raises(RosterChanged):
        write_roster(prepared)
    _nothing_written(db)


def _statements_of_a_write(db, hr, qalyubia, people: int) -> int:
    benha = qalyubia[2]["QLY-BENHA"]
    rows = []
    for n in range(people):
        factories.UserFactory(employee_number=f"U{people}-{n}", username=f"u{people}-{n}", center=benha)
        factories.UserFactory(employee_number=f"L{people}-{n}", username=f"l{people}-{n}", center=benha)
        rows += [[len(rows) + 2, f"U{people}-{n}", f"اسم جديد {n}", "", "", "QLY-SHUBRA", "", ""],
                 [len(rows) + 3, f"L{people}-{n}", "غادر", "", "", "QLY-BENHA", "", "ترك العمل"],
                 [len(rows) + 4, f"N{people}-{n}", f"وافد {n}", "", "", "QLY-BENHA", "", ""]]
    db.session.commit()
    prepared = prepare_roster(Roster(rows=rows, headers={}, unknown_columns=[]), hr.id, confirmed=EVERY)
    statements = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        write_roster(prepared)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def test_the_write_takes_as_many_statements_for_many_people_as_for_a_few(db, hr, qalyubia):
    assert _statements_of_a_write(db, hr, qalyubia, 3) == _statements_of_a_write(db, hr, qalyubia, 60)


def test_the_page_offers_the_new_preview_when_the_staff_changed_while_applying(client, hr, staff, db, monkeypatch):
    renamed = staff[0]
    preview = upload(client, xlsx_bytes(ARABIC_HEADERS, [["8001", "جديد", "", "", "QLY-BENHA", "", ""]]))

    def prepared_then_renamed(*args, **kwargs):
        prepared = prepare_roster(*args, **kwargs)
        db.session.execute(sa.update(User).where(User.id == renamed.id).values(full_name_ar="اسم ثالث"))
        db.session.commit()
        return prepared

    monkeypatch.setattr(roster_apply, "prepare_roster", prepared_then_renamed)
    response = apply(client, payload_of(preview), ticks_of(preview))
    assert response.status_code == 409
    assert "عدّل مستخدم آخر بيانات بعض هؤلاء الموظفين" in response.text
    assert "اسم ثالث" in response.text and payload_of(response)  # the new preview, ready to apply
    assert db.session.scalar(sa.select(User.full_name_ar).where(User.id == renamed.id)) == "اسم ثالث"


def test_the_staff_api_answers_409_when_the_person_changed_while_applying(client, hr, staff, db, monkeypatch):
    token, _record = issue_api_token(hr, timedelta(days=1))

    def changed_meanwhile(_prepared):
        raise RosterChanged()

    monkeypatch.setattr(roster_apply, "_check_as_planned", changed_meanwhile)
    response = client.put("/api/v1/staff/8001", json={"full_name_ar": "جديد", "center_code": "QLY-BENHA",
                                                       "confirm_identity_change": True},
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 409 and response.json["error"]["code"] == "conflict"
    assert db.session.scalar(sa.select(User.full_name_ar).where(User.employee_number == "8001")) == "قديم"
