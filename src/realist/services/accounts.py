"""People and their sign-in accounts: who may use a shared web server, and as what.

Passwords are hashed with Argon2id (argon2-cffi's defaults, the OWASP recommendation) and
never stored, logged or put in an event. Local use needs no account at all: the web app
then acts as the review's owner (or the reviewer named with ``--reviewer``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from realist.domain.identifiers import segment_problem
from realist.domain.review import Reviewer, ReviewerRole
from realist.errors import InvalidInput, NotFound
from realist.services.passwords import MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_password
from realist.store import Store
from realist.store import accounts as accounts_repo
from realist.store import reviews as reviews_repo
from realist.store import sessions as sessions_repo
from realist.store.events import append_event

__all__ = ["MAX_PASSWORD_CHARS", "MIN_PASSWORD_CHARS"]  # re-exported: forms bound by them
_hasher = PasswordHasher()
# Checked against when the key is unknown, so a wrong key costs as long as a wrong password
# and response times do not tell which reviewer keys exist.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


SESSION_SECRET = "session"


def session_secret(store: Store, *, renew: bool = False) -> str:
    """The key that signs the web server's session cookies, made on first use and kept in
    the review, so that a restarted server does not sign everyone out. ``renew`` replaces
    it: every session of every server of this review ends."""
    with store.transaction() as connection:
        if renew:
            renewed = secrets.token_urlsafe(32)
            accounts_repo.save_secret(connection, SESSION_SECRET, renewed)
            return renewed
        found = accounts_repo.find_secret(connection, SESSION_SECRET)
        if found is not None:
            return found
        # Several server processes start at once on a new review (serve --workers N): the
        # first secret stored is everyone's, not a unique-key error in all but one.
        return accounts_repo.keep_first_secret(
            connection, SESSION_SECRET, secrets.token_urlsafe(32)
        )


@dataclass(frozen=True)
class Person:
    """A reviewer as the web app sees them (never with their password hash)."""

    key: str
    name: str
    role: ReviewerRole
    has_account: bool
    password_set_at: str | None = None
    retired: bool = False  # can no longer act or sign in (see services.reviewers)


def _person(row: accounts_repo.AccountRow) -> Person:
    return Person(
        row.key,
        row.name,
        row.role,
        row.password_hash is not None,
        row.password_set_at,
        row.retired,
    )


def list_people(store: Store) -> list[Person]:
    """Everyone in the review, with their role and whether they can sign in."""
    with store.reading() as connection:
        return [_person(row) for row in accounts_repo.list_accounts(connection)]


def acting_person(store: Store, key: str | None) -> Person:
    """The reviewer named by ``key``, or the review's owner when ``key`` is empty."""
    with store.reading() as connection:
        found_key, _ = reviews_repo.resolve_reviewer(connection, key)
        row = accounts_repo.find_account(connection, found_key)
    if row is None:  # pragma: no cover - resolve_reviewer just found it
        raise NotFound(f"no reviewer '{found_key}' in this review")
    return _person(row)


def add_account(
    store: Store,
    key: str,
    password: str,
    *,
    role: ReviewerRole | None = None,
    name: str = "",
    by: str | None = None,
) -> Person:
    """Let a person sign in: create the reviewer if new (role default: reviewer), set or
    replace their password, and change their role when one is given. A new password (or
    role) ends the person's sessions on every server. The password must pass
    :func:`realist.services.passwords.check_password` (its context: the key, the name and
    the review's title)."""
    key = key.strip()
    if not key or len(key) > 64 or any(c.isspace() for c in key):
        raise InvalidInput("a reviewer key is 1-64 characters without spaces")
    problem = segment_problem(key, "reviewer key")
    if problem:
        raise InvalidInput(problem)
    with store.reading() as connection:
        existing = accounts_repo.find_account(connection, key)
        title = accounts_repo.review_title(connection)
    check_password(password, key, name or (existing.name if existing else ""), title)
    password_hash = _hasher.hash(password)
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        existing = accounts_repo.find_account(connection, key)
        if existing is None:
            reviews_repo.insert_reviewer(
                connection, Reviewer(key, name or key, role or ReviewerRole.REVIEWER)
            )
            append_event(
                connection,
                "reviewer.added",
                actor,
                f"reviewer:{key}",
                {"role": (role or ReviewerRole.REVIEWER).value},
            )
        who = reviews_repo.reviewer_id(connection, key)
        if existing is not None and role is not None and role is not existing.role:
            note = _change_role(connection, who, existing.role, role)
            append_event(
                connection,
                "reviewer.role_set",
                actor,
                f"reviewer:{key}",
                {"role": role.value} | note,
            )
        accounts_repo.set_password_hash(connection, who, password_hash)
        ended = sessions_repo.revoke_sessions_of(connection, who, "new password")
        append_event(connection, "account.password_set", actor, f"reviewer:{key}", _ended(ended))
        row = accounts_repo.find_account(connection, key)
    assert row is not None
    return _person(row)


