"""Excerpts (spans of a document's text) and their codings to configurations.

Offsets count Unicode code points (Python ``str`` indices) into the document's extracted
text, ``start`` inclusive and ``end`` exclusive; docs/ARCHITECTURE.md explains why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from realist.domain.appraisal import Grade
from realist.domain.theory import Role


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    REFINES = "refines"


@dataclass
class Coding:
    """A link from an excerpt to a configuration, or to one of its components."""

    configuration_identifier: str
    role: Role = Role.CONFIGURATION
    component_position: int | None = None  # which context/mechanism/outcome, by position
    stance: Stance = Stance.SUPPORTS
    reviewer_key: str = ""
    id: int | None = None


@dataclass
class Excerpt:
    """A span of a document's text, appraised for relevance and rigour."""

    document_key: str
    start: int
    end: int
    text: str
    reviewer_key: str = ""
    relevance: Grade | None = None
    rigour: Grade | None = None
    note: str = ""
    label: str = ""  # a stable external identifier (the demo's E001 ...)
    codings: list[Coding] = field(default_factory=list)
    id: int | None = None


def span_problems(text: str, start: int, end: int, quoted: str | None = None) -> list[str]:
    """Why a span cannot be an excerpt of ``text``; empty when it can."""
    if not 0 <= start < end:
        return [f"span {start}:{end} must satisfy 0 <= start < end"]
    if end > len(text):
        return [f"span {start}:{end} runs past the end of the text ({len(text)} characters)"]
    if quoted is not None and text[start:end] != quoted:
        return [f"text at {start}:{end} does not match the quoted excerpt"]
    return []
