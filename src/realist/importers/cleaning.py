"""Characters that are not text, taken out of imported files and records, and noted.

A text export may carry stray control characters: a NUL from a broken copy, a vertical tab
that FileMaker or Excel for Mac wrote for a line break inside a cell, a form feed, C1
controls (U+0080-U+009F) left by a Windows-1252 file that was read as Latin-1 and saved as
UTF-8. None is text; PostgreSQL refuses NUL, XML and JSON refuse most C0 controls, and a
lone surrogate (which a JSON escape such as ``\\ud800`` can make) cannot be stored at all.
So they are cleaned, never fatal, and every change is counted by line so the import can
say where:

- C0 controls other than tab, newline and carriage return, and DEL, are removed; a vertical
  tab, form feed or separator (U+001C-U+001F) between two words becomes a space, so the
  words stay apart;
- a C1 control that Windows-1252 gives a meaning is read as that character (U+0092 as
  ``’``); the five it leaves undefined are removed;
- a lone surrogate becomes U+FFFD, the replacement character.

:func:`is_text` is the fast test every chunk of a file and every record passes through (it
runs at C speed; the regular expression alone would cost a quarter of a RIS parse), and
:func:`clean_text` the slow path for the rare text that fails it.
"""

from __future__ import annotations

import re

__all__ = ["Cleaned", "LineSet", "bytes_are_text", "clean_text", "is_text"]

_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]+")
_SPACE_LIKE = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")
_AS_CP1252 = {
    chr(b): bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
# Bytes deleted by ``bytes.translate`` in :func:`is_text`: everything that may be text, so
# that only the bytes that are not remain.
_TEXT_BYTES = bytes(b for b in range(256) if b in (9, 10, 13) or 0x20 <= b < 0x7F or b >= 0x80)
# Windows-1252 leaves five bytes undefined; decoded, they are C1 controls.
_TEXT_CP1252 = bytes(b for b in _TEXT_BYTES if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D))
_TEXT_LATIN1 = bytes(b for b in range(256) if b in (9, 10, 13) or 0x20 <= b < 0x7F or b >= 0xA0)
# In UTF-8, C1 controls are C2 80-9F and surrogates (encoded with "surrogatepass") ED A0-BF.
# Two patterns with a literal first byte each: the regex engine then skips ahead with a fast
# search, where one alternation would test every byte (15 times slower).
_C1_UTF8 = re.compile(rb"\xc2[\x80-\x9f]")
_SURROGATE_UTF8 = re.compile(rb"\xed[\xa0-\xbf]")
_MAX_SHOWN = 6  # distinct characters named in a problem


def is_text(value: str) -> bool:
    """Whether ``value`` holds no character that :func:`clean_text` would change."""
    if value.isascii():
        return not value.encode("ascii").translate(None, _TEXT_BYTES)
    try:
        return not value.encode("latin-1").translate(None, _TEXT_LATIN1)
    except UnicodeEncodeError:
        pass
    data = value.encode("utf-8", "surrogatepass")
    return not (
        data.translate(None, _TEXT_BYTES) or _C1_UTF8.search(data) or _SURROGATE_UTF8.search(data)
    )


