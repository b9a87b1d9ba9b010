"""`realist search`: every hit's span is the matched words in the document's current text,
with accents, ligatures and line-end hyphenation folded the same way in the index, the query
and the span. Runs on SQLite and (with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realist.domain.textsearch import index_body, parse_query, search_span
from realist.services import coding, documents, queries
from realist.services.reviews import init_review
from realist.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "documents"

BINOME = "A binôme of a mother and a volunteer met weekly. Later each binome met monthly.\n"
TITLE = "The role of the volunteers in the community\n\n"
BODY = (
    "Mothers valued the home visits. Peer  support was the\nreason they stayed: the "
    "volunteers were the only people who asked how they felt.\n"
)
SAUDE = "Programa de saúde da família.\n"


def _attach(store: Store, tmp_path: Path, key: str, text: str) -> None:
    path = tmp_path / f"{key}.txt"
    path.write_text(text, encoding="utf-8")
    documents.attach_document(store, path, key=key)


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Iterator[Store]:
    store = init_review(db_target, "Search", "ann")
    _attach(store, tmp_path, "binome", BINOME)
    _attach(store, tmp_path, "visits", TITLE + BODY)
    _attach(store, tmp_path, "saude", SAUDE)
    _attach(store, tmp_path, "plain", "Programa de saude publica.\n")
    documents.attach_document(store, FIXTURES / "hyphenated.pdf", key="column")
    yield store
    store.close()


def _texts(store: Store) -> dict[str, str]:
    return {d.key: documents.show_document(store, d.key).document.text
            for d in documents.list_documents(store)}  # fmt: skip


def _spans(store: Store, query: str) -> dict[str, str]:
    """Each document hit's key and the text of its span."""
    texts = _texts(store)
    found = {}
    for r in queries.search(store, query):
        if r.kind == "document":
            assert r.start is not None and r.end is not None
            assert 0 <= r.start < r.end <= len(texts[r.document_key])
            found[r.document_key] = texts[r.document_key][r.start : r.end]
    return found


def test_a_word_with_or_without_its_accent_spans_the_word(review: Store) -> None:
    # Reported: `binome` gave [0:0].
    assert _spans(review, "binome") == {"binome": "binôme"}
    assert _spans(review, "binôme") == {"binome": "binôme"}
    assert _spans(review, "binomes") == {"binome": "binôme"}  # a stem
    # Reported: "saude" found nothing, "saúde" did; now both find both.
    assert _spans(review, "saude") == {"saude": "saúde", "plain": "saude"}
    assert _spans(review, "SAÚDE") == {"saude": "saúde", "plain": "saude"}


def test_a_phrase_spans_its_words_across_spaces_and_line_breaks(review: Store) -> None:
    # Reported: a phrase gave [11:12].
    assert _spans(review, "peer support") == {"visits": "Peer  support", "column": "peer support"}
    assert _spans(review, '"support was the reason"') == {"visits": "support was the\nreason"}
    assert _spans(review, '"support reason"') == {}


def test_a_quoted_sentence_spans_the_sentence_not_a_title_word(review: Store) -> None:
    # Reported: a quoted sentence gave the word "the" in the title.
    sentence = "the volunteers were the only people who asked how they felt"
    assert _spans(review, f'"{sentence}"') == {"visits": sentence}
    assert _spans(review, f"“{sentence}”") == {"visits": sentence}  # curly quotes
    assert _spans(review, sentence) == {"visits": sentence}  # every word, and in a row here


def test_a_word_in_a_pdf_is_found_across_hyphenation_and_ligatures(review: Store) -> None:
    assert _spans(review, "hypertension") == {"column": "hyper-\ntension"}
    assert _spans(review, '"hypertension screening"') == {"column": "hyper-\ntension screening"}
    assert _spans(review, "welcomed") == {"column": "wel-\ncomed"}
    assert _spans(review, "intrus*") == {"column": "intrusive"}


def test_only_the_current_version_of_a_document_is_a_hit(review: Store, tmp_path: Path) -> None:
    # Reported: hits came from superseded text versions (a document attached twice).
    old = documents.show_document(review, "visits").document.text
    start = old.index("Peer")
    cut = coding.create_excerpt(review, "visits", start, start + len("Peer  support"), "ann")
    (tmp_path / "again").mkdir()
    revised = "Revised.\n\nPeer support was offered by phone.\n"
    _attach(review, tmp_path / "again", "visits", revised)
    assert _spans(review, "home visits") == {}  # only in the superseded version
    assert _spans(review, "peer support") == {"visits": "Peer support", "column": "peer support"}
    hits = queries.search(review, "peer support")
    assert [(r.kind, r.document_key) for r in hits].count(("document", "visits")) == 1
    excerpt = next(r for r in hits if r.kind == "excerpt")
    assert (excerpt.start, excerpt.end, excerpt.label) == (cut.start, cut.end, str(cut.id))


WORDS = st.sampled_from(["saúde", "binôme", "peer", "support", "ﬁnding", "naïve", "the"])


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=12), st.data())
def test_a_span_always_reads_as_the_query_word(words: list[str], data: st.DataObject) -> None:
    separators = st.sampled_from([" ", "\n", "  ", ", ", ".\n\n"])
    text = "".join(w + data.draw(separators) for w in words)
    wanted = data.draw(st.sampled_from(words))
    span = search_span(text, parse_query(wanted))
    assert span is not None
    start, end = span
    assert 0 <= start < end <= len(text)
    assert index_body(text[start:end]) == index_body(wanted)


def test_the_cli_prints_each_hit_with_its_span(review: Store) -> None:
    from click.testing import CliRunner

    from realist.cli import cli

    text = documents.show_document(review, "column").document.text
    start = text.index("hyper-")
    end = start + len("hyper-\ntension")
    shown = CliRunner().invoke(cli, ["--db", review.target, "search", "hypertension"]).output
    assert shown.startswith(f"column text [{start}:{end}] …")
