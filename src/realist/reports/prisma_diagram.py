"""The PRISMA 2020 flow diagram as SVG (and PNG), laid out like the official template.

The layout follows the template for new systematic reviews that searched databases, registers
and other sources (Page et al., BMJ 2021;372:n71): phase bars on the left (Identification,
Screening, Included), the databases-and-registers column with its exclusion boxes to the right,
the other-methods column beside it, and, for updated reviews, a previous-studies column first.

The SVG is built as a string: no drawing library, so the bytes are the same on every machine.
Text is measured with DejaVu Sans advance widths (the widest of the fonts named), so wrapped
lines fit their boxes in narrower fallbacks too. Every piece of text is XML-escaped: database
and reason names come from imported files and are untrusted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from realist.domain.prisma import NO_REASON, Breakdown, PrismaCounts
from realist.reports.escaping import xml_text

__all__ = ["render_png", "render_svg"]

FONT_FAMILY = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
FONT_SIZE = 12
TITLE_SIZE = 17
LINE_HEIGHT = 16
PAD_X, PAD_Y = 9, 8
COL_W = 252  # every box column has the template's equal width
SIDE_GAP = 46  # room for the arrow from a main box to its exclusion box
COL_GAP = 32
ROW_GAP = 30
PHASE_W = 30
MARGIN = 20
MAX_NAME = 150  # characters of one untrusted name shown before it is cut

UNKNOWN_TEXT = "#5f5f5f"
BLUE, GOLD, GREY, WHITE = "#bcd2ee", "#ffc125", "#e8e8e8", "#ffffff"

# DejaVu Sans advance widths (per 1000 em) for ASCII 32..126, regular then bold.
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734,
    830, 683, 683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812,
    774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716,
    712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652,
    582, 712, 365, 712, 838,
)  # fmt: skip


@dataclass(frozen=True)
class _Text:
    """One logical line of a box before wrapping."""

    text: str
    indent: int = 0
    unknown: bool = False  # the line states a count that is not known
    counted: bool = False  # the line states a count (known or not)
    bold: bool = False


@dataclass
class _Box:
    key: str
    lines: list[_Text]
    fill: str = WHITE
    rounded: bool = False
    x: float = 0.0
    y: float = 0.0
    w: float = COL_W
    h: float = 0.0
    wrapped: list[tuple[_Text, str]] = field(default_factory=list)

    @property
    def unknown(self) -> bool:
        """All the box's counts are unknown: drawn dashed so nobody reads it as zero."""
        counted = [line for line in self.lines if line.counted]
        return bool(counted) and all(line.unknown for line in counted)

    @property
    def mid_y(self) -> float:
        return self.y + self.h / 2

    @property
    def mid_x(self) -> float:
        return self.x + self.w / 2


def text_width(text: str, bold: bool = False, size: float = FONT_SIZE) -> float:
    """Estimated width in pixels of ``text`` at font ``size`` (the boxes' size by default)."""
    table = _BOLD if bold else _REGULAR
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127:
            total += table[code - 32]
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 1000
        else:
            # An accented letter is as wide as its base letter; anything else gets a wide guess.
            base = unicodedata.normalize("NFKD", ch)[:1]
            total += table[ord(base) - 32] if base and 32 <= ord(base) < 127 else 800
    return total * size / 1000


def _wrap(text: str, width: float, bold: bool = False, size: float = FONT_SIZE) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in filter(None, text.split(" ")):  # not split(): that breaks at no-break spaces
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, bold, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        # A word wider than the box (a long URL or a name with no spaces) is cut anywhere.
        for ch in word:
            if current and text_width(current + ch, bold, size) > width:
                lines.append(current)
                current = ""
            current += ch
    if current or not lines:
        lines.append(current)
    return lines


def _name(raw: str) -> str:
    name = " ".join(xml_text(raw).split())
    return name if len(name) <= MAX_NAME else name[: MAX_NAME - 1] + "\u2026"


def _n(n: int | None) -> str:
    # No-break spaces keep "(n = 5,126)" on one line when the label wraps.
    return "(n\u00a0unknown)" if n is None else f"(n\u00a0=\u00a0{n:,})"


