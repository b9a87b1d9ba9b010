"""Editing the interventions sheet in a real browser: a cell typed into and saved in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from browser.pages import require
from realist.services import interventions
from realist.store import Store

pytestmark = pytest.mark.browser


def test_a_cell_is_edited_in_place(page: Page, demo_store: Store) -> None:
    require("/interventions", "the Interventions page")
    page.goto("/interventions")
    cell = page.get_by_label("country of #8", exact=True)
    expect(cell).to_have_value("")
    cell.fill("Ireland")
    cell.press("Enter")  # htmx posts the cell's form and swaps only that cell
    saved = page.locator("#intervention-8 .cell-saved")
    expect(saved).to_have_text("#8: country saved.")
    expect(page.get_by_label("country of #8", exact=True)).to_have_value("Ireland")
    found, _ = interventions.list_interventions(demo_store)
    assert next(i for i in found if i.number == 8).attributes["country"] == "Ireland"
    # The page was not reloaded: the sheet is still where it was, with no error shown.
    expect(page.locator("#messages")).to_be_empty()
    page.reload()
    expect(page.get_by_label("country of #8", exact=True)).to_have_value("Ireland")
