"""records searched by author and accent-insensitively, author-year citations set by hand,
stated counts that say how they are computed

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

from realist.domain.folding import record_search_text

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_CHUNK = 2_000

_record = sa.table(
    "record",
    sa.column("id", sa.Integer),
    sa.column("title", sa.Text),
    sa.column("authors", sa.JSON),
    sa.column("journal", sa.Text),
    sa.column("doi", sa.String),
    sa.column("year", sa.Integer),
    sa.column("pmid", sa.String),
    sa.column("search_text", sa.Text),
)


def _fill_search_text() -> None:
    """The folded search text of every record already stored (imports write it later)."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(_record).where(_record.c.id > last).order_by(_record.c.id).limit(_CHUNK)
        ).all()
        if not rows:
            return
        connection.execute(
            _record.update()
            .where(_record.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [
                {
                    "row_id": r.id,
                    "text": record_search_text(
                        r.title, r.authors or [], r.journal, r.doi, r.year, r.pmid
                    ),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _fill_search_text()
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cite_as", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("stated_count", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rule", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stated_count", schema=None) as batch_op:
        batch_op.drop_column("rule")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_column("cite_as")
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_column("search_text")
