"""Bar and line charts drawn on the server as SVG: no JavaScript, nothing from a CDN, readable in RTL and on a phone.

Every chart is drawn on a canvas about a phone's width (WIDTH units) with text of FONT units, and the stylesheet
lets it fill its container up to a bounded width: its text stays between 12 and 18 CSS pixels from a 360 px phone to
a desktop. Layout is in logical coordinates (x grows from the inline start), mirrored for right-to-left pages, so
that in Arabic bars grow from the right and months run from right to left. Labels are whole: the words every label
shares are said once (the chart's caption), the rest wraps at spaces, the full name is in a <title> tooltip and in
the table the page shows beside every chart. Each chart is an `<svg role="img">` with a <title>.
"""
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

from lms.reports.labels import common_prefix, text_width, wrap

WIDTH = 320  # units; the stylesheet scales it to at most 24rem
FONT = 13
LINE = 18  # a label line's height
PAD = 4
BAR_HEIGHT = 16
ROW_GAP = 12
VALUE_ROOM = 48  # after the longest bar: "100%" in bold
SPAN = WIDTH - 2 * PAD - VALUE_ROOM
INLINE_LABEL_ROOM = 72  # short labels (score bands) sit beside their bar instead of above it
AXIS = "#5f6b76"
GRID = "#d3d9de"
TRACK = "#eef0f2"

# One colour, one meaning, on every chart and legend (the stylesheet's --ok is "completed" everywhere).
COMPLETED = "#1d6b33"
PEOPLE = "#4b3f8c"  # a count of people (the score bands)
CENTER = "#9a4d00"  # the chosen technology center beside its governorate


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # 0..maximum
    text: str  # the value as people read it, in the page's digits ("٧٥٪")


@dataclass(frozen=True)
class LegendEntry:
    label: str
    colour: str
    dashed: bool = False
    marker: str = ""  # "circle", "square" or "" (a bar's swatch)


@dataclass(frozen=True)
class Chart:
    svg: Markup
    prefix: str = ""  # the words every label begins with, dropped from the bars and said once in the caption
    legend: tuple[LegendEntry, ...] = ()

    def __html__(self) -> str:
        return str(self.svg)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # 0..100 per point; None: nothing to measure (no line drawn through it)
    colour: str
    dashed: bool = False
    marker: str = "circle"
    texts: list[str] = field(default_factory=list)  # each value as people read it, for the points' tooltips


class _Canvas:
    def __init__(self, width: int, rtl: bool):
        self.width, self.rtl = width, rtl

    def x(self, logical: float) -> float:
        return round(self.width - logical if self.rtl else logical, 2)

    def rect_x(self, logical: float, width: float) -> float:
        """Left edge of a rectangle spanning [logical, logical + width) from the inline start."""
        return round(self.width - logical - width if self.rtl else logical, 2)


def _svg(height: float, title: str, body: list[str], rtl: bool, css_class: str) -> Markup:
    title_id = f"chart-{zlib.crc32((css_class + title).encode()):08x}"
    height = round(height)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
            f'aria-labelledby="{title_id}" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
            f'direction="{"rtl" if rtl else "ltr"}" font-size="{FONT}">'
            f'<title id="{title_id}">{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  (every text above went through escape())


def _text(x: float, y: float, content: str, anchor: str = "start", bold: bool = False) -> str:
    weight = ' font-weight="700"' if bold else ""
    return f'<text x="{x}" y="{round(y, 2)}" text-anchor="{anchor}"{weight}>{escape(content)}</text>'


def bar_chart(title: str, bars: list[Bar], *, rtl: bool, maximum: float = 100, colour: str = COMPLETED,
              css_class: str = "bar-chart") -> Chart:
    """Horizontal bars, one per row. Short labels sit at the inline start of their bar; longer ones stand whole
    above it, wrapped at spaces, without the words they all begin with."""
    canvas = _Canvas(WIDTH, rtl)
    prefix, labels = common_prefix([bar.label for bar in bars])
    inline = all(text_width(label, FONT) <= INLINE_LABEL_ROOM - PAD for label in labels)
    start = PAD + (INLINE_LABEL_ROOM if inline else 0)
    span = WIDTH - start - PAD - VALUE_ROOM
    body, y = [], PAD
    for bar, label in zip(bars, labels, strict=True):
        row = [f"<title>{escape(bar.label)}: {escape(bar.text)}</title>"]
        if inline:
            bar_top = y
            row.append(_text(canvas.x(PAD), bar_top + BAR_HEIGHT - 3, label))
        else:
            lines = wrap(label, WIDTH - 2 * PAD, FONT)
            for n, line in enumerate(lines):
                row.append(_text(canvas.x(PAD), y + (n + 1) * LINE - 5, line))
            bar_top = y + len(lines) * LINE
        length = round(span * max(min(bar.value, maximum), 0) / maximum, 2) if maximum else 0
        row.append(f'<rect x="{canvas.rect_x(start, span)}" y="{bar_top}" width="{span}" height="{BAR_HEIGHT}" '
                   f'fill="{TRACK}"/>')
        row.append(f'<rect class="bar" x="{canvas.rect_x(start, length)}" y="{bar_top}" width="{length}" '
                   f'height="{BAR_HEIGHT}" fill="{colour}" data-value={quoteattr(str(bar.value))}>'
                   f'<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>')
        row.append(_text(canvas.x(start + span + 6), bar_top + BAR_HEIGHT - 3, bar.text, bold=True))
        body.append(f'<g class="chart-row">{"".join(row)}</g>')
        y = bar_top + BAR_HEIGHT + ROW_GAP
    return Chart(_svg(max(y - ROW_GAP + PAD, 2 * PAD), title, body, rtl, css_class), prefix)


