"""The offline verifier's page, service worker and manifest: public, with the content types and the scope that make
the register installable (the verdicts themselves are checked in Chromium: tests/browser/test_scan.py)."""
import json


def test_the_scanning_page_is_public_and_carries_its_words(client):
    response = client.get("/verify/scan")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert 'rel="manifest" href="/verify/manifest.webmanifest"' in page
    assert 'type="file" id="qr-file" accept="image/*"' in page
    assert "/static/vendor/jsQR.js?v=" in page and "/static/vendor/noble-ed25519.js?v=" in page
    texts = json.loads(page.split('id="verifier-texts">')[1].split("</script>")[0])
    assert texts["valid"] == "شهادة سارية" and "%(date)s" in texts["expired_since"]  # Arabic first


def test_the_service_worker_is_served_from_the_register_with_the_files_it_keeps(client):
    response = client.get("/verify/scan.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    worker = response.get_data(as_text=True)
    for kept in ('"/verify/scan"', "/verify/keys.json", "/verify/status/1", "/static/js/verifier.js?v=",
                 "/static/vendor/jsQR.js?v=", "/static/css/app.css?v="):
        assert kept in worker


def test_the_manifest_installs_the_checker_on_its_page(client):
    response = client.get("/verify/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = response.get_json(force=True)
    assert manifest["start_url"] == "/verify/scan" and manifest["scope"] == "/verify/"
    assert manifest["lang"] == "ar" and manifest["dir"] == "rtl" and manifest["icons"]


def test_the_page_kept_offline_names_no_one(client, auth):
    """The service worker keeps this page on the device (a shared tablet in a mobile center): signed in, it still
    shows the header a visitor sees, without the person's name, bell or menu, while other pages show them."""
    user = auth.as_role("hr", full_name_ar="منى الشريف", full_name_latin="Mona Elsherif")
    scan = client.get("/verify/scan").get_data(as_text=True)
    assert user.full_name_ar not in scan and "Mona" not in scan
    assert 'class="bell"' not in scan and 'id="site-menu"' not in scan
    home = client.get("/").get_data(as_text=True)
    assert user.full_name_ar in home and 'class="bell"' in home
