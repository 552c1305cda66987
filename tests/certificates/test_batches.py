"""Bulk printing: a batch of the certificates a search found, rendered by a job into one PDF, then logged as
printed (reprints as duplicates) and handed over; and the same from the command line."""
import subprocess
import unicodedata
from datetime import UTC, timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.scope import Scope
from lms.certificates import batches
from lms.certificates import pdf as pdf_module
from lms.certificates.codes import grouped
from lms.certificates.models import Certificate, CertificateEvent, PrintBatch, PrintBatchItem
from lms.certificates.printroom import CertificateFilter
from lms.certificates.signing.payload import qr_content
from lms.core.db import begin_write
from lms.core.localtime import local_date
from lms.core.models import ValidationError, utcnow
from lms.daily import run_daily
from tests import factories
from tests.certificates.conftest import complete, watermark_text


def _issue(db, course, **user) -> Certificate:
    learner = factories.UserFactory(**user)
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return unicodedata.normalize("NFKC", "".join(ch for ch in out if unicodedata.category(ch) != "Cf"))


def _pages(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def center_certificates(db, course):
    center = factories.CenterFactory()
    names = ["سامح نبيل", "أمل فاروق", "بسمة راغب"]
    return center, [_issue(db, course, center=center, full_name_ar=name) for name in names]


def test_hr_prints_a_centers_certificates_in_one_pdf(auth, client, db, center_certificates):
    center, certificates = center_certificates
    revoked = _issue(db, factories.CourseFactory(modules=1), center=center, full_name_ar="ملغاة")
    revoked.revoked_at = revoked.issued_at
    db.session.commit()
    auth.as_role("hr")
    response = client.post(f"/manage/certificates/batches?center={center.code}", data={"language": "ar"})
    assert response.status_code == 302
    batch = db.session.scalar(sa.select(PrintBatch))
    assert response.location.endswith(f"/manage/certificates/batches/{batch.id}")
    assert batch.status == "done" and batch.total == 3 and batch.percent == 100  # the job ran at once in tests
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "http-equiv" not in page and f"/manage/certificates/batches/{batch.id}.pdf" in page
    pdf = client.get(f"/manage/certificates/batches/{batch.id}.pdf").data
    assert _pages(pdf) == 3
    text = _text(pdf)
    order = sorted(certificates, key=lambda c: c.name_ar)  # print order: center, then name
    positions = [text.index(c.name_ar) for c in order]
    assert positions == sorted(positions) and "ملغاة" not in text and "نسخة بدل فاقد" not in text


def test_a_certificate_printed_before_is_stamped_and_logged_as_a_duplicate(db, center_certificates):
    center, certificates = center_certificates
    first = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "first")
    batches.mark_printed(first.id, None)
    newcomer = _issue(db, factories.CourseFactory(modules=1), center=center, full_name_ar="زائر جديد")
    second = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "second")
    items = {i.certificate_id: i.duplicate for i in db.session.scalars(
        sa.select(PrintBatchItem).where(PrintBatchItem.batch_id == second.id))}
    assert items == {**{c.id: True for c in certificates}, newcomer.id: False}
    text = _text(batches.batch_pdf(second.id))
    assert text.count("نسخة بدل فاقد") == 3
    batches.mark_printed(second.id, None)
    actions = db.session.execute(sa.select(CertificateEvent.certificate_id, CertificateEvent.action)
                                 .where(CertificateEvent.action.in_(("print", "reprint")))).all()
    assert sorted(a for cid, a in actions if cid == certificates[0].id) == ["print", "reprint"]
    assert [a for cid, a in actions if cid == newcomer.id] == ["print"]


def _handover(client, batch, center, recipient, on):
    prefix = f"center-{center.id if center else 0}"
    return client.post(f"/manage/certificates/batches/{batch.id}/centers/{center.id if center else 0}/handover",
                       data={f"{prefix}-recipient": recipient, f"{prefix}-handed_over_on": on.isoformat()})


