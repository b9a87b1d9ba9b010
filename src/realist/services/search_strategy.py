"""The review's question and its search strategy: concept blocks and, per source, the
search as run there, its limits and when it was run (RAMESES items 4 and 8).

Every change is one transaction with its event. Dates are checked by one rule
(:mod:`realist.domain.dates`) wherever a reviewer types them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from realist.domain.dates import parse_searched
from realist.domain.review import ConceptBlock, Review, SearchStrategy, Source, SourceKind
from realist.errors import InvalidInput, NotFound
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store.batches import COMPLETE
from realist.store.events import append_event
from realist.store.schema import import_batch, record

__all__ = [
    "SourceSummary",
    "remove_concept_block",
    "remove_source",
    "search_strategy",
    "searched_date",
    "set_concept_block",
    "set_review",
    "set_source",
    "source_summaries",
]

MAX_TERMS = 500  # a concept block is a list a person reads, not a word list
MAX_TEXT = 100_000  # a search string as a database prints it can be long, not unbounded


def searched_date(value: str | None, field: str = "--searched") -> str | None:
    """``value`` checked as the date a search was run (see :mod:`realist.domain.dates`);
    ``None`` when empty. Raises InvalidInput naming ``field``, the value and the form."""
    try:
        return parse_searched(value, field)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def set_review(
    store: Store, reviewer: str | None, *, title: str | None = None, question: str | None = None
) -> Review:
    """Change the review's title and/or question (RAMESES items 1 and 4)."""
    changes: dict[str, str] = {}
    if title is not None:
        if not title.strip():
            raise InvalidInput("the review's title cannot be empty")
        changes["title"] = title.strip()
    if question is not None:
        changes["question"] = question.strip()
    if not changes:
        raise InvalidInput("nothing to change: give --title or --question")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        before = reviews_repo.get_review(connection)
        reviews_repo.update_review(connection, **changes)
        append_event(
            connection,
            "review.changed",
            key,
            "review",
            {name: {"from": getattr(before, name), "to": value} for name, value in changes.items()},
        )
        return reviews_repo.get_review(connection)


def search_strategy(store: Store) -> tuple[Review, SearchStrategy]:
    """The review (its question) and its search strategy, blocks and sources in order."""
    with store.reading() as connection:
        return reviews_repo.get_review(connection), reviews_repo.get_search(connection)


def _terms(values: list[str]) -> list[str]:
    """Terms stripped, empty ones dropped, each once, in the order given."""
    return list(dict.fromkeys(t.strip() for t in values if t.strip()))


def set_concept_block(
    store: Store,
    name: str,
    reviewer: str | None,
    *,
    terms: list[str] | None = None,
    add: list[str] | None = None,
    drop: list[str] | None = None,
    rename: str | None = None,
    position: int | None = None,
    only_new: bool = False,
) -> ConceptBlock:
    """Create the concept block ``name`` or change it: replace its ``terms``, ``add`` or
    ``drop`` some, ``rename`` it, move it to ``position`` (1-based). Blocks are AND-ed,
    their terms OR-ed (:meth:`SearchStrategy.query`). ``only_new`` refuses to change a
    block that exists (a form for adding one must not replace another's terms)."""
    name = name.strip()
    if not name:
        raise InvalidInput("a concept block needs a name")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        blocks = reviews_repo.get_search(connection).concept_blocks
        found = next((b for b in blocks if b.name == name), None)
        if found is not None and only_new:
            raise InvalidInput(f"there is already a concept block '{name}'; change it instead")
        created = found is None
        block = found or ConceptBlock(name=name, terms=[], position=len(blocks))
        before = list(block.terms)
        if terms is not None:
            block.terms = _terms(terms)
        block.terms = _terms(block.terms + list(add or []))
        dropped = _terms(list(drop or []))
        missing = [t for t in dropped if t not in block.terms]
        if missing:
            raise InvalidInput(f"concept block '{name}' has no term {missing[0]!r}")
        block.terms = [t for t in block.terms if t not in dropped]
        if len(block.terms) > MAX_TERMS:
            raise InvalidInput(f"a concept block holds at most {MAX_TERMS} terms")
        if rename is not None and rename.strip() != name:
            if not rename.strip():
                raise InvalidInput("a concept block's new name cannot be empty")
            if any(b.name == rename.strip() for b in blocks):
                raise InvalidInput(f"there is already a concept block '{rename.strip()}'")
            block.name = rename.strip()
        if created:
            block.id = reviews_repo.insert_concept_block(connection, block)
            blocks.append(block)
        if position is not None:
            _move(blocks, block, position)
        for index, item in enumerate(blocks):
            item.position = index
            reviews_repo.update_concept_block(connection, item)
        append_event(
            connection,
            "search.block_added" if created else "search.block_changed",
            key,
            f"concept_block:{block.name}",
            {"name": name, "renamed": block.name if block.name != name else None,
             "terms_before": before, "terms": block.terms, "position": block.position + 1},
        )  # fmt: skip
        return block


def _move(blocks: list[ConceptBlock], block: ConceptBlock, position: int) -> None:
    if not 1 <= position <= len(blocks):
        raise InvalidInput(f"position must be 1-{len(blocks)}, not {position}")
    blocks.remove(block)
    blocks.insert(position - 1, block)


