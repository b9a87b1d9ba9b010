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
from realist.importers.formats import FORMATS, Format
from realist.importers.text import TextSource

__all__ = ["ParseStream", "detect_format", "iter_parse", "parse"]

_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or Word file?); export it as CSV or RIS"),
    (b"%PDF", "a PDF; export the records as RIS, CSV or BibTeX instead"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls?); save it as CSV"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
)


def _readable(data: bytes, filename: str) -> TextSource:
    """The file as text, or InvalidInput when it is empty or binary."""
    if not data or data.isspace():  # (not data.strip(): that would copy a large file)
        raise InvalidInput(f"{filename}: the file is empty")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InvalidInput(f"{filename}: the file is {what}")
    source = TextSource(data)
    head = source.head()
    if "\x00" in head or len(_CONTROL.findall(head)) > max(8, len(head) // 100):
        raise InvalidInput(f"{filename}: the file is binary, not a text export of records")
    if not head.strip():
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
) -> Iterator[Problem]:
    """What is left to say when a file has been read: undecodable bytes as a problem, and
    InvalidInput when not one record could be read (with up to three first problems).

    ``fallback`` (bytes, first line) overrides what ``source`` counted, for a file read in
    pieces.
    """
    fallback_bytes, fallback_line = fallback or (source.fallback_bytes, source.first_fallback_line)
    if fallback_bytes:
        yield Problem(
            filename,
            fallback_line,
            f"{fallback_bytes:,} byte(s) are not valid {source.encoding}; read them "
            "as Windows-1252 or Latin-1 (check accented letters)",
        )
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
    return ParseStream(fmt, source, Context(filename, max_field_chars))


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
