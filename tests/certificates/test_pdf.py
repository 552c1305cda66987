"""The PDF: right text in both languages, a QR code that leads to the register, PDF/A, and a sandbox that fetches
nothing it should not."""
import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest
import sqlalchemy as sa
from weasyprint import HTML

from lms.certificates.codes import grouped
from lms.certificates.designs import DESIGNS, Design, DesignError, load_design
from lms.certificates.designs.fetcher import DesignFetcher
from lms.certificates.models import Certificate
from lms.certificates.pdf import render_pdf
from tests.certificates.conftest import complete, watermark_text

# pdftotext, pdftoppm, pdfinfo (poppler-utils) and zbarimg (zbar-tools): `make test` installs them.


@pytest.fixture
def certificate(db, course, learner):
    complete(learner, course)
    return db.session.scalar(sa.select(Certificate).where(Certificate.user_id == learner.id))


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    # Compare letters, not presentation: drop bidi controls, fold Arabic presentation forms to their letters.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", text)


def pdf_info(pdf: bytes, tmp_path: Path, *options: str) -> str:
    path = tmp_path / "i.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfinfo", *options, str(path)], capture_output=True, check=True, text=True).stdout


@pytest.mark.parametrize("language", ["ar", "en", "both"])
def test_the_pdf_carries_the_names_course_and_code_in_its_languages(certificate, language, tmp_path):
    pdf = render_pdf(certificate, language)
    text = pdf_text(pdf, tmp_path)
    assert grouped(certificate.code) in text
    if language in ("ar", "both"):
        # pdftotext gives right-to-left lines in logical order: the name reads as typed, letters joined.
        assert certificate.name_ar in text and "شهادة إتمام تدريب" in text and certificate.course_title_ar in text
        assert "تاريخ الإصدار" in text and certificate.serial in text
    if language in ("en", "both"):
        assert certificate.name_latin in text and "Certificate of completion" in text
        assert certificate.course_title_en in text
    if language == "en":
        assert "شهادة" not in text


def test_the_arabic_side_writes_dates_with_arabic_indic_digits_and_month_names(certificate, tmp_path):
    text = pdf_text(render_pdf(certificate, "ar"), tmp_path)
    months = ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
              "ديسمبر")
    assert any(month in text for month in months)
    year = str(certificate.issued_at.year).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    assert year in text and "هـ" in text  # the Hijri date beside the Gregorian one


def test_the_pdf_is_pdf_a_with_title_author_and_language(certificate, tmp_path):
    pdf = render_pdf(certificate, "ar")
    info = pdf_info(pdf, tmp_path)
    assert "شهادة إتمام تدريب" in info and certificate.name_ar in info  # Title
    assert "المراكز التكنولوجية" in info  # Author
    xmp = pdf_info(pdf, tmp_path, "-meta")
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert str(document.Root.Lang) == "ar"
    with pikepdf.open(io.BytesIO(render_pdf(certificate, "en"))) as document:
        assert str(document.Root.Lang) == "en"


def test_the_qr_code_opens_the_register(app, certificate, tmp_path):
    """It carries the signed payload in the address's fragment (signing/payload.py), and reads back whole."""
    from lms.certificates.signing.payload import qr_content

    app.config["LMS_PUBLIC_URL"] = "https://lms.example.gov.eg"
    try:
        (tmp_path / "c.pdf").write_bytes(render_pdf(certificate, "both"))
        expected = qr_content(certificate)
    finally:
        app.config["LMS_PUBLIC_URL"] = ""
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
                   check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == expected and decoded.startswith(f"https://lms.example.gov.eg/verify/{grouped(certificate.code)}#1")


def test_a_revoked_or_duplicate_copy_is_stamped(certificate, tmp_path):
    assert "ملغاة" in pdf_text(render_pdf(certificate, "ar", stamp="revoked"), tmp_path)
    assert "Duplicate copy" in pdf_text(render_pdf(certificate, "en", stamp="duplicate"), tmp_path)
    assert "نسخة بدل فاقد" in pdf_text(render_pdf(certificate, "both", stamp="duplicate"), tmp_path)


def page_pixels(pdf: bytes, tmp_path: Path, page: int = 1) -> tuple[int, bytes]:
    """A page as 8-bit gray pixels at 40 dpi: its width, and the body of a PGM file."""
    (tmp_path / "p.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile",
                    str(tmp_path / "p.pdf"), str(tmp_path / "p")], check=True)
    _magic, size, _maxval, pixels = (tmp_path / "p.pgm").read_bytes().split(b"\n", 3)
    return int(size.split()[0]), pixels


def changed_share(before: tuple[int, bytes], after: tuple[int, bytes], box: tuple[float, float, float, float]) -> float:
    """The share of the pixels in `box` (left, top, right, bottom, as fractions of the page) that differ."""
    width, old = before
    _width, new = after
    height = len(old) // width
    left, top, right, bottom = (round(f * d) for f, d in zip(box, (width, height, width, height), strict=True))
    pairs = [(old[y * width + x], new[y * width + x]) for y in range(top, bottom) for x in range(left, right)]
    return sum(abs(a - b) > 12 for a, b in pairs) / len(pairs)


# The middle of the page, and two places further along the watermark's slope (it rises to the right): a mark in a
# corner, which scissors remove, touches none of them.
MIDDLE = (0.42, 0.42, 0.58, 0.58)
ALONG = ((0.19, 0.62, 0.31, 0.78), (0.69, 0.22, 0.81, 0.38))  # a quarter of the width either side, 30° up


