"""How objects are named where people and addresses reach them: ids and keys.

**Ids** (records, excerpts, codings, batches, duplicate groups) and numbers people give
(interventions) are integers that both databases store: PostgreSQL's INTEGER ends at
2^31 - 1 (SQLite's at 2^63 - 1). A larger number cannot name anything, and sending it to
the database is an error there rather than "not found"; the web app and the CLI refuse it
where it comes in (``MAX_ID``).

**Keys** that appear as one segment of a web address (``/theories/{identifier}``,
``/documents/{key}``, ``/accounts/{key}``, ``/screening/criteria/{code}``) and as words of
a command: configuration identifiers, topic keys, document keys, reviewer keys and criterion
codes. A ``/`` (or ``\\``, which browsers read as ``/``) would split the segment, and a key
that is ``.`` or ``..`` is removed by the browser before the request is sent (``/theories/..``
is the dashboard): such keys were accepted and then unreachable. Other characters are safe
once quoted, which every link does.
"""

from __future__ import annotations

__all__ = ["MAX_ID", "segment_problem", "usable_segment"]

MAX_ID = 2**31 - 1
"""The largest id or number a request or command may name (PostgreSQL's INTEGER)."""

_SLASHES = ("/", "\\")
_DOTS = (".", "..")


def segment_problem(value: str, what: str) -> str | None:
    """Why ``value`` cannot name a ``what`` that appears in a web address (None when it
    can): a slash or backslash, a control character, or exactly ``.`` or ``..``."""
    if any(s in value for s in _SLASHES):
        return f"a {what} cannot contain '/' or '\\' ('{value}'): it is part of web addresses"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return f"a {what} cannot contain control characters"
    if value.strip() in _DOTS:
        return f"a {what} cannot be '{value.strip()}': web addresses read it as a folder"
    return None


def usable_segment(value: str, fallback: str) -> str:
    """``value`` made usable as a key (for names read from other tools' files): slashes
    and control characters become ``-``; ``.`` or ``..`` (or nothing) becomes ``fallback``."""
    cleaned = "".join("-" if c in _SLASHES or ord(c) < 32 or ord(c) == 127 else c for c in value)
    return fallback if cleaned.strip() in ("", *_DOTS) else cleaned
