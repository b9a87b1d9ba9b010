"""Whose work may be changed, and by whom.

Work is attributed to the reviewer who made it (``reviewer_id`` on codings, excerpts, MMAT
appraisals, memo versions, screening decisions). The rule: **a reviewer changes and deletes
their own work; an owner may change anyone's**. Changing someone else's work as an owner
is recorded: the event names whose work it was (``"of": KEY``, or ``"others": [KEYS]``).

What falls under it: a coding (its stance or part, uncoding it); an excerpt (its label,
its appraisal: relevance, rigour and note; deleting it, which deletes every coding of it,
so all of those must be the actor's too); deleting a document or a configuration that
holds other reviewers' excerpts, codings or appraisals. What does not: coding someone
else's excerpt (the coding is your own work), MMAT appraisals and screening decisions
(each reviewer only ever writes their own), memos and configurations (shared texts whose
every version is kept and attributed, so a new version overwrites nothing).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.review import ReviewerRole
from realist.errors import NotPermitted
from realist.store.schema import reviewer

_KEYS = sa.select(reviewer.c.id, reviewer.c.key).where(
    reviewer.c.id.in_(sa.bindparam("ids", expanding=True))
)
_ROLE = sa.select(reviewer.c.role).where(reviewer.c.id == sa.bindparam("id"))


def is_owner(connection: Connection, actor_id: int) -> bool:
    """Whether the acting reviewer is one of the review's owners (who may change anyone's
    work)."""
    return connection.execute(_ROLE, {"id": actor_id}).scalar() == ReviewerRole.OWNER.value


def others(connection: Connection, actor_id: int, makers: Iterable[int]) -> list[str]:
    """The keys of the reviewers in ``makers`` other than the actor, sorted."""
    ids = sorted({int(m) for m in makers} - {actor_id})
    if not ids:
        return []
    return sorted(str(r.key) for r in connection.execute(_KEYS, {"ids": ids}))


def check_may_change(
    connection: Connection, actor_id: int, makers: Iterable[int], what: str
) -> dict[str, object]:
    """Refuse (NotPermitted, naming whose work it is) unless every maker in ``makers`` is
    the actor, or the actor is an owner. Returns what the event should add: ``{"of": KEY}``
    (or ``{"others": [KEYS]}``) when an owner changes other reviewers' work, else ``{}``."""
    keys = others(connection, actor_id, makers)
    if not keys:
        return {}
    if not is_owner(connection, actor_id):
        whose = keys[0] if len(keys) == 1 else ", ".join(keys[:-1]) + f" and {keys[-1]}"
        raise NotPermitted(
            f"{what} is {whose}'s work: only {'they' if len(keys) > 1 else whose} or an "
            "owner may change it"
        )
    return {"of": keys[0]} if len(keys) == 1 else {"others": keys}
