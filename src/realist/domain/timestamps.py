"""Timestamps as people read them.

The store keeps ISO 8601 UTC text to the microsecond (``2026-12-02T14:05:09.123456+00:00``:
it sorts, and JSON carries it unchanged). People are shown the minute, in words, with the
zone said: "2 Dec 2026, 14:05 UTC". Every page, command and report that shows a time to a
person goes through :func:`for_people` (the web's ``when`` filter), so none prints the raw
form; JSON keeps ISO.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["day_for_people", "for_people"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    # A time without a zone was written by Realist, which writes UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def day_for_people(value: str | datetime | None) -> str:
    """The day of a timestamp: "2 Dec 2026" ("" for none; text that is not a time is
    returned as it is, since it is what someone wrote)."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else str(value)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def for_people(value: str | datetime | None) -> str:
    """A timestamp to the minute in UTC: "2 Dec 2026, 14:05 UTC" ("" for none; text that
    is not a time is returned as it is)."""
    moment = _moment(value)
    if moment is None:
        return "" if value is None else str(value)
    return f"{day_for_people(moment)}, {moment:%H:%M} UTC"
