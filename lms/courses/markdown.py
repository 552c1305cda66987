"""Authored Markdown to safe HTML: markdown-it-py renders, nh3 keeps only what is on the allow-list.

No script or style elements, no event handlers, no `javascript:` or `data:` URLs; relative links and
images point at the course's own files.
"""
import html as html_text
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

_markdown = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "code", "dd", "del", "details", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"dir", "lang", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"style", "scope"},
    "td": {"style"},
    "ol": {"start"},
    "abbr": {"title"},
}


def render_markdown(text: str, files_url: str) -> str:
    """Sanitised HTML for `text`; `files_url` (ending in "/") prefixes relative links and images."""

    def resolve(url: str) -> str | None:
        if url.startswith("//"):
            return None
        if url.startswith(("/", "#")):
            return url
        return files_url + url

    return nh3.clean(
        _markdown.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "svg", "math"},
        url_schemes={"http", "https", "mailto"},
        url_relative=resolve,
        filter_style_properties={"text-align"},
        link_rel="noopener noreferrer",
    )


_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEAD_CELL = re.compile(r"<th(?:\s[^>]*)?>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr>.*?</tr>", re.S)
_DATA_CELL = re.compile(r"<td(?=[\s>])")
_TAG = re.compile(r"<[^>]+>")
STACKED = '<table class="stack-table">'


def course_files_named(text: str) -> list[str]:
    """The course files a module's Markdown points at (relative image and link targets, in order, once each):
    those resolved against the course's own files when shown."""
    found: dict[str, None] = {}
    for token in _markdown.parse(text):
        for child in token.children or []:
            target = child.attrGet("src") if child.type == "image" else child.attrGet("href")
            if isinstance(target, str) and target and not target.startswith(("/", "#")) and ":" not in target:
                found[target.split("#")[0].split("?")[0]] = None
    return [path for path in found if path]


def scrollable_tables(html: str, label: str) -> Markup:
    """Each table of sanitised HTML in a box that scrolls sideways on its own (never the page), reachable by
    keyboard and named for screen readers; a table with a header row is also a stack of cards on a phone, each
    cell under its column's name (labelled_cells). Done when shown, not when stored: `label` is in the reader's
    language, and modules stored before keep up. nh3's output spells every table `<table>` (it keeps no attribute
    on it) and escapes any in the text."""
    box = f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label)}">'
    html = _TABLE.sub(labelled_cells, html)
    return Markup(html.replace("<table>", box + "<table>").replace(STACKED, box + STACKED)  # noqa: S704 (sanitised)
                  .replace("</table>", "</table></div>"))


def labelled_cells(table: re.Match) -> str:
    """The table with each body cell named by its column's header (data-label), and the class that stacks it on a
    phone; as it was when it has no header row, or is not a plain grid (a table inside a cell)."""
    whole = table.group(1)
    head, end, body = whole.partition("</thead>")
    if not end or "<table" in whole:
        return table.group(0)
    names = [escape(html_text.unescape(_TAG.sub("", cell)).strip()) for cell in _HEAD_CELL.findall(head)]

    def row(match: re.Match) -> str:
        left = iter(names)
        return _DATA_CELL.sub(lambda _cell: f'<td data-label="{next(left, "")}"', match.group(0))

    return f"{STACKED}{head}{end}{_ROW.sub(row, body)}</table>"
