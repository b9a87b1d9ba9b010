"""DOCX: body paragraphs and tables in document order, as one page.

python-docx opens the package (it finds the main document part through the relationships and
checks the content type); the body's XML is then walked here, because python-docx's own
``Paragraph.text`` skips text that a reviewer sees in Word: runs inside tracked insertions,
content controls (a table of contents, a bibliography, a template's title page), smart tags
and simple fields.

Word documents have no fixed pages (pagination depends on the printer and fonts), so the whole
body is page 1. Headers, footers, footnotes, comments and text boxes are left out: running
heads would repeat on every page, and the others are not part of the body's flow.
"""

from __future__ import annotations

import io
from collections.abc import Generator, Iterator
from typing import Protocol

import docx
from docx.oxml.ns import qn

from realist.errors import InvalidInput
from realist.interchange.zips import DOCX_LIMITS, ZipReader

__all__ = ["extract_pages"]

# python-docx loads every part of the package into memory, so a small file that inflates to
# gigabytes (a "zip bomb") is refused before it is opened (zips.DOCX_LIMITS).


class _Element(Protocol):
    """The little of lxml's element API used here (lxml ships no type hints)."""

    tag: object  # a str, or a function for comments and processing instructions
    text: str | None

    def get(self, key: str) -> str | None: ...

    def find(self, path: str) -> _Element | None: ...

    def __iter__(self) -> Iterator[_Element]: ...


_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_HYPHEN, _PTAB = qn("w:noBreakHyphen"), qn("w:ptab")
_INLINE = {_T: None, _TAB: "\t", _PTAB: "\t", _BR: "\n", _CR: "\n", _HYPHEN: "-"}
# Never text: deleted runs (their w:delText is ignored anyway, but skipping is cheaper), text
# boxes (their own paragraphs, anchored mid-sentence), and the fallback copy of alternate
# content, which repeats what the preferred choice already holds.
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_SKIPPED = {qn("w:del"), qn("w:moveFrom"), qn("w:txbxContent"), _FALLBACK}
_GRID_SPAN = f"{qn('w:tcPr')}/{qn('w:gridSpan')}"
_V_MERGE = f"{qn('w:tcPr')}/{qn('w:vMerge')}"
_VAL = qn("w:val")


def _is_properties(tag: str) -> bool:
    # w:pPr, w:rPr, w:sdtPr, w:tblPr ...: formatting, never text (w:pPr even holds w:tab stops).
    return tag.endswith("Pr")


def _inline_text(element: _Element) -> str:
    """The text inside a paragraph: runs, and runs inside any wrapper element."""
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED or _is_properties(tag):
            continue
        if tag in _INLINE:
            parts.append(_INLINE[tag] or child.text or "")
        else:
            parts.append(_inline_text(child))
    return "".join(parts)


def _block_lines(container: _Element) -> Iterator[str]:
    """One line per paragraph and per table row, through content controls and the like."""
    for child in container:
        tag = child.tag
        if tag == _P:
            yield _inline_text(child)
        elif tag == _TBL:
            yield from _table_lines(child)
        elif isinstance(tag, str) and tag not in _SKIPPED and not _is_properties(tag):
            yield from _block_lines(child)  # w:sdt/w:sdtContent, w:customXml, ...


def _cells(row: _Element) -> Iterator[_Element]:
    for child in row:
        if child.tag == _TC:
            yield child
        elif isinstance(child.tag, str) and not _is_properties(child.tag):
            yield from _cells(child)  # a cell wrapped in a content control


def _table_lines(table: _Element) -> Iterator[str]:
    """One tab-separated line per row, a field per grid column.

    A merged cell gives its text once, in its first column and row; the other grid positions
    it covers are empty fields, so every row keeps the table's columns.
    """
    for row in table:
        if row.tag != _TR:
            continue
        values: list[str] = []
        for cell in _cells(row):
            span = cell.find(_GRID_SPAN)
            merge = cell.find(_V_MERGE)
            width = int((span.get(_VAL) if span is not None else None) or 1)
            # w:vMerge without a value (or "continue") continues the cell above.
            if merge is not None and merge.get(_VAL) in (None, "continue"):
                values.extend([""] * width)
                continue
            # Each row stays one line, so line breaks inside a cell become spaces.
            values.append(" ".join(" ".join(_block_lines(cell)).split()))
            values.extend([""] * (width - 1))
        yield "\t".join(values)


def _check_size(data: bytes, filename: str) -> None:
    # The one archive guard (interchange.zips) refuses a bomb from its central directory
    # before python-docx unpacks anything; zipfile then never unpacks more than declared.
    try:
        with ZipReader(data, DOCX_LIMITS, filename):
            pass
    except InvalidInput as error:  # "NAME: why", from the guard
        raise InvalidInput(
            f"{filename}: the DOCX cannot be unpacked safely "
            f"({str(error).removeprefix(filename + ': ')})"
        ) from None


def extract_pages(data: bytes, filename: str, warnings: list[str]) -> Generator[str, None, None]:
    """The text of a DOCX body as a single page: a line per paragraph or table row.

    Headings are lines like any paragraph; table rows are tab-separated. Raises InvalidInput
    naming the file when python-docx cannot read it.
    """
    _check_size(data, filename)
    try:
        body: _Element = docx.Document(io.BytesIO(data)).element.body
        lines = list(_block_lines(body))
    except Exception as error:
        # python-docx and lxml raise many kinds of error for damaged files (KeyError for a
        # missing part, XMLSyntaxError, ValueError for a wrong content type); to the reviewer
        # they all mean the same thing.
        reason = str(error) or type(error).__name__
        raise InvalidInput(f"{filename}: the DOCX could not be read ({reason})") from None
    yield "\n".join(lines)
