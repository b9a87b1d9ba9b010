"""Screenshots of every page of the web app at 1280×800, so the look can be reviewed.

    .venv/bin/python scripts/screenshots.py               # into screenshots/
    .venv/bin/python scripts/screenshots.py out/ --full   # whole pages, not the first screen

Builds the demo review in a temporary folder (adding three generated records and a few
highlight terms, so that the screening page has a record to show, marked), serves it on a
free loopback port as ``realist serve`` does, and saves one PNG per page with Debian's
Chromium (``/usr/bin/chromium``; Playwright's own browsers are not used). A page whose area
is not built yet is saved as its placeholder and said so, as is any failed request or
script error on a page. Nothing outside the output folder and the temporary folder is written.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
READER_DOCUMENT = "mcleish-2023"  # the demo's paper: full text, excerpts, codings
# (file name, path, what it shows)
PAGES = [
    ("01-dashboard", "/", "Dashboard"),
    ("02-records", "/records", "Records"),
    ("03-screening", "/screening", "Screening"),
    ("04-documents", "/documents", "Documents"),
    ("05-document-reader", f"/documents/{READER_DOCUMENT}", "Document reader"),
    ("06-theory-board", "/theories", "Theory board"),
    ("07-final-model", "/theories/model", "Final model"),
    ("08-explore-matrix", "/explore", "Explore: matrix"),
    ("09-explore-applies", "/explore/applies?q=telephone+support%2C+volunteers", "Applies"),
    ("10-explore-search", "/explore/search?q=peer+support", "Search"),
    ("11-reports", "/reports", "Reports"),
]
SCREENING_RIS = "".join(
    f"TY  - JOUR\nAU  - Author, A{n}\nTI  - {title}\nPY  - {2015 + n}\n"
    f"T2  - Journal of Perinatal Care\nAB  - {abstract}\nKW  - peer support\nER  - \n\n"
    for n, (title, abstract) in enumerate(
        [
            (
                "Volunteer peer support for mothers with postnatal depression: a pilot study",
                "Background: Postnatal depression affects one in ten mothers. Methods: Trained "
                "volunteer peer supporters telephoned mothers weekly for eight weeks. Results: "
                "Mothers valued feeling understood by someone who had been there. Conclusions: "
                "Peer support by telephone was acceptable and may reduce isolation.",
            ),
            ("Group peer support in children's centres", "A qualitative evaluation."),
            ("Online forums for new parents", "A survey of forum users."),
        ]
    )
)


def build_review(folder: Path) -> str:
    """The demo, plus three records to screen and highlight terms to mark in them."""
    from realist.domain.screening import CriterionKind
    from realist.services import imports, screening
    from realist.services.demo import open_demo

    target = str(folder / "demo.realist")
    store, _ = open_demo(target)
    try:
        ris = folder / "new-search.ris"
        ris.write_text(SCREENING_RIS, encoding="utf-8")
        imports.import_file(store, ris, source_name="MEDLINE")
        owner = None  # the review's owner
        screening.add_highlight_terms(store, ["peer*", "postnatal"], CriterionKind.INCLUSION, owner)
        screening.add_highlight_terms(store, ["forum*", "online"], CriterionKind.EXCLUSION, owner)
    finally:
        store.close()
    return target


class Server:
    """The review served as ``realist serve`` serves it, in a thread, on a free port."""

    def __init__(self, target: str) -> None:
        from realist.cli.web_commands import build_server
        from realist.web import WebConfig

        self.server = build_server(WebConfig.for_host(target, "127.0.0.1"), "127.0.0.1", 0)
        # IPPROTO_TCP: asyncio sets TCP_NODELAY only on sockets that say they are TCP.
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


def built_paths() -> set[str]:
    """Paths a real page serves (the placeholders router aside)."""
    from realist.web import routers

    return {
        getattr(route, "path", "")
        for router in routers.ROUTERS
        if router is not routers.placeholders.router
        for route in router.routes
    }


def shoot(url: str, out: Path, full_page: bool) -> list[str]:
    """Save every page; return a line per page saying what was saved."""
    from playwright.sync_api import sync_playwright

    served = built_paths()
    said: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: errors.append(f"HTTP {r.status} for {r.url}") if r.status >= 400 else None,
        )
        for name, path, what in PAGES:
            errors.clear()
            response = page.goto(path, wait_until="networkidle")
            status = response.status if response else 0
            file = out / f"{name}.png"
            page.screenshot(path=str(file), full_page=full_page)
            route = path.split("?")[0]
            built = route in served or any(
                p.startswith(route.rsplit("/", 1)[0] + "/{") for p in served
            )
            notes = [] if built else ["placeholder (not built yet)"]
            if status != 200:
                notes.append(f"HTTP {status}")
            notes += errors
            said.append(f"{file}  {what}" + (f"  [{'; '.join(notes)}]" if notes else ""))
        browser.close()
    return said


def main() -> None:
    parser = argparse.ArgumentParser(description="Screenshots of every page at 1280×800.")
    parser.add_argument("out", nargs="?", default="screenshots", help="folder for the PNGs")
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium fonts-dejavu-core")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="realist-screenshots-") as tmp:
        target = build_review(Path(tmp))
        with Server(target) as server:
            for line in shoot(server.url, out, args.full):
                print(line)


if __name__ == "__main__":
    main()
