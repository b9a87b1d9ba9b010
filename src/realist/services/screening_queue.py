"""The screening queue: the next record for a reviewer, in the queue's order.

The database decides what is left to screen; a ranking (services.prioritising) only orders
it. The queue's order is the ranking (records undecided when it was made, most likely
include first), then records newer than the ranking in id order, then anything else still
waiting (a decision taken back since the ranking was made) in id order; without a ranking
(file order, or one not made yet), id order. Every candidate is checked against the
database at the moment it is handed out, so a record decided since the ranking was made is
never offered, and a record the ranking does not know (imported after it) is never lost.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.documents import Document
from realist.domain.records import Record
from realist.domain.review import ReviewerRole
from realist.domain.screening import Outcome, ScreeningDecision, ScreeningMode, Stage, settle
from realist.services.leases import hand_out
from realist.services.prioritising import Ranking, url_key
from realist.services.ranking_reasons import Why
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import screening as screening_repo
from realist.store.batches import STANDING_COUNT, VISIBLE
from realist.store.schema import record as record_table
from realist.store.schema import reviewer as reviewer_table
from realist.store.schema import screening_decision

__all__ = ["GOES_TO_FULL_TEXT", "NextRecord", "Progress", "next_in_queue", "outcomes"]

# Records that go on to full-text screening: included, or left as maybe, at title/abstract.
GOES_TO_FULL_TEXT = (Outcome.INCLUDED, Outcome.MAYBE)
# Ranked records checked against the database per query: the first few are nearly always
# enough (the ones decided or handed out since the ranking was made are few).
CHUNKS = (16, 128, 1024)
PROBES = 3  # ranked records looked up one by one before a chunk is


def outcomes(connection: Connection, stage: Stage, mode: ScreeningMode) -> dict[int, Outcome]:
    """Where every record with at least one decision at ``stage`` stands."""
    by_record: dict[int, list[ScreeningDecision]] = defaultdict(list)
    for item in screening_repo.list_decisions(connection, stage):
        by_record[item.record_id].append(item)
    return {rid: settle(items, mode) for rid, items in by_record.items()}


@dataclass
class Progress:
    done: int  # records this reviewer has decided at this stage
    total: int  # records this reviewer can screen at this stage


@dataclass
class NextRecord:
    record: Record | None
    progress: Progress
    full_text: Document | None = None  # at full text: the document attached to the record
    why: Why | None = None  # why this record now: the queue's order, its score and terms


_ROLE = sa.select(reviewer_table.c.role).where(reviewer_table.c.id == sa.bindparam("id"))


def _screens(connection: Connection, who: int) -> bool:
    """Whether the reviewer may screen (a viewer only looks: their queue leases nothing)."""
    role = connection.execute(_ROLE, {"id": who}).scalar()
    return role is not None and ReviewerRole(role) is not ReviewerRole.VIEWER


def next_in_queue(
    connection: Connection,
    stage: Stage,
    who: int,
    after: int | None,
    mode: ScreeningMode,
    ranking: Ranking | None,
) -> NextRecord:
    """The next record for reviewer ``who`` (see services.screening.next_record), in the
    order of ``ranking`` (None: id order); in single mode leased to them."""
    single = mode is ScreeningMode.SINGLE
    if stage is Stage.TITLE_ABSTRACT:
        return _next_by_query(connection, who, single, after, ranking)
    return _next_full_text(connection, stage, who, after, mode, ranking)


def _hand(
    connection: Connection,
    stage: Stage,
    who: int,
    single: bool,
    after: int | None,
    first: Callable[[set[int], int | None], int | None],
    waits: Callable[[int, set[int]], bool],
) -> int | None:
    if single and _screens(connection, who):
        return hand_out(connection, stage, who, after, first, waits)
    return first(set(), after)


def _eligible_ids(connection: Connection, stage: Stage, mode: ScreeningMode) -> list[int]:
    """Records that can be screened at ``stage``: standing (not merged duplicates), and for
    full text, through title/abstract (settled in SQL: reading every title/abstract
    decision into Python cost most of a second per full-text decision at 100k records)."""
    query = sa.select(record_table.c.id).where(_STANDING_RECORD).order_by(record_table.c.id)
    if stage is not Stage.TITLE_ABSTRACT:
        passed = screening_repo.settled_query(Stage.TITLE_ABSTRACT, mode).subquery()
        wanted = [outcome.value for outcome in GOES_TO_FULL_TEXT]
        query = query.join(passed, passed.c.record_id == record_table.c.id).where(
            passed.c.outcome.in_(wanted)
        )
    return [int(r[0]) for r in connection.execute(query)]


def _next_full_text(
    connection: Connection,
    stage: Stage,
    who: int,
    after: int | None,
    mode: ScreeningMode,
    ranking: Ranking | None,
) -> NextRecord:
    single = mode is ScreeningMode.SINGLE
    eligible = _eligible_ids(connection, stage, mode)
    mine = screening_repo.decided_record_ids(connection, stage, who)
    settled = outcomes(connection, stage, mode)
    queue = [rid for rid in eligible if rid not in mine and not (single and rid in settled)]
    done = sum(1 for rid in eligible if rid in mine)
    progress = Progress(done=done, total=done + len(queue))
    place = _place(ranking)
    queue.sort(key=place)
    skipped = _skips(connection, stage, who)

    def first_free(held: set[int], start: int | None) -> int | None:
        free = [rid for rid in queue if rid not in held]
        if ranking is None or ranking.static:  # a fixed order: go on from ``start``
            later = [rid for rid in free if start is not None and place(rid) > place(start)]
            found = later or free
            return found[0] if found else None
        if start is not None and start in queue:
            _skip(skipped, start)  # still waiting: skipped for now
        rest = [rid for rid in free if rid not in skipped]
        if not rest and skipped:
            skipped.clear()  # gone round: the skipped ones come again
            rest = free
        return rest[0] if rest else None

    def waits(record_id: int, held: set[int]) -> bool:
        # The queue was read before the lease was taken: read this record again.
        if record_id in held or record_id in screening_repo.decided_record_ids(
            connection, stage, who
        ):
            return False
        return not single or record_id not in outcomes(connection, stage, mode)

    chosen = _hand(connection, stage, who, single, after, first_free, waits)
    if chosen is None:
        return NextRecord(None, progress)
    return NextRecord(
        records_repo.get_record(connection, chosen),
        progress,
        documents_repo.document_for_record(connection, chosen),
    )


def _place(ranking: Ranking | None) -> Callable[[int], tuple[int, int]]:
    """A record's place in the queue's order: without a ranking, its id; in a static order
    (random), its key; else ranked ones by rank, then those newer than the ranking, then
    any other, each in id order."""

    def place(record_id: int) -> tuple[int, int]:
        if ranking is None:
            return (0, record_id)
        if ranking.static:
            return (ranking.places_before(record_id), record_id)
        at = ranking.position(record_id)
        if at is not None:
            return (0, at)
        return (1, record_id) if record_id > ranking.ceiling else (2, record_id)

    return place


# Prioritised order changes after every decision, so a place in it is no bookmark: records
# a reviewer skips ("next") are remembered here until their queue goes round, per process
# (a reviewer served by two processes may meet a skipped record again sooner: only the
# order depends on this, never what is left to screen).
_SKIPPED: dict[tuple[str, Stage, int], dict[int, None]] = {}
_SKIPPED_LOCK = threading.Lock()
SKIPS_KEPT = 1_000


def _skips(connection: Connection, stage: Stage, who: int) -> dict[int, None]:
    key = (url_key(connection.engine.url), stage, who)
    with _SKIPPED_LOCK:
        return _SKIPPED.setdefault(key, {})


def _skip(skipped: dict[int, None], record_id: int) -> None:
    with _SKIPPED_LOCK:
        skipped[record_id] = None
        while len(skipped) > SKIPS_KEPT:
            del skipped[next(iter(skipped))]


def _next_by_query(
    connection: Connection, who: int, single: bool, after: int | None, ranking: Ranking | None
) -> NextRecord:
    """Title/abstract screening, where every standing record is eligible: the queue and
    progress are counted by the database from indexes, so a decision costs the same with
    10 or 100,000 decisions already made (the web's ten-reviewers load depends on it)."""
    total = int(connection.execute(STANDING_COUNT).scalar() or 0)
    done = int(connection.execute(_DECIDED_BY, {"who": who}).scalar() or 0)
    left = total - (int(connection.execute(_DECIDED).scalar() or 0) if single else done)
    progress = Progress(done=done, total=done + left)
    queue = _RankedQueue(
        connection, who, single, ranking, _skips(connection, Stage.TITLE_ABSTRACT, who)
    )
    first = _hand(connection, Stage.TITLE_ABSTRACT, who, single, after, queue.first, queue.waits)
    if first is None:
        return NextRecord(None, progress)
    return NextRecord(records_repo.get_record(connection, first), progress)


class _RankedQueue:
    """The title/abstract queue of one reviewer, in a ranking's order (see the module's
    docstring), each candidate checked by the database."""

    def __init__(
        self,
        connection: Connection,
        who: int,
        single: bool,
        ranking: Ranking | None,
        skipped: dict[int, None],
    ) -> None:
        self.connection = connection
        self.who = who
        self.single = single
        self.ranking = ranking
        self.skipped = skipped

    def _params(self, held: set[int], after: int | None) -> dict[str, object]:
        return {"who": self.who, "after": -1 if after is None else after, "held": list(held)}

    def by_id(self, held: set[int], after: int | None) -> int | None:
        """The first waiting record by id (after ``after``, going round)."""
        params = self._params(held, after)
        found = None
        if after is not None:
            found = self.connection.execute(_QUEUE[self.single, True], params).scalar()
        if found is None:
            found = self.connection.execute(_QUEUE[self.single, False], params).scalar()
        return None if found is None else int(found)

    def newer(self, held: set[int], after: int) -> int | None:
        """The first waiting record with an id above ``after``."""
        found = self.connection.execute(_QUEUE[self.single, True], self._params(held, after))
        value = found.scalar()
        return None if value is None else int(value)

    def ranked(self, held: set[int], start: int, stop: int) -> int | None:
        """The best-ranked waiting record among positions ``start`` to ``stop``, not in
        ``held``. The records at the top found decided since the ranking was made are
        skipped from then on (``Ranking.gone``): with several people deciding, a ranking
        made a few seconds ago begins with dozens of them. (One taken back in this process
        waits in its ranked place again: see prioritising.decided; one taken back in another
        is found by the last resort of :meth:`first`, and ranked again by the next refit.)"""
        ranking = self.ranking
        assert ranking is not None
        start = max(start, ranking.gone[0])
        passed = ranking.passed
        # The best candidates first, one look-up each: records others hold, and those
        # known decided since the ranking was made (``Ranking.passed``: the ones decided
        # here are known without asking), are passed over without one.
        probe = start
        for _ in range(PROBES):
            while probe < stop:
                record_id = int(ranking.ranked[probe])
                if record_id in passed:
                    if probe == ranking.gone[0]:
                        ranking.gone[0] += 1
                elif record_id not in held:
                    break
                probe += 1
            if probe >= stop:
                return None
            record_id = int(ranking.ranked[probe])
            if self.waits(record_id, held):
                return record_id
            passed.add(record_id)  # decided (or merged): gone for good
            if probe == ranking.gone[0]:
                ranking.gone[0] += 1
            probe += 1
        sizes = iter(CHUNKS)
        size = next(sizes)
        while start < stop:
            ids = ranking.span(start, min(size, stop - start))
            params = {**self._params(held, None), "ids": ids}
            found = self.connection.execute(_AMONG[self.single], params).scalars()
            waiting = {int(r) for r in found}
            best = next((record_id for record_id in ids if record_id in waiting), None)
            passed.update(r for r in ids if r not in waiting and r not in held)
            if start == ranking.gone[0]:
                gone = 0
                for record_id in ids:
                    if record_id in waiting or record_id in held:
                        break
                    gone += 1
                ranking.gone[0] = max(ranking.gone[0], start + gone)
            if best is not None:
                return best
            start += len(ids)
            size = next(sizes, size)
        return None

    def first(self, held: set[int], after: int | None) -> int | None:
        """The next waiting record after ``after`` in the queue's order."""
        if self.ranking is None:
            return self.by_id(held, after)
        if self.ranking.static:
            return self._going_on(held, after)
        return self._best(held, after)

    def _going_on(self, held: set[int], after: int | None) -> int | None:
        """A fixed order (random): the first waiting record after ``after`` in it, going
        round; ``after`` has a place in it even when it was decided since."""
        ranking = self.ranking
        assert ranking is not None
        end, ceiling = len(ranking), ranking.ceiling
        tries: list[Callable[[], int | None]]
        if after is None:
            tries = [lambda: self.ranked(held, 0, end), lambda: self.newer(held, ceiling)]
        elif after > ceiling and ranking.position(after) is None:  # newer than the order
            tries = [
                lambda: self.newer(held, after),
                lambda: self.ranked(held, 0, end),
                lambda: self.newer(held, ceiling),
            ]
        else:
            start = ranking.places_before(after) + (ranking.position(after) is not None)
            tries = [
                lambda: self.ranked(held, start, end),
                lambda: self.newer(held, ceiling),
                lambda: self.ranked(held, 0, start),
            ]
        for attempt in tries:
            found = attempt()
            if found is not None:
                return found
        return self.by_id(held, after)  # anything else still waiting: nothing is lost

    def _best(self, held: set[int], after: int | None) -> int | None:
        """Prioritised order: the best-ranked waiting record the reviewer has not skipped
        for now; when only skipped ones are left, the queue goes round to them. ``after``
        still waiting means it was skipped; decided, it says nothing (the ranking has moved
        on since, and the best record now is the next one)."""
        skipped = self.skipped
        found = self._best_of(held | set(skipped))
        if after is not None and after not in skipped:
            ranking = self.ranking
            assert ranking is not None
            at = ranking.position(after)
            if found == after:  # still waiting, and the best: it was skipped
                _skip(skipped, after)
                found = self._best_of(held | set(skipped))
            elif (
                (at is None or at >= ranking.gone[0])
                and after not in ranking.passed
                and self.waits(after, set())
            ):
                _skip(skipped, after)  # (usually not asked: the scan found it decided)
        if found is None and skipped:
            with _SKIPPED_LOCK:
                skipped.clear()  # gone round: the skipped ones come again
            found = self._best_of(held)
        return found

    def _best_of(self, avoid: set[int]) -> int | None:
        ranking = self.ranking
        assert ranking is not None
        found = self.ranked(avoid, 0, len(ranking))
        if found is None:
            found = self.newer(avoid, ranking.ceiling)
        return found if found is not None else self.by_id(avoid, None)

    def waits(self, record_id: int, held: set[int]) -> bool:
        """Whether the record is still waiting for this reviewer (read again now)."""
        if record_id in held:
            return False
        params = {"who": self.who, "id": record_id}
        return self.connection.execute(_WAITS[self.single], params).first() is not None


# The queue's statements, built once (building them cost more than running them on SQLite;
# see store.reviews): ``who`` is the reviewer's id, ``after`` a record id.
# Standing: not merged away, and not in an import still being written (store.batches).
_STANDING_RECORD = sa.and_(record_table.c.duplicate_of.is_(None), VISIBLE)
_AT_TITLE_ABSTRACT = screening_decision.c.stage == Stage.TITLE_ABSTRACT
_BY_WHO = screening_decision.c.reviewer_id == sa.bindparam("who")
# Counted from the decisions (a reviewer's, or everyone's) rather than by asking each
# record: that is the size of the work done, not of the whole search.
_DECIDED = (
    sa.select(sa.func.count(sa.distinct(screening_decision.c.record_id)))
    .select_from(
        screening_decision.join(record_table, record_table.c.id == screening_decision.c.record_id)
    )
    # Not merged away; no decision is ever on a record of an unfinished import (deciding
    # one is refused, and an import's own decisions arrive as it completes), so the VISIBLE
    # test is left out: with it SQLite asked about every record, not every decision.
    .where(_AT_TITLE_ABSTRACT, record_table.c.duplicate_of.is_(None))
)
_DECIDED_BY = _DECIDED.where(_BY_WHO)


def _waiting(single: bool, after: bool) -> sa.Select[int]:
    """The first standing record nobody (single) or this reviewer (dual) has decided, with
    ``after``: among those after record ``after``."""
    # With ``after`` the decisions are bounded the same way as the records: PostgreSQL's
    # merge anti-join then starts at ``after`` instead of reading every decision before it
    # (2 ms per decision at 2,000 decisions, growing with the review).
    decided = sa.exists().where(
        screening_decision.c.record_id == record_table.c.id,
        _AT_TITLE_ABSTRACT,
        *(() if single else (_BY_WHO,)),
        *((screening_decision.c.record_id > sa.bindparam("after"),) if after else ()),
    )
    later = (record_table.c.id > sa.bindparam("after"),) if after else ()
    # Not a record another reviewer holds (single mode: services.leases), nor, in a
    # prioritised queue, one this reviewer skipped for now.
    free = record_table.c.id.not_in(sa.bindparam("held", expanding=True))
    return (
        sa.select(record_table.c.id)
        .where(_STANDING_RECORD, ~decided, *later, free)
        .order_by(record_table.c.id)
        .limit(1)
    )


def _waiting_among(single: bool) -> sa.Select[int]:
    """Which of the records ``ids`` (a span of a ranking) are waiting, as :func:`_waiting`
    decides it: one indexed look-up per record."""
    decided = sa.exists().where(
        screening_decision.c.record_id == record_table.c.id,
        _AT_TITLE_ABSTRACT,
        *(() if single else (_BY_WHO,)),
    )
    return sa.select(record_table.c.id).where(
        record_table.c.id.in_(sa.bindparam("ids", expanding=True)),
        _STANDING_RECORD,
        ~decided,
        record_table.c.id.not_in(sa.bindparam("held", expanding=True)),
    )


_QUEUE = {
    (single, after): _waiting(single, after) for single in (True, False) for after in (True, False)
}
_AMONG = {single: _waiting_among(single) for single in (True, False)}
# Whether one record waits (nothing held: the caller checks that): no list to expand, so
# the statement is compiled once.
_WAITS = {
    single: sa.select(record_table.c.id).where(
        record_table.c.id == sa.bindparam("id"),
        _STANDING_RECORD,
        ~sa.exists().where(
            screening_decision.c.record_id == record_table.c.id,
            _AT_TITLE_ABSTRACT,
            *(() if single else (_BY_WHO,)),
        ),
    )
    for single in (True, False)
}
