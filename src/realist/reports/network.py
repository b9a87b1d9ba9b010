"""The configuration network: contexts → configurations → mechanisms → outcomes.

Four columns. Each configuration is a node in the second column, grouped and coloured by
topic; its contexts lead into it, and it leads to its mechanisms and on to its outcomes
(straight to its outcomes when it has no mechanism). A context, mechanism or outcome worded
the same in several configurations is one node, so shared parts show as shared. Lines take
the colour of the configuration's topic; an unsupported configuration is grey, dashed and
struck through, NEW ones are in capitals. A configuration recorded without its parts still
has its node, so the figure always shows all of the programme theory.

Layout: configurations are stacked in model order; every other node is placed at the mean
height of what it links to, then pushed down just enough not to overlap (a one-dimensional
barycentre layout: few crossings, and the same data always gives the same drawing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from realist.domain.theory import MechanismKind, ModelStyle, Role
from realist.reports.blocks import xml_safe
from realist.reports.data import ConfigurationData
from realist.reports.svg import (
    FONT_FAMILY,
    attrs,
    fmt,
    rect,
    strike,
    text,
    text_width,
    topic_colour,
    wrap,
)

__all__ = ["render_network"]

MARGIN = 20
WIDTHS = (230.0, 270.0, 240.0, 220.0)  # contexts, configurations, mechanisms, outcomes
GAP = 80.0
NODE_GAP = 6.0
FONT = 11
LINE = 14
PAD = 5
GREY = "#9a9a9a"
KIND_COLOUR = {MechanismKind.RESOURCE: "#4d6a8a", MechanismKind.REASONING: "#9b59b6"}
HEADINGS = ("Contexts", "Configurations", "Mechanisms", "Outcomes")


@dataclass
class _Node:
    column: int
    lines: list[str]
    fill: str = "#ffffff"
    stroke: str = "#b5b5b5"
    bold: bool = False
    struck: bool = False
    stripe: str = ""  # a mechanism's kind
    tip: str = ""
    links: list[_Node] = field(default_factory=list)  # nodes in earlier columns it joins
    supported: bool = False  # linked to at least one supported configuration
    y: float = 0.0

    @property
    def x(self) -> float:
        return MARGIN + sum(WIDTHS[: self.column]) + GAP * self.column

    @property
    def w(self) -> float:
        return WIDTHS[self.column]

    @property
    def h(self) -> float:
        return len(self.lines) * LINE + 2 * PAD

    @property
    def mid(self) -> float:
        return self.y + self.h / 2


def _tint(colour: str, share: float = 0.86) -> str:
    """``colour`` mixed with white (light fills behind dark text)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * share):02x}" for c in rgb)


@dataclass
class _Graph:
    columns: list[list[_Node]] = field(default_factory=lambda: [[], [], [], []])
    parts: dict[tuple[int, str], _Node] = field(default_factory=dict)
    # (start, end, colour, style) -> nodes; style is "", "dashed" (unsupported) or "direct"
    edges: dict[tuple[int, int, str, str], tuple[_Node, _Node]] = field(default_factory=dict)
    groups: list[tuple[str, str, float]] = field(default_factory=list)  # topic label, colour, y

    def part(self, column: int, wording: str, supported: bool) -> _Node:
        key = (column, " ".join(wording.lower().split()))
        node = self.parts.get(key)
        if node is None:
            node = _Node(column, wrap(wording, WIDTHS[column] - 2 * PAD - 4, FONT, max_lines=3))
            node.tip = wording
            self.parts[key] = node
            self.columns[column].append(node)
        node.supported = node.supported or supported
        return node

    def edge(self, start: _Node, end: _Node, colour: str, style: str = "") -> None:
        self.edges.setdefault((id(start), id(end), colour, style), (start, end))
        end.links.append(start)


