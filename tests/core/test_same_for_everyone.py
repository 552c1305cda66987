"""The field kit's bar (sync status, new version, PIN) is on every signed-in page and holds no one's data: it is
rendered once per language per process (same_for_everyone in lms/core/web.py), not on every page."""
from flask import template_rendered


def _bar_renders(app, work) -> int:
    seen = []

    def record(_sender, template, context, **_extra):
        if template.name == "offline/_bar.html":
            seen.append(template.name)

    template_rendered.connect(record, app)
    try:
        work()
    finally:
        template_rendered.disconnect(record, app)
    return len(seen)


def test_the_bar_is_rendered_once_per_language_and_shown_on_every_page(app, client, as_learner):
    app.extensions.pop("lms_same_for_everyone", None)  # the app is shared by the session's tests
    pages = []

    def browse():
        for language in ("ar", "en", "ar", "en"):
            client.post("/language", data={"lang": language})
            for path in ("/", "/courses"):
                pages.append((language, client.get(path).get_data(as_text=True)))

    assert _bar_renders(app, browse) == 2
    for language, html in pages:
        assert 'id="device-pin"' in html and 'id="sync-status"' in html
        if language == "ar":
            assert "رمزك الشخصي على هذا الجهاز" in html and "Your PIN on this device" not in html
        else:
            assert "Your PIN on this device" in html and "رمزك الشخصي على هذا الجهاز" not in html


def test_signed_out_pages_have_no_bar(app, client):
    assert 'id="device-pin"' not in client.get("/login").get_data(as_text=True)
