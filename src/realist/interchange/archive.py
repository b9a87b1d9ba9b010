"""The whole-review archive: every table as JSON, plus the stored original documents.

Layout of ``review.realist.zip`` (docs/INTERCHANGE.md has the details):

- ``manifest.json``: format name and version, the Alembic schema revision, the Realist
  version that wrote it, and the row count of every table;
- ``tables/<table>.json``: a JSON array of the table's rows in primary-key order, each row
  an object with sorted keys (one row per line, so archives diff well);
- ``documents/<id>/<filename>``: the bytes of each ``document_file`` row, whose ``data``
  value in the JSON is ``{"file": "documents/<id>/<filename>"}``.

Restoring inserts the rows with their own ids, in foreign-key order, into an empty store
of the same schema revision; then PostgreSQL's sequences are moved past the highest ids and
SQLite's full-text index is rebuilt from the texts and excerpts (it is derived data, kept
out of the archive).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

import realist.store
from realist.errors import InvalidInput, SchemaTooNew
from realist.interchange.zips import ZipReader
from realist.store import batches
from realist.store.schema import metadata
from realist.store.search import rebuild_index

__all__ = ["FORMAT", "FORMAT_VERSION", "dump", "read_manifest", "restore"]

FORMAT = "realist-archive"
FORMAT_VERSION = 1
_CHUNK = 1_000
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


_DERIVED = ("alembic_version", "search_index")  # kept in the manifest, or rebuilt


def archived_tables() -> list[sa.Table]:
    """Every table of the schema, parents before children (so a restore never inserts a row
    before what it points at)."""
    # Each store module registers its own tables on the shared metadata when imported;
    # importing them all means a table added later is archived without a change here.
    for module in pkgutil.iter_modules(realist.store.__path__):
        if module.name != "migrations":
            importlib.import_module(f"realist.store.{module.name}")
    return [t for t in metadata.sorted_tables if t.name not in NOT_ARCHIVED]


# Web accounts (password hashes), the server's cookie-signing secret and its sign-in state
# (sessions, attempts) belong to the server a review runs on, not to its content; so do
# screening leases (a queue's hold on a record for a few minutes) and import jobs.
NOT_ARCHIVED = frozenset(
    {
        "account",
        "server_secret",
        "web_session",
        "sign_in_attempt",
        "sign_in_lock",
        "screening_lease",
        "import_job",
    }
)


def _check_complete(connection: Connection) -> None:
    """Refuse to archive a store holding a table the schema does not know: it would be lost."""
    known = {t.name for t in archived_tables()} | NOT_ARCHIVED
    unknown = [
        name
        for name in sa.inspect(connection).get_table_names()
        if name not in known and not name.startswith(_DERIVED)
    ]
    if unknown:
        raise InvalidInput(f"the store has tables this Realist cannot archive: {unknown}")


def _finished(table: sa.Table) -> list[sa.ColumnElement[bool]]:
    """An import still being written is not part of the review yet (store.batches)."""
    if table.name == "record":
        return [batches.VISIBLE]
    if table.name == "import_batch":
        return [batches.COMPLETE]
    if table.name == "import_problem":
        return [table.c.batch_id.not_in(batches.UNFINISHED)]
    if table.name == "source":
        return [batches.SOURCE_VISIBLE]
    return []


def _order(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns)


def _blob_name(table: sa.Table, row: dict[str, Any], column: str) -> str:
    key = "-".join(str(row[c.name]) for c in _order(table))
    if table.name == "document_file":
        filename = _UNSAFE.sub("_", str(row.get("filename") or "")).lstrip("._")[:100]
        return f"documents/{key}/{filename or 'file'}"
    return f"blobs/{table.name}/{key}-{column}.bin"


def _dumps(value: object) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def dump(
    connection: Connection, revision: str, version: str
) -> tuple[list[tuple[str, bytes]], dict[str, int]]:
    """The archive's members (name, bytes), manifest first, in a fixed order; and the row
    count of every table."""
    _check_complete(connection)
    tables: list[tuple[str, bytes]] = []
    files: list[tuple[str, bytes]] = []
    counts: dict[str, int] = {}
    for table in archived_tables():
        binary = [c.name for c in table.columns if isinstance(c.type, sa.LargeBinary)]
        lines = []
        query = sa.select(table).where(*_finished(table)).order_by(*_order(table))
        for row in connection.execute(query):
            values = {str(k): v for k, v in row._mapping.items()}
            for column in binary:
                if values[column] is not None:
                    name = _blob_name(table, values, column)
                    files.append((name, bytes(values[column])))
                    values[column] = {"file": name}
            lines.append(_dumps(values))
        counts[str(table.name)] = len(lines)
        body = b"[\n" + b",\n".join(lines) + b"\n]\n" if lines else b"[]\n"
        tables.append((f"tables/{table.name}.json", body))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": revision,
        "realist_version": version,
        "tables": counts,
    }
    head = orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"
    return [("manifest.json", head), *tables, *files], counts


def read_manifest(archive: ZipReader, head: str, known: set[str]) -> dict[str, Any]:
    """The archive's manifest, checked: our format, a version and schema this code reads."""
    where = f"{archive.path}: manifest.json"
    if archive.find("manifest.json") != "manifest.json":
        raise InvalidInput(f"{archive.path}: no manifest.json (not a Realist archive)")
    try:
        manifest = orjson.loads(archive.read("manifest.json"))
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"{where}: not JSON ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InvalidInput(f"{where}: not a Realist archive (format is not {FORMAT!r})")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise InvalidInput(f"{where}: format_version must be a positive number")
    if version > FORMAT_VERSION:
        raise SchemaTooNew(
            f"{archive.path} is archive format {version}, written by a newer Realist "
            f"(this one reads format {FORMAT_VERSION}); upgrade Realist to import it"
        )
    revision = manifest.get("schema_revision")
    if revision != head:
        if revision in known:
            raise InvalidInput(
                f"{where}: schema revision {revision} is older than this Realist's ({head}); "
                "import it with the Realist version that wrote it, then upgrade the store"
            )
        raise SchemaTooNew(
            f"{archive.path} has schema revision {revision!r}, unknown to this Realist "
            "(written by a newer one?); upgrade Realist to import it"
        )
    if not isinstance(manifest.get("tables"), dict):
        raise InvalidInput(f"{where}: no table counts")
    return manifest


