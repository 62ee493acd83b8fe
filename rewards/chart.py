"""Earnings over time as a server-rendered SVG bar chart: no JavaScript, no inline style (the CSP
forbids both), only SVG presentation attributes and classes from app.css. Pure."""

from html import escape

WIDTH = 720
HEIGHT = 180
PAD_LEFT = 64
PAD_BOTTOM = 24
PAD_TOP = 12


def bar_chart(points: list[tuple[str, float]], *, label: str, unit: str) -> str:
    """`points` are (x label, value ≥ or < 0) oldest first. Returns an <svg> element as text; every
    text in it is escaped. Negative days (reversals) are drawn below the axis."""
    n = max(1, len(points))
    values = [v for _, v in points] or [0.0]
    top = max(max(values), 0.0)
    bottom = min(min(values), 0.0)
    span = (top - bottom) or 1.0
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    zero_y = PAD_TOP + plot_h * top / span
    slot = (WIDTH - PAD_LEFT) / n
    bar_w = max(1.0, slot * 0.7)
    parts = [f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(label)}</title>",
             f'<line x1="{PAD_LEFT}" y1="{zero_y:.1f}" x2="{WIDTH}" y2="{zero_y:.1f}" stroke="#98a2b3" stroke-width="1"/>',
             f'<text x="{PAD_LEFT - 6}" y="{PAD_TOP + 4}" text-anchor="end" font-size="11" fill="#667085">'
             f"{escape(_short(top))} {escape(unit)}</text>",
             f'<text x="{PAD_LEFT - 6}" y="{zero_y + 4:.1f}" text-anchor="end" font-size="11" fill="#667085">0</text>']
    for i, (name, value) in enumerate(points):
        x = PAD_LEFT + i * slot + (slot - bar_w) / 2
        h = plot_h * abs(value) / span
        y = zero_y - h if value >= 0 else zero_y
        colour = "#12b76a" if value >= 0 else "#f04438"
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{colour}">'
                     f"<title>{escape(name)}: {escape(_short(value))} {escape(unit)}</title></rect>")
        if i in (0, len(points) - 1) or (n > 2 and i == n // 2):
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="11" '
                         f'fill="#667085">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _short(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".") if value else "0"
