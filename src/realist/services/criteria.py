"""Correcting the eligibility criteria and the screening highlight terms.

Adding them is :mod:`realist.services.screening`'s. A criterion that no decision cites can
be deleted outright; one that decisions cite is either retired (kept for those decisions,
shown in lists and Table 1 marked retired, no longer offered for new ones) or replaced by
another criterion, which takes over its decisions. Every change is an event with what it
was before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.identifiers import segment_problem
from realist.domain.screening import CriterionKind, EligibilityCriterion
from realist.errors import InvalidInput, NotFound
from realist.reports.wording import counted
from realist.services.blinding import blinded_from
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store.events import append_event
from realist.store.schema import criterion as criterion_table
from realist.store.schema import highlight_term, reviewer, screening_decision


def _criterion(connection: Connection, code: str) -> EligibilityCriterion:
    found = [c for c in reviews_repo.list_criteria(connection) if c.code == code]
    if not found:
        known = ", ".join(c.code for c in reviews_repo.list_criteria(connection)) or "none"
        raise NotFound(f"no criterion '{code}' (known: {known})")
    return found[0]


def _citing(connection: Connection, criterion_id: int) -> list[dict[str, object]]:
    """The decisions that cite a criterion, oldest first, as an event records them."""
    d = screening_decision.c
    rows = connection.execute(
        sa.select(d.id, d.record_id, d.stage, reviewer.c.key)
        .join(reviewer, reviewer.c.id == d.reviewer_id)
        .where(d.criterion_id == criterion_id)
        .order_by(d.id)
    )
    return [
        {"decision": r.id, "record": r.record_id, "stage": str(r.stage), "reviewer": r.key}
        for r in rows
    ]


def _fields(item: EligibilityCriterion) -> dict[str, object]:
    return {
        "code": item.code,
        "dimension": item.dimension,
        "kind": item.kind.value,
        "text": item.text,
        "retired": item.retired,
    }


def _records(cited: list[dict[str, object]], most: int = 10) -> str:
    ids = sorted({int(str(c["record"])) for c in cited})
    shown = ", ".join(str(i) for i in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else "")


def edit_criterion(
    store: Store,
    code: str,
    reviewer_key: str | None,
    *,
    new_code: str | None = None,
    dimension: str | None = None,
    kind: CriterionKind | None = None,
    text: str | None = None,
) -> EligibilityCriterion:
    """Change a criterion's code, dimension, kind or text. Decisions cite it by id, so they
    follow a new code; a criterion decisions cite as an exclusion keeps its kind."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = _criterion(connection, code)
        assert current.id is not None
        values: dict[str, object] = {}
        if new_code is not None and new_code.strip() != current.code:
            new_code = new_code.strip()
            if not new_code or len(new_code) > 64:
                raise InvalidInput("a criterion code is 1-64 characters")
            problem = segment_problem(new_code, "criterion code")
            if problem:
                raise InvalidInput(problem)
            if any(c.code == new_code for c in reviews_repo.list_criteria(connection)):
                raise InvalidInput(f"criterion code '{new_code}' is already used")
            values["code"] = new_code
        if dimension is not None and dimension.strip() != current.dimension:
            if not dimension.strip():
                raise InvalidInput("a criterion needs a dimension (e.g. population)")
            values["dimension"] = dimension.strip()
        if text is not None and text.strip() != current.text:
            if not text.strip():
                raise InvalidInput("a criterion needs a text")
            values["text"] = text.strip()
        if kind is not None and kind is not current.kind:
            cited = _citing(connection, current.id)
            if cited:
                raise InvalidInput(
                    f"criterion '{code}' is the reason of {counted(len(cited), 'exclusion')} "
                    f"(records {_records(cited)}): it stays an exclusion criterion"
                )
            values["kind"] = kind
        if not values:
            raise InvalidInput("nothing to change: give a new code, dimension, kind or text")
        connection.execute(
            criterion_table.update().where(criterion_table.c.id == current.id).values(**values)
        )
        before = _fields(current)
        changed = {k: str(v) for k, v in values.items()}
        append_event(
            connection,
            "criterion.edited",
            key,
            f"criterion:{current.code}",
            {"before": {k: before[k] for k in changed}, "after": changed},
        )
        return _criterion(connection, str(values.get("code", current.code)))