def _build(configurations: list[ConfigurationData]) -> _Graph:
    graph = _Graph()
    for item in configurations:
        c, struck = item.configuration, item.style is ModelStyle.STRUCK
        colour = GREY if struck else topic_colour(item.topic.position)
        label = f"{item.identifier}  {item.label}"
        hub = _Node(
            1,
            wrap(label, WIDTHS[1] - 2 * PAD - 4, FONT, max_lines=2),
            tip=label,
            fill="#f4f4f4" if struck else _tint(colour),
            stroke=colour,
            bold=item.style is ModelStyle.NEW,
            struck=struck,
            supported=not struck,
        )
        graph.columns[1].append(hub)
        style = "dashed" if struck else ""
        for part in c.of_role(Role.CONTEXT):
            graph.edge(graph.part(0, part.text, not struck), hub, colour, style)
        mechanisms = []
        for part in c.of_role(Role.MECHANISM):
            node = graph.part(2, part.text, not struck)
            node.stripe = KIND_COLOUR.get(part.kind, "") if part.kind else node.stripe
            graph.edge(hub, node, colour, style)
            mechanisms.append(node)
        for part in c.of_role(Role.OUTCOME):
            outcome = graph.part(3, part.text, not struck)
            # Without a mechanism the line passes the mechanism column: dotted, so it is not
            # read as leaving a mechanism it merely crosses.
            for start in mechanisms or [hub]:
                graph.edge(start, outcome, colour, style or ("" if mechanisms else "direct"))
    return graph


def _place(graph: _Graph, configurations: list[ConfigurationData], top: float) -> float:
    """Give every node its height on the page; returns the bottom of the drawing."""
    y, previous = top + 16, None  # below the column headings
    for item, hub in zip(configurations, graph.columns[1], strict=True):
        if item.topic.key != previous:
            y += 8 if previous is not None else 0
            graph.groups.append((item.topic.name, topic_colour(item.topic.position), y + 12))
            y += 20
            previous = item.topic.key
        hub.y = y
        y += hub.h + NODE_GAP
    bottom = y
    for column in (0, 2, 3):
        for node in graph.columns[column]:
            if column == 0:  # contexts lead into hubs: place them by the hubs they feed
                near = [h for h in graph.columns[1] if any(s is node for s in h.links)]
            else:
                near = node.links
            node.y = sum(n.mid for n in near) / len(near) - node.h / 2
        below = top + 16
        for node in sorted(graph.columns[column], key=lambda n: n.y):
            node.y = max(node.y, below)
            below = node.y + node.h + NODE_GAP
        bottom = max(bottom, below)
    return bottom


def _draw_node(node: _Node) -> list[str]:
    dashed = ' stroke-dasharray="5 3"' if node.struck or not node.supported else ""
    stroke = node.stroke if node.supported or node.column == 1 else GREY
    out = [
        f"<g><title>{escape(xml_safe(node.tip))}</title>",
        rect(
            f' rx="4" stroke-width="1.2"{dashed}',
            x=node.x,
            y=node.y,
            width=node.w,
            height=node.h,
            fill=node.fill,
            stroke=stroke,
        ),
    ]
    if node.stripe:
        out.append(
            f'<rect{attrs(x=node.x, y=node.y, width=4, height=node.h, fill=node.stripe)} rx="2"/>'
        )
    ink = "#6b6b6b" if node.struck else "#1b1b1b"
    for i, line in enumerate(node.lines):
        base = node.y + PAD + LINE * i + FONT
        x = node.x + PAD + (4 if node.stripe else 0)
        out.append(text(x, base, line, fill=ink, **({"font_weight": "bold"} if node.bold else {})))
        if node.struck:
            out.append(strike(x, base, text_width(line, node.bold, FONT), FONT, ink))
    out.append("</g>")
    return out


DASHES = {"": "", "dashed": ' stroke-dasharray="5 4"', "direct": ' stroke-dasharray="1.5 3"'}


