"""Consistency check: what the review's data and its own text disagree about.

Realist records a source's contradictions rather than resolving them silently; this is where
they surface (``realist check``, and the problems listed by ``realist status``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from realist.domain.coding import span_problems
from realist.domain.documents import Document, DocumentType, Intervention, StudyDesign
from realist.domain.theory import CMOConfiguration, Verdict
from realist.store import Store
from realist.store import coding as coding_repo
from realist.store import documents as documents_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo


@dataclass(frozen=True)
class Finding:
    """One thing `realist check` reports."""

    kind: str  # stated_count | text_note | span | no_evidence | uncoded_excerpt | intervention
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
    return c.verdict is not Verdict.NOT_SUPPORTED


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
        if not counts.get(item.identifier) and item.verdict is not Verdict.NOT_SUPPORTED:
            findings.append(
                Finding(
                    "no_evidence",
                    f"configuration:{item.identifier}",
                    f"configuration {item.identifier} has no coded evidence "
                    f"but its verdict is {item.verdict.value if item.verdict else 'untested'}",
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


def check_review(store: Store) -> list[Finding]:
    """Everything inconsistent in the review: stated vs computed counts, the source text's
    own contradictions, spans that no longer match, configurations without evidence."""
    with store.reading() as connection:
        data = _Data(
            documents=[d for d in documents_repo.list_documents(connection) if d.counted],
            interventions=documents_repo.list_interventions(connection),
            configurations=theory_repo.list_configurations(connection),
        )
        findings = _stated_count_findings(connection, data)
        findings += [
            Finding("text_note", note["about"], f"{note['about']}: {note['note']}")
            for note in reviews_repo.list_text_notes(connection)
        ]
        findings += _evidence_findings(connection, data)
        findings += _intervention_findings(data)
    return findings


def summarise(findings: list[Finding]) -> Counter[str]:
    """How many findings of each kind."""
    return Counter(f.kind for f in findings)