def test_hand_over_comes_after_printing_and_is_logged(auth, client, db, center_certificates):
    center, certificates = center_certificates
    batch = batches.create_batch(CertificateFilter(center_code=center.code), "both", None, "x")
    auth.as_role("hr")
    today = local_date(utcnow())
    early = _handover(client, batch, center, "مدير المركز", today)
    assert early.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).where(PrintBatchItem.handed_over_at.is_not(None))) == 0
    client.post(f"/manage/certificates/batches/{batch.id}/printed")
    blank = _handover(client, batch, center, " ", today)
    assert blank.status_code == 400 and "center-" in blank.get_data(as_text=True)
    done = _handover(client, batch, center, "مدير المركز", today)
    assert done.status_code == 302
    db.session.expire_all()
    assert {c.handed_over_to for c in db.session.scalars(sa.select(Certificate))} == {"مدير المركز"}
    events = db.session.scalars(sa.select(CertificateEvent).where(CertificateEvent.action == "handover")).all()
    assert len(events) == 3 and events[0].details["to"] == "مدير المركز"
    log = client.get("/manage/certificates/batches").get_data(as_text=True)
    assert "مدير المركز" in log
    again = _handover(client, batch, center, "شخص آخر", today)  # nothing of this center waits any more
    assert again.status_code == 400 and "لا توجد شهادة" in again.get_data(as_text=True)


def test_the_hand_over_message_keeps_the_name_as_typed(auth, client, db, center_certificates):
    # The whole sentence went through the digits filter: "a name." ended in the decimal separator "٫".
    center, _certificates = center_certificates
    batch = batches.create_batch(CertificateFilter(center_code=center.code), "both", None, "x")
    auth.as_role("hr")
    client.post(f"/manage/certificates/batches/{batch.id}/printed")
    done = _handover(client, batch, center, "م. سمر - مديرة المركز 2", local_date(utcnow()))
    told = client.get(done.location).get_data(as_text=True)
    assert "سُجّل تسليم ٣ شهادات إلى \u2068م. سمر - مديرة المركز 2\u2069." in told


@pytest.fixture
def two_center_batch(db, course, center_certificates):
    """A printed batch of three certificates of one center and two of another (same governorate)."""
    center, certificates = center_certificates
    other = factories.CenterFactory(governorate=center.governorate, name_ar="المركز التكنولوجي بطوخ")
    others = [_issue(db, course, center=other, full_name_ar=name) for name in ("رشا حلمي", "كريم صبحي")]
    batch = batches.create_batch(CertificateFilter(), "ar", None, "both centers")
    batches.mark_printed(batch.id, None)
    return batch, (center, certificates), (other, others)


def test_each_centers_certificates_are_handed_over_apart(auth, client, db, two_center_batch):
    batch, (center, certificates), (other, others) = two_center_batch
    auth.as_role("hr")
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "سلّم الشهادات الـ٣" in page and "سلّم الشهادتين" in page
    response = _handover(client, batch, other, "مدير مركز طوخ", local_date(utcnow()))
    assert response.status_code == 302
    db.session.expire_all()
    handed = {i.certificate_id: i.handed_over_to for i in db.session.scalars(
        sa.select(PrintBatchItem).where(PrintBatchItem.batch_id == batch.id))}
    assert handed == {**{c.id: None for c in certificates}, **{c.id: "مدير مركز طوخ" for c in others}}
    shares = {s.center.id: s for s in batches.batch_centers(batch.id, Scope())}
    assert (shares[other.id].handed, shares[other.id].waiting) == (2, 0)
    assert (shares[center.id].handed, shares[center.id].waiting) == (0, 3)
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert f'action="/manage/certificates/batches/{batch.id}/centers/{other.id}/handover"' not in page
    assert f'action="/manage/certificates/batches/{batch.id}/centers/{center.id}/handover"' in page
    log = client.get("/manage/certificates/batches").get_data(as_text=True)
    assert "مدير مركز طوخ" in log and "في الانتظار: ٣" in log
    shown = client.get(f"/manage/certificates/{others[0].id}").get_data(as_text=True)
    assert "مدير مركز طوخ" in shown
    waiting = client.get(f"/manage/certificates/{certificates[0].id}").get_data(as_text=True)
    assert "في انتظار التسليم" in waiting