def remove_concept_block(store: Store, name: str, reviewer: str | None) -> None:
    """Remove a concept block (its terms are kept in the event)."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        blocks = reviews_repo.get_search(connection).concept_blocks
        found = next((b for b in blocks if b.name == name), None)
        if found is None or found.id is None:
            raise NotFound(f"no concept block '{name}' in this review")
        reviews_repo.delete_concept_block(connection, found.id)
        for index, item in enumerate(b for b in blocks if b is not found):
            item.position = index
            reviews_repo.update_concept_block(connection, item)
        append_event(connection, "search.block_removed", key, f"concept_block:{name}",
                     {"terms": found.terms})  # fmt: skip


def set_source(
    store: Store,
    name: str,
    reviewer: str | None,
    *,
    kind: SourceKind | None = None,
    search_string: str | None = None,
    limits: str | None = None,
    searched: str | None = None,
    note: str | None = None,
    rename: str | None = None,
    only_new: bool = False,
) -> Source:
    """Create the source ``name`` or change what is given: its kind, the search string as
    run there, its limits (languages, years, publication types), the date it was searched
    (``""`` clears it) and a note. Imports name sources too (``realist import --source``).
    ``only_new`` refuses to change a source that exists."""
    name = name.strip()
    if not name:
        raise InvalidInput("a source needs a name (e.g. 'Embase (Ovid)')")
    if len(name) > 200:
        raise InvalidInput("a source's name has at most 200 characters")
    for label, text in (("search string", search_string), ("limits", limits), ("note", note)):
        if text is not None and len(text) > MAX_TEXT:
            raise InvalidInput(f"the {label} has more than {MAX_TEXT:,} characters")
    date = searched_date(searched) if searched is not None else None
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        found = reviews_repo.find_source(connection, name)
        if found is not None and only_new:
            raise InvalidInput(f"there is already a source '{name}'; change it instead")
        item = found or Source(name=name)
        before = _fields(item)
        if kind is not None:
            item.kind = kind
        if search_string is not None:
            item.search_string = search_string.strip()
        if limits is not None:
            item.limits = limits.strip()
        if searched is not None:
            item.searched = date
        if note is not None:
            item.note = note.strip()
        if rename is not None and rename.strip() and rename.strip() != name:
            if found is None:
                raise NotFound(f"no source '{name}' to rename")
            if reviews_repo.find_source(connection, rename.strip()) is not None:
                raise InvalidInput(f"there is already a source '{rename.strip()}'")
            item.name = rename.strip()
        if found is None:
            item.id = reviews_repo.insert_source(connection, item)
        else:
            assert found.id is not None
            reviews_repo.update_source(connection, found.id, item)
        after = _fields(item)
        append_event(
            connection,
            "source.added" if found is None else "source.changed",
            key,
            f"source:{item.name}",
            {"name": name, "renamed": item.name if item.name != name else None,
             "changed": {k: {"from": before[k], "to": v} for k, v in after.items()
                         if found is None or before[k] != v}},
        )  # fmt: skip
        return item


def _fields(item: Source) -> dict[str, str | None]:
    return {
        "kind": item.kind.value,
        "searched": item.searched,
        "search_string": item.search_string,
        "limits": item.limits,
        "note": item.note,
    }


def remove_source(store: Store, name: str, reviewer: str | None) -> None:
    """Remove a source that no import used (records keep the source they came from)."""
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        found = reviews_repo.find_source(connection, name)
        if found is None or found.id is None:
            raise NotFound(f"no source '{name}' in this review")
        batches = connection.execute(
            sa.select(sa.func.count()).where(import_batch.c.source_id == found.id)
        ).scalar_one()
        if batches:
            raise InvalidInput(
                f"source '{name}' has {batches} import batch{'es' if batches != 1 else ''}; "
                "its records came from it, so it stays (rename it with --rename)"
            )
        reviews_repo.delete_source(connection, found.id)
        append_event(connection, "source.removed", key, f"source:{name}",
                     {"kind": found.kind.value, "search_string": found.search_string,
                      "limits": found.limits, "searched": found.searched})  # fmt: skip


@dataclass(frozen=True)
class SourceSummary:
    """A source with what was imported from it."""

    source: Source
    batches: int
    records: int


def source_summaries(store: Store) -> list[SourceSummary]:
    """Every source in the order added, with its import batches and records."""
    with store.reading() as connection:
        sources = reviews_repo.get_search(connection).sources
        batches: dict[int, int] = dict(
            connection.execute(
                sa.select(import_batch.c.source_id, sa.func.count())
                .where(COMPLETE)
                .group_by(import_batch.c.source_id)
            ).all()
        )
        records: dict[int, int] = dict(
            connection.execute(
                sa.select(import_batch.c.source_id, sa.func.count())
                .select_from(record)
                .join(import_batch, import_batch.c.id == record.c.batch_id)
                .where(COMPLETE)
                .group_by(import_batch.c.source_id)
            ).all()
        )
    return [SourceSummary(s, batches.get(s.id or 0, 0), records.get(s.id or 0, 0)) for s in sources]
