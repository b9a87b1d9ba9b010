"""The review question and its search strategy: concept blocks and, per source, the search
as run there, its limits and the date searched; every date a reviewer types is checked."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from realist.cli import cli, main
from realist.domain.dates import date_problem, parse_searched
from realist.domain.review import SourceKind
from realist.errors import InvalidInput, NotFound
from realist.services import imports
from realist.services import search_strategy as strategy
from realist.services.check import check_review
from realist.services.reporting import render_report
from realist.services.reviews import init_review
from realist.store import Store
from realist.store.events import list_events
from realist.store.schema import import_batch, source

TODAY = date(2026, 12, 3)
RIS = "TY  - JOUR\nAU  - Müller, Anna\nTI  - Mentoring new teachers\nPY  - {year}\nER  - \n\n"


@pytest.fixture
def store(db_target: str) -> Store:
    return init_review(db_target, "Mentoring new teachers: a realist review", "ann")


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and "Traceback" not in err
    return err


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-03-01", "2024-03", "2024-02-29", " 2020-03 "])
def test_a_date_or_a_month_is_a_searched_date(value: str) -> None:
    assert parse_searched(value, "--searched", TODAY) == value.strip()


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("yesterday", "not a date in that form"),
        ("31/12/2024", "not a date in that form"),
        ("2024-02-30", "no such day"),
        ("2023-02-29", "no such day"),
        ("20x0", "not a date in that form"),
        ("2024", "not a date in that form"),
        ("2024-13", "no month 13"),
        ("2027-01-01", "in the future"),
        ("2027-01", "in the future"),
        ("1850-01-01", "before 1900"),
    ],
)
def test_anything_else_is_refused_naming_field_value_and_form(value: str, why: str) -> None:
    with pytest.raises(ValueError) as refused:
        parse_searched(value, "--searched", TODAY)
    message = str(refused.value)
    assert message.startswith(f"--searched {value!r} is not accepted")
    assert why in message and "YYYY-MM-DD" in message and "YYYY-MM" in message


def test_nothing_given_is_no_date() -> None:
    assert parse_searched(None, "--searched") is None
    assert parse_searched("  ", "--searched") is None


@given(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
def test_every_real_past_day_is_accepted_as_written(day: date) -> None:
    assert date_problem(day.isoformat(), TODAY) == ""
    assert date_problem(day.isoformat()[:7], TODAY) == ""


@given(st.text(max_size=12))
def test_a_refused_value_is_never_stored_as_something_else(text: str) -> None:
    try:
        kept = parse_searched(text, "--searched", TODAY)
    except ValueError:
        return
    assert kept is None or kept == text.strip()


def test_import_refuses_a_bad_searched_date_before_reading(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "embase.ris"
    path.write_text(RIS.format(year=2020))
    for bad in ("yesterday", "31/12/2024", "2024-02-30"):
        with pytest.raises(InvalidInput, match=f"--searched '{bad}' is not accepted"):
            imports.import_file(store, path, searched=bad)
        err = _error(capsys, "--db", store.target, "import", str(path), "--searched", bad)
        assert f"--searched '{bad}'" in err and "YYYY-MM-DD" in err
    with store.reading() as connection:
        batches = connection.execute(sa.select(sa.func.count()).select_from(import_batch))
        assert batches.scalar() == 0
    done = imports.import_file(store, path, source_name="Embase", searched="2024-03-01")
    assert done.imported == 1
    assert strategy.source_summaries(store)[0].source.searched == "2024-03-01"


def test_a_year_that_is_not_one_is_a_problem_not_a_silent_null(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "bad-year.ris"
    path.write_text(RIS.format(year="20x0") + RIS.format(year=2019))
    done = imports.import_file(store, path)
    assert done.imported == 2  # the record is kept, its year empty, and that is said
    assert [(p.line, p.reason) for p in done.problems] == [
        (1, "year '20x0' holds no year from 1500 to 2099; left empty")
    ]


def test_check_reports_dates_stored_before_they_were_checked(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "x.ris"
    path.write_text(RIS.format(year=2020))
    imports.import_file(store, path, source_name="Scopus")
    with store.transaction() as connection:  # as an earlier Realist stored them
        connection.execute(source.update().values(searched="yesterday"))
        connection.execute(import_batch.update().values(searched="31/12/2024"))
    found = [f for f in check_review(store) if f.kind == "date"]
    assert [f.subject for f in found] == ["source:Scopus", "batch:1"]
    assert "'yesterday' is not a date" in found[0].message
    assert "--searched YYYY-MM-DD" in found[0].message
    assert "'31/12/2024' is not a date" in found[1].message
    strategy.set_source(store, "Scopus", "ann", searched="2024-03")
    assert [f.subject for f in check_review(store) if f.kind == "date"] == ["batch:1"]


# --- the question ----------------------------------------------------------------------------


def test_the_question_is_set_shown_and_recorded(store: Store) -> None:
    changed = strategy.set_review(store, "ann", question="  What works, for whom?  ")
    assert changed.question == "What works, for whom?"
    assert "Question: What works, for whom?" in _run("--db", store.target, "status")
    assert json.loads(_run("--db", store.target, "review", "--json")) == {
        "title": "Mentoring new teachers: a realist review",
        "question": "What works, for whom?",
    }
    _run("--db", store.target, "review", "--title", "Mentoring: a realist review")
    with store.reading() as connection:
        events = [e for e in list_events(connection) if e.action == "review.changed"]
    assert events[0].detail == {
        "title": {"from": "Mentoring new teachers: a realist review",
                  "to": "Mentoring: a realist review"}
    }  # fmt: skip
    assert events[1].detail["question"] == {"from": "", "to": "What works, for whom?"}
    with pytest.raises(InvalidInput):
        strategy.set_review(store, "ann", title="  ")


def test_init_takes_the_question(tmp_path: Path) -> None:
    target = str(tmp_path / "q.realist")
    _run("--db", target, "--reviewer", "ann", "init", "--title", "T", "--question", "Why?")
    assert json.loads(_run("--db", target, "status", "--json"))["question"] == "Why?"


# --- concept blocks and sources --------------------------------------------------------------


def test_concept_blocks_make_the_boolean_search(store: Store) -> None:
    strategy.set_concept_block(store, "Population", "ann", terms=["teacher*", "newly qualified"])
    strategy.set_concept_block(store, "Mentoring", "ann", terms=["mentor*", " ", "coach*"])
    strategy.set_concept_block(store, "Population", "ann", add=["early career"],
                               drop=["teacher*"], position=2)  # fmt: skip
    _, search = strategy.search_strategy(store)
    assert [b.name for b in search.concept_blocks] == ["Mentoring", "Population"]
    assert search.query() == '(mentor* OR coach*) AND ("newly qualified" OR "early career")'
    with pytest.raises(InvalidInput, match="has no term 'nope'"):
        strategy.set_concept_block(store, "Population", "ann", drop=["nope"])
    with pytest.raises(InvalidInput, match="already a concept block"):
        strategy.set_concept_block(store, "Population", "ann", rename="Mentoring")
    strategy.remove_concept_block(store, "Mentoring", "ann")
    _, search = strategy.search_strategy(store)
    assert [(b.name, b.position) for b in search.concept_blocks] == [("Population", 0)]
    with pytest.raises(NotFound):
        strategy.remove_concept_block(store, "Mentoring", "ann")
    with store.reading() as connection:
        actions = [e.action for e in reversed(list_events(connection))]
    assert actions.count("search.block_added") == 2
    assert "search.block_changed" in actions and actions[-1] == "search.block_removed"


def test_a_source_keeps_its_search_string_limits_and_date(store: Store) -> None:
    out = _run("--db", store.target, "source", "Embase (Ovid)", "--kind", "database",
               "--search-string", "exp teacher/ AND mentor*.ti,ab.",
               "--limits", "English; 2000-2024", "--searched", "2024-03-01", "--json")  # fmt: skip
    assert json.loads(out) == {
        "name": "Embase (Ovid)", "kind": "database", "searched": "2024-03-01",
        "search_string": "exp teacher/ AND mentor*.ti,ab.", "limits": "English; 2000-2024",
        "note": "",
    }  # fmt: skip
    strategy.set_source(store, "Embase (Ovid)", "ann", note="via Ovid")  # the rest stays
    listed = json.loads(_run("--db", store.target, "sources", "--json"))
    assert listed == [{
        "name": "Embase (Ovid)", "kind": "database", "searched": "2024-03-01",
        "search_string": "exp teacher/ AND mentor*.ti,ab.", "limits": "English; 2000-2024",
        "note": "via Ovid", "batches": 0, "records": 0,
    }]  # fmt: skip
    strategy.set_source(store, "Embase (Ovid)", "ann", searched="")  # '' clears the date
    assert strategy.source_summaries(store)[0].source.searched is None
    with pytest.raises(InvalidInput, match="--searched 'yesterday'"):
        strategy.set_source(store, "Embase (Ovid)", "ann", searched="yesterday")
    assert strategy.source_summaries(store)[0].source.note == "via Ovid"


def test_a_source_with_imports_stays(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "scopus.ris"
    path.write_text(RIS.format(year=2020))
    imports.import_file(store, path, source_name="Scopus")
    with pytest.raises(InvalidInput, match="has 1 import batch"):
        strategy.remove_source(store, "Scopus", "ann")
    strategy.set_source(store, "Scopus", "ann", rename="Scopus (Elsevier)")
    assert strategy.source_summaries(store)[0].records == 1
    strategy.set_source(store, "Hand search", "ann", kind=SourceKind.OTHER)
    strategy.remove_source(store, "Hand search", "ann")
    assert [s.source.name for s in strategy.source_summaries(store)] == ["Scopus (Elsevier)"]


def test_rameses_item_8_and_the_review_report_show_each_source(store: Store) -> None:
    strategy.set_concept_block(store, "Mentoring", "ann", terms=["mentor*"])
    strategy.set_source(store, "ERIC", "ann", search_string="mentor* AND teacher*",
                        limits="English; 2000-2024", searched="2024-03")  # fmt: skip
    strategy.set_review(store, "ann", question="What works in mentoring?")
    rameses = render_report(store, "rameses", "md").content
    assert isinstance(rameses, str)
    assert "ERIC (database): searched 2024-03; limits: English; 2000-2024" in rameses
    assert "search as run: mentor\\* AND teacher\\*" in rameses  # Markdown escapes *
    assert "What works in mentoring?" in rameses  # item 4
    whole = render_report(store, "review", "html").content
    assert isinstance(whole, str)
    assert "mentor* AND teacher*" in whole and "limits: English; 2000-2024" in whole


def test_strategy_prints_blocks_query_and_sources(store: Store) -> None:
    strategy.set_concept_block(store, "Mentoring", "ann", terms=["mentor*", "coach*"])
    strategy.set_source(store, "ERIC", "ann", search_string="mentor*", searched="2024-03-01")
    data = json.loads(_run("--db", store.target, "strategy", "--json"))
    assert list(data) == ["question", "concept_blocks", "query", "last_search", "sources"]
    assert data["query"] == "(mentor* OR coach*)"
    assert data["sources"][0]["search_string"] == "mentor*"
    text = _run("--db", store.target, "strategy")
    assert "Search: (mentor* OR coach*)" in text and "ERIC (database), searched 2024-03-01" in text
