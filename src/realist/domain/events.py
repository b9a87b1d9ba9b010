"""The event log: every change of review state appends who, when and what."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Event:
    """One change of review state (the audit trail RAMESES asks for)."""

    action: str  # verb in the past tense, dotted by area: "review.created", "excerpt.coded"
    actor: str  # reviewer key, or "system"
    subject: str = ""  # what changed, e.g. "configuration:N3"
    detail: dict[str, object] = field(default_factory=dict)
    at: str | None = None  # ISO 8601 UTC, set by the store
    id: int | None = None
