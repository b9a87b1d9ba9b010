"""Text folded for searching: case and accents removed, so "muller" finds "Müller".

Records are searched in the database, on both SQLite (which has no ``unaccent``) and
PostgreSQL (where the extension may not be installed), so the folding is done here, once,
when a record is written (the ``record.search`` column) and again on the words searched for.
Changing :func:`fold` changes what stored columns mean: a migration must then refill them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

__all__ = ["fold", "record_search_text"]

# Letters that Unicode does not decompose into a base letter and an accent.
_SPECIAL = str.maketrans(
    {
        "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l", "Ł": "l",
        "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ß": "ss", "ı": "i",
    }
)  # fmt: skip


def fold(text: str) -> str:
    """``text`` in lower case without accents: "Saúde Pública" → "saude publica".

    Letters of other scripts are kept (lower-cased where they have case), so a search in
    Greek or Chinese still finds its words.
    """
    if text.isascii():  # most bibliographic text: the fast path
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def record_search_text(
    title: str, authors: Iterable[str], journal: str, doi: str, year: int | None, pmid: str
) -> str:
    """What a records search looks in, folded: title, authors, journal, DOI, year, PMID.

    Fields are joined by newlines so that a searched word never spans two of them.
    """
    parts = [title, "; ".join(authors), journal, doi, str(year) if year else "", pmid]
    return fold("\n".join(parts))
