"""What a review expects of its interventions: the attributes every intervention should
have (e.g. format and country). A review's own setting, empty until set: `realist check`,
the dashboard and the review report name an intervention that lacks one of them.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import Connection

from realist.errors import InvalidInput
from realist.store import Store
from realist.store import reviews as reviews_repo
from realist.store.events import append_event

__all__ = ["EXPECTED_ATTRIBUTES", "expected_attributes", "set_expected_attributes"]

EXPECTED_ATTRIBUTES = "expected_attributes"  # the review_setting's name
_NAME = re.compile(r"\S(?:.{0,98}\S)?")


def expected_of(connection: Connection) -> list[str]:
    """The expected attributes, read in the caller's transaction."""
    value = reviews_repo.get_setting(connection, EXPECTED_ATTRIBUTES)
    return [str(v) for v in value] if isinstance(value, list) else []


def expected_attributes(store: Store) -> list[str]:
    """The attributes every intervention of this review should have, in the order set."""
    with store.reading() as connection:
        return expected_of(connection)


def set_expected_attributes(store: Store, names: list[str], reviewer: str | None) -> list[str]:
    """Replace the expected attributes with ``names`` (an empty list expects none)."""
    cleaned = list(dict.fromkeys(n.strip() for n in names))
    bad = [n for n in cleaned if not _NAME.fullmatch(n)]
    if bad:
        raise InvalidInput(f"an attribute's name is 1-100 characters, not {bad[0]!r}")
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        before = expected_of(connection)
        reviews_repo.set_setting(connection, EXPECTED_ATTRIBUTES, cleaned)
        append_event(connection, "interventions.expected_attributes", key, "interventions",
                     {"from": before, "to": cleaned})  # fmt: skip
    return cleaned
