"""The ranked queue stays exact: the ranking only orders, the database decides what is left.
Whatever the ranking (stale, made before an import, or being remade in the background while
several people decide), every waiting record is handed out, none twice, and no decision is
changed. Real stores, SQLite and PostgreSQL."""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from prioritising_kit import RELEVANT_IDS, TA, make_review, next_id, ranked
from realist.domain.screening import CriterionKind, Decision, ScreeningMode
from realist.domain.screening_order import ScreeningOrder
from realist.errors import InvalidInput
from realist.services import prioritising, screening, screening_queue
from realist.services.imports import import_file
from realist.store import open_store
from realist.store import reviews as reviews_repo
from realist.store.schema import screening_decision

INC, EXC = Decision.INCLUDE, Decision.EXCLUDE
TITLES = [
    f"Study {n} of {random.Random(n).choice(['mentoring', 'soil', 'noise'])}" for n in range(40)
]


def _decisions(target: str) -> list[tuple[int, str]]:
    store = open_store(target)
    try:
        with store.reading() as connection:
            rows = connection.execute(
                sa.select(screening_decision.c.record_id, screening_decision.c.reviewer_id)
            ).all()
    finally:
        store.close()
    return [(int(r.record_id), str(r.reviewer_id)) for r in rows]


@pytest.mark.parametrize("mode", [ScreeningMode.SINGLE, ScreeningMode.DUAL])
@pytest.mark.parametrize("inline", [True, False], ids=["inline", "background"])
def test_concurrent_decisions_with_ranking_never_lose_or_repeat_a_record(
    db_target: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    mode: ScreeningMode,
    inline: bool,
) -> None:
    """Two people (each with their own store, as two server processes have) take the next
    record and decide it at once until their queues are empty, the ranking refitted after
    every decision (on the spot, or in the background while they go on)."""
    if not inline:
        monkeypatch.setenv("REALIST_RANKING_INLINE_RECORDS", "0")
    store = make_review(db_target, tmp_path, TITLES)
    screening.add_highlight_terms(store, ["mentoring"], CriterionKind.INCLUSION, "ann")
    screening.set_screening_mode(store, mode, "ann")
    store.close()
    handed: dict[str, list[int]] = {"ann": [], "bob": []}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(who: str, seed: int) -> None:
        rng = random.Random(seed)
        mine = open_store(db_target)
        try:
            start.wait()
            after: int | None = None
            while (found := screening.next_record(mine, TA, who, after).record) is not None:
                assert found.id is not None and len(handed[who]) < 40, "handed out again"
                handed[who].append(found.id)
                decision = INC if "mentoring" in found.title and rng.random() < 0.8 else EXC
                screening.screen(mine, found.id, TA, decision, who)
                after = found.id
        except BaseException as failed:
            errors.append(failed)
        finally:
            mine.close()

    threads = [threading.Thread(target=work, args=(w, n)) for n, w in enumerate(handed)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    assert prioritising.wait(60)
    assert errors == []
    per_reviewer = {who: Counter(ids) for who, ids in handed.items()}
    assert all(set(c.values()) == {1} for c in per_reviewer.values())  # nobody saw one twice
    stored = Counter(_decisions(db_target))
    assert set(stored.values()) == {1}  # one decision per reviewer and record
    if mode is ScreeningMode.SINGLE:
        decided = Counter(record for record, _ in stored)
        assert sorted(decided) == list(range(1, 41)) and set(decided.values()) == {1}
        assert not set(handed["ann"]) & set(handed["bob"])
    else:
        for who in handed:
            assert sorted(handed[who]) == list(range(1, 41))  # each decided every record
    store = open_store(db_target)
    assert any(f["kind"] == "model" for f in prioritising.fits(store))  # refits were made
    store.close()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_ranking_even_a_stale_one_hands_out_every_waiting_record_once(
    db_target: str, tmp_path: Path, seed: int
) -> None:
    """The queue with a ranking made before an import and before decisions that were then
    taken back: the ranked records come first in the ranking's order, then the ones it did
    not know in id order; every waiting record comes exactly once."""
    rng = random.Random(seed)
    store = make_review(db_target, tmp_path, TITLES[:20])
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")  # no leases to steer it
    screening.add_highlight_terms(store, ["mentoring"], CriterionKind.INCLUSION, "ann")
    before = rng.sample(range(1, 21), 5)
    for record_id in before:
        screening.screen(store, record_id, TA, rng.choice([INC, EXC]), "ann")
    old = prioritising.queue_order(store, TA, "ann").ranking
    assert old is not None and not set(old.ranked.tolist()) & set(before)
    for _ in range(2):
        screening.undo_last(store, TA, "ann")  # waiting again, unknown to the old ranking
    later = tmp_path / "later.ris"
    later.write_text("".join(f"TY  - JOUR\nTI  - Later {n}\nER  - \n\n" for n in range(6)))
    import_file(store, later, source_name="Later")  # records 21 to 26
    waiting = set(range(1, 27)) - set(before[:3])
    seen: list[int] = []
    after: int | None = None
    with store.reading() as connection:
        _, who = reviews_repo.resolve_reviewer(connection, "ann")
    while True:
        with store.transaction() as connection:
            nxt = screening_queue.next_in_queue(connection, TA, who, after, ScreeningMode.DUAL, old)
        if nxt.record is None:
            break
        assert nxt.record.id is not None and len(seen) < 26, "handed out again"
        seen.append(nxt.record.id)
        screening.screen(store, nxt.record.id, TA, EXC, "ann")
        after = nxt.record.id
    assert sorted(seen) == sorted(waiting) and len(seen) == len(set(seen))
    ranked_first = [r for r in old.ranked.tolist() if r in waiting]
    assert seen[: len(ranked_first)] == ranked_first  # in the old ranking's order
    rest = seen[len(ranked_first) :]
    assert rest == sorted(r for r in rest if r > old.ceiling) + sorted(
        r for r in rest if r <= old.ceiling
    )  # the newer ones by id, then those it had left out
    store.close()


def test_a_decision_is_never_changed_by_the_ranking(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path)
    screening.screen(store, 6, TA, INC, "ann")
    screening.screen(store, 1, TA, EXC, "ann")
    with store.reading() as connection:
        before = connection.execute(sa.select(screening_decision)).all()
    for order in (ScreeningOrder.RANDOM, ScreeningOrder.FILE, ScreeningOrder.PRIORITISED):
        prioritising.set_order(store, TA, order, "ann")
        screening.next_record(store, TA, "bob")
    with store.reading() as connection:
        assert connection.execute(sa.select(screening_decision)).all() == before
    # A second person's decision on a record already settled is still refused.
    with pytest.raises(InvalidInput, match="one decision settles a record"):
        screening.screen(store, 6, TA, EXC, "bob")
    store.close()


def test_skipping_in_a_prioritised_queue(db_target: str, tmp_path: Path) -> None:
    """Next skips a record for now: the best-ranked records the reviewer has not skipped
    come first; once only skipped ones are left, the queue comes round to them."""
    store = make_review(db_target, tmp_path)
    screening.screen(store, 6, TA, INC, "ann")
    screening.screen(store, 1, TA, EXC, "ann")
    order = ranked(store, "ann")
    first = next_id(store, "ann")
    assert first == order[0] and first in RELEVANT_IDS
    second = next_id(store, "ann", after=first)  # skipped
    assert second == order[1]
    screening.screen(store, second, TA, INC, "ann")  # type: ignore[arg-type]
    third = next_id(store, "ann", after=second)
    assert third is not None and third != first  # still skipped, the ranking moved on
    screening.screen(store, third, TA, EXC, "ann")
    seen = [third]
    after = third
    while (found := next_id(store, "ann", after)) is not None and found != first:
        seen.append(found)
        screening.screen(store, found, TA, EXC, "ann")
        after = found
    assert found == first and len(seen) == 11  # round again: the skipped one, last
    store.close()


def test_a_ranking_passes_over_a_record_decided_here_and_takes_it_back_with_an_undo(
    db_target: str, tmp_path: Path
) -> None:
    """A ranking knows the records decided since it was made without asking the database
    (the next card of a busy queue need not look them up), and a decision taken back makes
    the record wait in its ranked place again."""
    store = make_review(db_target, tmp_path)
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")  # no leases to steer it
    screening.add_highlight_terms(store, ["mentoring"], CriterionKind.INCLUSION, "ann")
    made = prioritising.queue_order(store, TA, "ann").ranking
    assert made is not None
    top, second = (int(r) for r in made.ranked[:2])
    with store.reading() as connection:
        _, who = reviews_repo.resolve_reviewer(connection, "ann")

    def next_with_made(after: int | None) -> tuple[int | None, int]:
        """The next record by ``made`` (however stale), and the look-ups of one record."""
        asked: list[str] = []

        def count(*args: object) -> None:
            asked.append(str(args[2]))  # the statement

        engine = store.engine
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            with store.transaction() as connection:
                nxt = screening_queue.next_in_queue(
                    connection, TA, who, after, ScreeningMode.DUAL, made
                )
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        one = str(screening_queue._WAITS[False].compile(dialect=engine.dialect))
        return nxt.record.id if nxt.record else None, asked.count(one)

    screening.screen(store, top, TA, EXC, "ann")
    assert top in made.passed
    assert next_with_made(top) == (second, 1)  # only the second asked about: it waits
    screening.undo_last(store, TA, "ann")
    assert top not in made.passed
    assert next_with_made(None)[0] == top  # back in its ranked place
    store.close()