def test_a_hand_over_on_an_earlier_day_keeps_that_day(db, two_center_batch):
    batch, (center, certificates), _other = two_center_batch
    now = utcnow()
    batch.printed_at = now - timedelta(days=5)
    db.session.commit()
    count = batches.hand_over(batch.id, center.id, "أمين المخزن", local_date(now) - timedelta(days=2), None, now=now)
    assert count == 3
    item = db.session.scalar(sa.select(PrintBatchItem).where(PrintBatchItem.certificate_id == certificates[0].id))
    assert local_date(item.handed_over_at) == local_date(now) - timedelta(days=2)


@pytest.mark.parametrize(("days", "message"), [(1, "المستقبل"), (-1, "تاريخ طباعة الدفعة")])
def test_a_hand_over_date_outside_print_and_today_is_refused_and_the_form_keeps_the_name(
        auth, client, db, two_center_batch, days, message):
    batch, (center, _certificates), _other = two_center_batch
    auth.as_role("hr")
    response = _handover(client, batch, center, "اسم مكتوب", local_date(batch.printed_at) + timedelta(days=days))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and 'value="اسم مكتوب"' in page
    assert db.session.scalar(sa.select(sa.func.count()).where(PrintBatchItem.handed_over_at.is_not(None))) == 0


def test_a_bad_hand_over_date_or_center_is_a_400_not_a_500(auth, client, db, two_center_batch):
    batch, (center, _certificates), _other = two_center_batch
    auth.as_role("hr")
    prefix = f"center-{center.id}"
    bad = client.post(f"/manage/certificates/batches/{batch.id}/centers/{center.id}/handover",
                      data={f"{prefix}-recipient": "س", f"{prefix}-handed_over_on": "2026-13-45"})
    assert bad.status_code == 400
    nobody = client.post(f"/manage/certificates/batches/{batch.id}/centers/999999/handover",
                         data={"center-999999-recipient": "س", "center-999999-handed_over_on": "2026-01-01"})
    assert nobody.status_code == 400


def test_only_the_viewers_holders_are_handed_over_and_counted(db, two_center_batch):
    batch, (center, _certificates), (other, _others) = two_center_batch
    elsewhere = Scope(center_id=other.id)
    with pytest.raises(ValidationError):
        batches.hand_over(batch.id, center.id, "س", local_date(utcnow()), None, scope=elsewhere)
    assert [s.center.id for s in batches.batch_centers(batch.id, elsewhere)] == [other.id]
    assert batches.hand_over_summaries([batch.id], elsewhere)[batch.id].total == 2


def test_a_certificate_revoked_after_printing_is_kept_back(auth, client, db, two_center_batch):
    batch, (center, certificates), _other = two_center_batch
    db.session.get(Certificate, certificates[0].id).revoked_at = utcnow()  # the batch's commits detached it
    db.session.commit()
    share = next(s for s in batches.batch_centers(batch.id, Scope()) if s.center.id == center.id)
    assert (share.total, share.withheld, share.waiting) == (3, 1, 2)
    assert batches.hand_over(batch.id, center.id, "س", local_date(utcnow()), None) == 2
    db.session.expire_all()
    assert db.session.get(Certificate, certificates[0].id).handed_over_at is None


def test_a_batch_whose_rendering_fails_says_so(auth, client, db, center_certificates, monkeypatch):
    center, _certificates = center_certificates

    def broken(*_args, **_kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(batches, "render_many", broken)
    batch = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "x")
    db.session.expire_all()
    assert db.session.get(PrintBatch, batch.id).status == "failed"
    auth.as_role("hr")
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "تعذّر تجهيز ملف PDF" in page
    assert client.get(f"/manage/certificates/batches/{batch.id}.pdf").status_code == 404