def retire_criterion(
    store: Store, code: str, reviewer_key: str | None, *, retired: bool = True
) -> EligibilityCriterion:
    """Stop offering a criterion for new decisions (``retired=False`` offers it again);
    decisions that cite it keep it, and it stays in Table 1, marked retired."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = _criterion(connection, code)
        if current.retired == retired:
            state = "retired" if retired else "in use"
            raise InvalidInput(f"criterion '{code}' is already {state}")
        connection.execute(
            criterion_table.update()
            .where(criterion_table.c.id == current.id)
            .values(retired=retired)
        )
        assert current.id is not None
        append_event(
            connection,
            "criterion.retired" if retired else "criterion.restored",
            key,
            f"criterion:{code}",
            {"cited_by": len(_citing(connection, current.id))},
        )
        return _criterion(connection, code)


@dataclass
class CriterionRemoval:
    """What deleting a criterion did: the decisions moved to ``replaced_by``, if any."""

    code: str
    replaced_by: str | None = None
    moved: list[dict[str, object]] = field(default_factory=list)


def delete_criterion(
    store: Store, code: str, reviewer_key: str | None, *, replace_with: str | None = None
) -> CriterionRemoval:
    """Delete a criterion. When decisions cite it, ``replace_with`` names the criterion
    they cite instead (each moved decision is listed in the event); without it the
    deletion is refused, saying how many decisions and which records cite it (retire it
    instead to keep it for them)."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        current = _criterion(connection, code)
        assert current.id is not None
        cited = _citing(connection, current.id)
        removal = CriterionRemoval(code)
        if cited and replace_with is None:
            raise InvalidInput(
                f"criterion '{code}' is the reason of {counted(len(cited), 'decision')} "
                f"(records {_records(cited)}): retire it, or move them to another "
                "criterion (--replace-with CODE)"
            )
        if replace_with is not None:
            target = _criterion(connection, replace_with)
            if target.code == code:
                raise InvalidInput("a criterion cannot replace itself")
            if target.retired:
                raise InvalidInput(f"criterion '{replace_with}' is retired: choose another")
            if target.kind is not current.kind:
                raise InvalidInput(
                    f"criterion '{replace_with}' is an {target.kind.value} criterion, "
                    f"'{code}' an {current.kind.value} one"
                )
            connection.execute(
                screening_decision.update()
                .where(screening_decision.c.criterion_id == current.id)
                .values(criterion_id=target.id)
            )
            removal.replaced_by, removal.moved = target.code, cited
        connection.execute(criterion_table.delete().where(criterion_table.c.id == current.id))
        append_event(
            connection,
            "criterion.deleted",
            key,
            f"criterion:{code}",
            {"criterion": _fields(current), "replaced_by": removal.replaced_by, "moved": cited},
        )
        return removal


def remove_highlight_terms(
    store: Store, terms: list[str], reviewer_key: str | None, kind: CriterionKind | None = None
) -> int:
    """Stop highlighting ``terms`` (of one kind, or of both); how many were removed. A term
    that is not highlighted is refused, naming the terms that are."""
    wanted = [t.strip() for t in terms if t.strip()]
    if not wanted:
        raise InvalidInput("name the term(s) to remove")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer_key)
        h = highlight_term.c
        kinds = [kind] if kind is not None else list(CriterionKind)
        rows = connection.execute(
            sa.select(h.id, h.term, h.kind).where(h.term.in_(wanted), h.kind.in_(kinds))
        ).all()
        missing = sorted(set(wanted) - {r.term for r in rows})
        if missing:
            known = connection.execute(sa.select(h.term).order_by(h.id)).scalars().all()
            raise NotFound(
                f"'{missing[0]}' is not highlighted (terms: {', '.join(known) or 'none'})"
            )
        connection.execute(highlight_term.delete().where(h.id.in_([r.id for r in rows])))
        append_event(
            connection,
            "terms.removed",
            key,
            "review",
            {"terms": [{"term": r.term, "kind": str(r.kind)} for r in rows]},
        )
        return len(rows)


def citations(store: Store, viewer: str | None = None) -> dict[str, int]:
    """How many screening decisions cite each criterion (by code; absent: none), as
    ``viewer`` (default: the owner) may count them: in dual screening a vote still blinded
    from them is not counted (its citation would tell that someone excluded a record, and
    why), unless their role may take every vote (services.blinding.DOWNLOADS)."""
    with store.reading() as connection:
        hidden = blinded_from(connection, viewer)
        query = (
            sa.select(criterion_table.c.code, sa.func.count(screening_decision.c.id))
            .join(screening_decision, screening_decision.c.criterion_id == criterion_table.c.id)
            .group_by(criterion_table.c.code)
        )
        if hidden is not None:
            query = query.where(~hidden)
        rows = connection.execute(query)
        return {str(code): int(n) for code, n in rows}
