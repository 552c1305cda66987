"""A roster preview that cannot mislead: every change reads the same way in Arabic and English, and a row that
renames someone or touches an account holding a role beyond learner (the employee number may be someone else's)
is applied only when its own tick says so; the rest of the roster is applied without it."""
import re

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_babel import force_locale

from lms.accounts import roster_apply
from lms.accounts.models import JobTitle, Role, RosterImport, User
from lms.accounts.roster import plan_roster
from lms.accounts.roster_files import Roster
from tests import factories
from tests.accounts.conftest import ARABIC_HEADERS, apply, payload_of, ticks_of, upload, xlsx_bytes


@pytest.fixture
def people(db, qalyubia):
    """A learner whose e-mail changes, one who gets an e-mail, and the trainer whose number a row takes over."""
    benha = qalyubia[2]["QLY-BENHA"]
    sara = factories.UserFactory(employee_number="5001", username="5001", full_name_ar="سارة محمد",
                                 full_name_latin="Sara Mohamed", email="sara@example.org", center=benha)
    noha = factories.UserFactory(employee_number="5002", username="5002", full_name_ar="نهى علي",
                                 full_name_latin="Noha Ali", email=None, center=benha)
    title = factories.JobTitleFactory(code="TRAINER", name_ar="مدرب", name_en="Trainer")
    trainer = factories.UserFactory(employee_number="5003", username="5003", role=Role.TRAINER,
                                    full_name_ar="المدرب التجريبي", full_name_latin="Demo Trainer", center=benha,
                                    job_title=title)
    db.session.commit()
    return sara, noha, trainer


ROWS = [["5001", "سارة محمد", "Sara Mohamed", "sara.m@example.org", "QLY-BENHA", "", ""],
        ["5002", "نهى علي", "Noha Ali", "noha@example.org", "QLY-BENHA", "", ""],
        ["5003", "شخص آخر", "Someone Else", "", "QLY-SHUBRA", "موظف شباك خدمة", ""],  # the takeover
        ["5004", "وافد جديد", "", "", "QLY-BENHA", "", ""]]


def _preview(client, rows=ROWS, lang="ar"):
    client.post("/language", data={"lang": lang})
    page = upload(client, xlsx_bytes(ARABIC_HEADERS, rows))
    assert page.status_code == 200, page.text
    return page


def _text(page) -> str:
    return re.sub(r"\s+", " ", page.text)


def _unchanged(db, trainer) -> None:
    db.session.refresh(trainer)
    assert (trainer.full_name_ar, trainer.center.code, trainer.job_title.name_ar, trainer.role) == (
        "المدرب التجريبي", "QLY-BENHA", "مدرب", Role.TRAINER)


# ---------------------------------------------------------------- how changes read


def _ltr(text: str) -> str:
    """An e-mail address or a code, isolated and left to right whatever the page's direction."""
    return f'<bdi dir="ltr" class="text-value">{text}</bdi>'


@pytest.mark.parametrize(("lang", "changed", "added"), [
    ("en", f"E-mail: from {_ltr('sara@example.org')} to {_ltr('sara.m@example.org')}",
     f"added: {_ltr('noha@example.org')}"),
    ("ar", f"من {_ltr('sara@example.org')} إلى {_ltr('sara.m@example.org')}", f"أُضيف: {_ltr('noha@example.org')}"),
])
def test_a_change_reads_from_old_to_new_and_a_new_value_as_an_addition(client, hr, people, lang, changed, added):
    text = _text(_preview(client, lang=lang))
    if lang == "en":
        changed = changed.replace("E-mail", re.search(r'data-field="email">([^:<]+):', text).group(1))
    assert changed in text and added in text
    assert text.index("sara@example.org") < text.index("sara.m@example.org")  # the old value first, in both
    assert "→" not in text and "<bdi>—</bdi>" not in text  # no arrow to or from a dash


@pytest.mark.parametrize(("lang", "removed", "status"), [
    ("en", f"removed: {_ltr('old@example.org')}", "from <bdi>left</bdi> to <bdi>active</bdi>"),
    ("ar", f"حُذف: {_ltr('old@example.org')}", "من <bdi>ترك العمل</bdi> إلى <bdi>نشط</bdi>"),
])
def test_a_removed_value_reads_as_a_removal(app, lang, removed, status):
    """No roster row empties a field today (an empty cell keeps the value), but the one presentation says so."""
    source = ('{% from "accounts/staff/_roster_changes.html" import change %}'
              '{{ change("E-mail", "email", "old@example.org", "") }}|'
              '{{ change("Status", "status", "left", "active") }}')
    with app.test_request_context(), force_locale(lang):
        html = render_template_string(source)
    assert removed in html and status in html


# ---------------------------------------------------------------- which rows are identity changes


