"""Signing in to a team server: the throttle on guesses, and sessions the server can end.

**Sessions.** A session is a row of the review's store (``web_session``) keyed by the hash
of a random token that only the browser holds. Whether a request is signed in is decided
by that row, read once per request: signing out, a new password, a new role, removing the
account and retiring the reviewer end the row, so a copied cookie stops working at once,
on every server process of the team.

**The throttle.** Every attempt is written down *before* the password is checked, in a
transaction that first takes a lock per account and per address, so simultaneous guesses
are counted one after another (40 at once after 9 failures: one is checked). A failure
counts for 15 minutes (``WINDOW``). Limits:

- a browser this account signed in from before (it holds a *device cookie*, OWASP's
  scheme against lockouts): 5 failures; nothing anyone else does can lock it out, so an
  attacker guessing a person's password does not keep that person out;
- any other client: 5 failures per account from one address, 10 per account over all
  addresses (then the account accepts only its known browsers until the window passes:
  addresses are cheap for an attacker, a signed device cookie is not), and 30 per address
  over all accounts. A shared address (an untrusted proxy) thus only slows unknown
  browsers, never a known one.

Refused attempts are not counted (guessing on does not lengthen a wait), and a refused
attempt never checks a password. An attempt whose password is being checked counts as a
failure until it is known; when a limit is reached only that way (a team signing in at
the same moment behind one address), the refusal says so and asks for a wait of seconds,
not the window.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from realist.domain.review import ReviewerRole
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store import sessions as sessions_repo
from realist.store.sessions import count_failures

WINDOW = timedelta(minutes=15)
WINDOW_MINUTES = int(WINDOW.total_seconds() // 60)
BUSY_SECONDS = 2  # the wait when the limit is reached only by attempts still being checked
DEVICE_LIMIT = 5  # failures of one account from one known browser
PAIR_LIMIT = 5  # failures of one account from one address (unknown browsers)
ACCOUNT_LIMIT = 10  # failures of one account from all unknown browsers
CLIENT_LIMIT = 30  # failures from one address over all accounts (unknown browsers)
TOUCH_EVERY = timedelta(minutes=5)  # how stale "last seen" may get (a write per request
# would make every page a write)
KEEP = timedelta(days=30)  # ended sessions and old attempts are forgotten after this


@dataclass(frozen=True)
class Attempt:
    """A reserved sign-in attempt: ``id`` to record its outcome, or ``refused`` saying
    why it was not allowed (then no password may be checked) and ``retry_after`` how many
    seconds to wait before trying again."""

    id: int | None
    refused: str = ""
    retry_after: int = 0


@dataclass(frozen=True)
class Session:
    """A session's reviewer; ``stale`` when its last-seen time should be written."""

    key: str
    name: str
    role: ReviewerRole
    stale: bool


def session_id(token: str) -> str:
    """The row id of a session token: its SHA-256, so the store never holds a usable token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _since() -> str:
    return (datetime.now(UTC) - WINDOW).isoformat(timespec="microseconds")


def reserve_attempt(store: Store, account_key: str, client: str, device: str = "") -> Attempt:
    """Count an attempt to sign in as ``account_key`` from ``client`` (an address) and,
    when the browser holds this account's device cookie, ``device`` (its nonce). Either
    reserves it (then :func:`finish_attempt` records the outcome) or refuses it."""
    key, client = account_key.strip()[:64], client[:64]
    with store.transaction() as connection:
        sessions_repo.lock_scopes(connection, [f"account:{key}", f"client:{client}"])
        since = _since()
        scopes: list[tuple[int, dict[str, Any], str]]
        if device:
            scopes = [(DEVICE_LIMIT, {"account_key": key, "device": device}, "from this browser")]
        else:
            scopes = [
                (
                    PAIR_LIMIT,
                    {"account_key": key, "client": client, "unknown_devices_only": True},
                    "for this account from your address",
                ),
                (
                    ACCOUNT_LIMIT,
                    {"account_key": key, "unknown_devices_only": True},
                    "for this account from other browsers; sign in from a browser you have "
                    "signed in with before, or wait",
                ),
                (
                    CLIENT_LIMIT,
                    {"client": client, "unknown_devices_only": True},
                    "from your address",
                ),
            ]
        counts = [(limit, *count_failures(connection, since, **where), whence)
                  for limit, where, whence in scopes]  # fmt: skip
        refused, retry_after = "", 0
        # Failures first, in every scope: a limit reached by failures is the window's wait
        # even when another scope is only busy.
        over = [whence for limit, failed, _, whence in counts if failed >= limit]
        if over:
            refused = f"too many failed attempts {over[0]}; try again in {WINDOW_MINUTES} minutes"
            retry_after = int(WINDOW.total_seconds())
        elif any(failed + pending >= limit for limit, failed, pending, _ in counts):
            # The limit is reached only if the attempts being checked now all fail: wait
            # for them (a team signing in at once behind one address), not 15 minutes.
            refused = "other sign-ins are being checked; try again in a moment"
            retry_after = BUSY_SECONDS
        outcome = "refused" if refused else "pending"
        attempt_id = sessions_repo.add_attempt(connection, key, client, device, outcome)
    if refused:
        return Attempt(None, refused, retry_after)
    return Attempt(attempt_id)


def finish_attempt(
    store: Store, attempt: Attempt, reviewer_key: str | None, *, hours: int = 12
) -> str | None:
    """Record a reserved attempt's outcome. ``reviewer_key`` is who signed in (None: the
    password or key was wrong); then a new session is started and its token returned."""
    assert attempt.id is not None, "a refused attempt has no outcome to record"
    with store.transaction() as connection:
        sessions_repo.set_outcome(connection, attempt.id, "succeeded" if reviewer_key else "failed")
        if reviewer_key is None:
            return None
        _, who = reviews_repo.resolve_reviewer(connection, reviewer_key)
        token = secrets.token_urlsafe(32)
        sessions_repo.create_session(connection, session_id(token), who, hours)
        sessions_repo.forget_old(
            connection, (datetime.now(UTC) - KEEP).isoformat(timespec="microseconds")
        )
        return token


def current_session(store: Store, token: str) -> Session | None:
    """The reviewer signed in with ``token``, if the session is live (one indexed read)."""
    with store.reading() as connection:
        found = sessions_repo.live_session(connection, session_id(token))
    if found is None:
        return None
    stale = found.last_seen_at < (datetime.now(UTC) - TOUCH_EVERY).isoformat(
        timespec="microseconds"
    )
    return Session(found.key, found.name, found.role, stale)


def seen(store: Store, token: str) -> None:
    """Write down that a session is in use (at most every few minutes: see ``stale``)."""
    with store.transaction() as connection:
        sessions_repo.touch_session(connection, session_id(token))


def sign_out(store: Store, token: str) -> bool:
    """End the session of ``token`` on the server; whether it was live."""
    with store.transaction() as connection:
        return sessions_repo.revoke_session(connection, session_id(token), "signed out")


def live_sessions(store: Store, reviewer_key: str) -> int:
    """How many sessions of a reviewer are live (for the People page and tests)."""
    with store.reading() as connection:
        return sessions_repo.count_live_sessions(
            connection, reviews_repo.reviewer_id(connection, reviewer_key)
        )
