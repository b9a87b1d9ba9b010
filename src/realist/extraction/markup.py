"""HTML: the text of the article a reader came for, with block elements as line breaks.

A publisher's page wraps the article in navigation, a header, breadcrumbs, a cookie banner,
share buttons and a footer. The page is read into its elements first; the main content is
the largest ``<main>`` (or ``role="main"``), else the largest ``<article>``, else the whole
body; inside it, page furniture (nav, aside, forms, menus, dialogs, hidden elements, page
headers and footers, elements whose class or id says cookie, breadcrumb, skip, share ...)
and blocks that are mostly short links ("Home | Journals | Login") are dropped. A page
where nothing is left keeps all its visible text, with a warning.

The standard library's parser is used on purpose: it is lenient with the broken markup that
publishers' pages are full of, it decodes entities, it never fetches anything (no DTDs, no
external entities), and its output does not change with a third-party release.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Generator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import cast

from realist.errors import InvalidInput
from realist.extraction.text import BOMS, decode

__all__ = ["extract_pages", "html_text", "page_text"]

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


# Elements that are never the text of an article: navigation, complementary boxes, forms
# and their controls, dialogs (cookie banners), menus, embedded frames and drawings.
_FURNITURE = frozenset(
    {"nav", "aside", "form", "button", "select", "textarea", "dialog", "menu", "iframe", "svg"}
)
_FURNITURE_ROLES = frozenset(
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar",
        "toolbar", "dialog", "alertdialog", "form", "tablist",
    }
)  # fmt: skip
# Words in a class or id that mark page furniture anywhere, and those that mark it only
# outside the article (an article's own header holds its title).
_FURNITURE_WORDS = frozenset(
    {
        "cookie", "cookies", "consent", "gdpr", "breadcrumb", "breadcrumbs", "skip", "skiplink",
        "navbar", "nav", "navigation", "menu", "share", "sharing", "social", "sidebar",
        "advert", "advertisement", "newsletter", "modal", "popup", "toolbar", "login", "signin",
    }
)  # fmt: skip
_PAGE_WORDS = frozenset({"header", "footer", "masthead", "banner"})
# Elements inside which a <header> or <footer> belongs to that section, not to the page.
_SECTIONING = frozenset({"article", "main", "section", "aside", "nav"})
_VOID = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip
_CLASS_WORDS = re.compile(r"[a-z]+")
_INVISIBLE_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
# A block is a list of links (a menu, "Home | Journals | Login", "Google Scholar PubMed")
# when it has two links or more, they are short, and the words outside them are at most one
# for every two links ("See Table 1 and Figure 2" has two, and is a sentence).
_LINKS_AT_LEAST = 2
_LINK_LENGTH = 40
_WORD = re.compile(r"[^\W\d_]{2,}")
# <main> or <article> is the text when it holds at least this share of the page's text.
_MAIN_SHARE = 0.25

_BREAK, _BR, _ROW, _CELL, _TEXT = range(5)


@dataclass
class _Node:
    """An element of the page: what it is, and how much visible text and links it holds."""

    tag: str
    parent: int
    attrs: dict[str, str]
    sectioned: bool = False  # inside an article, main, section, aside or nav
    text: int = 0
    link_text: int = 0
    links: int = 0
    words_outside_links: int = 0

    @property
    def role(self) -> str:
        return self.attrs.get("role", "").strip().lower()

    def furniture(self) -> bool:
        """Whether this element is page furniture (navigation, banners, cookie notices,
        forms, hidden content) rather than the document's text."""
        if self.tag in _FURNITURE or self.role in _FURNITURE_ROLES:
            return True
        if self.tag in ("header", "footer") and not self.sectioned:
            return True
        if "hidden" in self.attrs or self.attrs.get("aria-hidden", "").lower() == "true":
            return True
        if _INVISIBLE_STYLE.search(self.attrs.get("style", "").lower()):
            return True
        if self.tag in ("html", "body", "main", "article") or self.role == "main":
            return False
        named = f"{self.attrs.get('class', '')} {self.attrs.get('id', '')}".lower()
        words = set(_CLASS_WORDS.findall(named))
        return bool(words & _FURNITURE_WORDS) or (not self.sectioned and bool(words & _PAGE_WORDS))

    def link_list(self) -> bool:
        """Whether this element is mostly short links: a menu or a row of link buttons."""
        return (
            self.links >= _LINKS_AT_LEAST
            and self.link_text <= _LINK_LENGTH * self.links
            and self.words_outside_links <= self.links // 2
        )


