"""HR sets how certificates look (authority, colours, logo, signatories, Hijri date) and each course's language."""
import base64
import io
import re
import subprocess
import unicodedata

import segno
import sqlalchemy as sa
from PIL import Image

from lms.certificates import look, pictures
from lms.certificates.models import Certificate, CertificateLook
from lms.certificates.pdf import render_pdf
from tests import factories
from tests.certificates.conftest import complete


def _png() -> bytes:
    out = io.BytesIO()
    segno.make("logo").save(out, kind="png", scale=3)
    return out.getvalue()


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return unicodedata.normalize("NFKC", "".join(ch for ch in out if unicodedata.category(ch) != "Cf"))


def _images(pdf: bytes, tmp_path) -> int:
    (tmp_path / "i.pdf").write_bytes(pdf)
    listing = subprocess.run(["pdfimages", "-list", str(tmp_path / "i.pdf")], capture_output=True, text=True,
                             check=True).stdout
    return len(listing.strip().splitlines()) - 2  # two heading lines


def _form(**changes) -> dict:
    data = {"authority_ar": "الموارد البشرية بمحافظة القليوبية", "authority_en": "Qalyubia: Human Resources",
            "primary_colour": "#123456", "accent_colour": "#654321",
            "signatories-0-name_ar": "سعاد حسن", "signatories-0-name_en": "Souad Hassan",
            "signatories-0-title_ar": "مديرة التدريب", "signatories-0-title_en": "Head of Training",
            "signatories-1-name_ar": "", "signatories-1-name_en": "",
            "signatories-1-title_ar": "مدير عام الموارد البشرية", "signatories-1-title_en": "HR Director"}
    data.update(changes)
    return data


def test_hr_changes_how_certificates_look(auth, client, db, course, learner, tmp_path):
    complete(learner, course)
    certificate = db.session.scalar(sa.select(Certificate))
    before = _images(render_pdf(certificate, "ar"), tmp_path)
    auth.as_role("hr")
    response = client.post("/manage/certificates/settings", data=_form(
        logo=(io.BytesIO(_png()), "logo.png"), **{"signatories-0-signature": (io.BytesIO(_png()), "sig.png")}),
        content_type="multipart/form-data")
    assert response.status_code == 302
    pdf = render_pdf(certificate, "both")
    text = _text(pdf)
    # pdftotext sometimes splits a word where Amiri joins letters into one glyph: compare without spaces.
    assert "المواردالبشريةبمحافظةالقليوبية" in "".join(text.split())
    assert "Souad Hassan" in text and "سعاد حسن" in text
    assert "هـ" not in text and not re.search(r"\d AH\b", text)  # the Hijri date was not asked for
    assert _images(pdf, tmp_path) == before + 2  # the logo (the emblem it replaces is vector) and the signature
    page = client.get("/manage/certificates/settings").get_data(as_text=True)
    assert 'value="Souad Hassan"' in page and "data:image/png;base64," in page

    kept = client.post("/manage/certificates/settings", data=_form(hijri="y"), content_type="multipart/form-data")
    assert kept.status_code == 302
    row = db.session.get(CertificateLook, 1)
    assert row.logo.startswith("data:image/png") and row.signatories[0]["signature"].startswith("data:image/png")
    assert "هـ" in _text(render_pdf(certificate, "ar"))

    client.post("/manage/certificates/settings", data=_form(remove_logo="y", **{
        "signatories-0-remove_signature": "y"}), content_type="multipart/form-data")
    db.session.expire_all()
    row = db.session.get(CertificateLook, 1)
    assert row.logo is None and row.signatories[0]["signature"] is None


def test_bad_pictures_and_colours_are_refused_and_change_nothing(auth, client, db, monkeypatch):
    monkeypatch.setattr(pictures, "MAX_IMAGE_BYTES", 2000)  # small uploads: the test client spools big ones to files
    auth.as_role("admin")
    gif = client.post("/manage/certificates/settings", data=_form(logo=(io.BytesIO(b"GIF89a...."), "x.gif")),
                      content_type="multipart/form-data")
    assert gif.status_code == 400 and "PNG" in gif.get_data(as_text=True)
    big = _png() + b"\0" * 2000
    huge = client.post("/manage/certificates/settings", data=_form(logo=(io.BytesIO(big), "x.png")),
                       content_type="multipart/form-data")
    assert huge.status_code == 400
    colour = client.post("/manage/certificates/settings", data=_form(primary_colour="red"),
                         content_type="multipart/form-data")
    assert colour.status_code == 400 and 'value="Souad Hassan"' in colour.get_data(as_text=True)
    assert db.session.get(CertificateLook, 1) is None


def _png_of(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def test_a_decompression_bomb_is_refused_beside_its_field_and_nothing_is_stored(auth, client, db):
    bomb = _png_of(Image.new("1", (12000, 12000)))  # 17 KB on disk, 144 million pixels decoded
    auth.as_role("admin")
    for field in ("logo", "signatories-1-signature"):
        response = client.post("/manage/certificates/settings", data=_form(**{field: (io.BytesIO(bomb), "x.png")}),
                               content_type="multipart/form-data")
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and 'value="Souad Hassan"' in page
        error = re.search(r'id="([^"]+)-error"[^>]*>([^<]*٤٠٩٦ × ٤٠٩٦[^<]*)<', page)
        assert error and error.group(1) == field, page
    assert db.session.get(CertificateLook, 1) is None


def test_a_large_logo_is_stored_at_the_size_the_certificate_prints(auth, client, db):
    logo = Image.new("RGB", (3000, 2000), "white")
    logo.paste((11, 79, 108), (500, 500, 2500, 1500))
    auth.as_role("admin")
    response = client.post("/manage/certificates/settings", data=_form(logo=(io.BytesIO(_png_of(logo)), "x.png")),
                           content_type="multipart/form-data")
    assert response.status_code == 302
    stored = db.session.get(CertificateLook, 1).logo
    image = Image.open(io.BytesIO(base64.b64decode(stored.split(",", 1)[1])))
    assert image.format == "PNG" and image.size == (336, 224)  # 19 mm high at 300 dpi, proportions kept


def test_hr_chooses_each_courses_certificate_language(auth, client, db, course, learner):
    other = factories.CourseFactory(modules=1)
    auth.as_role("hr")
    response = client.post("/manage/certificates/settings/languages",
                           data={f"course_{course.id}": "en", f"course_{other.id}": "ar"})
    assert response.status_code == 302
    assert look.course_language(course) == "en" and look.course_language(other) == "ar"
    complete(learner, course)
    assert db.session.scalar(sa.select(Certificate.language)) == "en"
    refused = client.post("/manage/certificates/settings/languages", data={f"course_{course.id}": "fr"})
    assert refused.status_code == 400 and look.course_language(course) == "en"


def test_the_sample_shows_the_look_without_issuing_anything(auth, client, db):
    auth.as_role("hr")
    response = client.get("/manage/certificates/settings/preview.pdf?lang=both")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _text(response.data)
    assert "نموذج" in text and "Sample" in text and "اسم المتدرب" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
    assert client.get("/manage/certificates/settings/preview.pdf?lang=xx").status_code == 404
