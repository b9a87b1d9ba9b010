"""Importing search results: every database export Realist reads, as records and problems.

    >>> from realist.importers import parse
    >>> result = parse(open("scopus.ris", "rb").read(), "scopus.ris")   # doctest: +SKIP
    >>> result.format, len(result.records), [str(p) for p in result.problems]  # doctest: +SKIP

Formats (registered by name in :data:`FORMATS`): ``ris``, ``medline`` (PubMed .nbib),
``wos`` (Web of Science plain text), ``bibtex``, ``csv`` (Scopus, Web of Science
tab-delimited and any table with usual column names), ``csl-json`` and ``endnote-xml``.
The format is detected from the content; the file name only breaks ties.

Each record keeps every field as the file had it in ``Record.raw`` (so it can be written
back, see :mod:`realist.importers.ris_writer`) plus normalised copies made by
:mod:`realist.domain.bibliography`. Imported data is untrusted: values longer than
``max_field_chars`` are cut and author lists bounded, characters that are not text (stray
control characters, lone surrogates) are cleaned out, and a damaged line costs at most its
own record, each time with a problem naming the line.
"""

from __future__ import annotations

from realist.importers.base import ParseResult, Problem
from realist.importers.formats import FORMATS, Format, register
from realist.importers.reading import ParseStream, detect_format, iter_parse, parse
from realist.importers.text import decode

__all__ = [
    "FORMATS",
    "Format",
    "ParseResult",
    "ParseStream",
    "Problem",
    "decode",
    "detect_format",
    "iter_parse",
    "parse",
    "register",
]