def bytes_are_text(data: bytes, encoding: str) -> bool:
    """Whether ``data`` in ``encoding`` (UTF-8 or Windows-1252; False for any other) decodes
    to text that :func:`clean_text` would not change, bytes not valid UTF-8 aside.

    One look at the whole file at C speed, about twice as fast as testing its text, which
    is then only needed for files that fail.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        return not (data.translate(None, _TEXT_BYTES) or _C1_UTF8.search(data))
    if encoding == "cp1252":
        return not data.translate(None, _TEXT_CP1252)
    return False


class LineSet:
    """Line numbers, added in increasing order, kept as at most ``limit`` ranges.

    Lines beyond the ranges kept are only counted, so a file with a stray character on
    each of its million lines costs a few bytes here and a short sentence in the problem.
    """

    def __init__(self, limit: int = 20) -> None:
        self.limit = limit
        self.ranges: list[list[int]] = []
        self.count = 0  # lines, listed in ranges or not
        self.last = 0
        self.full = False  # a line could not be listed: later ones are only counted

    def add(self, first: int, last: int | None = None) -> None:
        """Add line ``first`` (or the lines ``first`` to ``last``)."""
        last = first if last is None else last
        if last <= self.last:
            return
        first = max(first, self.last + 1)
        self.count += last - first + 1
        if not self.full and self.ranges and first == self.last + 1:
            self.ranges[-1][1] = last
        elif not self.full and len(self.ranges) < self.limit:
            self.ranges.append([first, last])
        else:
            self.full = True
        self.last = last

    def merge(self, other: LineSet, offset: int = 0) -> None:
        """Add the lines of ``other`` (all after those here), moved down by ``offset``."""
        for first, last in other.ranges:
            self.add(first + offset, last + offset)
        unlisted = other.count - other.listed()
        if unlisted > 0:
            self.count += unlisted
            self.full = True
            self.last = max(self.last, other.last + offset)

    @property
    def first(self) -> int:
        """The first line added (0 if none)."""
        return self.ranges[0][0] if self.ranges else 0

    def listed(self) -> int:
        """How many lines the kept ranges name."""
        return sum(b - a + 1 for a, b in self.ranges)

    def __str__(self) -> str:
        parts = [str(a) if a == b else f"{a}–{b}" for a, b in self.ranges]
        if not parts:
            return "no line"
        word = "line" if self.count == 1 else "lines"
        more = self.count - self.listed()
        if more > 0:
            return f"{word} {', '.join(parts)} and {more:,} more"
        if len(parts) == 1:
            return f"{word} {parts[0]}"
        return f"{word} {', '.join(parts[:-1])} and {parts[-1]}"


class Cleaned:
    """What :func:`clean_text` changed: how many characters of each kind, and where."""

    def __init__(self) -> None:
        self.removed = 0
        self.as_cp1252 = 0
        self.surrogates = 0
        self.seen: dict[str, int] = {}  # character -> how often, for the first few kinds
        self.lines = LineSet()

    def __bool__(self) -> bool:
        return bool(self.removed or self.as_cp1252 or self.surrogates)

    def note(self, char: str) -> None:
        """Count one cleaned character."""
        if char in _AS_CP1252:
            self.as_cp1252 += 1
        elif "\ud800" <= char <= "\udfff":
            self.surrogates += 1
        else:
            self.removed += 1
        if char in self.seen or len(self.seen) < _MAX_SHOWN:
            self.seen[char] = self.seen.get(char, 0) + 1

    def merge(self, other: Cleaned, offset: int = 0) -> None:
        """Add what ``other`` counted, its lines moved down by ``offset``."""
        self.removed += other.removed
        self.as_cp1252 += other.as_cp1252
        self.surrogates += other.surrogates
        for char, count in other.seen.items():
            if char in self.seen or len(self.seen) < _MAX_SHOWN:
                self.seen[char] = self.seen.get(char, 0) + count
        self.lines.merge(other.lines, offset)

    def __str__(self) -> str:
        def shown(pick: str) -> str:
            names = [
                f"U+{ord(c):04X}" + (f" as {_AS_CP1252[c]}" if pick == "cp1252" else "")
                + (f" ×{n:,}" if n > 1 else "")
                for c, n in self.seen.items()
                if _kind(c) == pick
            ]  # fmt: skip
            return f" ({', '.join(names)})" if names else ""

        parts = []
        if self.removed:
            parts.append(f"{_count(self.removed, 'control character')} removed{shown('removed')}")
        if self.as_cp1252:
            parts.append(f"{_count(self.as_cp1252, 'C1 control character')} read as "
                         f"Windows-1252{shown('cp1252')}")  # fmt: skip
        if self.surrogates:
            parts.append(f"{_count(self.surrogates, 'lone surrogate')} replaced by U+FFFD"
                         f"{shown('surrogate')}")  # fmt: skip
        return "; ".join(parts)


def _kind(char: str) -> str:
    if char in _AS_CP1252:
        return "cp1252"
    return "surrogate" if "\ud800" <= char <= "\udfff" else "removed"


def _count(number: int, what: str) -> str:
    return f"{number:,} {what}" + ("" if number == 1 else "s")


def clean_text(text: str, cleaned: Cleaned, line: int = 1) -> str:
    """``text`` without the characters that are not text (see the module's rules).

    Each change is counted in ``cleaned`` with its line, ``line`` being the line of the
    text's first character (lines are counted by ``\\n``).
    """
    pieces: list[str] = []
    last = 0
    for found in _NOT_TEXT.finditer(text):
        start, end = found.span()
        line += text.count("\n", last, start)
        pieces.append(text[last:start])
        kept: list[str] = []
        run = found.group()
        for char in run:
            cleaned.note(char)
            if char in _AS_CP1252:
                kept.append(_AS_CP1252[char])
            elif "\ud800" <= char <= "\udfff":
                kept.append("\ufffd")
        if (
            not kept
            and start > 0
            and end < len(text)
            and not text[start - 1].isspace()
            and not text[end].isspace()
            and any(char in _SPACE_LIKE for char in run)
        ):
            kept.append(" ")
        pieces.append("".join(kept))
        cleaned.lines.add(line)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)
