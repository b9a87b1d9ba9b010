"""Correcting the theory's containers: topics (name, key, negative or not, order; delete)
and configurations (a new identifier; delete).

Wording, splits and merges are :mod:`realist.services.theories`'. Configurations point at
their topic by id, and codings at their configuration by id, so both follow a new key or
identifier; memos are kept by the subject ``configuration:IDENTIFIER`` and move with a
rename. Deleting a configuration deletes its components and codings; its history, memos
and codings are copied into the deletion's event, which stays.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.identifiers import segment_problem
from realist.domain.theory import Topic
from realist.errors import InvalidInput, NotFound
from realist.reports.wording import counted
from realist.services.memos import memo_subject
from realist.services.ownership import check_may_change
from realist.services.theories import TheoryView, show_theory, snapshot
from realist.store import Store
from realist.store import memos as memos_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.schema import reviewer
from realist.store.schema_analysis import coding, component, configuration, memo, topic

MAX_TOPIC_KEY = 64
MAX_IDENTIFIER = 32


def _name_problem(value: str, what: str, most: int) -> str | None:
    """Keys and identifiers appear in web addresses and commands: no spaces or slashes."""
    if not value or len(value) > most:
        return f"a {what} is 1-{most} characters"
    if "/" in value or any(c.isspace() for c in value):
        return f"a {what} has no spaces or '/' ('{value}')"
    return segment_problem(value, what)


def _topic(connection: Connection, key: str) -> Topic:
    topics = theory_repo.list_topics(connection)
    for item in topics:
        if item.key == key:
            return item
    raise NotFound(f"no topic '{key}' (topics: {', '.join(t.key for t in topics) or 'none'})")


def _renumber(connection: Connection, ordered: list[Topic]) -> None:
    for position, item in enumerate(ordered):
        if item.position != position:
            connection.execute(
                topic.update().where(topic.c.id == item.id).values(position=position)
            )


def edit_topic(
    store: Store,
    key: str,
    reviewer_key: str | None,
    *,
    new_key: str | None = None,
    name: str | None = None,
    negative: bool | None = None,
    position: int | None = None,
) -> Topic:
    """Change a topic's key, name, whether it explains harms, or its place among the
    topics (``position`` from 0; the others move up or down to make room)."""
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = _topic(connection, key)
        before = {"key": current.key, "name": current.name, "negative": current.negative,
                  "position": current.position}  # fmt: skip
        values: dict[str, object] = {}
        if new_key is not None and new_key.strip() != current.key:
            new_key = new_key.strip()
            problem = _name_problem(new_key, "topic key", MAX_TOPIC_KEY)
            if problem:
                raise InvalidInput(problem)
            if any(t.key == new_key for t in theory_repo.list_topics(connection)):
                raise InvalidInput(f"topic '{new_key}' already exists")
            values["key"] = new_key
        if name is not None and name.strip() != current.name:
            if not name.strip():
                raise InvalidInput("a topic needs a name")
            values["name"] = name.strip()
        if negative is not None and negative != current.negative:
            values["negative"] = negative
        if values:
            connection.execute(topic.update().where(topic.c.id == current.id).values(**values))
        if position is not None:
            ordered = [t for t in theory_repo.list_topics(connection) if t.id != current.id]
            place = max(0, min(position, len(ordered)))
            if place != current.position:
                values["position"] = place
                _renumber(connection, [*ordered[:place], current, *ordered[place:]])
        if not values:
            raise InvalidInput(f"nothing to change in topic '{key}'")
        append_event(
            connection,
            "topic.edited",
            who,
            f"topic:{key}",
            {"before": {k: before[k] for k in values}, "after": values},
        )
        return _topic(connection, str(values.get("key", key)))


def delete_topic(
    store: Store, key: str, reviewer_key: str | None, *, move_to: str | None = None
) -> list[str]:
    """Delete a topic. One with configurations is refused, naming them, unless
    ``move_to`` names the topic they move to (after its own). Returns those moved."""
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = _topic(connection, key)
        members = theory_repo.list_configurations(connection, key)
        identifiers = [c.identifier for c in members]
        if members and move_to is None:
            raise InvalidInput(
                f"topic '{key}' has {counted(len(members), 'configuration')}: "
                f"{', '.join(identifiers)}; move them to another topic (--move-to TOPIC) "
                "or delete them first"
            )
        if move_to is not None:
            target = _topic(connection, move_to)
            if target.id == current.id:
                raise InvalidInput("a topic cannot take its own configurations")
            start = len(theory_repo.list_configurations(connection, move_to))
            for offset, item in enumerate(members):
                connection.execute(
                    configuration.update()
                    .where(configuration.c.id == item.id)
                    .values(topic_id=target.id, position=start + offset)
                )
        connection.execute(topic.delete().where(topic.c.id == current.id))
        _renumber(connection, theory_repo.list_topics(connection))
        append_event(
            connection,
            "topic.deleted",
            who,
            f"topic:{key}",
            {"name": current.name, "negative": current.negative, "moved_to": move_to,
             "configurations": identifiers},
        )  # fmt: skip
        return identifiers


def rename_configuration(
    store: Store, identifier: str, new_identifier: str, reviewer_key: str | None
) -> TheoryView:
    """Give a configuration a new identifier (unique). Its codings, parts and history
    follow it; its memo moves too; the history gets a version that says so."""
    new_identifier = new_identifier.strip()
    problem = _name_problem(new_identifier, "configuration identifier", MAX_IDENTIFIER)
    if problem:
        raise InvalidInput(problem)
    with store.transaction() as connection:
        who, who_id = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = theory_repo.get_configuration(connection, identifier)
        assert current.id is not None
        if new_identifier == identifier:
            raise InvalidInput(f"configuration {identifier} already has that identifier")
        taken = connection.execute(
            sa.select(configuration.c.id).where(configuration.c.identifier == new_identifier)
        ).first()
        if taken is not None:
            raise InvalidInput(f"configuration '{new_identifier}' already exists")
        version = theory_repo.current_version(connection, current.id)
        theory_repo.insert_version(
            connection, current.id, version, snapshot(current), who_id,
            f"identifier {identifier} renamed {new_identifier}",
        )  # fmt: skip
        connection.execute(
            configuration.update()
            .where(configuration.c.id == current.id)
            .values(identifier=new_identifier, version=version + 1)
        )
        memos = connection.execute(
            memo.update()
            .where(memo.c.subject == memo_subject(identifier))
            .values(subject=memo_subject(new_identifier))
        ).rowcount
        append_event(
            connection,
            "configuration.renamed",
            who,
            f"configuration:{new_identifier}",
            {"from": identifier, "to": new_identifier, "memo_versions": memos},
        )
    return show_theory(store, new_identifier)


def _codings(connection: Connection, configuration_id: int) -> list[dict[str, object]]:
    rows = connection.execute(
        sa.select(coding, component.c.position, reviewer.c.key)
        .outerjoin(component, component.c.id == coding.c.component_id)
        .join(reviewer, reviewer.c.id == coding.c.reviewer_id)
        .where(coding.c.configuration_id == configuration_id)
        .order_by(coding.c.id)
    )
    return [
        {
            "coding": r.id,
            "excerpt": r.excerpt_id,
            "role": str(r.role),
            "position": r.position,
            "stance": str(r.stance),
            "reviewer": r.key,
        }
        for r in rows
    ]


def delete_configuration(
    store: Store, identifier: str, reviewer_key: str | None, *, force: bool = False
) -> int:
    """Delete a configuration with its components, codings and links; returns how many
    codings went. One with codings is refused, saying how many, unless ``force``. Its
    wording, history, memos and codings are kept in the deletion's event. Codings and memo
    versions by other reviewers go only when the actor is an owner (NotPermitted
    otherwise)."""
    with store.transaction() as connection:
        who, actor_id = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = theory_repo.get_configuration(connection, identifier)
        assert current.id is not None
        codings = _codings(connection, current.id)
        if codings and not force:
            excerpts = len({c["excerpt"] for c in codings})
            raise InvalidInput(
                f"configuration {identifier} has {counted(len(codings), 'coding')} of "
                f"{counted(excerpts, 'excerpt')}; deleting it deletes them (use --force), "
                "or merge it into another configuration instead"
            )
        subject = memo_subject(identifier)
        whose = check_may_change(
            connection,
            actor_id,
            connection.execute(
                sa.union_all(
                    sa.select(coding.c.reviewer_id).where(coding.c.configuration_id == current.id),
                    sa.select(memo.c.reviewer_id).where(memo.c.subject == subject),
                )
            ).scalars(),
            f"the codings and memo of configuration {identifier}",
        )
        history = theory_repo.history(connection).get(identifier, [])
        memos = memos_repo.memo_history(connection, subject)
        connection.execute(memo.delete().where(memo.c.subject == subject))
        connection.execute(configuration.delete().where(configuration.c.id == current.id))
        append_event(
            connection,
            "configuration.deleted",
            who,
            f"configuration:{identifier}",
            {
                "topic": current.topic_key,
                "configuration": snapshot(current),
                "history": [
                    {"version": v.version, "reviewer": v.reviewer_key, "why": v.why,
                     "at": v.created_at, "before": v.snapshot}
                    for v in history
                ],
                "memos": [
                    {"version": m.version, "reviewer": m.reviewer_key, "at": m.created_at,
                     "text": m.text}
                    for m in memos
                ],
                "codings": codings,
            } | whose,
        )  # fmt: skip
        return len(codings)