class _Page(HTMLParser):
    """Reads a page into its elements and a list of rendering events, each event owned by
    an element, so that text can then be rendered from the main content only."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes = [_Node("#document", -1, {})]
        self.events: list[tuple[int, int, object]] = []
        self._open = [0]  # the elements open now, outermost first
        self._hidden: list[str] = []
        self._pre = 0

    def _event(self, kind: int, value: object = None) -> None:
        self.events.append((self._open[-1], kind, value))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if "head" in self._hidden and tag not in _HEAD_CONTENT:
            # As in a browser, a <head> left open ends at the first element of the body.
            del self._hidden[self._hidden.index("head") :]
        if tag in _HIDDEN:
            self._hidden.append(tag)
            return
        if self._hidden:
            return
        if tag == "br":
            self._event(_BR)
        elif tag == "tr":
            self._event(_ROW)
        elif tag in _CELLS:
            self._event(_CELL)
        elif tag in _PARAGRAPHS or tag in _LINES:
            self._event(_BREAK, 2 if tag in _PARAGRAPHS else 1)
        if tag in _PREFORMATTED:
            self._pre += 1
        if tag in _VOID:
            return
        parent = self.nodes[self._open[-1]]
        sectioned = parent.sectioned or parent.tag in _SECTIONING or parent.role == "main"
        self.nodes.append(
            _Node(tag, self._open[-1], {k: v or "" for k, v in attrs}, sectioned=sectioned)
        )
        self._open.append(len(self.nodes) - 1)
        if tag == "a":
            for i in self._open[:-1]:
                self.nodes[i].links += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN and tag in self._hidden:
            # Closing an outer hidden element also closes any left open inside it.
            del self._hidden[len(self._hidden) - 1 - self._hidden[::-1].index(tag) :]
            return
        if tag in _PREFORMATTED and self._pre:
            self._pre -= 1
        if self._hidden:
            return
        # An end tag closes the innermost open element of its name and any left open in it.
        for depth in range(len(self._open) - 1, 0, -1):
            if self.nodes[self._open[depth]].tag == tag:
                del self._open[depth:]
                break
        if tag in _PARAGRAPHS or tag in _LINES:
            self._event(_BREAK, 2 if tag in _PARAGRAPHS else 1)

    def handle_data(self, data: str) -> None:
        if self._hidden or not data:
            return
        # A non-breaking space (&nbsp;) is layout, not meaning; searching wants a plain space.
        data = data.replace("\xa0", " ")
        self._event(_TEXT, (data, self._pre > 0))
        visible = len(data.strip())
        if visible:
            in_link = any(self.nodes[i].tag == "a" for i in self._open)
            words = 0 if in_link else len(_WORD.findall(data))
            for i in self._open:
                node = self.nodes[i]
                node.text += visible
                node.words_outside_links += words
                if in_link:
                    node.link_text += visible


def _render(events: list[tuple[int, int, object]], kept: list[bool]) -> str:
    """The text of the kept elements: block elements as line breaks, cells as tabs, runs
    of spaces as one outside <pre>; line breaks are held back until more text comes."""
    out: list[str] = []
    pending = 0  # newlines owed before the next text (at most 2)
    cells = 0

    def emit(piece: str) -> None:
        nonlocal pending
        if pending and out:
            out.append("\n" * pending)
        pending = 0
        out.append(piece)

    for node, kind, value in events:
        if not kept[node]:
            continue
        if kind == _BREAK:
            pending = max(pending, cast(int, value))
        elif kind == _BR:
            pending = min(pending + 1, 2) if out else 0
        elif kind == _ROW:
            pending = max(pending, 1)
            cells = 0
        elif kind == _CELL:
            if cells:
                emit("\t")
            cells += 1
        else:
            data, pre = cast(tuple[str, bool], value)
            if not pre:
                data = _SPACES.sub(" ", data)
                if bool(pending) or not out or out[-1][-1:] in ("\n", "\t"):
                    data = data.lstrip(" ")
                if not data:
                    continue
            emit(data)
    return "".join(out)


def _main_content(nodes: list[_Node]) -> int:
    """The element that holds the document's text: the largest <main> (or role="main"),
    else the largest <article>, when it holds a fair share of the page's text; else the
    whole page (furniture and link lists are dropped inside it either way)."""
    total = nodes[0].text
    for wanted in ("main", "article"):
        found = [
            i
            for i, n in enumerate(nodes)
            if (n.tag == wanted or n.role == wanted) and not n.furniture()
        ]
        if found:
            best = max(found, key=lambda i: nodes[i].text)
            if nodes[best].text and nodes[best].text >= _MAIN_SHARE * total:
                return best
    return 0


def _kept(nodes: list[_Node], root: int) -> list[bool]:
    """Per element, whether its own text is rendered: inside ``root``, and neither it nor
    an element around it is furniture or a list of links."""
    kept = [False] * len(nodes)
    inside = [False] * len(nodes)
    for i, node in enumerate(nodes):
        inside[i] = i == root or (node.parent >= 0 and inside[node.parent])
        if not inside[i]:
            continue
        whole = i == root or kept[node.parent]
        kept[i] = whole and (i == root or not (node.furniture() or node.link_list()))
    return kept


def page_text(markup: str, warnings: list[str] | None = None) -> str:
    """The text of an HTML page's main content (not yet normalised): the article without
    the navigation, header, footer, asides, menus, cookie banners, forms and link lists
    around it. A page where that leaves nothing gives all its visible text, with a
    warning."""
    page = _Page()
    page.feed(markup)
    page.close()
    text = _render(page.events, _kept(page.nodes, _main_content(page.nodes)))
    if text.strip():
        return text
    everything = html_text(markup)
    if everything.strip() and warnings is not None:
        warnings.append(
            "could not tell the article from the page around it: kept all the page's text"
        )
    return everything


def html_text(markup: str) -> str:
    """All the visible text of an HTML document (not yet normalised)."""
    page = _Page()
    page.feed(markup)
    page.close()
    return _render(page.events, [True] * len(page.nodes))


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


def extract_pages(data: bytes, filename: str, warnings: list[str]) -> Generator[str, None, None]:
    """The text of an HTML file's main content as a single page (see :func:`page_text`).

    The encoding is a byte-order mark's, else the one a ``<meta>`` tag declares, else UTF-8,
    else Windows-1252. Script, style and the head are dropped; entities are decoded.
    """
    markup = _decode_page(data, warnings)
    try:
        text = page_text(markup, warnings)
    except Exception as error:  # the parser is lenient; anything it raises means unreadable
        raise InvalidInput(f"{filename}: the HTML could not be read ({error})") from None
    yield text
