"""Full-text search over documents and excerpts.

SQLite: an FTS5 table ``search_index`` (body; kind and ref unindexed), filled by the
repositories when a text version or an excerpt is written (both are immutable, so no
triggers are needed). PostgreSQL: a stored, generated ``search_vector`` column
(``to_tsvector('english', text)``) on both tables with a GIN index, so ranking reads the
stored vector instead of re-parsing every matching text.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE search_index USING fts5("
            "body, kind UNINDEXED, ref UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute(
            "INSERT INTO search_index (body, kind, ref) "
            "SELECT text, 'document', id FROM document_text"
        )
        op.execute(
            "INSERT INTO search_index (body, kind, ref) SELECT text, 'excerpt', id FROM excerpt"
        )
    else:
        for table in ("document_text", "excerpt"):
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
                "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
            )
            op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_index")
    else:
        for table in ("document_text", "excerpt"):
            op.execute(f"DROP INDEX ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