def test_a_new_name_or_an_account_beyond_learner_is_an_identity_change(db, hr, people):
    sara, noha, trainer = people
    rows = [[2, "5001", "سارة محمود", "", "", "QLY-BENHA", "", ""],  # a new Arabic name
            [3, "5002", "نهى علي", "Noha Aly", "", "QLY-BENHA", "", ""],  # a new Latin name
            [4, "5003", "المدرب التجريبي", "", "trainer@example.org", "QLY-BENHA", "", ""]]  # a trainer's e-mail
    plan = plan_roster(Roster(rows=rows, headers={}, unknown_columns=[]), hr)
    assert plan.to_update == []
    assert [(e.row, e.identity) for e in plan.identity_changes] == [(2, ["name"]), (3, ["name"]), (4, ["role"])]
    assert all(e.token.startswith(f"{e.row}-") for e in plan.identity_changes)


def test_a_learners_move_or_a_first_latin_name_is_not_an_identity_change(db, hr, qalyubia):
    benha = qalyubia[2]["QLY-BENHA"]
    factories.UserFactory(employee_number="5101", full_name_ar="منى", full_name_latin="منى", center=benha)
    factories.UserFactory(employee_number="5102", full_name_ar="هبة", full_name_latin="Heba", center=benha)
    rows = [[2, "5101", "منى", "Mona", "", "QLY-BENHA", "", ""],  # the Arabic name stood in for the Latin one
            [3, "5102", "هبة", "", "", "QLY-SHUBRA", "", "ترك العمل"]]
    plan = plan_roster(Roster(rows=rows, headers={}, unknown_columns=[]), hr)
    assert plan.identity_changes == [] and len(plan.to_update) == 1 and len(plan.to_deactivate) == 1


# ---------------------------------------------------------------- the preview and its ticks


@pytest.mark.parametrize(("lang", "says"), [
    ("en", "1 identity change will be skipped unless you tick it."),
    ("ar", "عدد تغييرات الهوية التي سيتم تخطيها ما لم تحددها: ١."),
])
def test_the_preview_flags_the_takeover_and_says_it_will_be_skipped(client, hr, people, lang, says):
    page = _preview(client, lang=lang)
    text = _text(page)
    assert says in text
    flagged = re.search(r'<li class="card roster-person identity-change" id="identity-4">(.*?)</label>', page.text,
                        re.S)
    assert flagged, "row 4 is not flagged"
    body = re.sub(r"\s+", " ", flagged.group(1))
    assert ("The name changes" if lang == "en" else "يتغير الاسم") in body
    assert ("“Trainer”" if lang == "en" else "«المدرب»") in body
    assert re.search(r'<label class="check identity-tick"><input type="checkbox" name="confirm" value="4-[0-9a-f]+">'
                     r'\s*\S', flagged.group(1))  # a labelled tick, not ticked
    assert len(ticks_of(page)) == 1


def test_an_unticked_identity_change_is_skipped_and_the_rest_applied(client, hr, people, db):
    sara, noha, trainer = people
    page = _preview(client, lang="en")
    result = apply(client, payload_of(page))
    assert result.status_code == 200
    _unchanged(db, trainer)
    db.session.refresh(sara)
    db.session.refresh(noha)
    assert (sara.email, noha.email) == ("sara.m@example.org", "noha@example.org")
    assert db.session.scalar(sa.select(User.id).where(User.employee_number == "5004")) is not None
    skipped = re.search(r'<table class="roster-skipped[^"]*">.*?</table>', result.text, re.S).group(0)
    assert "<bdi>5003</bdi>" in skipped and "<bdi>5001</bdi>" not in skipped


def test_a_ticked_identity_change_is_applied(client, hr, people, db):
    trainer = people[2]
    page = _preview(client)
    assert apply(client, payload_of(page), ticks_of(page)).status_code == 200
    db.session.refresh(trainer)
    assert (trainer.full_name_ar, trainer.center.code) == ("شخص آخر", "QLY-SHUBRA")


@pytest.mark.parametrize("ticks", [["2-0123456789abcdef"], ["nonsense", "x" * 39, "-", "99-ab"], ["5-" + "0" * 16]])
def test_a_tick_that_names_no_identity_change_applies_none(client, hr, people, db, ticks):
    page = _preview(client)
    response = apply(client, payload_of(page), ticks)
    assert response.status_code == 200
    _unchanged(db, people[2])
    assert db.session.scalar(sa.select(User.email).where(User.employee_number == "5001")) == "sara.m@example.org"


