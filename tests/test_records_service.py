"""Finding records: every filter in the database, paged, with the count of all matches."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from realist.domain.records import Record
from realist.domain.review import Reviewer
from realist.domain.screening import (
    CriterionKind,
    Decision,
    Outcome,
    ScreeningDecision,
    ScreeningMode,
    Stage,
    blinded,
)
from realist.services import screening
from realist.services.records import find_records, list_records
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.schema import record

TA, FT = Stage.TITLE_ABSTRACT, Stage.FULL_TEXT
INC, EXC, MAY = Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE
WHO = ("ann", "bob", "cat")


@pytest.fixture
def store(db_target: str) -> Iterator[Store]:
    made = init_review(db_target, "t", "ann")
    with made.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("bob", "Bob"))
        reviews_repo.insert_reviewer(connection, Reviewer("cat", "Cat"))
    screening.add_criterion(
        made, "E-POP", "population", CriterionKind.EXCLUSION, "Not perinatal", "ann"
    )
    yield made
    made.close()


def _records(store: Store, *titles: str, doi: str = "", pmid: str = "") -> list[int]:
    with store.transaction() as connection:
        return [
            records_repo.insert_record(connection, Record(title=t, doi=doi, pmid=pmid))
            for t in titles
        ]


def _decide(
    store: Store, rid: int, stage: Stage, who: str, decision: Decision, resolves: bool = False
) -> None:
    """A decision stored as it is, whatever the record's eligibility (the filters must
    follow ``settle`` for any decisions at all)."""
    reason = "E-POP" if decision is EXC and stage is FT else None
    item = ScreeningDecision(rid, stage, decision, who, reason, resolves_conflict=resolves)
    with store.transaction() as connection:
        _, reviewer_id = reviews_repo.resolve_reviewer(connection, who)
        screening_repo.insert_decision(connection, item, reviewer_id)


def _ids(store: Store, **filters: Any) -> list[int | None]:
    page = find_records(store, limit=1000, **filters)
    assert page.total == len(page.rows)
    return [row.record.id for row in page.rows]


def test_outcome_filters_single_mode(store: Store) -> None:
    a, b, c, d, e = _records(store, "A", "B", "C", "D", "E")
    _decide(store, a, TA, "ann", INC)
    _decide(store, b, TA, "ann", EXC)
    _decide(store, c, TA, "ann", MAY)
    _decide(store, d, TA, "ann", EXC)
    _decide(store, d, TA, "ann", INC)  # the latest decision counts
    _decide(store, a, FT, "ann", EXC)
    _decide(store, d, FT, "bob", INC)
    assert _ids(store, title_abstract=Outcome.INCLUDED) == [a, d]
    assert _ids(store, title_abstract=Outcome.EXCLUDED) == [b]
    assert _ids(store, title_abstract=Outcome.MAYBE) == [c]
    assert _ids(store, title_abstract=Outcome.UNDECIDED) == [e]
    assert _ids(store, title_abstract=Outcome.CONFLICT) == []
    assert _ids(store, full_text=Outcome.EXCLUDED) == [a]
    assert _ids(store, full_text=Outcome.INCLUDED) == [d]
    assert _ids(store, full_text=Outcome.UNDECIDED) == [b, c, e]
    # Both stages at once: through title/abstract, not yet screened on full text.
    assert _ids(store, title_abstract=Outcome.MAYBE, full_text=Outcome.UNDECIDED) == [c]
    rows = {r.record.id: (r.title_abstract, r.full_text) for r in find_records(store).rows}
    assert rows[a] == (Outcome.INCLUDED, Outcome.EXCLUDED)
    assert rows[e] == (Outcome.UNDECIDED, Outcome.UNDECIDED)


def test_outcome_filters_dual_mode(store: Store) -> None:
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")
    agree, differ, alone, resolved, untouched = _records(store, "A", "B", "C", "D", "E")
    _decide(store, agree, TA, "ann", INC)
    _decide(store, agree, TA, "bob", INC)
    _decide(store, differ, TA, "ann", INC)
    _decide(store, differ, TA, "bob", MAY)  # a maybe against a definite decision conflicts
    _decide(store, alone, TA, "ann", EXC)
    _decide(store, resolved, TA, "ann", INC)
    _decide(store, resolved, TA, "bob", EXC)
    _decide(store, resolved, TA, "cat", EXC, resolves=True)
    assert _ids(store, title_abstract=Outcome.INCLUDED) == [agree]
    assert _ids(store, title_abstract=Outcome.CONFLICT) == [differ]
    assert _ids(store, title_abstract=Outcome.AWAITING_SECOND) == [alone]
    assert _ids(store, title_abstract=Outcome.EXCLUDED) == [resolved]
    assert _ids(store, title_abstract=Outcome.UNDECIDED) == [untouched]
    _decide(store, alone, TA, "bob", EXC)  # the second reviewer agrees
    assert _ids(store, title_abstract=Outcome.EXCLUDED) == [alone, resolved]
    # The same decisions read in single mode: one reviewer's decision settles a record.
    screening.set_screening_mode(store, ScreeningMode.SINGLE, "ann")
    assert _ids(store, title_abstract=Outcome.CONFLICT) == []
    assert _ids(store, title_abstract=Outcome.MAYBE) == [differ]


@pytest.mark.parametrize("mode", list(ScreeningMode))
def test_outcome_filters_agree_with_settle(store: Store, mode: ScreeningMode) -> None:
    """Random decisions (latest ones, several reviewers, resolutions at any point): the
    database's filter finds exactly the records ``settle`` puts at each outcome."""
    screening.set_screening_mode(store, mode, "ann")
    ids = _records(store, *(f"Study {n}" for n in range(40)))
    rng = random.Random(20240611 + len(mode.value))
    for _ in range(160):
        stage = rng.choice([TA, TA, FT])
        decision = rng.choice([INC, EXC, MAY])
        _decide(store, rng.choice(ids), stage, rng.choice(WHO), decision, rng.random() < 0.08)
    seen: set[Outcome] = set()
    for stage, key in ((TA, "title_abstract"), (FT, "full_text")):
        with store.reading() as connection:
            settled = screening.outcomes(connection, stage)
            made = screening_repo.list_decisions(connection, stage)
        seen |= set(settled.values())
        # As the owner (ann) sees them: dual screening blinds records she has not decided
        # and only one reviewer has, which are then undecided to her.
        for rid in ids:
            if blinded([d for d in made if d.record_id == rid], mode, "ann"):
                settled.pop(rid, None)
        for outcome in Outcome:
            expected = [rid for rid in ids if settled.get(rid, Outcome.UNDECIDED) is outcome]
            assert _ids(store, **{key: outcome}) == expected, (stage, outcome)
        shown = {r.record.id: getattr(r, key) for r in find_records(store, limit=1000).rows}
        assert shown == {rid: settled.get(rid, Outcome.UNDECIDED) for rid in ids}
    assert len(seen) == (5 if mode is ScreeningMode.DUAL else 3)  # every decided outcome


