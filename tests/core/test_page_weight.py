"""Pages stay light for counters and vehicles on poor connections: a first learner page under 150 KB, and under
60 KB compressed as the proxy sends it (bench/page_weight.py weighs every page of every role)."""
import gzip
import re

from tests import factories

LIMIT = 150 * 1024
COMPRESSED_LIMIT = 60 * 1024


def _first_load_bytes(client, url, compress=False):
    """The page and the files it links from /static (stylesheet, scripts, favicon, icon sprite), each once."""
    page = client.get(url)
    assert page.status_code == 200

    def size(body: bytes) -> int:
        return len(gzip.compress(body, compresslevel=6)) if compress else len(body)

    total = size(page.data)
    for asset in set(re.findall(r'(?:href|src)="(/static/[^"#]+)', page.text)):
        with client.get(asset) as response:
            assert response.status_code == 200, asset
            total += size(response.data)
    return total


def test_first_load_of_learner_pages_is_under_150_kb(client, auth, db):
    course = factories.CourseFactory(slug="weight", modules=8)
    course.modules[0].html_ar = "<p>" + "نص الوحدة التدريبية " * 1500 + "</p>"  # a long module, ~30 KB
    db.session.commit()
    auth.as_role("learner")
    client.post("/courses/weight/enrollment")
    for url in ("/", "/courses", "/courses/weight", "/courses/weight/modules/1"):
        assert _first_load_bytes(client, url) < LIMIT, url
        assert _first_load_bytes(client, url, compress=True) < COMPRESSED_LIMIT, url


def test_static_files_are_cached_for_a_long_time(client):
    css = re.search(r'href="(/static/css/app\.css\?v=\w+)"', client.get("/login").text).group(1)
    with client.get(css) as response:
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_stylesheets_are_served_without_their_comments(app, client):
    # 6 KB of comments for the stylesheet's authors went to every counter's first load.
    from pathlib import Path

    css = re.search(r'href="(/static/css/app\.css\?v=\w+)"', client.get("/login").text).group(1)
    with client.get(css) as response:
        served = response.data
        etag = response.headers["ETag"]
        assert response.mimetype == "text/css" and "max-age=31536000" in response.headers["Cache-Control"]
    source = (Path(app.static_folder) / "css" / "app.css").read_bytes()
    assert b"/*" not in served and len(served) < len(source) - 4000
    assert b".skip-link" in served and served.count(b"{") == source.count(b"{")
    with client.get(css, headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
    assert client.get("/static/css/../../config.py").status_code == 404
    assert client.get("/static/css/nothing.css").status_code == 404
