"""Repository for web sign-in accounts: a password hash per reviewer.

A reviewer (``reviewer`` table) is a person the review attributes work to; an account is
what lets that person sign in to a shared web server. Most reviews never have one: local
use needs no sign-in. The hash is Argon2 (made and checked in ``services.accounts``); this
module only stores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.review import ReviewerRole
from realist.store.events import now
from realist.store.schema import insert_with_conflicts, metadata, review, reviewer

account = sa.Table(
    "account",
    metadata,
    # One account per reviewer; deleting the reviewer deletes the sign-in, never the work.
    sa.Column(
        "reviewer_id",
        sa.Integer,
        sa.ForeignKey("reviewer.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("password_hash", sa.Text, nullable=False),
    # When the password was last set: a session started before it is no longer valid.
    sa.Column("password_set_at", sa.String(32), nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)


# Secrets of the web server that runs this review, by name ("session": what signs session
# cookies). Kept with the review so that sessions outlive a restart of the server, and so
# that several servers of one team database accept each other's cookies. Not archived.
server_secret = sa.Table(
    "server_secret",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(32), nullable=False),
)


@dataclass(frozen=True)
class AccountRow:
    """A reviewer with what the web needs to know about signing them in."""

    key: str
    name: str
    role: ReviewerRole
    password_hash: str | None
    password_set_at: str | None
    retired: bool = False


def _query() -> sa.Select[Any]:
    return (
        sa.select(
            reviewer.c.key,
            reviewer.c.name,
            reviewer.c.role,
            reviewer.c.retired,
            account.c.password_hash,
            account.c.password_set_at,
        )
        .select_from(reviewer)
        .outerjoin(account, account.c.reviewer_id == reviewer.c.id)
        .order_by(reviewer.c.id)
    )


# Every signed-in request looks its reviewer up: built once (see store.reviews).
_BY_KEY = _query().where(reviewer.c.key == sa.bindparam("key"))


def _row(r: sa.Row[Any]) -> AccountRow:
    return AccountRow(
        r.key, r.name, ReviewerRole(r.role), r.password_hash, r.password_set_at, r.retired
    )


def list_accounts(connection: Connection) -> list[AccountRow]:
    """Every reviewer, with their password hash when they have an account."""
    return [_row(r) for r in connection.execute(_query())]


def find_account(connection: Connection, key: str) -> AccountRow | None:
    """One reviewer by key (with or without an account), or None."""
    found = connection.execute(_BY_KEY, {"key": key}).first()
    return None if found is None else _row(found)


def set_password_hash(
    connection: Connection, reviewer_id: int, password_hash: str, keep_time: bool = False
) -> str:
    """Create or replace a reviewer's password hash; returns when it was set.

    ``keep_time`` replaces only the hash (a rehash of the same password), so sessions
    started before stay valid.
    """
    at = now()
    values = {"password_hash": password_hash} | ({} if keep_time else {"password_set_at": at})
    updated = connection.execute(
        account.update().where(account.c.reviewer_id == reviewer_id).values(**values)
    )
    if updated.rowcount == 0:
        connection.execute(
            account.insert().values(
                reviewer_id=reviewer_id,
                password_hash=password_hash,
                password_set_at=at,
                created_at=at,
            )
        )
    return at


def delete_account(connection: Connection, reviewer_id: int) -> bool:
    """Remove a reviewer's sign-in (their work stays theirs); whether there was one."""
    deleted = connection.execute(account.delete().where(account.c.reviewer_id == reviewer_id))
    return bool(deleted.rowcount)


def set_role(connection: Connection, reviewer_id: int, role: ReviewerRole) -> None:
    connection.execute(reviewer.update().where(reviewer.c.id == reviewer_id).values(role=role))


def count_owners(
    connection: Connection, besides: int | None = None, *, with_account: bool = False
) -> int:
    """Owners who can act (not retired), leaving out reviewer ``besides`` if given; with
    ``with_account``, only those who can also sign in.

    The rule "a review keeps an owner" spans rows, so on PostgreSQL the owners' rows are
    locked first (FOR UPDATE): two owners demoting each other at once are then counted
    one after the other, and the second is refused. (SQLite has one writer at a time.)
    """
    query = sa.select(reviewer.c.id).where(
        reviewer.c.role == ReviewerRole.OWNER, reviewer.c.retired.is_(False)
    )
    if with_account:
        query = query.where(sa.exists().where(account.c.reviewer_id == reviewer.c.id))
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(of=reviewer)
    ids = [int(i) for i in connection.execute(query.order_by(reviewer.c.id)).scalars()]
    return sum(1 for i in ids if i != besides)


def review_title(connection: Connection) -> str:
    """The review's title (a word a password should not be made of)."""
    return str(connection.execute(sa.select(review.c.title)).scalar() or "")


def find_secret(connection: Connection, name: str) -> str | None:
    found = connection.execute(
        sa.select(server_secret.c.value).where(server_secret.c.name == name)
    ).scalar()
    return None if found is None else str(found)


def keep_first_secret(connection: Connection, name: str, value: str) -> str:
    """Store ``value`` as the secret ``name`` unless one is stored already, and return the
    stored one: server processes starting together all end up with the first one made."""
    connection.execute(
        insert_with_conflicts(connection, server_secret)
        .values(name=name, value=value, created_at=now())
        .on_conflict_do_nothing(index_elements=["name"])
    )
    found = find_secret(connection, name)
    assert found is not None, "the secret was just stored"
    return found


def save_secret(connection: Connection, name: str, value: str) -> None:
    """Store (or replace) the secret called ``name``."""
    connection.execute(server_secret.delete().where(server_secret.c.name == name))
    connection.execute(server_secret.insert().values(name=name, value=value, created_at=now()))
