"""Author-year citations of documents: "Thapa 2020", "Thapa and Lee 2020", "Thapa et al.
2020", with "2020a"/"2020b" when two documents would read the same.

A document's citation is derived from its record's authors and year unless a person set
one by hand; tables print it with the review's reference number: "Thapa et al. 2020 [12]".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from string import ascii_lowercase

from realist.domain.folding import fold

__all__ = ["Cited", "author_year", "cite", "surname"]

# Initials after a surname, as MEDLINE and Vancouver write them: "Thapa R", "Lee JH",
# "Smith J.-P.".
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_CORPORATE = 4  # a name of this many words without a comma is an organisation's
# Words that make a name without a comma an organisation's ("Teachers' Mentoring Association").
_BODIES = frozenset(
    (
        "agency", "alliance", "association", "board", "centre", "center", "charity", "college",
        "collaboration", "commission", "committee", "consortium", "council", "department",
        "foundation", "group", "institute", "institution", "ministry", "network", "office",
        "organisation", "organization", "programme", "program", "project", "service",
        "services", "society", "support", "trust", "university",
    )
)  # fmt: skip


def surname(name: str) -> str:
    """The family name in an author's name as databases write it.

    "Thapa, Rajesh" and "Thapa R" give "Thapa"; "van der Berg, J." gives "van der Berg";
    "Rajesh Thapa" gives "Thapa"; an organisation ("Education Support Trust") is kept
    whole.
    """
    name = " ".join(name.split()).strip(" ,;")
    if not name:
        return ""
    if "," in name:
        return name.split(",", 1)[0].strip()
    words = name.split(" ")
    if len(words) == 1:
        return name
    if _INITIALS.match(words[-1]):
        return " ".join(words[:-1])
    if len(words) >= _CORPORATE or any(w.lower() in _BODIES for w in words):
        return name
    return words[-1]


def author_year(authors: Sequence[str], year: int | None) -> str:
    """ "Thapa 2020", "Thapa and Lee 2020" or "Thapa et al. 2020" ("n.d." without a year);
    empty when there are no authors."""
    names = [n for n in (surname(a) for a in authors) if n]
    when = str(year) if year else "n.d."
    if not names:
        return ""
    if len(names) == 1:
        return f"{names[0]} {when}"
    if len(names) == 2:
        return f"{names[0]} and {names[1]} {when}"
    return f"{names[0]} et al. {when}"


@dataclass(frozen=True)
class Cited:
    """What is known of a document for citing it."""

    key: str
    title: str
    by_hand: str = ""  # set by a person: used as it is
    derived: str = ""  # from its record (author_year), or its reference text


def cite(documents: Sequence[Cited]) -> dict[str, str]:
    """Each document's citation, by key: the one set by hand, else the derived one, else
    its key. Derived citations that read the same as another document's get a letter
    after the year ("Thapa 2020a", "Thapa 2020b"), in the order of their titles; a citation
    set by hand is never changed."""
    chosen = {d.key: d.by_hand or d.derived or d.key for d in documents}
    groups: dict[str, list[Cited]] = defaultdict(list)
    for d in documents:
        groups[fold(chosen[d.key])].append(d)
    for members in groups.values():
        derived = [d for d in members if not d.by_hand and d.derived]
        if len(members) < 2 or not derived:
            continue
        derived.sort(key=lambda d: (fold(d.title), d.key))
        for letter, d in zip(_letters(), derived, strict=False):
            joint = "-" if d.derived.endswith("n.d.") else ""  # "Thapa n.d.-a"
            chosen[d.key] = f"{d.derived}{joint}{letter}"
    return chosen


def _letters() -> list[str]:
    """a ... z, then aa, ab, ...: enough for any number of same-year works."""
    singles = list(ascii_lowercase)
    return singles + [a + b for a in singles for b in singles]