def test_a_running_batch_shows_its_progress_and_refreshes(auth, client, db, center_certificates):
    center, _certificates = center_certificates
    batch = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "x", queue=False)
    batch.total, batch.done, batch.status = 40, 10, "running"
    db.session.commit()
    auth.as_role("hr")
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in page and 'aria-valuenow="25"' in page


def test_the_daily_run_marks_a_batch_whose_job_was_lost_failed(auth, client, db, center_certificates):
    center, _certificates = center_certificates
    lost = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "x", queue=False)
    lost.status = "running"
    fresh = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "y", queue=False)
    db.session.commit()
    run_daily(lost.created_at + timedelta(hours=3))
    db.session.expire_all()
    assert db.session.get(PrintBatch, lost.id).status == "failed"
    assert db.session.get(PrintBatch, fresh.id).status == "failed"  # queued as long: its job is lost too
    newer = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "z", queue=False)
    run_daily(newer.created_at + timedelta(minutes=30))
    db.session.expire_all()
    assert db.session.get(PrintBatch, newer.id).status == "queued"
    auth.as_role("hr")
    page = client.get(f"/manage/certificates/batches/{lost.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page


def _running(db, center, heartbeat_at, runs=1) -> PrintBatch:
    """A batch whose job started (run `runs`) and last renewed its lease at `heartbeat_at`."""
    batch = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "x", queue=False)
    batch.status, batch.runs, batch.heartbeat_at, batch.done = "running", runs, heartbeat_at, 2
    db.session.commit()
    return batch


def _page(client, batch) -> str:
    return client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)


def _status(db, batch) -> str:
    db.session.expire_all()
    return db.session.get(PrintBatch, batch.id).status


def test_a_batch_whose_worker_stopped_starts_again_once_then_fails(app, auth, client, db, center_certificates):
    center, _certificates = center_certificates
    auth.as_role("hr")
    beat = utcnow() - timedelta(hours=1)  # the service is told the time: no waiting in tests
    lease = timedelta(seconds=app.config["LMS_PRINT_LEASE_SECONDS"])
    batch = _running(db, center, beat)
    assert batches.reclaim_stalled_batches(now=beat + lease - timedelta(seconds=1), queue=False) == []
    assert _status(db, batch) == "running"  # its lease holds: left alone
    assert batches.reclaim_stalled_batches(now=beat + lease + timedelta(seconds=1), queue=False) == [batch.id]
    assert _status(db, batch) == "queued"
    assert "خدمة المهام الخلفية توقفت، وقد بدأت الطباعة من جديد" in _page(client, batch)
    # The second run's worker stops too: failed, and the page says to start a new batch.
    batch.status, batch.runs, batch.heartbeat_at = "running", 2, beat
    db.session.commit()
    assert batches.reclaim_stalled_batches(now=beat + lease + timedelta(seconds=1), queue=False) == []
    assert _status(db, batch) == "failed"
    page = _page(client, batch)
    assert "ابدأ دفعة طباعة جديدة" in page and 'http-equiv="refresh"' not in page


def test_a_batch_started_again_is_rendered_by_its_job(db, center_certificates):
    center, _certificates = center_certificates
    batch = _running(db, center, utcnow() - timedelta(minutes=10))
    assert batches.reclaim_stalled_batches() == [batch.id]  # the job runs at once in tests
    db.session.expire_all()
    done = db.session.get(PrintBatch, batch.id)
    assert done.status == "done" and done.runs == 2 and _pages(batches.batch_pdf(batch.id)) == 3


