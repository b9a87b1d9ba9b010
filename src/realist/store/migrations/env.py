"""Alembic environment: Realist always passes an open connection (see store.connect)."""

from alembic import context

from realist.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when alembic's own CLI is used
    raise SystemExit("run migrations through realist (realist.store.open_store)")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    # The full-text index tables are made by hand in migration 0002, not from metadata.
    if name is None:
        return True
    return not (
        (type_ == "table" and name.startswith("search_index"))
        or (type_ == "index" and name.endswith("_search"))
        or (type_ == "column" and name == "search_vector")
    )


context.configure(
    connection=connection,
    include_object=include_object,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
