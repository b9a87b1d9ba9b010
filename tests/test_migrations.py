"""The migrations build exactly the schema the code describes, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from realist.store import create_store
from realist.store.schema import metadata
from realist.store.search import is_search_structure


def _not_search_index(obj: object, name: str | None, type_: str, *_: object) -> bool:
    return not is_search_structure(type_, name)


def test_migrated_schema_matches_the_tables_in_code(db_target: str) -> None:
    store = create_store(db_target)
    with store.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": _not_search_index, "compare_type": True}
        )
        assert compare_metadata(context, metadata) == []
    store.close()
