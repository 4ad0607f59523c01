"""Small charts drawn on the server as inline SVG: no JavaScript, no build step.

:func:`bars` draws labelled horizontal bars (categories, agencies);
:func:`stacked_columns` draws one column per day stacked by series (channels);
:func:`share` draws a single percentage bar (SLA compliance). Every label is
escaped; the output is markup ready to embed in a page.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
FONT = 'font-family="DejaVu Sans, sans-serif" font-size="12"'


CHANNEL_COLORS = {
    "sms": "#1f77b4",
    "email": "#ff7f0e",
    "telegram": "#2ca02c",
    "twitter": "#d62728",
    "facebook": "#9467bd",
    "walkin": "#8c564b",
    "rss": "#e377c2",
    "open311": "#7f7f7f",
    "whatsapp": "#bcbd22",
    "instagram": "#17becf",
}
"""One colour per channel, whatever the period or the order of the series."""


def color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def series_color(name: str) -> str:
    """A series' own colour: the channel's, else one fixed by the name (never by position)."""
    if name in CHANNEL_COLORS:
        return CHANNEL_COLORS[name]
    return PALETTE[sum(name.encode()) % len(PALETTE)]


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - every label escaped above


def bars(items: list[tuple[str, int]], title: str, width: int = 600) -> Markup:
    """Horizontal bars, one per (label, value), largest first as given."""
    if not items:
        return _empty(title, width)
    row, label_w = 22, 240
    height = row * len(items) + 10
    top = max(value for _, value in items) or 1
    span = width - label_w - 60
    body = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        w = max(1.0, span * value / top)
        body.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(_short(label, 34))}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 6}" '
            f'fill="{color(i)}"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{label_w + w + 5:.1f}" y="{y + 15}">{value}</text>'
        )
    return _svg(width, height, title, body)


def stacked_columns(
    days: list[str],
    series: dict[str, list[int]],
    title: str,
    width: int = 760,
    labels: dict[str, str] | None = None,
) -> Markup:
    """One column per day, stacked by series (each in :func:`series_color`); a legend below.
    ``labels``: what to show for a series' key (a channel's name for its code)."""
    labels = labels or {}
    if not days or not series:
        return _empty(title, width)
    plot_h, left, bottom = 200, 40, 40
    legend_rows = (len(series) + 5) // 6
    height = plot_h + bottom + 20 * legend_rows + 10
    totals = [sum(values[i] for values in series.values()) for i in range(len(days))]
    top = max(totals) or 1
    step = (width - left - 10) / len(days)
    col = max(2.0, step * 0.7)
    body = [
        f'<line x1="{left}" y1="{plot_h + 5}" x2="{width - 5}" y2="{plot_h + 5}" stroke="#999"/>',
        f'<text x="{left - 5}" y="15" text-anchor="end">{top}</text>',
        f'<text x="{left - 5}" y="{plot_h + 5}" text-anchor="end">0</text>',
    ]
    for d, day in enumerate(days):
        x = left + d * step + (step - col) / 2
        y = plot_h + 5.0
        for name, values in series.items():
            h = plot_h * values[d] / top
            if h > 0:
                y -= h
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{col:.1f}" height="{h:.1f}" '
                    f'fill="{series_color(name)}"><title>{escape(day)} '
                    f"{escape(labels.get(name, name))}: {values[d]}"
                    "</title></rect>"
                )
        if len(days) <= 16 or d % max(1, len(days) // 12) == 0:
            body.append(
                f'<text x="{x + col / 2:.1f}" y="{plot_h + 22}" text-anchor="middle">'
                f"{escape(day[5:])}</text>"
            )
    for s, name in enumerate(series):
        lx = left + (s % 6) * 115
        ly = plot_h + bottom + 20 * (s // 6)
        body.append(
            f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{series_color(name)}"/>'
            f'<text x="{lx + 16}" y="{ly}">{escape(labels.get(name, name)[:14])}</text>'
        )
    return _svg(width, height, title, body)


def share(fraction: float | None, title: str, width: int = 520) -> Markup:
    """A percentage bar: green part met, red part missed."""
    if fraction is None:
        return _empty(title, width)
    met = max(0.0, min(1.0, fraction))
    w = width - 80
    body = [
        f'<rect x="0" y="5" width="{w}" height="24" fill="#d62728"/>',
        f'<rect x="0" y="5" width="{w * met:.1f}" height="24" fill="#2ca02c"/>',
        f'<text x="{w + 8}" y="22" font-size="16">{met * 100:.1f}%</text>',
    ]
    return _svg(width, 34, title, body)


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _empty(title: str, width: int) -> Markup:
    return _svg(width, 30, title, ['<text x="0" y="20" fill="#777">Belum ada data.</text>'])
