"""The evidence matrix as a heat map: configurations (rows) × interventions or documents.

Each cell's shade is the number of distinct excerpts coded to the configuration that speak
for that intervention (or come from that document), and the number is written in the cell,
so the figure can be read without judging shades. Rows are grouped by topic (a coloured
band), unsupported configurations are struck through, and a last column gives each
configuration's excerpts in all, so a row of empty cells is visibly "evidence not linked to
a case" rather than "no evidence".
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape

from realist.domain.theory import ModelStyle
from realist.reports.blocks import CellValue, Report, Table, xml_safe
from realist.reports.data import ConfigurationData, MatrixData
from realist.reports.svg import (
    FONT_FAMILY,
    attrs,
    fmt,
    rect,
    strike,
    text,
    text_width,
    tip,
    topic_colour,
    wrap,
)

__all__ = ["matrix_report", "render_heatmap"]

MARGIN = 20
CELL_W, CELL_H = 30, 22
LABEL_W = 300  # row labels: identifier and title
BAND_W = 6
TOPIC_GAP = 10
FONT = 11
# A sequential blue scale (light to dark); level 0 is "no excerpt".
SHADES = ("#f3f4f6", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
MUTED = "#666666"


def _level(n: int, most: int) -> int:
    return 0 if n <= 0 else max(1, math.ceil(n / max(most, 1) * (len(SHADES) - 1)))


HEAD_MAX = 220  # px of a column's name before it is cut (the full name is its tooltip)
ID_MAX = 90  # px of a configuration's identifier
ANGLE = math.radians(55)


def _head_label(column: str, labels: dict[str, str]) -> str:
    return wrap(labels.get(column, column), HEAD_MAX, FONT, max_lines=1)[0]


def _header(columns: list[str], labels: dict[str, str], x0: float, y: float) -> list[str]:
    out = []
    for i, column in enumerate(columns):
        cx = x0 + i * CELL_W + CELL_W / 2 + 4
        out.append(
            text(
                cx,
                y,
                _head_label(column, labels),
                font_size=FONT,
                transform=f"rotate(-55 {fmt(cx)} {fmt(y)})",
            )
        )
    return out


def _lines(x: float, y: float, lines: list[str], size: float, **style: str | float) -> list[str]:
    return [
        text(x, y + i * (size + 4), line, font_size=size, **style) for i, line in enumerate(lines)
    ]


def _row(
    item: ConfigurationData, matrix: MatrixData, columns: list[str], most: int, x0: float, y: float
) -> list[str]:
    struck = item.style is ModelStyle.STRUCK
    colour = MUTED if struck else "#1b1b1b"
    ident = wrap(item.identifier, ID_MAX, FONT, bold=True, max_lines=1)[0] + " "
    id_w = text_width(ident, True, FONT)
    title = wrap(item.label, LABEL_W - id_w - 12, FONT, max_lines=1)[0]
    base = y + CELL_H / 2 + FONT * 0.36
    lx = MARGIN + BAND_W + 6
    out = [
        rect(x=MARGIN, y=y, width=BAND_W, height=CELL_H, fill=topic_colour(item.topic.position)),
        text(lx, base, ident, font_weight="bold", font_size=FONT, fill=colour),
        text(lx + id_w, base, title, font_size=FONT, fill=colour),
    ]
    if struck:
        out.append(strike(lx, base, id_w + text_width(title, False, FONT), FONT, colour))
    for i, column in enumerate(columns):
        n = matrix.count(item.identifier, column)
        level = _level(n, most)
        x = x0 + i * CELL_W
        shade = SHADES[level]
        label = tip(f"{item.identifier} × {column}: {n}")
        out.append(rect(label, x=x + 1, y=y + 1, width=CELL_W - 2, height=CELL_H - 2, fill=shade))
        if n:
            ink = "#ffffff" if level >= 4 else "#1b1b1b"
            out.append(
                text(x + CELL_W / 2, base, str(n), font_size=FONT, text_anchor="middle", fill=ink)
            )
    total = len({e.excerpt_id for e in item.evidence.items})
    tx = x0 + len(columns) * CELL_W + 10
    out.append(text(tx, base, str(total), font_size=FONT, fill=MUTED))
    return out


def _legend(
    most: int, topics: dict[str, tuple[str, int]], x: float, y: float, width: float
) -> tuple[list[str], float]:
    """The shades and the topics' colours, flowing onto further rows within ``width``;
    returns the drawing and the bottom of the last row."""
    left, right = x, x + width
    out = [text(x, y + 12, "Excerpts:", font_size=FONT, fill=MUTED)]
    x += text_width("Excerpts: ", False, FONT) + 4
    steps = sorted({max(1, round(most * k / (len(SHADES) - 1))) for k in range(1, len(SHADES))})
    for n in [0, *steps]:
        level = _level(n, most)
        out.append(f'<rect{attrs(x=x, y=y, width=22, height=16, fill=SHADES[level])} rx="2"/>')
        out.append(
            text(
                x + 11,
                y + 12,
                str(n),
                font_size=10,
                text_anchor="middle",
                fill="#ffffff" if level >= 4 else "#1b1b1b",
            )
        )
        x += 26
    x += 18
    for name, position in topics.values():
        shown = wrap(name, width - 16, FONT, max_lines=1)[0]
        needed = 16 + text_width(shown, False, FONT)
        if x + needed > right and x > left:
            x, y = left, y + 22
        out.append(rect(x=x, y=y + 2, width=BAND_W * 2, height=12, fill=topic_colour(position)))
        out.append(text(x + 16, y + 12, shown, font_size=FONT))
        x += needed + 18
    return out, y + 16


def render_heatmap(
    configurations: list[ConfigurationData],
    matrix: MatrixData,
    labels: dict[str, str] | None = None,
    title: str = "Evidence matrix",
) -> str:
    """The heat map as a standalone SVG document; ``labels`` renames columns (e.g. a
    document key to "Smith 2019 [12]")."""
    labels = labels or {}
    columns = list(matrix.columns)
    most = max(matrix.cells.values(), default=0)
    widths = [text_width(_head_label(c, labels), False, FONT) for c in columns]
    head_h = max(widths, default=20) * math.sin(ANGLE) + 16
    x0 = MARGIN + LABEL_W
    # Rotated names lean right: the canvas reaches past the last one's end.
    reach = max(
        (x0 + i * CELL_W + CELL_W / 2 + 4 + w * math.cos(ANGLE) for i, w in enumerate(widths)),
        default=0.0,
    )
    width = max(x0 + len(columns) * CELL_W + 60 + MARGIN, reach + MARGIN, 720)
    by = "interventions" if matrix.dimension == "intervention" else "documents"
    heading = wrap(f"{title}: configurations \u00d7 {by}", width - 2 * MARGIN, 15, bold=True)
    subtitle = wrap(
        f"Each cell: distinct excerpts coded to the configuration that speak for the "
        f"{by[:-1]}. Last column: the configuration's excerpts in all.",
        width - 2 * MARGIN,
        FONT,
    )
    below_heading = MARGIN + 14 + (len(heading) - 1) * 19
    top = below_heading + 18 + len(subtitle) * (FONT + 4) + head_h
    body: list[str] = []
    y = top
    previous = None
    topics: dict[str, tuple[str, int]] = {}
    for item in configurations:
        if previous is not None and item.topic.key != previous:
            y += TOPIC_GAP
        previous = item.topic.key
        topics.setdefault(item.topic.key, (item.topic.name, item.topic.position))
        body += _row(item, matrix, columns, most, x0, y)
        y += CELL_H
    if not columns:
        body.append(
            text(
                x0,
                top + 14,
                "No excerpt is linked to any of these yet.",
                font_size=FONT,
                fill=MUTED,
            )
        )
    legend, legend_bottom = _legend(most, topics, MARGIN, y + 24, width - 2 * MARGIN)
    height = legend_bottom + MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg"{attrs(width=width, height=height)} '
        f'viewBox="0 0 {fmt(width)} {fmt(height)}" role="img" aria-labelledby="matrix-{by}-title"'
        f"{attrs(font_family=FONT_FAMILY, font_size=FONT)}>",
        f'<title id="matrix-{by}-title">{escape(xml_safe(title))}: configurations × {by}</title>',
        f"<rect{attrs(width=width, height=height, fill='#ffffff')}/>",
        *_lines(MARGIN, MARGIN + 14, heading, 15, font_weight="bold"),
        *_lines(MARGIN, below_heading + 18, subtitle, FONT, fill=MUTED),
        *_header(columns, labels, x0, top - 6),
        text(x0 + len(columns) * CELL_W + 10, top - 6, "All", font_size=FONT, fill=MUTED),
        *body,
        *legend,
        "</svg>",
    ]
    return "\n".join(out) + "\n"


def matrix_report(
    configurations: list[ConfigurationData],
    matrix: MatrixData,
    labels: dict[str, str] | None = None,
) -> Report:
    """The matrix as a table (for CSV, XLSX and JSON): one row per configuration, one
    column per intervention or document, the excerpt counts as numbers."""
    labels = labels or {}
    columns = ("Configuration", *(labels.get(c, c) for c in matrix.columns), "All excerpts")
    rows: list[list[CellValue]] = [
        [
            item.identifier,
            *(matrix.count(item.identifier, c) for c in matrix.columns),
            len({e.excerpt_id for e in item.evidence.items}),
        ]
        for item in configurations
    ]
    return Report(
        "Evidence matrix", [Table.build("Evidence matrix", columns, rows, sheet="Evidence matrix")]
    )