def _count(label: str, n: int | None, indent: int = 0) -> _Text:
    return _Text(f"{label} {_n(n)}", indent, unknown=n is None, counted=True)


def _head(text: str) -> _Text:
    return _Text(text)


def _parts(parts: Breakdown, indent: int = 14) -> list[_Text]:
    return [_count(_name(name), n, indent) for name, n in parts.items()]


def _reasons(parts: Breakdown | None) -> list[_Text]:
    if parts is None:
        return [_count("Reports excluded", None)]
    if not parts:
        return [_count("Reports excluded", 0)]
    if list(parts) == [NO_REASON]:
        return [_count("Reports excluded", parts[NO_REASON])]
    lines = [_head("Reports excluded:")]
    for name, n in parts.items():
        lines.append(_count(_name(name) if name != NO_REASON else "Reason not recorded", n))
    return lines


def _waiting(label: str, n: int | None) -> list[_Text]:
    """A line for what still awaits a decision, only while something does (Realist's own
    boxes of a review in progress; see realist.domain.flow)."""
    return [_count(label, n, 14)] if n else []


def _other_identified(c: PrismaCounts) -> list[_Text]:
    """The other-methods identification box, with Realist's other sources and, since
    Realist screens every record, the records this arm lost before retrieval."""
    other = [_head("Records identified from:"), _count("Websites", c.website_results)]
    other += _parts(c.website_specific_results)
    other.append(_count("Organisations", c.organisation_results))
    if c.organisations_contacted is not None:
        other.append(_Text(f"{c.organisations_contacted:,} contacted", 14))
    other.append(_count("Citation searching", c.citations_results))
    if c.other_sources_results is not None or c.other_sources_specific_results:
        other.append(_count("Other sources", c.other_sources_results))
        other += _parts(c.other_sources_specific_results)
    removed = [
        (label, n)
        for label, n in (
            ("Duplicate records removed", c.other_duplicates),
            ("Records excluded on title and abstract", c.other_records_excluded),
            ("Awaiting a title and abstract decision", c.other_records_awaiting),
        )
        if n
    ]
    if removed:
        other.append(_head("Records removed before retrieval:"))
        other += [_count(label, n, 14) for label, n in removed]
    return other


def _boxes(c: PrismaCounts) -> dict[str, _Box]:
    """Every box of the diagram with its text, before layout."""
    other = _other_identified(c)
    new = "New studies" if c.has_previous else "Studies"
    new_reports = "Reports of new included studies" if c.has_previous else None
    boxes = [
        _Box("database_results", [
            _head("Records identified from:"), _count("Databases", c.database_results),
            *_parts(c.database_specific_results), _count("Registers", c.register_results),
            *_parts(c.register_specific_results)]),
        _Box("duplicates", [
            _head("Records removed before screening:"),
            _count("Duplicate records removed", c.duplicates),
            _count("Records marked as ineligible by automation tools", c.excluded_automatic),
            _count("Records removed for other reasons", c.excluded_other)]),
        _Box("records_screened", [_count("Records screened", c.records_screened),
                                  *_waiting("awaiting a decision", c.records_awaiting)]),
        _Box("records_excluded", [_count("Records excluded", c.records_excluded)]),
        _Box("dbr_sought_reports", [
            _count("Reports sought for retrieval", c.dbr_sought_reports),
            *_waiting("awaiting a full-text decision", c.dbr_awaiting_reports)]),
        _Box("dbr_notretrieved_reports", [
            _count("Reports not retrieved", c.dbr_notretrieved_reports)]),
        _Box("dbr_assessed", [_count("Reports assessed for eligibility", c.dbr_assessed)]),
        _Box("dbr_excluded", _reasons(c.dbr_excluded)),
        _Box("website_results", other, GREY),
        _Box("other_sought_reports", [
            _count("Reports sought for retrieval", c.other_sought_reports),
            *_waiting("awaiting a full-text decision", c.other_awaiting_reports)], GREY),
        _Box("other_notretrieved_reports", [
            _count("Reports not retrieved", c.other_notretrieved_reports)], GREY),
        _Box("other_assessed", [
            _count("Reports assessed for eligibility", c.other_assessed)], GREY),
        _Box("other_excluded", _reasons(c.other_excluded), GREY),
        _Box("new_studies", [
            _count(f"{new} included in review", c.new_studies),
            _count(new_reports or "Reports of included studies", c.new_reports)]),
        _Box("title_dbr", [_Text("Identification of new studies via databases and registers",
                                 bold=True)], GOLD, rounded=True),
        _Box("title_other", [_Text("Identification of new studies via other methods",
                                   bold=True)], GREY, rounded=True),
    ]  # fmt: skip
    if c.has_previous:
        boxes += [
            _Box("title_previous", [_Text("Previous studies", bold=True)], GREY, rounded=True),
            _Box("previous_studies", [
                _count("Studies included in previous version of review", c.previous_studies),
                _count("Reports of studies included in previous version of review",
                       c.previous_reports)], GREY),
            _Box("total_studies", [
                _count("Total studies included in review", c.total_studies),
                _count("Reports of total included studies", c.total_reports)]),
        ]  # fmt: skip
    return {box.key: box for box in boxes}


