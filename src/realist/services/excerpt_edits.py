"""Correcting excerpts and codings: delete an excerpt (its codings go with it), give it a
label, change what a coding says (stance) or points at (the configuration as a whole, or
one of its parts).

Cutting, coding and appraising excerpts is :mod:`realist.services.coding`'s; removing one
coding is :func:`realist.services.coding.uncode`. Every change is an event that keeps what
was there before, so the audit trail can say what a deleted excerpt quoted.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.coding import Coding, Excerpt, Stance
from realist.domain.identifiers import MAX_ID
from realist.domain.theory import Role
from realist.errors import InvalidInput, NotFound
from realist.services.coding import get_excerpt
from realist.services.ownership import check_may_change
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import reviews as reviews_repo
from realist.store.events import append_event
from realist.store.schema import reviewer
from realist.store.schema_analysis import coding, component, configuration, document, document_text
from realist.store.schema_analysis import excerpt as excerpt_table
from realist.store.search import unindex

MAX_LABEL_CHARS = 64


def _excerpt_row(connection: Connection, ref: str | int) -> sa.Row[tuple[object, ...]]:
    """An excerpt by id, or by label (the demo's E001 ...), with its document's key."""
    query = (
        sa.select(excerpt_table, document.c.key.label("document_key"))
        .join(document_text, document_text.c.id == excerpt_table.c.document_text_id)
        .join(document, document.c.id == document_text.c.document_id)
    )
    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        if not 0 < int(ref) <= MAX_ID:  # no row has it; the database would refuse it
            raise NotFound(f"no excerpt '{ref}' in this review")
        query = query.where(excerpt_table.c.id == int(ref))
    else:
        query = query.where(excerpt_table.c.label == str(ref))
    found = connection.execute(query.order_by(excerpt_table.c.id).limit(1)).first()
    if found is None:
        raise NotFound(f"no excerpt '{ref}' in this review")
    return found


def _codings_of(connection: Connection, excerpt_id: int) -> list[dict[str, object]]:
    rows = connection.execute(
        sa.select(
            coding.c.id,
            coding.c.role,
            coding.c.stance,
            configuration.c.identifier,
            component.c.position,
            reviewer.c.key,
        )
        .join(configuration, configuration.c.id == coding.c.configuration_id)
        .outerjoin(component, component.c.id == coding.c.component_id)
        .join(reviewer, reviewer.c.id == coding.c.reviewer_id)
        .where(coding.c.excerpt_id == excerpt_id)
        .order_by(coding.c.id)
    )
    return [
        {
            "coding": r.id,
            "configuration": r.identifier,
            "role": str(r.role),
            "position": r.position,
            "stance": str(r.stance),
            "reviewer": r.key,
        }
        for r in rows
    ]


def delete_excerpt(store: Store, ref: str | int, reviewer_key: str | None) -> int:
    """Delete an excerpt with its codings and case coding; returns how many codings went.
    The event keeps its document, span, words and codings. The excerpt and every coding of
    it must be the actor's, unless the actor is an owner (NotPermitted otherwise)."""
    with store.transaction() as connection:
        who, actor_id = reviews_repo.resolve_reviewer(connection, reviewer_key)
        row = _excerpt_row(connection, ref)
        codings = _codings_of(connection, row.id)
        makers = [row.reviewer_id] + [
            int(i)
            for i in connection.execute(
                sa.select(coding.c.reviewer_id).where(coding.c.excerpt_id == row.id)
            ).scalars()
        ]
        whose = check_may_change(
            connection, actor_id, makers, f"excerpt {row.id} (with its codings)"
        )
        unindex(connection, "excerpt", row.id)
        connection.execute(excerpt_table.delete().where(excerpt_table.c.id == row.id))
        append_event(
            connection,
            "excerpt.deleted",
            who,
            f"excerpt:{row.id}",
            {
                "document": row.document_key,
                "label": row.label,
                "start": row.start_offset,
                "end": row.end_offset,
                "text": row.text,
                "codings": codings,
            }
            | whose,
        )
        return len(codings)


def label_excerpt(store: Store, ref: str | int, label: str, reviewer_key: str | None) -> Excerpt:
    """Give an excerpt a label (an empty one removes it). Labels name excerpts in commands,
    so they are unique and not all digits (a number names an excerpt by its id)."""
    label = label.strip()
    if len(label) > MAX_LABEL_CHARS:
        raise InvalidInput(f"an excerpt label has at most {MAX_LABEL_CHARS} characters")
    if label.isdigit() or any(c.isspace() for c in label):
        raise InvalidInput("an excerpt label has no spaces and is not only digits (e.g. E101)")
    with store.transaction() as connection:
        who, actor_id = reviews_repo.resolve_reviewer(connection, reviewer_key)
        row = _excerpt_row(connection, ref)
        whose = check_may_change(connection, actor_id, [row.reviewer_id], f"excerpt {row.id}")
        if label == row.label:
            raise InvalidInput(f"excerpt {row.id} already has that label")
        if label:
            taken = connection.execute(
                sa.select(excerpt_table.c.id).where(excerpt_table.c.label == label)
            ).first()
            if taken is not None:
                raise InvalidInput(f"excerpt {taken.id} already has the label '{label}'")
        connection.execute(
            excerpt_table.update().where(excerpt_table.c.id == row.id).values(label=label)
        )
        append_event(
            connection,
            "excerpt.labelled",
            who,
            f"excerpt:{row.id}",
            {"before": row.label, "after": label} | whose,
        )
        excerpt_id = int(row.id)
    return get_excerpt(store, excerpt_id)


def recode(
    store: Store,
    coding_id: int,
    reviewer_key: str | None,
    *,
    stance: Stance | None = None,
    role: Role | None = None,
    position: int | None = None,
) -> Coding:
    """Change a coding's stance, or what part of its configuration it points at (``role``
    and ``position``, counted from 0; role ``configuration`` for the whole). It stays the
    coder's coding; the event says who changed it and what it was. Only the coder or an
    owner may change it (NotPermitted otherwise)."""
    with store.transaction() as connection:
        who, actor_id = reviews_repo.resolve_reviewer(connection, reviewer_key)
        row = connection.execute(
            sa.select(coding, configuration.c.identifier, component.c.position, reviewer.c.key)
            .join(configuration, configuration.c.id == coding.c.configuration_id)
            .outerjoin(component, component.c.id == coding.c.component_id)
            .join(reviewer, reviewer.c.id == coding.c.reviewer_id)
            .where(coding.c.id == coding_id)
        ).first()
        if row is None:
            raise NotFound(f"no coding {coding_id}")
        whose = check_may_change(connection, actor_id, [row.reviewer_id], f"coding {coding_id}")
        before = Coding(row.identifier, Role(row.role), row.position, Stance(row.stance), row.key)
        new_role = role or before.role
        if new_role is Role.CONFIGURATION:
            new_position = None
        elif position is not None:
            new_position = position
        else:
            new_position = before.component_position if role is None else 0
        after = Coding(row.identifier, new_role, new_position, stance or before.stance, row.key)
        if (after.role, after.component_position, after.stance) == (
            before.role,
            before.component_position,
            before.stance,
        ):
            raise InvalidInput(f"coding {coding_id} already says that")
        same = coding_repo.same_coding(
            connection, row.excerpt_id, row.configuration_id, after, row.reviewer_id
        )  # also refuses a part the configuration does not have
        if same is not None:
            raise InvalidInput(f"coding {same} of the same excerpt already says that")
        part = coding_repo.target_part(connection, row.configuration_id, after)
        connection.execute(
            coding.update()
            .where(coding.c.id == coding_id)
            .values(role=after.role, component_id=part, stance=after.stance)
        )
        append_event(
            connection,
            "coding.changed",
            who,
            f"coding:{coding_id}",
            {
                "excerpt": row.excerpt_id,
                "configuration": row.identifier,
                "before": _said(before),
                "after": _said(after),
            }
            | whose,
        )
        after.id = coding_id
        return after


def _said(item: Coding) -> dict[str, object]:
    return {
        "role": item.role.value,
        "position": item.component_position,
        "stance": item.stance.value,
    }
