"""The review store: tables, connection, migrations and repositories.

``open_store`` and ``create_store`` are the only ways in; both check the schema so that a
file that is not a review, or one written by a newer Realist, is refused before any write.
"""

from realist.store.connect import Store, create_store, open_store, resolve_url

__all__ = ["Store", "create_store", "open_store", "resolve_url"]
