"""The duplicates that labelled sets outside the benchmark found missed (issue 12), a pair of
records each: found (merged, or queued for a person) now, and the look-alikes that must stay
apart."""

from __future__ import annotations

import pytest

from realist.domain.dedup import DedupResult, find_duplicates
from test_dedup import TITLE, record

AUTHORS = ["Smith, John A.", "Okafor, Ngozi", "Larsen, Ingrid"]  # as test_dedup.record has


def merged(result: DedupResult, a: int, b: int) -> bool:
    return any({a, b} <= set(g.member_ids) for g in result.groups)


def queued(result: DedupResult, a: int, b: int) -> str | None:
    """The reason of the queued pair (a, b), or None."""
    for pair in result.pending:
        if {pair.a_id, pair.b_id} == {a, b}:
            return pair.reason
    return None


def found(result: DedupResult, a: int, b: int) -> bool:
    return merged(result, a, b) or queued(result, a, b) is not None


# --- the year off by one: online first against the issue ------------------------------------


def test_online_first_a_year_earlier_with_a_respelt_title_is_merged() -> None:
    # The reported pair: the same three authors, the same journal, a near-identical title,
    # 2020 against 2021. Both ends of the title differ ("The ...", "randomised/randomized"),
    # so no title block met them, and the online record has no pages to meet by.
    online = record(
        1,
        title=TITLE + ": a randomised trial",
        year=2020,
        journal="J Affect Disord",
        volume="",
        issue="",
        pages="",
    )
    printed = record(2, title="The " + TITLE.lower() + ": a randomized trial", year=2021)
    result = find_duplicates([online, printed])
    assert merged(result, 1, 2)


def test_online_first_with_its_own_page_numbers_is_merged() -> None:
    # An article online before print numbers its own pages (1-9): they cannot contradict
    # the printed 101-109. A respelt title (0.88-0.95 alike) still needs the authors, the
    # journal and a record without volume or issue to be certain.
    online = record(
        1,
        title="Effects of community exercise programs on depressive symptoms among older adults",
        year=2018,
        journal="J Affect Disord",
        volume="",
        issue="",
        pages="1-9",
    )
    result = find_duplicates([online, record(2)])
    assert merged(result, 1, 2)


def test_companion_papers_differing_in_a_word_are_queued_not_merged() -> None:
    # the same team, journal and year; one record without volume or pages: only the outcome
    # word tells the depression paper from the anxiety one
    anxiety = record(2, title=TITLE.replace("depressive", "anxiety"), volume="", pages="")
    result = find_duplicates([record(1), anxiety])
    assert not merged(result, 1, 2)
    assert queued(result, 1, 2) == "similar title, a word differs"


def test_two_printed_records_a_year_apart_with_other_pages_are_not_merged() -> None:
    # Both have volume, issue and pages, and they differ: not an early online version.
    result = find_duplicates(
        [record(1), record(2, year=2020, volume="250", issue="1", pages="33-41")]
    )
    assert not merged(result, 1, 2)


# --- a missing or truncated title ---------------------------------------------------------


def test_missing_title_with_the_same_journal_volume_and_pages_is_merged() -> None:
    result = find_duplicates([record(1), record(2, title="")])
    assert merged(result, 1, 2)


def test_missing_title_with_the_same_doi_and_authors_is_merged() -> None:
    result = find_duplicates(
        [record(1, doi="10.1000/a"), record(2, title="", pages="", volume="", doi="10.1000/a")]
    )
    assert merged(result, 1, 2)


def test_missing_title_without_pages_or_doi_is_queued_by_author_year_and_journal() -> None:
    untitled = record(2, title="", journal="J Affect Disord", volume="", issue="", pages="")
    result = find_duplicates([record(1), untitled, record(3, title="Sleep in shift workers")])
    assert not merged(result, 1, 2)
    assert queued(result, 1, 2) == "a title missing; same authors, year and journal"


def test_title_cut_inside_a_word_is_found() -> None:
    # 28 characters, cut in the middle of "exercise", and no pages to meet by
    cut = record(2, title=TITLE[:28], pages="", volume="", issue="")
    assert TITLE[:28].endswith("exerc")
    result = find_duplicates([record(1), cut])
    assert found(result, 1, 2)


def test_title_cut_to_two_words_with_the_same_pages_is_merged() -> None:
    # a two-page paper: too short for the journal coordinates alone to identify it
    title = "Randomized systematic evaluation of community exercise for depression in adults"
    full = record(1, title=title, pages="101-102")
    result = find_duplicates([full, record(2, title=title[:21], pages="101-102")])
    assert merged(result, 1, 2)


# --- a conference abstract and its full article -------------------------------------------


def test_conference_abstract_of_the_article_is_queued_not_merged() -> None:
    abstract = record(
        2,
        authors=["Smith J", "Larsen I"],
        year=2018,
        journal="Journal of Clinical Oncology",
        volume="36",
        issue="15_suppl",
        pages="e12345",
    )
    result = find_duplicates([record(1), abstract])
    assert not merged(result, 1, 2)
    assert queued(result, 1, 2) is not None


