"""Consistency check: what the review's data and its own text disagree about.

Realist records a source's contradictions rather than resolving them silently; this is where
they surface (``realist check``, and the problems listed by ``realist status``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.coding import span_problems
from realist.domain.dates import date_problem
from realist.domain.documents import Document, DocumentStatus, Intervention, key_problem
from realist.domain.identifiers import segment_problem
from realist.domain.screening import Outcome, Stage
from realist.domain.stated import CountRule, RuleError
from realist.domain.theory import (
    STANDING_LABELS,
    CMOConfiguration,
    Standing,
    standing,
)
from realist.services.expectations import expected_of
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.batches import COMPLETE
from realist.store.schema import import_batch, record
from realist.store.screening import settled_query


@dataclass(frozen=True)
class Finding:
    """One thing `realist check` reports."""

    # stated_count | text_note | span | no_evidence | awaiting_verdict | verdict |
    # coding_conflict | uncoded_excerpt | document | full_text | intervention | date | name
    kind: str
    subject: str
    message: str


@dataclass
class _Data:
    documents: list[Document]
    interventions: list[Intervention]
    configurations: list[CMOConfiguration]


def _stated_count_findings(connection: Connection, data: _Data) -> list[Finding]:
    """Each stated count with a rule, compared with the count its rule finds in the data."""
    findings = []
    undesigned = sum(1 for doc in data.documents if doc.study_design is None)
    for stated in reviews_repo.list_stated_counts(connection):
        what = str(stated["what"])
        if stated["rule"] is None:
            continue  # kept, but the review did not say how to compute it
        try:
            rule = CountRule.from_json(stated["rule"])
        except RuleError as error:
            findings.append(Finding("stated_count", what, f"{what}: cannot check ({error})"))
            continue
        computed = rule.count(data.documents, data.interventions, data.configurations)
        value = stated["value"]
        if computed == value:
            continue
        extra = ""
        if rule.counts_designs and undesigned:
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


def _intervention_findings(data: _Data, expected: list[str]) -> list[Finding]:
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
        for name in expected:  # the review's own expectations (services.expectations)
            if name not in item.attributes:
                findings.append(
                    Finding(
                        "intervention",
                        f"intervention:{item.number}",
                        f"intervention #{item.number} has no {name} attribute",
                    )
                )
    return findings


def _date_findings(connection: Connection) -> list[Finding]:
    """Dates searched stored before they were checked (e.g. "yesterday", "31/12/2024")."""
    findings = []
    for item in reviews_repo.get_search(connection).sources:
        if item.searched and date_problem(item.searched):
            findings.append(
                Finding(
                    "date",
                    f"source:{item.name}",
                    f"source {item.name}: date searched {item.searched!r} is not a date "
                    f"({date_problem(item.searched)}); set it with realist source "
                    f"'{item.name}' --searched YYYY-MM-DD",
                )
            )
    for batch_id, filename, searched in connection.execute(
        sa.select(import_batch.c.id, import_batch.c.filename, import_batch.c.searched)
        .where(import_batch.c.searched.is_not(None), COMPLETE)
        .order_by(import_batch.c.id)
    ):
        if date_problem(searched):
            findings.append(
                Finding(
                    "date",
                    f"batch:{batch_id}",
                    f"import batch {batch_id} ({filename}): date searched {searched!r} is not "
                    f"a date ({date_problem(searched)})",
                )
            )
    return findings


def _name_findings(
    connection: Connection, data: _Data, everything: list[Document]
) -> list[Finding]:
    """Keys stored before they were checked that a web address cannot reach (a ``/``, or
    ``.``/``..``, which the browser removes: ``/theories/..`` is the dashboard)."""
    named: list[tuple[str, str, str, str]] = [
        (c.identifier, "configuration identifier", "configuration", "rename configuration")
        for c in data.configurations
    ]
    named += [
        (t.key, "topic key", "topic", "rename topic") for t in theory_repo.list_topics(connection)
    ]
    named += [
        (c.code, "criterion code", "criterion", "rename criterion")
        for c in reviews_repo.list_criteria(connection)
    ]
    named += [
        (p.key, "reviewer key", "reviewer", "") for p in reviews_repo.list_reviewers(connection)
    ]
    findings = []
    for value, what, kind, command in named:
        problem = segment_problem(value, what)
        if problem is None:
            continue
        fix = (
            f"rename it with realist {command} '{value}' NEW"
            if command
            else "add the person again under a usable key and retire this one"
        )
        findings.append(Finding("name", f"{kind}:{value}", f"{problem}; {fix}"))
    for d in everything:
        problem = key_problem(d.key)
        if problem:
            findings.append(
                Finding(
                    "name",
                    f"document:{d.key}",
                    f"{problem}; rename it with realist rename document '{d.key}' NEW",
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
    with codings to reconcile, full texts whose standing follows screening, interventions
    without documents or without an attribute the review expects, dates searched that
    are not dates, and keys stored before they were checked that no web address reaches."""
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
        findings += _intervention_findings(data, expected_of(connection))
        findings += _date_findings(connection)
        findings += _name_findings(connection, data, everything)
    return findings


def summarise(findings: list[Finding]) -> Counter[str]:
    """How many findings of each kind."""
    return Counter(f.kind for f in findings)
