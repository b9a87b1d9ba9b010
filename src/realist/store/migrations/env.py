"""Alembic environment: Realist always passes an open connection (see store.connect)."""

from alembic import context

from realist.store.schema import metadata
from realist.store.search import is_search_structure

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic's own CLI is used
    raise SystemExit("run migrations through realist (realist.store.open_store)")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    return not is_search_structure(type_, name)


context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
