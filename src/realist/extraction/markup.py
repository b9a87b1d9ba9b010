"""HTML: the text a reader sees, with block elements as line breaks, as one page.

The standard library's parser is used on purpose: it is lenient with the broken markup that
publishers' pages are full of, it decodes entities, it never fetches anything (no DTDs, no
external entities), and its output does not change with a third-party release.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator
from html.parser import HTMLParser

from realist.errors import InvalidInput
from realist.extraction.text import BOMS, decode

__all__ = ["extract_pages", "html_text"]

# Elements whose content is never shown: code, styling, metadata, inert templates, and
# <noscript>, which on publishers' pages is a "please enable JavaScript" notice.
_HIDDEN = frozenset({"script", "style", "head", "title", "template", "noscript"})
# Block elements after which a blank line reads naturally.
_PARAGRAPHS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "dl",
        "section", "article", "header", "footer", "figure", "hr", "main", "aside", "nav",
        "address", "form", "fieldset", "details",
    }
)  # fmt: skip
_LINES = frozenset(
    {
        "div", "li", "dt", "dd", "tr", "caption", "figcaption", "summary", "body", "html",
        "option", "legend",
    }
)  # fmt: skip
_HEAD_CONTENT = frozenset(
    {"title", "meta", "link", "style", "script", "base", "noscript", "template", "head"}
)
_CELLS = frozenset({"td", "th"})
_PREFORMATTED = frozenset({"pre", "textarea", "listing", "plaintext"})
_SPACES = re.compile(r"[ \t\n\r\f]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# The HTML standard reads these labels as Windows-1252, since that is what such pages hold.
_AS_CP1252 = frozenset({"latin-1", "iso8859-1", "ascii"})


class _VisibleText(HTMLParser):
    """Collects visible text; line breaks are held back until more text comes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._hidden: list[str] = []
        self._pre = 0
        self._pending = 0  # newlines owed before the next text (at most 2)
        self._cells_in_row = 0

    def _break(self, newlines: int) -> None:
        self._pending = max(self._pending, newlines)

    def _emit(self, piece: str) -> None:
        if self._pending and self.out:
            self.out.append("\n" * self._pending)
        self._pending = 0
        self.out.append(piece)

    def _at_line_start(self) -> bool:
        return bool(self._pending) or not self.out or self.out[-1][-1:] in ("\n", "\t")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "head" in self._hidden and tag not in _HEAD_CONTENT:
            # As in a browser, a <head> left open ends at the first element of the body.
            del self._hidden[self._hidden.index("head") :]
        if tag in _HIDDEN:
            self._hidden.append(tag)
        elif self._hidden:
            return
        elif tag == "br":
            self._pending = min(self._pending + 1, 2) if self.out else 0
        elif tag == "tr":
            self._break(1)
            self._cells_in_row = 0
        elif tag in _CELLS:
            if self._cells_in_row:
                self._emit("\t")
            self._cells_in_row += 1
        elif tag in _PARAGRAPHS or tag in _LINES:
            self._break(2 if tag in _PARAGRAPHS else 1)
        if tag in _PREFORMATTED:
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and tag in self._hidden:
            # Closing an outer hidden element also closes any left open inside it.
            del self._hidden[len(self._hidden) - 1 - self._hidden[::-1].index(tag) :]
            return
        if tag in _PREFORMATTED and self._pre:
            self._pre -= 1
        if not self._hidden and (tag in _PARAGRAPHS or tag in _LINES):
            self._break(2 if tag in _PARAGRAPHS else 1)

    def handle_data(self, data: str) -> None:
        if self._hidden or not data:
            return
        # A non-breaking space (&nbsp;) is layout, not meaning; searching wants a plain space.
        data = data.replace("\xa0", " ")
        if not self._pre:
            data = _SPACES.sub(" ", data)
            if self._at_line_start():
                data = data.lstrip(" ")
            if not data:
                return
        self._emit(data)


def _charset(data: bytes) -> str | None:
    """The encoding a page declares in a <meta> tag, when Python knows it."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _decode_page(data: bytes, warnings: list[str]) -> str:
    if any(data.startswith(bom) for bom, _, _ in BOMS):
        return decode(data)[0]
    declared = _charset(data)
    if declared and declared not in ("utf-8", "utf-8-sig"):
        return data.decode(declared, errors="replace")
    text, encoding = decode(data)
    if encoding == "Windows-1252":
        warnings.append("not valid UTF-8: read as Windows-1252 (check accented letters)")
    return text


def html_text(markup: str) -> str:
    """The visible text of an HTML document (not yet normalised)."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.out)


def extract_pages(data: bytes, filename: str, warnings: list[str]) -> Generator[str, None, None]:
    """The visible text of an HTML file as a single page.

    The encoding is a byte-order mark's, else the one a ``<meta>`` tag declares, else UTF-8,
    else Windows-1252. Script, style and the head are dropped; entities are decoded.
    """
    markup = _decode_page(data, warnings)
    try:
        text = html_text(markup)
    except Exception as error:  # the parser is lenient; anything it raises means unreadable
        raise InvalidInput(f"{filename}: the HTML could not be read ({error})") from None
    yield text
