"""Certificate designs: a folder of HTML, CSS, fonts and metadata, rendered in a sandbox that fetches nothing
but the folder's own files and data: URLs."""
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import yaml
from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

DESIGNS = Path(__file__).resolve().parent
NAME_MAX = 64  # as long as Certificate.design
# What a design may hold and a PDF may embed: its stylesheet, fonts and pictures. Nothing else is served.
SERVED = {".css", ".ttf", ".otf", ".woff", ".woff2", ".svg", ".png", ".jpg", ".jpeg"}


class DesignError(Exception):
    """A design folder is missing, malformed, or its page asks for something refused."""


@dataclass(frozen=True)
class Design:
    name: str
    folder: Path
    meta: dict  # design.yaml: name, colours, authority, signatories, pictures (where logo and signatures print)

    def render_html(self, context: dict) -> str:
        html = _environment(self.folder).get_template("certificate.html").render(context)
        _refuse_attachments(html)
        return html

    def fetcher(self):
        """The sandbox's URL fetcher for this design (WeasyPrint is imported when a PDF is made, not before)."""
        from lms.certificates.designs.fetcher import DesignFetcher
        return DesignFetcher(self.folder)


@cache
def load_design(name: str) -> Design:
    # The name is checked before the file system sees it: the register's logo address takes any name.
    if not (name.isidentifier() and len(name) <= NAME_MAX):
        raise DesignError(f"no certificate design {name[:NAME_MAX]!r}")
    folder = (DESIGNS / name).resolve()
    if folder.parent != DESIGNS or not (folder / "certificate.html").is_file():
        raise DesignError(f"no certificate design {name!r}")
    meta = yaml.safe_load((folder / "design.yaml").read_text(encoding="utf-8")) or {}
    if not isinstance(meta, dict):
        raise DesignError(f"{name}/design.yaml must be a mapping")
    return Design(name, folder, meta)


@cache
def _environment(folder: Path) -> ImmutableSandboxedEnvironment:
    """Designs are authored files: their Jinja runs sandboxed (no attribute tricks, no changing the data),
    every value is escaped, and a misspelt variable is an error rather than an empty space on paper."""
    return ImmutableSandboxedEnvironment(loader=FileSystemLoader(folder), autoescape=True, undefined=StrictUndefined)


class _Attachments(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = False

    def handle_starttag(self, tag, attrs):
        rel = " ".join(value or "" for name, value in attrs if name == "rel").lower().split()
        if tag in ("link", "a") and "attachment" in rel:
            self.found = True


def _refuse_attachments(html: str) -> None:
    """WeasyPrint embeds the target of <link rel=attachment> (and <a rel=attachment>) in the PDF: never."""
    parser = _Attachments()
    parser.feed(html)
    parser.close()
    if parser.found:
        raise DesignError("a certificate may not carry attachments (rel=attachment)")
