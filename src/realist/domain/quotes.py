"""Finding a reviewer's quote in a document's text, tolerant of how text was extracted.

A sentence copied from a PDF viewer rarely matches the stored text character for character:
lines end inside it, words are hyphenated at a line end ("hyper-\\ntension"), ligatures
(ﬁ ﬂ ﬀ ﬃ ﬄ), curly quotes, dashes, soft hyphens and no-break spaces differ. One rule,
:func:`normalise`, folds a text and a quote the same way and keeps, for every folded
character, the code points of the original text it came from; a match in the folded text
therefore maps back to exact offsets ``[start, end)`` of the stored text, and the excerpt is
``text[start:end]`` (code points, as docs/ARCHITECTURE.md "How spans are counted" says).

The folding:

- each character with its combining marks (and a surrogate pair) is one *cluster*, folded
  as a whole (NFKC: ligatures, full-width forms, composed accents) and never split, so a
  span never cuts one;
- curly and straight single quotes, apostrophes and primes are one ``'``; double quotes and
  double primes are one ``"``; hyphens, dashes and the minus sign are one ``-``;
- soft hyphens and zero-width characters are dropped;
- any run of whitespace (line breaks, tabs, no-break and other spaces) is one space;
- a hyphen at a line end between two letters (``hyper-\\ntension``) becomes :data:`JOIN`,
  which a quote matches with or without the hyphen ("hypertension", "hyper-tension").

Case is kept: a quote is matched case-sensitively, and a case-insensitive match is only
reported as a near miss.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass

__all__ = [
    "JOIN",
    "Folded",
    "QuoteSearch",
    "locate_quote",
    "normalise",
    "quote_pattern",
    "search_quote",
]

JOIN = "\u00ad"
"""Stands in the folded text for a hyphen at a line end: the word may be read joined or
hyphenated. (A soft hyphen of the original text is dropped, so this never clashes.)"""

_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u2035\u00b4\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u2036\u02ba", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
    }
)
_DROPPED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_HYPHENS = frozenset("-\u2010\u00ad")
# Characters that are their own folding and never start anything special: printable ASCII
# but the space and the hyphen, and single spaces between them. Runs are copied in bulk.
_PLAIN = re.compile(r"[!-,.-~]+(?: [!-,.-~]+)*")


@dataclass(frozen=True)
class Folded:
    """A folded text and, for each of its characters, the original ``[start, end)`` it
    came from (a cluster of code points, or a whole run of whitespace)."""

    text: str
    starts: array[int]
    ends: array[int]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original offsets of the folded span ``[start, end)`` (``start < end``)."""
        return self.starts[start], self.ends[end - 1]

    def whole(self, start: int, end: int) -> bool:
        """Whether the folded span ``[start, end)`` takes whole clusters: it neither starts
        nor ends inside what one original cluster folded to (a ligature's "fi", a letter
        and a mark that do not compose), so the original span reads exactly the same."""
        return (start == 0 or self.starts[start - 1] != self.starts[start]) and (
            end == len(self.text) or self.starts[end] != self.starts[end - 1]
        )


def _is_combining(char: str) -> bool:
    return unicodedata.category(char)[0] == "M" or "\ufe00" <= char <= "\ufe0f"


def _cluster_end(text: str, at: int) -> int:
    """Where the cluster starting at ``at`` ends: a surrogate pair, then combining marks."""
    end = at + 1
    if "\ud800" <= text[at] <= "\udbff" and end < len(text) and "\udc00" <= text[end] <= "\udfff":
        end += 1
    while end < len(text) and _is_combining(text[end]):
        end += 1
    return end


def _fold_cluster(cluster: str, fold_case: bool) -> str:
    folded = unicodedata.normalize("NFKC", cluster.translate(_TRANSLATE)).translate(_TRANSLATE)
    if fold_case:
        # Accents go (NFD, then no combining marks), then case: "Saúde" and "saude" agree.
        folded = unicodedata.normalize("NFD", folded.casefold())
        folded = "".join(c for c in folded if not _is_combining(c))
    return folded


def _hyphen_break(text: str, at: int) -> int:
    """The end of a line-end hyphenation starting at ``at`` (a hyphen between a letter and
    a line break followed by a letter or digit), or 0 when there is none there."""
    before = at - 1
    while before > 0 and _is_combining(text[before]):
        before -= 1
    if before < 0 or not text[before].isalpha():
        return 0
    end = at + 1
    broke = False
    while end < len(text) and text[end].isspace():
        broke = broke or text[end] in _LINE_BREAKS
        end += 1
    if broke and end < len(text) and text[end].isalnum():
        return end
    return 0


