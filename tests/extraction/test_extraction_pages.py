"""The page map, the text limit, and the stored-text rule as properties."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from realist.errors import InvalidInput
from realist.extraction import Extraction, PageSpan, extract, page_of
from realist.extraction.text import normalise

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "documents"
PAGES = (PageSpan(1, 0, 3), PageSpan(2, 5, 5), PageSpan(3, 7, 10))  # "abc\n\n\n\ndef"


@pytest.mark.parametrize(
    ("offset", "page"),
    [(0, 1), (2, 1), (3, 1), (4, 1), (5, 2), (6, 2), (7, 3), (9, 3), (10, 3)],
)
def test_page_of_finds_the_page_and_gives_separators_to_the_page_before(
    offset: int, page: int
) -> None:
    assert page_of(PAGES, offset) == page
    assert page_of(Extraction("abc\n\n\n\ndef", PAGES, "pdf"), offset) == page


@pytest.mark.parametrize("offset", [-1, 11])
def test_page_of_refuses_offsets_outside_the_text(offset: int) -> None:
    with pytest.raises(ValueError, match="outside the text"):
        page_of(PAGES, offset)


def test_text_over_the_limit_is_cut_with_a_warning() -> None:
    result = extract(("word " * 100).encode(), "long.txt", max_chars=42)
    assert len(result.text) == 42
    assert result.pages == (PageSpan(1, 0, 42),)
    assert result.warnings == ("the text was cut at 42 characters, in page 1",)


def test_cutting_a_pdf_keeps_only_the_pages_reached() -> None:
    data = (FIXTURES / "three_pages.pdf").read_bytes()
    full = extract(data, "three_pages.pdf")
    cut = extract(data, "three_pages.pdf", max_chars=full.pages[1].start + 5)
    assert cut.text == full.text[: full.pages[1].start + 5]
    assert [page.number for page in cut.pages] == [1, 2]
    assert cut.pages[1].end == len(cut.text)
    assert cut.warnings == (f"the text was cut at {len(cut.text)} characters, in page 2",)


ALLOWED_CONTROLS = {"\n", "\t"}


def assert_stored_text_rule(text: str) -> None:
    assert unicodedata.is_normalized("NFC", text)
    assert not any(
        unicodedata.category(ch) in ("Cc", "Cs") and ch not in ALLOWED_CONTROLS for ch in text
    )
    assert "\r" not in text


def assert_well_formed(result: Extraction) -> None:
    assert_stored_text_rule(result.text)
    assert result.pages[0].start == 0 and result.pages[-1].end == len(result.text)
    for previous, page in zip(result.pages, result.pages[1:], strict=False):
        assert previous.end <= page.start
    for page in result.pages:
        assert 0 <= page.start <= page.end <= len(result.text)
        assert page_of(result, page.start) == page.number


@given(st.text())
def test_normalise_makes_stored_text_and_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert_stored_text_rule(once)
    assert normalise(once) == once


@given(st.text(), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_any_text_file_extracts_to_well_formed_text(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="surrogatepass")
    try:
        result = extract(data, "notes.txt")
    except InvalidInput as error:
        assert str(error).startswith("notes.txt: ")
        return
    assert result.format in ("txt", "html", "md")
    assert_well_formed(result)


@given(st.binary(max_size=2048))
def test_any_bytes_extract_or_raise_invalid_input(data: bytes) -> None:
    try:
        result = extract(data, "upload.txt")
    except InvalidInput as error:
        assert str(error).startswith("upload.txt: ")
        return
    assert_well_formed(result)
