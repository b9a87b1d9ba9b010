"""The review store's tables (SQLAlchemy Core).

Core tables rather than ORM classes keep the domain's dataclasses free of storage concerns;
repositories translate rows to dataclasses. Constraints live here where they protect data:
foreign keys, unique identifiers, enumerations as CHECKs, and span bounds (an excerpt's end
can never pass its text's length: see ``excerpt``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from realist.domain.records import DuplicateStatus
from realist.domain.review import ReviewerRole, SourceKind
from realist.domain.screening import CriterionKind, Decision, ScreeningMode, Stage

# Named constraints make migrations behave the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def insert_with_conflicts(connection: sa.Connection, table: sa.Table) -> Any:
    """An INSERT into ``table`` that can say ``on_conflict_do_nothing`` or ``..._update``
    (both dialects have it, under their own class): for rows that several server
    processes may make at the same moment, where a plain INSERT's loser would fail."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def enum(cls: type[StrEnum], name: str) -> sa.Enum:
    """An enumeration stored as its values in a VARCHAR with a CHECK (portable, readable)."""
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def pk() -> sa.Column[int]:
    return sa.Column("id", sa.Integer, primary_key=True)


def fk(name: str, target: str, *, nullable: bool = False, cascade: bool = False) -> sa.Column[int]:
    return sa.Column(
        name,
        sa.Integer,
        sa.ForeignKey(target, ondelete="CASCADE" if cascade else None),
        nullable=nullable,
        index=True,
    )


def created_at() -> sa.Column[str]:
    # ISO 8601 UTC text: sorts correctly and reads the same from SQLite and PostgreSQL.
    return sa.Column("created_at", sa.String(32), nullable=False)


review = sa.Table(
    "review",
    metadata,
    pk(),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("question", sa.Text, nullable=False, default=""),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("licence", sa.Text, nullable=False, default=""),
    sa.Column("licence_url", sa.Text, nullable=False, default=""),
    sa.Column("citation", sa.Text, nullable=False, default=""),
    sa.Column("doi", sa.Text, nullable=False, default=""),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    sa.Column("last_search", sa.String(32)),
    sa.Column("screening_mode", enum(ScreeningMode, "screening_mode"), nullable=False),
    created_at(),
    # One review per store: a team shares the store, not a multi-tenant table.
    sa.CheckConstraint("id = 1", name="single_review"),
)

