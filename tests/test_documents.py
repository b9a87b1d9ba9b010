"""Full texts from the CLI: attach PDF and DOCX, code spans, edit a configuration, re-run
the model. Runs on SQLite and (with REALIST_TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from realist.cli import cli
from realist.services.reviews import init_review

FIXTURES = Path(__file__).parent / "fixtures" / "documents"


def run(target: str, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=not ok)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def jrun(target: str, *args: str) -> object:
    return json.loads(run(target, *args, "--json"))


def test_attach_code_edit_and_model(db_target: str, tmp_path: Path) -> None:
    init_review(db_target, "Peer support", "ann").close()
    run(db_target, "configuration", "T1", "--topic", "take_up", ok=False)  # no such topic yet
    run(db_target, "topic", "take_up", "--name", "Take-up")
    run(
        db_target,
        "configuration",
        "T1",
        "--topic",
        "take_up",
        "--initial",
        "--title",
        "Anonymity draws mothers to telephone support",
        "--context",
        "prefers anonymity",
        "--mechanism",
        "reasoning:feels safe",
        "--outcome",
        "takes up telephone support",
    )

    pdf = jrun(
        db_target,
        "attach",
        str(FIXTURES / "three_pages.pdf"),
        "--key",
        "pilot",
        "--design",
        "qualitative",
    )
    assert isinstance(pdf, dict) and pdf["pages"] == 3 and pdf["format"] == "pdf"
    docx = jrun(db_target, "attach", str(FIXTURES / "paragraphs.docx"), "--key", "notes")
    assert isinstance(docx, dict) and docx["format"] == "docx"
    shown = jrun(db_target, "document", "pilot")
    assert isinstance(shown, dict) and [p[0] for p in shown["pages"]] == [1, 2, 3]

    made = jrun(
        db_target, "excerpt", "pilot", "--quote", "Volunteers built trust", "--rigour", "moderate"
    )
    assert isinstance(made, dict) and made["text"] == "Volunteers built trust"
    page_two = shown["pages"][1]
    assert page_two[1] <= made["start"] < made["end"] <= page_two[2]
    jrun(db_target, "code", str(made["id"]), "T1", "--role", "mechanism", "--part", "1")
    second = jrun(db_target, "excerpt", "notes", "--quote", "prefer anonymity", "--rigour", "high")
    assert isinstance(second, dict)
    jrun(db_target, "code", str(second["id"]), "T1")

    theory = jrun(db_target, "theory", "T1")
    assert isinstance(theory, dict) and theory["evidence"]["excerpts"] == 2
    assert theory["model_style"] == "struck"  # initial and not yet tested
    run(db_target, "verdict", "T1", "--confirm", "--rationale", "two sources agree")
    model = (
        jrun(db_target, "model", "--format", "json")
        if False
        else json.loads(run(db_target, "model", "--format", "json"))
    )
    entry = model["topics"][0]["configurations"][0]
    assert entry["identifier"] == "T1" and entry["style"] == "normal" and entry["evidence"] == 2

    # Inductive configuration created from a coding: NEW, in capitals, once supported.
    run(
        db_target,
        "code",
        str(second["id"]),
        "T2",
        "--new",
        "--topic",
        "take_up",
        "--title",
        "Rural mothers value trust",
        "--context",
        "rural",
    )
    run(db_target, "verdict", "T2", "--supported", "--rationale", "found inductively")
    text = run(db_target, "model", "--format", "md")
    assert "RURAL MOTHERS VALUE TRUST" in text

    # Re-extraction: a new version; excerpts on the old one are reported if they moved.
    changed = tmp_path / "pilot-v2.txt"
    changed.write_text("A new first line.\n" + str(shown["pages"]), encoding="utf-8")
    again = jrun(db_target, "attach", str(changed), "--key", "pilot")
    assert isinstance(again, dict) and again["version"] == 2
    assert again["stale_excerpts"] == [str(made["id"])]
    assert "stale" not in run(db_target, "check")  # old excerpts still match their version


def test_bad_documents_are_refused_cleanly(db_target: str, tmp_path: Path) -> None:
    init_review(db_target, "t", "ann").close()
    for name in ("corrupt.pdf", "encrypted.pdf", "junk.bin", "empty.txt"):
        copy = tmp_path / name
        shutil.copy(FIXTURES / name, copy)
        result = CliRunner().invoke(cli, ["--db", db_target, "attach", str(copy)])
        assert result.exit_code != 0, name
    assert jrun(db_target, "documents") == []


def test_interventions_and_mmat(db_target: str, tmp_path: Path) -> None:
    init_review(db_target, "t", "ann").close()
    run(db_target, "attach", str(FIXTURES / "notes.md"), "--key", "notes")
    sheet = tmp_path / "interventions.csv"
    sheet.write_text(
        "number,name,documents,format,sessions,volunteers\n"
        "1,Mums Together,notes,group_in_person,8,true\n",
        encoding="utf-8",
    )
    assert "Imported 1" in run(db_target, "intervention", "--import", str(sheet))
    items = jrun(db_target, "interventions")
    assert isinstance(items, list)
    assert items[0]["attributes"] == {
        "format": "group_in_person",
        "sessions": 8,
        "volunteers": True,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("number,documents\n2,no-such-document\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", db_target, "intervention", "--import", str(bad)])
    assert result.exit_code != 0 and "bad.csv:2" in str(result.exception)
    run(
        db_target,
        "mmat",
        "notes",
        "--category",
        "qualitative",
        "--screening",
        "y,y",
        "--criteria",
        "y,y,n,y,?",
    )
    table = jrun(db_target, "mmat")
    assert isinstance(table, list) and table[0]["met"] == 3
    refused = CliRunner().invoke(
        cli,
        [
            "--db",
            db_target,
            "mmat",
            "notes",
            "--category",
            "qualitative",
            "--screening",
            "y,n",
            "--criteria",
            "y,y,y,y,y",
        ],
    )
    assert refused.exit_code != 0
