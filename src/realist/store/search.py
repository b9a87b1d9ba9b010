"""Full-text search over document texts and excerpts (SQLite FTS5 or PostgreSQL)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

TOKEN = re.compile(r"\w+\*?", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    kind: str  # "document" (a document_text id) or "excerpt" (an excerpt id)
    ref: int
    rank: float


def is_search_structure(type_: str, name: str | None) -> bool:
    """Whether a table, index or column belongs to full-text search; migration 0002 makes
    those by hand, so schema comparisons (autogenerate, tests) leave them out."""
    if name is None:
        return False
    return (
        (type_ == "table" and name.startswith("search_index"))
        or (type_ == "index" and name.endswith("_search"))
        or (type_ == "column" and name == "search_vector")
    )


def index_text(connection: Connection, kind: str, ref: int, body: str) -> None:
    """Add an immutable text to the index (PostgreSQL indexes its tables itself)."""
    if connection.dialect.name == "sqlite":
        connection.execute(
            sa.text("INSERT INTO search_index (body, kind, ref) VALUES (:body, :kind, :ref)"),
            {"body": body, "kind": kind, "ref": ref},
        )


def unindex(connection: Connection, kind: str, ref: int) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(
            sa.text("DELETE FROM search_index WHERE kind = :kind AND ref = :ref"),
            {"kind": kind, "ref": ref},
        )


def query_terms(query: str) -> list[str]:
    """The words of a query; a trailing * keeps a prefix search."""
    return TOKEN.findall(query)


def search(connection: Connection, query: str, limit: int = 50) -> list[Hit]:
    """Texts matching every word of ``query``, best first."""
    terms = query_terms(query)
    if not terms:
        return []
    if connection.dialect.name == "sqlite":
        fts = " AND ".join(f'"{t[:-1]}"*' if t.endswith("*") else f'"{t}"' for t in terms)
        rows = connection.execute(
            sa.text(
                "SELECT kind, ref, rank FROM search_index WHERE search_index MATCH :q "
                "ORDER BY rank LIMIT :limit"
            ),
            {"q": fts, "limit": limit},
        )
        return [Hit(r.kind, int(r.ref), float(r.rank)) for r in rows]
    tsquery = " & ".join(f"{t[:-1]}:*" if t.endswith("*") else t for t in terms)
    rows = connection.execute(
        sa.text(
            "SELECT 'document' AS kind, id AS ref, ts_rank(search_vector, q) AS rank "
            "FROM document_text, to_tsquery('english', :q) q WHERE search_vector @@ q "
            "UNION ALL "
            "SELECT 'excerpt', id, ts_rank(search_vector, q) "
            "FROM excerpt, to_tsquery('english', :q) q WHERE search_vector @@ q "
            "ORDER BY rank DESC LIMIT :limit"
        ),
        {"q": tsquery, "limit": limit},
    )
    return [Hit(r.kind, int(r.ref), -float(r.rank)) for r in rows]
