"""The second review (tests/fixtures/review2) through the web app in Chromium, as its three
reviewers would work in it: every export uploaded on the import page with its source kind
and date; duplicates found, queued pairs decided and a missed pair merged by hand on the
duplicates page; both reviewers screen every record at both stages with single keys (the
full-text stage with reasons and "not retrieved"); the third resolves the conflicts on the
conflicts page; full texts attached to their records on the documents page. At each step the
dashboard's figures and the PRISMA counts are checked against the values worked out by hand
in MANIFEST.yaml. (The theory work is driven through the CLI in tests/test_review2_cli.py;
coding and verdicts in the browser are covered by test_journey*.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from browser.conftest import VIEWPORT
from browser.pages import Reviewer
from browser.server import LiveServer
from test_review2_cli import CRITERIA, FULL_TEXT, TITLE_ABSTRACT, Review, rid, set_up
from test_review2_material import HERE, manifest, records

pytestmark = pytest.mark.browser
M = manifest()
EXCLUSIONS = [c["code"] for c in M["criteria"] if c["kind"] == "exclusion"]
KEY = {"include": ("i",), "maybe": ("m",), "exclude": ("e", "0"), "not_retrieved": ("r",)}


class Person(Reviewer):
    """A reviewer in a tab of their own, on a server that acts as them (local mode)."""

    def screen_queue(self, stage: str, wants: dict[int, str]) -> list[int]:
        """Press each record's keys as ``wants`` says until the queue is empty; the ids."""
        self.page.goto(f"/screening?stage={stage}")
        done: list[int] = []
        while self.page.locator("#screen-card .record-no").count():
            record = self.current_record()
            words = wants[record].split()
            keys = KEY[words[0]]
            if words[0] == "exclude" and len(words) > 1:  # a reason, by its number
                keys = ("e", str(EXCLUSIONS.index(words[1]) + 1))
            self.screen_with_keys(*keys)
            done.append(record)
        return done

    def dashboard(self) -> dict[str, Any]:
        found: dict[str, Any] = self.api("/api/dashboard")["status"]
        return found


@pytest.fixture
def people(browser: Browser, db_target: str, tmp_path: Path) -> Iterator[dict[str, Person]]:
    set_up(Review(db_target, tmp_path))  # the review, its people, criteria, search strategy
    servers, contexts, found = [], [], {}
    for who in ("ana", "ben", "cara"):
        server = LiveServer(db_target, reviewer=who)
        server.start()
        context = browser.new_context(base_url=server.url, viewport=VIEWPORT)
        context.set_default_timeout(15_000)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        servers.append(server)
        contexts.append((context, errors))
        found[who] = Person(tab)
    yield found
    for context, errors in contexts:
        context.close()
        assert not errors, errors
    for server in servers:
        server.stop()


def _import_everything(ana: Person) -> None:
    for s in M["sources"]:
        page = ana.page
        page.goto("/records/import")
        page.get_by_label("File").set_input_files(HERE / s["file"])
        page.get_by_label("Source (database) name").fill(s["name"])
        page.locator("#kind").select_option(s["kind"])
        page.locator("#searched").fill(s["searched"])
        page.get_by_role("button", name="Import").click()
        job = page.locator("#job .job")
        expect(job.locator(".alert")).to_be_visible()
        assert f"Imported {s['records']} records" in job.inner_text(), job.inner_text()


def _deduplicate(ana: Person) -> None:
    page = ana.page
    page.goto("/records/duplicates")
    page.get_by_role("button", name="Find duplicates").click()
    expect(page.locator(".flash")).to_contain_text("merged 22 duplicates in 14 groups")
    wanted = {frozenset(map(rid, q["pair"])): q["decision"] for q in M["dedup"]["queued"]}
    for _ in range(len(wanted)):
        pair = page.locator("article.pair").first
        ids = frozenset(
            int(x) for x in re.findall(r"#(\d+)", pair.locator(".pair-cols").inner_text())
        )
        button = "Same work: merge" if wanted[ids] == "same" else "Different works"
        pair.get_by_role("button", name=button).click()
        ana.settled()
    expect(page.locator("article.pair")).to_have_count(0)
    for merge in M["dedup"]["by_hand"]:
        keep = merge["keeper"]
        other = next(ref for ref in merge["records"] if ref != keep)
        page.get_by_label("Keep record").fill(str(rid(keep)))
        page.get_by_label("Merge into it record").fill(str(rid(other)))
        page.get_by_role("button", name="Merge", exact=True).click()
        expect(page.locator(".flash")).to_contain_text(f"Record {rid(other)} merged into")


def _resolve(cara: Person, stage: str, rows: dict[str, dict[str, Any]]) -> None:
    page = cara.page
    page.goto(f"/screening/conflicts?stage={stage}")
    for ref, row in rows.items():
        if "cara" not in row:
            continue
        words = row["cara"].split()
        card = page.locator("article.conflict", has_text=f"Record {rid(ref)}")
        if len(words) > 1:
            card.locator("select").select_option(words[1])
        card.get_by_role("button", name=f"Resolve: {words[0]}").click()
        cara.settled()
        expect(page.locator("article.conflict", has_text=f"Record {rid(ref)}")).to_have_count(0)


