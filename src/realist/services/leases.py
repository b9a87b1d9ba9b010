"""Single screening with several people at once: who holds which record.

In single screening one person's decision settles a record, so two people must not be
served the same record. A reviewer's queue hands them a record with a *lease*: a row of
``screening_lease`` (record, stage, reviewer, expiry) that keeps the record out of every
other reviewer's queue for a few minutes (``screening_lease_minutes``). The lease is in the
store, not in a server process, so several processes (and the terminal's ``realist
screen``) see each other's; the table's primary key lets one reviewer at a time hold a
record, whatever races. Deciding the record ends its lease; skipping it, or being handed
another, moves the reviewer's one lease on; a lease nobody renews expires and the record
returns to every queue, so nothing is skipped for good. A lease is not review state (it
is never in an archive or the event log): it only steers queues. A record decided by a
second person anyway is refused by :func:`realist.services.screening.screen`, so nothing
is overwritten unknowingly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Connection

from realist.domain.screening import Stage
from realist.settings import setting
from realist.store import screening as screening_repo

__all__ = ["hand_out", "hold", "lease_length"]

ATTEMPTS = 5  # records tried when others take each one first (a race between processes)


def lease_length() -> timedelta:
    """How long a handed-out record stays out of the others' queues."""
    try:
        minutes = float(setting("screening_lease_minutes"))
    except ValueError:
        minutes = 10.0
    return timedelta(minutes=max(minutes, 0.0))


def hand_out(
    connection: Connection,
    stage: Stage,
    who: int,
    after: int | None,
    first_free: Callable[[set[int], int | None], int | None],
    waits: Callable[[int, set[int]], bool],
) -> int | None:
    """The record to hand reviewer ``who`` at ``stage`` (None: none is free), leased to
    them in the caller's transaction.

    ``first_free(held, after)`` is the queue: the first waiting record (after ``after`` in
    the queue's order, going round) not in ``held``; ``waits(record, held)`` says whether
    one record is still waiting and not in ``held``. Without ``after`` (a page opened or
    reloaded), the record the reviewer already holds comes back, so a reload does not move
    them on.
    """
    screening_repo.lock_reviewer_leases(connection, who)
    now = datetime.now(UTC)
    hold = lease_length()
    held = screening_repo.leased_by_others(connection, stage, who, now)
    if after is None:
        mine = screening_repo.my_lease(connection, stage, who, now)
        if mine is not None and waits(mine, held):
            screening_repo.take_lease(connection, mine, stage, who, now, hold)  # renewed
            return mine
    for _ in range(ATTEMPTS):
        chosen = first_free(held, after)
        if chosen is None:
            return None
        if screening_repo.take_lease(connection, chosen, stage, who, now, hold):
            # The queue was read before the lease was written; another process may have
            # decided the record in between (its lease ended with the decision). Now
            # that this transaction writes (SQLite: holds the write lock; PostgreSQL: a
            # fresh statement), ask again whether the record still waits.
            if waits(chosen, held):
                return chosen
            screening_repo.release_lease(connection, chosen, stage)
        held.add(chosen)  # another process took it (or decided it) a moment ago
    return None


def hold(connection: Connection, record_id: int, stage: Stage, who: int) -> bool:
    """Lease ``record_id`` to reviewer ``who`` now (as a decision taken back is: it is the
    record they see next); False when another reviewer holds it."""
    screening_repo.lock_reviewer_leases(connection, who)
    now = datetime.now(UTC)
    return screening_repo.take_lease(connection, record_id, stage, who, now, lease_length())
