"""Reports: the review's data gathered for the renderers, and the wording reports use.

:func:`render_report` is the one call behind ``realist report KIND``: it gathers what the
reports show from the existing services (each a read-only transaction) into
:class:`~realist.reports.data.ReviewData` and hands it to the renderer of that kind.
Two settings belong to reports and are stored with the review (each change an event):
the phrasing of the intervention summary, and notes on RAMESES items.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from realist.domain.theory import final_model_style
from realist.errors import InvalidInput
from realist.reports.data import ConfigurationData, MatrixData, ReviewData
from realist.reports.kinds import BINARY, KINDS, Options, render
from realist.reports.rameses import ITEMS
from realist.reports.summary import Phrasing
from realist.services import queries
from realist.services.check import check_review
from realist.services.citations import document_citations
from realist.services.counts import review_counts
from realist.services.documents import mmat_table
from realist.services.interventions import PHRASES_SETTING, list_interventions
from realist.services.model import final_model
from realist.services.screening import criteria
from realist.services.testing import verdict_rule, weigh_evidence
from realist.services.theories import list_theories
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event
from realist.store.schema_analysis import event

__all__ = [
    "Rendered",
    "gather",
    "phrasings",
    "render_report",
    "set_phrasing",
    "set_rameses_note",
]

RAMESES_SETTING = "rameses_notes"


@dataclass(frozen=True)
class Rendered:
    """A rendered report: text (``str``) or a binary file's bytes, and its format."""

    content: str | bytes
    format: str

    @property
    def binary(self) -> bool:
        """Whether the content is a binary file (DOCX, XLSX, PNG)."""
        return self.format in BINARY


def _phrasings(connection: sa.Connection) -> list[Phrasing]:
    """The review's phrasings (a review setting; the demo sets its own from its data), and
    none until some are set (plain wording)."""
    value = reviews_repo.get_setting(connection, PHRASES_SETTING)
    if isinstance(value, list):
        return [Phrasing.from_json(item) for item in value if isinstance(item, dict)]
    return []


def _audit(connection: sa.Connection) -> tuple[int, datetime | None]:
    """How many changes the audit trail holds, and when the last one was."""
    count, last = connection.execute(sa.select(sa.func.count(), sa.func.max(event.c.at))).one()
    return int(count or 0), datetime.fromisoformat(last) if last else None


def _matrix(store: Store, dimension: str) -> MatrixData:
    found = queries.matrix(store, dimension)
    return MatrixData(dimension, tuple(found.rows), tuple(found.columns), dict(found.cells))


def gather(store: Store) -> ReviewData:
    """Everything the reports show, from the services (read only)."""
    with store.reading() as connection:
        review = reviews_repo.get_review(connection)
        search = reviews_repo.get_search(connection)
        topics = theory_repo.list_topics(connection)
        stored = _phrasings(connection)
        notes = reviews_repo.get_setting(connection, RAMESES_SETTING)
        events, last = _audit(connection)
    summaries = {t.configuration.identifier: t.summary for t in weigh_evidence(store)}
    configurations = [
        ConfigurationData(
            configuration=v.configuration,
            topic=v.topic,
            evidence=summaries[v.configuration.identifier],
            style=final_model_style(v.configuration.origin, v.configuration.verdict),
            middle_range_theories=tuple(v.middle_range_theories),
            versions=len(v.history),
        )
        for v in list_theories(store)
    ]
    counts = review_counts(store)
    interventions, _ = list_interventions(store)
    return ReviewData(
        review=review,
        search=search,
        criteria=criteria(store, retired=True),
        screening_mode=review.screening_mode,
        documents={d.key: d for d in counts.documents},
        interventions=interventions,
        topics=topics,
        configurations=configurations,
        model=final_model(store),
        prisma=counts.flow,
        mmat=mmat_table(store),
        matrices={
            "interventions": _matrix(store, "intervention"),
            "documents": _matrix(store, "document:key"),
        },
        phrasings=stored,
        verdict_rule=verdict_rule(store).describe(),
        screening={stage.value: c.as_json() for stage, c in counts.stages.items()},
        excerpts=counts.excerpts,
        codings=counts.codings,
        events=events,
        findings=[finding.message for finding in check_review(store)],
        rameses_notes={int(k): str(v) for k, v in notes.items()} if isinstance(notes, dict) else {},
        last_change=last,
        citations=document_citations(store),
    )


def default_format(kind: str) -> str:
    """The format a report comes in unless another is asked for."""
    if kind not in KINDS:
        raise InvalidInput(f"no report '{kind}' (reports: {', '.join(KINDS)})")
    return KINDS[kind].formats[0]


def render_report(
    store: Store, kind: str, fmt: str | None = None, options: Options | None = None
) -> Rendered:
    """Render one report of the review (see :data:`realist.reports.kinds.KINDS`)."""
    chosen = fmt or default_format(kind)
    if chosen not in KINDS[kind].formats:
        raise InvalidInput(f"'{kind}' comes as {', '.join(KINDS[kind].formats)}, not {chosen}")
    return Rendered(render(gather(store), kind, chosen, options), chosen)


def phrasings(store: Store) -> list[Phrasing]:
    """The wording of the intervention summary, attribute by attribute, in order."""
    with store.reading() as connection:
        return _phrasings(connection)


def set_phrasing(
    store: Store,
    attribute: str,
    reviewer: str | None,
    *,
    values: dict[str, str] | None = None,
    verb: str | None = None,
) -> Phrasing:
    """Word an attribute's values in the intervention summary (``values``: value → phrase,
    added in order after earlier ones; ``verb``: said once per sentence). Recorded as an
    event; the counts themselves always come from the data."""
    if not attribute.strip():
        raise InvalidInput("name the attribute to word (e.g. format)")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        found = _phrasings(connection)
        current = next((p for p in found if p.attribute == attribute), Phrasing(attribute))
        merged = dict(current.values) | {k: v.strip() for k, v in (values or {}).items()}
        changed = Phrasing.from_json(
            {**current.as_json(), "values": [[k, v] for k, v in merged.items() if v],
             "verb": current.verb if verb is None else verb.strip()}
        )  # fmt: skip
        others = [p.as_json() if p.attribute != attribute else changed.as_json() for p in found]
        if all(p.attribute != attribute for p in found):
            others.append(changed.as_json())
        reviews_repo.set_setting(connection, PHRASES_SETTING, others)
        append_event(connection, "report.phrasing_set", key, f"attribute:{attribute}",
                     changed.as_json())  # fmt: skip
    return changed


def set_rameses_note(store: Store, number: int, text: str, reviewer: str | None) -> None:
    """Record where the review reports a RAMESES item (e.g. "Funding: none; see p. 12");
    an empty text removes the note."""
    if not any(item.number == number for item in ITEMS):
        raise InvalidInput(f"RAMESES has items 1-{len(ITEMS)}, not {number}")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        value = reviews_repo.get_setting(connection, RAMESES_SETTING)
        notes = {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
        if text.strip():
            notes[str(number)] = text.strip()
        else:
            notes.pop(str(number), None)
        reviews_repo.set_setting(
            connection, RAMESES_SETTING, dict(sorted(notes.items(), key=lambda kv: int(kv[0])))
        )
        append_event(connection, "report.rameses_note", key, f"rameses:{number}", {"text": text})