def _size(box: _Box) -> float:
    """Wrap the box's lines to its width; return the height its text needs."""
    box.wrapped = []
    for line in box.lines:
        room = box.w - 2 * PAD_X - line.indent
        box.wrapped += [(line, part) for part in _wrap(line.text, room, line.bold)]
    return len(box.wrapped) * LINE_HEIGHT + 2 * PAD_Y


def _row(groups: Sequence[Sequence[_Box]], y: float, phase: str = "") -> float:
    """Place a row of boxes, top-aligned at ``y``; return the row's bottom.

    The boxes of a group (a main box and its exclusion box, as in the template) share one
    height; groups do not, so a long list of reasons in one column does not stretch the other.
    A row that is a whole phase is made tall enough for the phase's rotated label.
    """
    label = text_width(phase, bold=True) + 24 if phase else 0
    bottom = y
    for group in groups:
        height = max(label, *(_size(box) for box in group))
        for box in group:
            box.y, box.h = y, height
        bottom = max(bottom, y + height)
    return bottom


@dataclass
class _Layout:
    boxes: dict[str, _Box]
    arrows: list[list[tuple[float, float]]]
    phases: list[tuple[str, float, float]]  # label, top, bottom
    width: float
    height: float
    title_lines: list[str]
    footer_y: float


