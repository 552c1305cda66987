"""Authored Markdown to safe HTML: markdown-it-py renders, nh3 keeps only what is on the allow-list.

No script or style elements, no event handlers, no `javascript:` or `data:` URLs; relative links and
images point at the course's own files.
"""
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


def scrollable_tables(html: str, label: str) -> Markup:
    """Each table of sanitised HTML in a box that scrolls sideways on its own (never the page), reachable by
    keyboard and named for screen readers. Done when shown, not when stored: `label` is in the reader's language.
    nh3's output spells every table `<table>` (it keeps no attribute on it) and escapes any in the text."""
    box = f'<div class="table-scroll" role="region" tabindex="0" aria-label="{escape(label)}"><table>'
    return Markup(html.replace("<table>", box).replace("</table>", "</table></div>"))  # noqa: S704 (sanitised)
