"""Tolerant quote matching (realist.domain.quotes) and `realist excerpt --quote` on a real PDF
extraction. The service tests run on SQLite and (with REALIST_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realist.domain.quotes import locate_quote, normalise, quote_pattern, search_quote
from realist.errors import InvalidInput
from realist.services import coding, documents
from realist.services.reviews import init_review
from realist.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def _reads_as(original: str, quote: str) -> bool:
    """Whether a piece of original text folds to what the quote folds to."""
    wanted = normalise(quote).text.strip(" \u00ad")
    return re.fullmatch(quote_pattern(wanted), normalise(original).text) is not None


def test_a_quote_crosses_line_breaks_hyphenation_ligatures_and_quote_marks() -> None:
    text = (
        "Volunteers said that hyper-\ntension screening was \ufb01rst o\ufb00ered\n"
        "at the \u201csecond\u201d visit \u2013 not the  first\u00a0one."
    )
    quote = 'hypertension screening was first offered at the "second" visit - not the first one'
    start, end = _found(text, quote)
    assert text[start:end] == (
        "hyper-\ntension screening was \ufb01rst o\ufb00ered\n"
        "at the \u201csecond\u201d visit \u2013 not the  first\u00a0one"
    )
    # The hyphen may be kept too, and the ligature may be typed as one character.
    assert _found(text, "hyper-tension screening") == (start, text.index("screening") + 9)
    assert _found(text, "\ufb01rst o\ufb00ered") == _found(text, "first offered") == (50, 61)
    # A quote never ends inside a ligature: "of" is not all of "o\ufb00".
    assert locate_quote(text, "first of") == (
        "the quote does not occur; it occurs only as part of a ligature or accented letter, "
        "at 50:57: “\ufb01rst o\ufb00”"
    )


def test_soft_hyphens_and_zero_width_characters_are_ignored() -> None:
    text = "the com\u00admu\u00adnity\u200b worker"
    assert text[slice(*_found(text, "community worker"))] == text[4:]
    assert _found("peer sup\u00ad\nport", "peer support") == (0, 14)


def _found(text: str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    found = locate_quote(text, quote, occurrence)
    assert not isinstance(found, str), found
    return found


def test_several_occurrences_must_be_chosen() -> None:
    text = "Said peer support helped. Later, peer\nsupport helped again."
    assert locate_quote(text, "peer support") == (
        "the quote occurs 2 times (at 5:17, 33:45); say which occurrence (from 1), "
        "or quote more words"
    )
    assert _found(text, "peer support", 2) == (33, 45)
    assert locate_quote(text, "peer support", 3) == "the quote occurs 2 time(s), not 3"


def test_case_is_matched_first_and_a_case_only_match_is_a_near_miss() -> None:
    text = "Peer Support helped them."
    assert locate_quote(text, "peer support helped") == (
        "the quote does not occur; it occurs only if case is ignored, at 0:19: "
        "“Peer Support helped”"
    )


def test_a_quote_that_goes_astray_says_where() -> None:
    text = "Mothers who preferred anonymity welcomed calls; others did not."
    said = locate_quote(text, "Mothers who preferred anonymity disliked calls")
    assert said == (
        "the quote does not occur; its first 32 of 46 characters occur at 0, then the text "
        "reads “welcomed calls; others did no…” where the quote reads “disliked calls”"
    )
    assert locate_quote(text, "nothing like it") == "the quote does not occur"
    assert locate_quote(text, " \n ") == "the quote is empty"


def test_combining_sequences_and_surrogate_pairs_are_never_cut() -> None:
    text = "Cafe\u0301 and \U0001f600 e\u0301te\u0301"
    start, end = _found(text, "Café")  # precomposed quote, decomposed text
    assert text[start:end] == "Cafe\u0301"
    assert locate_quote(text, "Cafe") != (0, 4)  # "e" alone is not "é"
    assert _found(text, "été") == (len(text) - 5, len(text))


# Text that a PDF extraction could give for a clean sentence: words separated by runs of
# spaces or line breaks, hyphenated at line ends, with ligatures and curly quotes.
WORD = st.text(alphabet="abcdefghiklmnorstuy", min_size=1, max_size=9)
SPACE = st.sampled_from([" ", "  ", "\n", " \n", "\u00a0", "\t", "\n\n"])
BREAKS = ["\n", " \n", "\n "]
LIGATURES = {"fi": "\ufb01", "fl": "\ufb02", "ff": "\ufb00", "ffi": "\ufb03", "ffl": "\ufb04"}


@st.composite
def dirty_sentences(draw: st.DrawFn) -> tuple[str, str, str]:
    """(text around a sentence, the sentence as extracted, the sentence as a reader types it)"""
    words = draw(st.lists(WORD, min_size=1, max_size=8))
    pieces = []
    for i, word in enumerate(words):
        if len(word) > 3 and draw(st.booleans()):
            cut = draw(st.integers(1, len(word) - 1))
            word = word[:cut] + "-" + draw(st.sampled_from(BREAKS)) + word[cut:]
        for plain, ligature in LIGATURES.items():
            if draw(st.booleans()):
                word = word.replace(plain, ligature)
        if draw(st.booleans()):
            word = f"\u201c{word}\u201d"
            words[i] = f'"{words[i]}"'
        pieces.append(word)
    extracted = pieces[0]
    for piece in pieces[1:]:
        extracted += draw(SPACE) + piece
    before = draw(st.text(max_size=30))
    after = draw(st.text(max_size=30))
    return f"{before} {extracted} {after}", extracted, " ".join(words)


@settings(max_examples=300, deadline=None)
@given(dirty_sentences())
def test_a_clean_quote_finds_the_extracted_sentence(case: tuple[str, str, str]) -> None:
    text, extracted, quote = case
    found = search_quote(text, quote)
    assert found.spans, found.near_miss
    for start, end in found.spans:
        assert 0 <= start < end <= len(text)
        assert _reads_as(text[start:end], quote)
    # The sentence itself is found, unless a match that starts before it overlaps it.
    at = text.index(extracted)
    assert any(start < at + len(extracted) and at < end for start, end in found.spans)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=60), st.data())
def test_any_found_span_is_inside_the_text_and_whole(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    quote = text[start:end]
    for found_start, found_end in search_quote(text, quote).spans:
        assert 0 <= found_start < found_end <= len(text)
        assert _reads_as(text[found_start:found_end], quote)
        for edge in (found_start, found_end):
            if 0 < edge < len(text):
                assert not unicodedata.category(text[edge]).startswith("M")
                assert not "\udc00" <= text[edge] <= "\udfff"


@pytest.fixture
def review(db_target: str) -> Iterator[Store]:
    store = init_review(db_target, "Quotes", "ann")
    documents.attach_document(store, FIXTURES / "hyphenated.pdf", key="column")
    yield store
    store.close()


def test_quoting_a_pdf_sentence_that_runs_over_lines(review: Store) -> None:
    quote = "Volunteers reported that hypertension screening was first offered at the second visit"
    start, end = coding.find_quote(review, "column", quote)
    item = coding.create_excerpt(review, "column", start, end, "ann")
    assert item.text == (
        "Volunteers reported that hyper-\ntension screening was first offered at the second visit"
    )
    quote = 'the volunteers\' visits were "the only time anyone asked" about them'
    start, end = coding.find_quote(review, "column", quote)
    text = documents.show_document(review, "column").document.text
    assert text[start:end] == (
        "the volunteers\u2019 visits were \u201cthe only time\nanyone asked\u201d about them"
    )
    start, end = coding.find_quote(review, "column", "Mothers who preferred anonymity welcomed")
    text = documents.show_document(review, "column").document.text
    assert text[start:end].endswith("wel-\ncomed")


def test_a_missing_or_ambiguous_quote_names_the_document(review: Store) -> None:
    with pytest.raises(InvalidInput) as missing:
        coding.find_quote(review, "column", "mothers described how peer support")
    assert str(missing.value).startswith(
        "document 'column': the quote does not occur; it occurs only if case is ignored"
    )
    with pytest.raises(InvalidInput) as several:
        coding.find_quote(review, "column", "Mothers")
    assert "document 'column': the quote occurs 2 times" in str(several.value)
    assert coding.find_quote(review, "column", "Mothers", occurrence=2)[0] > 0
