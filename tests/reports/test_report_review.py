"""The whole-review HTML, the RAMESES checklist, determinism, escaping and the layers."""

from __future__ import annotations

import ast
import csv
import io
import zipfile
from pathlib import Path

import openpyxl
from lxml import html as lxml_html
from report_helpers import zip_names

from realist.reports.kinds import KINDS
from realist.reports.rameses import ITEMS
from realist.services.reporting import render_report, set_rameses_note
from realist.services.reviews import init_review
from realist.store import Store

REPORTS = Path(__file__).parents[2] / "src" / "realist" / "reports"


def test_review_html_holds_every_section_figure_and_the_credit(demo_store: Store) -> None:
    page = render_report(demo_store, "review").content
    assert isinstance(page, str)
    tree = lxml_html.fromstring(page)
    contents = [a.get("href") for a in tree.xpath("//nav[@class='contents']//a")]
    assert contents == [
        "#glance", "#model", "#network", "#matrix", "#cmo", "#interventions",
        "#eligibility", "#search", "#appraisal", "#rameses", "#check",
    ]  # fmt: skip
    for anchor in contents:
        assert tree.get_element_by_id(anchor[1:]) is not None
    assert len(tree.findall(".//figure/svg")) == 3  # network, matrix, PRISMA: inline
    assert "Licensed CC BY 4.0" in tree.xpath("//p[@class='credit']")[0].text_content()
    assert [d.text_content() for d in tree.iter("del")][:2] == [
        "Peers sharing unhelpful ideas",
        "Failure of social relationships",
    ]
    text = tree.text_content()
    assert "Three interventions offered one-to-one support in person" in text
    assert "Identification of new studies via databases and registers" in text
    assert not tree.findall(".//script") and not tree.findall(".//img")


def test_imported_script_renders_as_text_everywhere_in_html(hostile_store: Store) -> None:
    for kind, fmt in (
        ("review", "html"),
        ("model", "html"),
        ("interventions", "html"),
        ("intervention-summary", "html"),
        ("cmo-tables", "html"),
    ):
        page = render_report(hostile_store, kind, fmt).content
        assert isinstance(page, str)
        tree = lxml_html.fromstring(page)
        assert not tree.findall(".//script"), kind
        assert "<script>" not in page.lower()
        assert "alert('x')" in tree.text_content().lower()  # shown as text


def test_rameses_has_19_items_and_says_what_the_data_supplies(demo_store: Store) -> None:
    assert [i.number for i in ITEMS] == list(range(1, 20))
    data = render_report(demo_store, "rameses", "xlsx").content
    assert isinstance(data, bytes)
    sheet = openpyxl.load_workbook(io.BytesIO(data))["RAMESES"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert len(rows) == 19
    assert rows[1]["Status"] == "supplied"  # the title says "realist review"
    assert "CINAHL (database): searched 2020-03" in rows[8]["The data supplies"]
    assert "British Library EThOS" in rows[8]["Still needed"]  # no date recorded
    assert "database results: 5126" in rows[12]["The data supplies"]
    assert rows[12]["Status"] == "partial"  # the paper gives few of the PRISMA counts
    assert rows[19]["Status"] == "missing"
    set_rameses_note(demo_store, 19, "Funding section, p. 14", "jm")
    text = render_report(demo_store, "rameses", "csv").content
    assert isinstance(text, str)
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Item"] == "19")
    assert row["Status"] == "supplied"
    assert row["The data supplies"] == "Note: Funding section, p. 14"


def test_outputs_are_deterministic(demo_store: Store) -> None:
    for kind, k in KINDS.items():
        for fmt in k.formats:
            first = render_report(demo_store, kind, fmt).content
            assert first == render_report(demo_store, kind, fmt).content, (kind, fmt)
            if fmt in ("docx", "xlsx"):
                assert isinstance(first, bytes)
                stamps = {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()}
                assert len(stamps) == 1, (kind, fmt)
                assert "docProps/core.xml" in zip_names(first)


def test_reports_import_neither_services_nor_store_nor_cli() -> None:
    banned = ("realist.services", "realist.store", "realist.cli", "realist.web")
    for path in REPORTS.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(banned), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith(banned), f"{path.name}: {alias.name}"


def test_a_new_empty_review_renders_every_report(db_target: str) -> None:
    store = init_review(db_target, "Peer support <draft>", "me")
    try:
        for kind, k in KINDS.items():
            for fmt in k.formats:
                assert render_report(store, kind, fmt).content, (kind, fmt)
        page = render_report(store, "review").content
        assert isinstance(page, str)
        assert "Peer support &lt;draft&gt;" in page
        summary = render_report(store, "intervention-summary").content
        assert isinstance(summary, str)
        assert summary.startswith("No intervention attributes to summarise yet.")
    finally:
        store.close()
