"""Full-text search over document texts and excerpts (SQLite FTS5 or PostgreSQL).

Both databases keep a ``search_index`` table beside the texts (migration 0007): an FTS5
table on SQLite, a table with a GIN-indexed ``tsvector`` on PostgreSQL. Each row is the
search folding of one immutable text (:mod:`realist.domain.textsearch`), written by the
repositories in the same transaction as the text, so both databases fold accents,
ligatures and line-end hyphenation the same way, in the text and in the query.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain.textsearch import QueryPart, index_body


@dataclass(frozen=True)
class Hit:
    kind: str  # "document" (a document_text id) or "excerpt" (an excerpt id)
    ref: int
    rank: float


def is_search_structure(type_: str, name: str | None) -> bool:
    """Whether a table, index or column belongs to full-text search; migrations 0002 and
    0007 make those by hand, so schema comparisons (autogenerate, tests) leave them out."""
    if name is None:
        return False
    return (
        (type_ == "table" and name.startswith("search_index"))
        or (type_ == "index" and name.endswith("_search"))
        or (type_ == "column" and name == "search_vector")
    )


def index_text(connection: Connection, kind: str, ref: int, body: str) -> None:
    """Add an immutable text (a document's text version, or an excerpt) to the index, as
    its search folding (:func:`realist.domain.textsearch.index_body`)."""
    folded = index_body(body)
    if connection.dialect.name == "sqlite":
        statement = "INSERT INTO search_index (body, kind, ref) VALUES (:body, :kind, :ref)"
    else:
        statement = (
            "INSERT INTO search_index (kind, ref, vector) "
            "VALUES (:kind, :ref, to_tsvector('english', :body))"
        )
    connection.execute(sa.text(statement), {"body": folded, "kind": kind, "ref": ref})


def unindex(connection: Connection, kind: str, ref: int) -> None:
    connection.execute(
        sa.text("DELETE FROM search_index WHERE kind = :kind AND ref = :ref"),
        {"kind": kind, "ref": ref},
    )


def rebuild_index(connection: Connection) -> None:
    """Index every text version and excerpt afresh (after a restore, or a new folding)."""
    connection.execute(sa.text("DELETE FROM search_index"))
    for kind, table in (("document", "document_text"), ("excerpt", "excerpt")):
        last = -1
        while True:  # in chunks, so a large review's texts are never all in memory
            rows = connection.execute(
                sa.text(f"SELECT id, text FROM {table} WHERE id > :last ORDER BY id LIMIT 100"),
                {"last": last},
            ).all()
            for row in rows:
                index_text(connection, kind, int(row.id), row.text)
            if len(rows) < 100:
                break
            last = int(rows[-1].id)


# Document texts that are their document's newest version: a superseded version is never
# a hit (its excerpts still are, as excerpts). Only rows whose text still exists count, so
# an index row left by a deletion (cascading from a document) is never a hit either.
_CURRENT = (
    "((kind = 'excerpt' AND ref IN (SELECT id FROM excerpt)) OR (kind = 'document' AND ref IN "
    "(SELECT t.id FROM document_text t WHERE t.version = "
    "(SELECT max(v.version) FROM document_text v WHERE v.document_id = t.document_id))))"
)


def search(connection: Connection, parts: list[QueryPart], limit: int = 50) -> list[Hit]:
    """Current document texts and excerpts matching every part of a parsed query, best
    first (:func:`realist.domain.textsearch.parse_query`)."""
    if not parts:
        return []
    if connection.dialect.name == "sqlite":
        fts = " AND ".join(
            '"' + " ".join(p.words) + '"' + (" *" if p.prefix else "") for p in parts
        )
        rows = connection.execute(
            sa.text(
                "SELECT kind, ref, rank FROM search_index WHERE search_index MATCH :q "
                f"AND {_CURRENT} ORDER BY rank LIMIT :limit"
            ),
            {"q": fts, "limit": limit},
        )
        return [Hit(r.kind, int(r.ref), float(r.rank)) for r in rows]
    terms, values = _tsquery(parts)
    rows = connection.execute(
        sa.text(
            "SELECT kind, ref, ts_rank(vector, q) AS rank "
            f"FROM search_index, (SELECT {terms} AS q) AS query WHERE vector @@ q "
            f"AND {_CURRENT} ORDER BY rank DESC, kind, ref LIMIT :limit"
        ),
        {**values, "limit": limit},
    )
    return [Hit(r.kind, int(r.ref), -float(r.rank)) for r in rows]


def _tsquery(parts: list[QueryPart]) -> tuple[str, dict[str, str]]:
    """A PostgreSQL tsquery for the parts, all values bound (words are letters and digits
    only, so a prefix's ``:*`` is the only syntax that reaches to_tsquery)."""
    pieces, values = [], {}
    for i, part in enumerate(parts):
        words = part.words[:-1] if part.prefix else part.words
        piece = ""
        if words:
            values[f"p{i}"] = " ".join(words)
            piece = f"phraseto_tsquery('english', :p{i})"
        if part.prefix:
            values[f"x{i}"] = part.words[-1] + ":*"
            last = f"to_tsquery('english', :x{i})"
            piece = f"tsquery_phrase({piece}, {last})" if piece else last
        pieces.append(piece)
    return " && ".join(pieces), values
