"""Repository for the web server's sign-in state: sessions and sign-in attempts.

Both live in the review's store, so every server process of a team (``--workers``, or
several hosts on one PostgreSQL) sees the same sessions and the same count of guesses.
Neither is review data: the whole-review archive leaves them out.

A session row is keyed by the SHA-256 of its random token; the browser holds the token
(inside the signed cookie), the database only its hash, so a copy of the database does not
let anyone use a session. Whether a session is valid is decided here, by its row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.review import ReviewerRole
from realist.store.accounts import account
from realist.store.events import now
from realist.store.schema import insert_with_conflicts, inserted_id, metadata, reviewer

web_session = sa.Table(
    "web_session",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # hex SHA-256 of the cookie's token
    sa.Column(
        "reviewer_id",
        sa.Integer,
        sa.ForeignKey("reviewer.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("last_seen_at", sa.String(32), nullable=False),
    sa.Column("expires_at", sa.String(32), nullable=False),
    # Set when the session ended before it expired (sign-out, a new password, a new role,
    # the account removed, the reviewer retired), and why.
    sa.Column("revoked_at", sa.String(32)),
    sa.Column("revoked_why", sa.String(32)),
)

sign_in_attempt = sa.Table(
    "sign_in_attempt",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("account_key", sa.String(64), nullable=False),  # as typed (a guess, maybe)
    sa.Column("client", sa.String(64), nullable=False),  # the client's address
    # A known browser: the nonce of the device cookie an earlier sign-in of this account
    # left (see services.sign_in); empty for any other client.
    sa.Column("device", sa.String(64), nullable=False, default="", server_default=""),
    # pending (reserved, the password not checked yet), failed, succeeded, refused.
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Index("ix_sign_in_attempt_account_key_at", "account_key", "at"),
    sa.Index("ix_sign_in_attempt_client_at", "client", "at"),
)

# One row per thing whose attempts are counted together (an account, an address). Sign-in
# takes these rows' locks, in one order, before counting, so that simultaneous guesses are
# counted one after another and 40 at once cannot all pass a limit of 10.
sign_in_lock = sa.Table(
    "sign_in_lock",
    metadata,
    sa.Column("scope", sa.String(80), primary_key=True),
    sa.Column("touched_at", sa.String(32), nullable=False),
)


@dataclass(frozen=True)
class SessionRow:
    """A live session's reviewer, as one indexed read finds them."""

    key: str
    name: str
    role: ReviewerRole
    last_seen_at: str


# Every signed-in request runs this one query (primary-key lookup, two joins by key).
_LIVE = (
    sa.select(
        reviewer.c.key,
        reviewer.c.name,
        reviewer.c.role,
        web_session.c.last_seen_at,
    )
    .select_from(web_session)
    .join(reviewer, reviewer.c.id == web_session.c.reviewer_id)
    .join(account, account.c.reviewer_id == reviewer.c.id)
    .where(
        web_session.c.id == sa.bindparam("id"),
        web_session.c.revoked_at.is_(None),
        web_session.c.expires_at > sa.bindparam("now"),
        reviewer.c.retired.is_(False),
    )
)


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def create_session(connection: Connection, session_id: str, reviewer_id: int, hours: int) -> str:
    """Store a new session; returns when it expires."""
    start = datetime.now(UTC)
    expires = _at(start + timedelta(hours=hours))
    connection.execute(
        web_session.insert().values(
            id=session_id,
            reviewer_id=reviewer_id,
            created_at=_at(start),
            last_seen_at=_at(start),
            expires_at=expires,
        )
    )
    return expires


def live_session(connection: Connection, session_id: str) -> SessionRow | None:
    """The reviewer of a session that is neither revoked nor expired, whose reviewer still
    has an account and is not retired; None otherwise."""
    found = connection.execute(_LIVE, {"id": session_id, "now": now()}).first()
    if found is None:
        return None
    return SessionRow(found.key, found.name, ReviewerRole(found.role), found.last_seen_at)


def touch_session(connection: Connection, session_id: str) -> None:
    connection.execute(
        web_session.update().where(web_session.c.id == session_id).values(last_seen_at=now())
    )


def revoke_session(connection: Connection, session_id: str, why: str) -> bool:
    """End one session; whether it was live."""
    done = connection.execute(
        web_session.update()
        .where(web_session.c.id == session_id, web_session.c.revoked_at.is_(None))
        .values(revoked_at=now(), revoked_why=why)
    )
    return bool(done.rowcount)


