"""a reviewer's own review: reports not retrieved, attach overrides, search strings per
source, retired criteria and reviewers, MMAT components, duplicate decisions by hand

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_DECISIONS = ("include", "exclude", "maybe")
NEW_DECISIONS = (*OLD_DECISIONS, "not_retrieved")


def _decision(values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name="decision", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    with op.batch_alter_table("screening_decision", schema=None) as batch_op:
        batch_op.alter_column(
            "decision", existing_type=_decision(OLD_DECISIONS), type_=_decision(NEW_DECISIONS)
        )
        batch_op.create_check_constraint(
            "not_retrieved_at_full_text", "decision <> 'not_retrieved' OR stage = 'full_text'"
        )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inclusion_override", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_string", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("limits", sa.Text(), nullable=False, server_default=""))
    for table in ("criterion", "reviewer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("retired", sa.Boolean(), nullable=False, server_default=sa.false())
            )
    with op.batch_alter_table("mmat_appraisal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("components", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("duplicate_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decided_by", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_duplicate_group_decided_by"), ["decided_by"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_duplicate_group_decided_by_reviewer"),
            "reviewer",
            ["decided_by"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("duplicate_group", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_duplicate_group_decided_by_reviewer"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_duplicate_group_decided_by"))
        batch_op.drop_column("decided_by")
    with op.batch_alter_table("mmat_appraisal", schema=None) as batch_op:
        batch_op.drop_column("components")
    for table in ("criterion", "reviewer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("retired")
    with op.batch_alter_table("source", schema=None) as batch_op:
        batch_op.drop_column("limits")
        batch_op.drop_column("search_string")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("inclusion_override")
    op.execute("DELETE FROM screening_decision WHERE decision = 'not_retrieved'")
    with op.batch_alter_table("screening_decision", schema=None) as batch_op:
        batch_op.drop_constraint("not_retrieved_at_full_text", type_="check")
        batch_op.alter_column(
            "decision", existing_type=_decision(NEW_DECISIONS), type_=_decision(OLD_DECISIONS)
        )
