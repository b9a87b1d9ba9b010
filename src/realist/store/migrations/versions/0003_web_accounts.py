"""web accounts: a password hash per reviewer, for signing in to a shared web server

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("password_set_at", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["reviewer.id"],
            name=op.f("fk_account_reviewer_id_reviewer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reviewer_id", name=op.f("pk_account")),
    )


def downgrade() -> None:
    op.drop_table("account")
