"""Icons come from one sprite the browser caches (lms/static/icons.svg), through the icon() template global."""
import re
from pathlib import Path

import pytest
from defusedxml import ElementTree
from flask import render_template_string

from lms.core.web import DIRECTIONAL_ICONS, sprite_icons
from tests.conftest import PROJECT_ROOT

SPRITE = PROJECT_ROOT / "lms" / "static" / "icons.svg"
ICON_CALL = re.compile(r"""\bicon\(\s*["']([^"']+)["']""")


def _render(app, source: str, **context) -> str:
    with app.test_request_context("/"):
        return render_template_string(source, **context)


def test_an_icon_beside_words_is_hidden_from_screen_readers(app):
    html = _render(app, "{{ icon('download') }}")
    assert re.fullmatch(r'<svg class="icon" aria-hidden="true" focusable="false">'
                        r'<use href="/static/icons\.svg\?v=\w+#download"></use></svg>', html)


def test_an_icon_with_a_label_is_an_image_named_by_it(app):
    html = _render(app, "{{ icon('warning', label) }}", label='Not saved <yet> & "offline"')
    assert html.startswith('<svg class="icon" role="img" focusable="false"><title>')
    assert "<title>Not saved &lt;yet&gt; &amp; &#34;offline&#34;</title>" in html
    assert "aria-hidden" not in html and "#warning" in html


def test_icons_along_the_reading_direction_are_mirrored_on_rtl_pages(app):
    assert 'class="icon icon-flip"' in _render(app, "{{ icon('arrow-next') }}")
    assert 'class="icon"' in _render(app, "{{ icon('download') }}")
    css = (PROJECT_ROOT / "lms" / "static" / "css" / "app.css").read_text()
    assert re.search(r'\[dir="rtl"\] \.icon-flip \{ transform: scaleX\(-1\); \}', css)
    assert sprite_icons(app.static_folder) >= DIRECTIONAL_ICONS


def test_an_icon_missing_from_the_sprite_fails_loudly(app):
    with pytest.raises(ValueError, match="no icon 'bel'"):
        _render(app, "{{ icon('bel') }}")


def _template_files():
    yield from (PROJECT_ROOT / "templates").rglob("*.html")
    yield from (PROJECT_ROOT / "lms").rglob("*.html")  # question types and certificate designs keep theirs


def test_every_icon_the_templates_use_is_in_the_sprite(app):
    used = {(path.relative_to(PROJECT_ROOT), name) for path in _template_files()
            for name in ICON_CALL.findall(path.read_text(encoding="utf-8"))}
    assert used  # the grep finds the calls (the ordering question's buttons at least)
    symbols = sprite_icons(app.static_folder)
    assert sorted((str(path), name) for path, name in used if name not in symbols) == []


def test_the_sprite_is_well_formed_and_drawn_on_one_grid():
    root = ElementTree.parse(SPRITE).getroot()
    symbols = root.findall("{http://www.w3.org/2000/svg}symbol")
    ids = [symbol.get("id") for symbol in symbols]
    assert len(ids) == len(set(ids)) >= 20
    assert {"bell", "check", "warning", "download", "print", "certificate", "arrow-next", "arrow-previous", "menu",
            "close", "save", "cloud-off", "drag", "up", "down", "search", "user"} <= set(ids)
    assert {symbol.get("viewBox") for symbol in symbols} == {"0 0 24 24"}
    assert set(ids) == sprite_icons(str(Path(SPRITE).parent))


def test_the_sprite_is_served_as_svg_and_cached_for_a_year(app, client):
    with app.test_request_context("/"):
        url = re.search(r'href="([^"#]+)#', render_template_string("{{ icon('bell') }}")).group(1)
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.mimetype == "image/svg+xml"
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert "no-store" not in response.headers["Cache-Control"]
        assert b'<symbol id="bell"' in response.data
