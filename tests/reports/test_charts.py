"""Server-side SVG charts: well-formed, the right bar lengths, growing from the right in Arabic, labels whole."""
import xml.etree.ElementTree as ET

from lms.reports import charts
from lms.reports.charts import INLINE_LABEL_ROOM, PAD, SPAN, WIDTH, Bar, Series

SVG = "{http://www.w3.org/2000/svg}"
CENTERS_AR = ["المركز التكنولوجي رقم ١ - القليوبية", "المركز التكنولوجي رقم ٢ - القليوبية",
              "المركز التكنولوجي المتنقل رقم ١"]


def _parse(chart) -> tuple:
    root = ET.fromstring(str(chart.svg))  # noqa: S314  (our own output)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.find(SVG + "title").text
    assert root.get("aria-labelledby") == root.find(SVG + "title").get("id")
    assert root.get("viewBox") == f"0 0 {WIDTH} {root.get('height')}"
    return root, [r for r in root.iter(SVG + "rect") if r.get("class") == "bar"]


def _texts(root) -> list[str]:
    return [t.text for t in root.iter(SVG + "text")]


def test_short_labels_sit_beside_bars_whose_lengths_follow_the_values():
    chart = charts.bar_chart("Completion rate", [Bar("Banha", 50, "50%"), Bar("Shubra", 100, "100%"),
                                                 Bar("<b>&", 0, "0%")], rtl=False)
    root, bars = _parse(chart)
    span = SPAN - INLINE_LABEL_ROOM
    assert root.get("direction") == "ltr"
    assert [float(b.get("width")) for b in bars] == [span / 2, span, 0]
    assert all(float(b.get("x")) == PAD + INLINE_LABEL_ROOM for b in bars)
    assert [b.get("data-value") for b in bars] == ["50", "100", "0"]
    assert "<b>&" in _texts(root) and "50%" in _texts(root)  # escaped in the SVG, read back as text
    assert [b.find(SVG + "title").text for b in bars][0] == "Banha: 50%"
    assert all(b.get("fill") == charts.COMPLETED for b in bars)


def test_long_labels_stand_whole_above_their_bars_without_their_shared_beginning():
    chart = charts.bar_chart("نسبة الإنجاز", [Bar(name, 25 * n, f"{25 * n}٪") for n, name in enumerate(CENTERS_AR)],
                             rtl=True)
    root, bars = _parse(chart)
    assert chart.prefix == "المركز التكنولوجي"
    assert {"رقم ١ - القليوبية", "رقم ٢ - القليوبية", "المتنقل رقم ١"} <= set(_texts(root))
    assert not any("…" in text for text in _texts(root))
    tooltips = [g.find(SVG + "title").text for g in root.iter(SVG + "g")]
    assert tooltips[1] == f"{CENTERS_AR[1]}: 25٪"  # the full name in the row's tooltip
    for bar, n in zip(bars, range(3), strict=True):
        width = float(bar.get("width"))
        assert width == SPAN * 25 * n / 100
        assert float(bar.get("x")) + width == WIDTH - PAD  # the bar starts at the right edge in Arabic
    label = next(t for t in root.iter(SVG + "text") if t.text == "المتنقل رقم ١")
    assert float(label.get("x")) == WIDTH - PAD and label.get("text-anchor") == "start"
    assert root.get("direction") == "rtl"


def test_a_label_too_long_for_one_line_wraps_at_spaces():
    name = "Technology Center of the Qalyubia Governorate at the Banha Railway Station Square"
    root, _bars = _parse(charts.bar_chart("Rates", [Bar(name, 40, "40%")], rtl=False))
    lines = [t for t in _texts(root) if t != "40%"]
    assert len(lines) >= 2 and " ".join(lines) == name


def test_histogram_bands_in_order_the_tallest_the_full_span():
    bands = [Bar(f"{10 * n}–{10 * n + 9}", n, str(n)) for n in range(10)]
    root, bars = _parse(charts.histogram("Scores", bands, rtl=False))
    widths = [float(b.get("width")) for b in bars]
    assert widths == sorted(widths) and widths[0] == 0 and widths[-1] == SPAN - INLINE_LABEL_ROOM
    ys = [float(b.get("y")) for b in bars]
    assert ys == sorted(ys)  # the first band on top
    assert all(b.get("fill") == charts.PEOPLE for b in bars)


def test_line_chart_breaks_at_months_without_enrolments_and_mirrors_in_arabic():
    points = [(m, "2026") for m in ("January", "February", "March", "April")]
    series = [Series("Qalyubia", [None, 20.0, 50.0, 75.0], charts.COMPLETED, texts=["", "20%", "50%", "75%"]),
              Series("Banha", [10.0, None, 40.0, None], charts.CENTER, dashed=True, marker="square",
                     texts=["10%", "", "40%", ""])]
    for rtl in (False, True):
        chart = charts.line_chart("Trend", points, series, rtl=rtl, percent=lambda v: f"{v}%")
        root, _bars = _parse(chart)
        lines = list(root.iter(SVG + "polyline"))
        assert len(lines) == 1  # Qalyubia's three months; Banha has no two measured months in a row
        xs = [float(p.split(",")[0]) for p in lines[0].get("points").split()]
        assert xs == (sorted(xs, reverse=True) if rtl else sorted(xs))  # time runs from the inline start
        points_drawn = [p for p in root.iter() if p.get("class") == "point"]
        assert len(points_drawn) == 5
        assert [e.label for e in chart.legend] == ["Qalyubia", "Banha"]
        assert "April" in _texts(root) and "100%" in _texts(root)


def test_the_overview_page_draws_both_charts_with_the_numbers_in_tables(org, clock, client, auth):
    auth.as_role("hr")
    page = client.get("/manage/reports?course=serving-citizens").text
    assert page.count('role="img"') == 2
    assert "<script" not in page.split("</header>")[1]
    assert 'data-value="50.0"' in page  # Banha: 2 of 4
    assert "٥٠٪" in page and "٣٣٪" in page
    assert "/manage/reports/trend" in page  # the trend is one link away
    english = client.get("/manage/reports?course=serving-citizens&lang=en")
    assert english.status_code == 200


def test_the_trend_page_draws_the_governorate_and_the_chosen_center_with_their_table(org, clock, client, auth):
    auth.as_role("hr")
    page = client.get("/manage/reports/trend?center=QLY-BNH").text
    assert page.count('class="chart line-chart"') == 1
    root = ET.fromstring(page.split("<figure", 1)[1].split(">", 1)[1].split("</svg>", 1)[0] + "</svg>")  # noqa: S314
    assert len([p for p in root.iter() if p.get("class") == "point"]) == 4  # March and April, two lines
    assert "مارس" in page and "٢٠٢٦" in page and "٦٠٪" in page and "٣ من ٥" in page
    assert 'class="chart-legend"' in page and "مركز بنها" in page
    assert "<script" not in page.split("</header>")[1]
    client.post("/language", data={"lang": "en"})
    english = client.get("/manage/reports/trend?center=QLY-BNH").text
    assert "March 2026" in english and "60%" in english and "3 of 5" in english
