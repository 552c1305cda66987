"""Bar charts and histograms drawn on the server as SVG: no JavaScript, nothing from a CDN, readable in RTL.

Everything is laid out in logical coordinates (x grows from the inline start) and mirrored for right-to-left
pages, so that in Arabic the bars grow from the right and the labels sit on the right. Each chart is an
`<svg role="img">` with a `<title>`; the page shows the same numbers in a table beside it.
"""
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from markupsafe import Markup

WIDTH = 640
LABEL_WIDTH = 220
VALUE_WIDTH = 70
ROW_HEIGHT = 26
BAR_HEIGHT = 18
PAD = 8


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # 0..maximum
    text: str  # the value as people read it, in the page's digits ("٧٥٪")


class _Canvas:
    def __init__(self, width: int, rtl: bool):
        self.width, self.rtl = width, rtl

    def x(self, logical: float) -> float:
        return round(self.width - logical if self.rtl else logical, 2)

    def rect_x(self, logical: float, width: float) -> float:
        """Left edge of a rectangle spanning [logical, logical + width) from the inline start."""
        return round(self.width - logical - width if self.rtl else logical, 2)


def _svg(width: int, height: int, title: str, body: list[str], rtl: bool, css_class: str) -> Markup:
    title_id = f"chart-{zlib.crc32(title.encode()):08x}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
            f'aria-labelledby="{title_id}" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            f'direction="{"rtl" if rtl else "ltr"}" font-size="13">'
            f'<title id="{title_id}">{escape(title)}</title>')
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704  (every text above went through escape())


def bar_chart(title: str, bars: list[Bar], *, rtl: bool, maximum: float = 100) -> Markup:
    """Horizontal bars, one per row: label at the inline start, then the bar, then its value."""
    canvas = _Canvas(WIDTH, rtl)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PAD
    height = max(len(bars), 1) * ROW_HEIGHT + 2 * PAD
    body = [f'<line x1="{canvas.x(LABEL_WIDTH)}" y1="{PAD}" x2="{canvas.x(LABEL_WIDTH)}" '
            f'y2="{height - PAD}" stroke="#7b868f"/>']
    for n, bar in enumerate(bars):
        top = PAD + n * ROW_HEIGHT
        middle = top + ROW_HEIGHT / 2 + 4
        length = round(span * max(min(bar.value, maximum), 0) / maximum, 2) if maximum else 0
        body.append(f'<text x="{canvas.x(LABEL_WIDTH - PAD)}" y="{middle}" text-anchor="end">'
                    f'{escape(_shorten(bar.label))}</text>')
        body.append(f'<rect class="bar" x="{canvas.rect_x(LABEL_WIDTH, length)}" '
                    f'y="{top + (ROW_HEIGHT - BAR_HEIGHT) / 2}"'
                    f' width="{length}" height="{BAR_HEIGHT}" fill="#1f6f5c" data-value={quoteattr(str(bar.value))}>'
                    f'<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>')
        body.append(f'<text x="{canvas.x(LABEL_WIDTH + length + PAD)}" y="{middle}" text-anchor="start" '
                    f'font-weight="700">{escape(bar.text)}</text>')
    return _svg(WIDTH, height, title, body, rtl, "bar-chart")


def histogram(title: str, bars: list[Bar], *, rtl: bool) -> Markup:
    """Vertical bars side by side (score bins), the first at the inline start; counts above, labels below."""
    width, height, bottom, top_room = WIDTH, 260, 40, 24
    canvas = _Canvas(width, rtl)
    slot = (width - 2 * PAD) / max(len(bars), 1)
    tallest = max((b.value for b in bars), default=0) or 1
    usable = height - bottom - top_room
    body = [f'<line x1="{PAD}" y1="{height - bottom}" x2="{width - PAD}" y2="{height - bottom}" stroke="#7b868f"/>']
    for n, bar in enumerate(bars):
        bar_height = round(usable * bar.value / tallest, 2)
        start = PAD + n * slot + slot * 0.15
        bar_width = round(slot * 0.7, 2)
        centre = canvas.x(PAD + n * slot + slot / 2)
        body.append(f'<rect class="bar" x="{canvas.rect_x(start, bar_width)}" y="{height - bottom - bar_height}" '
                    f'width="{bar_width}" height="{bar_height}" fill="#1f6f5c" data-value={quoteattr(str(bar.value))}>'
                    f'<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>')
        body.append(f'<text x="{centre}" y="{height - bottom - bar_height - 6}" text-anchor="middle" '
                    f'font-weight="700">{escape(bar.text)}</text>')
        body.append(f'<text x="{centre}" y="{height - bottom + 18}" text-anchor="middle">{escape(bar.label)}</text>')
    return _svg(width, height, title, body, rtl, "histogram")


def _shorten(label: str, limit: int = 30) -> str:
    """About 30 characters fit the label column (Latin letters are wider than Arabic ones); the full label stays in
    the bar's <title> and the table beside the chart."""
    return label if len(label) <= limit else label[: limit - 1] + "…"
