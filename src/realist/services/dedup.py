"""Deduplication: certain groups merged automatically, uncertain pairs queued for a person,
every merge undoable. Merged records stay in the store (with ``duplicate_of`` set), so each
database's own count of what it found stays right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.dedup import Rules, find_duplicates
from realist.domain.dedup_rules import ERRATA_SETTING, kept_apart_by_setting
from realist.domain.records import DuplicateGroup, DuplicateStatus, Record
from realist.errors import InvalidInput, NotFound
from realist.reports.wording import counted
from realist.settings import SETTINGS, setting_on
from realist.store import Store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.batches import VISIBLE
from realist.store.events import append_event, now
from realist.store.schema import duplicate_group, duplicate_member, inserted_id, record
from realist.store.schema_analysis import document


@dataclass
class DedupRun:
    """What one deduplication run did.

    ``merge_errata`` is the setting dedup_merge_errata as the run read it; ``kept_apart``
    counts the queued pairs that are an erratum, reply or comment and its article, kept apart
    by that setting; ``answered`` counts pairs that waited in the queue and are now merged
    (the run found them certain, say after the setting was turned on).
    """

    considered: int
    merged_groups: int
    merged_records: int
    queued_pairs: int
    merge_errata: bool = False
    kept_apart: int = 0
    answered: int = 0


def _groups_with_status(connection: Connection, status: DuplicateStatus) -> dict[int, list[int]]:
    """Members of each group of one status (e.g. those a person said differ)."""
    members: dict[int, list[int]] = {}
    rows = connection.execute(
        sa.select(duplicate_member.c.group_id, duplicate_member.c.record_id)
        .join(duplicate_group, duplicate_group.c.id == duplicate_member.c.group_id)
        .where(duplicate_group.c.status == status)
    )
    for group_id, record_id in rows:
        members.setdefault(group_id, []).append(record_id)
    return members


def _pairs_with_status(connection: Connection, status: DuplicateStatus) -> set[frozenset[int]]:
    """Pairs of records inside groups of one status (e.g. those a person said differ)."""
    members = _groups_with_status(connection, status)
    return {frozenset((a, b)) for ids in members.values() for a in ids for b in ids if a < b}


def _insert_group(
    connection: Connection, group: DuplicateGroup, decided_by: int | None = None
) -> int:
    group_id = inserted_id(
        connection.execute(
            duplicate_group.insert().values(
                keeper_id=group.keeper_id,
                confidence=round(min(max(group.confidence, 0.0), 1.0), 6),
                status=group.status,
                reason=group.reason,
                decided_by=decided_by,
                created_at=now(),
            )
        )
    )
    connection.execute(
        duplicate_member.insert(),
        [{"group_id": group_id, "record_id": rid} for rid in sorted(group.member_ids)],
    )
    return group_id


def _merge(connection: Connection, keeper: int, members: list[int]) -> int:
    others = [rid for rid in members if rid != keeper]
    if others:
        connection.execute(
            record.update().where(record.c.id.in_(others)).values(duplicate_of=keeper)
        )
    return len(others)


def _standing_records(connection: Connection) -> list[Record]:
    rows = connection.execute(
        sa.select(record).where(record.c.duplicate_of.is_(None), VISIBLE).order_by(record.c.id)
    )
    return [records_repo.row_to_record(r) for r in rows]


def _with_full_text(connection: Connection) -> set[int]:
    """Records that have a document attached (their full text)."""
    rows = connection.execute(
        sa.select(document.c.record_id).where(document.c.record_id.is_not(None))
    )
    return {r[0] for r in rows}


def _keepers(connection: Connection) -> set[int]:
    """Records that already have duplicates merged into them."""
    rows = connection.execute(
        sa.select(record.c.duplicate_of).where(record.c.duplicate_of.is_not(None)).distinct()
    )
    return {r[0] for r in rows}


def merge_errata_setting() -> bool:
    """The setting dedup_merge_errata: errata merged into their article, or kept apart."""
    return setting_on(ERRATA_SETTING)


def deduplicate(
    store: Store, reviewer: str | None = None, progress: Callable[[int, int], None] | None = None
) -> DedupRun:
    """Find duplicates among standing records; merge the certain, queue the uncertain.

    A pair a person has said are different works is never merged or queued again. The
    setting dedup_merge_errata decides whether errata (and replies or comments by the
    article's authors) merge into their article or wait in the queue, saying so. A pair
    waiting in the queue that the run merges (a certain group holds it) leaves the queue.
    """
    merge_errata = merge_errata_setting()
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        standing = _standing_records(connection)
        found = find_duplicates(standing, progress, Rules(merge_errata=merge_errata))
        rejected = _pairs_with_status(connection, DuplicateStatus.REJECTED)
        waiting = _groups_with_status(connection, DuplicateStatus.PENDING)
        queued = {frozenset((a, b)) for ids in waiting.values() for a in ids for b in ids if a < b}
        waiting_of: dict[int, list[int]] = {}
        for group_id, ids in waiting.items():
            for rid in ids:
                waiting_of.setdefault(rid, []).append(group_id)
        answered: set[int] = set()
        keepers = _keepers(connection)
        with_text = _with_full_text(connection)
        run = DedupRun(len(standing), 0, 0, 0, merge_errata=merge_errata)
        for group in found.groups:
            ids = list(group.member_ids)
            if any(frozenset((a, b)) in rejected for a in ids for b in ids if a < b):
                continue
            # Keep an earlier keeper standing so no merged record points at a duplicate, and
            # never merge away a record that has a full text attached.
            earlier = sorted(set(ids) & keepers)
            texts = sorted(set(ids) & with_text)
            keeper = earlier[0] if earlier else texts[0] if texts else group.keeper_id
            if len(set(earlier) | set(texts)) > 1 or (texts and keeper not in texts):
                if all(frozenset((a, b)) in queued for a in ids for b in ids if a < b):
                    continue  # already waiting for a person
                queued |= {frozenset((a, b)) for a in ids for b in ids if a < b}
                _insert_group(
                    connection,
                    DuplicateGroup(
                        keeper,
                        ids,
                        group.confidence,
                        DuplicateStatus.PENDING,
                        "records with full texts or duplicates of their own: a person decides",
                    ),
                )
                run.queued_pairs += 1
                continue
            _insert_group(
                connection,
                DuplicateGroup(keeper, ids, group.confidence, DuplicateStatus.MERGED, group.reason),
            )
            run.merged_groups += 1
            run.merged_records += _merge(connection, keeper, ids)
            # the question a queued pair asked is answered by this merge
            members = set(ids)
            answered.update(
                g for rid in ids for g in waiting_of.get(rid, ()) if set(waiting[g]) <= members
            )
        if answered:
            connection.execute(duplicate_group.delete().where(duplicate_group.c.id.in_(answered)))
            run.answered = len(answered)
        # A pair queued for a person names records that stand: one merged in this run is
        # replaced by its keeper, so deciding "same" is never refused for a merged record.
        merged_into = dict(
            connection.execute(
                sa.select(record.c.id, record.c.duplicate_of).where(
                    record.c.duplicate_of.is_not(None)
                )
            ).all()
        )
        for pair in found.pending:
            a = merged_into.get(pair.a_id, pair.a_id)
            b = merged_into.get(pair.b_id, pair.b_id)
            key_pair = frozenset((a, b))
            if a == b or key_pair in rejected or key_pair in queued:
                continue
            queued.add(key_pair)
            _insert_group(
                connection,
                DuplicateGroup(a, sorted(key_pair), pair.score, DuplicateStatus.PENDING,
                               pair.reason),
            )  # fmt: skip
            run.queued_pairs += 1
            run.kept_apart += kept_apart_by_setting(pair.reason)
        append_event(
            connection,
            "duplicates.found",
            key,
            "records",
            {
                "considered": run.considered,
                "merged_groups": run.merged_groups,
                "merged_records": run.merged_records,
                "queued_pairs": run.queued_pairs,
                "merge_errata": merge_errata,
                "kept_apart": run.kept_apart,
                "answered_pairs": sorted(answered),
            },
        )
    return run


@dataclass
class QueuedPair:
    """A pair waiting for a person; ``kept_apart``: an erratum, reply or comment and its
    article, queued because the setting dedup_merge_errata is off."""

    group_id: int
    first: Record
    second: Record
    score: float
    reason: str
    kept_apart: bool = False


def errata_note(merge_errata: bool, kept_apart: int) -> str:
    """What the setting dedup_merge_errata does, said where the queue is shown."""
    variable = SETTINGS[ERRATA_SETTING].env
    if merge_errata:
        return (
            f"Errata, and replies or comments by an article's own authors, are merged into "
            f"their article (setting {ERRATA_SETTING} is on; unset {variable} to keep them "
            "apart). Retractions never are."
        )
    if not kept_apart:
        return ""
    return (
        f"{counted(kept_apart, 'queued pair')} {'is' if kept_apart == 1 else 'are'} an "
        f"erratum, reply or comment and its article, kept apart by the setting "
        f"{ERRATA_SETTING} (off): decide each here, or set {variable}=1 and find duplicates "
        "again to merge those by the article's own authors."
    )


def _group(connection: Connection, group_id: int) -> tuple[sa.Row[tuple[object, ...]], list[int]]:
    row = connection.execute(
        sa.select(duplicate_group).where(duplicate_group.c.id == group_id)
    ).first()
    if row is None:
        raise NotFound(f"no duplicate group {group_id}")
    members = [
        r[0]
        for r in connection.execute(
            sa.select(duplicate_member.c.record_id)
            .where(duplicate_member.c.group_id == group_id)
            .order_by(duplicate_member.c.record_id)
        )
    ]
    return row, members


def review_queue(store: Store) -> list[QueuedPair]:
    """Uncertain pairs awaiting a person, most likely duplicates first."""
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(duplicate_group)
            .where(duplicate_group.c.status == DuplicateStatus.PENDING)
            .order_by(duplicate_group.c.confidence.desc(), duplicate_group.c.id)
        ).all()
        queue = []
        for row in rows:
            _, members = _group(connection, row.id)
            first, second = (records_repo.get_record(connection, rid) for rid in members[:2])
            queue.append(
                QueuedPair(
                    row.id,
                    first,
                    second,
                    row.confidence,
                    row.reason,
                    kept_apart_by_setting(row.reason),
                )
            )
        return queue


def decide_pair(store: Store, group_id: int, same: bool, reviewer: str | None) -> None:
    """A person's verdict on a queued pair: merge them, or never propose them again."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        row, members = _group(connection, group_id)
        if row.status != DuplicateStatus.PENDING:
            raise InvalidInput(
                f"duplicate group {group_id} is not waiting for a decision (it is "
                f"{row.status}; `realist dedup --undo {group_id}` returns a decision made by "
                "hand to the queue)"
            )
        standing = [
            rid for rid in members if records_repo.get_record(connection, rid).duplicate_of is None
        ]
        if same and len(standing) < len(members):
            raise InvalidInput(
                f"duplicate group {group_id}: a record was merged elsewhere since; "
                "undo that merge first"
            )
        if same:
            _check_mergeable(connection, row.keeper_id, [m for m in members if m != row.keeper_id])
        status = DuplicateStatus.MERGED if same else DuplicateStatus.REJECTED
        connection.execute(
            duplicate_group.update()
            .where(duplicate_group.c.id == group_id)
            .values(status=status, decided_by=who)
        )
        if same:
            _merge(connection, row.keeper_id, members)
        action = "duplicates.confirmed" if same else "duplicates.rejected"
        append_event(connection, action, key, f"duplicate_group:{group_id}", {"records": members})


def undo_merge(store: Store, group_id: int, reviewer: str | None) -> list[int]:
    """Undo a merge, or a person's decision on a pair. The records stand again. A group a
    person merged, confirmed or separated goes back to the queue for a new decision (they
    are revising their own judgement); an automatic merge undone is marked as different
    works (a person disagreed with the algorithm), so it is never merged again. Returns
    the records that stand again (none when a separation is undone)."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        row, members = _group(connection, group_id)
        by_hand = row.decided_by is not None
        if row.status == DuplicateStatus.PENDING or (
            row.status == DuplicateStatus.REJECTED and not by_hand
        ):
            raise InvalidInput(
                f"duplicate group {group_id} is {row.status}: there is no merge or decision to undo"
            )
        restored: list[int] = []
        if row.status == DuplicateStatus.MERGED:
            restored = [rid for rid in members if rid != row.keeper_id]
            connection.execute(
                record.update()
                .where(record.c.id.in_(restored), record.c.duplicate_of == row.keeper_id)
                .values(duplicate_of=None)
            )
        back_to_queue = by_hand
        connection.execute(
            duplicate_group.update()
            .where(duplicate_group.c.id == group_id)
            .values(
                status=DuplicateStatus.PENDING if back_to_queue else DuplicateStatus.REJECTED,
                decided_by=None if back_to_queue else who,
            )
        )
        append_event(
            connection,
            "duplicates.unmerged" if restored else "duplicates.reopened",
            key,
            f"duplicate_group:{group_id}",
            {"records": members, "was": row.status, "queued_again": back_to_queue},
        )
        return restored


def merge_records(store: Store, keeper: int, duplicate: int, reviewer: str | None) -> int:
    """Merge two records a person knows are one work (a pair the algorithm missed):
    ``duplicate`` is merged into ``keeper``. Returns the duplicate group's id; undo it with
    :func:`undo_merge` (the pair then waits in the queue)."""
    if keeper == duplicate:
        raise InvalidInput("a record cannot be merged with itself")
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        _check_mergeable(connection, keeper, [duplicate])
        pair = frozenset((keeper, duplicate))
        earlier = [
            row
            for row in connection.execute(
                sa.select(duplicate_group.c.id, duplicate_group.c.status).where(
                    duplicate_group.c.status != DuplicateStatus.MERGED
                )
            )
            if set(_group(connection, row.id)[1]) == pair
        ]
        if earlier:
            # The pair was queued, or separated before: that group records the merge now.
            group_id = int(earlier[0].id)
            connection.execute(
                duplicate_group.update()
                .where(duplicate_group.c.id == group_id)
                .values(keeper_id=keeper, status=DuplicateStatus.MERGED, decided_by=who)
            )
        else:
            group_id = _insert_group(
                connection,
                DuplicateGroup(keeper, [keeper, duplicate], 1.0, DuplicateStatus.MERGED,
                               "merged by hand"),
                decided_by=who,
            )  # fmt: skip
        _merge(connection, keeper, [keeper, duplicate])
        append_event(
            connection,
            "duplicates.merged_by_hand",
            key,
            f"duplicate_group:{group_id}",
            {"keeper": keeper, "duplicate": duplicate},
        )
        return group_id


def _check_mergeable(connection: Connection, keeper: int, others: list[int]) -> None:
    """Refuse a merge that would leave a record pointing at a duplicate, or merge away a
    record's full text: say which record and what to do instead."""
    for rid in [keeper, *others]:
        found = records_repo.find_record(connection, rid)
        if found is None:
            raise NotFound(f"no record {rid} in this review")
        if found.duplicate_of is not None:
            raise InvalidInput(
                f"record {rid} is already merged into record {found.duplicate_of}: "
                "undo that merge first, or merge into that record"
            )
    with_text = _with_full_text(connection)
    for rid in others:
        if rid in with_text:
            raise InvalidInput(
                f"record {rid} has a full text attached: keep it instead "
                f"(realist dedup --merge {rid} {keeper})"
            )
        own = connection.execute(
            sa.select(record.c.id).where(record.c.duplicate_of == rid).limit(1)
        ).first()
        if own is not None:
            raise InvalidInput(
                f"record {rid} has duplicates of its own merged into it: keep it instead "
                f"(realist dedup --merge {rid} {keeper})"
            )


def list_groups(store: Store, status: DuplicateStatus | None = None) -> list[DuplicateGroup]:
    with store.reading() as connection:
        query = sa.select(duplicate_group).order_by(duplicate_group.c.id)
        if status is not None:
            query = query.where(duplicate_group.c.status == status)
        groups = []
        for row in connection.execute(query).all():
            _, members = _group(connection, row.id)
            groups.append(
                DuplicateGroup(
                    row.keeper_id,
                    members,
                    row.confidence,
                    DuplicateStatus(row.status),
                    row.reason,
                    row.id,
                    by_hand=row.decided_by is not None,
                )
            )
        return groups
