"""Eligibility criteria and screening decisions."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class CriterionKind(StrEnum):
    INCLUSION = "inclusion"
    EXCLUSION = "exclusion"


@dataclass
class EligibilityCriterion:
    """One inclusion or exclusion criterion, by dimension (population, setting, ...)."""

    code: str  # stable identifier a screening decision cites as its reason
    dimension: str
    kind: CriterionKind
    text: str
    position: int = 0
    id: int | None = None


class Stage(StrEnum):
    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"


class Decision(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


@dataclass
class ScreeningDecision:
    """A reviewer's decision on one record at one stage."""

    record_id: int
    stage: Stage
    decision: Decision
    reviewer_key: str
    criterion_code: str | None = None  # the reason, for exclusions
    note: str = ""
    created_at: str | None = None
    id: int | None = None

    def problems(self) -> list[str]:
        """Rules a decision must meet; an empty list means it is valid."""
        found = []
        if (
            self.stage is Stage.FULL_TEXT
            and self.decision is Decision.EXCLUDE
            and not self.criterion_code
        ):
            found.append("a full-text exclusion must cite an eligibility criterion")
        if self.decision is not Decision.EXCLUDE and self.criterion_code:
            found.append("only an exclusion cites a criterion as its reason")
        return found
