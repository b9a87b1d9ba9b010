"""Numbers a request may carry: every one bounded, so none reaches the database out of range.

Ids above the integer range used to end in HTTP 500: SQLite stores integers of up to 2^63 - 1
and the driver raises OverflowError above that; PostgreSQL's INTEGER ends at 2^31 - 1 and
raises NumericValueOutOfRange. Every id, number, offset and position that a route accepts
(in the path, the query, a form or a JSON body) is therefore one of the types below, whose
bounds Pydantic checks before the handler runs: a request out of range is a 422 naming the
field. ``tests/web/test_ids.py`` walks every route and refuses an unbounded integer.
"""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval

from realist.domain.identifiers import MAX_ID

__all__ = ["MAX_ID", "Id", "Position"]

Id = Annotated[int, Interval(ge=1, le=MAX_ID)]
"""A row's id or a number people give (record, excerpt, coding, batch, group, intervention)."""

Position = Annotated[int, Interval(ge=0, le=MAX_ID)]
"""An offset into a text (code points), a place in a list, a count to skip."""
