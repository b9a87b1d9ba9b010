"""Screening terms marked in HTML: escape every character first, then add the marks.

The matching rule is the CLI's (``cli.screen_commands.highlighted``): case-insensitive,
whole words, and a trailing ``*`` matches any ending, as in search strategies. Where an
inclusion and an exclusion term overlap, the exclusion mark wins, as it does in the
terminal (it is painted last there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from realist.domain.screening import CriterionKind

_CLASSES = {CriterionKind.INCLUSION: "term-include", CriterionKind.EXCLUSION: "term-exclude"}


def _pattern(term: str) -> re.Pattern[str] | None:
    stem = re.escape(term.strip().rstrip("*"))
    if not stem:
        return None
    return re.compile(rf"\b{stem}\w*" if term.strip().endswith("*") else rf"\b{stem}\b", re.I)


def _kinds(text: str, terms: Mapping[CriterionKind, Sequence[str]]) -> list[CriterionKind | None]:
    """For each character, the kind of term covering it (exclusion painted last)."""
    marks: list[CriterionKind | None] = [None] * len(text)
    for kind in (CriterionKind.INCLUSION, CriterionKind.EXCLUSION):
        for term in terms.get(kind, ()):
            pattern = _pattern(term)
            if pattern is None:
                continue
            for found in pattern.finditer(text):
                marks[found.start() : found.end()] = [kind] * (found.end() - found.start())
    return marks


def highlight(text: str, terms: Mapping[CriterionKind, Sequence[str]] | None) -> Markup:
    """``text`` as safe HTML with each term inside ``<mark class="term-include|exclude">``."""
    if not terms or not text:
        return Markup(escape(text))
    marks = _kinds(text, terms)
    out: list[str] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[start]:
            piece = str(escape(text[start:i]))
            kind = marks[start]
            out.append(f'<mark class="{_CLASSES[kind]}">{piece}</mark>' if kind else piece)
            start = i
    return Markup("".join(out))
