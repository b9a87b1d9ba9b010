"""Appending to and reading the event log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.events import Event
from realist.store.schema import inserted_id
from realist.store.schema_analysis import event as event_table


def now() -> str:
    """The store's timestamp format: ISO 8601 UTC to the microsecond."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


_INSERT = event_table.insert()  # built once: every change appends an event


def append_event(
    connection: Connection,
    action: str,
    actor: str,
    subject: str = "",
    detail: Mapping[str, object] | None = None,
) -> Event:
    """Append one event in the caller's transaction, so it commits or rolls back with it."""
    happened = Event(
        action=action, actor=actor, subject=subject, detail=dict(detail or {}), at=now()
    )
    result = connection.execute(
        _INSERT,
        {
            "at": happened.at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": happened.detail,
        },
    )
    happened.id = inserted_id(result)
    return happened


def list_events(
    connection: Connection, *, subject: str | None = None, limit: int | None = None
) -> list[Event]:
    """Events newest first, optionally only those about one subject."""
    query = sa.select(event_table).order_by(event_table.c.id.desc())
    if subject is not None:
        query = query.where(event_table.c.subject == subject)
    if limit is not None:
        query = query.limit(limit)
    return [
        Event(
            action=row.action,
            actor=row.actor,
            subject=row.subject,
            detail=dict(row.detail),
            at=row.at,
            id=row.id,
        )
        for row in connection.execute(query)
    ]
