"""Realist's exceptions: one tree, so callers can catch as broadly or narrowly as they need.

    RealistError                 anything Realist raises on purpose
    ├── StoreError               the review store cannot be used
    │   ├── UnsupportedDatabase  an unknown URL scheme (neither a path, sqlite:// nor postgresql://)
    │   ├── NotAReview           the file or database exists but is not a Realist review
    │   ├── SchemaTooNew         the review was written by a newer Realist
    │   ├── NoReview             no review has been created here yet (run `realist init`)
    │   ├── ReviewExists         `init` on a store that already holds a review
    │   └── StoreBusy            another writer held the store too long; nothing was changed
    ├── NotFound                 a named thing (configuration, document, ...) does not exist
    ├── InvalidInput             input that breaks a rule; says which file, line or field
    └── NotAllowed               the acting reviewer may not do this (e.g. blinded screening)
        └── NotPermitted         another reviewer's work, which only they or an owner change

The CLI turns every RealistError into one line on stderr and a non-zero exit.
"""

from __future__ import annotations


class RealistError(Exception):
    """Base class of every error Realist raises on purpose."""


class StoreError(RealistError):
    """The review store cannot be opened or used."""


class UnsupportedDatabase(StoreError):
    """The database URL has a scheme Realist does not speak."""


class NotAReview(StoreError):
    """The file or database exists but does not hold a Realist review."""


class SchemaTooNew(StoreError):
    """The review's schema was written by a newer version of Realist."""


class NoReview(StoreError):
    """The store is empty: no review has been created in it."""


class ReviewExists(StoreError):
    """A review already exists where a new one was to be created."""


class StoreBusy(StoreError):
    """Another writer held the store longer than this one would wait (``lock_wait``):
    nothing was changed, and trying again shortly will work. The web answers 503."""

    retry_after = 2  # seconds a client should wait before trying again


class NotFound(RealistError):
    """A named object does not exist in the review."""


class InvalidInput(RealistError):
    """Input breaks a rule of the domain; the message names the file, line or field."""


class NotAllowed(RealistError):
    """The acting reviewer may not do this: a rule of the method (blinded dual screening,
    who may resolve a conflict) or of their role forbids it. The web answers 403."""


class NotPermitted(NotAllowed):
    """The acting reviewer may not change this: it is another reviewer's work (their
    coding, excerpt or its appraisal), which only they or an owner may change."""
