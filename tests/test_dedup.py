"""Duplicate detection rules, one test per rule, on small records written here."""

from __future__ import annotations

import random
from typing import Any

import pytest

from realist.domain.dedup import DedupResult, find_duplicates
from realist.domain.dedup_keys import (
    author_keys,
    first_page,
    journal_tokens,
    journals_compatible,
    normalise_doi,
    notice_kind,
    page_span,
    pages_relation,
    title_key,
)
from realist.domain.records import Record

TITLE = "Effects of a community exercise programme on depressive symptoms in older adults"


def record(id: int, **fields: Any) -> Record:
    """A complete journal article record; tests override what they vary."""
    base: dict[str, Any] = {
        "title": TITLE,
        "authors": ["Smith, John A.", "Okafor, Ngozi", "Larsen, Ingrid"],
        "year": 2019,
        "journal": "Journal of Affective Disorders",
        "volume": "245",
        "issue": "3",
        "pages": "101-109",
        "doi": "",
        "kind": "JOUR",
    }
    base.update(fields)
    return Record(id=id, **base)


def grouped(result: DedupResult) -> set[frozenset[int]]:
    return {frozenset(g.member_ids) for g in result.groups}


def same_group(result: DedupResult, *ids: int) -> bool:
    return any(set(ids) <= set(g.member_ids) for g in result.groups)


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "10.1016/J.JAD.2018.11.002",
        "https://doi.org/10.1016/j.jad.2018.11.002",
        "http://dx.doi.org/10.1016/j.jad.2018.11.002",
        "doi:10.1016/j.jad.2018.11.002",
        "DOI 10.1016/j.jad.2018.11.002.",
        " 10.1016%2Fj.jad.2018.11.002 ",
    ],
)
def test_doi_variants_normalise_to_one_form(raw: str) -> None:
    assert normalise_doi(raw) == "10.1016/j.jad.2018.11.002"


@pytest.mark.parametrize("raw", ["", "NA", "not a doi", "http://example.org/x"])
def test_text_without_a_doi_normalises_to_nothing(raw: str) -> None:
    assert normalise_doi(raw) == ""


def test_title_key_folds_case_accents_markup_and_greek() -> None:
    key = title_key("TNF-α and <i>Müller</i> cells: a review.")
    assert key == "tnf alpha and muller cells a review"


def test_author_shapes_give_one_surname() -> None:
    shapes = ["Smith, John A.", "Smith JA", "Smith, J. A.", "John A. Smith", "SMITH J"]
    assert {author_keys([s])[0] for s in shapes} == {"smith"}
    assert author_keys(["van der Berg, Jan", "El Hachmane M.", "Müller, Ö."]) == (
        "vanderberg",
        "elhachmane",
        "muller",
    )
    assert author_keys(["Anonymous"]) == ()


def test_journal_abbreviations_match_full_names() -> None:
    pairs = [
        ("J Affect Disord", "Journal of Affective Disorders"),
        ("Curr Opin Lipidol", "Current Opinion in Lipidology"),
        ("Dtsch Med Wochenschr", "Deutsche Medizinische Wochenschrift"),
        ("BMJ", "British Medical Journal"),
        ("Heart. Conference: British Atherosclerosis Society Meeting", "Heart"),
        ("Ann Fr Anesth Reanim", "Annales fran?aises d'anesth?sie et de r?animation"),
    ]
    for short, full in pairs:
        assert journals_compatible(journal_tokens(short), journal_tokens(full)), short
    assert not journals_compatible(journal_tokens("Lancet"), journal_tokens("Diabetes Care"))


def test_page_forms() -> None:
    assert page_span("1001-20") == ("", 1001, 1020)
    assert page_span("S12--S19") == ("s", 12, 19)
    assert first_page("e0123") == "123"
    assert page_span("Suppl-29") is None  # mangled: treated as missing, never as evidence
    assert page_span("2243-5; author reply 2243-5") == ("", 2243, 2245)
    assert pages_relation(page_span("487-488"), page_span("488")) == "same"
    assert pages_relation(page_span("101-109"), page_span("201-209")) == "different"
    # an article number against a page range: different schemes cannot contradict
    assert pages_relation(page_span("e12724"), page_span("1-6")) == "unknown"


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Erratum: " + TITLE, "erratum"),
        ("Correction to: " + TITLE, "erratum"),
        (TITLE + " (vol 245, pg 101, 2019)", "erratum"),
        ("Retraction notice to " + TITLE, "retraction"),
        ("RETRACTED: " + TITLE, "retraction"),
        ("Comment on: " + TITLE, "comment"),
        ("Authors' reply", "reply"),
        ("Re: " + TITLE, "reply"),
        (TITLE, ""),
        ("Correction of hyperglycaemia in older adults", ""),
        ("Response to treatment with metformin", ""),
    ],
)
def test_notice_kinds(title: str, kind: str) -> None:
    assert notice_kind(title) == kind


# --- identifiers --------------------------------------------------------------------------


