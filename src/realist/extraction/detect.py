"""Which format a document is in, judged by its content; the suffix only breaks ties.

Full texts arrive misnamed more often than one would hope: a publisher's HTML landing page
saved as ``article.pdf``, a Markdown file called ``.txt``. Content decides whenever it can,
so those are still read, and the caller can warn that the name and the content disagree.
"""

from __future__ import annotations

import os
import re

from realist.errors import InvalidInput
from realist.extraction.text import BOMS, looks_binary
from realist.interchange.zips import DOCX_LIMITS, ZipReader

__all__ = ["SUFFIXES", "detect_format"]

SUFFIXES = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "html": (".html", ".htm", ".xhtml"),
    "md": (".md", ".markdown", ".mdown", ".mkd"),
    "txt": (".txt", ".text"),
}

_HEAD_BYTES = 1 << 16
# Acrobat accepts a PDF header anywhere in the first kilobyte, after e-mail or HTTP junk.
_PDF_WINDOW = 1024
_REFUSED = (
    (b"\xd0\xcf\x11\xe0", "an old Word .doc or a password-protected Office file; save it as DOCX"),
    (b"{\\rtf", "an RTF file; save it as DOCX or PDF"),
    (b"\x89PNG", "a PNG image, not a document; run OCR first"),
    (b"\xff\xd8\xff", "a JPEG image, not a document; run OCR first"),
    (b"GIF8", "a GIF image, not a document"),
    (b"II*\x00", "a TIFF image, not a document; run OCR first"),
    (b"MM\x00*", "a TIFF image, not a document; run OCR first"),
    (b"\x1f\x8b", "gzip-compressed; decompress it first"),
    (b"7z\xbc\xaf", "a 7-Zip archive; unpack it first"),
    (b"Rar!", "a RAR archive; unpack it first"),
)
_OTHER_ZIPS = (
    ("xl/workbook.xml", "an Excel workbook, not a Word document"),
    ("ppt/presentation.xml", "a PowerPoint file; save it as PDF"),
    ("content.xml", "an OpenDocument file; save it as DOCX or PDF"),
)
# A document that declares itself HTML, at its very start (after an XML prolog or comments).
_HTML_DECLARED = re.compile(
    r"\A\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>])", re.I | re.S
)
# Tags that seldom occur in plain text or Markdown; decisive only without a .txt/.md suffix.
_HTML_TAGS = re.compile(r"<(html|head|body|p|div|br|table|span|h[1-6]|a\s+href)[\s>/]", re.I)
_MARKDOWN = re.compile(r"^(#{1,6} \S|```|~~~|[-*] \[[ xX]\] |\[[^\]\n]+\]\([^)\s]+\))", re.M)


def _suffix(filename: str) -> str:
    return os.path.splitext(filename)[1].lower()


def _zip_format(data: bytes, filename: str) -> str:
    try:
        # Through the one archive guard, which only reads the central directory here.
        with ZipReader(data, DOCX_LIMITS, filename) as archive:
            names = set(archive.names)
    except InvalidInput as error:  # "NAME: why", from the guard
        raise InvalidInput(
            f"{filename}: a damaged ZIP archive, or one too large to unpack "
            f"({str(error).removeprefix(filename + ': ')})"
        ) from None
    if "word/document.xml" in names:
        return "docx"
    for member, what in _OTHER_ZIPS:
        if member in names:
            raise InvalidInput(f"{filename}: the file is {what}")
    raise InvalidInput(f"{filename}: a ZIP archive, not a Word document (no word/document.xml)")


def _head_text(head: bytes, filename: str) -> str:
    for bom, codec, _ in BOMS:
        if head.startswith(bom):
            # The head may end inside a character; "replace" keeps sniffing from failing.
            return head.decode(codec, errors="replace")
    if looks_binary(head):
        raise InvalidInput(f"{filename}: the file is binary, not a document Realist can read")
    return head.decode("utf-8", errors="replace")


def _text_format(head: str, suffix: str) -> str:
    if _HTML_DECLARED.match(head):
        return "html"
    if suffix in SUFFIXES["html"]:
        return "html"
    plain = suffix in SUFFIXES["txt"] or suffix in SUFFIXES["md"]
    if not plain and _HTML_TAGS.search(head):
        return "html"
    if suffix in SUFFIXES["md"]:
        return "md"
    if suffix in SUFFIXES["txt"]:
        return "txt"
    return "md" if _MARKDOWN.search(head) else "txt"


def detect_format(data: bytes, filename: str) -> str:
    """The format of ``data``: ``pdf``, ``docx``, ``html``, ``md`` or ``txt``.

    Content decides (the PDF header, a ZIP holding ``word/document.xml``, HTML tags); the
    suffix of ``filename`` decides between formats the content fits equally (Markdown and
    plain text, or a page of HTML fragments). Raises InvalidInput naming the file when it is
    binary, an archive that is not DOCX, or another kind of file Realist cannot read.
    """
    if b"%PDF-" in data[:_PDF_WINDOW]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data, filename)
    for magic, what in _REFUSED:
        if data.startswith(magic):
            raise InvalidInput(f"{filename}: the file is {what}")
    head = _head_text(data[:_HEAD_BYTES], filename)
    return _text_format(head.lstrip("\ufeff"), _suffix(filename))
