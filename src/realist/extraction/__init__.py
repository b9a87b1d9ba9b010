"""Full-text extraction: a document's bytes in, its text and a map of its pages out.

    extract(data, filename) -> Extraction(text, pages, format, warnings)

The text is what excerpts point into, by code-point offsets, and it is stored with its hash,
so the same bytes always give the same text (see :mod:`realist.extraction.text` for the
rule). Each page of a PDF is a :class:`PageSpan` of that text; pages are joined by a blank
line (``"\\n\\n"``) that belongs to no page. Formats without pages (DOCX, HTML, TXT, Markdown)
are one page covering everything.

A file that cannot be read at all (empty, too large, damaged, encrypted, binary, an archive
that is not DOCX) raises :class:`~realist.errors.InvalidInput` naming the file. Anything less
(scanned pages, a guessed encoding, a misleading suffix, text cut at the limit) is a warning.
"""

from __future__ import annotations

import bisect
import os
import unicodedata
from collections.abc import Callable, Generator, Sequence
from contextlib import closing
from dataclasses import dataclass

from realist.errors import InvalidInput
from realist.extraction import markup, pdf, plain, word
from realist.extraction.detect import SUFFIXES, detect_format
from realist.extraction.text import normalise

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "EXTRACTORS",
    "FORMATS",
    "PAGE_SEPARATOR",
    "Extraction",
    "PageSpan",
    "detect_format",
    "extract",
    "page_of",
]

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Files larger than this are refused: no review needs a 200 MB full text."""

DEFAULT_MAX_CHARS = 20_000_000
"""Extracted text is cut at this many characters (about 10,000 pages), with a warning."""

PAGE_SEPARATOR = "\n\n"

RawPages = Generator[str, None, None]
"""The raw text of each page, in order; a generator so the caller can stop early and close it."""

Extractor = Callable[[bytes, str, list[str]], RawPages]
"""(data, filename, warnings) -> the raw text of each page, in order; appends to warnings."""

EXTRACTORS: dict[str, Extractor] = {
    "pdf": pdf.extract_pages,
    "docx": word.extract_pages,
    "html": markup.extract_pages,
    "txt": plain.extract_pages,
    "md": plain.extract_pages,
}
FORMATS = tuple(EXTRACTORS)


@dataclass(frozen=True)
class PageSpan:
    """Page ``number`` (from 1) covers code points ``[start, end)`` of the extracted text."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Extraction:
    """The text of one document, where its pages lie in that text, and what to warn about."""

    text: str
    pages: tuple[PageSpan, ...]
    format: str
    warnings: tuple[str, ...] = ()


def page_of(extraction_or_pages: Extraction | Sequence[PageSpan], offset: int) -> int:
    """The number of the page holding code point ``offset`` of the text (binary search).

    An offset in the separator between two pages counts to the page before it, and the
    offset just past the end of the text to the last page, so an excerpt's exclusive end can
    be passed as it is. Raises ValueError for an offset outside ``0..len(text)``.
    """
    pages = (
        extraction_or_pages.pages
        if isinstance(extraction_or_pages, Extraction)
        else extraction_or_pages
    )
    if not pages or offset < 0 or offset > pages[-1].end:
        raise ValueError(f"offset {offset} is outside the text")
    index = bisect.bisect_right(pages, offset, key=lambda page: page.start) - 1
    return pages[max(index, 0)].number


def _join(pages: RawPages, max_chars: int, warnings: list[str]) -> tuple[str, list[int]]:
    """The normalised pages joined, cut at ``max_chars``; and where each page starts."""
    parts: list[str] = []
    starts: list[int] = []
    length = 0
    with closing(pages):  # stopping early must still let the extractor close its document
        for raw in pages:
            if parts:
                parts.append(PAGE_SEPARATOR)
                length += len(PAGE_SEPARATOR)
            starts.append(length)
            page = normalise(raw)
            parts.append(page)
            length += len(page)
            if length > max_chars:
                warnings.append(
                    f"the text was cut at {max_chars:,} characters, in page {len(starts)}"
                )
                break
    text = "".join(parts)
    if len(text) > max_chars:
        # Cutting can split a base letter from its combining mark; NFC again keeps the rule
        # (it can only shorten the text).
        text = unicodedata.normalize("NFC", text[:max_chars])
        starts = [start for start in starts if start < len(text)]
    return text, starts or [0]


def _spans(text: str, starts: list[int]) -> tuple[PageSpan, ...]:
    ends = [start - len(PAGE_SEPARATOR) for start in starts[1:]] + [len(text)]
    return tuple(
        PageSpan(number, min(start, len(text)), min(end, len(text)))
        for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1)
    )


def _suffix_warning(filename: str, fmt: str) -> list[str]:
    suffix = os.path.splitext(filename)[1].lower()
    named = [name for name, suffixes in SUFFIXES.items() if suffix in suffixes]
    # TXT and Markdown are the same text; only a wrong family is worth a warning.
    text_family = {"txt", "md"}
    if not named or fmt in named or (fmt in text_family and set(named) <= text_family):
        return []
    return [f"the file is named {suffix} but holds {fmt.upper()}; read it as {fmt.upper()}"]


def extract(
    data: bytes,
    filename: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int = DEFAULT_MAX_CHARS,
) -> Extraction:
    """Extract the text of a document (PDF, DOCX, HTML, TXT or Markdown) and its page map.

    The format is judged by content, the suffix of ``filename`` breaking ties; ``filename``
    also names the file in errors and warnings. The text is normalised (NFC, ``\\n``
    newlines, no control characters but ``\\n`` and ``\\t``) and cut at ``max_chars`` with a
    warning. Raises InvalidInput naming the file when it is empty, larger than
    ``max_bytes``, or cannot be read.
    """
    if len(data) > max_bytes:
        raise InvalidInput(
            f"{filename}: the file is {len(data):,} bytes, more than the {max_bytes:,} allowed"
        )
    if not data.strip():
        raise InvalidInput(f"{filename}: the file is empty")
    fmt = detect_format(data, filename)
    warnings = _suffix_warning(filename, fmt)
    text, starts = _join(EXTRACTORS[fmt](data, filename, warnings), max_chars, warnings)
    if not text and fmt != "pdf":  # a PDF has already said which pages are empty, and why
        warnings.append("no text could be extracted")
    return Extraction(text, _spans(text, starts), fmt, tuple(warnings))
