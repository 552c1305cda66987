"""The offline verifier (/verify/scan) in Chromium: one visit with a network, then none. Every verdict of the
shared design (valid, expired, revoked, superseded, signature invalid, unknown issuer) from a pasted QR text and
from a picture, each under 300 ms as measured in the page, with the age of the keys and of the status list shown;
Arabic on a phone, English on a desktop; axe-core passes and nothing scrolls sideways."""
import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
import segno
from flask import Response
from playwright.sync_api import Page, expect
from werkzeug.exceptions import NotFound

from tests.browser.conftest import LiveSite, _seed, serving
from tests.browser.test_journey import (  # noqa: F401 (new_page: a fixture)
    PHONE_WIDTH,
    Auditor,
    new_page,
    switch_language,
)
from tests.certificates import qr_signer
from tests.conftest import database_url, make_app

pytestmark = [pytest.mark.browser, pytest.mark.no_db]

CODE = "7F3K9QXM2PLAH4TDK8RW6ZNB"
ISSUER = {"name_ar": "محافظة القليوبية", "name_en": "Qalyubia Governorate"}
FIELDS = {"serial": "QLB-2026-000123", "name_ar": "محمد عبد الرحمن السيد أبو العينين",
          "name_latin": "Mohamed Abdelrahman", "course_title_ar": "أساسيات الحاسب",
          "course_title_en": "Computer basics", "issued": "20241201",
          "expires": "20991201", "status_index": "5", "language": "both"}
STATUSES = {7: 1, 9: 2}  # entry 7 revoked, entry 9 superseded
VIEWS = {"ar-phone": ("ar", {"width": PHONE_WIDTH, "height": 740}),
         "en-desktop": ("en", {"width": 1366, "height": 900})}


@pytest.fixture
def scan_site(tmp_path_factory):
    """The app with a published key set and status list signed by tests/certificates/qr_signer.py (the design's
    format): until the app publishes its own at these addresses, the test app serves these."""
    app = make_app(database_url(tmp_path_factory.mktemp("scan-db"), "scan"))
    slugs = _seed(app)
    key = qr_signer.Key.new()
    now = datetime.now(UTC).replace(microsecond=0)
    keys = qr_signer.key_set([key], ISSUER)
    status = qr_signer.status_list(key, STATUSES, now - timedelta(hours=2), now + timedelta(hours=22))
    views = {"/verify/keys.json": lambda **_: Response(json.dumps(keys), mimetype="application/json"),
             "/verify/status/1": lambda **_: Response(status, mimetype="application/vc+jwt")}
    for path, view in views.items():
        try:
            endpoint = app.url_map.bind("").match(path)[0]
        except NotFound:
            endpoint = None
        if endpoint in (None, "certificates.verify"):  # not published by the app yet: served here
            app.add_url_rule(path, f"scan_test_{path}", view)
        else:
            app.view_functions[endpoint] = view
    with serving(app) as url:
        yield LiveSite(url, app, slugs), key


def _vectors(url: str, key: qr_signer.Key) -> dict[str, str]:
    valid = qr_signer.qr_content(url, CODE, FIELDS, key)
    return {
        "valid": valid,
        "expired": qr_signer.qr_content(url, CODE, {**FIELDS, "expires": "20240101", "issued": "20220101"}, key),
        "revoked": qr_signer.qr_content(url, CODE, {**FIELDS, "status_index": "7"}, key),
        "superseded": qr_signer.qr_content(url, CODE, {**FIELDS, "status_index": "9"}, key),
        "invalid": _changed(valid, 30),  # a letter of the name
        "unknown": qr_signer.qr_content(url, CODE, FIELDS, qr_signer.Key.new()),
        "not_signed": f"{url}/verify/{CODE}",
    }


def _changed(content: str, position: int) -> str:
    """The QR content with one byte of its signed fragment (body + signature) changed."""
    address, fragment = content.split("#1")
    data = bytearray(base64.urlsafe_b64decode(fragment + "=" * (-len(fragment) % 4)))
    data[position] ^= 0x01
    return f"{address}#1{qr_signer.b64url(bytes(data))}"


def _paste(page: Page, text: str, verdict: str) -> float:
    page.locator("#qr-text").fill(text)
    page.locator("#qr-paste-form button[type=submit]").click()
    box = page.locator(f"#verdict[data-verdict='{verdict}']")
    expect(box).to_be_visible()
    return float(box.get_attribute("data-ms"))


