"""Screening decisions brought along from Rayyan, Covidence, EndNote or a spreadsheet."""

from pathlib import Path

import pytest

from realist.domain.records import Record
from realist.importers import parse
from realist.importers.prior_decisions import prior_decision

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def decisions(name: str) -> list[str | None]:
    records = parse((FIXTURES / name).read_bytes(), name).records
    return [prior_decision(r) for r in records]


def test_rayyan_inclusion_notes_with_agreement_and_conflict() -> None:
    assert decisions("rayyan.csv") == ["include", "exclude", "maybe", None]


def test_an_included_column_in_a_spreadsheet() -> None:
    assert decisions("generic.csv") == ["include", "exclude", "maybe"]


def test_endnote_research_notes_and_zotero_html_notes() -> None:
    assert decisions("endnote.xml") == ["include", None]
    assert decisions("zotero.ris") == [None]  # "Included at title/abstract stage" is prose


def test_records_without_decisions() -> None:
    assert decisions("scopus.ris") == [None, None]
    assert decisions("pubmed.nbib") == [None, None]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([("N1", 'RAYYAN-INCLUSION: {"Alice"=>"Included"}')], "include"),
        ([("N1", 'RAYYAN-INCLUSION: {"Alice"=>"Maybe"} | RAYYAN-LABELS: x')], "maybe"),
        ([("N1", "Exported from Rayyan"), ("N1", 'RAYYAN-INCLUSION: {"A"=>"Excluded"}')],
         "exclude"),
        ([("N1", "Decision: Excluded")], "exclude"),
        ([("N1", "Screening decision: include")], "include"),
        ([("N1", "Exclusion reason: Wrong study design")], "exclude"),
        ([("LB", "Included")], "include"),
        ([("Excluded", "yes")], "exclude"),
        ([("Excluded", "no")], "include"),
        ([("Included", "x")], "include"),
        ([("Status", "Final")], None),
        ([("Decision", "Excluded"), ("N1", 'RAYYAN-INCLUSION: {"A"=>"Included"}')], "exclude"),
        ([("KW", "Excluded")], None),  # keywords are subject terms, not decisions
        ([("N1", "Patients were excluded if they had psychosis")], None),
        ([], None),
    ],
)  # fmt: skip
def test_prior_decision_shapes(raw: list[tuple[str, str]], expected: str | None) -> None:
    assert prior_decision(Record(raw=raw)) == expected