def revoke_sessions_of(connection: Connection, reviewer_id: int, why: str) -> int:
    """End every live session of a reviewer; how many there were."""
    done = connection.execute(
        web_session.update()
        .where(
            web_session.c.reviewer_id == reviewer_id,
            web_session.c.revoked_at.is_(None),
            web_session.c.expires_at > now(),
        )
        .values(revoked_at=now(), revoked_why=why)
    )
    return int(done.rowcount or 0)


def count_live_sessions(connection: Connection, reviewer_id: int) -> int:
    found = connection.execute(
        sa.select(sa.func.count())
        .select_from(web_session)
        .where(
            web_session.c.reviewer_id == reviewer_id,
            web_session.c.revoked_at.is_(None),
            web_session.c.expires_at > now(),
        )
    ).scalar()
    return int(found or 0)


def forget_old(connection: Connection, before: str) -> None:
    """Drop sessions that ended, and attempts made, before ``before`` (kept that long so
    an owner can see what happened; the audit trail is the event log)."""
    connection.execute(web_session.delete().where(web_session.c.expires_at < before))
    connection.execute(sign_in_attempt.delete().where(sign_in_attempt.c.at < before))


def lock_scopes(connection: Connection, scopes: list[str]) -> None:
    """Take the lock of each scope (made on first use), always in sorted order so two
    attempts never wait for each other in a circle. Held until the transaction ends."""
    at = now()
    for scope in sorted(set(scopes)):
        done = connection.execute(
            sign_in_lock.update().where(sign_in_lock.c.scope == scope).values(touched_at=at)
        )
        if not done.rowcount:
            _insert_lock(connection, scope, at)


def _insert_lock(connection: Connection, scope: str, at: str) -> None:
    # Two first attempts at once may both miss the row: the loser's insert conflicts and
    # waits for the winner, then takes the row's lock by updating it.
    connection.execute(
        insert_with_conflicts(connection, sign_in_lock)
        .values(scope=scope, touched_at=at)
        .on_conflict_do_update(index_elements=["scope"], set_={"touched_at": at})
    )


def add_attempt(
    connection: Connection, account_key: str, client: str, device: str, outcome: str
) -> int:
    return inserted_id(
        connection.execute(
            sign_in_attempt.insert().values(
                at=now(), account_key=account_key, client=client, device=device, outcome=outcome
            )
        )
    )


def set_outcome(connection: Connection, attempt_id: int, outcome: str) -> None:
    connection.execute(
        sign_in_attempt.update().where(sign_in_attempt.c.id == attempt_id).values(outcome=outcome)
    )


_COUNTED = ("pending", "failed")  # a guess not yet checked counts as a failure


def count_failures(
    connection: Connection,
    since: str,
    *,
    account_key: str | None = None,
    client: str | None = None,
    device: str | None = None,
    unknown_devices_only: bool = False,
) -> tuple[int, int]:
    """Attempts since ``since`` matching every filter given: (failed, still pending).
    One query for both: the throttle tells a limit reached by failures from one reached
    only because other attempts are being checked at this moment."""
    pending = sa.func.coalesce(
        sa.func.sum(sa.case((sign_in_attempt.c.outcome == "pending", 1), else_=0)), 0
    )
    query = sa.select(sa.func.count(), pending).where(
        sign_in_attempt.c.at >= since, sign_in_attempt.c.outcome.in_(_COUNTED)
    )
    if account_key is not None:
        query = query.where(sign_in_attempt.c.account_key == account_key)
    if client is not None:
        query = query.where(sign_in_attempt.c.client == client)
    if device is not None:
        query = query.where(sign_in_attempt.c.device == device)
    if unknown_devices_only:
        query = query.where(sign_in_attempt.c.device == "")
    counted, waiting = connection.execute(query).one()
    return int(counted) - int(waiting), int(waiting)


def oldest_failure(
    connection: Connection, since: str, *, account_key: str | None, client: str | None
) -> str | None:
    """When the oldest counted failure in the window was (to say how long to wait)."""
    query = sa.select(sa.func.min(sign_in_attempt.c.at)).where(
        sign_in_attempt.c.at >= since, sign_in_attempt.c.outcome.in_(_COUNTED)
    )
    if account_key is not None:
        query = query.where(sign_in_attempt.c.account_key == account_key)
    if client is not None:
        query = query.where(sign_in_attempt.c.client == client)
    found = connection.execute(query).scalar()
    return None if found is None else str(found)
