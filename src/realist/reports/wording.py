"""Small rules of written English that generated text follows (numbers, lists, ranges)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from realist.domain.documents import Document

_UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spelled(n: int) -> str:
    """0–99 in words ("twenty-two"); larger numbers as digits."""
    if 0 <= n < 20:
        return _UNITS[n]
    if 20 <= n < 100:
        tens, unit = divmod(n, 10)
        return _TENS[tens] + (f"-{_UNITS[unit]}" if unit else "")
    return str(n)


def count_word(n: int, *, sentence_start: bool = False) -> str:
    """A count as a journal writes it: words below ten ("three"), digits from ten ("11");
    at the start of a sentence always words ("Eleven"), since a sentence never starts with
    a numeral."""
    if sentence_start:
        word = spelled(n)
        return word[:1].upper() + word[1:]
    return spelled(n) if 0 <= n < 10 else str(n)


# Plurals that the spelling rules below get wrong, among the words Realist counts.
_IRREGULAR = {"thesis": "theses", "criterion": "criteria"}
_ES = ("s", "x", "z", "ch", "sh")


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``singular`` or its plural for ``n`` ("1 excerpt", "2 excerpts"); of a noun of several
    words only the last changes ("2 screening decisions"), by the regular spelling rules
    ("theories", "batches") unless it is irregular ("theses")."""
    if n == 1:
        return singular
    if many:
        return many
    head, space, word = singular.rpartition(" ")
    if word in _IRREGULAR:
        word = _IRREGULAR[word]
    elif len(word) > 1 and word.endswith("y") and word[-2].lower() not in "aeiou":
        word = word[:-1] + "ies"
    elif word.endswith(_ES):
        word += "es"
    else:
        word += "s"
    return head + space + word


def counted(n: int, singular: str, many: str | None = None) -> str:
    """``n`` with its noun in the right number: "1 problem", "2 problems", "0 records"."""
    return f"{n} {plural(n, singular, many)}"


def number_ranges(numbers: Iterable[int]) -> str:
    """Sorted numbers with runs of three or more compressed: "1, 4, 7–10, 14–17, 22".

    Pairs stay listed ("11, 12"), as the reference review prints them.
    """
    values = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        if j - i >= 2:
            parts.append(f"{values[i]}\u2013{values[j]}")
        else:
            parts.extend(str(v) for v in values[i : j + 1])
        i = j + 1
    return ", ".join(parts)


def intervention_refs(numbers: Iterable[int]) -> str:
    """Intervention numbers as cited in a sentence: "#2, 3, 20"."""
    ranges = number_ranges(numbers)
    return f"#{ranges}" if ranges else ""


def join_clauses(clauses: Sequence[str]) -> str:
    """ "A", "A and B", "A, B, and C" (a comma before the last "and" of three or more, as the
    reference review writes)."""
    if len(clauses) <= 1:
        return "".join(clauses)
    if len(clauses) == 2:
        return f"{clauses[0]} and {clauses[1]}"
    return ", ".join(clauses[:-1]) + f", and {clauses[-1]}"


def humanise(code: str) -> str:
    """A code as words: "one_to_one_online" → "one to one online"."""
    return " ".join(code.replace("_", " ").split())


def capitalise(text: str) -> str:
    """The first letter in upper case, the rest untouched."""
    return text[:1].upper() + text[1:]


_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_LEAD = re.compile(r"^[^.:]{0,40}:\s+")


def document_label(item: Document) -> str:
    """A short citation of a document: "Smith 2019 [12]" from its reference text, else
    its key (with its reference number, if any)."""
    # A label before the authors ("Review: Smith J, ...") is not the first author.
    citation = _LEAD.sub("", item.citation or "")
    first = citation.split(" ", 1)[0].rstrip(".,;:") if citation else ""
    year = _YEAR.search(citation)
    ref = f" [{item.reference_number}]" if item.reference_number is not None else ""
    if first and year and first[:1].isupper():
        return f"{first} {year.group(1)}{ref}"
    return f"{item.key}{ref}"


OUTCOME_WORDS = {
    "include": "included",
    "exclude": "excluded",
    "maybe": "maybe",
    "not_retrieved": "not retrieved",
    "awaiting_second": "awaiting a second vote",
    "conflict": "in conflict",
    "undecided": "undecided",
}
"""How a stage's outcomes read to people, in the order they are shown."""


def stage_detail(stage: Mapping[str, Any]) -> str:
    """Where a stage's records stand ("10 included, 12 excluded, 2 in conflict")."""
    parts = [f"{stage[key]} {word}" for key, word in OUTCOME_WORDS.items() if stage.get(key)]
    return ", ".join(parts) or "no records yet"


def votes_detail(stage: Mapping[str, Any]) -> str:
    """Each reviewer's votes at a stage, apart from the records' outcomes
    ("ana: 12 include, 3 exclude; ben: ..."), and how many dual screening still blinds
    ("4 more blinded until both votes are in")."""
    parts = [
        f"{who}: " + ", ".join(f"{n} {d.replace('_', ' ')}" for d, n in cast.items())
        for who, cast in stage.get("votes", {}).items()
    ]
    if stage.get("blinded_votes"):
        parts.append(f"{stage['blinded_votes']} more blinded until both votes are in")
    return "; ".join(parts)
