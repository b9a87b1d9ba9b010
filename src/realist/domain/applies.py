"""Matching a description of circumstances against configurations' contexts.

The question realist reviews exist to answer: given *these* circumstances, which
configurations' contexts match, which mechanisms may fire, which harms to guard against.
Matching is deliberately simple and explainable: words of the description are reduced to
stems and looked for in each configuration's contexts (strongest), its title and statement,
its mechanisms, and the evidence coded to it; every answer lists the words that matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "her",
        "his",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "would",
        "prefers",
        "prefer",
        "wants",
        "want",
    ]
)
SUFFIXES = ("ational", "ations", "ation", "ities", "ness", "ings", "ing", "ies", "ied", "ers",
            "ed", "es", "er", "ly", "al", "s", "y", "e")  # fmt: skip

# Where a word matches, and how much it counts: a context is what the question is about.
WEIGHTS = {"context": 3.0, "statement": 2.0, "mechanism": 1.0, "evidence": 0.5}


def stem(word: str) -> str:
    """A crude English stem: enough to match 'mentors' with 'mentor-led'."""
    word = word.lower().replace("’", "'")
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def stems(text: str) -> set[str]:
    return {stem(w) for w in WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 2}


@dataclass(frozen=True)
class Candidate:
    """What is known of one configuration for matching."""

    identifier: str
    contexts: tuple[str, ...]
    statement: str  # title and statement
    mechanisms: tuple[str, ...]
    evidence: tuple[str, ...]  # texts of excerpts coded to it


@dataclass
class Match:
    identifier: str
    score: float
    matched: dict[str, list[str]] = field(default_factory=dict)  # where -> words matched
    covered: int = 0  # distinct words of the description it matched anywhere


# A word found in the circumstances of more than this share of the configurations tells
# them apart no better than "the": every configuration of a review of support for new
# parents mentions parents. Such words are left out of the match (unless nothing else is
# asked), whatever the review's subject.
COMMON_SHARE = 0.5


def common_stems(candidates: list[Candidate]) -> set[str]:
    """Stems in the contexts, title or statement of more than ``COMMON_SHARE`` of the
    candidates (only among three or more: two configurations are not a vocabulary)."""
    if len(candidates) < 3:
        return set()
    seen: dict[str, int] = {}
    for c in candidates:
        for word in stems(" ".join(c.contexts)) | stems(c.statement):
            seen[word] = seen.get(word, 0) + 1
    return {w for w, n in seen.items() if n > COMMON_SHARE * len(candidates)}


def match_circumstances(description: str, candidates: list[Candidate]) -> list[Match]:
    """Configurations whose text shares words with the description, best first. Words
    common to most configurations (:func:`common_stems`) do not count, unless they are all
    the description says."""
    wanted = stems(description)
    if not wanted:
        return []
    telling = wanted - common_stems(candidates)
    wanted = telling or wanted
    found = []
    for c in candidates:
        places = {
            "context": stems(" ".join(c.contexts)),
            "statement": stems(c.statement),
            "mechanism": stems(" ".join(c.mechanisms)),
        }
        match = Match(c.identifier, 0.0)
        for where, words in places.items():
            hit = sorted(wanted & words)
            if hit:
                match.matched[where] = hit
                match.score += WEIGHTS[where] * len(hit)
        evidence_hits = sorted({w for text in c.evidence for w in wanted & stems(text)})
        if evidence_hits:
            match.matched["evidence"] = evidence_hits
            match.score += WEIGHTS["evidence"] * len(evidence_hits)
        if match.score:
            # How many of the asked-about circumstances it speaks to comes first; where
            # they were found (context over evidence) breaks ties.
            match.covered = len({w for words in match.matched.values() for w in words})
            found.append(match)
    return sorted(found, key=lambda m: (-m.covered, -m.score, m.identifier))
