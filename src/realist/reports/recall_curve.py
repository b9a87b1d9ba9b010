"""The recall curve: relevant records found against records screened, as an SVG figure.

Drawn for a simulation (``realist simulate --plot``) and for a live review's progress. The
diagonal is what screening in random order finds on average; the gap above it is the work
prioritised screening saves. A stop marks where the stopping rule let screening end.
"""

from __future__ import annotations

from collections.abc import Sequence

from realist.reports.svg import FONT_FAMILY, attrs, fmt, text

WIDTH, HEIGHT = 560.0, 360.0
_LEFT, _RIGHT, _TOP, _BOTTOM = 62.0, 20.0, 34.0, 48.0
_MAX_POINTS = 600  # a curve of 100,000 steps drawn with at most this many points


def recall_curve_svg(
    found: Sequence[int],
    total: int,
    relevant: int | None = None,
    *,
    title: str = "Relevant records found",
    stop_at: int | None = None,
) -> str:
    """``found[i]`` is the number of relevant records found after ``i + 1`` screened, out of
    ``total`` records; ``relevant`` (when known, as in a simulation) tops the y axis, else
    the most found so far does."""
    top = max(relevant or 0, found[-1] if found else 0, 1)
    plot_w, plot_h = WIDTH - _LEFT - _RIGHT, HEIGHT - _TOP - _BOTTOM

    def x(screened: float) -> float:
        return _LEFT + plot_w * screened / max(total, 1)

    def y(count: float) -> float:
        return _TOP + plot_h * (1 - count / top)

    step = max(1, len(found) // _MAX_POINTS)
    points = [(0.0, 0.0)] + [(float(i + 1), float(found[i])) for i in range(0, len(found), step)]
    if found and points[-1][0] != len(found):
        points.append((float(len(found)), float(found[-1])))
    path = " ".join(f"{fmt(x(a))},{fmt(y(b))}" for a, b in points)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg"{attrs(width=WIDTH, height=HEIGHT)}'
        f"{attrs(viewBox=f'0 0 {fmt(WIDTH)} {fmt(HEIGHT)}', font_family=FONT_FAMILY)}>",
        f"<rect{attrs(width=WIDTH, height=HEIGHT, fill='white')}/>",
        text(_LEFT, 20.0, title, font_size=14.0, font_weight="bold"),
        f"<line{attrs(x1=_LEFT, y1=y(0), x2=x(total), y2=y(0), stroke='#444')}/>",
        f"<line{attrs(x1=_LEFT, y1=y(0), x2=_LEFT, y2=y(top), stroke='#444')}/>",
    ]
    for share in (0.25, 0.5, 0.75, 1.0):
        parts.append(
            text(x(total * share), y(0) + 16, f"{share:.0%}", font_size=11.0, text_anchor="middle")
        )
    # Whole counts, each at its own height (a quarter of 7 is not a count of records).
    for count in sorted({round(top * share) for share in (0.25, 0.5, 0.75, 1.0)} - {0}):
        parts.append(text(_LEFT - 6, y(count) + 4, str(count), font_size=11.0, text_anchor="end"))
    parts.append(
        text(
            _LEFT + plot_w / 2,
            HEIGHT - 10,
            f"records screened (of {total:,})",
            font_size=12.0,
            text_anchor="middle",
        )
    )
    if relevant:
        parts.append(
            f"<line{attrs(x1=x(0), y1=y(0), x2=x(total), y2=y(relevant), stroke='#999')}"
            ' stroke-dasharray="4 4"><title>random order, on average</title></line>'
        )
    parts.append(f'<polyline{attrs(points=path, fill="none", stroke="#0072B2")} stroke-width="2"/>')
    if stop_at is not None and 0 < stop_at <= total:
        parts.append(
            f"<line{attrs(x1=x(stop_at), y1=y(0), x2=x(stop_at), y2=y(top), stroke='#D55E00')}"
            ' stroke-dasharray="6 3"/>'
        )
        parts.append(
            text(
                x(stop_at) - 4,
                _TOP + 12,
                "stopping rule met",
                font_size=11.0,
                text_anchor="end",
                fill="#D55E00",
            )
        )
    parts.append("</svg>")
    return "".join(parts)
