"""From a file's bytes to text: encoding, newlines, and lines of bounded length.

Exports come in every encoding: UTF-8 with or without a byte-order mark (Scopus, Zotero),
UTF-16 (older Web of Science and EndNote on Windows, sometimes without a BOM), and
Windows-1252/Latin-1 (older EBSCO and Ovid files, and files edited in Excel). Files that
mix UTF-8 with a few stray Windows-1252 bytes are common too, after someone concatenated
exports. Decoding never fails: a byte that is not valid UTF-8 is read as Windows-1252 (or
Latin-1 where Windows-1252 leaves a byte undefined) and counted, so the import can say so.

Text is produced in chunks, so a large file never exists twice in memory, and lines are cut
at a limit, so a 200 MB file with no newline costs no more than its first megabyte. Every
chunk is cleaned of characters that are not text (:mod:`realist.importers.cleaning`): a
stray NUL or vertical tab is removed and counted by line, wherever it is in the file, so
no parser ever sees one.
"""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Iterator

from realist.importers.cleaning import Cleaned, bytes_are_text, clean_text, is_text

__all__ = ["TextSource", "decode", "sniff_encoding"]

_CHUNK_BYTES = 1 << 20
_HEAD_BYTES = 1 << 16
# How much of a file's start is used to judge it (binary? which format?): this many
# characters of whole lines, each cut at _HEAD_LINE, so that one long line cannot hide what
# follows it (a 70 KB header line before the first RIS record).
_HEAD_CHARS = 1 << 16
_HEAD_LINE = 1 << 14
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
    data, end = error.object, _bad_run_end(error.object, error.end)
    source = _tally.source
    if source is not None:
        source.note_fallback(error.start, end - error.start)
    return "".join([_CP1252[b] for b in data[error.start : end]]), end


_HIGH_BYTES = re.compile(rb"[\x80-\xff]*")


def _bad_run_end(data: bytes, end: int) -> int:
    """Where the invalid UTF-8 that ends at ``end`` really ends: the decoder calls the
    handler once per bad byte (200,000 of them cost 35x a valid file), so the handler takes
    the whole run of high bytes up to the next valid UTF-8 sequence at once. Up to three
    bytes at the end of the data are left to the decoder: they may be the first bytes of a
    character whose rest is in the next chunk."""
    run_end = _HIGH_BYTES.match(data, end).end()  # type: ignore[union-attr]
    valid = _UTF8_MULTIBYTE.search(data, end, run_end)
    if valid is not None:
        return valid.start()
    if run_end >= len(data) - 3:
        return max(end, len(data) - 3)
    return run_end


codecs.register_error(_FALLBACK, _read_as_cp1252)