@pytest.mark.parametrize(("language", "stamp", "words"), [
    ("ar", "revoked", ["ملغاة"]),
    ("en", "revoked", ["REVOKED"]),
    ("both", "revoked", ["ملغاة", "REVOKED"]),
    ("both", "superseded", ["مستبدلة", "SUPERSEDED"]),
])
def test_a_revoked_or_superseded_certificate_is_watermarked_across_the_page(certificate, db, language, stamp,
                                                                            words, tmp_path):
    valid = page_pixels(render_pdf(certificate, language), tmp_path)
    if stamp == "revoked":
        certificate.revoked_at = certificate.issued_at
    else:
        certificate.superseded_at = certificate.issued_at
    pdf = render_pdf(certificate, language)  # the status alone calls for it: no stamp asked
    text = watermark_text(pdf)
    for word in words:
        assert word in text
    marked = page_pixels(pdf, tmp_path)
    assert changed_share(valid, marked, MIDDLE) > 0.05
    for box in ALONG:
        assert changed_share(valid, marked, box) > 0.01
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1


def test_a_valid_certificate_and_a_duplicate_copy_carry_no_watermark(certificate, tmp_path):
    text = watermark_text(render_pdf(certificate, "both", stamp="duplicate"))
    assert "REVOKED" not in text and "SUPERSEDED" not in text and "ملغاة" not in text


# -- the sandbox ------------------------------------------------------------------------------------------------

@pytest.fixture
def hostile_design(tmp_path):
    """A copy of the classic design whose page asks for what it must never get."""
    folder = tmp_path / "hostile"
    shutil.copytree(DESIGNS / "classic", folder)
    html = (folder / "certificate.html").read_text()
    html = html.replace("</head>", """<style>@import url("http://127.0.0.1:9/internal.css");</style>
<link rel="stylesheet" href="file:///etc/passwd">
<link rel="stylesheet" href="../../../../etc/hostname.css">
</head>""").replace("</body>", """<img src="file:///etc/passwd" alt="">
<img src="http://169.254.169.254/latest/meta-data/" alt=""><img src="design.yaml" alt=""></body>""")
    (folder / "certificate.html").write_text(html)
    return Design("hostile", folder, load_design("classic").meta)


def test_the_sandbox_refuses_files_outside_the_design_and_the_network(certificate, hostile_design, monkeypatch):
    fetchers = []
    original = hostile_design.fetcher

    def recording_fetcher():
        fetcher = original()
        fetchers.append(fetcher)
        return fetcher

    monkeypatch.setattr("lms.certificates.pdf.load_design", lambda name: hostile_design)
    monkeypatch.setattr(hostile_design.__class__, "fetcher", lambda self: recording_fetcher())
    pdf = render_pdf(certificate, "ar")
    refused = [url for fetcher in fetchers for url in fetcher.refused]
    assert "http://127.0.0.1:9/internal.css" in refused
    assert "file:///etc/passwd" in refused
    assert "http://169.254.169.254/latest/meta-data/" in refused
    assert any(url.endswith("/etc/hostname.css") for url in refused)
    assert any(url.endswith("/design.yaml") for url in refused)  # in the folder, but not a stylesheet, font or picture
    assert b"root:" not in pdf


def test_the_sandbox_serves_the_designs_own_fonts_and_data_urls(tmp_path):
    fetcher = DesignFetcher(DESIGNS / "classic")
    font = fetcher.fetch((DESIGNS / "classic" / "fonts" / "Amiri-Regular.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"
    for url in ("file:///etc/passwd", "https://example.org/x.png", "ftp://x/y", "file://otherhost/etc/passwd",
                (DESIGNS / "classic" / "design.yaml").as_uri(), (DESIGNS / "classic" / ".." / "__init__.py").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 6


@pytest.mark.parametrize("tag", ['<link rel="attachment" href="fonts/OFL.txt">',
                                 '<a rel="Attachment nofollow" href="emblem.svg">x</a>'])
def test_a_design_that_attaches_files_is_refused(certificate, hostile_design, monkeypatch, tag):
    html = (hostile_design.folder / "certificate.html").read_text().replace("</body>", tag + "</body>")
    (hostile_design.folder / "certificate.html").write_text(html)
    monkeypatch.setattr("lms.certificates.pdf.load_design", lambda name: hostile_design)
    with pytest.raises(DesignError):
        render_pdf(certificate, "ar")


def test_authored_values_are_escaped_in_the_page(certificate, db, tmp_path):
    certificate.name_latin = '<img src="file:///etc/passwd"><link rel="attachment" href="/etc/passwd">'
    html = load_design("classic").render_html(_document(certificate))
    assert "<img src=\"file:///etc/passwd\">" not in html and "&lt;img" in html
    pdf = HTML(string=html, base_url=(DESIGNS / "classic").as_uri() + "/",
               url_fetcher=DesignFetcher(DESIGNS / "classic")).write_pdf()
    assert b"root:" not in pdf


def _document(certificate) -> dict:
    from lms.certificates import pdf

    look = pdf.look_for(load_design("classic"))
    page = pdf._page(certificate, look, "en", None)
    return pdf._with_qr_codes({**pdf._document(look, [page], "t"), **pdf._layer("all"), "link_stylesheet": True})


def test_unknown_designs_are_refused():
    for name in ("nope", "../classic", "classic/../classic", ""):
        with pytest.raises(DesignError):
            load_design(name)
