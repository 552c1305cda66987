"""Uploaded logos and signatures: refused from their header when they would unpack into too many pixels, and
otherwise cut down to what the certificate prints at 300 dpi, written again without metadata."""
import base64
import io

import pytest
from PIL import Image

from lms.certificates import pictures
from lms.certificates.designs import load_design
from lms.core.models import ValidationError

LOGO_BOX = pictures.print_box(load_design("classic"), "logo")  # 19 x 19 mm: 224 pixels at 300 dpi
SIGNATURE_BOX = pictures.print_box(load_design("classic"), "signature")  # 60 x 14 mm: 709 x 165


def _encoded(image: Image.Image, kind: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def _decoded(data_url: str) -> Image.Image:
    header, body = data_url.split(",", 1)
    image = Image.open(io.BytesIO(base64.b64decode(body)))
    assert header == f"data:{Image.MIME[image.format]};base64"
    return image


def _refusal(content: bytes, box=LOGO_BOX) -> str:
    with pytest.raises(ValidationError) as refused:
        pictures.picture_data_url(content, "logo", box)
    return refused.value.errors["logo"]


def test_a_small_file_of_twelve_thousand_pixels_square_is_refused_before_it_is_decoded(monkeypatch):
    bomb = _encoded(Image.new("1", (12000, 12000)), optimize=True)
    assert len(bomb) < 40 * 1024  # 144 million pixels in a few kilobytes
    just_past = _encoded(Image.new("1", (4097, 4096)))
    too_long = _encoded(Image.new("L", (8193, 2)))  # few pixels, but a side too long

    def never(*_args):
        raise AssertionError("decoded")

    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", never)
    for refused in (bomb, just_past, too_long):
        assert "٤٠٩٦ × ٤٠٩٦" in _refusal(refused)  # Arabic-Indic digits in Arabic text


@pytest.mark.parametrize(("size", "box", "printed"), [
    ((3000, 3000), LOGO_BOX, (224, 224)),
    ((2400, 600), SIGNATURE_BOX, (709, 177)),  # covers the box both ways: 709 wide, at least 165 high
    ((100, 80), LOGO_BOX, (100, 80)),  # never made larger than uploaded
])
def test_a_picture_is_cut_down_to_what_the_certificate_prints(size, box, printed):
    image = Image.new("RGB", size, "white")
    image.paste((10, 60, 120), (0, 0, size[0] // 2, size[1] // 2))
    assert _decoded(pictures.picture_data_url(_encoded(image), "logo", box)).size == printed


def test_a_jpeg_stays_a_jpeg_turned_as_the_camera_said_and_without_its_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show
    exif[0x010F] = "Camera maker"
    photo = _encoded(Image.new("RGB", (2000, 1000), "white"), "JPEG", exif=exif, comment=b"a comment")
    stored = _decoded(pictures.picture_data_url(photo, "signature", SIGNATURE_BOX))
    assert stored.format == "JPEG" and stored.height > stored.width
    assert not stored.getexif() and "comment" not in stored.info and "exif" not in stored.info


def test_transparency_and_sixteen_bit_grey_survive():
    palette = Image.new("P", (400, 400), 0)
    palette.putpalette([255, 255, 255, 0, 0, 0])
    palette.paste(1, (0, 0, 200, 400))
    stored = _decoded(pictures.picture_data_url(_encoded(palette, transparency=0), "logo", LOGO_BOX))
    assert stored.mode == "RGBA" and stored.getpixel((200, 100))[3] == 0 and stored.getpixel((10, 100))[3] == 255
    grey = Image.new("I;16", (300, 300), 32768)
    assert _decoded(pictures.picture_data_url(_encoded(grey), "logo", LOGO_BOX)).convert("L").getpixel((5, 5)) == 128


def test_a_damaged_or_foreign_file_is_refused():
    png = _encoded(Image.new("RGB", (300, 300), (200, 10, 10)))
    damaged, foreign = "الملف تالف", "PNG أو JPEG"  # the messages, in Arabic
    assert damaged in _refusal(png[: len(png) // 2])
    assert damaged in _refusal(_encoded(Image.new("RGB", (600, 300)), "JPEG")[:-400])
    assert foreign in _refusal(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)  # no more of a PNG than its first bytes
    assert foreign in _refusal(b"GIF89a" + b"\0" * 100)
    assert foreign in _refusal(_encoded(Image.new("RGB", (10, 10)), "GIF"))
