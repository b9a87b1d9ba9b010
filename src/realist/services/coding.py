"""Coding: excerpts of documents linked to configurations or their parts, with a stance."""

from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from itertools import combinations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.agreement import CodingAgreement, coding_agreement
from realist.domain.appraisal import Grade
from realist.domain.coding import Coding, Excerpt, Stance, span_problems
from realist.domain.identifiers import MAX_ID, segment_problem
from realist.domain.quotes import locate_quote
from realist.domain.theory import (
    CMOConfiguration,
    Component,
    MechanismKind,
    Origin,
    Role,
)
from realist.errors import InvalidInput, NotFound
from realist.services.ownership import check_may_change
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.schema import reviewer
from realist.store.schema_analysis import coding as coding_table
from realist.store.schema_analysis import configuration as configuration_table
from realist.store.schema_analysis import document_text
from realist.store.schema_analysis import excerpt as excerpt_table


def _excerpt_id(connection: Connection, ref: str | int) -> int:
    """An excerpt by id, or by label (the demo's E001 ...)."""
    query = sa.select(excerpt_table.c.id)
    if isinstance(ref, int) or (str(ref).isascii() and str(ref).isdigit()):
        if not 0 < int(ref) <= MAX_ID:  # no row has it; the database would refuse it
            raise NotFound(f"no excerpt '{ref}' in this review")
        query = query.where(excerpt_table.c.id == int(ref))
    else:
        query = query.where(excerpt_table.c.label == str(ref))
    found = connection.execute(query).scalar()
    if found is None:
        raise NotFound(f"no excerpt '{ref}' in this review")
    return int(found)


def get_excerpt(store: Store, ref: str | int) -> Excerpt:
    with store.reading() as connection:
        wanted = _excerpt_id(connection, ref)
        for item in coding_repo.list_excerpts(connection):
            if item.id == wanted:
                return item
    raise NotFound(f"no excerpt '{ref}' in this review")


def create_excerpt(
    store: Store,
    document_key: str,
    start: int,
    end: int,
    reviewer: str | None,
    *,
    relevance: Grade | None = None,
    rigour: Grade | None = None,
    note: str = "",
    interventions: list[int] | None = None,
    quote: str | None = None,
) -> Excerpt:
    """A span [start, end) of the document's current text (offsets in code points). With
    ``quote``, the span must read exactly that (a client that counted offsets in other
    units, e.g. UTF-16, is refused instead of storing the wrong words)."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        text_id, text = _current_text(connection, document_key)
        problems = span_problems(text, start, end, quote)
        if problems:
            raise InvalidInput(f"document '{document_key}': {problems[0]}")
        item = Excerpt(document_key, start, end, text[start:end], key, relevance, rigour, note)
        item.id = _insert_excerpt(connection, item, text_id, len(text), who, interventions or [])
        return item


def _current_text(connection: Connection, document_key: str) -> tuple[int, str]:
    latest = documents_repo.latest_text(
        connection, documents_repo.document_id(connection, document_key)
    )
    if latest is None:
        raise InvalidInput(f"document '{document_key}' has no text to excerpt yet")
    return latest


def _insert_excerpt(
    connection: Connection,
    item: Excerpt,
    text_id: int,
    length: int,
    who: int,
    interventions: list[int],
) -> int:
    """Insert an excerpt, its case coding and its event in the caller's transaction."""
    excerpt_id = coding_repo.insert_excerpt(connection, item, text_id, length, who)
    coding_repo.link_cases(connection, excerpt_id, interventions, "coded by the reviewer")
    append_event(
        connection,
        "excerpt.created",
        item.reviewer_key,
        f"excerpt:{excerpt_id}",
        {"document": item.document_key, "start": item.start, "end": item.end},
    )
    return excerpt_id


