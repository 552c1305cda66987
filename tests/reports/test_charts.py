"""Server-side SVG charts: well-formed, the right bar lengths, growing from the right in Arabic."""
import xml.etree.ElementTree as ET

from lms.reports import charts
from lms.reports.charts import LABEL_WIDTH, PAD, VALUE_WIDTH, WIDTH, Bar

SVG = "{http://www.w3.org/2000/svg}"
SPAN = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PAD


def _bars(svg) -> list:
    root = ET.fromstring(str(svg))  # noqa: S314  (our own output)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.find(SVG + "title").text
    assert root.get("aria-labelledby") == root.find(SVG + "title").get("id")
    return root, [r for r in root.iter(SVG + "rect") if r.get("class") == "bar"]


def test_bar_lengths_follow_the_values_from_the_left_in_english():
    root, bars = _bars(charts.bar_chart("Completion rate", [Bar("Banha", 50, "50%"), Bar("Shubra", 100, "100%"),
                                                                Bar("<b>x</b> & y", 0, "0%")], rtl=False))
    assert root.get("direction") == "ltr"
    assert [float(b.get("width")) for b in bars] == [SPAN / 2, SPAN, 0]
    assert all(float(b.get("x")) == LABEL_WIDTH for b in bars)
    assert [b.get("data-value") for b in bars] == ["50", "100", "0"]
    texts = [t.text for t in root.iter(SVG + "text")]
    assert "<b>x</b> & y" in texts and "50%" in texts  # escaped in the SVG, read back as text


def test_bars_grow_from_the_right_in_arabic():
    root, bars = _bars(charts.bar_chart("نسبة الإنجاز", [Bar("مركز بنها", 50, "٥٠٪"), Bar("مركز شبرا", 25, "٢٥٪")],
                                        rtl=True))
    assert root.get("direction") == "rtl"
    for bar, value in zip(bars, (50, 25), strict=True):
        width = float(bar.get("width"))
        assert width == SPAN * value / 100
        assert float(bar.get("x")) + width == WIDTH - LABEL_WIDTH  # its start edge touches the axis on the right
    labels = [t for t in root.iter(SVG + "text") if t.text == "مركز بنها"]
    assert float(labels[0].get("x")) > WIDTH - LABEL_WIDTH  # the label sits on the right
    assert "٥٠٪" in [t.text for t in root.iter(SVG + "text")]


def test_histogram_bins_in_order_mirrored_in_arabic():
    bins = [Bar(f"{10 * n}", n, str(n)) for n in range(10)]
    _root, ltr = _bars(charts.histogram("Scores", bins, rtl=False))
    _root, rtl = _bars(charts.histogram("Scores", bins, rtl=True))
    heights = [float(b.get("height")) for b in ltr]
    assert heights == sorted(heights) and heights[0] == 0 and heights[-1] > 0
    assert float(ltr[1].get("x")) < float(ltr[2].get("x"))  # first bin at the left in English
    assert float(rtl[1].get("x")) > float(rtl[2].get("x"))  # and at the right in Arabic


def test_the_overview_page_draws_both_charts_with_the_numbers_in_tables(org, clock, client, auth):
    auth.as_role("hr")
    page = client.get("/manage/reports?course=serving-citizens").text
    assert page.count('role="img"') == 2
    assert "<script" not in page.split("</header>")[1]
    assert 'data-value="50.0"' in page  # Banha: 2 of 4
    assert "٥٠٪" in page and "٣٣٪" in page
    english = client.get("/manage/reports?course=serving-citizens&lang=en")
    assert english.status_code == 200
