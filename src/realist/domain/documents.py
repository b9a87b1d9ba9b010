"""Included documents (full texts) and the interventions (cases) they describe."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class DocumentType(StrEnum):
    PEER_REVIEWED_ARTICLE = "peer_reviewed_article"
    THESIS = "thesis"
    REPORT = "report"
    OTHER = "other"


class StudyDesign(StrEnum):
    """The MMAT 2018 categories, plus descriptions of process (no empirical design)."""

    QUALITATIVE = "qualitative"
    RANDOMISED_CONTROLLED_TRIAL = "randomised_controlled_trial"
    NON_RANDOMISED = "non_randomised"
    QUANTITATIVE_DESCRIPTIVE = "quantitative_descriptive"
    MIXED_METHODS = "mixed_methods"
    PROCESS_DESCRIPTION = "process_description"


def text_hash(text: str) -> str:
    """The hash that pins excerpt offsets to one exact version of a document's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Document:
    """An included full text.

    ``text`` is the extracted text; once excerpts point into it, it never changes (a new
    extraction is a new version). ``text_sha256`` is stored with it so offsets can be checked.
    """

    key: str
    title: str
    document_type: DocumentType = DocumentType.PEER_REVIEWED_ARTICLE
    study_design: StudyDesign | None = None
    study_design_basis: str = ""
    citation: str = ""
    reference_number: int | None = None  # the review's own reference-list number, if any
    record_id: int | None = None
    included: bool = True  # an included study; False for e.g. the review's own report
    text: str = ""
    text_sha256: str = ""
    id: int | None = None
    # The author-year citation set by hand ("Thapa et al. 2020"); empty: derived from the
    # record (domain.citations). ``citation`` is the reference as the review lists it.
    cite_as: str = ""

    def __post_init__(self) -> None:
        if self.text and not self.text_sha256:
            self.text_sha256 = text_hash(self.text)


class AttributeType(StrEnum):
    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CATEGORY = "category"


AttributeValue = str | float | bool


def attribute_type_of(value: AttributeValue) -> AttributeType:
    """The type an attribute value carries when none is declared."""
    if isinstance(value, bool):
        return AttributeType.BOOLEAN
    if isinstance(value, int | float):
        return AttributeType.NUMBER
    return AttributeType.TEXT


@dataclass
class Intervention:
    """A programme or intervention (a case): its typed attributes and its documents."""

    number: int
    name: str = ""
    attributes: dict[str, AttributeValue] = field(default_factory=dict)
    document_keys: list[str] = field(default_factory=list)
    id: int | None = None