def find_quote(
    store: Store, document_key: str, quote: str, occurrence: int | None = None
) -> tuple[int, int]:
    """Offsets ``[start, end)`` of ``quote`` in the document's current text, matched as
    :mod:`realist.domain.quotes` folds them (line breaks, line-end hyphenation, ligatures,
    quote marks, dashes, spaces), so ``text[start:end]`` is the stored text the quote reads.
    A quote that occurs several times needs ``occurrence`` (from 1); one that occurs nowhere
    is refused with the nearest miss (e.g. it occurs only if case is ignored)."""
    start, end, _ = quoted_span(store, document_key, quote, occurrence)
    return start, end


def quoted_span(
    store: Store, document_key: str, quote: str, occurrence: int | None = None
) -> tuple[int, int, str]:
    """As :func:`find_quote`, with the stored text of the span (which may differ from the
    quote by line breaks, hyphens or quote marks)."""
    with store.reading() as connection:
        _, text = _current_text(connection, document_key)
    found = locate_quote(text, quote, occurrence)
    if isinstance(found, str):
        raise InvalidInput(f"document '{document_key}': {found}")
    start, end = found
    return start, end, text[start:end]


def code_excerpt(
    store: Store,
    excerpt: str | int,
    configuration: str,
    reviewer: str | None,
    *,
    role: Role = Role.CONFIGURATION,
    position: int | None = None,
    stance: Stance = Stance.SUPPORTS,
) -> Coding:
    """Link an excerpt to a configuration as a whole, or to one of its parts."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        excerpt_id = _excerpt_id(connection, excerpt)
        return _code(connection, excerpt_id, configuration, key, who, role, position, stance)


def _code(
    connection: Connection,
    excerpt_id: int,
    configuration: str,
    key: str,
    who: int,
    role: Role,
    position: int | None,
    stance: Stance,
) -> Coding:
    """Insert one coding and its event in the caller's transaction; a part that does not
    exist, or a coding the reviewer already made, is refused (InvalidInput), which rolls
    the whole transaction back."""
    config_id = theory_repo.configuration_id(connection, configuration)
    if role is not Role.CONFIGURATION and position is None:
        position = 0
    item = Coding(configuration, role, position, stance, key)
    same = coding_repo.same_coding(connection, excerpt_id, config_id, item, who)
    if same is None:
        # A savepoint on PostgreSQL, where an error aborts the whole transaction; not on
        # SQLite, where a refused INSERT undoes only itself (and a savepoint opened before
        # the transaction's first write would commit on release).
        postgresql = connection.dialect.name == "postgresql"
        try:
            with connection.begin_nested() if postgresql else nullcontext():
                item.id = coding_repo.insert_coding(connection, excerpt_id, config_id, item, who)
        except sa.exc.IntegrityError:
            # Another process made the same coding since the check: the database's unique
            # constraint refused this copy. Say so as for any repeat, rather than fail.
            same = coding_repo.same_coding(connection, excerpt_id, config_id, item, who)
            if same is None:
                raise
    if same is not None:
        raise InvalidInput(
            f"excerpt {excerpt_id} already {stance.value} {_target(item)} (coding {same}, by {key})"
        )
    append_event(
        connection,
        "excerpt.coded",
        key,
        f"configuration:{configuration}",
        {"excerpt": excerpt_id, "role": role.value, "position": position, "stance": stance.value},
    )
    return item


def _target(item: Coding) -> str:
    """What a coding points at, as a reviewer names it: "configuration 3" or "mechanism 2
    of configuration 3" (parts counted from 1, as the CLI's --part takes them)."""
    whole = f"configuration {item.configuration_identifier}"
    if item.role is Role.CONFIGURATION:
        return whole
    return f"{item.role.value} {(item.component_position or 0) + 1} of {whole}"


