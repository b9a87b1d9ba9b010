"""The second half of a new reviewer's journey: attach a document, code a passage
selected in the reader to a configuration, see the evidence count change on the theory
board, open the final model, download the whole-review report."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.pages import THREE_PAGES_PDF, Reviewer, require
from realist.domain.coding import Stance
from realist.services import coding, documents
from realist.services.reviews import review_status
from realist.store import Store

pytestmark = pytest.mark.browser


def test_a_document_is_attached_by_upload(page: Page, demo_store: Store) -> None:
    require("/documents", "the Documents page")
    me = Reviewer(page)

    attached = me.attach_document(THREE_PAGES_PDF, "Three pages of peer support")

    assert "text version 1" in attached and "3 pages" in attached
    saved = {d.title: d for d in documents.list_documents(demo_store)}
    assert "Three pages of peer support" in saved
    page.get_by_role("link", name="Open it in the reader").click()
    expect(page.locator("h1")).to_contain_text("Three pages of peer support")


def test_a_sentence_coded_with_the_keys_raises_the_evidence_count(
    page: Page, demo_store: Store
) -> None:
    require("/documents/{key}", "the document reader")
    require("/theories", "the Theory board")
    documents.attach_document(demo_store, THREE_PAGES_PDF, key="three-pages", title="Three")
    me = Reviewer(page)
    before = me.evidence_on_board("NH1")
    sentence = "Telephone support reached mothers who preferred anonymity."

    me.open_reader("three-pages")
    me.select_sentence_with_keys(sentence)
    me.code_with_keys("NH1")

    expect(page.locator("#excerpts")).to_contain_text("NH1")
    [excerpt] = coding.list_excerpts(demo_store, "three-pages")
    assert excerpt.text == sentence
    assert [(c.configuration_identifier, c.stance) for c in excerpt.codings] == [
        ("NH1", Stance.SUPPORTS)
    ]
    after = me.evidence_on_board("NH1")
    assert after == before | {
        "excerpts": before["excerpts"] + 1,
        "supports": before["supports"] + 1,
    }


def test_the_final_model_strikes_through_the_unsupported(page: Page) -> None:
    require("/theories/model", "the final model page (Theory board)")
    me = Reviewer(page)

    styles = me.final_model()

    assert styles["NH1"] == styles["NH2"] == "struck"
    assert styles["1"] == "normal"
    for identifier in ("NH1", "NH2"):
        struck = page.locator(".model-list li", has=page.locator(f"text='{identifier}.'"))
        expect(struck.locator("del")).to_have_count(1)
        # Drawn as struck through, not only marked up as such.
        line = struck.locator("del").evaluate("el => getComputedStyle(el).textDecorationLine")
        assert "line-through" in line
    expect(page.locator(".model-counts")).to_contain_text("2 struck through")


def test_the_whole_review_report_downloads_as_html(page: Page, demo_store: Store) -> None:
    require("/reports", "the Reports page")
    title = review_status(demo_store).title
    me = Reviewer(page)

    download = me.download_whole_review()

    assert download.suggested_filename.endswith(".html")
    html = download.path().read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert title in html
    assert "NH1" in html  # the final model is in it
