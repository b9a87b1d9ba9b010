"""server-side sessions and sign-in attempts; codings and excerpt labels unique in the
database

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Codings that were exact copies (same excerpt, target, stance and coder: the same evidence
counted twice) are merged into the oldest before the constraint is added, and a repeated
excerpt label gets a suffix; an event says what was done, so nothing goes without a word.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_coding = sa.table(
    "coding",
    sa.column("id", sa.Integer),
    sa.column("excerpt_id", sa.Integer),
    sa.column("configuration_id", sa.Integer),
    sa.column("component_id", sa.Integer),
    sa.column("stance", sa.String),
    sa.column("reviewer_id", sa.Integer),
)
_excerpt = sa.table("excerpt", sa.column("id", sa.Integer), sa.column("label", sa.String))
_event = sa.table(
    "event",
    sa.column("at", sa.String),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("subject", sa.String),
    sa.column("detail", sa.JSON),
)


def _note(action: str, subject: str, detail: dict[str, object]) -> None:
    op.get_bind().execute(
        _event.insert().values(
            at=datetime.now(UTC).isoformat(timespec="microseconds"),
            actor="realist",
            action=action,
            subject=subject,
            detail=detail,
        )
    )


def _merge_copied_codings() -> None:
    connection = op.get_bind()
    seen: dict[tuple[object, ...], int] = {}
    copies: list[tuple[int, int]] = []
    for row in connection.execute(sa.select(_coding).order_by(_coding.c.id)):
        same = (row.excerpt_id, row.configuration_id, row.component_id, row.stance, row.reviewer_id)
        if same in seen:
            copies.append((row.id, seen[same]))
        else:
            seen[same] = row.id
    for copy, kept in copies:
        connection.execute(_coding.delete().where(_coding.c.id == copy))
        _note("coding.merged", f"coding:{kept}", {"copy": copy, "why": "an exact copy"})


def _unrepeat_labels() -> None:
    connection = op.get_bind()
    taken: set[str] = set()
    rows = connection.execute(
        sa.select(_excerpt).where(_excerpt.c.label != "").order_by(_excerpt.c.id)
    ).all()
    labels = {r.label for r in rows}
    for row in rows:
        if row.label not in taken:
            taken.add(row.label)
            continue
        n = 2
        while f"{row.label}-{n}" in labels or f"{row.label}-{n}" in taken:
            n += 1
        new = f"{row.label}-{n}"[:64]
        taken.add(new)
        connection.execute(_excerpt.update().where(_excerpt.c.id == row.id).values(label=new))
        _note("excerpt.labelled", f"excerpt:{row.id}", {"before": row.label, "after": new})


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("last_seen_at", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.Column("revoked_why", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewer.id"],
            name=op.f("fk_web_session_reviewer_id_reviewer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
    )
    op.create_index(
        op.f("ix_web_session_reviewer_id"), "web_session", ["reviewer_id"], unique=False
    )
    op.create_table(
        "sign_in_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("device", sa.String(length=64), server_default="", nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempt")),
    )
    op.create_index("ix_sign_in_attempt_account_key_at", "sign_in_attempt", ["account_key", "at"])
    op.create_index("ix_sign_in_attempt_client_at", "sign_in_attempt", ["client", "at"])
    op.create_table(
        "sign_in_lock",
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("touched_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_sign_in_lock")),
    )
    _merge_copied_codings()
    _unrepeat_labels()
    with op.batch_alter_table("coding") as batch:
        batch.create_unique_constraint(
            op.f("uq_coding_excerpt_id_component_id_stance_reviewer_id"),
            ["excerpt_id", "component_id", "stance", "reviewer_id"],
        )
    op.create_index(
        "uq_coding_whole_once",
        "coding",
        ["excerpt_id", "configuration_id", "stance", "reviewer_id"],
        unique=True,
        sqlite_where=sa.text("component_id IS NULL"),
        postgresql_where=sa.text("component_id IS NULL"),
    )
    op.create_index(
        "uq_excerpt_label",
        "excerpt",
        ["label"],
        unique=True,
        sqlite_where=sa.text("label <> ''"),
        postgresql_where=sa.text("label <> ''"),
    )


def downgrade() -> None:
    op.drop_index("uq_excerpt_label", table_name="excerpt")
    op.drop_index("uq_coding_whole_once", table_name="coding")
    with op.batch_alter_table("coding") as batch:
        batch.drop_constraint(
            op.f("uq_coding_excerpt_id_component_id_stance_reviewer_id"), type_="unique"
        )
    op.drop_table("sign_in_lock")
    op.drop_index("ix_sign_in_attempt_client_at", table_name="sign_in_attempt")
    op.drop_index("ix_sign_in_attempt_account_key_at", table_name="sign_in_attempt")
    op.drop_table("sign_in_attempt")
    op.drop_index(op.f("ix_web_session_reviewer_id"), table_name="web_session")
    op.drop_table("web_session")
