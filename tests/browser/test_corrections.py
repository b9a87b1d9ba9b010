"""A reviewer corrects mistakes in the browser: a typo criterion deleted, a document's key
and title fixed, a wrong excerpt deleted in the reader (its codings with it), a
configuration renamed, and the document deleted; each checked through the services and
the audit trail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.pages import Reviewer, require
from realist.services import coding, documents, screening, theories
from realist.store import Store
from realist.store.events import list_events

pytestmark = pytest.mark.browser

TEXT = "Mothers said peer support helped them feel heard. Some felt judged by volunteers.\n"


def _actions(store: Store) -> list[str]:
    with store.reading() as connection:
        return [e.action for e in list_events(connection, limit=20)]


def test_a_reviewer_corrects_criteria_documents_excerpts_and_configurations(
    page: Page, demo_store: Store, tmp_path: Path
) -> None:
    require("/screening/criteria", "the criteria page")
    me = Reviewer(page)

    # A criterion added with a typo is deleted before anything cites it.
    page.goto("/screening/criteria")
    page.get_by_text("Add a criterion").click()
    page.get_by_label("Code", exact=True).last.fill("E-TYPO")
    page.get_by_label("Text", exact=True).last.fill("Not perinatl")
    page.get_by_role("button", name="Add criterion").click()
    expect(page.locator(".flash")).to_have_text("Criterion added.")
    row = page.locator("tr", has_text="E-TYPO")
    row.get_by_text("Delete", exact=True).click()
    row.get_by_role("button", name="Delete E-TYPO").click()
    expect(page.locator(".flash")).to_have_text("Criterion deleted.")
    assert "E-TYPO" not in [c.code for c in screening.criteria(demo_store, retired=True)]

    # A document attached under a wrong key gets its key and title fixed.
    path = tmp_path / "thapa.txt"
    path.write_text(TEXT, encoding="utf-8")
    documents.attach_document(demo_store, path, key="thapa2020", title="thapa")
    wrong = coding.create_excerpt(demo_store, "thapa2020", 0, 49, None)
    assert wrong.id is not None
    coding.code_excerpt(demo_store, wrong.id, "N3", None)
    me.open_reader("thapa2020")
    page.get_by_role("link", name="Edit or delete").click()
    page.get_by_label("New key").fill("thapa-2020")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator(".flash")).to_contain_text("Document renamed")
    page.get_by_role("textbox", name="Title").fill("Peer support in Nepal")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".flash")).to_have_text("Document saved.")
    item = documents.show_document(demo_store, "thapa-2020").document
    assert item.title == "Peer support in Nepal"

    # In the reader, the wrong excerpt is deleted with its coding; its stripe goes.
    page.goto(f"/documents/thapa-2020?excerpt={wrong.id}")
    expect(page.locator("#stripes .stripe")).to_have_count(1)
    page.get_by_text("Label or delete this excerpt").click()
    page.get_by_role("button", name="Delete excerpt and its 1 coding").click()
    expect(page.locator("#excerpts")).to_contain_text("Excerpt deleted with its codings.")
    expect(page.locator("#stripes .stripe")).to_have_count(0)
    assert coding.list_excerpts(demo_store, "thapa-2020") == []

    # A configuration is renamed on its page; its evidence and history come with it.
    page.goto("/theories/N3")
    page.locator("#rename summary").click()
    page.get_by_label("Rename N3 to").fill("N3a")
    page.get_by_role("button", name="Rename").click()
    expect(page.locator(".flash")).to_contain_text("Renamed")
    expect(page).to_have_url(re.compile(r"/theories/N3a\?saved=renamed$"))
    assert theories.show_theory(demo_store, "N3a").history[-1].why == "identifier N3 renamed N3a"

    # The document is deleted: with no excerpts left, no confirmation box is needed.
    page.goto("/documents/thapa-2020/edit")
    page.get_by_role("button", name="Delete thapa-2020").click()
    expect(page.get_by_role("heading", name="Deleted thapa-2020")).to_be_visible()
    assert "thapa-2020" not in [d.key for d in documents.list_documents(demo_store)]

    assert _actions(demo_store)[:6] == [
        "document.deleted",
        "configuration.renamed",
        "excerpt.deleted",
        "document.edited",
        "document.renamed",
        "excerpt.coded",
    ]