def test_same_doi_in_any_form_is_certain() -> None:
    result = find_duplicates(
        [
            record(1, doi="10.1016/j.jad.2018.11.002", title=TITLE.upper()),
            record(2, doi="https://doi.org/10.1016/J.JAD.2018.11.002", authors=[], pages=""),
        ]
    )
    assert grouped(result) == {frozenset({1, 2})}
    assert result.groups[0].reason == "same DOI"


def test_same_doi_with_a_different_title_is_not_certain() -> None:
    # a supplement DOI given to every abstract in it, or a notice carrying its article's DOI
    result = find_duplicates(
        [
            record(1, doi="10.1000/x"),
            record(
                2,
                doi="10.1000/x",
                title="Loneliness and frailty in care homes: a cohort study",
                authors=["Okafor, Ngozi"],
            ),
        ]
    )
    assert result.groups == []


def test_same_pmid_is_certain() -> None:
    result = find_duplicates(
        [record(1, pmid="30412345"), record(2, pmid="PMID: 30412345", pages="", volume="")]
    )
    assert grouped(result) == {frozenset({1, 2})}


def test_different_dois_are_not_merged() -> None:
    result = find_duplicates([record(1, doi="10.1000/a"), record(2, doi="10.1000/b")])
    assert result.groups == []
    assert [(p.a_id, p.b_id) for p in result.pending] == [(1, 2)]
    assert result.pending[0].evidence["doi"].verdict == "different"


# --- fuzzy matching -----------------------------------------------------------------------


def test_database_variants_of_one_article_are_grouped() -> None:
    result = find_duplicates(
        [
            record(1, doi="10.1016/j.jad.2018.11.002"),
            record(
                2,
                title=TITLE.upper() + ".",
                authors=["Smith JA", "Okafor N", "Larsen I"],
                journal="J Affect Disord",
                pages="101-9",
                issue="",
            ),
            record(
                3,
                title=TITLE.replace("programme", "program"),
                authors=["John A. Smith"],
                journal="Journal of affective disorders",
                year=2018,
                volume="",
                pages="",
            ),
        ]
    )
    assert grouped(result) == {frozenset({1, 2, 3})}


def test_abbreviated_journal_matches_when_titles_differ_slightly() -> None:
    result = find_duplicates(
        [
            record(1),
            record(
                2,
                title=TITLE.replace("depressive symptoms", "depression symptoms"),
                journal="J Affect Disord",
                authors=["Smith JA", "Okafor N"],
            ),
        ]
    )
    assert grouped(result) == {frozenset({1, 2})}


def test_truncated_title_is_matched() -> None:
    long_title = TITLE + ": a randomised controlled trial with twelve months of follow-up"
    result = find_duplicates([record(1, title=long_title), record(2, title=long_title[:70])])
    assert grouped(result) == {frozenset({1, 2})}


def test_translated_title_with_the_same_pages_is_matched() -> None:
    result = find_duplicates(
        [
            record(
                1,
                title="Plattformökonomie und Crowdworking als Herausforderungen",
                journal="Industrielle Beziehungen",
                volume="27",
                pages="205-226",
            ),
            record(
                2,
                title="Platform economy and crowdworking as challenges for industrial relations",
                journal="Industrielle Beziehungen",
                volume="27",
                pages="205-226",
            ),
        ]
    )
    assert grouped(result) == {frozenset({1, 2})}


def test_bilingual_title_matches_either_language() -> None:
    result = find_duplicates(
        [
            record(
                1,
                title="Crowdwork: applying a relational inequality theory "
                "[Arbeiten in der Crowd: Perspektiven der Theorie relationaler Ungleichheiten]",
                pages="",
            ),
            record(
                2,
                title="Arbeiten in der Crowd: Perspektiven der Theorie relationaler Ungleichheiten",
                pages="",
            ),
        ]
    )
    assert grouped(result) == {frozenset({1, 2})}


def test_same_title_years_apart_is_not_merged() -> None:
    result = find_duplicates(
        [record(1, year=2012, volume="", pages=""), record(2, year=2015, volume="", pages="")]
    )
    assert result.groups == []


def test_recurring_editorial_titles_are_not_merged() -> None:
    result = find_duplicates(
        [
            record(
                1,
                title="Editor's comments",
                authors=["Weber, Ron"],
                volume="26",
                issue="1",
                pages="",
            ),
            record(
                2,
                title="Editor's Comments",
                authors=["Weber, Ron"],
                volume="26",
                issue="2",
                pages="",
            ),
            record(
                3, title="Editorial", authors=["Weber, Ron"], volume="27", issue="1", pages="1-2"
            ),
            record(
                4, title="Editorial", authors=["Weber, Ron"], volume="28", issue="1", pages="1-2"
            ),
        ]
    )
    assert result.groups == []


def test_titles_differing_in_a_number_are_not_merged() -> None:
    result = find_duplicates(
        [
            record(1, title="Exercise for adults with type 1 diabetes: a systematic review"),
            record(2, title="Exercise for adults with type 2 diabetes: a systematic review"),
        ]
    )
    assert result.groups == []


