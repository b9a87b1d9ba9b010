"""Reading one exported file: check it is text, detect its format, parse it.

Unreadable files (empty, binary, no known format, or a format without a single readable
record) raise :class:`~realist.errors.InvalidInput` naming the file, so the caller can
store nothing; a bad record inside a good file is a :class:`Problem` and the rest is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from realist.domain.records import Record
from realist.errors import InvalidInput
from realist.importers.base import DEFAULT_MAX_FIELD_CHARS, Context, ParseResult, Problem
from realist.importers.cleaning import Cleaned
from realist.importers.formats import FORMATS, Format
from realist.importers.text import TextSource

__all__ = ["ParseStream", "detect_format", "iter_parse", "parse"]

# What a file is, by its first bytes: files people pick by mistake instead of an export.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or Word file?); export it as CSV or RIS"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.xls?); save it as CSV"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
    *((b"BZh%d1AY&SY" % level, "bzip2-compressed; decompress it first") for level in range(1, 10)),
    (b"\xfd7zXZ\x00", "xz-compressed; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed; decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive; extract it first"),
    (b"Rar!\x1a\x07", "a RAR archive; extract it first"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG), not a text export of records"),
    (b"\xff\xd8\xff", "an image (JPEG), not a text export of records"),
    (b"GIF8", "an image (GIF), not a text export of records"),
    (b"II*\x00", "an image (TIFF), not a text export of records"),
    (b"MM\x00*", "an image (TIFF), not a text export of records"),
    (b"SQLite format 3\x00", "an SQLite database (a review?), not a text export of records"),
    (b"\x7fELF", "a program, not a text export of records"),
    (b"{\\rtf", "an RTF document (a formatted bibliography?); export the records as RIS instead"),
)
# Runs of characters that are not text (and U+FFFD, what UTF-16/32 decoding puts for bad
# bytes). Binary data decoded as text has one run every seven to nine characters (images,
# programs, compressed data, measured); a text export with stray control characters has a
# few, however long. A share of runs, not of characters, tells them apart: a text with one
# block of 1,000 NULs is still text, and is cleaned.
_NOT_TEXT_RUN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]+")
_BINARY_RUNS = 16
_BINARY_SHARE = 0.05


def _readable(data: bytes, filename: str) -> TextSource:
    """The file as text, or InvalidInput when it is empty or not text."""
    if not data or data.isspace():  # (not data.strip(): that would copy a large file)
        raise InvalidInput(f"{filename}: the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InvalidInput(f"{filename}: the file is {what}")
    if b"%PDF-" in data[:1024]:  # PDF readers accept a header up to 1 KiB into the file
        raise InvalidInput(f"{filename}: the file is a PDF; export the records as RIS, CSV or "
                           "BibTeX instead")  # fmt: skip
    source = TextSource(data)
    sample = source.sample()
    runs = len(_NOT_TEXT_RUN.findall(sample))
    if runs >= _BINARY_RUNS and runs > _BINARY_SHARE * len(sample):
        raise InvalidInput(f"{filename}: the file is binary, not a text export of records")
    if not source.head().strip():
        raise InvalidInput(f"{filename}: the file is empty")
    return source


def _detect(source: TextSource, filename: str) -> Format:
    head = source.head().lstrip("\ufeff")
    suffix = os.path.splitext(filename)[1].lower()
    # Content decides; the suffix only breaks ties, so a RIS file saved as .txt or a CSV
    # called .ris is still read correctly.
    scored = [(fmt.sniff(head), suffix in fmt.suffixes, fmt) for fmt in FORMATS.values()]
    score, _, best = max(scored, key=lambda item: (item[0], item[1]))
    if score <= 0:
        known = ", ".join(fmt.label for fmt in FORMATS.values())
        raise InvalidInput(f"{filename}: not a recognised export format (known: {known})")
    return best


def detect_format(data: bytes, filename: str) -> str:
    """The name of the registered format ``data`` is in, judged by content first.

    The suffix of ``filename`` only breaks ties between formats the content fits equally.
    Raises InvalidInput for empty, binary or unrecognised files.
    """
    return _detect(_readable(data, filename), filename).name


class ParseStream(Iterator[Record | Problem]):
    """The records and problems of one file, produced as they are read.

    ``format`` and ``encoding`` are known before the first item. When the file ends without
    a single record, iteration raises InvalidInput: such a file cannot be read at all.
    """

    def __init__(self, fmt: Format, source: TextSource, context: Context) -> None:
        self.format = fmt.name
        self.encoding = source.encoding
        self.filename = context.filename
        # Kept for readers that parse the same file another way (importers.segments).
        self.fmt, self.source, self.context = fmt, source, context
        self._items = self._run(fmt, source, context)

    def __next__(self) -> Record | Problem:
        return next(self._items)

    def _run(self, fmt: Format, source: TextSource, context: Context) -> Iterator[Record | Problem]:
        problems: list[Problem] = []
        for item in fmt.parse(source, context):
            if isinstance(item, Problem) and len(problems) < 3:
                problems.append(item)
            yield item
        yield from ending(context.filename, fmt, source, context.records, problems)


def ending(
    filename: str,
    fmt: Format,
    source: TextSource,
    records: int,
    first_problems: list[Problem],
    fallback: tuple[int, int] | None = None,
    cleaned: Cleaned | None = None,
) -> Iterator[Problem]:
    """What is left to say when a file has been read: undecodable bytes and characters
    that are not text as problems, and InvalidInput when not one record could be read
    (with up to three first problems).

    ``fallback`` (bytes, first line) and ``cleaned`` override what ``source`` counted, for
    a file read in pieces.
    """
    fallback_bytes, fallback_line = fallback or (source.fallback_bytes, source.first_fallback_line)
    if fallback_bytes:
        yield Problem(
            filename,
            fallback_line,
            f"{fallback_bytes:,} byte(s) are not valid {source.encoding}; read them "
            "as Windows-1252 or Latin-1 (check accented letters)",
        )
    cleaned = source.cleaned if cleaned is None else cleaned
    if cleaned:
        yield Problem(filename, cleaned.lines.first, f"{cleaned} on {cleaned.lines}")
    if not records:
        reasons = "; ".join(f"line {p.line}: {p.reason}" for p in first_problems[:3])
        raise InvalidInput(
            f"{filename}: no records could be read as {fmt.label}"
            + (f" ({reasons})" if reasons else "")
        )


def iter_parse(
    data: bytes,
    filename: str,
    format: str | None = None,
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
) -> ParseStream:
    """Read ``data`` lazily: an iterator of Record and Problem items in file order.

    Detection and the checks for empty, binary and unknown files happen at once (raising
    InvalidInput); records are then parsed as the caller iterates, so a large file can be
    stored in chunks without holding every record in memory.
    """
    source = _readable(data, filename)
    if format is None:
        fmt = _detect(source, filename)
    elif format in FORMATS:
        fmt = FORMATS[format]
    else:
        raise InvalidInput(f"{filename}: unknown format {format!r} (known: {', '.join(FORMATS)})")
    return ParseStream(fmt, source, Context(filename, max_field_chars, decoded=fmt.decoded))


def parse(
    data: bytes,
    filename: str,
    format: str | None = None,
    max_field_chars: int = DEFAULT_MAX_FIELD_CHARS,
) -> ParseResult:
    """Read every record of ``data``; see :func:`iter_parse`, of which this is the list form."""
    stream = iter_parse(data, filename, format, max_field_chars)
    result = ParseResult(format=stream.format, encoding=stream.encoding)
    for item in stream:
        if isinstance(item, Record):
            result.records.append(item)
        else:
            result.problems.append(item)
    return result
