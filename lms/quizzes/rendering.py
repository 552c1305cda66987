"""Question texts to safe HTML, in the format their author chose (GIFT's [moodle], [markdown], [html], [plain])."""
from functools import lru_cache

import nh3
from markupsafe import Markup, escape

from lms.courses.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

_INLINE_TAGS = {"b", "bdi", "br", "code", "em", "i", "kbd", "mark", "small", "span", "strong", "sub", "sup", "u"}


def _clean(html: str, tags: set[str]) -> str:
    return nh3.clean(html, tags=tags, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "svg", "math"},
                     link_rel="noopener noreferrer")


@lru_cache(maxsize=16384)  # the same few hundred texts are shown all day: render each once per process
def to_html(text: str, text_format: str, inline: bool = False) -> Markup:
    """Sanitised HTML for a prompt (`inline=False`) or an option, an item or feedback (`inline=True`)."""
    if not text:
        return Markup("")
    tags = _INLINE_TAGS if inline else ALLOWED_TAGS
    if text_format == "markdown":
        html = render_markdown(text, "")
        if inline and html.startswith("<p>") and html.endswith("</p>\n") and html.count("<p>") == 1:
            html = html[3:-5]
        return Markup(_clean(html, tags))  # noqa: S704 (sanitised by nh3)
    if text_format == "plain":
        return Markup(str(escape(text)).replace("\n", "<br>"))  # noqa: S704 (escaped)
    # html, and Moodle's auto-format: HTML allowed, line breaks kept
    html = text if text_format == "html" else text.replace("\n", "<br>")
    return Markup(_clean(html, tags))  # noqa: S704 (sanitised by nh3)


def plain_text(text: str, text_format: str) -> str:
    """A prompt as a line of text (the bank's list): what learners read, not its markup; a script's text, which
    striptags alone left in ("alert(1)"), goes with the script."""
    return to_html(text, text_format).striptags()