@pytest.mark.parametrize("view", VIEWS)
def test_offline_verdicts_after_one_visit(new_page, scan_site, view, tmp_path):  # noqa: F811
    site, key = scan_site
    locale, viewport = VIEWS[view]
    audit = Auditor(view, tmp_path)
    page = new_page(viewport, service_workers="allow")  # the verifier's own worker
    page.goto(f"{site.url}/verify/scan")
    if locale == "en":
        switch_language(page, "en", "ltr")
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.reload()  # now controlled by the service worker, which has kept the page, its files, keys and list
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    assert page.evaluate("() => !!navigator.serviceWorker.controller")
    vectors = _vectors(site.url, key)
    assert _paste(page, vectors["valid"], "valid") < 300

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    list_age = page.locator("#list-age")
    expect(list_age).not_to_have_text(site.text(locale, "No status list is available: revocations cannot be checked."))
    assert "%(" not in list_age.inner_text()
    expect(page.locator("#keys-age")).not_to_have_text(
        site.text(locale, "This page has no issuer keys yet: open it once with a network."))
    audit.check(page)

    timings = {}
    for verdict, text in vectors.items():
        timings[verdict] = _paste(page, text, verdict)
        heading = page.locator("#verdict h2")
        expect(heading).to_have_text(site.text(locale, {
            "valid": "Valid certificate", "expired": "Expired certificate", "revoked": "Revoked certificate",
            "superseded": "Superseded by a newer certificate",
            "invalid": "Signature invalid: this QR code was changed or is not ours", "unknown": "Unknown issuer",
            "not_signed": "This QR code carries no signed certificate. Check its code online."}[verdict]))
        if verdict in ("revoked", "superseded"):
            according = site.text(locale, "According to the status list of %(date)s.").split("%(date)s")[0]
            expect(page.locator("#verdict")).to_contain_text(according.strip())
        if verdict == "valid":
            expect(page.locator("#verdict bdi[lang=ar]").first).to_have_text(FIELDS["name_ar"])
            issued = page.locator("#verdict .cert-facts div").nth(2).locator("dd").inner_text()
            ascii_digits = any("0" <= ch <= "9" for ch in issued)
            indic_digits = any("٠" <= ch <= "٩" for ch in issued)
            assert (indic_digits and not ascii_digits) if locale == "ar" else (ascii_digits and not indic_digits)
            audit.check(page)
    assert max(timings.values()) < 300, timings

    picture = tmp_path / "qr.png"
    segno.make(vectors["revoked"], error="m").save(picture, scale=6, border=4)
    page.locator("#qr-file").set_input_files(picture)
    box = page.locator("#verdict[data-verdict='revoked']")
    expect(box).to_be_visible()
    assert float(box.get_attribute("data-ms")) < 300
    audit.check(page)
    if audit.problems:
        pytest.fail("\n".join([*audit.problems, f"screenshots: {tmp_path}"]), pytrace=False)


def test_every_one_byte_change_of_a_payload_is_rejected(new_page, scan_site):  # noqa: F811
    """Each byte of the fragment (flag, fields, signature) changed in turn: never "valid", and the same check from
    a key that is not published says "unknown issuer"."""
    site, key = scan_site
    page = new_page({"width": 1366, "height": 900})
    page.goto(f"{site.url}/verify/scan")
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    valid = qr_signer.qr_content(site.url, CODE, FIELDS, key)
    length = len(base64.urlsafe_b64decode(valid.split("#1")[1] + "=="))
    changed = [_changed(valid, position) for position in range(length)]
    verdicts = page.evaluate("""async (texts) => {
        const area = document.getElementById("qr-text");
        const form = document.getElementById("qr-paste-form");
        const box = document.getElementById("verdict");
        const seen = [];
        for (const text of [...texts]) {
          box.dataset.verdict = "";
          area.value = text;
          form.requestSubmit();
          while (!box.dataset.verdict) await new Promise((resolve) => setTimeout(resolve, 0));
          seen.push(box.dataset.verdict);
        }
        return seen;
    }""", [valid, *changed])
    assert verdicts[0] == "valid"
    assert "valid" not in verdicts[1:], [i for i, v in enumerate(verdicts[1:]) if v == "valid"]
    assert set(verdicts[1:]) <= {"invalid", "unknown", "not_signed"}
    assert verdicts[1:].count("invalid") > length - 20  # outside the key id and the separators: "signature invalid"
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert not any("noble-ed25519" in url for url in loaded)  # Chromium's WebCrypto did the checking


def test_without_ed25519_in_webcrypto_the_bundled_library_checks(new_page, scan_site):  # noqa: F811
    """A browser whose WebCrypto lacks Ed25519 (older Safari, Firefox before 129): @noble/ed25519, served by the
    app, gives the same verdicts."""
    site, key = scan_site
    page = new_page({"width": PHONE_WIDTH, "height": 740})
    page.add_init_script("""(() => {
        const importKey = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = (format, data, algorithm, ...rest) =>
          (algorithm === "Ed25519" || algorithm?.name === "Ed25519")
            ? Promise.reject(new DOMException("Unrecognized name.", "NotSupportedError"))
            : importKey(format, data, algorithm, ...rest);
    })();""")
    page.goto(f"{site.url}/verify/scan")
    expect(page.locator("#verifier[data-ready=true]")).to_be_attached()
    vectors = _vectors(site.url, key)
    for verdict in ("valid", "revoked", "invalid", "unknown"):
        assert _paste(page, vectors[verdict], verdict) < 300
    loaded = page.evaluate("() => performance.getEntriesByType('resource').map((entry) => entry.name)")
    assert any("/static/vendor/noble-ed25519.js" in url for url in loaded)  # imported by the page itself
