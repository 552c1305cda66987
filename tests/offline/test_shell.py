"""The installable app: the service worker, the web manifest, the offline page and "This device"."""
import json
import re

from tests import factories


def _sw_constant(text: str, name: str):
    return json.loads(re.search(rf"^const {name} = (.+?)(?:\.map\(.*)?;$", text, re.M).group(1))


def test_the_service_worker_is_served_from_the_root_to_anyone_never_cached_stale(client, db):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.get_data(as_text=True)
    assets = _sw_constant(text, "ASSETS")
    assert any(a.startswith("/static/css/app.css?v=") for a in assets)
    assert any(a.startswith("/static/js/offline/store.js?v=") for a in assets)
    assert _sw_constant(text, "SHELL_PAGES") == ["/offline", "/offline/signin"]  # kept for everyone: public only
    assert _sw_constant(text, "LANGUAGES") == ["ar", "en"]
    assert re.fullmatch(r"[0-9a-f]{12}", _sw_constant(text, "VERSION"))
    assert "{{" not in text and "{%" not in text


def test_the_service_worker_version_changes_with_what_it_keeps(app, client, db, monkeypatch):
    from lms.offline import shell

    before = _sw_constant(client.get("/sw.js").get_data(as_text=True), "VERSION")
    assert _sw_constant(client.get("/sw.js").get_data(as_text=True), "VERSION") == before  # stable between requests
    monkeypatch.setattr(shell, "SHELL_ASSETS", shell.SHELL_ASSETS[:-1])
    assert _sw_constant(client.get("/sw.js").get_data(as_text=True), "VERSION") != before


def test_the_pages_a_new_version_must_not_replace_and_those_never_kept(client, db):
    text = client.get("/sw.js").get_data(as_text=True)
    guarded = [re.compile(p) for p in _sw_constant(text, "GUARDED")]
    not_kept = [re.compile(p) for p in _sw_constant(text, "NOT_KEPT")]
    assert any(p.search("/quiz/attempts/12") for p in guarded)
    assert any(p.search("/offline/exams/3/take") for p in guarded)
    assert not any(p.search("/courses/x/modules/1") for p in guarded)
    for path in ("/manage/users", "/login", "/offline/api/uploads", "/verify/abc", "/hr/roster", "/reports"):
        assert any(p.search(path) for p in not_kept), path
    for path in ("/", "/courses/x", "/courses/x/modules/2", "/offline", "/offline/device"):
        assert not any(p.search(path) for p in not_kept), path


def test_the_manifest_installs_the_app_in_the_visitors_language(client, db):
    body = client.get("/manifest.webmanifest")
    assert body.mimetype == "application/manifest+json"
    data = body.get_json()
    assert (data["lang"], data["dir"], data["display"], data["start_url"]) == ("ar", "rtl", "standalone", "/")
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in data["icons"]}
    for icon in data["icons"]:
        with client.get(icon["src"]) as response:
            assert response.status_code == 200
    client.post("/language", data={"lang": "en", "next": "/"})
    english = client.get("/manifest.webmanifest").get_json()
    assert (english["lang"], english["dir"], english["name"]) == ("en", "ltr", "Technology Centers Training")


def test_the_offline_page_is_public_and_this_device_needs_a_sign_in(client, auth, db):
    page = client.get("/offline")
    assert page.status_code == 200 and "أنت دون اتصال" in page.get_data(as_text=True)
    signin = client.get("/offline/signin").get_data(as_text=True)
    assert 'id="offline-signin"' in signin and "js/offline/signin.js" in signin
    assert client.get("/offline/device").status_code in (302, 401)
    auth.login(factories.UserFactory())
    device = client.get("/offline/device").get_data(as_text=True)
    assert 'id="device-courses"' in device and 'id="offline-exams"' in device


def test_a_device_keeping_pages_asks_for_each_language_in_turn(client, auth, db):
    auth.login(factories.UserFactory())
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)
    english = client.get("/", headers={"X-LMS-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english
    assert '<html lang="ar" dir="rtl">' in client.get("/", headers={"X-LMS-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in client.get("/").get_data(as_text=True)  # the header chose nothing for later


def test_signed_in_pages_link_the_manifest_and_the_course_page_offers_to_keep_the_course(client, auth, db):
    from lms.progress import services as progress

    user = auth.login(factories.UserFactory())
    course = factories.CourseFactory(modules=1)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert 'rel="manifest"' in page and "js/offline/shell.js" in page
    assert 'id="offline-course"' not in page  # only for an enrolled learner
    progress.enroll(user.id, course)
    page = client.get(f"/courses/{course.slug}").get_data(as_text=True)
    assert f'data-manifest="/offline/api/courses/{course.slug}/manifest"' in page
    module = client.get(f"/courses/{course.slug}/modules/1").get_data(as_text=True)
    assert f'data-module="{course.modules[0].id}"' in module