def _layout(c: PrismaCounts, title: str | None) -> _Layout:
    boxes = _boxes(c)
    b = boxes.__getitem__
    x = MARGIN + PHASE_W + 16
    if c.has_previous:
        for key in ("title_previous", "previous_studies"):
            b(key).x = x
        x += COL_W + COL_GAP
    db_main, db_side = x, x + COL_W + SIDE_GAP
    oth_main = db_side + COL_W + COL_GAP
    oth_side = oth_main + COL_W + SIDE_GAP
    width = oth_side + COL_W + MARGIN
    for column, left in (
        ("database_results records_screened dbr_sought_reports dbr_assessed new_studies "
         "total_studies", db_main),
        ("duplicates records_excluded dbr_notretrieved_reports dbr_excluded", db_side),
        ("website_results other_sought_reports other_assessed", oth_main),
        ("other_notretrieved_reports other_excluded", oth_side),
    ):  # fmt: skip
        for key in column.split():
            if key in boxes:
                b(key).x = left
    for key, left in (("title_dbr", db_main), ("title_other", oth_main)):
        b(key).x, b(key).w = left, 2 * COL_W + SIDE_GAP

    def row(*groups: str, y: float, phase: str = "") -> float:
        # Keys name boxes that may be absent (the previous-studies column of a new review).
        found = [[b(key) for key in group.split() if key in boxes] for group in groups]
        return _row([group for group in found if group], y, phase)

    room = width - 2 * MARGIN
    title_lines = _wrap(xml_text(title), room, True, TITLE_SIZE) if title else []
    y: float = MARGIN + (len(title_lines) * 22 + 10 if title_lines else 0)
    y = row("title_dbr title_other title_previous", y=y) + ROW_GAP - 8
    top_identification = y
    y = row("database_results duplicates", "website_results", "previous_studies", y=y,
            phase="Identification")  # fmt: skip
    phases: list[tuple[str, float, float]] = [("Identification", top_identification, y)]
    top_screening = y + ROW_GAP
    for groups in (
        ["records_screened records_excluded"],
        ["dbr_sought_reports dbr_notretrieved_reports",
         "other_sought_reports other_notretrieved_reports"],
        ["dbr_assessed dbr_excluded", "other_assessed other_excluded"],
    ):  # fmt: skip
        y = row(*groups, y=y + ROW_GAP)
    phases.append(("Screening", top_screening, y))
    top_included = y + ROW_GAP + 8  # room for the elbow from other methods
    y = row("new_studies", y=top_included, phase="" if c.has_previous else "Included")
    if c.has_previous:
        y = row("total_studies", y=y + ROW_GAP)
    phases.append(("Included", top_included, y))

    def down(top: str, bottom: str) -> list[tuple[float, float]]:
        return [(b(top).mid_x, b(top).y + b(top).h), (b(bottom).mid_x, b(bottom).y)]

    def right(left: str, target: str) -> list[tuple[float, float]]:
        return [(b(left).x + b(left).w, b(left).mid_y), (b(target).x, b(target).mid_y)]

    arrows = [
        right("database_results", "duplicates"),
        down("database_results", "records_screened"),
        right("records_screened", "records_excluded"),
        down("records_screened", "dbr_sought_reports"),
        right("dbr_sought_reports", "dbr_notretrieved_reports"),
        down("dbr_sought_reports", "dbr_assessed"),
        right("dbr_assessed", "dbr_excluded"),
        down("dbr_assessed", "new_studies"),
        down("website_results", "other_sought_reports"),
        right("other_sought_reports", "other_notretrieved_reports"),
        down("other_sought_reports", "other_assessed"),
        right("other_assessed", "other_excluded"),
        # Other methods join the included box from the right, as in the template.
        [
            (b("other_assessed").mid_x, b("other_assessed").y + b("other_assessed").h),
            (b("other_assessed").mid_x, b("new_studies").mid_y),
            (b("new_studies").x + COL_W, b("new_studies").mid_y),
        ],
    ]
    if c.has_previous:
        arrows += [
            down("new_studies", "total_studies"),
            [
                (b("previous_studies").mid_x, b("previous_studies").y + b("previous_studies").h),
                (b("previous_studies").mid_x, b("total_studies").mid_y),
                (b("total_studies").x, b("total_studies").mid_y),
            ],
        ]
    return _Layout(boxes, arrows, phases, width, y + 62, title_lines, y + 26)


def _f(v: float) -> str:
    # Fixed precision keeps the output byte-identical whatever the float arithmetic did.
    return f"{v:.1f}".removesuffix(".0")


def _svg_text(x: float, y: float, text: str, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in sorted(attrs.items()))
    return f'<text x="{_f(x)}" y="{_f(y)}"{extra}>{escape(text)}</text>'


def _svg_box(box: _Box) -> Iterator[str]:
    cls = "box unknown" if box.unknown else "box"
    dash = ' stroke-dasharray="6 4"' if box.unknown else ""
    stroke = UNKNOWN_TEXT if box.unknown else "#000000"
    radius = ' rx="10"' if box.rounded else ""
    yield f'<g class="{cls}" data-box="{box.key}">'
    yield (
        f'<rect x="{_f(box.x)}" y="{_f(box.y)}" width="{_f(box.w)}" height="{_f(box.h)}"'
        f'{radius} fill="{box.fill}" stroke="{stroke}" stroke-width="1.2"{dash}/>'
    )
    # Lines sit centred vertically in a box that a taller neighbour stretched.
    y = box.mid_y - len(box.wrapped) * LINE_HEIGHT / 2 + LINE_HEIGHT / 2 + FONT_SIZE * 0.36
    for line, part in box.wrapped:
        attrs: dict[str, str] = {}
        if box.rounded:
            attrs.update(text_anchor="middle", font_weight="bold")
            x = box.mid_x
        else:
            x = box.x + PAD_X + line.indent
        if line.bold:
            attrs["font_weight"] = "bold"
        if line.unknown:
            attrs.update({"class": "unknown", "fill": UNKNOWN_TEXT})
        yield _svg_text(x, y, part.replace("\u00a0", " "), **attrs)
        y += LINE_HEIGHT
    yield "</g>"


