"""The `realist` command: output for people, stable JSON for programs, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli, main
from realist.store import Store

PG_URL = os.environ.get("REALIST_TEST_DATABASE_URL", "")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def run_json(*args: str) -> object:
    return json.loads(run(*args, "--json") if "--json" not in args else run(*args))


def test_every_command_has_an_example_in_its_help() -> None:
    assert "Examples:" in run("--help")
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert "Examples:\n    realist" in run(name, "--help"), name


def test_init_and_status(db_target: str) -> None:
    assert "Created review" in run("--db", db_target, "--reviewer", "jm", "init", "--title", "PS")
    status = run_json("--db", db_target, "status")
    assert isinstance(status, dict)
    assert status["title"] == "PS"
    assert status["records"] == {"total": 0, "duplicates": 0, "unique": 0}
    assert status["configurations"] == {"total": 0, "by_topic": {}}


def test_status_json_shape_is_stable(demo_store: Store) -> None:
    status = run_json("--db", demo_store.target, "status")
    assert isinstance(status, dict)
    assert list(status) == [
        "title", "is_demo", "citation", "licence", "records", "screening", "documents",
        "interventions", "configurations", "excerpts", "codings", "flow", "problems",
        "question", "stopping",
    ]  # fmt: skip
    assert status["question"].startswith("What is it (M) about")
    assert list(status["stopping"]) == [
        "stage", "order", "whose", "screened", "total", "relevant_found",
        "since_last_relevant", "target_recall", "confidence", "p_value", "may_stop",
        "statement", "caveat",
    ]  # fmt: skip
    assert status["stopping"]["screened"] == status["stopping"]["total"] == 29
    assert status["stopping"]["may_stop"] and status["stopping"]["relevant_found"] == 29
    assert status["documents"]["included"] == 29
    assert status["interventions"] == 22
    assert status["configurations"]["by_topic"]["take_up"]["total"] == 13
    # Records by where they stand (each in one outcome), and votes apart from them.
    assert status["screening"]["full_text"] == {
        "records": 29, "include": 29, "exclude": 0, "maybe": 0, "not_retrieved": 0,
        "awaiting_second": 0, "conflict": 0, "undecided": 0,
        "votes": {"jm": {"include": 29}}, "resolutions": 0, "blinded_votes": 0,
    }  # fmt: skip
    assert "CC BY 4.0" in status["licence"]


def test_theories_json(demo_store: Store) -> None:
    items = run_json("--db", demo_store.target, "theories", "--topic", "negative_impact")
    assert isinstance(items, list) and len(items) == 10
    assert list(items[0]) == [
        "identifier", "topic", "title", "statement", "contexts", "mechanisms", "outcomes",
        "origin", "partial", "verdict", "rationale", "model_style", "middle_range_theories",
        "interventions", "evidence", "source_note", "history", "standing", "status",
    ]  # fmt: skip
    assert sorted(i["model_style"] for i in items).count("struck") == 2
    # The two hypothesised configurations: not supported, on the one refuting excerpt the
    # demo codes (the paper's "no evidence for two further hypothesised" sentence).
    struck = [i for i in items if i["model_style"] == "struck"]
    assert {i["standing"] for i in struck} == {"not_supported"}
    assert {i["status"] for i in struck} == {"not supported: 1 refuting excerpt"}
    assert set(items[0]["evidence"]) == {"supports", "refutes", "refines", "excerpts"}


def test_theory_shows_one_configuration(demo_store: Store) -> None:
    text = run("--db", demo_store.target, "theory", "N1")
    assert "Configuration N1" in text and "Evidence:" in text
    item = run_json("--db", demo_store.target, "theory", "n1")
    assert isinstance(item, dict) and item["identifier"] == "N1"


def test_interventions_json(demo_store: Store) -> None:
    items = run_json("--db", demo_store.target, "interventions")
    assert isinstance(items, list) and len(items) == 22
    first = items[0]
    assert list(first) == ["number", "name", "attributes", "documents"]
    assert first["documents"][0] == {
        "key": "anderson-2013",
        "reference": 57,
        "title": first["documents"][0]["title"],
        "document_type": "peer_reviewed_article",
    }
    assert "Anderson" not in run("--db", demo_store.target, "interventions").split("\n")[0]


def test_demo_command_prints_summary_and_credit(tmp_path: Path) -> None:
    target = str(tmp_path / "d.realist")
    text = run("demo", "--db", target, "--no-serve")
    assert "Created the demo review" in text and "CC BY 4.0" in text
    assert "Opened the demo review" in run("demo", "--db", target, "--no-serve")


def errors_of(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    assert stopped.value.code != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def test_errors_are_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = errors_of(capsys, "--db", "mysql://x/y", "status")
    assert err.startswith("Error: unsupported database URL scheme 'mysql://' (use a file path")
    assert err.count("\n") == 1
    notes = tmp_path / "notes.txt"
    notes.write_text("not a review")
    assert "is not a Realist review" in errors_of(capsys, "--db", str(notes), "status")
    missing = str(tmp_path / "missing.realist")
    assert "realist init" in errors_of(capsys, "--db", missing, "status")
    assert errors_of(capsys, "--db", missing, "theory", "1").count("\n") == 1


def test_unknown_configuration_and_topic(
    demo_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "no configuration 'X9'" in errors_of(capsys, "--db", demo_store.target, "theory", "X9")
    err = errors_of(capsys, "--db", demo_store.target, "theories", "--topic", "nope")
    assert "take_up" in err


@pytest.mark.skipif(bool(PG_URL), reason="exercises a local file")
def test_console_script_end_to_end(tmp_path: Path) -> None:
    """The installed `realist` command, as a user runs it, in a fresh process."""
    target = str(tmp_path / "r.realist")
    done = subprocess.run(
        [sys.executable, "-m", "realist", "--db", target, "status"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and done.stderr.startswith("Error: no review at")