def test_abstract_without_any_marker_in_another_journal_is_queued() -> None:
    # PLoS ONE's article against the ASCO abstract in J Clin Oncol: no pages, no marker
    abstract = record(2, authors=["Smith J", "Larsen I"], journal="J Clin Oncol", volume="30",
                      issue="", pages="")  # fmt: skip
    result = find_duplicates([record(1, journal="PLoS ONE", volume="7", pages="e43268"), abstract])
    assert not merged(result, 1, 2)
    assert queued(result, 1, 2) is not None


def test_abstract_in_a_supplement_of_the_same_volume_is_not_merged() -> None:
    # its page S105 lies inside the article's 101-109 by chance; a supplement issue without
    # pages against a regular issue with them
    on_page = record(2, issue="Suppl 1", pages="S105", authors=AUTHORS[:2])
    no_page = record(3, issue="Suppl 3", pages="", authors=AUTHORS[:2])
    result = find_duplicates([record(1, pages="101-102"), on_page, no_page])
    assert not merged(result, 1, 2) and not merged(result, 1, 3)


# --- errata, replies and comments ---------------------------------------------------------

NOTICES = [
    ("Erratum to: ", AUTHORS, "erratum"),
    ("Correction to: ", AUTHORS, "erratum"),
    ("Authors' reply: ", AUTHORS, "reply"),
    ("Comment on: ", ["Brown, Kate"], "comment"),
    ("Retraction note to: ", AUTHORS, "retraction"),
]


@pytest.mark.parametrize(("prefix", "authors", "kind"), NOTICES)
def test_notices_are_kept_apart_and_queued_saying_why(
    prefix: str, authors: list[str], kind: str
) -> None:
    notice = record(2, title=prefix + TITLE, authors=authors, year=2020, pages="1200",
                    doi="10.1000/notice")  # fmt: skip
    result = find_duplicates([record(1, doi="10.1000/article"), notice])
    assert not merged(result, 1, 2)
    reason = queued(result, 1, 2)
    assert reason is not None and reason.startswith(kind)
    if authors == AUTHORS and kind != "retraction":
        assert reason.endswith("kept apart by setting dedup_merge_errata")


@pytest.mark.parametrize(("prefix", "authors", "kind"), NOTICES)
def test_the_setting_merges_errata_and_the_authors_own_notices(
    prefix: str, authors: list[str], kind: str
) -> None:
    from realist.domain.dedup import Rules

    notice = record(2, title=prefix + TITLE, authors=authors, year=2020, pages="1200",
                    doi="10.1000/notice")  # fmt: skip
    result = find_duplicates([record(1, doi="10.1000/article"), notice], rules=Rules(
        merge_errata=True))  # fmt: skip
    # a comment by others is another work, and a retraction must stay in sight
    assert merged(result, 1, 2) == (authors == AUTHORS and kind != "retraction")
    assert found(result, 1, 2)
    # the article stands for the pair, never its notice
    assert all(g.keeper_id == 1 for g in result.groups)


def test_a_protocol_a_year_before_is_not_an_early_online_version() -> None:
    # the same authors and journal, a year earlier, no volume or pages: what an article
    # online before print looks like, but the title names another report
    trial = "Group-based social prescribing for isolated older adults: a cluster randomised trial"
    protocol = record(2, title=trial.replace(": a", ": protocol for a"), year=2018, volume="",
                      issue="", pages="")  # fmt: skip
    pilot = record(3, title=trial + ": a pilot study", year=2019, volume="", pages="")
    result = find_duplicates([record(1, title=trial), protocol, pilot])
    assert result.groups == []
    assert queued(result, 1, 2) == "different reports (protocol)"


def test_erratum_of_another_article_is_not_its_notice() -> None:
    result = find_duplicates(
        [record(1), record(2, title="Erratum to: Sleep quality in shift workers", pages="9")]
    )
    assert result.groups == [] and result.pending == []


# --- early online versions and pages that disagree ----------------------------------------


def test_same_long_article_with_pages_that_disagree_is_merged() -> None:
    # one database's pages are wrong (or the paper was printed twice): title, all authors,
    # journal, year and volume agree, and both are full articles
    result = find_duplicates([record(1), record(2, pages="2-8", issue="")])
    assert merged(result, 1, 2)


def test_a_one_page_item_with_the_same_title_is_not_merged() -> None:
    # Scopus lists some errata under the article's own title: one page, not an article
    result = find_duplicates([record(1), record(2, pages="1200", issue="9")])
    assert not merged(result, 1, 2)


def test_parts_numbered_in_roman_numerals_are_not_merged() -> None:
    # "Part I" and "Part II" by the same authors differ in one letter of the title
    part_one = record(1, title=TITLE + ": part I")
    part_two = record(2, title=TITLE + ": part II", volume="", issue="", pages="")
    result = find_duplicates([part_one, part_two])
    assert not merged(result, 1, 2)
    assert queued(result, 1, 2) == "different numbers in title"


def test_generic_title_by_the_same_team_in_the_same_issue_is_queued() -> None:
    # one database titles the editorial "Editorial", another by its full title
    editorial = record(2, title="Editorial", pages="100")
    full = record(1, title="Guest editorial: open source software and its communities")
    result = find_duplicates([full, editorial])
    assert not merged(result, 1, 2)
    assert queued(result, 1, 2) == "a generic title by the same authors in the same issue"
