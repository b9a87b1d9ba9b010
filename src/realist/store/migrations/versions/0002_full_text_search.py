"""Full-text search over documents and excerpts.

SQLite: an FTS5 table ``search_index`` (body; kind and ref unindexed), filled by the
repositories when a text version or an excerpt is written (both are immutable, so no
triggers are needed). PostgreSQL: GIN indexes on ``to_tsvector('english', text)``, so the
tables themselves are searched.

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
        op.execute(
            "CREATE INDEX ix_document_text_search ON document_text "
            "USING gin (to_tsvector('english', text))"
        )
        op.execute(
            "CREATE INDEX ix_excerpt_search ON excerpt USING gin (to_tsvector('english', text))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE search_index")
    else:
        op.execute("DROP INDEX ix_document_text_search")
        op.execute("DROP INDEX ix_excerpt_search")