reviewer = sa.Table(
    "reviewer",
    metadata,
    pk(),
    sa.Column("key", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("role", enum(ReviewerRole, "reviewer_role"), nullable=False),
    # A reviewer whose work stays attributed but who no longer acts in the review.
    sa.Column("retired", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

concept_block = sa.Table(
    "concept_block",
    metadata,
    pk(),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("terms", sa.JSON, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)

source = sa.Table(
    "source",
    metadata,
    pk(),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", enum(SourceKind, "source_kind"), nullable=False),
    sa.Column("searched", sa.String(32)),
    sa.Column("note", sa.Text, nullable=False, default=""),
    # What RAMESES item 8 asks for, per source: the search as run there, and its limits.
    sa.Column("search_string", sa.Text, nullable=False, default="", server_default=""),
    sa.Column("limits", sa.Text, nullable=False, default="", server_default=""),
)


class BatchState(StrEnum):
    """An import is written in short transactions while ``importing`` and shown only once
    ``complete``; ``abandoned`` ones are being removed (see store.batches)."""

    IMPORTING = "importing"
    COMPLETE = "complete"
    ABANDONED = "abandoned"


import_batch = sa.Table(
    "import_batch",
    metadata,
    pk(),
    fk("source_id", "source.id"),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("file_hash", sa.String(64), nullable=False, index=True),
    sa.Column("format", sa.String(32), nullable=False),
    sa.Column("searched", sa.String(32)),
    sa.Column("record_count", sa.Integer, nullable=False, default=0),
    sa.Column("problem_count", sa.Integer, nullable=False, default=0),
    fk("reviewer_id", "reviewer.id", nullable=True),
    created_at(),
    # Until complete, the batch and its records are invisible to every reader; ``owner``
    # is the process writing (or removing) it and ``heartbeat_at`` its last progress.
    sa.Column(
        "state",
        enum(BatchState, "batch_state"),
        nullable=False,
        default=BatchState.COMPLETE,
        server_default=BatchState.COMPLETE.value,
    ),
    sa.Column("owner", sa.String(200)),
    sa.Column("heartbeat_at", sa.String(32)),
    # The import added its source: hidden with the batch, removed with it if it fails.
    sa.Column("made_source", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

record = sa.Table(
    "record",
    metadata,
    pk(),
    fk("batch_id", "import_batch.id", nullable=True, cascade=True),
    sa.Column("title", sa.Text, nullable=False, default=""),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("year", sa.Integer),
    sa.Column("journal", sa.Text, nullable=False, default=""),
    sa.Column("volume", sa.String(64), nullable=False, default=""),
    sa.Column("issue", sa.String(64), nullable=False, default=""),
    sa.Column("pages", sa.String(64), nullable=False, default=""),
    sa.Column("doi", sa.String(255), nullable=False, default="", index=True),
    sa.Column("pmid", sa.String(32), nullable=False, default="", index=True),
    sa.Column("issn", sa.String(32), nullable=False, default=""),
    sa.Column("abstract", sa.Text, nullable=False, default=""),
    sa.Column("keywords", sa.JSON, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, default=""),
    sa.Column("raw", sa.JSON, nullable=False),
    sa.Column("source_line", sa.Integer),
    fk("duplicate_of", "record.id", nullable=True),
    # Title, authors, journal, DOI, year and PMID folded (domain.folding): what a records
    # search looks in, accent- and case-insensitively, on SQLite and PostgreSQL alike.
    sa.Column("search_text", sa.Text, nullable=False, default="", server_default=""),
)

duplicate_group = sa.Table(
    "duplicate_group",
    metadata,
    pk(),
    fk("keeper_id", "record.id"),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.Column("status", enum(DuplicateStatus, "duplicate_status"), nullable=False),
    sa.Column("reason", sa.Text, nullable=False, default=""),
    created_at(),
    # Who merged, confirmed or separated the group by hand (NULL: the algorithm merged it).
    fk("decided_by", "reviewer.id", nullable=True),
    sa.CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
)

duplicate_member = sa.Table(
    "duplicate_member",
    metadata,
    fk("group_id", "duplicate_group.id", cascade=True),
    fk("record_id", "record.id", cascade=True),
    sa.PrimaryKeyConstraint("group_id", "record_id"),
)

criterion = sa.Table(
    "criterion",
    metadata,
    pk(),
    sa.Column("code", sa.String(64), nullable=False, unique=True),
    sa.Column("dimension", sa.String(64), nullable=False),
    sa.Column("kind", enum(CriterionKind, "criterion_kind"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    # Cited by decisions already made, so it is retired rather than deleted.
    sa.Column("retired", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
)

screening_decision = sa.Table(
    "screening_decision",
    metadata,
    pk(),
    fk("record_id", "record.id", cascade=True),
    sa.Column("stage", enum(Stage, "stage"), nullable=False),
    sa.Column("decision", enum(Decision, "decision"), nullable=False),
    fk("reviewer_id", "reviewer.id"),
    fk("criterion_id", "criterion.id", nullable=True),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("resolves_conflict", sa.Boolean, nullable=False, default=False),
    # A decision made again keeps the earlier row (settling reads each reviewer's latest;
    # undo brings the earlier one back) and marks it superseded, so the database can hold
    # one *current* decision per reviewer, record and stage (the unique indexes below).
    sa.Column("superseded", sa.Boolean, nullable=False, default=False),
    created_at(),
    sa.CheckConstraint(
        "NOT (stage = 'full_text' AND decision = 'exclude' AND criterion_id IS NULL)",
        name="full_text_exclusion_has_reason",
    ),
    # A report that could not be obtained is a full-text fact (PRISMA's "not retrieved").
    sa.CheckConstraint(
        "decision <> 'not_retrieved' OR stage = 'full_text'", name="not_retrieved_at_full_text"
    ),
    # The screening queue asks "has this reviewer (anyone) decided this record at this
    # stage?" for every record; without this index each question scans decisions.
    sa.Index("ix_screening_decision_record_stage", "record_id", "stage", "reviewer_id"),
    # Held by the database, whatever process writes: one current vote per reviewer, record
    # and stage, and one current conflict resolution per record and stage.
    sa.Index(
        "uq_screening_decision_current_vote",
        "record_id",
        "stage",
        "reviewer_id",
        unique=True,
        sqlite_where=sa.text("NOT superseded AND NOT resolves_conflict"),
        postgresql_where=sa.text("NOT superseded AND NOT resolves_conflict"),
    ),
    sa.Index(
        "uq_screening_decision_current_resolution",
        "record_id",
        "stage",
        unique=True,
        sqlite_where=sa.text("NOT superseded AND resolves_conflict"),
        postgresql_where=sa.text("NOT superseded AND resolves_conflict"),
    ),
)

screening_lease = sa.Table(
    "screening_lease",
    metadata,
    # Single screening with several people at once: the record a reviewer's queue handed
    # them, held for a short time so nobody else's queue serves it meanwhile. In the store,
    # not in a process, so every server process sees it. One lease per record and stage
    # (the primary key), one per reviewer and stage (the unique constraint).
    sa.Column(
        "record_id",
        sa.Integer,
        sa.ForeignKey("record.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("stage", enum(Stage, "stage"), primary_key=True),
    sa.Column(
        "reviewer_id",
        sa.Integer,
        sa.ForeignKey("reviewer.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("expires_at", sa.String(32), nullable=False),
    sa.UniqueConstraint("reviewer_id", "stage"),
)

import_problem = sa.Table(
    "import_problem",
    metadata,
    # Bad records of a batch, kept so the web app can show the problem report later.
    pk(),
    fk("batch_id", "import_batch.id", cascade=True),
    sa.Column("line", sa.Integer),
    sa.Column("reason", sa.Text, nullable=False),
)


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


import_job = sa.Table(
    "import_job",
    metadata,
    # A web upload being imported beside the page (web.jobs): every server process reads
    # its progress here, whichever process runs it. Server state, not review content.
    sa.Column("id", sa.String(32), primary_key=True),  # unguessable: it is in the job's URL
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("reviewer", sa.String(200), nullable=False),
    sa.Column("state", enum(JobState, "job_state"), nullable=False),
    sa.Column("records", sa.Integer, nullable=False, default=0),
    sa.Column("result", sa.JSON),
    sa.Column("error", sa.Text, nullable=False, default=""),
    sa.Column("owner", sa.String(200), nullable=False),
    created_at(),
    sa.Column("heartbeat_at", sa.String(32), nullable=False),
)

highlight_term = sa.Table(
    "highlight_term",
    metadata,
    # Keywords highlighted while screening: inclusion terms in one colour, exclusion in another.
    pk(),
    sa.Column("term", sa.String(200), nullable=False),
    sa.Column("kind", enum(CriterionKind, "term_kind"), nullable=False),
    sa.UniqueConstraint("term", "kind"),
)

flow_count = sa.Table(
    "flow_count",
    metadata,
    # PRISMA boxes the data cannot know (e.g. records from organisations contacted);
    # NULL means the count is unknown, which is not zero.
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Integer),
    sa.Column("note", sa.Text, nullable=False, default=""),
)

stated_count = sa.Table(
    "stated_count",
    metadata,
    # Counts the review's own text states, kept so `check` can compare them with the data.
    pk(),
    sa.Column("what", sa.String(100), nullable=False),
    sa.Column("value", sa.Integer, nullable=False),
    sa.Column("quote", sa.Text, nullable=False, default=""),
    sa.Column("members", sa.JSON),
    # How the count is computed from the data (domain.stated.CountRule); NULL: not checked.
    sa.Column("rule", sa.JSON),
)

text_note = sa.Table(
    "text_note",
    metadata,
    # Ambiguities and contradictions found in the review's own text, recorded, not resolved.
    pk(),
    sa.Column("about", sa.Text, nullable=False),
    sa.Column("quote", sa.Text, nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
)


def inserted_id(result: sa.CursorResult[object]) -> int:
    """The primary key of the row an INSERT just wrote."""
    key = result.inserted_primary_key
    assert key is not None and key[0] is not None
    return int(key[0])
