"""LaTeX in bibliographic values turned into plain Unicode text, in one linear pass.

BibTeX exports write accents and symbols as LaTeX (``M{\\"u}ller``, ``\\&``, ``--``); this
module decodes the small part of LaTeX that such values use, and nothing else:

* accents (``\\"u``, ``\\'{e}``, ``\\c c``, ``\\v{s}``, ``\\'{\\i}``) become the accented letter;
* symbol macros (``\\ss``, ``\\o``, ``\\alpha``, ``\\textendash``...) become their character,
  taken from pylatexenc's table of some 900 LaTeX symbols;
* escaped characters (``\\& \\% \\$ \\# \\_ \\{ \\}``) become themselves, ``~`` a space,
  ``--`` and ``---`` dashes, ````` `` ````` and ``''`` curly quotes;
* braces and ``$`` are dropped; any other macro (``\\textit``, ``\\emph``, ``\\texttt``,
  ``\\url``, unknown ones) is dropped and its arguments are kept as text.

Why not pylatexenc's own LaTeX-to-text walker (used until issue 12): it is quadratic in a
long braced value (a 900,000-character field took 16 s) and costs about ten microseconds a
character even when linear, and it reads LaTeX as a document: ``50% of cases`` loses
everything after ``%`` (a comment), ``\\texttt{R}`` and ``\\mbox{x}`` lose their text.
A bibliographic value is data, so here no text is ever dropped: ``%`` is a percent sign.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["needs_decoding", "to_text"]

_LATEX_CHARS = re.compile(r"[\\{}$~]")
# A control word (with the spaces after it, which LaTeX swallows) or a control symbol.
_MACRO = re.compile(r"\\(?:([A-Za-z]+)[ \t\n]*|(.))", re.DOTALL)
# The base letter an accent sits on: "o", "{o}", "{\i}", "\i", after optional spaces.
_BASE = re.compile(r"[ \t\n]*(?:\{[ \t\n]*)?(?:\\([ij])(?![A-Za-z])[ \t\n]*|([^\s{}\\$]))")
_DROPPED = str.maketrans("", "", "{}$")
_LIGATURES = (("---", "\u2014"), ("--", "\u2013"), ("``", "\u201c"), ("''", "\u201d"),
              ("~", " "))  # fmt: skip

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "c": "\u0327", "H": "\u030b", "k": "\u0328", "b": "\u0331", "d": "\u0323",
    "r": "\u030a", "u": "\u0306", "v": "\u030c", "t": "\u0361",
    "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "hat": "\u0302", "check": "\u030c",
    "breve": "\u0306", "acute": "\u0301", "grave": "\u0300", "tilde": "\u0303",
    "bar": "\u0304",
}  # fmt: skip
# What an accent with nothing to sit on prints (``\^{}`` is how BibTeX writes a caret).
_BARE_ACCENTS = {"^": "^", "~": "~", "'": "'", "`": "`", '"': '"'}
_SYMBOLS = {
    "&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}", " ": " ",
    ",": " ", ";": " ", ":": " ", "!": "", "-": "", "/": "", "@": "", "\\": "\n",
    "\n": " ", "\t": " ",
}  # fmt: skip
# Words pylatexenc lacks or renders unlike a reader expects.
_WORDS = {
    "textless": "<", "textgreater": ">", "textasciicircum": "^", "LaTeX": "LaTeX",
    "TeX": "TeX", "BibTeX": "BibTeX", "copyright": "\u00a9", "textcopyright": "\u00a9",
    "euro": "\u20ac", "P": "\u00b6", "S": "\u00a7", "textbar": "|", "slash": "/",
}  # fmt: skip


def needs_decoding(value: str) -> bool:
    """Whether ``value`` holds anything :func:`to_text` would change beyond dashes/quotes."""
    return _LATEX_CHARS.search(value) is not None


@functools.cache
def _symbols() -> dict[str, str]:
    """Macro name -> text, from pylatexenc's table, for macros that stand for a symbol."""
    from pylatexenc.latex2text import get_default_latex_context_db  # only when needed

    table: dict[str, str] = {}
    database = get_default_latex_context_db()
    for category in database.categories():
        for spec in database.iter_macro_specs([category]):
            text = spec.simplify_repl
            name = spec.macroname
            # Formats ("<%s>", "%s/%s") take arguments and placeholders ("<cit.>") hide
            # text: such macros keep their arguments instead, as unknown ones do.
            if isinstance(text, str) and name.isalpha() and not set(text) & set("%<\n"):
                table.setdefault(name, text)
    table.update(_WORDS)
    return table


@functools.cache
def _accented(base: str, mark: str) -> str:
    return unicodedata.normalize("NFC", base + mark)


def _plain(text: str) -> str:
    """Text between macros: braces and ``$`` dropped, ligatures and ties made characters."""
    text = text.translate(_DROPPED)
    for latex, char in _LIGATURES:
        if latex in text:
            text = text.replace(latex, char)
    return text


def to_text(value: str) -> str:
    """``value`` with its LaTeX decoded to Unicode (see the module's description).

    Linear in ``len(value)``; never raises and never drops text that is not markup.
    """
    if "\\" not in value:
        return _plain(value) if needs_decoding(value) else value
    symbols = _symbols()
    out: list[str] = []
    pos = 0
    search = _MACRO.search
    while True:
        found = search(value, pos)
        if found is None:
            out.append(_plain(value[pos:]))
            break
        out.append(_plain(value[pos : found.start()]))
        pos = found.end()
        word, char = found.group(1), found.group(2)
        name = word or char
        mark = _ACCENTS.get(name)
        if mark is not None:
            base = _BASE.match(value, pos)
            if base is not None:
                letter = base.group(2) or base.group(1)  # \i and \j are dotted again
                out.append(_accented(letter, mark))
                pos = base.end()
            else:
                out.append(_BARE_ACCENTS.get(name, ""))
        elif word is not None:
            out.append(symbols.get(word, ""))
        else:
            out.append(_SYMBOLS.get(char, char))
    return "".join(out)
