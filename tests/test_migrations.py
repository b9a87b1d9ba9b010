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


def test_revisions_read_from_the_files_agree_with_alembic() -> None:
    """Opening a review reads revisions without Alembic (store.revisions); they must be
    Alembic's own."""
    from alembic.script import ScriptDirectory

    from realist.store.connect import _alembic_config
    from realist.store.revisions import head_revision, known_revisions

    script = ScriptDirectory.from_config(_alembic_config())
    assert head_revision() == script.get_current_head()
    assert known_revisions() == {r.revision for r in script.walk_revisions()}