def test_a_running_batch_renews_its_lease_and_a_run_that_lost_it_writes_nothing(db, center_certificates,
                                                                                   monkeypatch):
    center, _certificates = center_certificates
    batch = batches.create_batch(CertificateFilter(center_code=center.code), "ar", None, "x", queue=False)
    long_ago, seen = utcnow() - timedelta(hours=1), []

    def stuck(entries, progress, processes):
        begin_write()
        db.session.execute(sa.update(PrintBatch).values(heartbeat_at=long_ago))
        db.session.commit()
        progress(1)  # a step: the lease is renewed
        seen.append(db.session.scalar(sa.select(PrintBatch.heartbeat_at).where(PrintBatch.id == batch.id)))
        # Then stuck for longer than its lease: meanwhile the batch is found stalled and given to another run.
        batches.reclaim_stalled_batches(now=utcnow() + timedelta(hours=1), queue=False)
        progress(2)
        return b"%PDF- never stored"

    monkeypatch.setattr(batches, "render_many", stuck)
    batches.run_batch(batch.id)
    db.session.expire_all()
    again = db.session.get(PrintBatch, batch.id)
    assert seen[0] > long_ago + timedelta(minutes=59)
    assert again.status == "queued" and again.done == 0 and again.pdf is None and again.runs == 1


def test_the_page_says_when_a_running_batch_shows_no_sign_of_life(auth, client, db, center_certificates):
    center, _certificates = center_certificates
    auth.as_role("hr")
    fresh = _running(db, center, utcnow())
    stalled = _running(db, center, utcnow() - timedelta(minutes=5))
    message = "يبدو أن خدمة المهام الخلفية توقفت"
    assert message not in _page(client, fresh) and message in _page(client, stalled)


def test_a_batch_stalled_on_its_last_run_does_not_promise_to_start_again(auth, client, db, center_certificates):
    center, _certificates = center_certificates
    auth.as_role("hr")
    page = _page(client, _running(db, center, utcnow() - timedelta(minutes=5), runs=batches.MAX_RUNS))
    assert "لن تُبدأ هذه الدفعة مرة ثالثة" in page and "ابدأ دفعة طباعة جديدة" in page
    assert "تلقائيًا" not in page and "وقد بدأت الطباعة من جديد" not in page  # the reclaim fails it, never restarts it


def test_a_starting_consumer_looks_again_when_the_stopped_runs_lease_runs_out(app, db, center_certificates):
    from lms.certificates import tasks
    from lms.core.jobs import huey

    center, _certificates = center_certificates
    before = {task.id for task in huey.scheduled()}
    tasks.reclaim_after_the_lease()
    assert {task.id for task in huey.scheduled()} == before  # nothing running: nothing to look for
    _running(db, center, utcnow() - timedelta(seconds=10))  # its worker was killed 10 s ago
    tasks.reclaim_after_the_lease()
    scheduled = [task for task in huey.scheduled() if task.id not in before]
    huey.storage.flush_schedule()
    assert [task.name for task in scheduled] == ["reclaim_stalled_batches"]
    due = (scheduled[0].eta.replace(tzinfo=UTC) - utcnow()).total_seconds()
    assert app.config["LMS_PRINT_LEASE_SECONDS"] - 15 < due <= app.config["LMS_PRINT_LEASE_SECONDS"] - 9


def test_nothing_to_print_changes_nothing(auth, client, db):
    auth.as_role("hr")
    response = client.post("/manage/certificates/batches?q=nobody", data={"language": "ar"})
    assert response.status_code == 302 and "q=nobody" in response.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PrintBatch)) == 0