def _ended(sessions: int) -> dict[str, object]:
    """An event's note of the sessions a change ended (none: nothing to say)."""
    return {"sessions_ended": sessions} if sessions else {}


def _change_role(
    connection: Connection, who: int, old: ReviewerRole, new: ReviewerRole
) -> dict[str, object]:
    """Set a role (the last active owner keeps theirs) and end the person's sessions, so
    they sign in again under the new role; returns the event's note of it."""
    if old is ReviewerRole.OWNER:
        keep_an_owner(connection, who)
    accounts_repo.set_role(connection, who, new)
    return _ended(sessions_repo.revoke_sessions_of(connection, who, "new role"))


def keep_an_owner(connection: Connection, who: int, *, account_only: bool = False) -> None:
    """Refuse (InvalidInput) a change that would leave the review without an active owner,
    or without an active owner who can sign in when ``who`` is one (they are demoted,
    retired, deleted, or (``account_only``) only lose their account). Every path that
    takes an owner away calls this, in its transaction (the count locks the owners' rows
    on PostgreSQL, so two owners demoting each other at once cannot both succeed)."""
    if not account_only and accounts_repo.count_owners(connection, besides=who) == 0:
        raise InvalidInput(
            "this is the review's only active owner, and a review keeps at least one owner: "
            "make someone else owner first"
        )
    owners = accounts_repo.count_owners(connection, with_account=True)
    if owners and accounts_repo.count_owners(connection, besides=who, with_account=True) == 0:
        raise InvalidInput(
            "this is the only owner who can sign in; give someone else an owner's account "
            "first (realist account add KEY --role owner)"
        )


def set_role(store: Store, key: str, role: ReviewerRole, by: str | None = None) -> Person:
    """Change what a person may do; the last owner cannot stop being one."""
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        existing = accounts_repo.find_account(connection, key)
        if existing is None:
            raise NotFound(f"no reviewer '{key}' in this review")
        if role is not existing.role:
            who = reviews_repo.reviewer_id(connection, key)
            note = _change_role(connection, who, existing.role, role)
            append_event(
                connection,
                "reviewer.role_set",
                actor,
                f"reviewer:{key}",
                {"role": role.value} | note,
            )
        row = accounts_repo.find_account(connection, key)
    assert row is not None
    return _person(row)


def remove_account(store: Store, key: str, by: str | None = None) -> bool:
    """Stop a person signing in (their sessions end); their decisions and excerpts stay
    attributed to them. The last active owner who can sign in keeps their account."""
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        who = reviews_repo.reviewer_id(connection, key)
        existing = accounts_repo.find_account(connection, key)
        if existing is not None and existing.role is ReviewerRole.OWNER:
            keep_an_owner(connection, who, account_only=True)
        removed = accounts_repo.delete_account(connection, who)
        if removed:
            ended = sessions_repo.revoke_sessions_of(connection, who, "account removed")
            append_event(connection, "account.removed", actor, f"reviewer:{key}", _ended(ended))
        return removed


def authenticate(store: Store, key: str, password: str) -> Person | None:
    """The person whose key and password these are, or None (never says which was wrong)."""
    if len(password) > MAX_PASSWORD_CHARS:
        return None
    with store.reading() as connection:
        row = accounts_repo.find_account(connection, key.strip())
    stored = row.password_hash if row is not None else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or stored is None or row.retired:
        return None
    if _hasher.check_needs_rehash(stored):
        # Parameters grew stronger since this hash was made; store a fresh one now that the
        # password is known (the set time stays, so no session is invalidated by this).
        with store.transaction() as connection:
            who = reviews_repo.reviewer_id(connection, row.key)
            accounts_repo.set_password_hash(connection, who, _hasher.hash(password), keep_time=True)
    return _person(row)


def any_account(store: Store) -> bool:
    """Whether anyone can sign in (a shared server refuses to start otherwise)."""
    return any(p.has_account for p in list_people(store))
