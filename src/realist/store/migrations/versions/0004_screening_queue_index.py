"""An index for the screening queue: decisions by record, stage and reviewer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_screening_decision_record_stage",
        "screening_decision",
        ["record_id", "stage", "reviewer_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_screening_decision_record_stage", table_name="screening_decision")