def test_different_first_authors_and_pages_are_not_merged() -> None:
    result = find_duplicates(
        [record(1), record(2, authors=["Brown, Kate"], pages="301-309", volume="246")]
    )
    assert result.groups == []


# --- notices and meeting abstracts --------------------------------------------------------


def test_erratum_is_not_merged_into_its_article() -> None:
    result = find_duplicates(
        [
            record(1, doi="10.1000/a"),
            record(2, title="Erratum to: " + TITLE, pages="1200", doi="10.1000/a"),
            record(3, title="Correction: " + TITLE, pages=""),
        ]
    )
    assert not same_group(result, 1, 2) and not same_group(result, 1, 3)


@pytest.mark.parametrize(
    "prefix", ["Retraction note to: ", "Comment on: ", "Authors' reply: ", "Reply to: "]
)
def test_notices_are_not_merged_into_the_article(prefix: str) -> None:
    result = find_duplicates([record(1), record(2, title=prefix + TITLE)])
    assert result.groups == []


def test_ovid_erratum_annotation_still_names_the_article() -> None:
    # Ovid appends "[Erratum appears in ...]" to the *article's* title
    result = find_duplicates(
        [
            record(1),
            record(2, title=TITLE + ".[Erratum appears in J Affect Disord. 2020;260:1]"),
        ]
    )
    assert grouped(result) == {frozenset({1, 2})}


def test_conference_abstract_is_not_merged_into_the_article() -> None:
    result = find_duplicates(
        [
            record(1),
            record(
                2,
                journal="Journal of Affective Disorders. Conference: ISAD Congress 2018",
                year=2018,
                volume="236",
                issue="Suppl 1",
                pages="S12",
            ),
            record(3, kind="ABST", pages="A44", volume="", issue=""),
        ]
    )
    assert not same_group(result, 1, 2) and not same_group(result, 1, 3)


def test_two_copies_of_one_meeting_abstract_are_merged() -> None:
    result = find_duplicates(
        [
            record(
                1,
                journal="Diabetes. Conference: 78th Scientific Sessions",
                volume="67",
                issue="Supplement 1",
                pages="A128",
            ),
            record(2, journal="Diabetes", volume="67", issue="", pages="A128"),
        ]
    )
    assert grouped(result) == {frozenset({1, 2})}


# --- grouping -----------------------------------------------------------------------------


def test_chaining_through_a_bridge_is_refused() -> None:
    # 2 matches 1 and 3 alike, but 1 and 3 carry different DOIs: they are different works
    result = find_duplicates(
        [
            record(1, doi="10.1000/a"),
            record(2, doi="", pages="", volume="", issue=""),
            record(3, doi="10.1000/b"),
        ]
    )
    assert not same_group(result, 1, 3)
    assert len(result.groups) == 1 and 2 in result.groups[0].member_ids
    assert any("conflict" in p.reason or "DOI" in p.reason for p in result.pending)


def test_keeper_is_the_most_complete_record() -> None:
    result = find_duplicates(
        [
            record(1, doi="", pages="", issue=""),
            record(2, doi="10.1000/a", abstract="Background ...", pmid="123"),
            record(3, doi="10.1000/a", issue=""),
        ]
    )
    assert result.groups[0].keeper_id == 2
    assert result.removed_ids() == {1, 3}
    assert result.keeper_of() == {1: 2, 2: 2, 3: 2}
    assert 0.0 < result.groups[0].confidence <= 1.0


def test_result_does_not_depend_on_input_order() -> None:
    records = [
        record(1),
        record(2, title=TITLE.lower(), journal="J Affect Disord"),
        record(3, doi="10.1000/a"),
        record(4, doi="10.1000/b"),
        record(5, title="Erratum: " + TITLE),
        record(6, title="Another study of sleep"),
    ]
    first = find_duplicates(records)
    for seed in range(5):
        shuffled = records[:]
        random.Random(seed).shuffle(shuffled)
        again = find_duplicates(shuffled)
        assert again.groups == first.groups
        assert again.pending == first.pending


def test_ids_are_required_and_unique() -> None:
    with pytest.raises(ValueError):
        find_duplicates([Record(title="x")])
    with pytest.raises(ValueError):
        find_duplicates([record(1), record(1)])


def test_empty_input_and_progress() -> None:
    assert find_duplicates([]) == DedupResult(groups=[], pending=[])
    calls: list[tuple[int, int]] = []
    find_duplicates(
        [record(i, title=f"{TITLE} {i}") for i in range(20)],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1][0] == calls[-1][1] == 40
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_pending_pairs_carry_field_evidence() -> None:
    result = find_duplicates(
        [record(1, year=2017, volume="", pages=""), record(2, year=2019, volume="", pages="")]
    )
    assert result.groups == []
    pair = result.pending[0]
    assert pair.reason == "years apart"
    assert pair.evidence["title"].verdict == "same"
    assert pair.evidence["year"].verdict == "different"
    assert pair.evidence["pages"].verdict == "missing"
