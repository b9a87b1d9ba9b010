"""Included documents (full texts) and the interventions (cases) they describe."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from realist.domain.screening import Outcome


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


class DocumentStatus(StrEnum):
    """Whether a document counts among the review's included documents, which follows the
    screening of its record (see :func:`document_status`)."""

    INCLUDED = "included"  # its record is included at full text (or it has no record)
    AWAITING = "awaiting_decision"  # its record has no settled full-text decision yet
    EXCLUDED = "excluded"  # its record was excluded (attached by a recorded override)
    NOT_A_STUDY = "not_a_study"  # e.g. the review's own report, kept only for coding


def document_status(
    is_study: bool,
    has_record: bool,
    title_abstract: Outcome | None,
    full_text: Outcome | None,
) -> DocumentStatus:
    """Where a document stands: counts follow screening, so a full text attached to a record
    counts as included only once that record is included at full text. A document without
    a record (added by hand) counts as included; ``realist check`` says it is outside the
    PRISMA flow."""
    if not is_study:
        return DocumentStatus.NOT_A_STUDY
    if not has_record or full_text is Outcome.INCLUDED:
        return DocumentStatus.INCLUDED
    if title_abstract is Outcome.EXCLUDED or full_text in (
        Outcome.EXCLUDED,
        Outcome.NOT_RETRIEVED,
    ):
        return DocumentStatus.EXCLUDED
    return DocumentStatus.AWAITING


def _words(text: str, limit: int) -> str:
    """The first ``limit`` words of a text as a key, short words ("of", "a") skipped when
    longer ones exist."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    telling = [w for w in words if len(w) > 2 or w.isdigit()]
    return "-".join((telling or words)[:limit])


def default_key(
    authors: Sequence[str],
    year: int | None,
    title: str,
    fallback: str,
    taken: Callable[[str], bool],
) -> str:
    """A short, readable key for a new document that ``taken`` says is free: the first
    author's surname and the year (``thapa-2020``; ``thapa-2020b``, ``thapa-2020c`` when
    taken), else the first words of the title, else ``fallback`` (a file name), numbered
    when taken (``final-report-2``)."""
    from realist.domain.dedup_keys import author_keys  # rapidfuzz and its tables: on use

    first = str(next(iter(author_keys(authors, 1)), ""))
    surname = "".join(re.findall(r"[a-z0-9]", first))  # a key is ASCII, whatever the name
    if surname:
        base = "-".join(part for part in (surname[:40], str(year) if year else "") if part)
        for suffix in ("", *"bcdefghijklmnopqrstuvwxyz"):
            candidate = f"{base}{suffix}"
            if not taken(candidate):
                return candidate
    else:
        base = _words(title, 4)[:48].strip("-") or _words(fallback, 4)[:48].strip("-")
        base = base or "document"
        if not taken(base):
            return base
    n = 2
    while taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


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
    included: bool = True  # a study of the review; False for e.g. the review's own report
    text: str = ""
    text_sha256: str = ""
    id: int | None = None
    # Read from the store: where its record stands (see DocumentStatus), and why a full
    # text was attached to a record that screening had excluded (empty when it was not).
    status: DocumentStatus | None = None
    inclusion_override: str = ""
    # The author-year citation set by hand ("Thapa et al. 2020"); empty: derived from the
    # record (domain.citations). ``citation`` is the reference as the review lists it.
    cite_as: str = ""

    def __post_init__(self) -> None:
        if self.text and not self.text_sha256:
            self.text_sha256 = text_hash(self.text)

    @property
    def counted(self) -> bool:
        """Whether it counts among the review's included documents (its status when read
        from a review; the study flag alone for a document made by hand)."""
        if self.status is None:
            return self.included
        return self.status is DocumentStatus.INCLUDED


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


MAX_KEY_CHARS = 100
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def key_problem(key: str) -> str | None:
    """Why ``key`` cannot name a document (None when it can). Keys appear in URLs, file
    names of exports and commands, so they are letters, digits, ``.``, ``_`` and ``-``,
    starting with a letter or digit, never ``..`` (e.g. ``thapa-2020``)."""
    if not key or len(key) > MAX_KEY_CHARS:
        return f"a document key is 1-{MAX_KEY_CHARS} characters"
    if not _KEY.fullmatch(key) or ".." in key:
        return (
            f"'{key}' is not a usable document key: use letters, digits, '.', '_' and '-' "
            "(no spaces, '/' or '..'), starting with a letter or digit, e.g. thapa-2020"
        )
    return None
