"""The first half of a new reviewer's journey: open the demo, import a RIS file by
upload, screen three records with the keyboard only."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.pages import Reviewer, search_ris
from realist.domain.screening import Decision, Stage
from realist.services import imports, screening
from realist.services.reviews import review_status
from realist.store import Store

pytestmark = pytest.mark.browser

TITLES = ["Peer support groups for new mothers", "Telephone peer support", "Doulas at home"]


def test_the_dashboard_shows_the_demo_title_and_counts(page: Page, demo_store: Store) -> None:
    status = review_status(demo_store)
    me = Reviewer(page)
    counts = me.open_dashboard()

    expect(page.locator("h1")).to_have_text(status.title)
    expect(page).to_have_title("Dashboard · Realist")
    assert counts["Records"] == status.records["total"] == 29
    assert counts["Title and abstract screening"] == 29
    expect(page.locator(".mainnav a[aria-current=page]")).to_have_text("Dashboard")
    expect(page.locator(".prisma img")).to_be_visible()
    # The diagram is an image from this server: it must have loaded, not be broken.
    loaded = page.locator(".prisma img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert loaded


def test_a_ris_file_is_imported_by_upload_with_its_problems(
    page: Page, demo_store: Store, tmp_path: Path
) -> None:
    export = search_ris(tmp_path / "scopus-export.ris", TITLES, untitled=1)
    me = Reviewer(page)

    job = me.import_file(export, "Scopus")

    # The untitled record is kept, and reported with its file and line.
    assert "Imported 4 records" in job and "Scopus" in job
    expect(page.locator("#job .problems-list li")).to_have_count(1)
    expect(page.locator("#job .problems-list")).to_contain_text(
        "scopus-export.ris:25: record has no title"
    )
    # The new records are in the list and the dashboard's count moved on.
    page.get_by_role("link", name="See these records").click()
    expect(page.locator("main")).to_contain_text("Telephone peer support")
    assert me.open_dashboard()["Records"] == 33
    assert review_status(demo_store).records["total"] == 33


def test_three_records_are_screened_with_the_keyboard_only(
    page: Page, demo_store: Store, tmp_path: Path
) -> None:
    imports.import_file(demo_store, search_ris(tmp_path / "s.ris", TITLES), source_name="Scopus")
    reason = screening.criteria(demo_store)
    first_exclusion = next(c.code for c in reason if c.kind.value == "exclusion")
    me = Reviewer(page)
    me.open_screening()
    expect(page.locator("#screen-card")).to_contain_text("29 of 32 screened")

    included = me.screen_with_keys("i")
    excluded = me.screen_with_keys("e", "1")
    maybe = me.screen_with_keys("m")

    expect(page.locator("#screen-card")).to_contain_text("Nothing left for you")
    expect(page.locator("#screen-card")).to_contain_text("32 of 32 screened")
    # Saved as the services see them (and as the API serves them).
    saved = {
        r: screening.visible_decisions(demo_store, r, Stage.TITLE_ABSTRACT, None)
        for r in (included, excluded, maybe)
    }
    assert [d.decision for d in saved[included]] == [Decision.INCLUDE]
    assert [(d.decision, d.criterion_code) for d in saved[excluded]] == [
        (Decision.EXCLUDE, first_exclusion)
    ]
    assert [d.decision for d in saved[maybe]] == [Decision.MAYBE]
    outcomes = {
        r["id"]: r["title_abstract"] for r in me.api("/api/records?source=Scopus")["records"]
    }
    assert outcomes == {included: "include", excluded: "exclude", maybe: "maybe"}


def test_undo_and_escape_with_the_keyboard(page: Page, demo_store: Store, tmp_path: Path) -> None:
    imports.import_file(demo_store, search_ris(tmp_path / "s.ris", TITLES), source_name="Scopus")
    me = Reviewer(page)
    first = me.open_screening()

    page.keyboard.press("e")
    expect(page.locator("#reason-picker")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#reason-picker")).to_be_hidden()
    assert me.current_record() == first  # cancelled: nothing was decided

    assert me.screen_with_keys("i") == first
    page.keyboard.press("u")
    expect(page.locator("#screen-card .flash")).to_contain_text(
        f"Undid your include on record {first}"
    )
    assert me.current_record() == first
    assert screening.visible_decisions(demo_store, first, Stage.TITLE_ABSTRACT, None) == []


def test_keys_pressed_in_quick_succession_each_decide_the_next_record(
    page: Page, demo_store: Store, tmp_path: Path
) -> None:
    """A fast screener does not wait for the next card: keys pressed while a decision is on
    its way apply, in order, to the cards that follow."""
    imports.import_file(demo_store, search_ris(tmp_path / "s.ris", TITLES), source_name="Scopus")
    me = Reviewer(page)
    first = me.open_screening()
    for key in "inm":  # include, skip, maybe: with no pause between them
        page.keyboard.press(key)
    expect(page.locator("#screen-card .flash")).to_contain_text(f"Record {first + 2}: maybe")
    me.settled()
    decided = {
        r: [
            d.decision
            for d in screening.visible_decisions(demo_store, r, Stage.TITLE_ABSTRACT, None)
        ]
        for r in (first, first + 1, first + 2)
    }
    assert decided == {first: [Decision.INCLUDE], first + 1: [], first + 2: [Decision.MAYBE]}
    assert me.current_record() == first + 1  # the skipped record comes round again