def _rows(archive: ZipReader, table: sa.Table, expected: int) -> list[dict[str, Any]]:
    name = f"tables/{table.name}.json"
    if archive.find(name) != name:
        raise InvalidInput(f"{archive.path}: {name} is missing")
    try:
        rows = orjson.loads(archive.read(name))
    except orjson.JSONDecodeError as error:
        raise InvalidInput(f"{archive.path}: {name}: not JSON ({error})") from None
    if not isinstance(rows, list) or len(rows) != expected:
        raise InvalidInput(f"{archive.path}: {name}: expected a list of {expected} rows")
    columns = set(table.columns.keys())
    binary = {c.name for c in table.columns if isinstance(c.type, sa.LargeBinary)}
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) != columns:
            raise InvalidInput(
                f"{archive.path}: {name}: row {number} does not have the columns of {table.name}"
            )
        for column in binary & set(row):
            reference = row[column]
            if reference is None:
                continue
            path = reference.get("file") if isinstance(reference, dict) else None
            if not isinstance(path, str) or archive.find(path) != path:
                raise InvalidInput(f"{archive.path}: {name}: row {number}: {column} file missing")
            row[column] = archive.read(path)
    return rows


def _self_references(table: sa.Table) -> list[str]:
    """Columns pointing at their own table (a merged record's keeper may come later)."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def restore(connection: Connection, archive: ZipReader, manifest: dict[str, Any]) -> dict[str, int]:
    """Insert every table's rows, ids included, into the (empty) store; returns row counts."""
    counts: dict[str, int] = {}
    for table in archived_tables():
        expected = manifest["tables"].get(table.name, 0)
        if not isinstance(expected, int) or expected < 0:
            raise InvalidInput(f"{archive.path}: manifest.json: bad row count for {table.name}")
        rows = _rows(archive, table, expected)
        later = _self_references(table)
        pending = [(row, {c: row[c] for c in later}) for row in rows if any(row[c] for c in later)]
        for row, _ in pending:
            row.update(dict.fromkeys(later))
        for start in range(0, len(rows), _CHUNK):
            if rows[start : start + _CHUNK]:
                connection.execute(table.insert(), rows[start : start + _CHUNK])
        key = _order(table)[0]
        for row, values in pending:
            connection.execute(table.update().where(key == row[key.name]).values(**values))
        counts[str(table.name)] = len(rows)
    _after_restore(connection)
    return counts


def _after_restore(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for table in archived_tables():
            key = _order(table)
            if len(key) == 1 and isinstance(key[0].type, sa.Integer) and key[0].autoincrement:
                # Explicit ids leave the sequence at 1; the next insert would collide.
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{key[0].name}'), "
                        f"COALESCE(MAX({key[0].name}), 1), MAX({key[0].name}) IS NOT NULL) "
                        f"FROM {table.name}"
                    )
                )
    # The same rows the repositories index as they write (store/search.py).
    rebuild_index(connection)
