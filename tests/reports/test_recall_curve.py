"""The recall curve's y axis: whole counts, each drawn at the height of its own value."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from realist.reports import recall_curve


@given(st.lists(st.integers(0, 1), min_size=1, max_size=300))
def test_each_count_on_the_y_axis_is_at_its_own_height(labels: list[int]) -> None:
    found = [sum(labels[: i + 1]) for i in range(len(labels))]
    svg = recall_curve.recall_curve_svg(found, len(labels) + 5)
    top = max(found[-1], 1)
    plot_h = recall_curve.HEIGHT - recall_curve._TOP - recall_curve._BOTTOM
    labels_drawn = re.findall(r'<text x="56" y="([0-9.]+)"[^>]*>(\d+)</text>', svg)
    assert labels_drawn, svg
    assert [int(v) for _, v in labels_drawn] == sorted({int(v) for _, v in labels_drawn})
    for y, value in labels_drawn:
        expected = recall_curve._TOP + plot_h * (1 - int(value) / top) + 4
        assert abs(float(y) - expected) < 0.05, (value, y, expected)
