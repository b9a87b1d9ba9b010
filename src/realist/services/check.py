"""Consistency check: what the review's data and its own text disagree about.

Realist records a source's contradictions rather than resolving them silently; this is where
they surface (``realist check``, and the problems listed by ``realist status``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.coding import span_problems
from realist.domain.documents import (
    Document,
    DocumentStatus,
    DocumentType,
    Intervention,
    StudyDesign,
)
from realist.domain.screening import Outcome, Stage
from realist.domain.theory import (
    STANDING_LABELS,
    CMOConfiguration,
    Standing,
    Verdict,
    standing,
)
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.schema import record
from realist.store.screening import settled_query


@dataclass(frozen=True)
class Finding:
    """One thing `realist check` reports."""

    # stated_count | text_note | span | no_evidence | awaiting_verdict | verdict |
    # coding_conflict | uncoded_excerpt | document | full_text | intervention
    kind: str
    subject: str
    message: str


@dataclass
class _Data:
    documents: list[Document]
    interventions: list[Intervention]
    configurations: list[CMOConfiguration]


def _by_type(kind: DocumentType) -> Callable[[_Data], int]:
    return lambda d: sum(1 for doc in d.documents if doc.document_type is kind)


def _by_design(design: StudyDesign) -> Callable[[_Data], int]:
    return lambda d: sum(1 for doc in d.documents if doc.study_design is design)


def _by_format(name: str) -> Callable[[_Data], int]:
    return lambda d: sum(1 for i in d.interventions if i.attributes.get("format") == name)


def _in_topic(topic: str, keep: Callable[[CMOConfiguration], bool]) -> Callable[[_Data], int]:
    return lambda d: sum(1 for c in d.configurations if c.topic_key == topic and keep(c))


def _has_evidence(c: CMOConfiguration) -> bool:
    return c.verdict in (Verdict.SUPPORTED, Verdict.REFINED)


# How each stated count is computed from the data. A stated count with no entry here is kept
# but not checked.
COMPUTED: dict[str, Callable[[_Data], int]] = {
    "included_documents": lambda d: len(d.documents),
    "peer_reviewed_articles": _by_type(DocumentType.PEER_REVIEWED_ARTICLE),
    "theses": _by_type(DocumentType.THESIS),
    "reports": _by_type(DocumentType.REPORT),
    "design_qualitative": _by_design(StudyDesign.QUALITATIVE),
    "design_rct": _by_design(StudyDesign.RANDOMISED_CONTROLLED_TRIAL),
    "design_non_randomised": _by_design(StudyDesign.NON_RANDOMISED),
    "design_quantitative_descriptive": _by_design(StudyDesign.QUANTITATIVE_DESCRIPTIVE),
    "design_mixed_methods": _by_design(StudyDesign.MIXED_METHODS),
    "design_process_description": _by_design(StudyDesign.PROCESS_DESCRIPTION),
    "interventions": lambda d: len(d.interventions),
    "configurations_take_up": _in_topic("take_up", lambda c: True),
    "configurations_positive_impact": _in_topic("positive_impact", lambda c: True),
    "configurations_negative_impact": _in_topic("negative_impact", _has_evidence),
    "configurations_negative_hypothesised_without_evidence": _in_topic(
        "negative_impact", lambda c: not _has_evidence(c)
    ),
}
for _format in (
    "one_to_one_volunteer_in_person",
    "one_to_one_paid_in_person",
    "group_in_person",
    "one_to_one_telephone",
    "group_telephone",
):
    COMPUTED[f"format_{_format}"] = _by_format(_format)


def _stated_count_findings(connection: Connection, data: _Data) -> list[Finding]:
    findings = []
    undesigned = sum(1 for doc in data.documents if doc.study_design is None)
    for stated in reviews_repo.list_stated_counts(connection):
        what = str(stated["what"])
        compute = COMPUTED.get(what)
        if compute is None:
            continue
        computed, value = compute(data), stated["value"]
        if computed == value:
            continue
        extra = ""
        if what.startswith("design_") and undesigned:
            extra = f" ({undesigned} documents have no study design recorded)"
        findings.append(
            Finding(
                "stated_count",
                what,
                f"the text states {what.replace('_', ' ')} = {value}, "
                f"the data has {computed}{extra}",
            )
        )
    return findings


def _evidence_findings(connection: Connection, data: _Data) -> list[Finding]:
    findings = []
    counts = coding_repo.evidence_counts(connection)
    for item in data.configurations:
        subject = f"configuration:{item.identifier}"
        stances: Mapping[str, int] = counts.get(item.identifier, {})
        excerpts = int(stances.get("excerpts", 0))
        state = standing(item.verdict, excerpts)
        if state is Standing.UNTESTED:
            findings.append(
                Finding(
                    "no_evidence",
                    subject,
                    f"configuration {item.identifier} is untested: no evidence is coded to it",
                )
            )
        elif not excerpts and item.verdict is not None:
            findings.append(
                Finding(
                    "no_evidence",
                    subject,
                    f"configuration {item.identifier} is judged "
                    f"{STANDING_LABELS[state]} but no evidence is coded to it",
                )
            )
        elif state is Standing.AWAITING_VERDICT:
            findings.append(
                Finding(
                    "awaiting_verdict",
                    subject,
                    f"configuration {item.identifier} has "
                    f"{excerpts} excerpt{'s' if excerpts != 1 else ''} coded but no verdict",
                )
            )
        elif (
            state is Standing.NOT_SUPPORTED
            and not stances.get("refutes")
            and not item.rationale.startswith("Merged into")
        ):
            findings.append(
                Finding(
                    "verdict",
                    subject,
                    f"configuration {item.identifier} is judged not supported but no "
                    "refuting excerpt is coded: say why in its rationale",
                )
            )
    for identifier, excerpt_id, label in coding_repo.opposed_codings(connection):
        findings.append(
            Finding(
                "coding_conflict",
                f"configuration:{identifier}",
                f"excerpt {label or excerpt_id} is coded both as supporting and as refuting "
                f"configuration {identifier}: reconcile the codings",
            )
        )
    texts = coding_repo.texts_for_excerpts(connection)
    for found in coding_repo.list_excerpts(connection):
        assert found.id is not None
        for problem in span_problems(texts[found.id], found.start, found.end, found.text):
            findings.append(Finding("span", f"excerpt:{found.label or found.id}", problem))
        if not found.codings:
            findings.append(
                Finding(
                    "uncoded_excerpt",
                    f"excerpt:{found.label or found.id}",
                    f"excerpt {found.label or found.id} is not coded to any configuration",
                )
            )
    return findings


def _intervention_findings(data: _Data) -> list[Finding]:
    findings = []
    for item in data.interventions:
        if not item.document_keys:
            findings.append(
                Finding(
                    "intervention",
                    f"intervention:{item.number}",
                    f"intervention #{item.number} has no documents",
                )
            )
        if "format" not in item.attributes:
            findings.append(
                Finding(
                    "intervention",
                    f"intervention:{item.number}",
                    f"intervention #{item.number} has no format attribute",
                )
            )
    return findings


def _document_findings(connection: Connection, everything: list[Document]) -> list[Finding]:
    """Full texts whose standing a reader should know: attached by override, waiting for
    their record's full-text decision, on a record merged away, or missing for a record
    included at full text."""
    findings = []
    merged = {
        r.id: r.duplicate_of
        for r in connection.execute(
            sa.select(record.c.id, record.c.duplicate_of).where(record.c.duplicate_of.is_not(None))
        )
    }
    for d in everything:
        subject = f"document:{d.key}"
        if d.record_id in merged:
            findings.append(
                Finding(
                    "document",
                    subject,
                    f"document {d.key} is the full text of record {d.record_id}, which was "
                    f"merged into record {merged[d.record_id]}",
                )
            )
        if d.status is DocumentStatus.EXCLUDED:
            why = f" (override: {d.inclusion_override})" if d.inclusion_override else ""
            findings.append(
                Finding(
                    "document",
                    subject,
                    f"document {d.key} belongs to record {d.record_id}, which screening "
                    f"excluded: kept, not counted as included{why}",
                )
            )
        elif d.status is DocumentStatus.AWAITING:
            findings.append(
                Finding(
                    "document",
                    subject,
                    f"document {d.key} is not counted as included yet: record {d.record_id} "
                    "has no settled full-text decision",
                )
            )
    attached = {d.record_id for d in everything if d.record_id is not None}
    mode = reviews_repo.get_review(connection).screening_mode
    included = settled_query(Stage.FULL_TEXT, mode).subquery()
    for (record_id,) in connection.execute(
        sa.select(included.c.record_id)
        .join(record, record.c.id == included.c.record_id)
        .where(
            included.c.outcome == Outcome.INCLUDED.value,
            record.c.duplicate_of.is_(None),
            record.c.batch_id.is_not(None),
        )
        .order_by(included.c.record_id)
    ):
        if record_id not in attached:
            findings.append(
                Finding(
                    "full_text",
                    f"record:{record_id}",
                    f"record {record_id} is included at full text but no full text is attached",
                )
            )
    return findings


def check_review(store: Store) -> list[Finding]:
    """Everything inconsistent in the review: stated vs computed counts, the source text's
    own contradictions, spans that no longer match, configurations without evidence or
    with codings to reconcile, full texts whose standing follows screening."""
    with store.reading() as connection:
        everything = documents_repo.list_documents(connection)
        data = _Data(
            documents=[d for d in everything if d.counted],
            interventions=documents_repo.list_interventions(connection),
            configurations=theory_repo.list_configurations(connection),
        )
        findings = _stated_count_findings(connection, data)
        findings += [
            Finding("text_note", note["about"], f"{note['about']}: {note['note']}")
            for note in reviews_repo.list_text_notes(connection)
        ]
        findings += _evidence_findings(connection, data)
        findings += _document_findings(connection, everything)
        findings += _intervention_findings(data)
    return findings


def summarise(findings: list[Finding]) -> Counter[str]:
    """How many findings of each kind."""
    return Counter(f.kind for f in findings)
