"""The certificate sandbox's URL fetcher: WeasyPrint fetches nothing but a design folder's own files and data: URLs.

Its own module, so that WeasyPrint is imported by the processes that make PDFs and not by every web worker."""
import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.certificates.designs import SERVED


class DesignFetcher(URLFetcher):
    """Deny by default: data: URLs and the design folder's own stylesheet, fonts and pictures; no network, no
    redirects, no file outside the folder. What was refused is kept in `refused` (and logged by WeasyPrint)."""

    def __init__(self, folder: Path):
        super().__init__(allowed_protocols=("data",), allow_redirects=False)
        self.folder = folder.resolve()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self._own_file(url)
            if path is not None:
                media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, _read(path), {"Content-Type": media_type})
        self.refused.append(url)
        raise ValueError(f"refused by the certificate sandbox: {url[:200]}")

    def _own_file(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.folder) or path.suffix.lower() not in SERVED or not path.is_file():
            return None
        return path


@cache
def _read(path: Path) -> bytes:
    return path.read_bytes()  # fonts and pictures are read once per process