def test_the_second_review_in_the_browser(people: dict[str, Person]) -> None:
    ana, ben, cara = people["ana"], people["ben"], people["cara"]
    _import_everything(ana)
    assert ana.open_dashboard()["Records"] == 55
    _deduplicate(ana)
    assert ana.dashboard()["records"] == {"total": 55, "duplicates": 24, "unique": 31}

    # Title and abstract: ana screens everything, ben the first 15 (the checkpoint).
    first = {rid(ref): row["ana"] for ref, row in TITLE_ABSTRACT.items()}
    assert sorted(ana.screen_queue("title_abstract", first)) == sorted(first)
    checkpoint = {rid(ref) for ref in M["checkpoint"]["ben_decided"]}
    ben.page.goto("/screening?stage=title_abstract")
    while checkpoint and ben.page.locator("#screen-card .record-no").count():
        record = ben.current_record()
        if record not in checkpoint:
            break
        ben.screen_with_keys(*KEY[TITLE_ABSTRACT_BY_ID[record]["ben"]])
        checkpoint.discard(record)
    assert not checkpoint
    stage = ana.dashboard()["screening"]["title_abstract"]
    want = M["checkpoint"]["outcomes"]
    assert {k: stage[k] for k in want} == want
    rest = {rid(ref): row["ben"] for ref, row in TITLE_ABSTRACT.items()}
    ben.screen_queue("title_abstract", rest)
    _resolve(cara, "title_abstract", TITLE_ABSTRACT)
    stage = ana.dashboard()["screening"]["title_abstract"]
    expected = M["expected"]["screening"]["title_abstract"]
    assert {k: stage[k] for k in expected["outcomes"]} == expected["outcomes"]
    assert stage["votes"]["ana"] == expected["ana"] and stage["votes"]["ben"] == expected["ben"]

    # Full texts attached to their records, on the documents page: keys from author and year.
    for d in M["documents"]:
        page = ana.page
        page.goto("/documents")
        page.get_by_label("Full text", exact=True).set_input_files(HERE / d["file"])
        page.get_by_label("Record", exact=True).fill(str(rid(d["record"])))
        page.get_by_label("Type", exact=True).select_option(d["document_type"])
        page.get_by_label("Study design", exact=True).select_option(d["study_design"])
        page.get_by_role("button", name="Attach").click()
        expect(page.locator("#attached-h")).to_contain_text(f"Attached {d['key']} ")
    assert ana.dashboard()["documents"]["included"] == 0  # none is included at full text yet

    # Full text: reasons by number, "not retrieved" with r; cara resolves the conflict.
    for person, who in ((ana, "ana"), (ben, "ben")):
        wants = {rid(ref): row[who] for ref, row in FULL_TEXT.items()}
        assert sorted(person.screen_queue("full_text", wants)) == sorted(wants)
    _resolve(cara, "full_text", FULL_TEXT)

    # The dashboard and the PRISMA counts say what was worked out by hand.
    status = ana.dashboard()
    expected = M["expected"]
    stage = status["screening"]["full_text"]
    assert {k: stage[k] for k in expected["screening"]["full_text"]["outcomes"]} == expected[
        "screening"]["full_text"]["outcomes"]  # fmt: skip
    assert status["documents"]["included"] == expected["documents"]["included"]
    assert status["documents"]["by_type"] == expected["documents"]["by_type"]
    prisma = ana.api("/api/prisma")
    dbr, other = expected["prisma"]["databases"], expected["prisma"]["other_methods"]
    assert (prisma["database_results"], prisma["duplicates"], prisma["records_screened"]) == (
        dbr["identified"], dbr["duplicates_removed"], dbr["screened"])  # fmt: skip
    assert (prisma["records_excluded"], prisma["dbr_sought_reports"]) == (
        dbr["excluded"], dbr["sought"])  # fmt: skip
    assert (prisma["dbr_notretrieved_reports"], prisma["dbr_assessed"]) == (
        dbr["not_retrieved"], dbr["assessed"])  # fmt: skip
    assert prisma["dbr_excluded"] == {CRITERIA[k]: n for k, n in dbr["excluded_full_text"].items()}
    assert (prisma["other_duplicates"], prisma["other_records_excluded"]) == (
        other["duplicates_removed"], other["excluded"])  # fmt: skip
    assert (prisma["other_sought_reports"], prisma["other_assessed"]) == (
        other["sought"], other["assessed"])  # fmt: skip
    assert prisma["new_reports"] == expected["prisma"]["total"]["reports_included"]
    cards = ana.open_dashboard()
    assert cards["Records"] == 55 and cards["Included documents"] == 8
    assert cards["Title and abstract screening"] == 31 and cards["Full-text screening"] == 14
    expect(ana.page.locator("section.prisma figure img")).to_be_visible()  # PRISMA renders
    # Title/abstract screening against the stopping rule, with its recall curve.
    stopping = ana.page.locator("section.stopping")
    expect(stopping).to_contain_text("relevant found in")
    expect(stopping.locator("figure img")).to_be_visible()
    by_design = expected["documents"]["by_design"]
    assert status["documents"]["by_design"] == dict(sorted(by_design.items()))
    assert len(records()) == 55


TITLE_ABSTRACT_BY_ID = {rid(ref): row for ref, row in TITLE_ABSTRACT.items()}
