"""Realist: a workbench for realist reviews, from search records to a tested programme theory.

The public Python API is small on purpose (a test checks ``__all__``): open or create a
review store, and the error tree. Use cases live in :mod:`realist.services`.
"""

from importlib.metadata import PackageNotFoundError, version

from realist.errors import (
    InvalidInput,
    NoReview,
    NotAReview,
    NotFound,
    RealistError,
    ReviewExists,
    SchemaTooNew,
    StoreError,
    UnsupportedDatabase,
)
from realist.store import Store, create_store, open_store

try:
    __version__ = version("realist")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "InvalidInput",
    "NoReview",
    "NotAReview",
    "NotFound",
    "RealistError",
    "ReviewExists",
    "SchemaTooNew",
    "Store",
    "StoreError",
    "UnsupportedDatabase",
    "__version__",
    "create_store",
    "open_store",
]
