import pytest

from lms.courses.markdown import render_markdown, scrollable_tables

BASE = "/courses/c/files/"


@pytest.mark.parametrize("source,forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ("<img src=x onerror=alert(1)>", "onerror"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "avascript"),
    ("[x](javascript:alert(1))", 'href="javascript'),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<p style="position:fixed;inset:0">x</p>', "position"),
    ('<svg><script>alert(1)</script></svg>', "alert"),
    ('<form action="https://evil.example"><input name=p></form>', "<form"),
    ('<a href="//evil.example/">x</a>', "evil.example"),
])
def test_dangerous_markup_is_removed(source, forbidden):
    assert forbidden not in render_markdown(source, BASE)


def test_markdown_features_trainers_use_survive():
    source = "## عنوان\n\n- بند\n\n| أ | ب |\n|---|:-:|\n| ١ | ٢ |\n\n**مهم** [رابط](https://example.org)"
    html = render_markdown(source, BASE)
    for fragment in ("<h2>عنوان</h2>", "<li>بند</li>", "<table>", '<th style="text-align:center">ب</th>',
                     "<strong>مهم</strong>", 'href="https://example.org"', 'rel="noopener noreferrer"'):
        assert fragment in html


def test_relative_images_point_at_the_course_files():
    html = render_markdown("![طابور](images/queue.png)", BASE)
    assert 'src="/courses/c/files/images/queue.png"' in html
    assert 'alt="طابور"' in html


def test_a_table_scrolls_in_its_own_named_box_reachable_by_keyboard():
    html = render_markdown("| أ | ب |\n|---|---|\n| ١ | ٢ |\n\n`<table>` in code", BASE)
    shown = scrollable_tables(html, 'جدول "عريض"')
    assert shown.count('<div class="table-scroll" role="region" tabindex="0" aria-label="جدول &#34;عريض&#34;">'
                       '<table>') == 1
    assert shown.count("</table></div>") == 1 and "<code>&lt;table&gt;</code>" in shown
