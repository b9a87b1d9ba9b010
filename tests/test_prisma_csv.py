"""The PRISMA2020 R package's CSV: written in its layout, read back without loss."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realist.domain.prisma import NO_REASON, PrismaCounts
from realist.errors import InvalidInput
from realist.reports.prisma_csv import COLUMNS, from_prisma2020_csv, to_prisma2020_csv

# Every name the R package's PRISMA_data() reads from the `data` column.
PACKAGE_NAMES = [
    "previous_studies", "previous_reports", "database_results", "database_specific_results",
    "register_results", "register_specific_results", "website_results",
    "organisation_results", "citations_results", "duplicates", "excluded_automatic",
    "excluded_other", "records_screened", "records_excluded", "dbr_sought_reports",
    "dbr_notretrieved_reports", "other_sought_reports", "other_notretrieved_reports",
    "dbr_assessed", "dbr_excluded", "other_assessed", "other_excluded", "new_studies",
    "new_reports", "total_studies", "total_reports", "identification", "screening", "included",
]  # fmt: skip


def rows(text: str) -> dict[str, dict[str, str]]:
    return {row["data"]: row for row in csv.DictReader(io.StringIO(text)) if row["data"] != "NA"}


def test_layout_is_the_packages_template() -> None:
    text = to_prisma2020_csv(PrismaCounts(database_results=5126, new_reports=29))
    assert text.splitlines()[0] == "data,node,box,description,boxtext,tooltips,url,n"
    assert tuple(text.splitlines()[0].split(",")) == COLUMNS
    by_name = rows(text)
    assert set(PACKAGE_NAMES) <= set(by_name)
    assert by_name["database_results"]["n"] == "5126"
    assert by_name["database_results"]["node"] == "node7"
    assert by_name["database_results"]["box"] == "box2"
    assert by_name["new_reports"]["n"] == "29"
    # Unknown is an empty cell (NA to R), never 0.
    assert by_name["records_screened"]["n"] == ""
    assert by_name["dbr_excluded"]["n"] == ""
    # Title rows keep the template's n.
    assert by_name["identification"]["n"] == "0"
    assert "\r" not in text


def test_breakdowns_are_written_as_the_package_splits_them() -> None:
    counts = PrismaCounts(
        database_specific_results={"CINAHL": None, "PubMed": 1234},
        dbr_excluded={"Wrong population": 50, "Wrong design": 3},
        other_excluded={NO_REASON: 7},
    )
    by_name = rows(to_prisma2020_csv(counts))
    assert by_name["database_specific_results"]["n"] == "CINAHL, NA; PubMed, 1234"
    assert by_name["dbr_excluded"]["n"] == "Wrong population, 50; Wrong design, 3"
    assert by_name["other_excluded"]["n"] == "7"  # a bare number: excluded, reasons not given


def test_reads_a_csv_shaped_like_the_shiny_apps_export() -> None:
    text = (
        "\ufeffdata,node,box,description,boxtext,tooltips,url,n\r\n"
        "NA,node6,newstud,Yellow title box,Identification,NA,newstud.html,0\r\n"
        'database_results,node7,box2,Records identified from: Databases,Databases,x,y,"5,126"\r\n'
        'database_specific_results,NA,box2,d,b,NA,u,"Database 1, xxx; Database 2, xxx"\r\n'
        "register_results,NA,box2,Records identified from: Registers,Registers,NA,NA,NA\r\n"
        'dbr_excluded,node14,box9,d,Reports excluded,t,u,"Reason1, 12; Reason2, 1,050"\r\n'
        "other_excluded,node21,box15,d,Reports excluded,t,u,0\r\n"
        "new_studies,node15,box10,d,New studies included in review,t,u, 22 \r\n"
        "some_future_row,NA,box99,d,b,NA,NA,3\r\n"
    )
    counts = from_prisma2020_csv(text)
    assert counts.database_results == 5126
    assert counts.database_specific_results == {"Database 1": None, "Database 2": None}
    assert counts.register_results is None
    assert counts.dbr_excluded == {"Reason1": 12, "Reason2": 1050}
    assert counts.other_excluded == {}
    assert counts.new_studies == 22
    assert counts.records_screened is None  # a row that is missing is unknown


def test_columns_are_found_by_name_not_position() -> None:
    text = "n,data\n17,duplicates\n"
    assert from_prisma2020_csv(text).duplicates == 17


def test_bad_input_is_reported_with_its_line() -> None:
    with pytest.raises(InvalidInput, match=r"line 3 \(duplicates\).*not a whole number"):
        from_prisma2020_csv("data,n\nrecords_screened,4\nduplicates,-3\n")
    with pytest.raises(InvalidInput, match="given twice"):
        from_prisma2020_csv("data,n\nduplicates,1\nduplicates,2\n")
    with pytest.raises(InvalidInput, match="columns"):
        from_prisma2020_csv("what,ever\n1,2\n")
    with pytest.raises(InvalidInput, match=r"line 2 \(database_specific_results\): 'many'"):
        from_prisma2020_csv('data,n\ndatabase_specific_results,"CINAHL, many"\n')


def test_commas_and_semicolons_in_names_survive_as_look_alikes() -> None:
    counts = PrismaCounts(dbr_excluded={"Wrong population, not perinatal; adults": 4})
    text = to_prisma2020_csv(counts)
    cell = rows(text)["dbr_excluded"]["n"]
    # R splits at the first "," and at ";": neither may appear inside the name.
    assert cell.count(",") == 1 and ";" not in cell
    assert from_prisma2020_csv(text) == counts


def test_output_is_deterministic() -> None:
    counts = PrismaCounts(database_specific_results={"B": 1, "A": 2}, dbr_excluded={"x": 1})
    assert to_prisma2020_csv(counts) == to_prisma2020_csv(counts)


COUNT = st.none() | st.integers(min_value=0, max_value=10**7)
NAME = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=0, max_size=30
).filter(lambda s: s == " ".join(s.split()) and not {"\u201a", "\uff1b"} & set(s))
PARTS = st.dictionaries(NAME, COUNT, max_size=5)
COUNT_FIELDS = [
    name
    for name in PrismaCounts.__dataclass_fields__
    if name
    not in {
        "database_specific_results",
        "register_specific_results",
        "website_specific_results",
        "other_sources_specific_results",
        "dbr_excluded",
        "other_excluded",
    }
]


@st.composite
def prisma_counts(draw: st.DrawFn) -> PrismaCounts:
    values: dict[str, object] = {name: draw(COUNT) for name in COUNT_FIELDS}
    for name in ("database_specific_results", "register_specific_results"):
        values[name] = draw(PARTS)
    values["website_specific_results"] = draw(PARTS)
    values["other_sources_specific_results"] = draw(PARTS)
    for name in ("dbr_excluded", "other_excluded"):
        values[name] = draw(st.none() | PARTS)
    return PrismaCounts(**values)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(prisma_counts())
def test_round_trip(counts: PrismaCounts) -> None:
    text = to_prisma2020_csv(counts)
    assert from_prisma2020_csv(text) == counts
    assert to_prisma2020_csv(from_prisma2020_csv(text)) == text
