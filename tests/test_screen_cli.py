"""The terminal screening loop and the screening commands, driven by keys."""

from __future__ import annotations

import json

from click.testing import CliRunner
from rich.text import Text

from realist.cli import cli
from realist.cli.screen_commands import highlighted
from realist.domain.records import Record
from realist.domain.review import Reviewer
from realist.domain.screening import CriterionKind, Stage
from realist.services import screening
from realist.services.reviews import init_review
from realist.store import open_store
from realist.store import records as records_repo
from realist.store import reviews as reviews_repo


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
    assert "Resolved record 1" in invoke(
        db_target, "conflicts", "--resolve", "1", "--decide", "include"
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