def histogram(title: str, bars: list[Bar], *, rtl: bool) -> Chart:
    """How many people fall in each band, one bar per band in order, the longest bar the full width."""
    tallest = max((b.value for b in bars), default=0) or 1
    return bar_chart(title, bars, rtl=rtl, maximum=tallest, colour=PEOPLE, css_class="bar-chart histogram")


# --- line chart -------------------------------------------------------------------------------------------------

PLOT_TOP = 10
PLOT_HEIGHT = 150
Y_LABEL_ROOM = 44  # "١٠٠٪" at the inline start
TICKS = (0, 25, 50, 75, 100)


def line_chart(title: str, points: list[tuple[str, str]], series: list[Series], *, rtl: bool,
               percent: Callable[[float], str]) -> Chart:
    """Rates (0..100) over time, the first point at the inline start. `points` are each point's label in two
    lines (a month, its year); a few are written under the axis, spaced so they never overlap."""
    canvas = _Canvas(WIDTH, rtl)
    widest = max((text_width(line, FONT) for pair in points for line in pair), default=0)
    # The latest point's label is centred under it: the plot stops half a label short of the edge.
    left, right = Y_LABEL_ROOM, WIDTH - PAD - max(8, round(widest / 2))
    bottom = PLOT_TOP + PLOT_HEIGHT
    step = (right - left) / max(len(points) - 1, 1)

    def px(n: int) -> float:
        return canvas.x(left + n * step if len(points) > 1 else (left + right) / 2)

    def py(value: float) -> float:
        return round(bottom - PLOT_HEIGHT * max(min(value, 100), 0) / 100, 2)

    body = []
    for tick in TICKS:
        body.append(f'<line x1="{canvas.x(left)}" x2="{canvas.x(right)}" y1="{py(tick)}" y2="{py(tick)}" '
                    f'stroke="{AXIS if tick == 0 else GRID}"/>')
        body.append(_text(canvas.x(left - 6), py(tick) + 4, percent(tick), anchor="end"))
    every = max(1, math.ceil((widest + 8) / step)) if len(points) > 1 else 1
    for n, (first, second) in enumerate(points):
        if (len(points) - 1 - n) % every:  # the latest point always keeps its label
            continue
        body.append(f'<line x1="{px(n)}" x2="{px(n)}" y1="{bottom}" y2="{bottom + 4}" stroke="{AXIS}"/>')
        body.append(_text(px(n), bottom + 4 + LINE - 4, first, anchor="middle"))
        body.append(_text(px(n), bottom + 4 + 2 * LINE - 4, second, anchor="middle"))
    for s in series:
        body.append(_series(s, px, py, points))
    height = bottom + 4 + 2 * LINE + PAD
    legend = tuple(LegendEntry(s.name, s.colour, s.dashed, s.marker) for s in series)
    return Chart(_svg(height, title, body, rtl, "line-chart"), legend=legend)


def _series(s: Series, px, py, points) -> str:
    """A polyline through each run of measured points (a month with nothing to measure breaks the line), and a
    marker on every point, each with its value as a tooltip."""
    dash = ' stroke-dasharray="6 4"' if s.dashed else ""
    runs, run = [], []
    for n, value in enumerate(s.values):
        if value is None:
            runs.append(run)
            run = []
        else:
            run.append(f"{px(n)},{py(value)}")
    runs.append(run)
    parts = [f'<polyline points="{" ".join(r)}" fill="none" stroke="{s.colour}" stroke-width="2.5"{dash}/>'
             for r in runs if len(r) > 1]
    for n, value in enumerate(s.values):
        if value is None:
            continue
        tip = f"<title>{escape(s.name)}, {escape(' '.join(points[n]))}: {escape(s.texts[n] if s.texts else '')}</title>"
        x, y = px(n), py(value)
        if s.marker == "square":
            parts.append(f'<rect class="point" x="{x - 4}" y="{y - 4}" width="8" height="8" fill="{s.colour}" '
                         f'data-value={quoteattr(str(value))}>{tip}</rect>')
        else:
            parts.append(f'<circle class="point" cx="{x}" cy="{y}" r="4" fill="{s.colour}" '
                         f'data-value={quoteattr(str(value))}>{tip}</circle>')
    return f'<g class="series">{"".join(parts)}</g>'
