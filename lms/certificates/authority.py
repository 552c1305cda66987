"""Who issues a certificate, as the public register shows it: the authority's name and logo of the look that
certificates are rendered with now (look.py), served by the app itself so a checking phone fetches nothing else."""
import base64
import hashlib
import mimetypes
from dataclasses import dataclass

from lms.certificates.designs import Design, DesignError, load_design
from lms.certificates.look import look_for, look_from
from lms.certificates.models import Certificate, CertificateLook


@dataclass(frozen=True)
class Authority:
    name: dict  # {"ar": ..., "en": ...}
    design: str  # whose look it is: the logo's address names it
    logo_version: str | None  # a digest of the logo (its address changes with it); None: no logo


@dataclass(frozen=True)
class Logo:
    content: bytes
    mimetype: str
    version: str


def issuing_authority(certificate: Certificate, saved: CertificateLook | None) -> Authority:
    """`saved`: the look's row (look.saved_look()), read by the caller before it knew whether the code exists."""
    design = load_design(certificate.design)
    look = look_from(design, saved)
    logo = _logo(design, look.logo)
    return Authority(dict(look.authority), certificate.design, logo.version if logo else None)


def logo_of(design_name: str) -> Logo | None:
    """The logo certificates of this design print now; None for an unknown design or no logo."""
    try:
        design = load_design(design_name)
    except DesignError:
        return None
    return _logo(design, look_for(design).logo)


def _logo(design: Design, logo: str) -> Logo | None:
    """`logo` as Look has it: an uploaded picture (a data: URL), else a file of the design's folder."""
    if not logo:
        return None
    if logo.startswith("data:"):
        header, _, data = logo.partition(",")
        mimetype = header[len("data:"):].split(";", 1)[0]
        content = base64.b64decode(data)
    else:
        path = (design.folder / logo).resolve()
        if path.parent != design.folder or not path.is_file():
            return None
        mimetype, content = mimetypes.guess_type(path.name)[0] or "application/octet-stream", path.read_bytes()
    return Logo(content, mimetype, hashlib.sha256(content).hexdigest()[:12])
