"""Everything a report may show about a review, as plain domain objects.

:func:`realist.services.reporting.gather` fills it from the services; the report builders
read it. Keeping the builders on plain data (no store, no services) keeps them pure: a test
can build a report from hand-made data, and the layers point one way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from realist.domain.appraisal import MMATAppraisal
from realist.domain.documents import Document, Intervention
from realist.domain.model import FinalModel
from realist.domain.prisma import PrismaCounts
from realist.domain.review import Review, SearchStrategy
from realist.domain.screening import EligibilityCriterion, ScreeningMode
from realist.domain.testing import EvidenceSummary
from realist.domain.theory import CMOConfiguration, MiddleRangeTheory, ModelStyle, Topic
from realist.reports.summary import Phrasing
from realist.reports.wording import document_label

__all__ = ["ConfigurationData", "MatrixData", "ReviewData"]


@dataclass(frozen=True)
class ConfigurationData:
    """A configuration with its topic, its evidence and how the final model shows it."""

    configuration: CMOConfiguration
    topic: Topic
    evidence: EvidenceSummary
    style: ModelStyle
    middle_range_theories: tuple[MiddleRangeTheory, ...] = ()
    versions: int = 0  # earlier versions kept in its history

    @property
    def identifier(self) -> str:
        """The configuration's identifier ("14", "N3")."""
        return self.configuration.identifier

    @property
    def label(self) -> str:
        """Its title, else its statement, as the model shows it (capitals when new)."""
        c = self.configuration
        text = c.title or c.statement or f"Configuration {c.identifier}"
        return text.upper() if self.style is ModelStyle.NEW else text


@dataclass(frozen=True)
class MatrixData:
    """Configurations (rows) by interventions or documents (columns): distinct excerpts."""

    dimension: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, row: str, column: str) -> int:
        """Excerpts in one cell (0 when none)."""
        return self.cells.get((row, column), 0)


@dataclass
class ReviewData:
    """The review as the reports see it."""

    review: Review
    search: SearchStrategy
    criteria: list[EligibilityCriterion]
    screening_mode: ScreeningMode
    documents: dict[str, Document]  # every document, included or not, by key
    interventions: list[Intervention]
    topics: list[Topic]
    configurations: list[ConfigurationData]
    model: FinalModel
    prisma: PrismaCounts
    mmat: list[MMATAppraisal]
    matrices: dict[str, MatrixData]  # "interventions" and "documents"
    phrasings: list[Phrasing]
    verdict_rule: str
    screening: dict[str, dict[str, Any]]  # stage -> StageCounts.as_json(): records, votes
    excerpts: int
    codings: int
    events: int
    findings: list[str]  # what `realist check` reports
    rameses_notes: dict[int, str] = field(default_factory=dict)
    last_change: datetime | None = None
    # Each document's author-year citation by key ("Thapa et al. 2020"), from
    # services.citations; a document missing here is labelled from its reference text.
    citations: dict[str, str] = field(default_factory=dict)

    @property
    def included(self) -> list[Document]:
        """The included documents (their records included at full text), by reference
        number then key."""
        found = [d for d in self.documents.values() if d.counted]
        return sorted(found, key=lambda d: (d.reference_number or 10**9, d.key))

    @property
    def credit(self) -> str:
        """Where the review comes from and under what licence (the demo's CC BY credit)."""
        review = self.review
        if not review.citation:
            return ""
        line = f"Source: {review.citation}"
        if review.licence:
            url = f" ({review.licence_url})" if review.licence_url else ""
            line += f" Licensed {review.licence}{url}."
        if review.is_demo:
            line += " Transcribed into Realist's data model; this report is generated from it."
        return line

    def document_label(self, key: str) -> str:
        """How a table cites a document: "Thapa et al. 2020 [12]", else its key."""
        item = self.documents.get(key)
        if item is None:
            return key
        if key in self.citations:
            ref = item.reference_number
            return self.citations[key] + (f" [{ref}]" if ref is not None else "")
        return document_label(item)
