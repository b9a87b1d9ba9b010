"""The review itself, the people doing it, and the search strategy."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from realist.domain.screening import ScreeningMode


class ReviewerRole(StrEnum):
    """What a person may do in a review (permissions are checked against this)."""

    OWNER = "owner"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


@dataclass
class Review:
    """A realist review: its question and the credit owed to its authors."""

    title: str
    question: str = ""
    authors: list[str] = field(default_factory=list)
    licence: str = ""
    licence_url: str = ""
    citation: str = ""
    doi: str = ""
    is_demo: bool = False
    screening_mode: ScreeningMode = ScreeningMode.SINGLE
    id: int | None = None


@dataclass
class Reviewer:
    """A person; every decision, excerpt and memo is attributed to one."""

    key: str
    name: str
    role: ReviewerRole = ReviewerRole.REVIEWER
    id: int | None = None
    retired: bool = False  # their work stays attributed; they no longer act or sign in


@dataclass
class ConceptBlock:
    """One block of OR-ed search terms; blocks are AND-ed together."""

    name: str
    terms: list[str]
    position: int = 0
    id: int | None = None

    def query(self) -> str:
        """The block as a boolean query fragment, quoting multi-word terms."""
        return " OR ".join(f'"{t}"' if " " in t else t for t in self.terms)


class SourceKind(StrEnum):
    """PRISMA 2020 separates databases and registers from other methods (websites,
    organisations, citation searching); ``other`` is any other method."""

    DATABASE = "database"
    REGISTER = "register"
    WEBSITE = "website"
    ORGANISATION = "organisation"
    CITATION = "citation"
    OTHER = "other"

    @property
    def other_method(self) -> bool:
        """Records from other methods skip title/abstract screening in PRISMA 2020."""
        return self not in (SourceKind.DATABASE, SourceKind.REGISTER)


@dataclass
class Source:
    """A database, register or other method searched: the search as run there, its
    limits and when it was run (what RAMESES item 8 asks for, per source)."""

    name: str
    kind: SourceKind = SourceKind.DATABASE
    searched: str | None = None  # YYYY-MM-DD or YYYY-MM (domain.dates)
    note: str = ""
    id: int | None = None
    search_string: str = ""  # the search as run in this source, in its own syntax
    limits: str = ""  # e.g. "English; 2000-2024; journal articles"


@dataclass
class SearchStrategy:
    """The concept blocks and the sources they were run against."""

    concept_blocks: list[ConceptBlock] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    last_search: str | None = None

    def query(self) -> str:
        """The whole strategy as one boolean query: blocks AND-ed, terms OR-ed."""
        return " AND ".join(f"({b.query()})" for b in self.concept_blocks)
