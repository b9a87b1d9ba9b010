"""The people of a review: add one, rename, change role, retire, delete.

Work is attributed to reviewers by id, and the audit trail names them by key, so a key
never changes; the display name can. A reviewer who did any work (decisions, excerpts,
codings, appraisals, memos, theory versions, imports, duplicate decisions) is retired
rather than deleted: they cannot act or sign in any more, their work stays theirs. Only a
reviewer who did nothing can be deleted. A review always keeps an active owner.
Sign-in accounts (passwords) are :mod:`realist.services.accounts`'.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.identifiers import segment_problem
from realist.domain.review import Reviewer, ReviewerRole
from realist.errors import InvalidInput, NotFound
from realist.reports.wording import counted
from realist.services.accounts import keep_an_owner
from realist.store import Store
from realist.store import accounts as accounts_repo
from realist.store import reviews as reviews_repo
from realist.store import sessions as sessions_repo
from realist.store.events import append_event
from realist.store.schema import duplicate_group, import_batch, reviewer, screening_decision
from realist.store.schema_analysis import (
    coding,
    configuration_version,
    excerpt,
    memo,
    mmat_appraisal,
)

MAX_KEY = 64

# What a reviewer can have done: (key in ``work``, its noun, table, column naming them).
WORK: tuple[tuple[str, str, sa.Table, str], ...] = (
    ("screening_decisions", "screening decision", screening_decision, "reviewer_id"),
    ("excerpts", "excerpt", excerpt, "reviewer_id"),
    ("codings", "coding", coding, "reviewer_id"),
    ("mmat_appraisals", "MMAT appraisal", mmat_appraisal, "reviewer_id"),
    ("memo_versions", "memo version", memo, "reviewer_id"),
    ("configuration_versions", "configuration version", configuration_version, "reviewer_id"),
    ("import_batches", "import batch", import_batch, "reviewer_id"),
    ("duplicate_decisions", "duplicate decision", duplicate_group, "decided_by"),
)
_NOUNS = {key: noun for key, noun, _, _ in WORK}


def describe_work(work: dict[str, int]) -> str:
    """Work counts as words: "3 screening decisions, 1 excerpt" ("" when none)."""
    return ", ".join(counted(n, _NOUNS.get(key, key)) for key, n in work.items())


@dataclass
class ReviewerSummary:
    """A person with their role, whether retired, and what they have done (non-zero)."""

    key: str
    name: str
    role: ReviewerRole
    retired: bool
    work: dict[str, int]


def _work(connection: Connection, reviewer_id: int) -> dict[str, int]:
    found = {}
    for key, _, table, column in WORK:
        n = connection.execute(
            sa.select(sa.func.count()).select_from(table).where(table.c[column] == reviewer_id)
        ).scalar()
        if n:
            found[key] = int(n)
    return found


def list_reviewers(store: Store) -> list[ReviewerSummary]:
    """Everyone in the review, with the work attributed to each."""
    with store.reading() as connection:
        return [
            ReviewerSummary(p.key, p.name, p.role, p.retired, _work(connection, int(p.id or 0)))
            for p in reviews_repo.list_reviewers(connection)
        ]


def _person(connection: Connection, key: str) -> Reviewer:
    for item in reviews_repo.list_reviewers(connection):
        if item.key == key:
            return item
    raise NotFound(f"no reviewer '{key}' in this review")


def _keep_an_owner(connection: Connection, person: Reviewer) -> None:
    """Refuse taking ``person`` away as an owner when the review would be left without an
    active owner (or without one who can sign in)."""
    if person.role is ReviewerRole.OWNER and not person.retired:
        assert person.id is not None
        keep_an_owner(connection, person.id)


def add_reviewer(
    store: Store,
    key: str,
    by: str | None,
    *,
    name: str = "",
    role: ReviewerRole = ReviewerRole.REVIEWER,
) -> Reviewer:
    """A new person to attribute work to (``--reviewer KEY``); an account, for signing in
    to a shared server, is added with ``realist account add``."""
    key = key.strip()
    if not key or len(key) > MAX_KEY or any(c.isspace() for c in key) or "/" in key:
        raise InvalidInput(f"a reviewer key is 1-{MAX_KEY} characters without spaces or '/'")
    problem = segment_problem(key, "reviewer key")
    if problem:
        raise InvalidInput(problem)
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        if any(p.key == key for p in reviews_repo.list_reviewers(connection)):
            raise InvalidInput(f"reviewer '{key}' already exists")
        person = Reviewer(key, name.strip() or key, role)
        person.id = reviews_repo.insert_reviewer(connection, person)
        append_event(
            connection, "reviewer.added", actor, f"reviewer:{key}",
            {"name": person.name, "role": role.value},
        )  # fmt: skip
        return person


def edit_reviewer(
    store: Store,
    key: str,
    by: str | None,
    *,
    name: str | None = None,
    role: ReviewerRole | None = None,
) -> Reviewer:
    """Change a person's display name or role, in one transaction (the last active owner
    stays owner)."""
    if name is not None:
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidInput("a reviewer's name is 1-200 characters")
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        current = _person(connection, key)
        assert current.id is not None
        if (name is None or name == current.name) and (role is None or role is current.role):
            raise InvalidInput(f"nothing to change for reviewer '{key}'")
        if name is not None and name != current.name:
            connection.execute(
                reviewer.update().where(reviewer.c.id == current.id).values(name=name)
            )
            append_event(
                connection, "reviewer.renamed", actor, f"reviewer:{key}",
                {"before": current.name, "after": name},
            )  # fmt: skip
        if role is not None and role is not current.role:
            _keep_an_owner(connection, current)
            accounts_repo.set_role(connection, current.id, role)
            ended = sessions_repo.revoke_sessions_of(connection, current.id, "new role")
            append_event(
                connection, "reviewer.role_set", actor, f"reviewer:{key}",
                {"before": current.role.value, "role": role.value}
                | ({"sessions_ended": ended} if ended else {}),
            )  # fmt: skip
        return _person(connection, key)


def retire_reviewer(store: Store, key: str, by: str | None, *, retired: bool = True) -> Reviewer:
    """Retire a person (``retired=False`` reinstates them): they can no longer act or sign
    in, their work stays attributed to them. Nobody retires themselves, and a review
    keeps an active owner."""
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        current = _person(connection, key)
        if current.retired == retired:
            raise InvalidInput(f"reviewer '{key}' is already {'retired' if retired else 'active'}")
        if retired and key == actor:
            raise InvalidInput("you cannot retire yourself; ask another owner")
        if retired:
            _keep_an_owner(connection, current)
        connection.execute(
            reviewer.update().where(reviewer.c.id == current.id).values(retired=retired)
        )
        assert current.id is not None
        ended = (
            sessions_repo.revoke_sessions_of(connection, current.id, "retired") if retired else 0
        )
        append_event(
            connection,
            "reviewer.retired" if retired else "reviewer.reinstated",
            actor,
            f"reviewer:{key}",
            {"work": _work(connection, current.id)} | ({"sessions_ended": ended} if ended else {}),
        )
        return _person(connection, key)


def delete_reviewer(store: Store, key: str, by: str | None) -> None:
    """Delete a person who did no work (and their sign-in). One with work is refused,
    saying what they did: retire them instead."""
    with store.transaction() as connection:
        actor, _ = reviews_repo.resolve_reviewer(connection, by)
        current = _person(connection, key)
        assert current.id is not None
        if key == actor:
            raise InvalidInput("you cannot delete yourself")
        work = _work(connection, current.id)
        if work:
            raise InvalidInput(
                f"reviewer '{key}' has work attributed to them ({describe_work(work)}): "
                "retire them instead"
            )
        _keep_an_owner(connection, current)
        # Their sign-in (account) goes by ON DELETE CASCADE.
        connection.execute(reviewer.delete().where(reviewer.c.id == current.id))
        append_event(
            connection, "reviewer.deleted", actor, f"reviewer:{key}",
            {"name": current.name, "role": current.role.value},
        )  # fmt: skip
