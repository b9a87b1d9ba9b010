"""Page objects: each method is one step a reviewer takes, done as a person would do it
(clicks, keys, file choosers), waiting for what the page shows when the step is done."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Download, Page, expect

FIXTURES = Path(__file__).parents[1] / "fixtures"
THREE_PAGES_PDF = FIXTURES / "documents" / "three_pages.pdf"


def search_ris(path: Path, titles: list[str], untitled: int = 0) -> Path:
    """A database export: one journal article per title, then ``untitled`` records with
    no title (each one a problem the import reports)."""
    parts = [
        f"TY  - JOUR\nAU  - Author, A{n}\nTI  - {title}\nPY  - {2010 + n}\n"
        f"T2  - Journal of Peer Support\nAB  - Peer support for mothers: {title}.\nER  - \n\n"
        for n, title in enumerate(titles)
    ]
    parts += [f"TY  - JOUR\nPY  - 2020\nAU  - Nobody, N{n}\nER  - \n\n" for n in range(untitled)]
    path.write_text("".join(parts), encoding="utf-8")
    return path


def require(path: str, what: str) -> None:
    """Skip, naming what is missing, when no router (placeholders aside) serves ``path``:
    the journey's later pages land one by one."""
    from realist.web import routers

    served = {
        getattr(route, "path", "")
        for router in routers.ROUTERS
        if router is not routers.placeholders.router
        for route in router.routes
    }
    if path not in served:
        pytest.skip(f"{what} is not built yet: no route serves {path}")