def code_selection(
    store: Store,
    document_key: str,
    start: int,
    end: int,
    quote: str,
    configuration: str,
    reviewer: str | None,
    *,
    role: Role = Role.CONFIGURATION,
    position: int | None = None,
    stance: Stance = Stance.SUPPORTS,
) -> tuple[Excerpt, Coding, bool]:
    """A reader's selection coded in one transaction: the excerpt of that span (reused if
    it exists, else made) and the coding. A wrong target leaves no uncoded excerpt behind.
    Returns the excerpt, the coding and whether the excerpt is new."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        excerpt_id, new = _selection_excerpt(connection, document_key, start, end, quote, key, who)
        made = _code(connection, excerpt_id, configuration, key, who, role, position, stance)
    return get_excerpt(store, excerpt_id), made, new


def uncode(store: Store, coding_id: int, reviewer: str | None) -> None:
    """Remove one coding (the event log keeps what it was). Only its coder or an owner
    may (NotPermitted otherwise; see :mod:`realist.services.ownership`)."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        row = connection.execute(
            sa.select(coding_table).where(coding_table.c.id == coding_id)
        ).first()
        if row is None:
            raise NotFound(f"no coding {coding_id}")
        whose = check_may_change(connection, who, [row.reviewer_id], f"coding {coding_id}")
        connection.execute(coding_table.delete().where(coding_table.c.id == coding_id))
        append_event(
            connection,
            "excerpt.uncoded",
            key,
            f"coding:{coding_id}",
            {"excerpt": row.excerpt_id, "stance": row.stance, "role": row.role} | whose,
        )


