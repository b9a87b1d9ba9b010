"""Repository for the review, its reviewers, search strategy, criteria and stated counts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.review import (
    ConceptBlock,
    Review,
    Reviewer,
    ReviewerRole,
    SearchStrategy,
    Source,
    SourceKind,
)
from realist.domain.screening import CriterionKind, EligibilityCriterion, ScreeningMode
from realist.errors import InvalidInput, NoReview, NotFound
from realist.store.batches import SOURCE_VISIBLE
from realist.store.events import now
from realist.store.schema import (
    concept_block,
    criterion,
    flow_count,
    inserted_id,
    review,
    reviewer,
    source,
    stated_count,
    text_note,
)
from realist.store.schema_analysis import review_setting


def insert_review(connection: Connection, item: Review, last_search: str | None = None) -> None:
    connection.execute(
        review.insert().values(
            id=1,
            title=item.title,
            question=item.question,
            authors=item.authors,
            licence=item.licence,
            licence_url=item.licence_url,
            citation=item.citation,
            doi=item.doi,
            is_demo=item.is_demo,
            last_search=last_search,
            screening_mode=item.screening_mode,
            created_at=now(),
        )
    )


# Statements the web app runs on every request are built once: building one costs three
# times what running it costs on SQLite (SQLAlchemy then also reuses its compiled form).
_REVIEW = sa.select(review)
_REVIEWER_ID = sa.select(reviewer.c.id).where(reviewer.c.key == sa.bindparam("key"))
_ACTING = sa.select(reviewer.c.id, reviewer.c.retired).where(reviewer.c.key == sa.bindparam("key"))
_OWNER = (
    sa.select(reviewer.c.key, reviewer.c.id)
    .where(reviewer.c.role == ReviewerRole.OWNER, reviewer.c.retired.is_(False))
    .order_by(reviewer.c.id)
    .limit(1)
)
_CRITERIA = sa.select(criterion).order_by(criterion.c.position)


def get_review(connection: Connection) -> Review:
    row = connection.execute(_REVIEW).first()
    if row is None:
        raise NoReview("this store has no review yet (run `realist init`)")
    return Review(
        title=row.title,
        question=row.question,
        authors=list(row.authors),
        licence=row.licence,
        licence_url=row.licence_url,
        citation=row.citation,
        doi=row.doi,
        is_demo=row.is_demo,
        screening_mode=ScreeningMode(row.screening_mode),
        id=row.id,
    )


def insert_reviewer(connection: Connection, person: Reviewer) -> int:
    result = connection.execute(
        reviewer.insert().values(key=person.key, name=person.name, role=person.role)
    )
    return inserted_id(result)


def list_reviewers(connection: Connection) -> list[Reviewer]:
    rows = connection.execute(sa.select(reviewer).order_by(reviewer.c.id))
    return [
        Reviewer(key=r.key, name=r.name, role=ReviewerRole(r.role), id=r.id, retired=r.retired)
        for r in rows
    ]


def reviewer_id(connection: Connection, key: str) -> int:
    """The id of a reviewer by key; raises NotFound naming the key."""
    found = connection.execute(_REVIEWER_ID, {"key": key}).scalar()
    if found is None:
        raise NotFound(f"no reviewer '{key}' in this review")
    return int(found)


def resolve_reviewer(connection: Connection, key: str | None) -> tuple[str, int]:
    """(key, id) of the acting reviewer: the one named, or else the review's owner. A
    retired reviewer cannot act (their earlier work stays attributed to them)."""
    if key:
        found = connection.execute(_ACTING, {"key": key}).first()
        if found is None:
            raise NotFound(f"no reviewer '{key}' in this review")
        if found.retired:
            raise InvalidInput(f"reviewer '{key}' is retired and can no longer act in this review")
        return key, int(found.id)
    row = connection.execute(_OWNER).first()
    if row is None:
        raise NotFound("this review has no owner; name a reviewer with --reviewer")
    return str(row.key), int(row.id)


def insert_search(connection: Connection, strategy: SearchStrategy) -> None:
    for position, block in enumerate(strategy.concept_blocks):
        connection.execute(
            concept_block.insert().values(name=block.name, terms=block.terms, position=position)
        )
    for item in strategy.sources:
        insert_source(connection, item)


def insert_source(connection: Connection, item: Source) -> int:
    return inserted_id(connection.execute(source.insert().values(**_source_values(item))))


def _source_values(item: Source) -> dict[str, object]:
    return {
        "name": item.name,
        "kind": item.kind,
        "searched": item.searched,
        "note": item.note,
        "search_string": item.search_string,
        "limits": item.limits,
    }


def update_source(connection: Connection, source_id: int, item: Source) -> None:
    connection.execute(
        source.update().where(source.c.id == source_id).values(**_source_values(item))
    )


def _to_source(r: sa.Row[tuple[object, ...]]) -> Source:
    return Source(
        name=r.name,
        kind=SourceKind(r.kind),
        searched=r.searched,
        note=r.note,
        id=r.id,
        search_string=r.search_string,
        limits=r.limits,
    )


def find_source(connection: Connection, name: str) -> Source | None:
    row = connection.execute(sa.select(source).where(source.c.name == name)).first()
    return _to_source(row) if row else None


def get_search(connection: Connection) -> SearchStrategy:
    blocks = [
        ConceptBlock(name=r.name, terms=list(r.terms), position=r.position, id=r.id)
        for r in connection.execute(sa.select(concept_block).order_by(concept_block.c.position))
    ]
    listed = sa.select(source).where(SOURCE_VISIBLE).order_by(source.c.id)  # see store.batches
    sources = [_to_source(r) for r in connection.execute(listed)]
    last = connection.execute(sa.select(review.c.last_search)).scalar()
    return SearchStrategy(concept_blocks=blocks, sources=sources, last_search=last)


def insert_criteria(connection: Connection, criteria: list[EligibilityCriterion]) -> None:
    """Add criteria after those already there, in the order given (Table 1's order)."""
    last = connection.execute(sa.select(sa.func.max(criterion.c.position))).scalar()
    start = 0 if last is None else int(last) + 1
    for offset, item in enumerate(criteria):
        connection.execute(
            criterion.insert().values(
                code=item.code,
                dimension=item.dimension,
                kind=item.kind,
                text=item.text,
                position=start + offset,
            )
        )


def list_criteria(connection: Connection) -> list[EligibilityCriterion]:
    rows = connection.execute(_CRITERIA)
    return [
        EligibilityCriterion(
            code=r.code,
            dimension=r.dimension,
            kind=CriterionKind(r.kind),
            text=r.text,
            position=r.position,
            id=r.id,
            retired=r.retired,
        )
        for r in rows
    ]


def set_flow_counts(connection: Connection, counts: dict[str, int | None]) -> None:
    for name, value in counts.items():
        connection.execute(flow_count.delete().where(flow_count.c.name == name))
        connection.execute(flow_count.insert().values(name=name, value=value, note=""))


def get_flow_counts(connection: Connection) -> dict[str, int | None]:
    rows = connection.execute(sa.select(flow_count).order_by(flow_count.c.name))
    return {r.name: r.value for r in rows}


def insert_stated_counts(connection: Connection, items: list[dict[str, object]]) -> None:
    for item in items:
        connection.execute(
            stated_count.insert().values(
                what=item["what"],
                value=item["value"],
                quote=item.get("quote", ""),
                members=item.get("members"),
                rule=item.get("rule"),
            )
        )


def list_stated_counts(connection: Connection) -> list[dict[str, object]]:
    rows = connection.execute(sa.select(stated_count).order_by(stated_count.c.id))
    return [
        {
            "what": r.what,
            "value": r.value,
            "quote": r.quote,
            "members": r.members,
            "rule": r.rule,
            "id": r.id,
        }
        for r in rows
    ]


def set_stated_count_rule(connection: Connection, stated_id: int, rule: object) -> None:
    connection.execute(
        stated_count.update().where(stated_count.c.id == stated_id).values(rule=rule)
    )


def update_review(connection: Connection, **values: str) -> None:
    """Change the review's own fields (title, question)."""
    connection.execute(review.update().where(review.c.id == 1).values(**values))


def insert_concept_block(connection: Connection, block: ConceptBlock) -> int:
    result = connection.execute(
        concept_block.insert().values(name=block.name, terms=block.terms, position=block.position)
    )
    return inserted_id(result)


def update_concept_block(connection: Connection, block: ConceptBlock) -> None:
    assert block.id is not None
    connection.execute(
        concept_block.update()
        .where(concept_block.c.id == block.id)
        .values(name=block.name, terms=block.terms, position=block.position)
    )


def delete_concept_block(connection: Connection, block_id: int) -> None:
    connection.execute(concept_block.delete().where(concept_block.c.id == block_id))


def delete_source(connection: Connection, source_id: int) -> None:
    connection.execute(source.delete().where(source.c.id == source_id))


def insert_text_notes(connection: Connection, items: list[dict[str, str]]) -> None:
    for item in items:
        connection.execute(
            text_note.insert().values(
                about=item["about"], quote=item.get("quote", ""), note=item.get("note", "")
            )
        )


def list_text_notes(connection: Connection) -> list[dict[str, str]]:
    rows = connection.execute(sa.select(text_note).order_by(text_note.c.id))
    return [{"about": r.about, "quote": r.quote, "note": r.note} for r in rows]


def get_setting(connection: Connection, name: str) -> object | None:
    """A per-review setting's JSON value, or None when it was never set."""
    return connection.execute(
        sa.select(review_setting.c.value).where(review_setting.c.name == name)
    ).scalar()


def set_setting(connection: Connection, name: str, value: object) -> None:
    connection.execute(review_setting.delete().where(review_setting.c.name == name))
    connection.execute(review_setting.insert().values(name=name, value=value))
