"""What the hand-drawn SVG figures share: text measuring and wrapping, escaping, PNG.

Figures are built as strings (as the PRISMA diagram is): no drawing library, so the same
data gives the same bytes on every machine. Text is measured with DejaVu Sans widths (see
:func:`realist.reports.prisma_diagram.text_width`), the font the PNGs are rendered with.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from realist.reports.blocks import xml_safe
from realist.reports.prisma_diagram import text_width

__all__ = [
    "FONT_FAMILY",
    "TOPIC_COLOURS",
    "attrs",
    "fmt",
    "strike",
    "svg_png",
    "text",
    "text_width",
    "topic_colour",
    "wrap",
]

FONT_FAMILY = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif"
ELLIPSIS = "\u2026"


def fmt(value: float) -> str:
    """A coordinate with fixed precision, so float noise never changes the bytes."""
    return f"{value:.1f}".removesuffix(".0")


def attrs(**values: str | float) -> str:
    """XML attributes (``font_size`` → ``font-size``), values quoted and escaped."""
    return "".join(
        f" {k.rstrip('_').replace('_', '-')}="
        + quoteattr(fmt(v) if isinstance(v, float | int) else xml_safe(v))
        for k, v in values.items()
    )


def rect(extra: str = "", **values: str | float) -> str:
    """One ``<rect>``; ``extra`` is raw attributes or content (e.g. a ``<title>`` tip)."""
    if extra.startswith("<"):
        return f"<rect{attrs(**values)}>{extra}</rect>"
    return f"<rect{attrs(**values)}{extra}/>"


def tip(content: str) -> str:
    """A ``<title>`` (a tooltip in browsers), escaped."""
    return f"<title>{escape(xml_safe(content))}</title>"


def text(x: float, y: float, content: str, **extra: str | float) -> str:
    """One ``<text>`` element; the content is escaped (it is often imported text)."""
    return f"<text{attrs(x=x, y=y, **extra)}>{escape(xml_safe(content))}</text>"


def _fit(word: str, width: float, size: float, bold: bool) -> str:
    while word and text_width(word + ELLIPSIS, bold, size) > width:
        word = word[:-1]
    return word.rstrip() + ELLIPSIS


def wrap(
    content: str, width: float, size: float, *, bold: bool = False, max_lines: int = 0
) -> list[str]:
    """Lines of ``content`` no wider than ``width`` px at ``size``; with ``max_lines``, the
    last line ends in an ellipsis when text was cut. A word wider than the line is cut."""
    lines: list[str] = []
    current = ""
    for word in xml_safe(" ".join(content.split())).split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, bold, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while text_width(word, bold, size) > width:
            cut = len(word)
            while cut > 1 and text_width(word[:cut], bold, size) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    if max_lines and len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _fit(lines[max_lines - 1], width, size, bold)]
    return lines


def svg_png(svg: str, scale: float = 2.0) -> bytes:
    """The SVG rasterised to PNG at ``scale`` (resvg with DejaVu Sans; on Debian the text
    needs ``fonts-dejavu-core``)."""
    import resvg_py  # only PNG output needs the rasteriser

    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=svg, zoom=scale, background="white", sans_serif_family="DejaVu Sans"
        )
    )


# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
TOPIC_COLOURS = ("#0072B2", "#009E73", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#8C6D31")


def topic_colour(position: int) -> str:
    """The colour of the topic at ``position`` (topics keep their colour across figures)."""
    return TOPIC_COLOURS[position % len(TOPIC_COLOURS)]


def strike(x: float, y: float, width: float, size: float, colour: str) -> str:
    """A strike-through line over text set at baseline ``y`` (drawn, because SVG renderers
    differ in honouring ``text-decoration``)."""
    mid = y - size * 0.3
    return f'<line{attrs(x1=x, y1=mid, x2=x + width, y2=mid, stroke=colour)} stroke-width="1"/>'
