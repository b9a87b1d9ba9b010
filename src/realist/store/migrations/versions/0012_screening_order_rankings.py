"""prioritised screening: the queue order per stage, and a record of every ranking made

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

A review made before this has no order set: its title/abstract queue becomes prioritised
(the stage's default), its full-text queue stays in record order.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _stage() -> sa.Enum:
    return _enum("stage", "title_abstract", "full_text")


def _order() -> sa.Enum:
    return _enum("screening_order", "prioritised", "file", "random")


def upgrade() -> None:
    op.create_table(
        "screening_order",
        sa.Column("stage", _stage(), nullable=False),
        sa.Column("queue_order", _order(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("stage", name=op.f("pk_screening_order")),
    )
    op.create_table(
        "ranking_fit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("stage", _stage(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("queue_order", _order(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("through_decision", sa.Integer(), nullable=True),
        sa.Column("through_event", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("ranked", sa.Integer(), nullable=False),
        sa.Column("features", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["reviewer.id"], name=op.f("fk_ranking_fit_reviewer_id_reviewer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ranking_fit")),
    )
    op.create_index(op.f("ix_ranking_fit_reviewer_id"), "ranking_fit", ["reviewer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_ranking_fit_reviewer_id"), table_name="ranking_fit")
    op.drop_table("ranking_fit")
    op.drop_table("screening_order")
