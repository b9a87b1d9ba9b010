"""Full-text search: one folding for the index and the query, and where a hit's words are.

The index (SQLite FTS5, PostgreSQL ``tsvector``) holds :func:`index_body` of each text, not
the text itself: the quote folding of :mod:`realist.domain.quotes` with accents removed,
case folded and line-end hyphenations joined. The query is folded the same way, so "saude"
and "saúde", "ﬁnding" and "finding", "hyper-\\ntension" and "hypertension" meet on both
databases. A hit names a text; :func:`search_span` then finds the matched words in that
text with the same folding and maps them back to the stored text's code points.

A query is words and "quoted phrases"; every part must match. A word matches a word of
the text that is the same, has the same stem (Porter, as FTS5 stems, or Snowball English,
as PostgreSQL does) or, for ``word*``, begins with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from realist.domain.quotes import normalise

__all__ = ["QueryPart", "index_body", "parse_query", "search_span"]

_WORD = re.compile(r"[^\W_]+")
_QUERY_WORD = re.compile(r"[^\W_]+\*?")
_PHRASE = re.compile(r'"([^"]*)"?')

# PostgreSQL's English stop words, which its index leaves out; a span is not put on one
# of them while the query has another word.
_STOPWORDS = """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class QueryPart:
    """Words that must occur together, in order (one word, or a quoted phrase); with
    ``prefix`` the last word matches any word it begins."""

    words: tuple[str, ...]
    prefix: bool = False

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1


def index_body(text: str) -> str:
    """What the full-text index holds for ``text``: the search folding of it."""
    return normalise(text, for_search=True).text


def parse_query(query: str) -> list[QueryPart]:
    """The parts of a query, folded as the index is: "quoted phrases" (straight or curly
    quotes) and single words; ``word*`` is a prefix. Empty when it has no word."""
    folded = normalise(query, for_search=True).text
    parts: list[QueryPart] = []
    at = 0
    for found in _PHRASE.finditer(folded):
        parts += _words(folded[at : found.start()])
        words = _QUERY_WORD.findall(found.group(1))
        if words:
            prefix = words[-1].endswith("*")
            parts.append(QueryPart(tuple(w.rstrip("*") for w in words), prefix))
        at = found.end()
    parts += _words(folded[at:])
    return parts


def _words(text: str) -> list[QueryPart]:
    return [QueryPart((w.rstrip("*"),), w.endswith("*")) for w in _QUERY_WORD.findall(text)]


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Any, Any]:
    # snowballstemmer loads every language's stemmer on import (a tenth of a CLI command's
    # start-up), so it loads on the first search, not with the store.
    import snowballstemmer

    return snowballstemmer.stemmer("porter"), snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stems(word: str) -> tuple[str, str]:
    porter, english = _stemmers()
    return porter.stemWord(word), english.stemWord(word)


def _matches(token: str, word: str, prefix: bool) -> bool:
    if token == word or (prefix and token.startswith(word)):
        return True
    # Stemmers only rewrite endings: words with one stem share their first letters.
    if token[:2] != word[:2]:
        return False
    mine, theirs = _stems(token), _stems(word)
    return mine[0] == theirs[0] or mine[1] == theirs[1]


def _find(tokens: list[str], words: tuple[str, ...], prefix: bool) -> int | None:
    """The index of the first token where ``words`` match in a row, or None."""
    distinct = set(tokens)
    last = len(words) - 1
    # Which distinct tokens each word matches: far fewer than the tokens of a long text.
    matching = [
        {t for t in distinct if _matches(t, w, prefix and j == last)} for j, w in enumerate(words)
    ]
    for i in range(len(tokens) - last):
        if tokens[i] in matching[0] and all(
            tokens[i + j] in matching[j] for j in range(1, len(words))
        ):
            return i
    return None


def search_span(text: str, parts: list[QueryPart]) -> tuple[int, int] | None:
    """Where a hit's words are in ``text``, as code points ``[start, end)`` of it: the
    first place where all the query's words occur in a row (a phrase, or a sentence quoted
    with other words); else the first occurrence of a part (a phrase, or a word that is not
    a stop word, unless the query has only stop words); else of any one word of the query.
    None when no word of the query occurs (the index and this folding disagree)."""
    if not parts:
        return None
    folded = normalise(text, for_search=True)
    matches = list(_WORD.finditer(folded.text))
    tokens = [m.group() for m in matches]

    def span(first: int, count: int) -> tuple[int, int]:
        return folded.original(matches[first].start(), matches[first + count - 1].end())

    every = tuple(w for p in parts for w in p.words)
    found = _find(tokens, every, parts[-1].prefix)
    if found is not None:
        return span(found, len(every))
    meaningful = [p for p in parts if p.phrase or p.words[0] not in STOPWORDS] or parts
    candidates = []
    for part in meaningful:
        found = _find(tokens, part.words, part.prefix)
        if found is not None:
            candidates.append((found, len(part.words)))
    if not candidates:
        words = [(w, p.prefix and w == p.words[-1]) for p in meaningful for w in p.words]
        for word, prefix in words:
            found = _find(tokens, (word,), prefix)
            if found is not None:
                candidates.append((found, 1))
    if not candidates:
        return None
    return span(*min(candidates))
