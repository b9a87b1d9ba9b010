"""Nothing of the demo outside the demo: general code, help texts and a reviewer's own
review know nothing of the demo's topics, attributes, documents or wording."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from fastapi.testclient import TestClient

from realist.cli import cli
from realist.demo import load_demo_files
from realist.services import coding, interventions, theories
from realist.services.check import check_review
from realist.services.demo import PAPER_KEY
from realist.services.expectations import set_expected_attributes
from realist.services.reporting import render_report
from realist.services.reviews import init_review
from realist.store import Store
from realist.web import WebConfig, create_app

SRC = Path(__file__).resolve().parents[1] / "src" / "realist"
# General words of the demo's subject: a reviewer's review is about something else.
DEMO_WORDS = {
    "perinatal", "postnatal", "antenatal", "postpartum", "mother", "mothers", "peer", "peers",
    "peer support", "mcleish", "volunteer", "volunteers", "telephone",
}  # fmt: skip


def demo_vocabulary() -> set[str]:
    """The demo's words, from its own data: topics, attribute codes, documents, theories."""
    data = load_demo_files()
    words = set(DEMO_WORDS) | {PAPER_KEY}
    for topic in data["theories"]["topics"]:
        words |= {topic["key"], topic["name"].lower()}
    # Compound keys only: "attachment" is also HTTP's word for a download.
    words |= {t["key"] for t in data["theories"]["middle_range_theories"] if "-" in t["key"]}
    words |= {d["key"] for d in data["documents"]}
    for item in data["interventions"]:
        for name, value in (item.get("attributes") or {}).items():
            if "_" in name:
                words.add(name)
            if isinstance(value, str) and "_" in value:
                words.add(value.lower())
    return words


def _hits(text: str, words: set[str]) -> list[str]:
    low = text.lower()
    # "peer" as a word, not "peer-reviewed" or "peer_reviewed_article" (a document type).
    return sorted(w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", low))


def _helps(
    command: click.Command, parent: click.Context | None, name: str
) -> Iterator[tuple[str, str]]:
    context = click.Context(command, info_name=name, parent=parent)
    yield name, command.get_help(context)
    if isinstance(command, click.Group):
        for sub, child in command.commands.items():
            yield from _helps(child, context, sub)


def test_no_help_text_names_the_demo() -> None:
    words = demo_vocabulary()
    found = {name: _hits(text, words) for name, text in _helps(cli, None, "realist")}
    assert {name: hits for name, hits in found.items() if hits} == {}
    assert len(found) > 50  # every command was read


def test_the_vocabulary_is_found_where_it_is() -> None:
    words = demo_vocabulary()
    assert _hits("realist theories --topic take_up", words) == ["take_up"]
    assert _hits("a peer-reviewed article, peer_reviewed_article", words) == []


def test_general_code_names_nothing_of_the_demo() -> None:
    """Every module and template outside the demo (src/realist/demo, services/demo.py)."""
    words = demo_vocabulary()
    found = {}
    for path in sorted(SRC.rglob("*")):
        if path.suffix not in {".py", ".html", ".js", ".css"} or "demo" in path.parts:
            continue
        if path.name == "demo.py" or "migrations" in path.parts:
            continue
        hits = _hits(path.read_text(encoding="utf-8"), words)
        if hits:
            found[str(path.relative_to(SRC))] = hits
    assert found == {}


@pytest.fixture
def own_review(db_target: str) -> Iterator[Store]:
    """A reviewer's own review: interventions with attributes of its own, one configuration
    with a context, nothing of the demo."""
    store = init_review(db_target, "Mentoring new teachers: a realist review", "ann")
    interventions.set_intervention(store, 1, "ann", name="Buddy scheme",
                                   attributes={"delivery": "group"})  # fmt: skip
    interventions.set_intervention(store, 2, "ann", attributes={"country": "UK"})
    theories.add_topic(store, "uptake", "Uptake of mentoring", "ann")
    coding.create_configuration(store, "1", "uptake", "ann", title="Protected time",
                                contexts=["a school that protects mentoring time"])  # fmt: skip
    yield store
    store.close()


def test_an_own_review_is_checked_by_its_own_expectations(own_review: Store) -> None:
    messages = [f.message for f in check_review(own_review)]
    assert not [m for m in messages if "attribute" in m]  # nothing is expected until set
    set_expected_attributes(own_review, ["delivery"], "ann")
    assert [m for m in (f.message for f in check_review(own_review)) if "attribute" in m] == [
        "intervention #2 has no delivery attribute"
    ]


def test_check_dashboard_and_report_mention_no_demo_attribute(own_review: Store) -> None:
    words = demo_vocabulary() | {"format attribute"}
    checked = " ".join(f.message for f in check_review(own_review))
    assert _hits(checked, words) == []
    report = render_report(own_review, "review", "html").content
    assert isinstance(report, str) and _hits(report, words) == []
    rameses = render_report(own_review, "rameses", "md").content
    assert isinstance(rameses, str) and _hits(rameses, words) == []
    app = create_app(WebConfig(target=own_review.target), store=own_review)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        for path in ["/", "/api/dashboard", "/explore/applies", "/api/explore/applies",
                     "/explore/applies?q=protected+time", "/records", "/theories"]:  # fmt: skip
            page = client.get(path)
            assert page.status_code == 200, path
            assert _hits(page.text, words) == [], path
        examples = client.get("/api/explore/applies").json()["examples"]
    assert examples == ["a school that protects mentoring time"]  # its own contexts


def test_a_review_without_contexts_offers_no_examples(db_target: str) -> None:
    store = init_review(db_target, "Empty", "ann")
    app = create_app(WebConfig(target=store.target), store=store)
    with TestClient(app, base_url="http://127.0.0.1:8765") as client:
        assert client.get("/api/explore/applies").json()["examples"] == []
        assert "Try (from the review" not in client.get("/explore/applies").text
    store.close()


def test_the_demo_states_how_its_counts_are_checked() -> None:
    """The demo's stated counts carry their own rules (data), not code."""
    review = load_demo_files()["review"]
    ruled = {c["what"] for c in review["stated_counts"] if c.get("rule")}
    assert {"configurations_take_up", "format_group_in_person", "design_rct"} <= ruled
    assert review["expected_attributes"] == ["format"]
