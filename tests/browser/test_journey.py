"""A new reviewer's whole journey in one browser session, as issue 6's "Done when" lists
it: open the demo, import a RIS file, screen three records with the keyboard, attach a
document, select text and code it to a configuration, see the evidence count change, open
the final model, download the whole-review report. The steps are also tested one by one
(test_journey_screening.py, test_journey_theory.py, test_reader.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.pages import THREE_PAGES_PDF, Reviewer, require, search_ris
from realist.domain.screening import Decision, Stage
from realist.services import screening
from realist.services.reviews import review_status
from realist.store import Store

pytestmark = pytest.mark.browser


def test_a_new_reviewer_s_journey(page: Page, demo_store: Store, tmp_path: Path) -> None:
    for path, what in [
        ("/documents/{key}", "the document reader"),
        ("/theories/model", "the final model (Theory board)"),
        ("/reports", "the Reports page"),
    ]:
        require(path, what)
    title = review_status(demo_store).title
    me = Reviewer(page)

    # Open the demo.
    assert me.open_dashboard()["Records"] == 29
    expect(page.locator("h1")).to_have_text(title)

    # Import a RIS file by upload.
    export = search_ris(tmp_path / "medline.ris", ["First", "Second", "Third"])
    assert "Imported 3 records" in me.import_file(export, "MEDLINE")

    # Screen three records with the keyboard: include, exclude with reason 1, maybe.
    me.open_screening()
    decided = [me.screen_with_keys("i"), me.screen_with_keys("e", "1"), me.screen_with_keys("m")]
    expect(page.locator("#screen-card")).to_contain_text("Nothing left for you")
    made = [
        screening.visible_decisions(demo_store, r, Stage.TITLE_ABSTRACT, None)[0].decision
        for r in decided
    ]
    assert made == [Decision.INCLUDE, Decision.EXCLUDE, Decision.MAYBE]

    # Attach a document, then select a sentence in the reader and code it with keys.
    attached = me.attach_document(THREE_PAGES_PDF, "Three pages")
    assert "3 pages" in attached
    key = page.locator("#attached-h").inner_text().split()[1]
    before = me.evidence_on_board("21")
    me.open_reader(key)
    me.select_sentence_with_keys("Group sessions reduced isolation for first-time parents.")
    me.code_with_keys("21")

    # The theory board counts the new evidence.
    after = me.evidence_on_board("21")
    assert after["excerpts"] == before["excerpts"] + 1

    # The final model strikes NH1 and NH2 through.
    styles = me.final_model()
    assert styles["NH1"] == "struck" and styles["NH2"] == "struck"

    # The whole-review report downloads as one HTML page.
    download = me.download_whole_review()
    html = download.path().read_text(encoding="utf-8")
    assert download.suggested_filename.endswith(".html") and title in html
