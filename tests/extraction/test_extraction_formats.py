"""Each format's text, read from the small fixture files in tests/fixtures/documents."""

from __future__ import annotations

import hashlib
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from realist.extraction import Extraction, PageSpan, extract, page_of, pdf

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"


def read(name: str) -> Extraction:
    return extract((FIXTURES / name).read_bytes(), name)


def test_pdf_pages_map_each_phrase_to_its_page() -> None:
    result = read("three_pages.pdf")
    assert result.format == "pdf"
    assert [page.number for page in result.pages] == [1, 2, 3]
    phrases = {
        "Telephone support reached mothers who preferred anonymity.": 1,
        "Volunteers built trust through repeated contact over weeks.": 2,
        "Group sessions reduced isolation for first-time parents.": 3,
    }
    for phrase, page in phrases.items():
        start = result.text.index(phrase)
        end = start + len(phrase)
        assert page_of(result, start) == page
        assert page_of(result, end - 1) == page
        assert page_of(result.pages, end) == page
        span = result.pages[page - 1]
        assert span.start <= start and end <= span.end
    assert result.warnings == ()


def test_pdf_pages_are_joined_by_a_blank_line() -> None:
    result = read("three_pages.pdf")
    first, second, third = result.pages
    assert first.start == 0 and third.end == len(result.text)
    assert result.text[first.end : second.start] == "\n\n"
    assert result.text[second.end : third.start] == "\n\n"
    assert result.text[first.start : first.end].startswith("Page one\n")


def test_scanned_pdf_page_is_empty_with_a_warning() -> None:
    result = read("scanned.pdf")
    assert result.text.startswith("Typed first page.")
    assert result.pages[1] == PageSpan(2, len(result.text), len(result.text))
    assert result.warnings == ("page 2 has no text layer (scanned?)",)


def test_pdf_with_only_an_owner_password_is_read() -> None:
    assert read("owner_password.pdf").text == "Printing is restricted, reading is not."


def test_docx_paragraphs_headings_and_table_in_order() -> None:
    result = read("paragraphs.docx")
    assert result.format == "docx"
    assert result.text.splitlines() == [
        "Programme theory",
        "Mothers who prefer anonymity take up telephone support.",
        "Context\tMechanism\tOutcome",
        "Rural\tTrust\tTake-up",
        "Urban\t\t",  # "Take-up" is merged down into this row: given once, above
        "Both settings\t\tDrop-out",  # "Both settings" spans two columns
        "Evidence",
        "Café meetings helped; see the table above.",
        "Tracked: inserted words",
        "Inside a content control",
    ]
    assert result.pages == (PageSpan(1, 0, len(result.text)),)


def test_html_keeps_visible_text_only() -> None:
    result = read("page.html")
    assert result.format == "html"
    for hidden in ("Head title", "color: red", "hiddenScript", "script text", "comment"):
        assert hidden not in result.text
    assert "Context & mechanism produce an outcome." in result.text
    assert "&amp;" not in result.text
    assert "second item été" in result.text
    assert "C\tM\nrural\ttrust" in result.text
    assert "Line one\nLine two" in result.text
    assert "  kept   as\n  written" in result.text  # <pre> keeps its spacing
    assert result.text.startswith("Realist synthesis\n\nContext")


def test_utf16_text_is_decoded_and_normalised() -> None:
    result = read("utf16.txt")
    assert result.format == "txt"
    assert result.text == "Café au lait\nSecond line with a bell\nüber \U0001f600"
    assert unicodedata.is_normalized("NFC", result.text)
    assert result.warnings == ()


def test_windows_1252_text_is_read_with_a_warning() -> None:
    result = read("cp1252.txt")
    assert result.text == "Naïve résumé – €5"
    assert result.warnings == ("not valid UTF-8: read as Windows-1252 (check accented letters)",)


def test_markdown_is_kept_as_written() -> None:
    result = read("notes.md")
    assert result.format == "md"
    assert result.text.startswith("# Findings\n\nTelephone *support* worked for **some** mothers.")
    assert "```\ncode block kept verbatim\n```" in result.text


def test_markdown_is_recognised_by_content_without_a_suffix() -> None:
    assert extract((FIXTURES / "notes.md").read_bytes(), "notes").format == "md"
    assert extract(b"just some words\n", "notes").format == "txt"


def test_utf8_byte_order_mark_is_not_part_of_the_text() -> None:
    result = extract("\ufeffrésumé\r\n".encode("utf-8"), "bom.txt")
    assert result.text == "résumé"


def test_content_decides_over_a_misleading_suffix() -> None:
    html = b"<!DOCTYPE html><html><body><p>Access denied</p></body></html>"
    result = extract(html, "article.pdf")
    assert result.format == "html"
    assert result.text == "Access denied"
    assert result.warnings == ("the file is named .pdf but holds HTML; read it as HTML",)
    pdf = (FIXTURES / "three_pages.pdf").read_bytes()
    assert extract(pdf, "paper.txt").format == "pdf"


def test_suffix_breaks_the_tie_for_html_fragments() -> None:
    fragment = b"<p>One</p><p>Two &lt;3</p>"
    assert extract(fragment, "page.htm").text == "One\n\nTwo <3"
    assert extract(fragment, "snippet").format == "html"
    assert extract(fragment, "notes.txt").text == "<p>One</p><p>Two &lt;3</p>"


def test_html_head_left_open_ends_at_the_body() -> None:
    page = b"<html><head><title>T</title><style>p{}</style><p>Shown &amp; kept</p></html>"
    assert extract(page, "p.html").text == "Shown & kept"


def test_html_declared_charset_is_used() -> None:
    page = '<html><head><meta charset="iso-8859-1"></head><body>café</body></html>'
    assert extract(page.encode("latin-1"), "p.html").text == "café"


@pytest.mark.parametrize(
    "name", ["three_pages.pdf", "paragraphs.docx", "page.html", "utf16.txt", "notes.md"]
)
def test_same_bytes_give_the_same_text(name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    digests = {hashlib.sha256(extract(data, name).text.encode()).hexdigest() for _ in range(3)}
    assert len(digests) == 1


def test_pdfs_extracted_from_several_threads_agree() -> None:
    # PDFium is not thread-safe; the web server may still extract two uploads at once.
    data = (FIXTURES / "three_pages.pdf").read_bytes()
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = set(pool.map(lambda _: extract(data, "t.pdf").text, range(16)))
    assert texts == {read("three_pages.pdf").text}


def test_empty_pages_are_reported_as_ranges() -> None:
    assert pdf._ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    assert pdf._empty_page_warnings([2, 3, 4], [9], total=10) == [
        "pages 2-4 have no text layer (scanned?)",
        "page 9 has no text",
    ]
