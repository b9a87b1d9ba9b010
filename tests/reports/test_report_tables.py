"""CMO, intervention, eligibility and MMAT tables in HTML, DOCX, XLSX and CSV: content checks."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
from report_helpers import SCRIPT, docx_text_runs, pdf_text_of_docx

from realist.domain.appraisal import MMATAnswer
from realist.domain.documents import StudyDesign
from realist.services.documents import appraise_mmat
from realist.services.reporting import render_report
from realist.store import Store

Y = MMATAnswer.YES


def _xlsx(store: Store, kind: str) -> openpyxl.Workbook:
    data = render_report(store, kind, "xlsx").content
    assert isinstance(data, bytes)
    return openpyxl.load_workbook(io.BytesIO(data))


def _csv(store: Store, kind: str) -> list[dict[str, str]]:
    text = render_report(store, kind, "csv").content
    assert isinstance(text, str)
    return list(csv.DictReader(io.StringIO(text)))


def test_cmo_xlsx_has_a_sheet_per_topic_with_every_configuration(demo_store: Store) -> None:
    book = _xlsx(demo_store, "cmo-tables")
    assert book.sheetnames == [
        "Take-up of peer support",
        "Positive impact on mothers",
        "Negative impact on mothers",
    ]
    counts = [book[name].max_row - 1 for name in book.sheetnames]
    assert counts == [13, 11, 10]
    sheet = book["Negative impact on mothers"]
    header = [c.value for c in sheet[1]]
    rows = {
        r[0]: dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows["NH1"]["Final model"] == "struck"
    assert rows["NH1"]["Refuting"] == 1 and rows["NH1"]["Supporting"] == 0
    assert rows["N1"]["Excerpts"] == 6  # a number, not text
    struck_cells = [row[1] for row in sheet.iter_rows(min_row=2) if row[1].font.strike]
    assert [c.value for c in struck_cells] == [
        "Peers sharing unhelpful ideas",
        "Failure of social relationships",
    ]


def test_cmo_csv_and_html_and_docx_agree_on_what_is_struck(demo_store: Store) -> None:
    rows = _csv(demo_store, "cmo-tables")
    assert len(rows) == 34
    assert {r["ID"] for r in rows if r["Final model"] == "struck"} == {"NH1", "NH2"}
    assert rows[0]["Topic"] == "Take-up of peer support"
    mechanisms = next(r["Mechanisms"] for r in rows if r["ID"] == "4")
    assert "Reasoning: feared being judged" in mechanisms
    html = render_report(demo_store, "cmo-tables", "html").content
    assert isinstance(html, str)
    assert "<del>Peers sharing unhelpful ideas</del>" in html
    assert html.count("<del>") == 2
    data = render_report(demo_store, "cmo-tables", "docx").content
    assert isinstance(data, bytes)
    struck = {text for text, strike in docx_text_runs(data) if strike}
    assert struck == {"Peers sharing unhelpful ideas", "Failure of social relationships"}


def test_cmo_docx_opens_in_libreoffice(demo_store: Store, tmp_path: Path) -> None:
    data = render_report(demo_store, "cmo-tables", "docx").content
    assert isinstance(data, bytes)
    text = " ".join(pdf_text_of_docx(data, tmp_path).split())
    assert "Negative impact on mothers" in text
    assert "relative lack of training of volunteers" in text


def test_interventions_xlsx_has_one_row_per_intervention(demo_store: Store) -> None:
    book = _xlsx(demo_store, "interventions")
    sheet = book["Interventions"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["#", "Name", "Documents"]
    assert "format" in header and "country" in header
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == list(range(1, 23))
    six = dict(zip(header, rows[5], strict=True))
    # Author-year citations from each document's record, with the reference number.
    assert six["Documents"] == (
        "Dennis et al. 2009 [64]\nDennis 2010 [65]\nDennis 2013 [66]\nDennis 2014 [67]"
    )
    assert six["format"] == "one_to_one_telephone"


def test_imported_text_that_looks_like_a_formula_stays_text(hostile_store: Store) -> None:
    sheet = _xlsx(hostile_store, "cmo-tables")["Take-up of peer support"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "X1")
    outcome = row[header.index("Outcomes")]
    assert outcome.data_type == "s"
    assert outcome.value == '=HYPERLINK("http://evil")'
    rows = _csv(hostile_store, "cmo-tables")
    assert next(r for r in rows if r["ID"] == "X1")["Outcomes"].startswith("'=")


def test_eligibility_table_one_layout_and_long_csv(demo_store: Store) -> None:
    html = render_report(demo_store, "eligibility", "html").content
    assert isinstance(html, str)
    assert "<th>Dimension</th><th>Inclusion</th><th>Exclusion</th>" in html
    assert "<td>Setting</td>" in html and "Interventions based in the community." in html
    rows = _csv(demo_store, "eligibility")
    assert len(rows) == 19
    assert {r["Kind"] for r in rows} == {"inclusion", "exclusion"}


def test_mmat_table_lists_the_appraisals(demo_store: Store) -> None:
    assert _csv(demo_store, "mmat") == []  # the demo records none
    appraise_mmat(demo_store, "carter-2018", StudyDesign.QUALITATIVE, [Y, Y],
                  [Y, Y, MMATAnswer.NO, Y, MMATAnswer.CANT_TELL], "jm")  # fmt: skip
    rows = _csv(demo_store, "mmat")
    assert len(rows) == 1
    assert rows[0]["Document"] == "Carter et al. 2018 [59]"
    assert rows[0]["Met"] == "3"
    assert [rows[0][str(n)] for n in range(1, 6)] == ["Yes", "Yes", "No", "Yes", "Can't tell"]
    html = render_report(demo_store, "mmat", "html").content
    assert isinstance(html, str)
    assert "1.3. Are the findings adequately derived from the data?" in html


def test_tables_escape_imported_html(hostile_store: Store) -> None:
    for kind in ("cmo-tables", "interventions"):
        html = render_report(hostile_store, kind, "html").content
        assert isinstance(html, str)
        assert "<script>" not in html
        assert "&lt;script&gt;" in html
    md = render_report(hostile_store, "cmo-tables", "md").content
    assert isinstance(md, str)
    assert SCRIPT not in md
