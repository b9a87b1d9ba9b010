"""Full-text search folds text and query the same way on both databases.

The index now holds each text's search folding (realist.domain.textsearch: accents removed,
case folded, ligatures expanded, line-end hyphenation joined) rather than the raw text, so
"saude" finds "saúde" on PostgreSQL as it did on SQLite. SQLite keeps its FTS5 table, filled
afresh. PostgreSQL gets a ``search_index`` table (kind, ref, tsvector) in place of the
generated ``search_vector`` columns, since the folding is Python's and a generated column
can only call SQL.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op

from realist.store.search import rebuild_index

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TABLES = ("document_text", "excerpt")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for table in TABLES:
            op.execute(f"DROP INDEX ix_{table}_search")
            op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")
        op.execute(
            "CREATE TABLE search_index (kind VARCHAR(16) NOT NULL, ref INTEGER NOT NULL, "
            "vector TSVECTOR NOT NULL, PRIMARY KEY (kind, ref))"
        )
        op.execute("CREATE INDEX ix_search_index_search ON search_index USING gin (vector)")
    rebuild_index(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DELETE FROM search_index")
        for kind, table in (("document", "document_text"), ("excerpt", "excerpt")):
            op.execute(
                f"INSERT INTO search_index (body, kind, ref) SELECT text, '{kind}', id FROM {table}"
            )
        return
    op.execute("DROP TABLE search_index")
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('english', text)) STORED"
        )
        op.execute(f"CREATE INDEX ix_{table}_search ON {table} USING gin (search_vector)")