@pytest.mark.parametrize("forge", [lambda t: t[:-1] + ("0" if t[-1] != "0" else "1"), lambda t: "4", lambda t: "4-"])
def test_a_tick_for_another_change_of_the_row_refuses_everything(client, hr, people, db, forge):
    """A tick confirms the change it was shown: forged, or the person changed since the preview, nothing is written
    and the new preview is offered."""
    page = _preview(client)
    [tick] = ticks_of(page)
    response = apply(client, payload_of(page), [forge(tick)])
    assert response.status_code == 409 and payload_of(response)
    _unchanged(db, people[2])
    assert db.session.scalar(sa.select(User.email).where(User.employee_number == "5001")) == "sara@example.org"


def test_a_person_who_became_a_role_holder_since_the_preview_is_not_changed(client, hr, people, db):
    sara = people[0]
    page = _preview(client)
    sara.role = Role.CENTER_MANAGER
    db.session.commit()
    assert apply(client, payload_of(page), ticks_of(page)).status_code == 200
    db.session.refresh(sara)
    assert sara.email == "sara@example.org"  # now an identity change, and nobody ticked it


def test_the_tick_is_refused_when_the_person_changed_since_the_preview(client, hr, people, db):
    trainer = people[2]
    page = _preview(client)
    trainer.full_name_latin = "Demo Trainer (renamed meanwhile)"
    db.session.commit()
    response = apply(client, payload_of(page), ticks_of(page))
    assert response.status_code == 409
    db.session.refresh(trainer)
    assert trainer.full_name_ar == "المدرب التجريبي"
    new_ticks = ticks_of(response)
    assert len(new_ticks) == 1 and new_ticks != ticks_of(page)
    assert apply(client, payload_of(response), new_ticks).status_code == 200
    db.session.refresh(trainer)
    assert trainer.full_name_ar == "شخص آخر"


# ---------------------------------------------------------------- background jobs


@pytest.fixture
def small_jobs(app, monkeypatch):
    monkeypatch.setitem(app.config, "LMS_ROSTER_JOB_ROWS", 2)


def test_a_job_skips_the_identity_changes_not_ticked(client, hr, people, db, small_jobs):
    page = _preview(client, lang="en")
    applied = apply(client, payload_of(page))
    assert applied.status_code == 302
    job = db.session.scalar(sa.select(RosterImport).order_by(RosterImport.id.desc()))
    assert (job.status, job.updated, job.created) == ("done", 2, 1)
    assert [row[:2] for row in job.skipped] == [[4, "5003"]] and job.skipped[0][2] == ["name", "role"]
    _unchanged(db, people[2])
    shown = client.get(applied.headers["Location"])
    assert '<table class="roster-skipped stack-table">' in shown.text and "<bdi>5003</bdi>" in shown.text


def test_a_job_applies_the_identity_changes_ticked(client, hr, people, db, small_jobs):
    page = _preview(client)
    assert apply(client, payload_of(page), ticks_of(page)).status_code == 302
    job = db.session.scalar(sa.select(RosterImport).order_by(RosterImport.id.desc()))
    assert (job.status, job.updated, job.skipped) == ("done", 3, [])
    trainer = db.session.get(User, people[2].id, populate_existing=True)
    assert trainer.full_name_ar == "شخص آخر"
    assert trainer.job_title_id == db.session.scalar(sa.select(JobTitle.id).where(JobTitle.name_ar == "موظف شباك خدمة"))


def test_a_job_whose_ticked_person_changed_since_the_preview_writes_nothing(client, hr, people, db, small_jobs):
    page = _preview(client)
    people[2].full_name_latin = "Changed meanwhile"
    db.session.commit()
    assert apply(client, payload_of(page), ticks_of(page)).status_code == 302
    job = db.session.scalar(sa.select(RosterImport).order_by(RosterImport.id.desc()))
    assert job.status == "refused" and job.problems == []
    assert db.session.scalar(sa.select(User.email).where(User.employee_number == "5001")) == "sara@example.org"


def test_prepare_roster_skips_or_applies_as_told(db, hr, people):
    rows = [[2, "5003", "شخص آخر", "", "", "QLY-BENHA", "", ""]]
    roster = Roster(rows=rows, headers={}, unknown_columns=[])
    skipped = roster_apply.prepare_roster(roster, hr.id)
    assert (skipped.updates, [s.reasons for s in skipped.skipped]) == ([], [["name", "role"]])
    assert [u["id"] for u in roster_apply.prepare_roster(roster, hr.id, confirmed=roster_apply.EVERY).updates] == [
        people[2].id]


def test_the_new_preview_after_a_refused_write_keeps_the_ticks(client, hr, people, db, monkeypatch):
    def changed_meanwhile(_prepared):
        raise roster_apply.RosterChanged()

    page = _preview(client)
    monkeypatch.setattr(roster_apply, "_check_as_planned", changed_meanwhile)
    response = apply(client, payload_of(page), ticks_of(page))
    assert response.status_code == 409
    assert re.search(r'name="confirm" value="4-[0-9a-f]+" checked>', response.text)
    _unchanged(db, people[2])
