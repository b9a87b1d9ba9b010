"""PDF through PDFium (pypdfium2): the text layer of each page, in page order.

Pages without a text layer (scans without OCR) give an empty page and a warning, not an error:
the document can still be attached, and the warning says why it cannot be coded yet.
"""

from __future__ import annotations

import threading
from collections.abc import Generator

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from realist.errors import InvalidInput

__all__ = ["extract_pages"]

# PDFium is not thread-safe: one document at a time in this process, whatever the caller's
# threads (the web server may extract two uploads at once).
_LOCK = threading.Lock()

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "the PDF is encrypted with a password; remove it and try again",
    pdfium_c.FPDF_ERR_SECURITY: "the PDF uses an encryption scheme PDFium does not support",
    pdfium_c.FPDF_ERR_FORMAT: "the file is damaged or not really a PDF",
    pdfium_c.FPDF_ERR_FILE: "the file is damaged or not really a PDF",
}


def _open(data: bytes, filename: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        reason = _LOAD_ERRORS.get(error.err_code, f"PDFium could not open it ({error})")
        raise InvalidInput(f"{filename}: {reason}") from None
    except Exception as error:  # never show a library traceback for a bad upload
        raise InvalidInput(f"{filename}: PDFium could not open it ({error})") from None


def _page_text(document: pdfium.PdfDocument, index: int) -> tuple[str, bool]:
    """The text of one page, and whether the page holds an image (a scan, most likely)."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            # get_text_bounded reads the whole page with full Unicode; get_text_range is
            # limited to UCS-2 and can drop characters outside the Basic Multilingual Plane.
            text = textpage.get_text_bounded()
        finally:
            textpage.close()
        has_image = text.strip() == "" and any(
            True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,))
        )
    finally:
        page.close()
    # PDFium marks a hyphen at the end of a line with \x02 and joins the two lines; put the
    # hyphen and the line break back so the text matches what the page shows.
    return text.replace("\x02", "-\n"), has_image


def _ranges(numbers: list[int]) -> str:
    """1, 2, 3, 5 -> "1-3, 5": one warning for a whole scanned document, not hundreds."""
    parts: list[str] = []
    start = end = numbers[0]
    for number in [*numbers[1:], 0]:
        if number == end + 1:
            end = number
            continue
        parts.append(str(start) if start == end else f"{start}-{end}")
        start = end = number
    return ", ".join(parts)


def _empty_page_warnings(scanned: list[int], blank: list[int], total: int) -> list[str]:
    warnings: list[str] = []
    if len(scanned) == total:
        warnings.append("no page has a text layer (scanned?): run OCR before coding")
    elif len(scanned) == 1:
        warnings.append(f"page {scanned[0]} has no text layer (scanned?)")
    elif scanned:
        warnings.append(f"pages {_ranges(scanned)} have no text layer (scanned?)")
    if len(blank) == 1:
        warnings.append(f"page {blank[0]} has no text")
    elif blank:
        warnings.append(f"pages {_ranges(blank)} have no text")
    return warnings


def extract_pages(data: bytes, filename: str, warnings: list[str]) -> Generator[str, None, None]:
    """The text of each page of a PDF, in order (not yet normalised).

    Raises InvalidInput naming the file when the PDF is damaged, encrypted with a user
    password, or has no pages. Pages without text are yielded empty and noted in ``warnings``.
    """
    scanned: list[int] = []
    blank: list[int] = []
    with _LOCK:
        document = _open(data, filename)
    try:
        with _LOCK:
            total = len(document)
        if total == 0:
            raise InvalidInput(f"{filename}: the PDF has no pages")
        for index in range(total):
            # The lock is taken per page and never held across a yield, so a caller that
            # stops early or extracts something else meanwhile cannot deadlock.
            with _LOCK:
                text, has_image, failed = "", False, False
                try:
                    text, has_image = _page_text(document, index)
                except Exception as error:  # one bad page must not lose the others
                    warnings.append(f"page {index + 1} could not be read ({error})")
                    failed = True
            if not text.strip() and not failed:
                (scanned if has_image else blank).append(index + 1)
            yield text
    finally:
        with _LOCK:
            document.close()
    warnings.extend(_empty_page_warnings(scanned, blank, total))
