"""From a file's bytes to text: encoding, newlines, and lines of bounded length.

Exports come in every encoding: UTF-8 with or without a byte-order mark (Scopus, Zotero),
UTF-16 (older Web of Science and EndNote on Windows, sometimes without a BOM), and
Windows-1252/Latin-1 (older EBSCO and Ovid files, and files edited in Excel). Files that
mix UTF-8 with a few stray Windows-1252 bytes are common too, after someone concatenated
exports. Decoding never fails: a byte that is not valid UTF-8 is read as Windows-1252 (or
Latin-1 where Windows-1252 leaves a byte undefined) and counted, so the import can say so.

Text is produced in chunks, so a large file never exists twice in memory, and lines are cut
at a limit, so a 200 MB file with no newline costs no more than its first megabyte.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterator

__all__ = ["TextSource", "decode", "sniff_encoding"]

_CHUNK_BYTES = 1 << 20
_HEAD_BYTES = 1 << 16
_FALLBACK = "realist-cp1252"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
# Windows-1252 leaves five bytes undefined; Latin-1 gives them a (control) character.
_CP1252 = [bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)]


class _Tally(threading.local):
    """Where the error handler counts fallback bytes for the decode in progress.

    Error handlers are registered globally by name, so the handler cannot hold per-file
    state; the decoder points this thread-local at its own source just around each call.
    """

    source: TextSource | None = None


_tally = _Tally()


def _read_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    source = _tally.source
    if source is not None:
        source.note_fallback(error.start, error.end - error.start)
    bad = error.object[error.start : error.end]
    return "".join(_CP1252[b] for b in bad), error.end


codecs.register_error(_FALLBACK, _read_as_cp1252)


def sniff_encoding(data: bytes) -> str:
    """The Python codec that reads ``data``: from its BOM, NUL pattern or byte content.

    Returns ``utf-8-sig``, ``utf-16``, ``utf-32`` (BOM present), ``utf-16-le`` or
    ``utf-16-be`` (no BOM, recognised by the NUL bytes of mostly-ASCII text), ``utf-8``,
    or ``cp1252`` when the start of the file holds non-ASCII bytes that never form UTF-8.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    pairs = len(head) // 2
    if pairs >= 2:
        nul_even, nul_odd = head[0::2].count(0), head[1::2].count(0)
        if nul_odd > 0.3 * pairs and nul_even < 0.05 * pairs:
            return "utf-16-le"
        if nul_even > 0.3 * pairs and nul_odd < 0.05 * pairs:
            return "utf-16-be"
    head = data[:_HEAD_BYTES]
    try:
        codecs.utf_8_decode(head, "strict", len(head) == len(data))
    except UnicodeDecodeError:
        # Text with valid multi-byte sequences is UTF-8 with a few bad bytes; text without
        # any is a single-byte encoding, where every accented letter would be an error.
        return "utf-8" if _UTF8_MULTIBYTE.search(head) else "cp1252"
    return "utf-8"


class TextSource:
    """A file's bytes, readable as text in chunks, as bounded lines, or whole.

    After reading, ``fallback_bytes`` counts the bytes that were not valid in the detected
    encoding and ``first_fallback_line`` says where the first of them was.
    """

    def __init__(self, data: bytes, encoding: str | None = None) -> None:
        self.data = data
        self.encoding = encoding or sniff_encoding(data)
        self.fallback_bytes = 0
        self.first_fallback_line = 0
        self._chunk_start = 0

    def note_fallback(self, start: int, length: int) -> None:
        """Count ``length`` undecodable bytes at offset ``start`` of the current chunk."""
        if not self.fallback_bytes:
            offset = self._chunk_start + start
            self.first_fallback_line = self.data.count(b"\n", 0, offset) + 1
        self.fallback_bytes += length

    def chunks(self, size: int = _CHUNK_BYTES, limit: int | None = None) -> Iterator[str]:
        """The text in pieces of about ``size`` bytes, newlines translated to ``\\n``.

        With ``limit``, stop after that many bytes (used to look at a file's start).
        """
        is_utf16_32 = self.encoding.startswith(("utf-16", "utf-32"))
        errors = "replace" if is_utf16_32 else _FALLBACK
        decoder = codecs.getincrementaldecoder(self.encoding)(errors=errors)
        view = memoryview(self.data)
        end = len(view) if limit is None else min(limit, len(view))
        held_cr = False
        for start in range(0, end, size):
            final = start + size >= end
            # The decoder prepends up to three bytes held from the last chunk; offsets the
            # error handler sees are therefore at most three bytes early. Good enough for a
            # line number.
            self._chunk_start = start
            # Only a whole read counts bad bytes: the head is read again by the parser.
            _tally.source = self if limit is None else None
            try:
                text = decoder.decode(view[start : min(start + size, end)], final)
            finally:
                _tally.source = None
            if held_cr:
                text = "\r" + text
            held_cr = not final and text.endswith("\r")
            if held_cr:
                text = text[:-1]  # it may be the first half of a CRLF split across chunks
            if "\r" in text:
                text = text.replace("\r\n", "\n").replace("\r", "\n")
            yield text

    def head(self) -> str:
        """The first 64 KiB, decoded, for detecting the format."""
        return "".join(self.chunks(limit=_HEAD_BYTES))

    def text(self) -> str:
        """The whole text, for formats whose parsers need it at once (JSON, BibTeX)."""
        return "".join(self.chunks())

    def line_blocks(self, limit: int) -> Iterator[list[str]]:
        """Lines without their ``\\n``, a list per chunk; a longer line is cut to ``limit``.

        Lists rather than single lines because parsers loop over them in their own tight
        loop; a generator step per line would cost a quarter of the parse time.
        """
        partial = ""  # a line whose end lies in a later chunk
        skipping = False  # the partial line is already at the limit: drop until newline
        # Chunks no longer than the limit can only hold a too-long line at their start
        # (the partial line carried over), so only that one needs checking.
        for text in self.chunks(size=min(_CHUNK_BYTES, limit)):
            if skipping:
                cut = text.find("\n")
                if cut < 0:
                    continue
                text = text[cut:]
                skipping = False
            parts = text.split("\n")
            if partial:
                parts[0] = partial + parts[0]
                if len(parts[0]) > limit:
                    parts[0] = parts[0][:limit]
            partial = parts.pop()
            if len(partial) > limit:
                partial = partial[:limit]
                skipping = True
            yield parts
        if partial:
            yield [partial]

    def lines(self, limit: int) -> Iterator[str]:
        """Lines with their ``\\n``, one at a time (for the csv module)."""
        for block in self.line_blocks(limit):
            for line in block:
                yield line + "\n"


def decode(data: bytes) -> str:
    """The text of an exported file, whatever its encoding, with ``\\n`` newlines.

    Handles UTF-8 with or without BOM, UTF-16 (LE/BE with BOM, or without one when the
    NUL pattern shows it), UTF-32 with BOM and Windows-1252/Latin-1. Never raises: bytes
    that are invalid UTF-8 are read as Windows-1252.
    """
    return TextSource(data).text()
