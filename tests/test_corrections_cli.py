"""Correcting a review from the terminal: rename, change, retire, delete, uncode and the
lists they take numbers from. The rules themselves are tested on the services
(test_corrections_records.py, test_corrections_analysis.py); here, that each command
reaches them and says what it did, or why not in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli, main


def run(target: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def refused(capsys: pytest.CaptureFixture[str], target: str, *args: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        main(["--db", target, *args])
    assert stopped.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    return err


RIS = (
    "TY  - JOUR\nAU  - Thapa, B\nTI  - Peer support in Nepal\nPY  - 2020\nDO  - 10.1/a\n"
    "AB  - Mothers.\nER  - \n\nTY  - JOUR\nAU  - Smith, C\nTI  - Doulas\nPY  - 2019\n"
    "DO  - 10.1/b\nAB  - Doulas.\nER  - \n\n"
)


@pytest.fixture
def target(db_target: str, tmp_path: Path) -> str:
    run(db_target, "init", "--title", "Corrections")
    search = tmp_path / "scopsu.ris"
    search.write_text(RIS, encoding="utf-8")
    run(db_target, "import", str(search), "--source", "Scopsu")
    paper = tmp_path / "paper.txt"
    paper.write_text("Mothers said peer support helped them feel heard.", encoding="utf-8")
    run(db_target, "attach", str(paper), "--key", "thapa2020", "--record", "1")
    run(db_target, "topic", "take_up", "--name", "Take-up")
    run(db_target, "configuration", "1", "--topic", "take_up", "--context", "a mother")
    run(db_target, "excerpt", "thapa2020", "--quote", "peer support helped")
    run(db_target, "code", "1", "1")
    return db_target


def test_the_groups_list_what_they_correct() -> None:
    for group in ("rename", "change", "retire", "delete"):
        result = CliRunner().invoke(cli, [group, "--help"])
        assert result.exit_code == 0 and "Examples:" in result.output
        for name in cli.commands[group].list_commands(None):  # type: ignore[attr-defined]
            sub = CliRunner().invoke(cli, [group, name, "--help"])
            assert "Examples:\n    realist" in sub.output, (group, name)
    assert "batch          with its records" in CliRunner().invoke(cli, ["delete", "--help"]).output


def test_a_batch_is_listed_moved_and_refused_while_a_document_uses_it(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (batch,) = json.loads(run(target, "batches", "--json"))
    assert list(batch) == [
        "id", "file", "source", "source_kind", "format", "searched", "records", "problems",
        "imported_at", "imported_by",
    ]  # fmt: skip
    assert (batch["file"], batch["source"], batch["records"]) == ("scopsu.ris", "Scopsu", 2)
    out = run(target, "change", "batch", "1", "--source", "Scopus")
    assert "is in Scopus (database); the old source had nothing else and was removed" in out
    err = refused(capsys, target, "delete", "batch", "1")
    assert "documents are attached to its records: thapa2020 (record 1)" in err
    run(target, "delete", "document", "thapa2020", "--force")
    out = run(target, "delete", "batch", "1")
    assert "Deleted batch 1 (scopsu.ris, Scopus): 2 records, 0 screening decisions" in out
    assert json.loads(run(target, "batches", "--json")) == []


def test_a_document_is_renamed_changed_and_deleted_with_force(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "Document thapa2020 is now thapa-2020." in run(
        target, "rename", "document", "thapa2020", "thapa-2020"
    )
    assert "not a usable document key" in refused(
        capsys, target, "rename", "document", "thapa-2020", "../x"
    )
    out = run(
        target, "change", "document", "thapa-2020", "--type", "report", "--design", "qualitative"
    )
    assert "(report, qualitative)" in out
    err = refused(capsys, target, "delete", "document", "thapa-2020")
    assert "has 1 excerpt with 1 coding" in err and "--force" in err
    out = run(target, "delete", "document", "thapa-2020", "--force")
    assert "1 excerpt, 1 coding" in out
    assert json.loads(run(target, "documents", "--json")) == []


def test_an_excerpt_and_its_codings_are_corrected(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = run(target, "excerpt", "1", "--show")
    assert "[coding 1]" in shown
    out = run(
        target, "change", "coding", "1", "--stance", "refutes", "--role", "context", "--part", "1"
    )
    assert "Coding 1: 1 (context 1, refutes)" in out
    assert "has no context number 2" in refused(
        capsys, target, "change", "coding", "1", "--role", "context", "--part", "2"
    )
    run(target, "change", "excerpt", "1", "--label", "E1")
    assert "Removed coding 1." in run(target, "uncode", "1")
    assert "no coding 1" in refused(capsys, target, "uncode", "1")
    run(target, "code", "E1", "1")
    assert "Deleted excerpt E1 and 1 coding." in run(target, "delete", "excerpt", "E1")


def test_criteria_and_terms_are_removed_retired_and_replaced(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(target, "criteria", "--add", "E-POP", "--text", "Not perinatal")
    run(target, "criteria", "--add", "E-PPO", "--text", "Not perinatl")
    run(target, "screen", "--record", "2", "--decide", "exclude", "--reason", "E-PPO")
    assert "retire it, or move them" in refused(capsys, target, "criteria", "--remove", "E-PPO")
    run(target, "criteria", "--retire", "E-PPO")
    listed = json.loads(run(target, "criteria", "--json"))
    assert [(c["code"], c["retired"]) for c in listed] == [("E-POP", False), ("E-PPO", True)]
    assert "E-PPO" in run(target, "criteria") and "[retired]" in run(target, "criteria")
    run(target, "retire", "criterion", "E-PPO", "--undo")
    out = run(target, "criteria", "--remove", "E-PPO", "--replace-with", "E-POP")
    assert "E-PPO" not in out
    run(target, "change", "criterion", "E-POP", "--text", "Not about the perinatal period")
    run(target, "rename", "criterion", "E-POP", "E-PERI")
    assert "E-PERI (exclusion, other) Not about the perinatal period" in run(target, "criteria")
    run(target, "terms", "--include", "peer", "--exclude", "inpatient")
    out = run(target, "terms", "--remove", "inpatient")
    assert "exclusion: (none)" in out and "inclusion: peer" in out
    assert "Removed 1 highlight term." in run(target, "delete", "term", "peer")
    assert "'nurse' is not highlighted" in refused(capsys, target, "delete", "term", "nurse")


def test_topics_and_configurations_are_corrected(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(target, "topic", "harms", "--name", "Harms")
    run(
        target,
        "change",
        "topic",
        "harms",
        "--name",
        "Negative impact",
        "--negative",
        "--position",
        "1",
    )
    assert json.loads(run(target, "topics", "--json"))[0] == {
        "key": "harms", "name": "Negative impact", "position": 1, "negative": True,
        "configurations": 0,
    }  # fmt: skip
    err = refused(capsys, target, "delete", "topic", "take_up")
    assert "1 configuration: 1; move them" in err
    run(target, "rename", "configuration", "1", "C1")
    run(target, "delete", "topic", "take_up", "--move-to", "harms")
    assert "1. harms: Negative impact [harms] (1 configuration)" in run(target, "topics")
    assert "has 1 coding of 1 excerpt" in refused(capsys, target, "delete", "configuration", "C1")
    assert "and 1 coding." in run(target, "delete", "configuration", "C1", "--force")


def test_reviewers_are_added_renamed_retired_and_deleted(
    target: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(target, "reviewers", "--add", "ann", "--name", "Ann", "--role", "viewer")
    assert "ann" in out
    run(target, "change", "reviewer", "ann", "--name", "Ann Smith", "--role", "reviewer")
    run(target, "--reviewer", "ann", "excerpt", "thapa2020", "--quote", "mothers".capitalize())
    assert "retire them instead" in refused(capsys, target, "delete", "reviewer", "ann")
    run(target, "retire", "reviewer", "ann")
    people = {p["key"]: p for p in json.loads(run(target, "reviewers", "--json"))}
    assert people["ann"]["retired"] and people["ann"]["work"] == {"excerpts": 1}
    assert "is retired" in refused(capsys, target, "--reviewer", "ann", "uncode", "1")
    run(target, "reviewers", "--add", "zed")
    assert "Deleted reviewer zed." in run(target, "delete", "reviewer", "zed")
