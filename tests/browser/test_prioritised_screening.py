"""Prioritised screening in the browser: the card says why its record comes now (the
queue's order, the record's score and the terms that pushed it up), and an owner switches
the order on the screening page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.pages import Reviewer
from realist.domain.screening import Decision, Stage
from realist.domain.screening_order import ScreeningOrder
from realist.services import imports, prioritising, screening
from realist.store import Store

pytestmark = pytest.mark.browser

RECORDS = [
    ("Road traffic noise and sleep", "Night-time traffic noise and sleep in city flats."),
    ("Peer support for new mothers", "Trained volunteers offered peer support to mothers."),
    ("Glacier retreat in the Andes", "Ice loss measured by satellites over twenty years."),
]


def _search(path: Path) -> Path:
    path.write_text(
        "".join(f"TY  - JOUR\nTI  - {t}\nAB  - {a}\nER  - \n\n" for t, a in RECORDS),
        encoding="utf-8",
    )
    return path


def test_the_card_shows_its_reasons_and_the_order_is_switched(
    page: Page, demo_store: Store, tmp_path: Path
) -> None:
    imports.import_file(demo_store, _search(tmp_path / "s.ris"), source_name="Scopus")
    # The demo's records were all included: one exclude lets the model learn.
    screening.screen(demo_store, 30, Stage.TITLE_ABSTRACT, Decision.EXCLUDE, None)
    me = Reviewer(page)
    me.open_screening()
    why = page.locator("#screen-card .why-now")
    # The decisions train the model: its score and the terms behind it are shown.
    expect(why).to_contain_text("Ranked by: prioritised — a model trained on 29 includes")
    expect(why.locator(".why-score")).to_contain_text("Score 0.")
    assert me.current_record() == 31  # peer support, as the demo's included records
    expect(why.locator("mark.term-why").first).to_be_visible()
    expect(page.locator("#ranked-by")).to_have_text("prioritised")

    page.select_option("#order", "random")
    page.locator("section.queue-order button[type=submit]").click()

    expect(page.locator("#ranked-by")).to_have_text("random")
    chosen = prioritising.orders(demo_store)[Stage.TITLE_ABSTRACT]
    assert chosen.order is ScreeningOrder.RANDOM and chosen.seed is not None
    expect(page.locator(".queue-order")).to_contain_text(f"(seed {chosen.seed})")
    expect(why).to_contain_text(f"Ranked by: random — seed {chosen.seed}")
    expect(why.locator(".why-score")).to_have_count(0)  # a random order has no score
    # Decisions go on as before, in the new order.
    me.screen_with_keys("i")
    expect(page.locator("#screen-card .why-now")).to_contain_text("Ranked by: random")
