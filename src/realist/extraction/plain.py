"""Plain text and Markdown: decoded, never rendered, one page.

Markdown stays as written: a reviewer quotes the file as it is, and rendering would move the
offsets of every excerpt whenever the renderer changed.
"""

from __future__ import annotations

from collections.abc import Generator

from realist.extraction.text import decode

__all__ = ["extract_pages"]


def extract_pages(data: bytes, filename: str, warnings: list[str]) -> Generator[str, None, None]:
    """The text of a TXT or Markdown file as a single page.

    UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with a byte-order mark, else
    Windows-1252, which is noted in ``warnings`` since accented letters may then be wrong.
    """
    text, encoding = decode(data)
    if encoding == "Windows-1252":
        warnings.append("not valid UTF-8: read as Windows-1252 (check accented letters)")
    yield text
