"""The document reader: a selection, made with the mouse or the keys, is coded to a
configuration, and the stored excerpt holds exactly the words selected (offsets are UTF-16
units in the browser and code points on the server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.pages import THREE_PAGES_PDF, Reviewer, require
from realist.domain.coding import Stance
from realist.services import coding, documents
from realist.store import Store

pytestmark = pytest.mark.browser


def _excerpts(store: Store, key: str) -> list[tuple[str, list[tuple[str, Stance]]]]:
    """Each excerpt of the document as its span of the stored text (in code points, as the
    server counts), with its codings."""
    text = documents.show_document(store, key).document.text
    return [
        (text[e.start : e.end], [(c.configuration_identifier, c.stance) for c in e.codings])
        for e in coding.list_excerpts(store, key)
    ]


def test_a_selection_made_with_the_mouse_is_coded_with_clicks(
    page: Page, demo_store: Store
) -> None:
    require("/documents/{key}", "the document reader")
    documents.attach_document(demo_store, THREE_PAGES_PDF, key="three-pages", title="Three")
    me = Reviewer(page)
    me.open_reader("three-pages")

    me.select_with_mouse("built trust through repeated contact")
    page.get_by_label("Find a configuration").fill("N3")
    page.locator("label[for=stance-refines]").click()
    page.get_by_role("button", name="Code it").click()
    me.saved()

    assert _excerpts(demo_store, "three-pages") == [
        ("built trust through repeated contact", [("N3", Stance.REFINES)])
    ]
    expect(page.locator("#excerpts")).to_contain_text("N3")
    expect(page.locator("#stripes .stripe")).to_have_count(1)  # drawn in the margin


def test_offsets_survive_characters_outside_the_basic_plane(
    page: Page, demo_store: Store, tmp_path: Path
) -> None:
    require("/documents/{key}", "the document reader")
    text = tmp_path / "emoji.txt"
    text.write_text(
        "Mothers 😀 said 𝒜𝒷 and café (e\u0301) helped.\nPeers 👩‍👧 listened without judging.\n",
        encoding="utf-8",
    )
    documents.attach_document(demo_store, text, key="emoji", title="Emoji notes")
    me = Reviewer(page)
    me.open_reader("emoji")

    me.select_with_mouse("listened without judging")
    page.get_by_label("Find a configuration").fill("1")
    page.get_by_role("button", name="Code it").click()
    me.saved()

    [(stored, codings)] = _excerpts(demo_store, "emoji")
    assert stored == "listened without judging"
    assert codings == [("1", Stance.SUPPORTS)]


def test_a_mixed_methods_study_is_appraised_with_both_components(
    page: Page, demo_store: Store
) -> None:
    require("/documents/{key}", "the document reader")
    documents.attach_document(demo_store, THREE_PAGES_PDF, key="mixed", title="Mixed")
    me = Reviewer(page)
    me.open_reader("mixed")
    form = page.locator(".mmat-form")
    form.locator("#mmat-category").select_option("mixed_methods")
    components = form.locator(".mmat-components")
    expect(components).to_be_visible()
    form.locator("label[for=mmat-s1-yes]").click()
    form.locator("label[for=mmat-s2-yes]").click()
    form.locator("#mmat-quantitative").select_option("non_randomised")
    # Only the chosen quantitative component's questions are shown.
    expect(form.locator("fieldset[data-component=non_randomised]")).to_be_visible()
    expect(form.locator("fieldset[data-component=randomised_controlled_trial]")).to_be_hidden()
    for fieldset in (
        form.locator("fieldset.mmat-criteria[data-category=mixed_methods]"),
        form.locator("fieldset[data-component=qualitative]"),
        form.locator("fieldset[data-component=non_randomised]"),
    ):
        for question in fieldset.locator(".mmat-question").all():
            question.locator("label").first.click()  # "Yes"
    form.get_by_role("button", name="Save MMAT appraisal").click()
    expect(page.locator("#mmat")).to_contain_text("Qualitative component: 5 of 5 met")
    (saved,) = [a for a in documents.mmat_table(demo_store) if a.document_key == "mixed"]
    assert [c.value for c in saved.components] == ["qualitative", "non_randomised"]
    assert saved.met == 5