def sniff_encoding(data: bytes) -> str:
    """The Python codec that reads ``data``: from its BOM, NUL pattern or byte content.

    Returns ``utf-8-sig``, ``utf-16``, ``utf-32`` (BOM present), ``utf-32-le``,
    ``utf-32-be``, ``utf-16-le`` or ``utf-16-be`` (no BOM, recognised by the NUL bytes of
    mostly-ASCII text), ``utf-8``, or ``cp1252`` when the start of the file holds non-ASCII
    bytes that never form UTF-8.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    without_bom = _utf32_without_bom(head) or _utf16_without_bom(head)
    if without_bom:
        return without_bom
    head = data[:_HEAD_BYTES]
    try:
        codecs.utf_8_decode(head, "strict", len(head) == len(data))
    except UnicodeDecodeError:
        # Text with valid multi-byte sequences is UTF-8 with a few bad bytes; text without
        # any is a single-byte encoding, where every accented letter would be an error.
        return "utf-8" if _UTF8_MULTIBYTE.search(head) else "cp1252"
    return "utf-8"


def _utf32_without_bom(head: bytes) -> str:
    # A UTF-32 code unit's top byte is always 0 (code points stop at U+10FFFF) and, outside
    # the rare supplementary planes, so is the next one; in mostly-ASCII text the low byte
    # is not. The strict decode rules out binary data that happens to fit the pattern.
    quads = len(head) // 4
    if quads < 2:
        return ""
    head = head[: quads * 4]
    zeros = [head[i::4].count(0) for i in range(4)]
    for name, top, next_, low in (("utf-32-le", 3, 2, 0), ("utf-32-be", 0, 1, 3)):
        if zeros[top] == quads and zeros[next_] >= 0.9 * quads and zeros[low] < 0.5 * quads:
            try:
                head.decode(name)
            except UnicodeDecodeError:
                continue
            return name
    return ""


def _utf16_without_bom(head: bytes) -> str:
    pairs = len(head) // 2
    if pairs >= 4:
        nul_even, nul_odd = head[0::2].count(0), head[1::2].count(0)
        if nul_odd > 0.3 * pairs and nul_even < 0.05 * pairs:
            return "utf-16-le"
        if nul_even > 0.3 * pairs and nul_odd < 0.05 * pairs:
            return "utf-16-be"
    return ""


class TextSource:
    """A file's bytes, readable as text in chunks, as bounded lines, or whole.

    After a whole reading, ``fallback_bytes`` counts the bytes that were not valid in the
    detected encoding, ``first_fallback_line`` says where the first of them was, and
    ``cleaned`` what was taken out because it is not text, by line. Each whole reading
    counts afresh.
    """

    def __init__(self, data: bytes, encoding: str | None = None) -> None:
        self.data = data
        self.encoding = encoding or sniff_encoding(data)
        self.fallback_bytes = 0
        self.first_fallback_line = 0
        self.cleaned = Cleaned()
        self._chunk_start = 0
        self._sample: str | None = None
        self._head: str | None = None
        self._bytes_are_text: bool | None = None

    def note_fallback(self, start: int, length: int) -> None:
        """Count ``length`` undecodable bytes at offset ``start`` of the current chunk."""
        if not self.fallback_bytes:
            offset = self._chunk_start + start
            self.first_fallback_line = self.data.count(b"\n", 0, offset) + 1
        self.fallback_bytes += length

    def _decoded(self, size: int, limit: int | None, count: bool) -> Iterator[str]:
        """The text in pieces, newlines translated; undecodable bytes tallied if ``count``."""
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
            _tally.source = self if count else None
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

    def chunks(self, size: int = _CHUNK_BYTES, limit: int | None = None) -> Iterator[str]:
        """The text in pieces of about ``size`` bytes, newlines translated to ``\\n`` and
        characters that are not text cleaned out.

        With ``limit``, stop after that many bytes (used to look at a file's start); only a
        whole reading counts undecodable bytes and cleaned characters.
        """
        whole = limit is None
        if whole:
            self.fallback_bytes = self.first_fallback_line = 0
            self.cleaned = Cleaned()
        if self._bytes_are_text is None:
            self._bytes_are_text = bytes_are_text(self.data, self.encoding)
        line = 1  # the line the next chunk starts on
        fallback = 0
        for text in self._decoded(size, limit, whole):
            # Bytes that are all text decode to text, unless some were not valid UTF-8 and
            # were read as Windows-1252 (where five bytes stay control characters).
            trusted = self._bytes_are_text and fallback == self.fallback_bytes
            fallback = self.fallback_bytes
            if not trusted and not is_text(text):
                text = clean_text(text, self.cleaned if whole else Cleaned(), line)
            if whole:
                line += text.count("\n")
            yield text

    def sample(self) -> str:
        """The file's start as decoded, not cleaned, for judging whether it is text:
        about 64K characters of lines, each cut at 16K."""
        if self._sample is None:
            self._sample = self._start()
        return self._sample

    def head(self) -> str:
        """The file's start (see :meth:`sample`), cleaned, for detecting the format."""
        if self._head is None:
            sample = self.sample()
            self._head = sample if is_text(sample) else clean_text(sample, Cleaned())
        return self._head

    def _start(self) -> str:
        kept: list[str] = []
        size = 0
        partial = ""  # a line whose end lies in a later chunk
        skipping = False  # that line was cut: skip to its end
        for text in self._decoded(_HEAD_BYTES, None, count=False):
            if skipping:
                cut = text.find("\n")
                if cut < 0:
                    continue
                text = text[cut + 1 :]
                skipping = False
            parts = text.split("\n")
            parts[0] = partial + parts[0]
            partial = parts.pop()
            if not kept:  # blank lines before the first line of text are not the head
                first = 0
                while first < len(parts) and (not parts[first] or parts[first].isspace()):
                    first += 1
                del parts[:first]
            # The lines at once, not one by one: a file of short lines has 30,000 of them
            # in its head, which cost as much as parsing 50 KB of a valid export.
            if parts and max(map(len, parts)) > _HEAD_LINE:
                parts = [part[:_HEAD_LINE] for part in parts]
            kept += parts
            size += sum(map(len, parts)) + len(parts)
            if len(partial) > _HEAD_LINE:
                kept.append(partial[:_HEAD_LINE])
                size += _HEAD_LINE + 1
                partial, skipping = "", True
            if size >= _HEAD_CHARS:
                break
        else:
            kept.append(partial)
        return "\n".join(kept)

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

    Handles UTF-8 with or without BOM, UTF-16 and UTF-32 (LE/BE with BOM, or without one
    when the NUL pattern shows it) and Windows-1252/Latin-1. Never raises: bytes that are
    invalid UTF-8 are read as Windows-1252; characters that are not text are removed.
    """
    return TextSource(data).text()
