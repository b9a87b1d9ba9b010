"""PRISMA 2020 counts: unknown is not zero, and the arithmetic of the flow is checked."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from realist.domain.prisma import NO_REASON, PrismaCounts, breakdown_total, consistency_problems


def consistent() -> PrismaCounts:
    """A complete, internally consistent updated review."""
    return PrismaCounts(
        previous_studies=10,
        previous_reports=12,
        database_results=1000,
        database_specific_results={"MEDLINE": 600, "Embase": 400},
        register_results=50,
        register_specific_results={"ClinicalTrials.gov": 50},
        website_results=20,
        website_specific_results={"EThOS": 20},
        organisation_results=5,
        organisations_contacted=11,
        citations_results=15,
        duplicates=300,
        excluded_automatic=40,
        excluded_other=10,
        records_screened=700,
        records_excluded=600,
        dbr_sought_reports=100,
        dbr_notretrieved_reports=4,
        dbr_assessed=96,
        dbr_excluded={"Wrong population": 60, "Wrong design": 20, NO_REASON: 1},
        other_sought_reports=40,
        other_notretrieved_reports=0,
        other_assessed=40,
        other_excluded={"Not empirical": 35},
        new_studies=16,
        new_reports=20,
        total_studies=26,
        total_reports=32,
    )


def test_every_count_defaults_to_unknown_not_zero() -> None:
    counts = PrismaCounts()
    assert counts.records_screened is None
    assert counts.dbr_excluded is None
    assert counts.dbr_excluded_total is None
    assert counts.database_specific_results == {}
    assert consistency_problems(counts) == []


def test_a_consistent_review_has_no_problems() -> None:
    assert consistency_problems(consistent()) == []


def test_screened_must_equal_identified_minus_removed() -> None:
    counts = PrismaCounts(
        database_results=5126,
        register_results=0,
        duplicates=1000,
        excluded_automatic=0,
        excluded_other=0,
        records_screened=4000,
    )
    [problem] = consistency_problems(counts)
    assert problem.startswith("records_screened is 4,000")
    assert "4,126" in problem


def test_rules_with_an_unknown_input_are_skipped() -> None:
    # excluded_other unknown: screened cannot be checked, however far off it looks.
    counts = PrismaCounts(
        database_results=5126, register_results=0, duplicates=1000, records_screened=1
    )
    assert consistency_problems(counts) == []


def test_breakdowns_must_sum_to_their_total() -> None:
    counts = PrismaCounts(database_results=100, database_specific_results={"A": 60, "B": 30})
    [problem] = consistency_problems(counts)
    assert "database_results" in problem and "database_specific_results" in problem
    # An unknown part leaves the sum unknown: nothing to compare.
    unknown_part = PrismaCounts(database_results=100, database_specific_results={"A": None})
    assert consistency_problems(unknown_part) == []


def test_each_step_of_the_flow_is_checked() -> None:
    base = consistent()
    cases: dict[str, dict[str, Any]] = {
        "dbr_sought_reports": {"dbr_sought_reports": 99},
        "dbr_assessed": {"dbr_notretrieved_reports": 5},
        "other_assessed": {"other_assessed": 41},
        "new_reports": {"dbr_excluded": {"Wrong population": 62, "Wrong design": 20}},
        "total_studies": {"total_studies": 25},
        "total_reports": {"total_reports": 33},
    }
    for expected, change in cases.items():
        problems = consistency_problems(replace(base, **change))
        assert any(expected in p for p in problems), (expected, problems)


def test_parts_cannot_exceed_their_whole() -> None:
    counts = PrismaCounts(records_screened=10, records_excluded=11, new_studies=5, new_reports=4)
    problems = consistency_problems(counts)
    assert any("records_excluded (11) is more than records_screened (10)" in p for p in problems)
    assert any("new_studies (5) is more than new_reports (4)" in p for p in problems)


def test_counts_are_validated() -> None:
    with pytest.raises(ValueError, match="negative"):
        PrismaCounts(duplicates=-1)
    with pytest.raises(ValueError, match="whole number"):
        PrismaCounts(duplicates=True)
    with pytest.raises(ValueError, match="whole number"):
        PrismaCounts(dbr_excluded={"Reason": 1.5})  # type: ignore[dict-item]


def test_breakdowns_are_copied_so_the_counts_cannot_change_later() -> None:
    parts = {"CINAHL": 3}
    counts = PrismaCounts(database_specific_results=parts)
    parts["PubMed"] = 4
    assert counts.database_specific_results == {"CINAHL": 3}


def test_breakdown_total() -> None:
    assert breakdown_total(None) is None
    assert breakdown_total({}) == 0
    assert breakdown_total({"a": 2, NO_REASON: 3}) == 5
    assert breakdown_total({"a": 2, "b": None}) is None
    assert consistent().dbr_excluded_total == 81
    assert consistent().has_previous and not PrismaCounts().has_previous
