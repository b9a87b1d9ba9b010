"""Dates a reviewer types: when a source was searched.

One rule for every place a date is typed (``realist import --searched``, ``realist source
--searched``, the web import form), so that what is stored is always a real date written
the same way. Accepted: an ISO date ``YYYY-MM-DD``, or a month ``YYYY-MM``, because papers
often give only the month of a search ("searched in March 2020") and the reference review
does. Refused, with a message naming the field, the value and the expected form: words
("yesterday"), other orders ("31/12/2024"), dates that do not exist ("2024-02-30"), years
that are not numbers ("20x0"), a year alone, and dates in the future.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

__all__ = ["EXPECTED", "date_problem", "parse_searched"]

EXPECTED = "a date as YYYY-MM-DD (e.g. 2024-03-01), or a month as YYYY-MM (e.g. 2024-03)"
_FORM = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_EARLIEST_YEAR = 1900  # no bibliographic database was searched before this


def date_problem(value: str, today: date | None = None) -> str:
    """Why ``value`` is not a searched date (an empty string when it is one).

    ``today`` is the machine's date unless given; a day's grace covers a reviewer whose
    time zone is ahead of the server's.
    """
    found = _FORM.fullmatch(value)
    if found is None:
        return "not a date in that form"
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        return f"there is no month {found.group(2)}"
    day = int(found.group(3)) if found.group(3) else 1
    try:
        when = date(year, month, day)
    except ValueError:
        return "no such day in the calendar"
    if year < _EARLIEST_YEAR:
        return f"before {_EARLIEST_YEAR}"
    latest = (today or date.today()) + timedelta(days=1)
    if found.group(3) is None:
        if (year, month) > (latest.year, latest.month):
            return "in the future"
    elif when > latest:
        return "in the future"
    return ""


def parse_searched(value: str | None, field: str, today: date | None = None) -> str | None:
    """``value`` checked as the date a search was run, or ``None`` when nothing was given.

    Raises ValueError naming ``field`` (e.g. "--searched"), the value and the expected form.
    Surrounding spaces are ignored.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    problem = date_problem(text, today)
    if problem:
        raise ValueError(f"{field} {text!r} is not accepted ({problem}): give {EXPECTED}")
    return text