def appraise_excerpt(
    store: Store,
    excerpt: str | int,
    reviewer: str | None,
    relevance: Grade | None = None,
    rigour: Grade | None = None,
    note: str | None = None,
) -> Excerpt:
    """Relevance and rigour of one piece of evidence, as realist appraisal asks. The
    appraisal is part of the excerpt: only the reviewer who made it or an owner may set it
    (NotPermitted otherwise), so nobody overwrites another's note."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        excerpt_id = _excerpt_id(connection, excerpt)
        maker = connection.execute(
            sa.select(excerpt_table.c.reviewer_id).where(excerpt_table.c.id == excerpt_id)
        ).scalar_one()
        whose = check_may_change(connection, who, [maker], f"the appraisal of excerpt {excerpt_id}")
        values: dict[str, object] = {}
        if relevance is not None:
            values["relevance"] = relevance
        if rigour is not None:
            values["rigour"] = rigour
        if note is not None:
            values["note"] = note
        if not values:
            raise InvalidInput("give a relevance, a rigour or a note")
        connection.execute(
            excerpt_table.update().where(excerpt_table.c.id == excerpt_id).values(**values)
        )
        append_event(
            connection,
            "excerpt.appraised",
            key,
            f"excerpt:{excerpt_id}",
            {k: str(v) for k, v in values.items()} | whose,
        )
    return get_excerpt(store, excerpt_id)


def create_configuration(
    store: Store,
    identifier: str,
    topic: str,
    reviewer: str | None,
    *,
    title: str = "",
    statement: str = "",
    contexts: list[str] | None = None,
    mechanisms: list[tuple[str, MechanismKind | None]] | None = None,
    outcomes: list[str] | None = None,
    origin: Origin = Origin.INDUCTIVE,
) -> CMOConfiguration:
    """A new configuration; new ones found in the evidence are inductive. One with a context
    and mechanism but no outcome is partial (the retroductive step may complete it)."""
    if not identifier.strip():
        raise InvalidInput("a configuration needs an identifier")
    problem = segment_problem(identifier, "configuration identifier")
    if problem:
        raise InvalidInput(problem)
    parts = [Component(Role.CONTEXT, t, position=i) for i, t in enumerate(contexts or [])]
    parts += [
        Component(Role.MECHANISM, t, kind=k, position=i)
        for i, (t, k) in enumerate(mechanisms or [])
    ]
    parts += [Component(Role.OUTCOME, t, position=i) for i, t in enumerate(outcomes or [])]
    item = CMOConfiguration(
        identifier=identifier,
        topic_key=topic,
        title=title,
        statement=statement,
        components=parts,
        origin=origin,
        partial=bool(contexts or mechanisms) and not outcomes,
    )
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        if any(c.identifier == identifier for c in theory_repo.list_configurations(connection)):
            raise InvalidInput(f"configuration '{identifier}' already exists")
        item.position = len(theory_repo.list_configurations(connection, topic))
        item.id = theory_repo.insert_configuration(connection, item)
        append_event(
            connection,
            "configuration.created",
            key,
            f"configuration:{identifier}",
            {"origin": origin.value, "partial": item.partial, "topic": topic},
        )
    return item


def coder_agreement(store: Store, configuration: str | None = None) -> list[CodingAgreement]:
    """Per configuration and pair of coders: did they link the same excerpts to it?

    The excerpts compared are those in documents both coders coded (each could have
    linked them), so agreement reflects judgement, not who read which document.
    """
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(
                reviewer.c.key,
                configuration_table.c.identifier,
                coding_table.c.excerpt_id,
                document_text.c.document_id,
            )
            .select_from(coding_table)
            .join(reviewer, reviewer.c.id == coding_table.c.reviewer_id)
            .join(configuration_table, configuration_table.c.id == coding_table.c.configuration_id)
            .join(excerpt_table, excerpt_table.c.id == coding_table.c.excerpt_id)
            .join(document_text, document_text.c.id == excerpt_table.c.document_text_id)
        ).all()
        excerpts_of_document: dict[int, set[int]] = defaultdict(set)
        for document_id, excerpt_id in connection.execute(
            sa.select(document_text.c.document_id, excerpt_table.c.id).join(
                excerpt_table, excerpt_table.c.document_text_id == document_text.c.id
            )
        ):
            excerpts_of_document[document_id].add(excerpt_id)
    documents: dict[str, set[int]] = defaultdict(set)
    linked: dict[tuple[str, str], set[int]] = defaultdict(set)
    for coder, identifier, excerpt_id, document_id in rows:
        documents[coder].add(document_id)
        linked[(coder, identifier)].add(excerpt_id)
    identifiers = sorted({i for _, i in linked}) if configuration is None else [configuration]
    report = []
    for first, second in combinations(sorted(documents), 2):
        shared = documents[first] & documents[second]
        universe = set().union(*(excerpts_of_document[d] for d in shared)) if shared else set()
        if not universe:
            continue
        for identifier in identifiers:
            a, b = linked.get((first, identifier), set()), linked.get((second, identifier), set())
            if (a | b) & universe:
                report.append(coding_agreement(identifier, (first, second), universe, a, b))
    return report


def excerpt_for_selection(
    store: Store, document_key: str, start: int, end: int, quote: str, reviewer: str | None
) -> tuple[Excerpt, bool]:
    """The excerpt for a reader's selection of ``[start, end)`` (code points) of the
    document's current text, which must read ``quote``: the existing excerpt of that text
    with the same span if there is one, else a new one. Returns it and whether it is new."""
    with store.transaction() as connection:
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        excerpt_id, new = _selection_excerpt(connection, document_key, start, end, quote, key, who)
    return get_excerpt(store, excerpt_id), new


def _selection_excerpt(
    connection: Connection,
    document_key: str,
    start: int,
    end: int,
    quote: str,
    key: str,
    who: int,
) -> tuple[int, bool]:
    text_id, text = _current_text(connection, document_key)
    problems = span_problems(text, start, end, quote)
    if problems:
        raise InvalidInput(f"document '{document_key}': {problems[0]}")
    found = connection.execute(
        sa.select(excerpt_table.c.id)
        .where(
            excerpt_table.c.document_text_id == text_id,
            excerpt_table.c.start_offset == start,
            excerpt_table.c.end_offset == end,
        )
        .order_by(excerpt_table.c.id)
        .limit(1)
    ).scalar()
    if found is not None:
        return int(found), False
    item = Excerpt(document_key, start, end, text[start:end], key)
    return _insert_excerpt(connection, item, text_id, len(text), who, []), True


def list_excerpts(store: Store, document_key: str | None = None) -> list[Excerpt]:
    """Excerpts (of one document, or all) with their codings, in offset order."""
    with store.reading() as connection:
        if document_key is not None:
            documents_repo.document_id(connection, document_key)  # NotFound if unknown
        return coding_repo.list_excerpts(connection, document_key)