def normalise(text: str, *, for_search: bool = False) -> Folded:
    """Fold ``text`` for matching (see the module's rules), keeping the offset map.

    ``for_search`` also removes accents, folds case and joins line-end hyphenations
    outright: the folding the full-text index and search spans use.
    """
    out: list[str] = []
    # 4-byte offsets: texts are cut at 20 million characters (extraction.DEFAULT_MAX_CHARS).
    starts = array("i")
    ends = array("i")
    at, size = 0, len(text)

    def put(piece: str, start: int, end: int) -> None:
        out.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))

    while at < size:
        plain = _PLAIN.match(text, at)
        if plain:
            end = plain.end()
            if end < size and _is_combining(text[end]):
                end -= 1  # the last character is the base of a cluster
            if end == at:
                plain = None
        if plain:
            piece = text[at:end]
            out.append(piece.lower() if for_search else piece)
            starts.extend(range(at, end))
            ends.extend(range(at + 1, end + 1))
            at = end
            continue
        char = text[at]
        if char in _HYPHENS or char == "-":
            joined = _hyphen_break(text, at)
            if joined:
                if not for_search and char != "\u00ad":
                    put(JOIN, at, at + 1)
                at = joined
                continue
        if char in _DROPPED:
            at += 1
            continue
        if char.isspace():
            end = at + 1
            while end < size and (text[end].isspace() or text[end] in _DROPPED):
                end += 1
            if out and out[-1][-1:] == " ":
                # A dropped character between two runs of spaces: still one space.
                ends[-1] = end
            else:
                put(" ", at, end)
            at = end
            continue
        end = _cluster_end(text, at)
        folded = _fold_cluster(text[at:end], for_search)
        folded = re.sub(r"\s+", " ", folded)
        if folded:
            put(folded, at, end)
        at = end
    return Folded("".join(out), starts, ends)


def quote_pattern(folded_quote: str) -> str:
    """A regular expression that finds a folded quote in a folded text: a line-end
    hyphenation (:data:`JOIN`) in the text matches the quote's hyphen or nothing, and the
    quote's own :data:`JOIN` matches a hyphen, a line-end hyphenation or nothing."""
    pieces = []
    for char in folded_quote:
        if char == JOIN:
            pieces.append(f"[-{JOIN}]?")
        elif char == "-":
            pieces.append(f"[-{JOIN}]")
        else:
            pieces.append(re.escape(char))
    return f"{JOIN}?".join(pieces)


def _folded_quote(quote: str) -> str:
    return normalise(quote).text.strip(f" {JOIN}")


@dataclass(frozen=True)
class QuoteSearch:
    """Where a quote occurs in a text (original offsets, in order, not overlapping), and,
    when it occurs nowhere, the nearest miss in words a reviewer can act on."""

    spans: list[tuple[int, int]]
    near_miss: str = ""


def search_quote(text: str, quote: str) -> QuoteSearch:
    """Every occurrence of ``quote`` in ``text`` under the folding of :func:`normalise`,
    matched case-sensitively. With none, ``near_miss`` says whether it occurs when case is
    ignored, or how much of its beginning matches and where the two part."""
    wanted = _folded_quote(quote)
    if not wanted:
        return QuoteSearch([])
    folded = normalise(text)
    pattern = re.compile(quote_pattern(wanted))
    spans = [
        folded.original(m.start(), m.end())
        for m in pattern.finditer(folded.text)
        if folded.whole(m.start(), m.end())
    ]
    if spans:
        return QuoteSearch(spans)
    return QuoteSearch([], _near_miss(text, folded, wanted))


def _near_miss(text: str, folded: Folded, wanted: str) -> str:
    loose = next(
        (
            m
            for m in re.finditer(quote_pattern(wanted), folded.text, re.IGNORECASE)
            if folded.whole(m.start(), m.end())
        ),
        None,
    )
    if loose:
        start, end = folded.original(loose.start(), loose.end())
        return (
            f"it occurs only if case is ignored, at {start}:{end}: “{_clip(text[start:end], 80)}”"
        )
    # The longest beginning of the quote that occurs (a prefix that occurs has every
    # shorter prefix occurring too, so halving finds it).
    low, high, best = 1, len(wanted), None
    while low <= high:
        middle = (low + high) // 2
        found = re.search(quote_pattern(wanted[:middle].rstrip(f" {JOIN}")), folded.text)
        if found:
            low, best = middle + 1, (middle, found)
        else:
            high = middle - 1
    if best is None or best[0] < min(12, len(wanted) // 2):
        return ""
    length, found = best
    start, end = folded.original(found.start(), found.end())
    if length == len(wanted):
        return (
            f"it occurs only as part of a ligature or accented letter, at {start}:{end}: "
            f"“{_clip(text[start:end], 80)}”"
        )
    after = text[end : end + 40]
    return (
        f"its first {length} of {len(wanted)} characters occur at {start}, then the text "
        f"reads “{_clip(after, 30)}” where the quote reads “{_clip(wanted[length:], 30)}”"
    )


def _clip(piece: str, width: int) -> str:
    flat = " ".join(piece.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def locate_quote(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int] | str:
    """The span of ``quote`` in ``text``, or why there is none to take: it is empty, occurs
    nowhere (with the near miss), occurs several times and no ``occurrence`` (from 1) says
    which, or occurs fewer times than ``occurrence``."""
    if not _folded_quote(quote):
        return "the quote is empty"
    found = search_quote(text, quote)
    spans = found.spans
    if not spans:
        return "the quote does not occur" + (f"; {found.near_miss}" if found.near_miss else "")
    if occurrence is None:
        if len(spans) == 1:
            return spans[0]
        where = ", ".join(f"{s}:{e}" for s, e in spans[:10]) + (", …" if len(spans) > 10 else "")
        return (
            f"the quote occurs {len(spans)} times (at {where}); "
            "say which occurrence (from 1), or quote more words"
        )
    if occurrence < 1:
        return "occurrences count from 1"
    if occurrence > len(spans):
        return f"the quote occurs {len(spans)} time(s), not {occurrence}"
    return spans[occurrence - 1]
