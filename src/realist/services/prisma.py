"""PRISMA 2020 counts computed from the review's data; typed only where data cannot know.

Counts come from imported records (their batches, sources, duplicates) and screening
outcomes. A count entered by hand (``realist prisma --set``) wins over a computed one: it is
how a reviewer records what the data cannot know (organisations contacted, reports not
retrieved) or, as in the demo, counts transcribed from a published flow diagram.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.prisma import PrismaCounts
from realist.domain.review import SourceKind
from realist.domain.screening import Outcome, Stage
from realist.errors import InvalidInput
from realist.services.screening import GOES_TO_FULL_TEXT, outcomes
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.events import append_event
from realist.store.schema import import_batch, record, source
from realist.store.schema_analysis import document, intervention

# Older names of manual counts (the demo's transcription) and the PRISMA2020 field each means.
FLOW_ALIASES = {
    "identified": "database_results",
    "duplicates_removed": "duplicates",
    "screened": "records_screened",
    "excluded_title_abstract": "records_excluded",
    "reports_sought": "dbr_sought_reports",
    "reports_not_retrieved": "dbr_notretrieved_reports",
    "reports_assessed": "dbr_assessed",
    "included_documents": "new_reports",
    "included_interventions": "new_studies",
}
SETTABLE = tuple(
    f.name for f in dataclasses.fields(PrismaCounts) if f.type in ("int | None", int | None)
)
OTHER_BOX = {
    SourceKind.WEBSITE: "website",
    SourceKind.OTHER: "website",
    SourceKind.ORGANISATION: "organisation",
    SourceKind.CITATION: "citations",
}


def _sources(connection: Connection) -> list[tuple[str, SourceKind, int, int]]:
    """(name, kind, records imported, of which merged as duplicates) per source."""
    counts = {
        r.id: (r.total, r.merged)
        for r in connection.execute(
            sa.select(
                source.c.id,
                sa.func.count(record.c.id).label("total"),
                sa.func.count(record.c.duplicate_of).label("merged"),
            )
            .select_from(source)
            .join(import_batch, import_batch.c.source_id == source.c.id)
            .join(record, record.c.batch_id == import_batch.c.id)
            .group_by(source.c.id)
        )
    }
    return [
        (r.name, SourceKind(r.kind), *counts.get(r.id, (0, 0)))
        for r in connection.execute(sa.select(source).order_by(source.c.id))
    ]


def _record_kinds(connection: Connection) -> dict[int, SourceKind]:
    """Imported, standing record id -> the kind of source it came from."""
    rows = connection.execute(
        sa.select(record.c.id, source.c.kind)
        .join(import_batch, import_batch.c.id == record.c.batch_id)
        .join(source, source.c.id == import_batch.c.source_id)
        .where(record.c.duplicate_of.is_(None))
    )
    return {r.id: SourceKind(r.kind) for r in rows}


def _exclusion_reasons(connection: Connection, ids: set[int]) -> dict[str, int | None]:
    """Full-text exclusions of these records by the criterion cited (the last decision)."""
    last: dict[int, str] = {}
    texts = {c.code: c.text for c in reviews_repo.list_criteria(connection)}
    for d in screening_repo.list_decisions(connection, Stage.FULL_TEXT):
        if d.record_id in ids and d.criterion_code:
            last[d.record_id] = texts.get(d.criterion_code, d.criterion_code)
    return dict(sorted(Counter(last.values()).items()))


def computed_counts(connection: Connection) -> dict[str, Any]:
    """What the data says, box by box (only boxes the data can speak to)."""
    sources = _sources(connection)
    if not any(total for *_, total, _merged in sources):
        counts: dict[str, Any] = {}
    else:
        counts = _from_records(connection, sources)
    included = int(
        connection.execute(
            sa.select(sa.func.count()).select_from(document).where(document.c.included.is_(True))
        ).scalar()
        or 0
    )
    studies = int(
        connection.execute(sa.select(sa.func.count()).select_from(intervention)).scalar() or 0
    )
    if included:
        counts.setdefault("new_reports", included)
    if studies:
        counts["new_studies"] = studies
    return counts


def _from_records(
    connection: Connection, sources: list[tuple[str, SourceKind, int, int]]
) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    by_box: dict[str, dict[str, int | None]] = defaultdict(dict)
    for name, kind, total, _ in sources:
        box = {SourceKind.DATABASE: "database", SourceKind.REGISTER: "register"}.get(
            kind
        ) or OTHER_BOX[kind]
        by_box[box][name] = total
    for box, parts in by_box.items():
        counts[f"{box}_results"] = sum(v or 0 for v in parts.values())
        if box in ("database", "register", "website"):
            counts[f"{box}_specific_results"] = parts
    counts["duplicates"] = sum(merged for *_, merged in sources)
    kinds = _record_kinds(connection)
    searched = {rid for rid, k in kinds.items() if not k.other_method}
    other = {rid for rid, k in kinds.items() if k.other_method}
    first = outcomes(connection, Stage.TITLE_ABSTRACT)
    second = outcomes(connection, Stage.FULL_TEXT)
    settled = (Outcome.INCLUDED, Outcome.EXCLUDED)
    counts["records_screened"] = sum(1 for r in searched if r in first)
    counts["records_excluded"] = sum(1 for r in searched if first.get(r) is Outcome.EXCLUDED)
    sought = {r for r in searched if first.get(r) in GOES_TO_FULL_TEXT}
    counts["dbr_sought_reports"] = len(sought)
    assessed = {r for r in sought if second.get(r) in settled}
    counts["dbr_assessed"] = len(assessed)
    counts["dbr_excluded"] = _exclusion_reasons(
        connection, {r for r in assessed if second[r] is Outcome.EXCLUDED}
    )
    if other:
        counts["other_sought_reports"] = len(other)
        other_assessed = {r for r in other if second.get(r) in settled}
        counts["other_assessed"] = len(other_assessed)
        counts["other_excluded"] = _exclusion_reasons(
            connection, {r for r in other_assessed if second[r] is Outcome.EXCLUDED}
        )
    counts["new_reports"] = sum(1 for r in kinds if second.get(r) is Outcome.INCLUDED)
    return counts


def _manual(connection: Connection) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    for name, value in reviews_repo.get_flow_counts(connection).items():
        field = FLOW_ALIASES.get(name, name)
        if field in SETTABLE and value is not None:
            found[field] = value
    return found


def _source_names(connection: Connection) -> dict[str, dict[str, int | None]]:
    """Every source named in the search strategy, so unknown counts still show by name."""
    names: dict[str, dict[str, int | None]] = defaultdict(dict)
    for r in connection.execute(sa.select(source.c.name, source.c.kind).order_by(source.c.id)):
        kind = SourceKind(r.kind)
        box = {SourceKind.DATABASE: "database", SourceKind.REGISTER: "register"}.get(kind)
        if box or kind in (SourceKind.WEBSITE, SourceKind.OTHER):
            names[f"{box or 'website'}_specific_results"][r.name] = None
    return names


def prisma_counts(store: Store) -> PrismaCounts:
    """The review's PRISMA 2020 counts: computed, then hand-entered ones on top."""
    with store.reading() as connection:
        values: dict[str, Any] = dict(_source_names(connection))
        for key, value in computed_counts(connection).items():
            if isinstance(value, dict) and key in values:
                values[key] = {**values[key], **value}
            else:
                values[key] = value
        values.update(_manual(connection))
    return PrismaCounts(**values)


def set_manual_counts(store: Store, counts: dict[str, int | None], reviewer: str | None) -> None:
    """Record counts the data cannot know; None clears a hand-entered count."""
    unknown = [name for name in counts if name not in SETTABLE]
    if unknown:
        raise InvalidInput(f"no PRISMA box '{unknown[0]}' (boxes: {', '.join(SETTABLE)})")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        reviews_repo.set_flow_counts(connection, counts)
        append_event(connection, "prisma.counts_set", key, "review", dict(counts))
