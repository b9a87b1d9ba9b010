"""Screening decisions made in another tool, read from an imported record's raw fields.

Reviews that migrate from Rayyan, Covidence, EndNote or a spreadsheet bring decisions along
in one of three shapes, tried in this order:

1. a table column such as ``Decision``, ``Status``, ``Included`` or ``Excluded`` (values
   like ``Included``, ``exclude``, ``yes``/``no``; a yes in ``Excluded`` means exclude);
2. Rayyan's note ``RAYYAN-INCLUSION: {"Alice"=>"Included", "Bob"=>"Excluded"}`` (in RIS
   ``N1`` or a CSV ``notes`` column); reviewers who disagree give ``maybe``, a conflict to
   settle in Realist;
3. notes such as ``Decision: Excluded``, ``Screening status: include``, an ``Exclusion
   reason: ...`` line (Covidence and EndNote group exports), or a note or label that is
   just ``Included``/``Excluded``/``Maybe``.

The result is ``"include"``, ``"exclude"``, ``"maybe"`` or ``None`` (no decision found).
"""

from __future__ import annotations

import re

from realist.domain.records import Record

__all__ = ["prior_decision"]

_KEY = re.compile(r"[^a-z0-9]")
_DECISION_COLUMNS = frozenset({
    "decision", "decisions", "screeningdecision", "finaldecision", "status", "screeningstatus",
    "inclusion", "included", "include", "excluded", "exclude", "eligibility", "eligible",
    "screening", "verdict", "includeexclude", "inclusionstatus", "covidencedecision",
})  # fmt: skip
_NOTE_FIELDS = frozenset({"n1", "notes", "note", "lb", "label", "rn", "researchnotes",
                          "labels", "tags"})  # fmt: skip
_RAYYAN = re.compile(r"RAYYAN-INCLUSION:\s*\{([^}]*)\}", re.IGNORECASE)
_RAYYAN_VOTE = re.compile(r"""["']?[^"'=]*["']?\s*=>\s*["']([^"']+)["']""")
_LABELLED = re.compile(
    r"^\s*(?:screening\s+|final\s+|covidence\s+)?(?:decision|status|vote)\s*[:=]\s*([\w-]+)",
    re.IGNORECASE | re.MULTILINE,
)
_EXCLUSION_REASON = re.compile(r"^\s*(?:exclusion\s+reason|reason\s+for\s+exclusion)\s*:",
                               re.IGNORECASE | re.MULTILINE)  # fmt: skip
_YES = frozenset({"yes", "y", "true", "1", "x"})
_NO = frozenset({"no", "n", "false", "0"})


def _word(text: str) -> str | None:
    """include/exclude/maybe for one word such as ``Included``; yes/no for booleans."""
    word = text.strip().lower()
    if word.startswith("includ") or word in ("eligible", "accept", "accepted"):
        return "include"
    if word.startswith("exclud") or word in ("ineligible", "reject", "rejected"):
        return "exclude"
    if word in ("maybe", "unsure", "undecided", "uncertain", "conflict", "pending"):
        return "maybe"
    if word in _YES:
        return "yes"
    if word in _NO:
        return "no"
    return None


def _from_column(name: str, value: str) -> str | None:
    word = _word(value)
    if word in ("yes", "no"):
        yes = word == "yes"
        if "exclu" in name:
            return "exclude" if yes else "include"
        if "inclu" in name or "eligib" in name:
            return "include" if yes else "exclude"
        return None
    return word


def _from_rayyan(note: str) -> str | None:
    found = _RAYYAN.search(note)
    if found is None:
        return None
    votes = {_word(v) for v in _RAYYAN_VOTE.findall(found.group(1))} - {None, "yes", "no"}
    if not votes:
        return None
    return votes.pop() if len(votes) == 1 else "maybe"


def _from_note(note: str) -> str | None:
    found = _LABELLED.search(note)
    if found is not None:
        word = _word(found.group(1))
        if word in ("include", "exclude", "maybe"):
            return word
    if _EXCLUSION_REASON.search(note):
        return "exclude"
    word = _word(note) if len(note) < 20 else None
    return word if word in ("include", "exclude", "maybe") else None


def prior_decision(record: Record) -> str | None:
    """The screening decision another tool recorded in ``record.raw``, if any.

    Returns ``"include"``, ``"exclude"``, ``"maybe"`` or ``None``. See the module docstring
    for the shapes recognised and their order.
    """
    notes: list[str] = []
    for name, value in record.raw:
        key = _KEY.sub("", name.lower())
        if key in _DECISION_COLUMNS:
            decision = _from_column(key, value)
            if decision is not None:
                return decision
        if key in _NOTE_FIELDS:
            notes.append(value)
    for note in notes:
        decision = _from_rayyan(note)
        if decision is not None:
            return decision
    for note in notes:
        decision = _from_note(note)
        if decision is not None:
            return decision
    return None
