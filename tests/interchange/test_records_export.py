"""Records out as RIS, CSV and XLSX: RIS imports back without loss (decisions included),
the tables have the documented columns and rows, and the same data gives the same bytes."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from realist.domain.screening import CriterionKind, Decision, Stage
from realist.services.imports import import_file
from realist.services.interchange import export_records
from realist.services.reviews import init_review
from realist.services.screening import add_criterion, screen
from realist.store import Store
from realist.store import records as records_repo
from realist.store import screening as screening_repo

IMPORTS = Path(__file__).parents[1] / "fixtures" / "imports"
RIS_FIXTURES = sorted(
    p for p in IMPORTS.glob("*.ris") if p.name not in ("binary.ris", "blank.ris", "empty.ris")
)
DECISION_COLUMNS = [
    "decision", "title_abstract", "title_abstract_votes", "full_text", "full_text_votes",
    "exclusion_reason",
]  # fmt: skip
BASE_COLUMNS = [
    "id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid",
    "issn", "abstract", "keywords", "type", "source", "file", "duplicate_status",
    "duplicate_of",
]  # fmt: skip


@pytest.fixture
def store(db_target: str) -> Store:
    return init_review(db_target, "Records", "ann")


def _records(store: Store) -> list[records_repo.Record]:
    with store.reading() as connection:
        return records_repo.list_records(connection)


def _screened(store: Store) -> Store:
    """Three Scopus and two PubMed-style records, screened by two reviewers."""
    import_file(store, IMPORTS / "scopus.ris", source_name="Scopus")
    import_file(store, IMPORTS / "ovid.ris", source_name="MEDLINE (Ovid)")
    add_criterion(store, "E2", "intervention", CriterionKind.EXCLUSION, "Not peer support", None)
    first, second, third, *_ = [r.id for r in _records(store)]
    assert first and second and third
    screen(store, first, Stage.TITLE_ABSTRACT, Decision.INCLUDE, None)
    screen(store, first, Stage.FULL_TEXT, Decision.EXCLUDE, None, criterion="E2", note="no peers")
    screen(store, second, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None)
    screen(store, third, Stage.TITLE_ABSTRACT, Decision.MAYBE, None)
    return store


@pytest.mark.parametrize("fixture", RIS_FIXTURES, ids=lambda p: p.name)
def test_ris_export_imports_back_without_loss(fixture: Path, tmp_path: Path) -> None:
    first = init_review(str(tmp_path / "first.realist"), "t", "ann")
    import_file(first, fixture)
    export_records(first, tmp_path / "out.ris", "ris")
    second = init_review(str(tmp_path / "second.realist"), "t", "ann")
    import_file(second, tmp_path / "out.ris")
    before, after = _records(first), _records(second)
    assert [r.raw for r in after] == [r.raw for r in before]
    assert [(r.title, r.authors, r.year, r.doi, r.pmid, r.abstract, r.kind) for r in after] == [
        (r.title, r.authors, r.year, r.doi, r.pmid, r.abstract, r.kind) for r in before
    ]


def test_ris_with_decisions_round_trips_the_decisions(store: Store, tmp_path: Path) -> None:
    _screened(store)
    out = tmp_path / "screened.ris"
    export_records(store, out, "ris", with_decisions=True)
    text = out.read_text(encoding="utf-8")
    assert "N1  - Decision: exclude\n" in text
    assert (
        "N1  - Realist full_text: exclude (ann: exclude (E2 Not peer support) - no peers)" in text
    )
    assert "N1  - Exclusion reason: E2 Not peer support\n" in text

    other = init_review(str(tmp_path / "other.realist"), "t", "bo")
    result = import_file(other, out, with_decisions=True)
    assert result.prior_decisions == 3
    with other.reading() as connection:
        imported = {d.record_id: d.decision for d in screening_repo.list_decisions(connection)}
    originals, copies = _records(store), _records(other)
    assert [imported.get(r.id) for r in copies] == [
        Decision.EXCLUDE,
        Decision.EXCLUDE,
        Decision.MAYBE,
        None,
    ]
    for original, copy in zip(originals, copies, strict=True):
        # The record's own fields come first and unchanged; Realist's notes follow them.
        assert copy.raw[: len(original.raw)] == original.raw
        assert all(tag == "N1" for tag, _ in copy.raw[len(original.raw) :])


def test_csv_has_the_documented_columns_and_one_row_per_record(
    store: Store, tmp_path: Path
) -> None:
    _screened(store)
    out = tmp_path / "records.csv"
    export_records(store, out, "csv", with_decisions=True)
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the mark
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == BASE_COLUMNS + DECISION_COLUMNS
    records = _records(store)
    assert [r["id"] for r in rows] == [str(r.id) for r in records]
    assert [r["title"] for r in rows] == [r.title for r in records]
    assert rows[0]["source"] == "Scopus" and rows[0]["file"] == "scopus.ris"
    assert rows[0]["decision"] == "exclude"
    assert rows[0]["title_abstract_votes"] == "ann: include"
    assert rows[0]["exclusion_reason"] == "E2 Not peer support"
    assert rows[2]["decision"] == "maybe"
    assert rows[3]["decision"] == "" and rows[3]["title_abstract"] == ""
    assert rows[0]["authors"] == "; ".join(records[0].authors)

    export_records(store, tmp_path / "plain.csv", "csv")
    plain = list(csv.reader(io.StringIO((tmp_path / "plain.csv").read_text("utf-8-sig"))))
    assert plain[0] == BASE_COLUMNS


def test_csv_decisions_read_back_by_the_importer(store: Store, tmp_path: Path) -> None:
    _screened(store)
    export_records(store, tmp_path / "records.csv", "csv", with_decisions=True)
    other = init_review(str(tmp_path / "other.realist"), "t", "bo")
    result = import_file(other, tmp_path / "records.csv", with_decisions=True)
    assert result.imported == 4 and result.prior_decisions == 3
    assert [r.title for r in _records(other)] == [r.title for r in _records(store)]


def test_xlsx_has_the_same_table(store: Store, tmp_path: Path) -> None:
    _screened(store)
    export_records(store, tmp_path / "records.xlsx", "xlsx", with_decisions=True)
    export_records(store, tmp_path / "records.csv", "csv", with_decisions=True)
    sheet = load_workbook(tmp_path / "records.xlsx").active
    assert sheet.title == "Records"
    cells = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    expected = list(csv.reader(io.StringIO((tmp_path / "records.csv").read_text("utf-8-sig"))))
    assert cells == expected


def test_spreadsheet_cells_never_become_formulas(store: Store, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.ris"
    hostile.write_text('TY  - JOUR\nTI  - =HYPERLINK("http://x","click")\nPY  - 2020\nER  - \n')
    import_file(store, hostile)
    export_records(store, tmp_path / "r.csv", "csv")
    export_records(store, tmp_path / "r.xlsx", "xlsx")
    row = next(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text("utf-8-sig"))))
    assert row["title"] == '\'=HYPERLINK("http://x","click")'
    cell = load_workbook(tmp_path / "r.xlsx").active["B2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","click")'


@pytest.mark.parametrize("fmt", ["ris", "csv", "xlsx"])
def test_same_data_same_bytes(store: Store, tmp_path: Path, fmt: str) -> None:
    _screened(store)
    export_records(store, tmp_path / f"a.{fmt}", fmt, with_decisions=True)
    export_records(store, tmp_path / f"b.{fmt}", fmt, with_decisions=True)
    assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()


def test_duplicate_status_is_shown(store: Store, tmp_path: Path) -> None:
    from realist.services.dedup import deduplicate

    import_file(store, IMPORTS / "scopus.ris", source_name="Scopus")
    import_file(store, IMPORTS / "scopus.ris", source_name="Again", force=True)
    deduplicate(store, None)
    export_records(store, tmp_path / "d.csv", "csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "d.csv").read_text("utf-8-sig"))))
    assert [r["duplicate_status"] for r in rows] == ["keeper", "keeper", "duplicate", "duplicate"]
    assert [r["duplicate_of"] for r in rows[2:]] == [rows[0]["id"], rows[1]["id"]]
    assert [r["source"] for r in rows] == ["Scopus", "Scopus", "Again", "Again"]
