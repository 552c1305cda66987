import re

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
                       '<table class="stack-table">') == 1
    assert shown.count("</table></div>") == 1 and "<code>&lt;table&gt;</code>" in shown


def test_a_tables_cells_are_named_by_their_columns_for_a_phone_to_show_each_row_as_a_card():
    html = render_markdown("| المبدأ | **معناه** & \"مثاله\" |\n|:--|--:|\n| الاحترام | أدب |\n| العدالة |\n", BASE)
    shown = scrollable_tables(html, "جدول")
    row = ['<td data-label="المبدأ" style="text-align:left">',
           '<td data-label="معناه &amp; &#34;مثاله&#34;" style="text-align:right">']
    assert re.findall(r"<td[^>]*>", shown) == row + row  # the second row's missing cell is an empty one
    # No header row, or a table inside a cell: boxed as before, not stacked, nothing named.
    for raw in ("<table><tr><td>أ</td></tr></table>",
                "<table><thead><tr><th>h</th></tr></thead><tbody><tr><td><table><tr><td>x</td></tr></table></td></tr>"
                "</tbody></table>"):
        shown = scrollable_tables(render_markdown(raw, BASE), "جدول")
        assert "stack-table" not in shown and "data-label" not in shown
        assert shown.count('<div class="table-scroll"') == shown.count("</table></div>") == raw.count("<table>")
