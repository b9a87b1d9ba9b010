"""Prioritised screening in the live review: the ranking puts the relevant records first,
starts cold from the review's own terms, learns only from what a reviewer may see, says why
a record comes, and is recorded so that it can be made again. Real stores, SQLite and
PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from prioritising_kit import OTHER, RELEVANT, RELEVANT_IDS, TA, make_review, next_id, ranked
from realist.domain import ranking
from realist.domain.screening import CriterionKind, Decision, ScreeningMode, Stage
from realist.domain.screening_order import ScreeningOrder, random_order
from realist.errors import InvalidInput
from realist.services import prioritising, screening, search_strategy
from realist.services.dedup import merge_records
from realist.services.imports import import_file
from realist.services.ranking_inputs import record_text
from realist.store.events import append_event, list_events
from realist.store.schema import record as record_table
from realist.store.schema import screening_decision

INC, EXC, MAYBE = Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE


def test_after_one_include_and_one_exclude_the_relevant_records_come_first(
    db_target: str, tmp_path: Path
) -> None:
    store = make_review(db_target, tmp_path)
    screening.screen(store, 6, TA, INC, "ann")  # "Mentoring new teachers ..."
    screening.screen(store, 1, TA, EXC, "ann")  # "Soil bacteria ..."
    view = screening.screening_view(store, TA, "ann")
    assert view.next.record is not None and view.next.record.id in RELEVANT_IDS
    assert set(ranked(store)[:2]) == RELEVANT_IDS - {6}
    why = view.next.why
    assert why is not None and why.order is ScreeningOrder.PRIORITISED
    assert "a model trained on 1 include and 1 exclude" in why.basis
    assert why.score is not None and 0.0 < why.score < 1.0
    words = set(f"{view.next.record.title} {view.next.record.abstract}".lower().split())
    assert why.terms and all(set(t.split()) <= words for t in why.terms)  # from its own text
    assert any("mentoring" in t or "teachers" in t for t in why.terms)
    store.close()


def test_cold_start_orders_by_the_reviews_inclusion_terms(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path)
    # Nothing to go on yet: record order, and the card says so.
    view = screening.screening_view(store, TA, "ann")
    assert view.next.record is not None and view.next.record.id == 1
    assert view.next.why is not None
    assert "no inclusion terms, criteria or concept blocks" in view.next.why.basis
    screening.add_highlight_terms(store, ["mentor*", "teachers"], CriterionKind.INCLUSION, "ann")
    assert set(ranked(store)[:3]) == RELEVANT_IDS
    first = screening.screening_view(store, TA, "bob")  # ann holds record 1 (her lease)
    assert first.next.record is not None and first.next.record.id in RELEVANT_IDS
    why = first.next.why
    assert why is not None and "no model yet" in why.basis and "cold start" in why.basis
    assert why.score is not None and why.score > 0 and "teachers" in why.terms
    store.close()


def test_cold_start_reads_criteria_and_concept_blocks(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path)
    search_strategy.set_concept_block(store, "Population", "ann", terms=['"beginning teacher*"'])
    assert ranked(store)[0] == 11  # "A mentoring programme for beginning teachers"
    screening.add_criterion(
        store, "I-RET", "outcome", CriterionKind.INCLUSION, "Retention in rural schools", "ann"
    )
    assert ranked(store)[0] == 15 and set(ranked(store)[:3]) == RELEVANT_IDS
    store.close()


@pytest.mark.parametrize("decision", [INC, EXC, MAYBE])
def test_only_includes_or_only_excludes_keep_the_cold_start_and_say_so(
    db_target: str, tmp_path: Path, decision: Decision
) -> None:
    store = make_review(db_target, tmp_path)
    screening.add_highlight_terms(store, ["mentoring"], CriterionKind.INCLUSION, "ann")
    for record_id in (2, 3):
        screening.screen(store, record_id, TA, decision, "ann")
    why = screening.screening_view(store, TA, "ann").next.why
    assert why is not None and "no model yet" in why.basis and "cold start" in why.basis
    n = "2 includes and 0 excludes" if decision is not EXC else "0 includes and 2 excludes"
    assert f"so far {n}" in why.basis  # a maybe counts as an include at title/abstract
    assert set(ranked(store)[:3]) == RELEVANT_IDS
    store.close()


def test_dual_ranking_never_depends_on_the_other_reviewers_blinded_votes(
    db_target: str, tmp_path: Path
) -> None:
    store = make_review(db_target, tmp_path)
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")
    screening.screen(store, 6, TA, INC, "ann")
    screening.screen(store, 1, TA, EXC, "ann")
    before = ranked(store, "ann")
    fits_before = len(prioritising.fits(store))
    # Bob votes on records ann has not decided, in ways that would move her ranking a lot
    # if she could learn from them; then changes his votes.
    for decision in (INC, EXC):
        for record_id in (2, 3, 4, 11, 15):
            screening.screen(store, record_id, TA, decision, "bob")
            assert ranked(store, "ann") == before
    assert screening.next_record(store, TA, "ann").record.id in RELEVANT_IDS  # type: ignore[union-attr]
    assert ranked(store, "ann") == before
    made = prioritising.fits(store)
    made = made[: len(made) - fits_before]
    assert [f for f in made if f["reviewer_id"] == 1] == []  # nothing new made for ann
    # Bob's queue learns from his own votes only (all excludes now: a cold start).
    assert ranked(store, "bob") != before
    bob = prioritising.fits(store, TA, limit=1)[0]
    assert bob["reviewer_id"] == 2 and bob["detail"]["training"]["excluded"] == 5
    # Once both have voted on a record, it is revealed: ann learns from it then.
    screening.screen(store, 2, TA, EXC, "ann")
    ranked(store, "ann")
    assert prioritising.fits(store, TA, limit=1)[0]["detail"]["training"] == {
        "included": 1, "excluded": 2, "excluded_used": 2, "presumed_excluded": 12
    }  # fmt: skip
    store.close()


def test_every_ranking_is_recorded_and_can_be_made_again(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path)
    screening.add_highlight_terms(store, ["mentoring"], CriterionKind.INCLUSION, "ann")
    cold = ranked(store)
    screening.screen(store, 6, TA, INC, "ann")
    screening.screen(store, 2, TA, MAYBE, "ann")  # counts as an include at title/abstract
    screening.screen(store, 1, TA, EXC, "ann")
    now = ranked(store)
    fit = prioritising.fits(store, TA, limit=1)[0]
    assert fit["kind"] == "model" and fit["queue_order"] is ScreeningOrder.PRIORITISED
    assert fit["records"] == 15 and fit["ranked"] == 12 and fit["reviewer_id"] is None
    assert fit["features"] == ranking.FEATURES_VERSION
    assert fit["detail"]["settings"] == ranking.DEFAULT_SETTINGS.as_dict()
    assert fit["detail"]["training"]["included"] == 2
    # Made again from the store and the record alone: the same order.
    with store.reading() as connection:
        rows = connection.execute(sa.select(record_table).order_by(record_table.c.id)).all()
        decided = connection.execute(
            sa.select(screening_decision.c.record_id, screening_decision.c.decision).where(
                screening_decision.c.id <= fit["through_decision"]
            )
        ).all()
    ids = np.asarray([r.id for r in rows])
    features = ranking.build_features([record_text(r.title, r.abstract, r.keywords) for r in rows])
    label = {int(d.record_id) - 1: d.decision != "exclude" for d in decided}
    again = ranking.fit(
        features,
        [r for r, inc in sorted(label.items()) if inc],
        [r for r, inc in sorted(label.items()) if not inc],
        [r for r in range(len(ids)) if r not in label],
        seed=fit["detail"]["seed"],
    )
    assert again is not None and again.describe() == fit["detail"]
    unscreened = [r for r in range(len(ids)) if r not in label]
    assert list(ids[ranking.order(ranking.scores(again, features), unscreened)]) == now
    assert [f["kind"] for f in prioritising.fits(store, TA)] == ["model", "cold_start"]
    assert prioritising.fits(store, TA)[1]["detail"]["query"].strip() == "mentoring"
    assert set(cold[:3]) == RELEVANT_IDS
    store.close()


def test_the_order_switch_is_an_event_and_random_order_follows_its_seed(
    db_target: str, tmp_path: Path
) -> None:
    store = make_review(db_target, tmp_path)
    chosen = prioritising.set_order(store, TA, ScreeningOrder.RANDOM, "ann", seed=7)
    assert chosen.seed == 7 and prioritising.orders(store)[TA] == chosen
    with store.reading() as connection:
        event = list_events(connection, limit=1)[0]
    assert (event.action, event.actor, event.detail) == (
        "screening.order_set", "ann",
        {"stage": "title_abstract", "order": "random", "seed": 7, "was": "prioritised"},
    )  # fmt: skip
    expected = [int(r) for r in random_order(7, np.arange(1, 16))]
    seen = []
    after = None
    while (found := next_id(store, "ann", after)) is not None:
        seen.append(found)
        screening.screen(store, found, TA, INC if found % 2 else EXC, "ann")
        after = found
    assert seen == expected  # the seed alone gives the order, decided records and all
    assert seen != sorted(seen)
    drawn = prioritising.set_order(store, Stage.FULL_TEXT, ScreeningOrder.RANDOM, "ann")
    assert drawn.seed is not None and prioritising.orders(store)[Stage.FULL_TEXT] == drawn
    with pytest.raises(InvalidInput, match="only random order takes a seed"):
        prioritising.set_order(store, TA, ScreeningOrder.FILE, "ann", seed=3)
    prioritising.set_order(store, TA, ScreeningOrder.FILE, "ann")
    assert screening.screening_view(store, TA, "ann").order.ranking is None
    store.close()


def test_random_order_is_the_same_in_another_store_with_the_same_seed(
    tmp_path: Path, db_target: str
) -> None:
    orders = []
    for n, target in enumerate((db_target, str(tmp_path / "other.realist"))):
        folder = tmp_path / f"r{n}"
        folder.mkdir()
        store = make_review(target, folder)
        prioritising.set_order(store, TA, ScreeningOrder.RANDOM, "ann", seed=12345)
        orders.append(ranked(store))
        store.close()
    assert orders[0] == orders[1] == [int(r) for r in random_order(12345, np.arange(1, 16))]


def test_merged_and_edited_records_after_the_features_were_built(
    db_target: str, tmp_path: Path
) -> None:
    store = make_review(db_target, tmp_path)
    screening.screen(store, 6, TA, INC, "ann")
    screening.screen(store, 1, TA, EXC, "ann")
    assert ranked(store)[0] in RELEVANT_IDS
    # Record 11 merged into record 15 as a duplicate: it is never offered again.
    merge_records(store, 15, 11, "ann")
    assert 11 not in ranked(store) and len(ranked(store)) == 12
    # Record 5 ("Bird migration") edited into a relevant one; an edit is an event.
    with store.transaction() as connection:
        connection.execute(
            record_table.update()
            .where(record_table.c.id == 5)
            .values(title="Mentoring new teachers in primary schools", abstract="")
        )
        append_event(connection, "record.changed", "ann", "record:5", {"field": "title"})
    assert ranked(store)[0] == 5
    why = screening.screening_view(store, TA, "ann").next.why
    assert why is not None and why.terms
    offered = []
    after = None
    while (found := next_id(store, "ann", after)) is not None:
        offered.append(found)
        screening.screen(store, found, TA, EXC, "ann")
        after = found
    assert 11 not in offered and sorted(offered) == sorted(set(range(2, 16)) - {6, 11})
    store.close()


def test_all_records_screened_and_records_imported_later(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path, OTHER[:3] + RELEVANT[:1])
    for record_id, decision in ((1, EXC), (2, EXC), (3, EXC), (4, INC)):
        screening.screen(store, record_id, TA, decision, "ann")
    view = screening.screening_view(store, TA, "ann")
    assert view.next.record is None and view.next.why is None
    assert (view.next.progress.done, view.next.progress.total) == (4, 4)
    later = tmp_path / "later.ris"
    later.write_text(
        "".join(
            f"TY  - JOUR\nTI  - {t}\nAB  - About {t.lower()}.\nER  - \n\n"
            for t in ("Glacier retreat", "Mentoring teachers who mentor", "Parking charges")
        ),
        encoding="utf-8",
    )
    import_file(store, later, source_name="Later")
    assert next_id(store, "ann") == 6  # the new relevant one first, once ranked
    store.close()


def test_full_text_can_be_prioritised(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path)
    for record_id in range(1, 16):
        screening.screen(store, record_id, TA, MAYBE, "ann")
    prioritising.set_order(store, Stage.FULL_TEXT, ScreeningOrder.PRIORITISED, "ann")
    screening.add_criterion(store, "E-X", "other", CriterionKind.EXCLUSION, "Off topic", "ann")
    screening.screen(store, 6, Stage.FULL_TEXT, INC, "ann")
    screening.screen(store, 1, Stage.FULL_TEXT, EXC, "ann", "E-X")
    nxt = screening.next_record(store, Stage.FULL_TEXT, "ann")
    assert nxt.record is not None and nxt.record.id in RELEVANT_IDS
    assert nxt.why is not None and "a maybe counts" not in nxt.why.basis
    store.close()


def test_a_queue_whose_order_is_not_ready_says_which_order_it_waits_for() -> None:
    """Before its first ranking is made, a card says what is coming: a model's ranking, or
    random order's draw (it said "the ranking is being prepared" for random order too)."""
    from realist.domain.records import Record
    from realist.services.prioritising import QueueOrder
    from realist.services.ranking_reasons import why

    record = Record(title="A study", id=1)
    waiting = {
        order: why(QueueOrder(order, 7, None), record, ScreeningMode.SINGLE).basis
        for order in ScreeningOrder
    }
    assert waiting[ScreeningOrder.PRIORITISED] == (
        "the ranking is being prepared: file order until it is ready"
    )
    assert waiting[ScreeningOrder.RANDOM] == (
        "the random order is being drawn: file order until it is ready"
    )
    assert waiting[ScreeningOrder.FILE] == "the order the records were imported in"
