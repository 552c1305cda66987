"""A print batch's description reads in its reader's language, whoever made the batch and in whatever language
(issue 13.5); batches made before keep their stored description."""
from datetime import date

import pytest
import sqlalchemy as sa

from lms.certificates import batches
from lms.certificates.models import Certificate, PrintBatch
from lms.certificates.printroom import CertificateFilter
from tests import factories
from tests.certificates.conftest import complete


@pytest.fixture
def center(db, course):
    center = factories.CenterFactory(name_ar="المركز التكنولوجي بقليوب", name_en="Qalyub technology center")
    complete(factories.UserFactory(center=center), course)
    return center


def _batch(db, center, course, **kwargs) -> PrintBatch:
    criteria = CertificateFilter(center_code=center.code, course_id=course.id, since=date(2000, 1, 31),
                                 status="valid", printed=False)
    batch = batches.create_batch(criteria, "ar", None, "وصف بلغة منشئها", queue=False, **kwargs)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == batch.total == 1
    return batch


def _pages(client, batch) -> str:
    return client.get(f"/manage/certificates/batches/{batch.id}").text + client.get("/manage/certificates/batches").text


def test_a_batch_keeps_its_search_in_parts_that_read_in_any_language(db, center, course):
    batch = _batch(db, center, course)
    assert batch.search == {"via": "search", "center": {"ar": center.name_ar, "en": center.name_en},
                            "course": {"ar": course.title_ar, "en": course.title_en}, "since": "2000-01-31",
                            "status": "valid", "printed": "no"}


def test_the_batch_pages_describe_it_in_the_readers_language(client, auth, db, center, course):
    batch = _batch(db, center, course)
    auth.as_role("hr")
    page = _pages(client, batch)
    for words in (center.name_ar, course.title_ar, "٣١ يناير ٢٠٠٠", "سارية", "لم تُطبع بعد"):
        assert words in page
    assert center.name_en not in page and "وصف بلغة منشئها" not in page
    client.post("/language", data={"lang": "en"})
    page = _pages(client, batch)
    for words in ("Technology center: Qalyub technology center", "Course: Serving citizens", "31 January 2000",
                  "Status: Valid", "Not printed yet"):
        assert words in page
    assert center.name_ar not in page
    # The search it was made from, said as such: "Printing: not printed yet" read as the batch's own state.
    assert "<p>Made from the search: Technology center: Qalyub technology center;" in page


def test_a_command_line_batch_says_so_in_the_readers_language(client, auth, db, center, course):
    batch = _batch(db, center, course, command_line=True)
    auth.as_role("hr")
    assert "سطر الأوامر — " in _pages(client, batch)
    client.post("/language", data={"lang": "en"})
    assert "Command line — Technology center: Qalyub technology center" in _pages(client, batch)


def test_a_batch_made_before_shows_its_stored_description(client, auth, db, center, course):
    batch = _batch(db, center, course)
    batch.search = None
    db.session.commit()
    auth.as_role("hr")
    assert "وصف بلغة منشئها" in _pages(client, batch)
    client.post("/language", data={"lang": "en"})
    assert "وصف بلغة منشئها" in _pages(client, batch)
