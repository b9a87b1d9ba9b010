"""Listing, showing and editing CMO configurations, with their evidence and history."""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.identifiers import segment_problem
from realist.domain.theory import (
    CMOConfiguration,
    Component,
    ConfigurationVersion,
    MiddleRangeTheory,
    Origin,
    Role,
    Standing,
    Topic,
    Verdict,
    describe_standing,
    final_model_style,
    standing,
)
from realist.errors import InvalidInput, NotFound
from realist.services.ownership import check_may_change
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.schema import reviewer as reviewer_table
from realist.store.schema_analysis import coding as coding_table
from realist.store.schema_analysis import component as component_table

STANCES = ("supports", "refutes", "refines")


@dataclasses.dataclass
class TheoryView:
    """A configuration with what a reader needs beside it: evidence, theories, history."""

    configuration: CMOConfiguration
    topic: Topic
    evidence: dict[str, int]
    middle_range_theories: list[MiddleRangeTheory]
    history: list[ConfigurationVersion]

    def as_json(self) -> dict[str, Any]:
        """The stable ``--json`` shape (documented in docs/CLI.md)."""
        c = self.configuration
        return {
            "identifier": c.identifier,
            "topic": c.topic_key,
            "title": c.title,
            "statement": c.statement,
            "contexts": [p.text for p in c.contexts],
            "mechanisms": [
                {"text": p.text, "kind": p.kind.value if p.kind else None} for p in c.mechanisms
            ],
            "outcomes": [p.text for p in c.outcomes],
            "origin": c.origin.value,
            "partial": c.partial,
            "verdict": c.verdict.value if c.verdict else None,
            "rationale": c.rationale,
            "model_style": final_model_style(c.origin, c.verdict).value,
            "middle_range_theories": [
                {"key": t.key, "name": t.name} for t in self.middle_range_theories
            ],
            "interventions": c.intervention_numbers,
            "evidence": self.evidence,
            "source_note": c.source_note,
            "history": [
                {
                    "version": v.version,
                    "reviewer": v.reviewer_key,
                    "why": v.why,
                    "at": v.created_at,
                    "before": v.snapshot,
                }
                for v in self.history
            ],
            "standing": self.standing.value,
            "status": describe_standing(self.standing, self.evidence),
        }

    @property
    def standing(self) -> Standing:
        """Untested (no evidence coded), awaiting a verdict, or the verdict given."""
        return standing(self.configuration.verdict, self.evidence.get("excerpts", 0))


def list_theories(store: Store, topic: str | None = None) -> list[TheoryView]:
    """Configurations (optionally of one topic) with evidence counts and history."""
    with store.reading() as connection:
        topics = {t.key: t for t in theory_repo.list_topics(connection)}
        if topic is not None and topic not in topics:
            known = ", ".join(topics) or "none"
            raise NotFound(f"no topic '{topic}' (topics: {known})")
        theories = {t.key: t for t in theory_repo.list_middle_range_theories(connection)}
        counts = coding_repo.evidence_counts(connection)
        none: Counter[str] = Counter()
        history = theory_repo.history(connection)
        return [
            TheoryView(
                configuration=c,
                topic=topics[c.topic_key],
                evidence={
                    key: counts.get(c.identifier, none)[key] for key in (*STANCES, "excerpts")
                },
                middle_range_theories=[theories[k] for k in c.middle_range_theory_keys],
                history=history.get(c.identifier, []),
            )
            for c in theory_repo.list_configurations(connection, topic)
        ]


def show_theory(store: Store, identifier: str) -> TheoryView:
    for view in list_theories(store):
        if view.configuration.identifier.lower() == identifier.lower():
            return view
    raise NotFound(f"no configuration '{identifier}' in this review")


def snapshot(item: CMOConfiguration) -> dict[str, Any]:
    """What a history entry keeps of a configuration: its wording and judgement."""
    return {
        "title": item.title,
        "statement": item.statement,
        "contexts": [p.text for p in item.contexts],
        "mechanisms": [
            {"text": p.text, "kind": p.kind.value if p.kind else None} for p in item.mechanisms
        ],
        "outcomes": [p.text for p in item.outcomes],
        "origin": item.origin.value,
        "partial": item.partial,
        "verdict": item.verdict.value if item.verdict else None,
        "rationale": item.rationale,
    }


