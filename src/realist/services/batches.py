"""Import batches after the fact: list them, move one to another source, delete one.

Deleting a batch deletes its records, their screening decisions and their places in
duplicate groups, in one transaction. Nothing is left pointing at a deleted record:

- a record of another batch that was merged into one of the batch's records stands again
  in its place (the lowest id of those merged into it becomes the keeper, the others are
  merged into that one), so its group can still be undone;
- a duplicate group left with fewer than two records is removed; one that lost its keeper
  gets the new keeper;
- documents attached to the batch's records refuse the deletion, naming them: they hold
  the review's coding, which is not removed behind a reviewer's back.

PRISMA counts are computed from the records, their batches and sources, so they follow.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.records import DuplicateStatus
from realist.domain.review import SourceKind
from realist.errors import InvalidInput, NotFound
from realist.reports.wording import counted
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store.batches import COMPLETE
from realist.store.events import append_event
from realist.store.schema import (
    duplicate_group,
    duplicate_member,
    import_batch,
    inserted_id,
    record,
    reviewer,
    screening_decision,
    source,
)
from realist.store.schema_analysis import document


@dataclass
class BatchSummary:
    """One imported file: where from, when, by whom, and how many records it brought."""

    id: int
    filename: str
    source: str
    source_kind: SourceKind
    format: str
    searched: str | None
    records: int
    problems: int
    imported_at: str
    imported_by: str | None


def list_batches(store: Store) -> list[BatchSummary]:
    """Every import batch, oldest first."""
    b = import_batch.c
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(import_batch, source.c.name, source.c.kind, reviewer.c.key)
            .join(source, source.c.id == b.source_id)
            .outerjoin(reviewer, reviewer.c.id == b.reviewer_id)
            .where(COMPLETE)  # an import still being written is not a batch yet
            .order_by(b.id)
        )
        return [
            BatchSummary(
                r.id,
                r.filename,
                r.name,
                SourceKind(r.kind),
                r.format,
                r.searched,
                r.record_count,
                r.problem_count,
                r.created_at,
                r.key,
            )
            for r in rows
        ]


def _batch(connection: Connection, batch_id: int) -> sa.Row[tuple[object, ...]]:
    row = connection.execute(
        sa.select(
            import_batch,
            source.c.name,
            source.c.kind,
            source.c.note,
            source.c.search_string,
            source.c.limits,
        )
        .join(source, source.c.id == import_batch.c.source_id)
        .where(import_batch.c.id == batch_id, COMPLETE)
    ).first()
    if row is None:
        raise NotFound(f"no import batch {batch_id} (see `realist batches`)")
    return row


def _drop_empty_source(connection: Connection, row: sa.Row[tuple[object, ...]]) -> bool:
    """Remove the batch's old source when no batch is left in it and nobody wrote anything
    about it (a source an import made, e.g. a misspelt --source): else PRISMA would show
    it as a source searched with an unknown count. Returns whether it went."""
    left = connection.execute(
        sa.select(sa.func.count()).where(import_batch.c.source_id == row.source_id)
    ).scalar()
    if left or row.note or row.search_string or row.limits:
        return False
    connection.execute(source.delete().where(source.c.id == row.source_id))
    return True


@dataclass
class BatchMove:
    """What moving a batch did."""

    batch_id: int
    source: str
    source_kind: SourceKind
    records: int
    old_source_removed: bool


def move_batch(
    store: Store,
    batch_id: int,
    source_name: str,
    reviewer_key: str | None,
    *,
    kind: SourceKind | None = None,
) -> BatchMove:
    """Move a batch to another source (made if new, of ``kind`` or the old one's kind), or
    change the kind of its source when the batch is that source's only one. The records
    keep their decisions; PRISMA counts them under the new source."""
    name = source_name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("a source name is 1-200 characters")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        row = _batch(connection, batch_id)
        old_kind = SourceKind(str(row.kind))
        target = connection.execute(sa.select(source).where(source.c.name == name)).first()
        if target is None:
            target_id = inserted_id(
                connection.execute(
                    source.insert().values(
                        name=name, kind=kind or old_kind, searched=row.searched, note=""
                    )
                )
            )
            new_kind = kind or old_kind
        else:
            target_id, new_kind = int(target.id), SourceKind(target.kind)
            if kind is not None and kind is not new_kind:
                others = connection.execute(
                    sa.select(sa.func.count()).where(
                        import_batch.c.source_id == target_id, import_batch.c.id != batch_id
                    )
                ).scalar()
                if others:
                    raise InvalidInput(
                        f"source '{name}' is a {new_kind.value} with "
                        f"{counted(others, 'other batch')}: its kind is theirs too; "
                        "move this batch to a source of its own"
                    )
                connection.execute(
                    source.update().where(source.c.id == target_id).values(kind=kind)
                )
                new_kind = kind
        if target_id == row.source_id and new_kind is old_kind:
            raise InvalidInput(f"batch {batch_id} is already in {name} ({old_kind.value})")
        connection.execute(
            import_batch.update().where(import_batch.c.id == batch_id).values(source_id=target_id)
        )
        removed = target_id != row.source_id and _drop_empty_source(connection, row)
        append_event(
            connection,
            "batch.moved",
            key,
            f"batch:{batch_id}",
            {
                "file": row.filename,
                "from": {"source": row.name, "kind": old_kind.value},
                "to": {"source": name, "kind": new_kind.value},
                "records": row.record_count,
                "old_source_removed": removed,
            },
        )
        return BatchMove(batch_id, name, new_kind, int(row.record_count), removed)


@dataclass
class BatchRemoval:
    """What deleting a batch took with it, and which records of other batches stand again
    in place of a deleted keeper (``stood_up``: new keeper -> records merged into it)."""

    batch_id: int
    filename: str
    source: str
    records: int
    decisions: int
    groups_removed: int
    stood_up: dict[int, list[int]] = field(default_factory=dict)
    source_removed: bool = False


def _dependent_documents(connection: Connection, ids: sa.Select[tuple[int]]) -> list[str]:
    rows = connection.execute(
        sa.select(document.c.key, document.c.record_id)
        .where(document.c.record_id.in_(ids))
        .order_by(document.c.key)
    )
    return [f"{r.key} (record {r.record_id})" for r in rows]


def _stand_up(connection: Connection, gone: sa.Select[tuple[int]]) -> dict[int, int]:
    """Records outside the batch merged into one of its records: the lowest id of each
    deleted keeper's becomes the keeper, the rest are merged into it. Returns a map of
    deleted keeper -> new keeper."""
    orphans: dict[int, list[int]] = defaultdict(list)
    for rid, keeper in connection.execute(
        sa.select(record.c.id, record.c.duplicate_of)
        .where(record.c.duplicate_of.in_(gone), record.c.id.not_in(gone))
        .order_by(record.c.id)
    ):
        orphans[int(keeper)].append(int(rid))
    replaced: dict[int, int] = {}
    for old, members in orphans.items():
        new, rest = members[0], members[1:]
        connection.execute(record.update().where(record.c.id == new).values(duplicate_of=None))
        if rest:
            connection.execute(
                record.update().where(record.c.id.in_(rest)).values(duplicate_of=new)
            )
        replaced[old] = new
    return replaced


def _mend_groups(connection: Connection, gone: set[int], replaced: dict[int, int]) -> int:
    """Duplicate groups that lose records: a merged group whose keeper goes gets the new
    keeper (as a member too), any group left with fewer than two records is removed.
    Returns how many groups were removed."""
    members: dict[int, set[int]] = defaultdict(set)
    touched = sa.select(duplicate_member.c.group_id).where(duplicate_member.c.record_id.in_(gone))
    rows = connection.execute(
        sa.select(duplicate_group.c.id, duplicate_group.c.keeper_id, duplicate_group.c.status)
        .where(sa.or_(duplicate_group.c.id.in_(touched), duplicate_group.c.keeper_id.in_(gone)))
        .order_by(duplicate_group.c.id)
    ).all()
    for group_id, record_id in connection.execute(
        sa.select(duplicate_member.c.group_id, duplicate_member.c.record_id).where(
            duplicate_member.c.group_id.in_([r.id for r in rows])
        )
    ):
        members[group_id].add(record_id)
    removed = 0
    for row in rows:
        left = members[row.id] - gone
        keeper = row.keeper_id
        if keeper in gone:
            keeper = replaced.get(keeper) if row.status == DuplicateStatus.MERGED else None
            keeper = keeper if keeper is not None else min(left, default=None)
            if keeper is not None and keeper not in left:
                left.add(keeper)
                connection.execute(
                    duplicate_member.insert().values(group_id=row.id, record_id=keeper)
                )
        if keeper is None or len(left) < 2:
            connection.execute(duplicate_group.delete().where(duplicate_group.c.id == row.id))
            removed += 1
        elif keeper != row.keeper_id:
            connection.execute(
                duplicate_group.update()
                .where(duplicate_group.c.id == row.id)
                .values(keeper_id=keeper)
            )
    return removed


def delete_batch(store: Store, batch_id: int, reviewer_key: str | None) -> BatchRemoval:
    """Delete an import batch with its records, their decisions and duplicate-group
    places (see the module's docstring for what stands again). Refused while documents
    are attached to its records, naming them."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        row = _batch(connection, batch_id)
        ids = sa.select(record.c.id).where(record.c.batch_id == batch_id)
        documents = _dependent_documents(connection, ids)
        if documents:
            raise InvalidInput(
                f"batch {batch_id} ({row.filename}) cannot be deleted: documents are "
                f"attached to its records: {', '.join(documents)}; delete them first"
            )
        gone = {int(r[0]) for r in connection.execute(ids)}
        decisions = int(
            connection.execute(
                sa.select(sa.func.count()).where(screening_decision.c.record_id.in_(ids))
            ).scalar()
            or 0
        )
        # Inside the batch, merges point nowhere once it goes; outside, records stand again.
        connection.execute(
            record.update().where(record.c.batch_id == batch_id).values(duplicate_of=None)
        )
        replaced = _stand_up(connection, ids)
        groups_removed = _mend_groups(connection, gone, replaced)
        connection.execute(record.delete().where(record.c.batch_id == batch_id))
        connection.execute(import_batch.delete().where(import_batch.c.id == batch_id))
        source_removed = _drop_empty_source(connection, row)
        stood_up: dict[int, list[int]] = defaultdict(list)
        for new in replaced.values():
            stood_up[new] = [
                int(r[0])
                for r in connection.execute(
                    sa.select(record.c.id).where(record.c.duplicate_of == new).order_by(record.c.id)
                )
            ]
        removal = BatchRemoval(
            batch_id,
            row.filename,
            row.name,
            len(gone),
            decisions,
            groups_removed,
            dict(stood_up),
            source_removed,
        )
        append_event(
            connection,
            "batch.deleted",
            key,
            f"batch:{batch_id}",
            {
                "file": row.filename,
                "source": row.name,
                "format": row.format,
                "imported_at": row.created_at,
                "records": len(gone),
                "decisions": decisions,
                "duplicate_groups_removed": groups_removed,
                "stood_up": [
                    {"record": old_keeper, "replaced_by": new, "merged": stood_up[new]}
                    for old_keeper, new in replaced.items()
                ],
                "source_removed": source_removed,
            },
        )
        return removal
