"""How data enters each output format: one rule per format, applied by every writer.

Titles, excerpts, attribute names and values come from people and imported files, so every
piece of data is escaped where it enters a format, never trusted to be plain:

========  ===============================================================================
HTML      :func:`html.escape` (``< > & " '``); SVG: :func:`xml_text`
SVG/DOCX  :func:`xml_text`: characters XML 1.0 cannot hold become U+FFFD
XLSX      :func:`xml_text`, and cells typed as strings (never a formula)
CSV       :func:`spreadsheet_text`: a text starting like a formula gets a leading ``'``
Markdown  :func:`markdown_text` inside a line, :func:`markdown_line` at the start of a
          block, :func:`markdown_runs` for styled runs (emphasis that always closes)
========  ===============================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = [
    "FORMULA_START",
    "markdown_block_start",
    "markdown_line",
    "markdown_runs",
    "markdown_text",
    "spreadsheet_text",
    "xml_text",
]


def xml_text(text: str) -> str:
    """Text that XML 1.0 can hold (DOCX, XLSX, SVG): other characters become U+FFFD.

    Imported text may carry control characters that would otherwise make the writer fail
    or the file unreadable.
    """
    return "".join(
        ch
        if ch in "\t\n\r"
        or 0x20 <= ord(ch) <= 0xD7FF
        or 0xE000 <= ord(ch) <= 0xFFFD
        or 0x10000 <= ord(ch) <= 0x10FFFF
        else "\ufffd"
        for ch in text
    )


# --- spreadsheets ---------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?\Z")
_CARRIAGE_RETURN = re.compile(r"\r\n?")


def spreadsheet_text(value: str) -> str:
    """A CSV cell that a spreadsheet will not run: text starting with ``= + - @``, a tab or
    a carriage return gets a leading apostrophe (the usual guard against formula
    injection), unless it is a plain number such as ``-3``. Lines end in ``\n`` (a lone
    ``\r`` is not quoted by every CSV writer, and would end the row)."""
    value = _CARRIAGE_RETURN.sub("\n", value)
    if value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


# --- Markdown (CommonMark with GitHub's tables and strike-through) -------------------------

# Characters with a meaning inside a line: emphasis, code, links, HTML, tables, strike,
# entities, math ($ on GitHub). Each is backslash-escaped, which CommonMark allows for any
# ASCII punctuation.
_INLINE = re.compile(r"([\\`*_\[\]<>|~#&$!])")
_NEWLINE = re.compile(r"\r\n|\r|\n")
# What makes a block of its own at the start of a line: a list item ("- ", "+ ", "1. ",
# "1) "), a setext underline or thematic break ("=", "-").
_BLOCK_START = re.compile(r"^([-+=])|^(\d{1,9})([.)])")


def markdown_text(text: str) -> str:
    """Text as Markdown that reads back as the same text inside a line or a table cell:
    punctuation with a meaning is backslash-escaped, a line break becomes ``<br>`` (a
    newline would end the table row or the list item) and control characters U+FFFD."""
    text = "".join("\ufffd" if _control(ch) else ch for ch in text)
    return _NEWLINE.sub("<br>", _INLINE.sub(r"\\\1", text))


def markdown_line(text: str) -> str:
    """Escaped Markdown for the start of a block (a paragraph, list item or heading)."""
    return markdown_block_start(markdown_text(text))


def markdown_block_start(markdown: str) -> str:
    """Already escaped Markdown made safe at the start of a block: what would make it a
    list or a heading of another kind is escaped, and its indentation (code) dropped."""
    return _BLOCK_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}",
        markdown.lstrip(" \t"),
    )


def _control(ch: str) -> bool:
    return ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cs")


def _space(ch: str) -> bool:
    """CommonMark's Unicode whitespace (not Python's wider ``isspace``)."""
    return ch in " \t\n\f\r" or unicodedata.category(ch) == "Zs"


def _punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PS"


def _flanks(before: str, core: str, after: str) -> bool:
    """Whether emphasis markers around ``core`` open and close (CommonMark's flanking
    rules): a marker next to punctuation inside must have space or punctuation outside."""
    opens = not _punctuation(core[0]) or not before or _space(before) or _punctuation(before)
    closes = not _punctuation(core[-1]) or not after or _space(after) or _punctuation(after)
    return opens and closes


_MARKS = (("bold", "**", "strong"), ("italic", "*", "em"), ("struck", "~~", "del"))
_MARK_CHARS = "*~"


def markdown_runs(runs: Sequence[tuple[str, frozenset[str]]]) -> str:
    """Styled runs as Markdown: ``(text, styles)`` with styles among ``bold``, ``italic``
    and ``struck``. Space at a run's ends stays outside its markers, and where CommonMark
    would not read a marker as emphasis (``*bp device:*yes``), the run is written with
    HTML tags instead, so emphasis always closes and never swallows the next run."""
    merged: list[tuple[str, frozenset[str]]] = []
    for text, styles in runs:  # neighbours in one style are one run: "**a****b**" is not
        if merged and merged[-1][1] == styles:
            merged[-1] = (merged[-1][0] + text, styles)
        elif text:
            merged.append((text, styles))
    pieces = [markdown_text(text) for text, _ in merged]
    out: list[str] = []
    for i, ((_, styles), piece) in enumerate(zip(merged, pieces, strict=True)):
        start, end = 0, len(piece)
        while start < end and _space(piece[start]):
            start += 1
        while end > start and _space(piece[end - 1]):
            end -= 1
        lead, core, trail = piece[:start], piece[start:end], piece[end:]
        if not styles or not core:
            out.append(piece)
            continue
        before = lead[-1:] or "".join(out)[-1:]
        after = trail[:1] or next((p[:1] for p in pieces[i + 1 :] if p), "")
        inner, outer = core, core
        for style, mark, _ in _MARKS:
            if style in styles:
                inner, outer = outer, f"{mark}{outer}{mark}"
        # Inner markers sit between outer ones (punctuation), so only the outermost pair
        # meets the neighbours; a neighbour that is itself a marker could merge with it.
        if _flanks(before, inner, after) and not (set(before + after) & set(_MARK_CHARS)):
            out.append(f"{lead}{outer}{trail}")
            continue
        tagged = core
        for style, _, tag in _MARKS:
            if style in styles:
                tagged = f"<{tag}>{tagged}</{tag}>"
        out.append(f"{lead}{tagged}{trail}")
    return "".join(out)
