"""The evidence matrix heat map and the configuration network: SVG content, PNG, escaping."""

from __future__ import annotations

import re

from lxml import etree

from realist.services import queries
from realist.services.reporting import render_report
from realist.store import Store

SVG = "{http://www.w3.org/2000/svg}"


def _svg(store: Store, kind: str, **options: str) -> etree._Element:
    from realist.reports.kinds import Options

    text = render_report(store, kind, "svg", Options(**options)).content
    assert isinstance(text, str)
    return etree.fromstring(text.encode("utf-8"))


def test_heat_map_cells_carry_the_matrix_counts(demo_store: Store) -> None:
    matrix = queries.matrix(demo_store, "intervention")
    root = _svg(demo_store, "evidence-matrix")
    tips = {t.text for t in root.iter(f"{SVG}title")}
    for row in matrix.rows:
        for column in matrix.columns:
            assert f"{row} × {column}: {matrix.count(row, column)}" in tips
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert labels.count("3") >= sum(1 for n in matrix.cells.values() if n == 3)
    assert "NH1 " in labels and "#22" in labels


def test_heat_map_by_documents(demo_store: Store) -> None:
    root = _svg(demo_store, "evidence-matrix", by="documents")
    assert "configurations × documents" in "".join(root.itertext())
    assert "McLeish 2023" in [t.text for t in root.iter(f"{SVG}text")]


def test_network_has_every_configuration_and_struck_dashed_unsupported(demo_store: Store) -> None:
    root = _svg(demo_store, "network")
    groups = [g for g in root.iter(f"{SVG}g") if g.find(f"{SVG}title") is not None]
    hubs = [g for g in groups if re.match(r"^(\d+|N\d|NH\d)  ", g.find(f"{SVG}title").text or "")]
    assert len(hubs) == 34
    for g in hubs:
        ident = (g.find(f"{SVG}title").text or "").split()[0]
        box = g.find(f"{SVG}rect")
        assert box is not None
        struck = g.find(f"{SVG}line") is not None
        dashed = box.get("stroke-dasharray") is not None
        assert struck == dashed == ident.startswith("NH"), ident
    # A context worded alike in configurations 1, 2 and 3 is one node with three lines out.
    tips = [g.find(f"{SVG}title").text for g in groups]
    assert tips.count("a mother who wanted to talk about her feelings") == 1


def test_figures_render_to_png(demo_store: Store) -> None:
    for kind in ("network", "evidence-matrix", "prisma"):
        png = render_report(demo_store, kind, "png").content
        assert isinstance(png, bytes)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_figures_escape_imported_text_and_are_deterministic(hostile_store: Store) -> None:
    for kind in ("network", "evidence-matrix"):
        first = render_report(hostile_store, kind, "svg").content
        assert first == render_report(hostile_store, kind, "svg").content
        assert isinstance(first, str)
        root = etree.fromstring(first.encode("utf-8"))  # well-formed despite the input
        assert not list(root.iter(f"{SVG}script"))
        assert "<script>" not in first
    network = render_report(hostile_store, "network", "svg").content
    assert isinstance(network, str)
    assert "X1  FEELING SAFE ONLINE" in network


def _extent(element: etree._Element) -> tuple[float, float, float, float]:
    """The box a <text> covers (x0, y0, x1, y1), measured as it is drawn: DejaVu Sans
    widths, its anchor, and a rotation about its own point."""
    import math

    from realist.reports.svg import text_width

    size = float(element.get("font-size") or 11)
    bold = element.get("font-weight") == "bold"
    width = text_width(element.text or "", bold, size)
    x, y = float(element.get("x") or 0), float(element.get("y") or 0)
    if element.get("text-anchor") == "middle":
        x -= width / 2
    rotation = re.match(r"rotate\((-?[\d.]+)", element.get("transform") or "")
    if rotation:
        angle = math.radians(float(rotation.group(1)))
        x1, y1 = x + width * math.cos(angle), y + width * math.sin(angle)
        return min(x, x1), min(y, y1) - size, max(x, x1), max(y, y1)
    return x, y - size, x + width, y + size * 0.3


def _all_text_inside(svg: str) -> list[str]:
    root = etree.fromstring(svg.encode("utf-8"))
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    outside = []
    for element in root.iter(f"{SVG}text"):
        x0, y0, x1, y1 = _extent(element)
        if x0 < 0 or y0 < 0 or x1 > width + 0.5 or y1 > height + 0.5:
            outside.append(f"{element.text!r} at ({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f})")
    return outside


def test_heat_map_text_stays_inside_for_long_names(demo_store: Store) -> None:
    """The subtitle and the legend were cut at the canvas's edge; long names too."""
    from dataclasses import replace

    from realist.reports.data import MatrixData
    from realist.reports.heatmap import render_heatmap
    from realist.services.reporting import gather

    data = gather(demo_store)
    long_topic = "A topic whose name goes on " + "and on " * 30
    configurations = [
        replace(c, topic=replace(c.topic, name=f"{long_topic}{c.topic.position}"))
        for c in data.configurations
    ]
    for columns in (("d1",), ("d1", "d2", "d3")):
        labels = {c: "Very long document label " * 8 + c for c in columns}
        matrix = MatrixData("document:key", data.matrices["documents"].rows, columns, {})
        svg = render_heatmap(configurations, matrix, labels)
        assert _all_text_inside(svg) == []
        words = " ".join(" ".join(etree.fromstring(svg.encode("utf-8")).itertext()).split())
        assert "Last column: the configuration's excerpts in all." in words  # wrapped, whole
    demo = render_report(demo_store, "evidence-matrix", "svg").content
    assert isinstance(demo, str) and _all_text_inside(demo) == []


def test_network_text_stays_inside_for_long_topic_names(demo_store: Store) -> None:
    from dataclasses import replace

    from realist.reports.network import render_network
    from realist.services.reporting import gather

    configurations = [
        replace(c, topic=replace(c.topic, name="Topic " + "with a long name " * 12 + c.topic.key))
        for c in gather(demo_store).configurations
    ]
    assert _all_text_inside(render_network(configurations, "A network " * 30)) == []
    demo = render_report(demo_store, "network", "svg").content
    assert isinstance(demo, str) and _all_text_inside(demo) == []
