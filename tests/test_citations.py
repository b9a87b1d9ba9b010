"""Author-year citations and reference numbers, and middle-range theories by command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.domain.citations import Cited, author_year, cite, surname
from realist.domain.documents import Document
from realist.domain.records import Record
from realist.domain.screening import Decision, ScreeningDecision, Stage
from realist.errors import InvalidInput, NotFound
from realist.services import citations, middle_range
from realist.services.reporting import render_report
from realist.services.reviews import init_review
from realist.services.theories import show_theory
from realist.store import Store
from realist.store import documents as documents_repo
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.events import list_events
from realist.store.screening import insert_decision


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("Thapa, Rajesh", "Thapa"),
        ("Thapa R", "Thapa"),
        ("Lee JH", "Lee"),
        ("Smith J.-P.", "Smith"),
        ("van der Berg, J.", "van der Berg"),
        ("Rajesh Thapa", "Thapa"),
        ("Education Support Trust", "Education Support Trust"),
        ("World Health Organization", "World Health Organization"),
        ("Müller", "Müller"),
        ("  ", ""),
    ],
)
def test_the_family_name_in_an_author(name: str, family: str) -> None:
    assert surname(name) == family


def test_author_year_forms() -> None:
    assert author_year(["Thapa R"], 2020) == "Thapa 2020"
    assert author_year(["Thapa R", "Lee JH"], 2020) == "Thapa and Lee 2020"
    assert author_year(["Thapa R", "Lee JH", "Ng K"], 2020) == "Thapa et al. 2020"
    assert author_year(["Thapa R"], None) == "Thapa n.d."
    assert author_year([], 2020) == ""


def test_same_citations_get_letters_by_title_and_hand_ones_stay() -> None:
    found = cite([
        Cited("b", "Second title", derived="Thapa 2020"),
        Cited("a", "First title", derived="Thapa 2020"),
        Cited("c", "Other", by_hand="Thapa 2020"),
        Cited("d", "Undated", derived="Lee n.d."),
        Cited("e", "Undated too", derived="Lee n.d."),
        Cited("f", "No record"),
    ])  # fmt: skip
    assert found == {"a": "Thapa 2020a", "b": "Thapa 2020b", "c": "Thapa 2020",
                     "d": "Lee n.d.-a", "e": "Lee n.d.-b", "f": "f"}  # fmt: skip


@pytest.fixture
def store(db_target: str) -> Store:
    made = init_review(db_target, "Citing", "ann")
    people = {
        "thapa-2020a": (["Thapa R", "Lee JH", "Ng K"], 2020, "Peer mentoring in schools"),
        "thapa-2020b": (["Thapa R", "Ali S", "Ng K"], 2020, "A mentoring trial"),
        "lee-2018": (["Lee JH", "Thapa R"], 2018, "Coaching"),
    }
    with made.transaction() as connection:
        owner = reviews_repo.reviewer_id(connection, "ann")
        for key, (authors, year, title) in people.items():
            rid = records_repo.insert_record(
                connection, Record(title=title, authors=authors, year=year)
            )
            for stage in Stage:  # included, so the documents count (counts follow screening)
                insert_decision(
                    connection, ScreeningDecision(rid, stage, Decision.INCLUDE, "ann"), owner
                )
            documents_repo.insert_document(connection, Document(key, title, record_id=rid))
        documents_repo.insert_document(
            connection,
            Document("report-2019", "A report", citation="Report: Smith J. Report. 2019."),
        )
        documents_repo.insert_document(
            connection, Document("protocol", "Our protocol", included=False)
        )
    return made


def _cited(store: Store) -> dict[str, tuple[str, int | None]]:
    return {r.key: (r.citation, r.reference) for r in citations.citation_rows(store)}


def test_citations_come_from_records_unless_set_by_hand(store: Store) -> None:
    assert _cited(store) == {
        "lee-2018": ("Lee and Thapa 2018", None),
        "protocol": ("protocol", None),
        "report-2019": ("Smith 2019", None),
        "thapa-2020a": ("Thapa et al. 2020b", None),  # "Peer mentoring..." after "A mentoring..."
        "thapa-2020b": ("Thapa et al. 2020a", None),
    }
    citations.set_citation(store, "protocol", "ann", cite_as="Protocol 2024")
    citations.set_citation(store, "protocol", "ann", cite_as="")  # derived again
    assert _cited(store)["protocol"] == ("protocol", None)
    with pytest.raises(NotFound):
        citations.set_citation(store, "nope", "ann", reference=1)


def test_reference_numbers_are_unique_and_numbered_in_citation_order(store: Store) -> None:
    citations.set_citation(store, "lee-2018", "ann", reference=12)
    with pytest.raises(InvalidInput, match="reference 12 is document 'lee-2018's"):
        citations.set_citation(store, "report-2019", "ann", reference=12)
    citations.set_citation(store, "protocol", "ann", reference=2)
    with pytest.raises(InvalidInput, match="held by 'protocol'"):
        citations.number_references(store, "ann")
    citations.set_citation(store, "protocol", "ann", clear_reference=True)
    numbered = citations.number_references(store, "ann", start=1)
    assert [(r.key, r.reference) for r in numbered] == [
        ("lee-2018", 1), ("report-2019", 2), ("thapa-2020b", 3), ("thapa-2020a", 4),
    ]  # fmt: skip
    with store.reading() as connection:
        event = list_events(connection)[0]
    assert event.action == "documents.numbered"
    assert event.detail["numbers"]["lee-2018"] == {"from": 12, "to": 1}


def test_tables_print_citation_and_number(store: Store) -> None:
    citations.set_citation(store, "thapa-2020a", "ann", cite_as="Thapa et al. 2020", reference=12)
    table = render_report(store, "review", "html").content
    assert isinstance(table, str)
    assert "Thapa et al. 2020 [12]" in table


def test_cite_command(store: Store) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["--db", store.target, "cite", "lee-2018", "--as", "Lee 2018",
                              "--reference", "5", "--json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == [
        {"key": "lee-2018", "citation": "Lee 2018", "by_hand": True, "reference": 5,
         "included": True, "title": "Coaching"}
    ]  # fmt: skip
    listing = runner.invoke(cli, ["--db", store.target, "cite"]).output
    assert "Lee 2018" in listing and "(derived)" in listing


# --- middle-range theories ---------------------------------------------------------------------


@pytest.fixture
def theory_store(demo_store: Store) -> Store:
    return demo_store


def test_a_middle_range_theory_is_added_linked_and_shown(theory_store: Store) -> None:
    store = theory_store
    made = middle_range.set_middle_range_theory(
        store, "self-efficacy", "jm", name="Self-efficacy theory",
        references=["Bandura 1977", "93"], link=["4", "N2"],
    )  # fmt: skip
    assert made.configurations == ("4", "N2")
    assert "Self-efficacy theory" in [t.name for t in show_theory(store, "4").middle_range_theories]
    assert show_theory(store, "4").as_json()["middle_range_theories"][-1] == {
        "key": "self-efficacy", "name": "Self-efficacy theory"}  # fmt: skip
    tables = render_report(store, "cmo-tables", "csv").content
    assert isinstance(tables, str) and "Self-efficacy theory" in tables
    changed = middle_range.set_middle_range_theory(
        store, "self-efficacy", "jm", description="Belief in being able to succeed", unlink=["N2"]
    )
    assert changed.configurations == ("4",) and changed.theory.references == ["Bandura 1977", "93"]
    assert middle_range.remove_middle_range_theory(store, "self-efficacy", "jm") == ["4"]
    assert "Self-efficacy theory" not in [
        t.name for t in show_theory(store, "4").middle_range_theories
    ]
    with store.reading() as connection:
        actions = [e.action for e in list_events(connection, limit=3)]
    assert actions == ["theory.mrt_removed", "theory.mrt_changed", "theory.mrt_added"]


def test_a_middle_range_theory_needs_a_name_and_known_configurations(
    theory_store: Store,
) -> None:
    with pytest.raises(InvalidInput, match="needs a --name"):
        middle_range.set_middle_range_theory(theory_store, "new-one", "jm")
    with pytest.raises(NotFound, match="no configuration 'Z9'"):
        middle_range.set_middle_range_theory(theory_store, "new-one", "jm", name="N", link=["Z9"])
    assert all(t.theory.key != "new-one" for t in
               middle_range.list_middle_range_theories(theory_store))  # fmt: skip
    with pytest.raises(InvalidInput, match="a theory's key"):
        middle_range.set_middle_range_theory(theory_store, "two words", "jm", name="N")


def test_mrt_command_lists_and_changes(theory_store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    listed = json.loads(runner.invoke(cli, ["--db", theory_store.target, "mrt", "--json"]).output)
    comparison = next(t for t in listed if t["key"] == "social-comparison")
    assert comparison["references"] == ["40"] and "14" in comparison["configurations"]
    out = runner.invoke(cli, ["--db", theory_store.target, "mrt", "social-comparison",
                              "--unlink", "14", "--json"])  # fmt: skip
    assert "14" not in json.loads(out.output)[0]["configurations"]