def test_duplicate_filters(store: Store) -> None:
    keeper, copy, other = _records(store, "Peer support", "Peer support.", "Other")
    with store.transaction() as connection:
        connection.execute(record.update().where(record.c.id == copy).values(duplicate_of=keeper))
    _decide(store, copy, TA, "ann", EXC)
    assert _ids(store) == [keeper, other]
    assert _ids(store, duplicates="merged") == [copy]
    assert _ids(store, duplicates="all") == [keeper, copy, other]
    assert _ids(store, duplicates="merged", title_abstract=Outcome.EXCLUDED) == [copy]
    assert _ids(store, title_abstract=Outcome.EXCLUDED) == []
    assert [r.record.id for r in list_records(store, include_duplicates=True)] == [
        keeper,
        copy,
        other,
    ]


def test_text_finds_title_words_a_doi_or_a_pmid(store: Store) -> None:
    peer, both = _records(store, "Peer support at home", "Support, peer and 100% online")
    (doi,) = _records(store, "Unrelated", doi="10.1136/bmj.n71")
    (pmid,) = _records(store, "Also unrelated", pmid="33782057")
    assert _ids(store, text="peer SUPPORT") == [peer, both]
    assert _ids(store, text="home peer") == [peer]
    assert _ids(store, text="100%") == [both]  # % is a character, not a wildcard
    assert _ids(store, text="1_0") == []
    assert _ids(store, text="https://doi.org/10.1136/BMJ.n71") == [doi]
    assert _ids(store, text="33782057") == [pmid]
    assert _ids(store, text="33782057 unrelated") == [pmid]  # every word must match


def test_pages_count_every_match(store: Store) -> None:
    ids = _records(store, *(f"Study {n}" for n in range(25)))
    for rid in ids[::3]:
        _decide(store, rid, TA, "ann", EXC)
    first = find_records(store, limit=10)
    assert (first.total, first.offset, first.limit, first.more) == (25, 0, 10, True)
    assert [r.record.id for r in first.rows] == ids[:10]
    last = find_records(store, offset=20, limit=10)
    assert [r.record.id for r in last.rows] == ids[20:] and not last.more
    past = find_records(store, offset=30, limit=10)
    assert (past.rows, past.total, past.more) == ([], 25, False)
    assert find_records(store, title_abstract=Outcome.EXCLUDED, limit=0).total == 9
    excluded = ids[::3]  # 9 records
    pages = [
        find_records(store, title_abstract=Outcome.EXCLUDED, offset=o, limit=4) for o in (0, 4, 8)
    ]
    assert [p.total for p in pages] == [9, 9, 9]
    assert [r.record.id for p in pages for r in p.rows] == excluded
    assert [p.more for p in pages] == [True, True, False]
    with pytest.raises(ValueError):
        find_records(store, offset=-1)


def test_a_filter_looks_past_the_first_five_thousand_records(store: Store) -> None:
    """The web page once filtered the first 5,000 records in Python."""
    with store.transaction() as connection:
        records_repo.insert_records(connection, (Record(title=f"S{n}") for n in range(5_100)))
        last = connection.execute(sa.select(sa.func.max(record.c.id))).scalar_one()
    _decide(store, last, TA, "ann", EXC)
    found = find_records(store, title_abstract=Outcome.EXCLUDED, limit=10)
    assert [r.record.id for r in found.rows] == [last] and found.total == 1
    assert find_records(store, title_abstract=Outcome.UNDECIDED, limit=10).total == 5_099
