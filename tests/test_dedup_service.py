"""Deduplication in a review: merges, the review queue, undo, and per-source counts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from realist.domain.records import DuplicateStatus, Record
from realist.errors import InvalidInput
from realist.services import dedup
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import records as records_repo
from realist.store.events import list_events
from realist.store.schema import record

ARTICLE = Record(
    title="Effect of peer support on prevention of postnatal depression among high risk women",
    authors=["Dennis C-L", "Hodnett E", "Kenton L"],
    year=2009,
    journal="BMJ",
    volume="338",
    pages="a3064",
    doi="10.1136/bmj.a3064",
)


def _variant(**changes: object) -> Record:
    values = {**ARTICLE.__dict__, **changes, "id": None}
    return Record(**values)  # type: ignore[arg-type]


def _store(db_target: str, items: list[Record]) -> Store:
    store = init_review(db_target, "t", "ann")
    with store.transaction() as connection:
        for item in items:
            records_repo.insert_record(connection, item)
    return store


def _standing(store: Store) -> list[int]:
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(record.c.id).where(record.c.duplicate_of.is_(None)).order_by(record.c.id)
        )
        return [r[0] for r in rows]


def test_certain_duplicates_merge_and_can_be_undone(db_target: str) -> None:
    unrelated = Record(title="Group therapy for anxiety in adolescents", year=2015, journal="X")
    store = _store(
        db_target,
        [ARTICLE, _variant(title=ARTICLE.title.upper(), doi="https://doi.org/10.1136/BMJ.A3064"),
         unrelated],
    )  # fmt: skip
    run = dedup.deduplicate(store, "ann")
    assert (run.considered, run.merged_groups, run.merged_records) == (3, 1, 1)
    assert _standing(store) == [1, 3]
    groups = dedup.list_groups(store, DuplicateStatus.MERGED)
    assert len(groups) == 1 and groups[0].member_ids == [1, 2]
    assert groups[0].id is not None
    assert dedup.undo_merge(store, groups[0].id, "ann") == [2]
    assert _standing(store) == [1, 2, 3]
    # A pair a person has separated is never merged again.
    assert dedup.deduplicate(store, "ann").merged_records == 0
    with store.reading() as connection:
        actions = [e.action for e in list_events(connection)]
    assert actions[:3] == ["duplicates.found", "duplicates.unmerged", "duplicates.found"]
    # Separating them was a person's decision: undoing it puts the pair back in the queue.
    assert dedup.undo_merge(store, groups[0].id, "ann") == []
    assert [q.group_id for q in dedup.review_queue(store)] == [groups[0].id]
    with pytest.raises(InvalidInput, match="no merge or decision to undo"):
        dedup.undo_merge(store, groups[0].id, "ann")
    store.close()


def test_a_merge_by_hand_can_be_undone_and_decided_again(db_target: str) -> None:
    """The issue's case: a pair confirmed (or merged) by hand, then undone, returns to the
    queue, where --same and --different work again; nothing becomes unreachable."""
    other = Record(title="Peer support for perinatal depression: a pilot", year=2016, journal="Y")
    store = _store(db_target, [ARTICLE, other, Record(title="Unrelated", year=2001)])
    group = dedup.merge_records(store, 1, 2, "ann")
    assert _standing(store) == [1, 3]
    with pytest.raises(InvalidInput, match="already merged into record 1"):
        dedup.merge_records(store, 3, 2, "ann")
    assert dedup.undo_merge(store, group, "ann") == [2]
    assert _standing(store) == [1, 2, 3]
    assert [q.group_id for q in dedup.review_queue(store)] == [group]
    dedup.decide_pair(store, group, True, "ann")  # --same
    assert _standing(store) == [1, 3]
    assert dedup.undo_merge(store, group, "ann") == [2]  # --undo
    dedup.decide_pair(store, group, False, "ann")  # --different
    assert _standing(store) == [1, 2, 3]
    assert dedup.deduplicate(store, "ann").merged_records == 0  # never merged again
    dedup.undo_merge(store, group, "ann")  # and that decision, too, can be revisited
    assert [q.group_id for q in dedup.review_queue(store)] == [group]
    with pytest.raises(InvalidInput, match="cannot be merged with itself"):
        dedup.merge_records(store, 1, 1, "ann")
    with store.reading() as connection:
        actions = [e.action for e in list_events(connection)]
    assert "duplicates.merged_by_hand" in actions and "duplicates.reopened" in actions
    store.close()


def test_erratum_is_not_merged_into_its_article(db_target: str) -> None:
    erratum = _variant(title="Erratum: " + ARTICLE.title, pages="b123", doi="10.1136/bmj.b123")
    store = _store(db_target, [ARTICLE, erratum])
    run = dedup.deduplicate(store, "ann")
    assert run.merged_records == 0
    assert _standing(store) == [1, 2]
    store.close()


def test_queue_decisions(db_target: str) -> None:
    # Same title, but no DOI, authors, volume or pages to confirm it: a person decides.
    shaky = _variant(doi="", journal="British Medical Journal", pages="", volume="", authors=[])
    store = _store(db_target, [ARTICLE, shaky])
    run = dedup.deduplicate(store, "ann")
    queue = dedup.review_queue(store)
    assert run.merged_records == 0
    assert run.queued_pairs == len(queue) == 1
    pair = queue[0]
    assert {pair.first.id, pair.second.id} == {1, 2}
    dedup.decide_pair(store, pair.group_id, same=True, reviewer="ann")
    assert len(_standing(store)) == 1
    assert dedup.review_queue(store) == []
    with pytest.raises(InvalidInput, match="not waiting"):
        dedup.decide_pair(store, pair.group_id, same=False, reviewer="ann")
    assert dedup.deduplicate(store, "ann").queued_pairs == 0  # not proposed twice
    store.close()


ERRATUM = _variant(
    title="Erratum to: " + ARTICLE.title, doi="10.1136/bmj.b1234", pages="b1234", year=2010
)


def test_errata_wait_in_the_queue_until_the_setting_merges_them(
    db_target: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REALIST_DEDUP_MERGE_ERRATA", raising=False)
    store = _store(db_target, [ARTICLE, ERRATUM])
    run = dedup.deduplicate(store, "ann")
    assert (run.merged_records, run.queued_pairs, run.kept_apart) == (0, 1, 1)
    assert run.merge_errata is False
    queue = dedup.review_queue(store)
    assert [q.kept_apart for q in queue] == [True]
    assert queue[0].reason == "erratum of this article: kept apart by setting dedup_merge_errata"
    note = dedup.errata_note(False, 1)
    assert "kept apart by the setting dedup_merge_errata" in note
    assert "REALIST_DEDUP_MERGE_ERRATA=1" in note

    # Turned on, the next run merges the erratum, and the pair leaves the queue: its
    # question is answered (the merge can be undone like any other).
    monkeypatch.setenv("REALIST_DEDUP_MERGE_ERRATA", "1")
    again = dedup.deduplicate(store, "ann")
    assert (again.merged_records, again.answered, again.merge_errata) == (1, 1, True)
    assert dedup.review_queue(store) == []
    assert _standing(store) == [1]
    merged = dedup.list_groups(store, DuplicateStatus.MERGED)
    assert merged[0].reason == "erratum merged into its article by setting dedup_merge_errata"
    with store.reading() as connection:
        found = [e for e in list_events(connection) if e.action == "duplicates.found"][::-1]
    assert [e.detail["merge_errata"] for e in found] == [False, True]
    assert found[1].detail["answered_pairs"] == [queue[0].group_id]
    assert dedup.undo_merge(store, merged[0].id or 0, "ann") == [2]


def test_a_retraction_is_never_merged(db_target: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REALIST_DEDUP_MERGE_ERRATA", "1")
    retraction = _variant(title="Retraction note to: " + ARTICLE.title, doi="10.1136/bmj.r1")
    store = _store(db_target, [ARTICLE, retraction])
    run = dedup.deduplicate(store, "ann")
    assert (run.merged_records, run.queued_pairs, run.kept_apart) == (0, 1, 0)
    assert dedup.review_queue(store)[0].reason.startswith("retraction of this article")