def _draw_edge(start: _Node, end: _Node, colour: str, style: str) -> str:
    x0, y0, x1, y1 = start.x + start.w, start.mid, end.x, end.mid
    bend = (x1 - x0) * 0.5
    dash = DASHES[style]
    return (
        f'<path d="M{fmt(x0)},{fmt(y0)} C{fmt(x0 + bend)},{fmt(y0)} {fmt(x1 - bend)},{fmt(y1)} '
        f'{fmt(x1)},{fmt(y1)}" fill="none"{attrs(stroke=colour)} stroke-width="1.4" '
        f'stroke-opacity="0.6"{dash}/>'
    )


def _legend(topics: list[tuple[str, str]], y: float, width: float) -> tuple[list[str], float]:
    """The topics' colours (flowing onto further lines within ``width``, long names cut),
    then what line styles and marks mean; returns the drawing and its last baseline."""
    out = []
    rows = [
        [(name, colour, "") for name, colour in topics],
        [
            ("not supported (struck through)", GREY, "dashed"),
            ("no mechanism recorded", GREY, "direct"),
        ],
    ]
    base = y - 20
    for row, items in enumerate(rows):
        x, base = float(MARGIN), base + 20
        for name, colour, style in items:
            name = wrap(name, width - 28, FONT, max_lines=1)[0]
            if x > MARGIN and x + 28 + text_width(name, False, FONT) > MARGIN + width:
                x, base = float(MARGIN), base + 20
            out.append(
                f"<line{attrs(x1=x, y1=base - 4, x2=x + 22, y2=base - 4, stroke=colour)}"
                f' stroke-width="3"{DASHES[style]}/>'
            )
            out.append(text(x + 28, base, name))
            x += 44 + text_width(name, False, FONT)
        if row == 1:
            for kind, colour in KIND_COLOUR.items():
                out.append(f"<rect{attrs(x=x, y=base - 11, width=4, height=14, fill=colour)}/>")
                out.append(text(x + 9, base, f"{kind.value} mechanism"))
                x += 30 + text_width(f"{kind.value} mechanism", False, FONT)
            out.append(text(x, base, "CAPITALS: new", font_weight="bold"))
    return out, base


def render_network(
    configurations: list[ConfigurationData], title: str = "Configuration network"
) -> str:
    """The network as a standalone SVG document (configurations in model order)."""
    graph = _build(configurations)
    width = MARGIN * 2 + sum(WIDTHS) + GAP * 3
    topics: dict[str, str] = {}
    for item in configurations:
        topics.setdefault(item.topic.name, topic_colour(item.topic.position))
    title_lines = wrap(title, width - 2 * MARGIN, 15, bold=True)
    legend_top = MARGIN + 38 + (len(title_lines) - 1) * 19
    legend, legend_bottom = _legend(list(topics.items()), legend_top, width - 2 * MARGIN)
    top = legend_bottom + 34
    bottom = _place(graph, configurations, top)
    height = bottom + MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg"{attrs(width=width, height=height)} '
        f'viewBox="0 0 {fmt(width)} {fmt(height)}" role="img" aria-labelledby="network-title"'
        f"{attrs(font_family=FONT_FAMILY, font_size=FONT)}>",
        f'<title id="network-title">{escape(xml_safe(title))}</title>',
        f"<rect{attrs(width=width, height=height, fill='#ffffff')}/>",
        *(
            text(MARGIN, MARGIN + 14 + i * 19, line, font_size=15, font_weight="bold")
            for i, line in enumerate(title_lines)
        ),
        *legend,
    ]
    for column, heading in enumerate(HEADINGS):
        x = MARGIN + sum(WIDTHS[:column]) + GAP * column
        out.append(text(x, top + 6, heading, font_weight="bold", font_size=12, fill="#444444"))
    for (_, _, colour, style), (start, end) in graph.edges.items():
        out.append(_draw_edge(start, end, colour, style))
    for name, colour, y in graph.groups:
        label = wrap(name, WIDTHS[1], FONT, bold=True, max_lines=1)[0]
        out.append(text(MARGIN + WIDTHS[0] + GAP, y, label, font_weight="bold", fill=colour))
    for nodes in graph.columns:
        for node in nodes:
            out.extend(_draw_node(node))
    out.append("</svg>")
    return "\n".join(out) + "\n"
