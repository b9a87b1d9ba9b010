"""Realist: a workbench for realist reviews, from search records to a tested programme theory.

The public Python API is small on purpose (a test checks ``__all__``): open or create a
review store, and the error tree. Use cases live in :mod:`realist.services`. The store
(and with it SQLAlchemy) loads on first use, so a command that needs neither, such as
``realist --version``, does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from realist._version import __version__
from realist.errors import (
    InvalidInput,
    NoReview,
    NotAReview,
    NotFound,
    RealistError,
    ReviewExists,
    SchemaTooNew,
    StoreBusy,
    StoreError,
    UnsupportedDatabase,
)

if TYPE_CHECKING:
    from realist.store import Store, create_store, open_store

__all__ = [
    "InvalidInput",
    "NoReview",
    "NotAReview",
    "NotFound",
    "RealistError",
    "ReviewExists",
    "SchemaTooNew",
    "Store",
    "StoreBusy",
    "StoreError",
    "UnsupportedDatabase",
    "__version__",
    "create_store",
    "open_store",
]

_STORE = ("Store", "create_store", "open_store")


def __getattr__(name: str) -> Any:
    if name in _STORE:
        from realist import store

        return getattr(store, name)
    raise AttributeError(f"module 'realist' has no attribute {name!r}")