class Reviewer:
    """A reviewer working in the browser tab ``page`` (whose base URL is the server)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def api(self, path: str) -> Any:
        """GET one of the app's /api endpoints with this tab's session."""
        response = self.page.request.get(path)
        assert response.ok, f"{path}: {response.status} {response.text()}"
        return response.json()

    # --- dashboard --------------------------------------------------------------------

    def open_dashboard(self) -> dict[str, int]:
        """The dashboard's stage cards: label → headline count."""
        self.page.goto("/")
        expect(self.page.locator("h1")).to_be_visible()
        counts: dict[str, int] = {}
        for card in self.page.locator(".stage-card").all():
            name = card.locator(".stage-label").inner_text().strip()
            counts[name] = int(card.locator(".stage-count").inner_text().replace(",", ""))
        return counts

    # --- records ----------------------------------------------------------------------

    def import_file(self, path: Path, source: str) -> str:
        """Upload a database export on the import page; the finished job's text."""
        self.page.goto("/records/import")
        self.page.get_by_label("File").set_input_files(path)
        self.page.get_by_label("Source (database) name").fill(source)
        self.page.get_by_role("button", name="Import").click()
        job = self.page.locator("#job .job")
        expect(job.locator(".alert")).to_be_visible()  # the spinner is gone: done
        return job.inner_text()

    # --- screening --------------------------------------------------------------------

    def current_record(self) -> int:
        text = self.page.locator("#screen-card .record-no").inner_text()
        found = re.search(r"\d+", text)
        assert found, text
        return int(found.group())

    def open_screening(self) -> int:
        self.page.goto("/screening")
        return self.current_record()

    def screen_with_keys(self, *keys: str) -> int:
        """Press ``keys`` on the current record (nothing is clicked); the record's id once
        the next card says the decision was saved."""
        record = self.current_record()
        for key in keys:
            self.page.keyboard.press(key)
            if key == "e" and self.page.locator("#reason-picker").count():
                expect(self.page.locator("#reason-picker")).to_be_visible()
        expect(self.page.locator("#screen-card .flash")).to_contain_text(f"Record {record}:")
        self.settled()
        return record

    def settled(self) -> None:
        """Wait until htmx has finished swapping and settling (it restores the attributes
        of elements with the same id ~20 ms after a swap, so a key pressed sooner may be
        undone, and a button pressed before htmx processes it posts the whole page)."""
        self.page.wait_for_function(
            "() => !document.querySelector("
            "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
        )

    # --- documents --------------------------------------------------------------------

    def attach_document(self, path: Path, title: str) -> str:
        """Upload a full text on the documents page; the 'Attached …' panel's text."""
        self.page.goto("/documents")
        self.page.get_by_label("Full text", exact=True).set_input_files(path)
        self.page.get_by_label("Title", exact=True).fill(title)
        self.page.get_by_role("button", name="Attach").click()
        attached = self.page.locator("#attached")
        expect(attached).to_be_visible()
        return attached.inner_text()

    # --- theory board -----------------------------------------------------------------

    def evidence_on_board(self, identifier: str) -> dict[str, int]:
        """The evidence a configuration's card shows on the theory board: excerpts, and
        how many support, refute and refine it."""
        self.page.goto("/theories")
        counts = self.page.locator(f"#card-{identifier} .evidence-counts")
        expect(counts).to_be_visible()
        shown = {"excerpts": int(counts.get_attribute("data-evidence") or "")}
        for stance in ("supports", "refutes", "refines"):
            text = counts.locator(f".stance-{stance}").inner_text()
            shown[stance] = int(text.split()[0])
        return shown

    def final_model(self) -> dict[str, str]:
        """The final model page: each configuration's identifier → how it is styled
        (``normal``, ``struck``, ``new``)."""
        self.page.goto("/theories/model")
        styles: dict[str, str] = {}
        for item in self.page.locator(".model-list li").all():
            identifier = item.locator(".model-id").inner_text().rstrip(".")
            style = (item.get_attribute("class") or "").removeprefix("model-")
            styles[identifier] = style
        return styles

    # --- reports ----------------------------------------------------------------------

    def download_whole_review(self) -> Download:
        self.page.goto("/reports")
        with self.page.expect_download() as started:
            self.page.get_by_role("link", name="Download the whole review").click()
        return started.value

    # --- the document reader ----------------------------------------------------------

    def open_reader(self, key: str) -> None:
        self.page.goto(f"/documents/{key}")
        expect(self.page.locator("#reader")).to_be_visible()
        self.page.wait_for_function("() => !!window.realistReader")

    def selected_text(self) -> str:
        """What the coding panel will code (the selection's words)."""
        return self.page.locator("#code-quote").input_value()

    def select_sentence_with_keys(self, sentence: str, most: int = 20) -> None:
        """Focus the text and press ``s`` until ``sentence`` is the selection."""
        self.page.locator("#reader").focus()
        for _ in range(most):
            self.page.keyboard.press("s")
            if self.selected_text() == sentence:
                return
        raise AssertionError(f"'s' never selected {sentence!r} (last: {self.selected_text()!r})")

    def code_with_keys(self, identifier: str) -> None:
        """``c`` opens the panel, the identifier is typed, Enter saves."""
        self.page.keyboard.press("c")
        expect(self.page.locator("#code-search")).to_be_focused()
        self.page.keyboard.type(identifier)
        chosen = self.page.locator('#target-list input[name="target"]:checked')
        expect(chosen).to_have_value(f"configuration:0:{identifier}")
        self.page.keyboard.press("Enter")
        self.saved()

    def saved(self) -> None:
        expect(self.page.locator("#code-status")).to_have_text("Saved.")
        self.settled()

    def select_with_mouse(self, phrase: str) -> None:
        """Drag the mouse across the first occurrence of ``phrase`` in the text."""
        box = self.page.evaluate(
            """phrase => {
                const walker = document.createTreeWalker(
                    document.querySelector('#reader'), NodeFilter.SHOW_TEXT);
                let node;
                while ((node = walker.nextNode())) {
                    const at = node.data.indexOf(phrase);
                    if (at < 0 || !node.parentElement.closest('.page-text')) continue;
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + phrase.length);
                    range.startContainer.parentElement.scrollIntoView({block: 'center'});
                    const rects = [...range.getClientRects()].filter(r => r.width > 0);
                    const first = rects[0], last = rects[rects.length - 1];
                    return {x0: first.left + 1, y0: (first.top + first.bottom) / 2,
                            x1: last.right - 1, y1: (last.top + last.bottom) / 2};
                }
                return null;
            }""",
            phrase,
        )
        assert box, f"{phrase!r} is not in the reader's text"
        self.page.mouse.move(box["x0"], box["y0"])
        self.page.mouse.down()
        self.page.mouse.move(box["x1"], box["y1"], steps=5)
        self.page.mouse.up()
        expect(self.page.locator("#code-quote")).to_have_value(phrase)
