"""Repository for memos: every edit is a new version, earlier ones are kept."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.theory import Memo
from realist.store.events import now
from realist.store.schema import inserted_id, reviewer
from realist.store.schema_analysis import memo


def add_memo_version(connection: Connection, subject: str, text: str, reviewer_id: int) -> int:
    """Write the next version of the memo on ``subject``; returns its version number."""
    latest = connection.execute(
        sa.select(sa.func.max(memo.c.version)).where(memo.c.subject == subject)
    ).scalar()
    version = (latest or 0) + 1
    inserted_id(
        connection.execute(
            memo.insert().values(
                subject=subject,
                version=version,
                text=text,
                reviewer_id=reviewer_id,
                created_at=now(),
            )
        )
    )
    return version


def memo_history(connection: Connection, subject: str) -> list[Memo]:
    """Every version of the memo on ``subject``, oldest first."""
    rows = connection.execute(
        sa.select(memo, reviewer.c.key)
        .join(reviewer, reviewer.c.id == memo.c.reviewer_id)
        .where(memo.c.subject == subject)
        .order_by(memo.c.version)
    )
    return [
        Memo(
            subject=r.subject,
            text=r.text,
            reviewer_key=r.key,
            version=r.version,
            created_at=r.created_at,
            id=r.id,
        )
        for r in rows
    ]
