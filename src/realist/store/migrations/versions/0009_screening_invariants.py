"""screening invariants held by the database: one current vote per reviewer, record and
stage, one current resolution per record and stage; leases for single screening

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_decision = sa.table(
    "screening_decision",
    sa.column("id", sa.Integer),
    sa.column("record_id", sa.Integer),
    sa.column("stage", sa.String),
    sa.column("reviewer_id", sa.Integer),
    sa.column("resolves_conflict", sa.Boolean),
    sa.column("superseded", sa.Boolean),
)

_CURRENT_VOTE = "NOT superseded AND NOT resolves_conflict"
_CURRENT_RESOLUTION = "NOT superseded AND resolves_conflict"


def _mark_superseded() -> None:
    """Every decision but a reviewer's latest on a record at a stage (and every resolution
    but a record's latest at a stage) was replaced: it was already read that way."""
    d = _decision
    latest_votes = (
        sa.select(sa.func.max(d.c.id))
        .where(d.c.resolves_conflict.is_(False))
        .group_by(d.c.record_id, d.c.stage, d.c.reviewer_id)
    )
    latest_resolutions = (
        sa.select(sa.func.max(d.c.id))
        .where(d.c.resolves_conflict.is_(True))
        .group_by(d.c.record_id, d.c.stage)
    )
    op.get_bind().execute(
        d.update()
        .where(d.c.id.not_in(latest_votes.union(latest_resolutions).scalar_subquery()))
        .values(superseded=True)
    )


def upgrade() -> None:
    with op.batch_alter_table("screening_decision", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _mark_superseded()
    op.create_index(
        "uq_screening_decision_current_vote",
        "screening_decision",
        ["record_id", "stage", "reviewer_id"],
        unique=True,
        sqlite_where=sa.text(_CURRENT_VOTE),
        postgresql_where=sa.text(_CURRENT_VOTE),
    )
    op.create_index(
        "uq_screening_decision_current_resolution",
        "screening_decision",
        ["record_id", "stage"],
        unique=True,
        sqlite_where=sa.text(_CURRENT_RESOLUTION),
        postgresql_where=sa.text(_CURRENT_RESOLUTION),
    )
    op.create_table(
        "screening_lease",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "title_abstract",
                "full_text",
                name="stage",
                native_enum=False,
                length=32,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["record.id"],
            name=op.f("fk_screening_lease_record_id_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewer.id"],
            name=op.f("fk_screening_lease_reviewer_id_reviewer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("record_id", "stage", name=op.f("pk_screening_lease")),
        sa.UniqueConstraint(
            "reviewer_id", "stage", name=op.f("uq_screening_lease_reviewer_id_stage")
        ),
    )


def downgrade() -> None:
    op.drop_table("screening_lease")
    op.drop_index("uq_screening_decision_current_resolution", table_name="screening_decision")
    op.drop_index("uq_screening_decision_current_vote", table_name="screening_decision")
    # Superseded decisions stay (they were kept before this revision too).
    with op.batch_alter_table("screening_decision", schema=None) as batch_op:
        batch_op.drop_column("superseded")
