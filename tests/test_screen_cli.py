"""The terminal screening loop and the screening commands, driven by keys."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.text import Text

from realist.cli import cli
from realist.cli.screen_commands import highlighted
from realist.domain.records import Record
from realist.domain.review import Reviewer
from realist.domain.screening import CriterionKind, Stage
from realist.errors import NotAllowed
from realist.services import screening
from realist.services.reviews import init_review
from realist.store import open_store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo
from realist.store.events import list_events


def _review(target: str, n: int = 3) -> None:
    store = init_review(target, "t", "ann")
    with store.transaction() as connection:
        for i in range(n):
            records_repo.insert_record(
                connection,
                Record(title=f"Peer support study {i}", abstract="Volunteers in inpatient wards"),
            )
    screening.add_criterion(store, "E-SET", "setting", CriterionKind.EXCLUSION, "Inpatient", None)
    store.close()


def invoke(target: str, *args: str, keys: str = "") -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], input=keys, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_one_key_loop_saves_each_decision(db_target: str) -> None:
    _review(db_target)
    invoke(db_target, "terms", "--include", "peer", "--exclude", "inpatient")
    # include record 1, exclude record 2 with reason 1, undo it, maybe record 2, then quit.
    out = invoke(db_target, "screen", keys="ie1\num" + "q")
    assert "Record 1: include" in out
    assert "Record 2: exclude (E-SET)" in out
    assert "Undid record 2." in out
    assert "Record 2: maybe" in out
    assert "Saved. Bye." in out
    store = open_store(db_target)
    outcome = screening.next_record(store, Stage.TITLE_ABSTRACT, None)
    assert outcome.record is not None and outcome.record.id == 3
    assert outcome.progress.done == 2
    store.close()
    done = invoke(db_target, "screen", keys="e\n")  # exclusion reason optional at title stage
    assert "Record 3: exclude" in done and "Nothing left to screen" in done


def test_n_skips_a_record_for_now(db_target: str) -> None:
    _review(db_target)
    # skip record 1, include record 2, then record 3 is next; quit.
    out = invoke(db_target, "screen", keys="niq")
    assert "Record 2: include" in out and "Record 1:" not in out
    store = open_store(db_target)
    nxt = screening.next_record(store, Stage.TITLE_ABSTRACT, None, after=2)
    assert nxt.record is not None and nxt.record.id == 3
    store.close()


def test_full_text_exclusion_requires_a_reason(db_target: str) -> None:
    _review(db_target, n=1)
    invoke(db_target, "screen", "--record", "1", "--decide", "include")
    out = invoke(db_target, "screen", "--stage", "full-text", keys="e\n9\n1\n")
    assert "Choose one of the numbers above." in out
    assert "Record 1: exclude (E-SET)" in out


def test_dual_screening_commands(db_target: str) -> None:
    _review(db_target, n=1)
    invoke(db_target, "screening-mode", "dual")
    store = open_store(db_target)
    with store.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("bob", "Bob"))
        reviews_repo.insert_reviewer(connection, Reviewer("cat", "Cat"))
    store.close()
    invoke(db_target, "screen", "--record", "1", "--decide", "include")
    invoke(db_target, "--reviewer", "bob", "screen", "--record", "1", "--decide", "exclude")
    listed = json.loads(invoke(db_target, "conflicts", "--json"))
    assert listed == [
        {"record": 1, "title": "Peer support study 0",
         "decisions": {"ann": "include", "bob": "exclude"}}
    ]  # fmt: skip
    report = json.loads(invoke(db_target, "agreement", "--json"))
    assert report == [
        {"stage": "title_abstract", "reviewers": ["ann", "bob"], "records": 1,
         "percent": 0.0, "kappa": 0.0}
    ]  # fmt: skip
    # A party to the conflict (ann, the owner, voted) may not resolve it; cat may.
    refused = CliRunner().invoke(
        cli, ["--db", db_target, "conflicts", "--resolve", "1", "--decide", "include"]
    )
    assert isinstance(refused.exception, NotAllowed)  # main() prints it as one line
    assert "Resolved record 1" in invoke(
        db_target, "--reviewer", "cat", "conflicts", "--resolve", "1", "--decide", "include"
    )
    assert "No conflicts." in invoke(db_target, "conflicts")


def test_highlighting_marks_terms_with_wildcards() -> None:
    shown = highlighted("Peer volunteers and volunteering in inpatient care", {
        CriterionKind.INCLUSION: ["peer", "volunteer*"],
        CriterionKind.EXCLUSION: ["inpatient"],
    })  # fmt: skip
    marked = [(shown.plain[s.start : s.end], str(s.style)) for s in shown.spans]
    assert ("Peer", "bold green") in marked
    assert ("volunteers", "bold green") in marked and ("volunteering", "bold green") in marked
    assert ("inpatient", "bold red") in marked
    assert isinstance(shown, Text)


LONG_TITLE = "A realist synthesis of " + " ".join(f"title{i}" for i in range(40)) + " END"
LONG_ABSTRACT = " ".join(f"word{i}" for i in range(900)) + " ABSTRACT-END"


def _long_review(target: str) -> None:
    store = init_review(target, "t", "ann")
    with store.transaction() as connection:
        records_repo.insert_record(
            connection,
            Record(
                title=LONG_TITLE,
                abstract=LONG_ABSTRACT,
                authors=[f"Author{i} A" for i in range(5)],
                journal="Confl Health",
                year=2020,
            ),
        )
    store.close()


def _words(output: str) -> list[str]:
    # The card's frame (│ ╭ ─ …) is not text: keep the words inside it.
    return re.sub(r"[│╭╮╰╯─]", " ", output).split()


@pytest.mark.parametrize("columns", [80, 160])
def test_the_card_wraps_the_whole_record_at_the_terminal_width(
    db_target: str, columns: int
) -> None:
    _long_review(db_target)
    result = CliRunner().invoke(
        cli,
        ["--db", db_target, "screen"],
        input=" " * 40 + "q",  # page through to the end, then quit
        env={"COLUMNS": str(columns), "LINES": "30"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    words = _words(result.output)
    title = LONG_TITLE.split()
    start = words.index(title[0])
    assert words[start : start + len(title)] == title  # every word, in order, none cut
    abstract = LONG_ABSTRACT.split()
    first = words.index(abstract[0])
    shown = [w for w in words[first:] if w.startswith("word") or w == "ABSTRACT-END"]
    assert shown[: len(abstract)] == abstract
    assert "Confl Health 2020" in result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert sum("word" in line for line in lines) > 1  # wrapped, not one cut line


def test_a_record_longer_than_the_screen_is_paged(db_target: str) -> None:
    _long_review(db_target)
    env = {"COLUMNS": "80", "LINES": "24"}
    first = CliRunner().invoke(cli, ["--db", db_target, "screen"], input="q", env=env)
    assert first.exit_code == 0, first.output
    assert "ABSTRACT-END" not in first.output  # only the first screenful
    assert re.search(r"space more\s+\(1/\d\)", first.output)
    assert len(first.output.split("Saved. Bye.")[0].splitlines()) <= 24  # one screen
    paged = CliRunner().invoke(cli, ["--db", db_target, "screen"], input=" " * 40 + "i", env=env)
    assert "ABSTRACT-END" in paged.output
    assert "Record 1: include" in paged.output  # the keys still work after paging


def test_without_a_terminal_the_loop_says_how_to_decide(db_target: str) -> None:
    _review(db_target, n=1)
    # `printf n | realist screen`: a real process whose standard input is a pipe.
    done = subprocess.run(
        [sys.executable, "-m", "realist", "--db", db_target, "screen"],
        input="n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "realist screen --record N --decide include|exclude|maybe" in lines[0]
    assert done.stdout == ""


def test_markup_in_data_is_printed_as_it_is(db_target: str) -> None:
    """Criteria, terms and titles are data: rich markup in them is text, never a style or
    an error ("[/x]" would otherwise stop the command)."""
    store = init_review(db_target, "t", "ann")
    with store.transaction() as connection:
        records_repo.insert_record(connection, Record(title="A [/x] title [bold]B[/bold]"))
    # A code may not hold '/' (it is part of web addresses), so its markup is an opening tag.
    screening.add_criterion(
        store, "E-[bold]x", "[red]setting", CriterionKind.EXCLUSION, "Not [/] here", None
    )
    store.close()
    listed = invoke(db_target, "criteria")
    assert "E-[bold]x (exclusion, [red]setting) Not [/] here" in listed
    assert "[/y]" in invoke(db_target, "terms", "--include", "[/y]")
    out = invoke(db_target, "screen", keys="e1\n")
    assert "[red]setting: Not [/] here" in out and "Record 1: exclude (E-[bold]x)" in out


def test_full_text_card_says_whether_a_text_is_attached_and_r_records_not_retrieved(
    db_target: str, tmp_path: Path
) -> None:
    _review(db_target, n=2)
    for record in ("1", "2"):
        invoke(db_target, "screen", "--record", record, "--decide", "include")
    text = tmp_path / "study.md"
    text.write_text("# Study\n\nVolunteers visited weekly.\n")
    invoke(db_target, "attach", str(text), "--record", "2")
    out = invoke(db_target, "screen", "--stage", "full-text", keys="rq")
    assert "No full text attached." in out and "realist attach FILE --record 1" in out
    assert "r full text not retrieved" in out
    assert "Record 1: not_retrieved" in out
    assert "Full text: peer-support-study-1" in out  # record 2: its document, keyed by title
    again = invoke(db_target, "screen", "--stage", "full-text", "--record", "1",
                   "--decide", "include")  # fmt: skip
    assert "Record 1: include (changed from not_retrieved)" in again


def test_screening_mode_sets_and_shows_the_order(db_target: str) -> None:
    _review(db_target)
    shown = invoke(db_target, "screening-mode")
    assert "Screening mode: single" in shown
    assert "Order at title/abstract: prioritised" in shown
    assert "Order at full text: file order" in shown
    out = invoke(db_target, "screening-mode", "dual", "--order", "random", "--seed", "7")
    assert "Screening mode: dual" in out and "Order at title/abstract: random (seed 7)" in out
    invoke(db_target, "screening-mode", "--order", "prioritised", "--stage", "full-text")
    assert json.loads(invoke(db_target, "screening-mode", "--json")) == {
        "mode": "dual",
        "order": {
            "title_abstract": {"order": "random", "seed": 7},
            "full_text": {"order": "prioritised", "seed": None},
        },
    }
    refused = CliRunner().invoke(
        cli, ["--db", db_target, "screening-mode", "--order", "file", "--seed", "3"]
    )
    assert refused.exit_code == 2 and "--seed goes with --order random" in refused.output
    store = open_store(db_target)
    with store.reading() as connection:
        actions = [e.action for e in list_events(connection, limit=3)]
    store.close()
    assert actions == ["screening.order_set", "screening.order_set", "screening.mode_set"]


def test_the_card_says_why_this_record_comes(db_target: str) -> None:
    _review(db_target)
    out = invoke(db_target, "screen", keys="q")
    assert "Ranked by: prioritised — no model yet" in out and "file order" in out
    invoke(db_target, "terms", "--include", "inpatient")
    invoke(db_target, "screen", "--record", "1", "--decide", "include")
    invoke(db_target, "screen", "--record", "2", "--decide", "exclude")
    out = invoke(db_target, "screen", keys="q")
    assert "Ranked by: prioritised — a model trained on 1 include and 1 exclude" in out
    assert re.search(r"Score 0\.\d\d \(the model's score", out)
    invoke(db_target, "screening-mode", "--order", "file")
    assert "Ranked by: file order — the order the records were imported in" in invoke(
        db_target, "screen", keys="q"
    )