def edit_configuration(
    store: Store,
    identifier: str,
    reviewer: str | None,
    why: str,
    *,
    statement: str | None = None,
    title: str | None = None,
    set_parts: dict[Role, list[str]] | None = None,
) -> TheoryView:
    """Change a configuration's wording, keeping the previous version with who and why.
    Fewer parts of a role remove the last ones, and the codings made to them: the event
    keeps those codings, and other reviewers' go only when the actor is an owner
    (NotPermitted otherwise)."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        current = theory_repo.get_configuration(connection, identifier)
        assert current.id is not None
        version = theory_repo.current_version(connection, current.id)
        changed = dataclasses.replace(current, components=list(current.components))
        if statement is not None:
            changed.statement = statement
        if title is not None:
            changed.title = title
        for role, texts in (set_parts or {}).items():
            kinds = {p.position: p.kind for p in current.of_role(role)}
            changed.components = [p for p in changed.components if p.role is not role] + [
                Component(role=role, text=text, kind=kinds.get(i), position=i)
                for i, text in enumerate(texts)
            ]
        kept = {(p.role.value, p.position) for p in changed.components}
        dropped = _codings_of_parts_not_in(connection, current.id, kept)
        whose = check_may_change(
            connection,
            who,
            [maker for maker, _ in dropped],
            f"the codings of the parts this edit removes from configuration {identifier}",
        )
        theory_repo.insert_version(connection, current.id, version, snapshot(current), who, why)
        theory_repo.update_configuration(connection, current.id, changed, version + 1)
        append_event(
            connection,
            "configuration.edited",
            key,
            f"configuration:{identifier}",
            {"why": why, "version": version + 1}
            | ({"codings_removed": [d for _, d in dropped]} if dropped else {})
            | whose,
        )
    return show_theory(store, identifier)


def _codings_of_parts_not_in(
    connection: Connection, configuration_id: int, kept: set[tuple[str, int]]
) -> list[tuple[int, dict[str, object]]]:
    """The codings made to parts of a configuration that are not in ``kept`` (role,
    position), with who made each: an edit that removes those parts removes them too
    (ON DELETE CASCADE)."""
    c, part = coding_table.c, component_table.c
    rows = connection.execute(
        sa.select(c.id, c.excerpt_id, c.stance, c.reviewer_id, part.role, part.position,
                  reviewer_table.c.key)
        .join(component_table, component_table.c.id == c.component_id)
        .join(reviewer_table, reviewer_table.c.id == c.reviewer_id)
        .where(c.configuration_id == configuration_id)
        .order_by(c.id)
    )  # fmt: skip
    return [
        (
            int(r.reviewer_id),
            {
                "coding": r.id,
                "excerpt": r.excerpt_id,
                "role": str(r.role),
                "position": r.position,
                "stance": str(r.stance),
                "reviewer": r.key,
            },
        )
        for r in rows
        if (str(r.role), int(r.position)) not in kept
    ]


def add_topic(
    store: Store, key: str, name: str, reviewer: str | None, negative: bool = False
) -> Topic:
    """A new topic to group configurations (e.g. uptake, benefits, harms)."""
    if not key.strip() or not name.strip():
        raise InvalidInput("a topic needs a key and a name")
    problem = segment_problem(key, "topic key")
    if problem:
        raise InvalidInput(problem)
    with store.transaction() as connection:
        who, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        topics = theory_repo.list_topics(connection)
        if any(t.key == key for t in topics):
            raise InvalidInput(f"topic '{key}' already exists")
        item = Topic(key, name, len(topics), negative)
        item.id = theory_repo.insert_topic(connection, item)
        append_event(connection, "topic.added", who, f"topic:{key}", {"name": name})
        return item


def split_configuration(
    store: Store,
    identifier: str,
    new_identifier: str,
    parts: list[tuple[Role, int]],
    reviewer: str | None,
    why: str,
    *,
    title: str = "",
    statement: str = "",
    origin: Origin = Origin.INDUCTIVE,
) -> TheoryView:
    """A new configuration in the same topic made of some of ``identifier``'s parts (by role
    and position; copied with their mechanism kinds). The original keeps its parts and
    codings; its history records the split and why, and the new one's source note says
    where it came from."""
    if not why.strip():
        raise InvalidInput("say why the configuration is split")
    if not new_identifier.strip():
        raise InvalidInput("the new configuration needs an identifier")
    problem = segment_problem(new_identifier, "configuration identifier")
    if problem:
        raise InvalidInput(problem)
    if not parts:
        raise InvalidInput("choose at least one part for the new configuration")
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        current = theory_repo.get_configuration(connection, identifier)
        assert current.id is not None
        configurations = theory_repo.list_configurations(connection)
        if any(c.identifier == new_identifier for c in configurations):
            raise InvalidInput(f"configuration '{new_identifier}' already exists")
        by_place = {(c.role, c.position): c for c in current.components}
        copied: list[Component] = []
        for role, position in parts:
            found = by_place.get((role, position))
            if found is None:
                raise InvalidInput(f"configuration {identifier} has no {role.value} {position + 1}")
            same_role = sum(1 for c in copied if c.role is role)
            copied.append(Component(role, found.text, kind=found.kind, position=same_role))
        roles = {c.role for c in copied}
        item = CMOConfiguration(
            identifier=new_identifier,
            topic_key=current.topic_key,
            title=title or current.title,
            statement=statement,
            components=copied,
            origin=origin,
            partial=bool(roles & {Role.CONTEXT, Role.MECHANISM}) and Role.OUTCOME not in roles,
            source_note=f"Split from configuration {identifier}: {why}",
            position=sum(1 for c in configurations if c.topic_key == current.topic_key),
        )
        item.id = theory_repo.insert_configuration(connection, item)
        version = theory_repo.current_version(connection, current.id)
        theory_repo.insert_version(
            connection, current.id, version, snapshot(current), who,
            f"split into {new_identifier}: {why}",
        )  # fmt: skip
        theory_repo.update_configuration(connection, current.id, current, version + 1)
        append_event(
            connection, "configuration.split", key, f"configuration:{identifier}",
            {"into": new_identifier, "why": why,
             "parts": [{"role": r.value, "position": p} for r, p in parts]},
        )  # fmt: skip
    return show_theory(store, new_identifier)


def merge_configurations(
    store: Store, source: str, target: str, reviewer: str | None, rationale: str
) -> TheoryView:
    """Fold ``source`` into ``target``: every coding of ``source`` moves to ``target`` (to
    its part of the same role and position, or to ``target`` as a whole when it has no
    such part), and ``source`` is marked not supported with the rationale; its history
    keeps the version before. Returns ``target``."""
    if not rationale.strip():
        raise InvalidInput("a merge needs a rationale")
    if source == target:
        raise InvalidInput("a configuration cannot be merged into itself")
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        old = theory_repo.get_configuration(connection, source)
        new = theory_repo.get_configuration(connection, target)
        assert old.id is not None and new.id is not None
        places = {c.id: (c.role, c.position) for c in old.components}
        targets = {(c.role, c.position): c.id for c in new.components}
        c = coding_table.c
        rows = connection.execute(
            sa.select(c.id, c.component_id, c.excerpt_id, c.stance, c.reviewer_id).where(
                c.configuration_id == old.id
            )
        ).all()
        dropped = 0
        for row in rows:
            place = places.get(row.component_id) if row.component_id is not None else None
            component_id = targets.get(place) if place is not None else None
            role = place[0] if place is not None and component_id is not None else None
            role = role or Role.CONFIGURATION
            # The same reviewer may have coded the excerpt the same way to both: one coding
            # is kept, so the merged configuration does not count that evidence twice.
            twin = sa.select(c.id).where(
                c.excerpt_id == row.excerpt_id,
                c.stance == row.stance,
                c.reviewer_id == row.reviewer_id,
                c.configuration_id == new.id,
                c.role == role,
                c.component_id.is_(None)
                if component_id is None
                else c.component_id == component_id,
            )
            if connection.execute(twin.limit(1)).first() is not None:
                connection.execute(coding_table.delete().where(c.id == row.id))
                dropped += 1
                continue
            connection.execute(
                coding_table.update()
                .where(c.id == row.id)
                .values(configuration_id=new.id, component_id=component_id, role=role)
            )
        version = theory_repo.current_version(connection, old.id)
        theory_repo.insert_version(
            connection, old.id, version, snapshot(old), who, f"merged into {target}: {rationale}"
        )
        changed = dataclasses.replace(
            old, verdict=Verdict.NOT_SUPPORTED, rationale=f"Merged into {target}: {rationale}"
        )
        theory_repo.update_configuration(connection, old.id, changed, version + 1)
        append_event(
            connection, "configuration.merged", key, f"configuration:{source}",
            {"into": target, "codings": len(rows), "same_as_existing": dropped,
             "rationale": rationale},
        )  # fmt: skip
    return show_theory(store, target)


def list_topics(store: Store) -> list[Topic]:
    """The review's topics in their order (also those without configurations yet)."""
    with store.reading() as connection:
        return theory_repo.list_topics(connection)
