"""Refining theory from the CLI: edits with history, memos, the verdict rule, coder
agreement and the framework matrix."""

from __future__ import annotations

import json

from click.testing import CliRunner

from realist.cli import cli
from realist.domain.agreement import coding_agreement
from realist.domain.review import Reviewer
from realist.services import coding
from realist.store import Store
from realist.store import reviews as reviews_repo


def run(target: str, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_edit_keeps_history_and_model_follows(demo_store: Store) -> None:
    db = demo_store.target
    run(
        db,
        "--reviewer",
        "sa",
        "edit",
        "N8",
        "--statement",
        "If support ends abruptly, then mothers feel abandoned, because the relationship mattered.",
        "--why",
        "clearer",
    )
    shown = json.loads(run(db, "theory", "N8", "--json"))
    assert shown["statement"].startswith("If support ends abruptly")
    assert shown["history"][0]["reviewer"] == "sa" and shown["history"][0]["why"] == "clearer"
    model = json.loads(run(db, "model", "--format", "json"))
    texts = [c["text"] for t in model["topics"] for c in t["configurations"]]
    assert any(t.startswith("If support ends abruptly") for t in texts)


def test_memo_and_verdict_rule(demo_store: Store) -> None:
    db = demo_store.target
    run(db, "memo", "N3", "--text", "first")
    history = json.loads(run(db, "--reviewer", "cm", "memo", "N3", "--text", "second", "--json"))
    assert [(m["version"], m["reviewer"], m["text"]) for m in history] == [
        (1, "jm", "first"),
        (2, "cm", "second"),
    ]
    assert "at least one supporting excerpt and" in run(db, "verdict-rule")
    out = run(db, "verdict-rule", "--min-support-rigour", "high")
    assert "of at least high rigour" in out
    evidence = json.loads(run(db, "evidence", "1", "--json"))
    assert evidence["configurations"][0]["proposed"] == "not_supported"  # nothing is appraised


def test_framework_matrix(demo_store: Store) -> None:
    data = json.loads(run(demo_store.target, "framework", "--json"))
    assert data["documents"] == ["mcleish-2023"]
    assert "N1" in data["configurations"]
    cell = next(c for c in data["cells"] if c["configuration"] == "N1")
    assert cell["excerpts"] and all(e["text"] for e in cell["excerpts"])


def test_coding_agreement_on_decisions_not_characters(demo_store: Store) -> None:
    with demo_store.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("zz", "Second coder"))
    # The second coder codes two demo excerpts: one to N1 as jm did, one to N1 that jm
    # linked elsewhere.
    excerpts = {e.label: e for e in (coding.get_excerpt(demo_store, f"E{n:03d}") for n in (1, 2))}
    jm_n1 = [
        e
        for e in (coding.get_excerpt(demo_store, f"E{n:03d}") for n in range(1, 62))
        if any(c.configuration_identifier == "N1" for c in e.codings)
    ]
    coding.code_excerpt(demo_store, jm_n1[0].label, "N1", "zz")
    other = next(label for label in excerpts if label not in {e.label for e in jm_n1})
    coding.code_excerpt(demo_store, other, "N1", "zz")
    report = {a.configuration: a for a in coding.coder_agreement(demo_store)}
    n1 = report["N1"]
    assert n1.coders == ("jm", "zz") and n1.excerpts == 61
    assert (n1.both, n1.only_first, n1.only_second) == (1, len(jm_n1) - 1, 1)
    assert n1.kappa is not None and 0 < n1.kappa < 1


def test_agreement_arithmetic() -> None:
    perfect = coding_agreement("C", ("a", "b"), {1, 2, 3, 4}, {1, 2}, {1, 2})
    assert perfect.percent == 100.0 and perfect.kappa == 1.0
    none_linked = coding_agreement("C", ("a", "b"), {1, 2}, set(), set())
    assert none_linked.percent == 100.0 and none_linked.kappa is None
