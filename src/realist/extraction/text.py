"""Decoding bytes to text and normalising extracted text, shared by every format.

Excerpts are code-point offsets into the stored text and the text is stored with its hash, so
one rule turns whatever a library returns into that text: NFC, ``\\n`` newlines, no control
characters but ``\\n`` and ``\\t``, no trailing spaces on a line (tabs stay: they are
empty table cells), no blank lines at either end.
Changing this rule changes the text of documents extracted afterwards: treat it as a format.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

__all__ = ["BOMS", "decode", "looks_binary", "normalise"]

# UTF-32 LE first: its byte-order mark begins with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

# Windows-1252 leaves five bytes undefined; Latin-1 gives them a C1 control character, which
# normalise() then drops, so decoding as "Windows-1252" can never fail.
_CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))

_NEWLINES = re.compile("\r\n|[\r\v\f\x85\u2028\u2029]")
# C0 and C1 controls (but \t and \n), DEL, lone surrogates (unencodable, so unstorable), a
# stray byte-order mark or zero-width no-break space, and the two non-characters U+FFFE/FFFF.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_TRAILING_SPACE = re.compile(" +(?=\n|$)")
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def decode(data: bytes) -> tuple[str, str]:
    """``data`` as text, and the name of the encoding it was read in.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32); without one the bytes are UTF-8 when
    they are valid UTF-8, else Windows-1252. Never raises: bytes a declared encoding cannot
    read become U+FFFD.
    """
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), label
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        return codecs.charmap_decode(data, "strict", _CP1252)[0], "Windows-1252"


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file without a byte-order mark are binary, not text.

    A NUL never occurs in text in a single-byte encoding or UTF-8; the other control bytes
    only rarely (ESC and form feed are allowed), so more than 1% of them means binary.
    """
    if b"\x00" in head:
        return True
    return len(_BINARY_BYTES.findall(head)) > max(4, len(head) // 100)


def normalise(text: str) -> str:
    """``text`` under the stored-text rule (see the module docstring); idempotent."""
    text = _NEWLINES.sub("\n", text)
    text = _UNWANTED.sub("", text)
    text = _TRAILING_SPACE.sub("", text)
    text = text.strip("\n")
    # NFC last: removing a character above could leave a base and a combining mark adjacent.
    return unicodedata.normalize("NFC", text)