def _svg_arrow(points: list[tuple[float, float]]) -> Iterator[str]:
    (x0, y0), (x1, y1) = points[-2], points[-1]
    dx, dy = (x1 > x0) - (x1 < x0), (y1 > y0) - (y1 < y0)  # segments are axis-aligned
    length, half = 9.0, 4.5
    base = (x1 - dx * length, y1 - dy * length)
    path = [*points[:-1], base]
    yield (
        '<polyline points="'
        + " ".join(f"{_f(x)},{_f(y)}" for x, y in path)
        + '" fill="none" stroke="#000000" stroke-width="1.3"/>'
    )
    wings = [(base[0] - dy * half, base[1] + dx * half), (base[0] + dy * half, base[1] - dx * half)]
    head = [(x1, y1), *wings]
    yield '<polygon points="' + " ".join(f"{_f(x)},{_f(y)}" for x, y in head) + '" fill="#000"/>'


def render_svg(counts: PrismaCounts, title: str | None = None) -> str:
    """The PRISMA 2020 flow diagram of ``counts`` as a standalone SVG document.

    Unknown counts read "(n unknown)" in grey, and a box whose counts are all unknown has a
    dashed grey border. Per-database, per-register, per-website and per-reason lines are listed
    inside their boxes. The same counts always give the same bytes.
    """
    lay = _layout(counts, title)
    w, h = _f(lay.width), _f(lay.height)
    label = "PRISMA 2020 flow diagram" + (f": {xml_text(title)}" if title else "")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" role="img" aria-labelledby="prisma-title" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">',
        f'<title id="prisma-title">{escape(label)}</title>',
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>',
    ]
    for i, line in enumerate(lay.title_lines):
        out.append(
            _svg_text(lay.width / 2, MARGIN + 16 + 22 * i, line, font_size=str(TITLE_SIZE),
                      font_weight="bold", text_anchor="middle", **{"class": "title"})
        )  # fmt: skip
    for name, top, bottom in lay.phases:
        cx, cy = MARGIN + PHASE_W / 2, (top + bottom) / 2
        out.append(
            f'<g class="phase"><rect x="{MARGIN}" y="{_f(top)}" width="{PHASE_W}" '
            f'height="{_f(bottom - top)}" rx="8" fill="{BLUE}" stroke="#7d9cc4"/>'
        )
        out.append(
            _svg_text(cx, cy + FONT_SIZE * 0.36, name, font_weight="bold", text_anchor="middle",
                      transform=f"rotate(-90 {_f(cx)} {_f(cy)})")
        )  # fmt: skip
        out.append("</g>")
    for box in lay.boxes.values():
        out.extend(_svg_box(box))
    for points in lay.arrows:
        out.extend(_svg_arrow(points))
    notes = (
        "Dashed boxes and grey lines: counts not known (not zero).",
        "Layout after the PRISMA 2020 flow diagram template: Page MJ et al. BMJ 2021;372:n71.",
    )
    for i, note in enumerate(notes):
        out.append(_svg_text(MARGIN, lay.footer_y + 15 * i, note, font_size="10",
                             fill=UNKNOWN_TEXT, **{"class": "note"}))  # fmt: skip
    out.append("</svg>")
    return "\n".join(out) + "\n"


def render_png(
    counts: PrismaCounts, path: str | Path, title: str | None = None, scale: float = 2.0
) -> Path:
    """Rasterise the diagram to a PNG file at ``scale`` times the SVG's pixel size.

    Uses resvg (PyPI ``resvg-py``, a self-contained wheel) with the system's fonts; on Debian
    the text needs ``fonts-dejavu-core``. Returns the path written.
    """
    import resvg_py  # imported here: only PNG output needs the rasteriser

    png = resvg_py.svg_to_bytes(
        svg_string=render_svg(counts, title),
        zoom=scale,
        background="white",
        sans_serif_family="DejaVu Sans",
    )
    target = Path(path)
    target.write_bytes(bytes(png))
    return target
