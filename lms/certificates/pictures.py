"""Logos and signatures as HR uploads them: checked from their header before anything is decoded (a small file
can unpack into gigapixels), then cut down to what the certificate prints, and written again without metadata."""
import base64
import io
import warnings
from contextlib import contextmanager

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from lms.certificates.designs import Design
from lms.core.i18n import _, localize_digits
from lms.core.models import ValidationError

MAX_IMAGE_BYTES = 512 * 1024
SIDE = 4096
MAX_PIXELS = SIDE * SIDE  # decoding the largest takes about 65 MB; a logo or a signature needs far fewer
MAX_SIDE = 2 * SIDE  # and no side longer than this, however thin the picture
PRINT_DPI = 300
MEDIA_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}  # no SVG: it can fetch
DEFAULT_BOX_MM = (60.0, 60.0)  # for a design that does not say where it prints a picture


def print_box(design: Design, kind: str) -> tuple[float, float]:
    """Width and height in mm of the box the design prints a "logo" or "signature" in (its design.yaml)."""
    box = (design.meta.get("pictures") or {}).get(kind)
    return (float(box[0]), float(box[1])) if box else DEFAULT_BOX_MM


def picture_data_url(content: bytes, field: str, box_mm: tuple[float, float]) -> str:
    """An uploaded PNG or JPEG as a data: URL, in pixels enough for `box_mm` at PRINT_DPI whichever way the design
    fits it in (so never smaller than the box on either side, and never larger than uploaded). ValidationError
    under `field` for a file too big, of another type, unreadable, or of too many pixels."""
    if len(content) > MAX_IMAGE_BYTES:
        raise ValidationError({field: _("The picture must be at most %(kb)s KB.",
                                        kb=localize_digits(MAX_IMAGE_BYTES // 1024))})
    too_large = ValidationError({field: _("The picture has too many pixels: at most %(side)s × %(side)s are "
                                          "accepted. Make it smaller and upload it again.",
                                          side=localize_digits(SIDE))})
    try:  # Image.open reads the header only: the size is known before a pixel is decoded
        with _strict_pillow(), Image.open(io.BytesIO(content), formats=tuple(MEDIA_TYPES)) as image:
            kind, (width, height) = image.format, image.size
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                raise too_large
            if kind == "JPEG":
                image.draft(image.mode, _print_size(image.size, box_mm))  # decodes at 1/2, 1/4 or 1/8 size
            image.load()
            ImageOps.exif_transpose(image, in_place=True)  # turned as the camera said, before EXIF goes
            picture = _plain_mode(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_large from None
    except UnidentifiedImageError:
        raise ValidationError({field: _("The picture must be a PNG or JPEG file.")}) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError({field: _("The picture could not be read: the file is damaged or incomplete.")}) \
            from None
    size = _print_size(picture.size, box_mm)
    if size != picture.size:
        picture = picture.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    picture.info = {}  # no EXIF, XMP, comments or colour profile in what is stored and printed
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, "JPEG", quality=90, optimize=True)
    else:
        picture.save(out, "PNG", optimize=True)
    return f"data:{MEDIA_TYPES[kind]};base64,{base64.b64encode(out.getvalue()).decode()}"


@contextmanager
def _strict_pillow():
    """Pillow's own, far larger, pixel limit as an error, not a warning; and truncated files refused, whereas
    WeasyPrint tells Pillow, for the whole process, to pad them (its pictures are ours, whole: see above)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        padded, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = padded


def _print_size(size: tuple[int, int], box_mm: tuple[float, float]) -> tuple[int, int]:
    """The smallest size, keeping the proportions, that covers the box at PRINT_DPI: the design may stretch the
    picture to fill its box, or fit its height, or its width. Never more than the picture has."""
    width, height = size
    box_width, box_height = (round(mm / 25.4 * PRINT_DPI) for mm in box_mm)
    scale = min(1.0, max(box_width / width, box_height / height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _plain_mode(image: Image.Image) -> Image.Image:
    """8 bits a channel, grey or colour, with alpha where the picture has transparency (resizing needs it)."""
    if image.mode.startswith("I"):  # 16-bit grey: scaled, not clipped
        return image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("L", "LA", "RGB", "RGBA") and "transparency" not in image.info:
        return image
    if image.mode == "1":
        return image.convert("L")
    return image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
