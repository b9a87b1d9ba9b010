"""The PRISMA 2020 flow diagram: unknowns shown as unknown, names escaped, same bytes each time."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realist.domain.prisma import NO_REASON, PrismaCounts
from realist.reports.prisma_diagram import PAD_X, render_png, render_svg, text_width

SVG = "{http://www.w3.org/2000/svg}"


def reference_review() -> PrismaCounts:
    """What the reference review (McLeish et al. 2023) reports; the rest is unknown."""
    return PrismaCounts(
        database_results=5126,
        database_specific_results={
            "CINAHL": None,
            "PubMed": None,
            "Scopus": None,
            "PsycInfo": None,
        },
        website_specific_results={"British Library EThOS": None},
        organisations_contacted=11,
        new_studies=22,
        new_reports=29,
    )


def boxes(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.attrib["data-box"]: g for g in root.iter(f"{SVG}g") if "data-box" in g.attrib}


def rect(box: ET.Element) -> dict[str, str]:
    found = box.find(f"{SVG}rect")
    assert found is not None
    return found.attrib


def texts(box: ET.Element) -> list[str]:
    return [t.text or "" for t in box.iter(f"{SVG}text")]


def test_unknown_counts_are_shown_as_unknown_not_zero() -> None:
    svg = render_svg(reference_review())
    by_key = boxes(svg)
    screened = by_key["records_screened"]
    assert texts(screened) == ["Records screened (n unknown)"]
    assert "unknown" in screened.attrib["class"].split()
    assert rect(screened)["stroke-dasharray"]
    included = by_key["new_studies"]
    assert "unknown" not in included.attrib["class"].split()
    assert texts(included) == [
        "Studies included in review (n = 22)",
        "Reports of included studies (n = 29)",
    ]
    assert "(n = 0)" not in svg


def test_per_database_and_other_method_lines_appear() -> None:
    by_key = boxes(render_svg(reference_review()))
    identified = texts(by_key["database_results"])
    assert "Databases (n = 5,126)" in identified
    for name in ("CINAHL", "PubMed", "Scopus", "PsycInfo"):
        assert f"{name} (n unknown)" in identified
    other = texts(by_key["website_results"])
    assert "British Library EThOS (n unknown)" in other
    assert "11 contacted" in other
    assert "Citation searching (n unknown)" in other


def test_exclusion_reasons_are_listed_in_their_box() -> None:
    counts = PrismaCounts(
        dbr_excluded={"Wrong population": 50, "Wrong design": 3, NO_REASON: 2},
        other_excluded={},
    )
    by_key = boxes(render_svg(counts))
    assert texts(by_key["dbr_excluded"]) == [
        "Reports excluded:",
        "Wrong population (n = 50)",
        "Wrong design (n = 3)",
        "Reason not recorded (n = 2)",
    ]
    assert texts(by_key["other_excluded"]) == ["Reports excluded (n = 0)"]


def test_untrusted_names_are_escaped() -> None:
    evil = '<script>alert("x")</script> & </text><g onload="x">'
    svg = render_svg(PrismaCounts(database_specific_results={evil: 3}), title="<b>T</b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    # Nothing but the renderer's own elements: the name opened no element of its own.
    assert {el.tag.removeprefix(SVG) for el in root.iter()} <= {
        "svg",
        "title",
        "rect",
        "g",
        "text",
        "polyline",
        "polygon",
    }
    assert not any("onload" in el.attrib for el in root.iter())
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))
    shown = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<script>alert" in shown  # the name is there, as text


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=60), st.none() | st.integers(0, 10**9), max_size=4))
def test_any_name_gives_well_formed_svg(parts: dict[str, int | None]) -> None:
    counts = PrismaCounts(database_specific_results=parts, dbr_excluded=parts)
    ET.fromstring(render_svg(counts, title="".join(parts)))


def test_text_is_wrapped_to_the_box_width_and_boxes_grow_with_it() -> None:
    reasons = {f"Reason {i}: " + "an unusually long exclusion reason " * 3: i for i in range(8)}
    long_name = "x" * 400  # no spaces at all: must still be cut to fit
    svg = render_svg(PrismaCounts(dbr_excluded=reasons, database_specific_results={long_name: 1}))
    by_key = boxes(svg)
    for key, box in by_key.items():
        frame = rect(box)
        width = float(frame["width"])
        for text in box.iter(f"{SVG}text"):
            used = text_width(text.text or "", text.attrib.get("font-weight") == "bold")
            if text.attrib.get("text-anchor") == "middle":
                assert used <= width - 2 * PAD_X, key
            else:
                left = float(text.attrib["x"]) - float(frame["x"])
                assert left + used <= width - PAD_X + 0.5, key
    tall = float(rect(by_key["dbr_excluded"])["height"])
    short = float(rect(boxes(render_svg(PrismaCounts()))["dbr_excluded"])["height"])
    assert tall > 5 * short


def test_layout_has_the_templates_phases_and_columns() -> None:
    svg = render_svg(reference_review(), title="Perinatal peer support")
    root = ET.fromstring(svg)
    phases = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "phase" for t in g]
    assert [p for p in phases if p] == ["Identification", "Screening", "Included"]
    by_key = boxes(svg)
    assert "title_previous" not in by_key and "total_studies" not in by_key
    x = {key: float(rect(box)["x"]) for key, box in by_key.items()}
    y = {key: float(rect(box)["y"]) for key, box in by_key.items()}
    # Databases column on the left, its exclusion boxes to the right, other methods beyond.
    assert x["database_results"] == x["records_screened"] == x["new_studies"]
    assert x["database_results"] < x["duplicates"] < x["website_results"]
    assert x["website_results"] < x["other_excluded"]
    assert y["database_results"] < y["records_screened"] < y["dbr_sought_reports"]
    assert y["dbr_sought_reports"] == y["other_sought_reports"] < y["dbr_assessed"]
    assert y["dbr_assessed"] < y["new_studies"]
    assert "Perinatal peer support" in svg


def test_updated_reviews_get_the_previous_studies_column() -> None:
    counts = PrismaCounts(previous_studies=10, previous_reports=12, new_studies=3, total_studies=13)
    by_key = boxes(render_svg(counts))
    assert texts(by_key["title_previous"]) == ["Previous studies"]
    assert " ".join(texts(by_key["new_studies"])).startswith(
        "New studies included in review (n = 3)"
    )
    assert " ".join(texts(by_key["total_studies"])).startswith(
        "Total studies included in review (n = 13)"
    )


def test_same_counts_give_the_same_bytes() -> None:
    assert render_svg(reference_review(), "T") == render_svg(reference_review(), "T")


def test_png_is_a_real_image(tmp_path: Path) -> None:
    pytest.importorskip("resvg_py")
    path = render_png(reference_review(), tmp_path / "prisma.png")
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 1500 < width < 5000 and 800 < height < 4000
    assert len(data) > 20_000  # text and boxes drawn, not a blank page


def test_reference_review_demo_renders(tmp_path: Path) -> None:
    svg = render_svg(
        reference_review(), title="Community-based perinatal mental health peer support"
    )
    (tmp_path / "prisma-demo.svg").write_text(svg, encoding="utf-8")
    assert "Databases (n = 5,126)" in svg
    assert "Reports of included studies (n = 29)" in svg


def test_other_sources_and_the_other_arms_removals_are_drawn_in_the_other_column() -> None:
    """A source imported as 'other' is not a website; the other-methods arm shows what it
    lost before retrieval, and what still waits, so its boxes add up on the page."""
    counts = PrismaCounts(
        other_sources_results=4,
        other_sources_specific_results={"Hand search": 4},
        other_duplicates=2,
        other_records_excluded=1,
        other_records_awaiting=0,
        other_sought_reports=1,
        records_screened=10,
        records_awaiting=3,
    )
    root = ET.fromstring(render_svg(counts))
    ns = "{http://www.w3.org/2000/svg}"
    boxes = {
        g.get("data-box"): " ".join(t.text or "" for t in g.iter(f"{ns}text"))
        for g in root.iter(f"{ns}g")
        if g.get("data-box")
    }
    other = boxes["website_results"]
    assert "Other sources (n = 4)" in other and "Hand search (n = 4)" in other
    assert "Websites (n unknown)" in other  # not where the hand search went
    assert "Duplicate records removed (n = 2)" in other
    assert "Records excluded on title and abstract (n = 1)" in other
    assert "Awaiting a title and abstract decision" not in other  # 0: nothing to say
    assert "awaiting a decision (n = 3)" in boxes["records_screened"]