def test_the_command_line_prints_to_a_file_with_a_progress_bar(runner, db, center_certificates, tmp_path):
    center, certificates = center_certificates
    out = tmp_path / "stack.pdf"
    result = runner.invoke(args=["certificates", "print", "--center", center.code, "--language", "en",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _pages(out.read_bytes()) == 3 and certificates[0].name_latin in _text(out.read_bytes())
    assert db.session.scalar(sa.select(PrintBatch.description)) == "سطر الأوامر"
    nothing = runner.invoke(args=["certificates", "print", "--center", "NOPE", "--out", str(tmp_path / "x.pdf")])
    assert nothing.exit_code == 1 and not (tmp_path / "x.pdf").exists()


def test_render_many_embeds_the_fonts_once(db, center_certificates):
    _center, certificates = center_certificates
    one = pdf_module.render_pdf(certificates[0], "ar")
    many = pdf_module.render_many([(c, "ar", False) for c in certificates])
    assert len(many) < 2 * len(one)  # three certificates, not three copies of the fonts


def _gray(pdf: bytes, page: int, folder) -> tuple[int, bytes]:
    """The page as 8-bit gray pixels (width, and the body of a PGM file), 40 dpi."""
    (folder / "in.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile",
                    str(folder / "in.pdf"), str(folder / "out")], check=True)
    _magic, size, _maxval, pixels = (folder / "out.pgm").read_bytes().split(b"\n", 3)
    return int(size.split()[0]), pixels


# Where the design draws the QR code, in pixels at 40 dpi (page margin 9 mm + border 2.2 mm + the design's
# 124.3 mm and 135 mm; 26 mm wide), with a pixel to spare: a single certificate draws it as SVG, a stack as a
# PNG of the same modules, whose edges fall on other pixels.
QR_BOX = (204, 222, 262, 280)  # left, top, right, bottom


@pytest.mark.parametrize("language", ["ar", "en", "both"])
def test_a_stack_page_looks_like_the_single_certificate(db, center_certificates, language, tmp_path):
    """The layers drawn once for the stack and the certificate's own layer land exactly where the single
    certificate has them; the stack's QR code reads back."""
    _center, certificates = center_certificates
    width, single = _gray(pdf_module.render_pdf(certificates[1], language, stamp="duplicate"), 1, tmp_path)
    stack_pdf = pdf_module.render_many([(certificates[0], language, False), (certificates[1], language, True)])
    _width, stack = _gray(stack_pdf, 2, tmp_path)
    assert len(single) == len(stack)
    left, top, right, bottom = QR_BOX
    differing = sum(abs(a - b) > 64 for n, (a, b) in enumerate(zip(single, stack, strict=True))
                    if not (left <= n % width <= right and top <= n // width <= bottom))
    assert differing < len(single) / 1000, f"{differing} of {len(single)} pixels differ"
    (tmp_path / "stack.pdf").write_bytes(stack_pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "2", "-l", "2", "-singlefile", str(tmp_path / "stack.pdf"),
                    str(tmp_path / "qr")], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "qr.png")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == qr_content(certificates[1]) and f"/verify/{grouped(certificates[1].code)}#1" in decoded


def test_worker_processes_lay_out_a_stack_in_order(db, center_certificates, monkeypatch):
    _center, certificates = center_certificates
    monkeypatch.setattr(pdf_module, "CHUNK", 1)  # three chunks: the workers' path
    seen = []
    pdf = pdf_module.render_many([(c, "ar", False) for c in certificates], progress=seen.append, processes=2)
    assert _pages(pdf) == 3 and list(dict.fromkeys(seen)) == [0, 1, 2, 3]  # 0: still alive, while none is done
    text = _text(pdf)
    positions = [text.index(c.name_ar) for c in certificates]
    assert positions == sorted(positions)


def test_a_batchs_page_lists_the_certificates_it_holds_in_print_order(auth, client, db, center_certificates):
    center, certificates = center_certificates
    auth.as_role("hr")
    client.post(f"/manage/certificates/batches?center={center.code}", data={"language": "ar"})
    batch = db.session.scalar(sa.select(PrintBatch))
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "الشهادات في دفعة الطباعة هذه" in page
    order = [item.certificate_id for item in db.session.scalars(
        sa.select(PrintBatchItem).where(PrintBatchItem.batch_id == batch.id).order_by(PrintBatchItem.position))]
    links = [page.index(f"/manage/certificates/{certificate_id}\"") for certificate_id in order]
    assert links == sorted(links) and len(order) == 3  # each certificate links to its page, in print order
    assert all(c.name_ar in page for c in certificates) and page.count("أصلية") == 3


def test_a_batch_lists_only_the_holders_the_viewer_may_see(auth, client, db, center_certificates):
    center, _certificates = center_certificates
    auth.as_role("hr")
    client.post(f"/manage/certificates/batches?center={center.code}", data={"language": "ar"})
    batch = db.session.scalar(sa.select(PrintBatch))
    total, items = batches.batch_contents(batch.id, Scope(center_id=factories.CenterFactory().id), 1)
    assert (total, items) == (0, [])


def test_only_the_revoked_certificate_of_a_stack_is_watermarked(db, center_certificates, tmp_path):
    """A certificate revoked after its batch was made still prints (the batch fixed its list), but marked across
    its own page; its neighbours print as they were."""
    _center, certificates = center_certificates
    entries = [(c, "both", False) for c in certificates[:2]]
    before = pdf_module.render_many(entries)
    certificates[1].revoked_at = certificates[1].issued_at
    after = pdf_module.render_many(entries)
    pages = [watermark_text(after, n) for n in (1, 2)]
    assert "REVOKED" not in pages[0] and "ملغاة" not in pages[0]
    assert "REVOKED" in pages[1] and "ملغاة" in pages[1]
    middle = (0.42, 0.42, 0.58, 0.58)
    assert _changed(_gray(before, 1, tmp_path), _gray(after, 1, tmp_path), middle) == 0
    assert _changed(_gray(before, 2, tmp_path), _gray(after, 2, tmp_path), middle) > 0.05


def _changed(before: tuple[int, bytes], after: tuple[int, bytes], box: tuple[float, ...]) -> float:
    """The share of the pixels in `box` (left, top, right, bottom, as fractions of the page) that differ."""
    width, old = before
    new = after[1]
    height = len(old) // width
    left, top, right, bottom = (round(f * d) for f, d in zip(box, (width, height, width, height), strict=True))
    pairs = [(old[y * width + x], new[y * width + x]) for y in range(top, bottom) for x in range(left, right)]
    return sum(abs(a - b) > 12 for a, b in pairs) / len(pairs)



def test_a_stack_made_before_a_revocation_is_rendered_again_with_the_mark(auth, client, db, center_certificates):
    """A finished batch holds its PDF: revoking (or replacing) one of its certificates afterwards renders it
    again, so that the stack never prints that certificate as valid; its neighbours print as they were."""
    from lms.certificates import services

    _center, certificates = center_certificates
    batch = batches.create_batch(CertificateFilter(), "both", None, "")
    before = batches.batch_pdf(batch.id)
    assert "REVOKED" not in watermark_text(before, 2)
    services.revoke(certificates[1].id, "أدى الاختبار شخص آخر", None)
    after = batches.batch_pdf(batch.id)
    assert after != before and db.session.get(PrintBatch, batch.id).status == "done"
    pages = [watermark_text(after, n) for n in (1, 2, 3)]
    assert [("REVOKED" in page, "ملغاة" in page) for page in pages].count((True, True)) == 1
    assert certificates[1].serial in next(page for page in pages if "REVOKED" in page)
    services.reissue(certificates[2].id, "تصحيح الاسم", None)
    pages = [watermark_text(batches.batch_pdf(batch.id), n) for n in (1, 2, 3)]
    assert certificates[2].serial in next(page for page in pages if "SUPERSEDED" in page)


def test_a_batch_being_rendered_again_says_why(auth, client, db, center_certificates):
    _center, certificates = center_certificates
    batch = batches.create_batch(CertificateFilter(), "both", None, "")
    other = batches.create_batch(CertificateFilter(), "ar", None, "")
    begin_write()
    again = batches.render_again_holding([certificates[0].id])
    db.session.commit()
    assert again == [batch.id, other.id]
    assert db.session.get(PrintBatch, batch.id).is_rendering_again
    auth.as_role("hr")
    page = client.get(f"/manage/certificates/batches/{batch.id}").get_data(as_text=True)
    assert "Print from the new PDF only" in page or "الملف الجديد" in page
    batches.queue_renders(again)
    assert not db.session.get(PrintBatch, batch.id).is_rendering_again
