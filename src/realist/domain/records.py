"""Bibliographic records, the batches they were imported in, and duplicate groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


@dataclass
class ImportBatch:
    """One imported file: the unit that is stored whole or not at all."""

    source_name: str
    filename: str
    file_hash: str  # sha256 of the file's bytes: re-importing the same file is detected by it
    format: str
    searched: str | None = None
    record_count: int = 0
    problem_count: int = 0
    reviewer_key: str | None = None
    created_at: str | None = None
    id: int | None = None


@dataclass
class Record:
    """A bibliographic record.

    ``raw`` keeps every field exactly as imported (tag, value) in file order, so the record
    exports back without loss; the other fields are normalised copies used for search and
    deduplication.
    """

    title: str = ""
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""  # lower-case, no URL prefix
    pmid: str = ""
    issn: str = ""
    abstract: str = ""
    keywords: list[str] = field(default_factory=list)
    kind: str = ""  # e.g. JOUR, THES, RPRT as in RIS TY
    raw: list[tuple[str, str]] = field(default_factory=list)
    batch_id: int | None = None
    source_line: int | None = None  # where the record starts in its file, for error messages
    duplicate_of: int | None = None  # set when merged into another record (the group's keeper)
    id: int | None = None


class DuplicateStatus(StrEnum):
    """A duplicate group is merged automatically when certain, queued for a person otherwise."""

    MERGED = "merged"
    PENDING = "pending"
    REJECTED = "rejected"  # a person said these are different works


@dataclass
class DuplicateGroup:
    """Records judged to be the same work; ``keeper_id`` is the one that stays standing."""

    keeper_id: int
    member_ids: list[int]
    confidence: float
    status: DuplicateStatus = DuplicateStatus.MERGED
    reason: str = ""
    id: int | None = None
    by_hand: bool = False  # a person merged, confirmed or separated it (undo re-queues it)
