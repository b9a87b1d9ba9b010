"""imports written in short transactions (a batch's state, owner and heartbeat), and web
import jobs kept in the database for every server process

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH_STATES = "'importing', 'complete', 'abandoned'"


def upgrade() -> None:
    # Plain ADD COLUMN on both databases: rebuilding import_batch on SQLite (batch mode)
    # would drop the old table, and the drop would cascade to every record.
    check = f"CONSTRAINT ck_import_batch_batch_state CHECK (state IN ({BATCH_STATES}))"
    op.execute(
        "ALTER TABLE import_batch ADD COLUMN state VARCHAR(32) DEFAULT 'complete' NOT NULL " + check
    )
    op.add_column("import_batch", sa.Column("owner", sa.String(length=200), nullable=True))
    op.add_column("import_batch", sa.Column("heartbeat_at", sa.String(length=32), nullable=True))
    op.add_column(
        "import_batch",
        sa.Column("made_source", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "import_job",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "running",
                "done",
                "failed",
                name="job_state",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("heartbeat_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_job")),
    )


def downgrade() -> None:
    op.drop_table("import_job")
    # Unfinished imports were never visible; without the state they would be.
    op.execute(
        "DELETE FROM record WHERE batch_id IN "
        "(SELECT id FROM import_batch WHERE state <> 'complete')"
    )
    op.execute("DELETE FROM import_batch WHERE state <> 'complete'")
    # Plain DROP COLUMN (SQLite 3.35 and later, PostgreSQL), for the reason in upgrade.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE import_batch DROP CONSTRAINT ck_import_batch_batch_state")
    for column in ("made_source", "heartbeat_at", "owner", "state"):
        op.execute(f"ALTER TABLE import_batch DROP COLUMN {column}")
