"""The model says what the evidence says (issue 10, section 3): untested, awaiting a
verdict, supported, refined and not supported kept apart in every output; contradictory
verdict flags refused; C, M and O shown; opposite stances flagged for reconciliation.
Through the CLI, on SQLite and (with REALIST_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from realist.cli import cli
from realist.domain.review import Reviewer, ReviewerRole
from realist.reports.rameses import assess
from realist.services.reporting import gather, render_report
from realist.services.reviews import init_review
from realist.store import Store
from realist.store import reviews as reviews_repo

TEXT = (
    "Community health workers visited each household monthly. Patients who trusted the "
    "worker measured their blood pressure at home. In villages without a clinic the visits "
    "did not change adherence. Two coders read this sentence differently.\n"
)


def run(target: str, *args: str, ok: bool = True) -> str:
    result = CliRunner().invoke(cli, ["--db", target, *args], catch_exceptions=False)
    assert (result.exit_code == 0) is ok, result.output
    return result.output


def refused(target: str, *args: str) -> str:
    """Run a command that must fail; its message (a usage error or a RealistError)."""
    result = CliRunner().invoke(cli, ["--db", target, *args])
    assert result.exit_code != 0, result.output
    return result.output + (str(result.exception) if result.exception else "")


@pytest.fixture
def review(db_target: str, tmp_path: Path) -> Store:
    store = init_review(db_target, "CHW home visits", "ann")
    with store.transaction() as connection:
        reviews_repo.insert_reviewer(connection, Reviewer("ben", "Ben", ReviewerRole.REVIEWER))
    text = tmp_path / "trial.txt"
    text.write_text(TEXT)
    run(db_target, "topic", "adherence", "--name", "Adherence")
    run(db_target, "attach", str(text), "--key", "trial")
    for n, quote in enumerate(
        ["measured their blood pressure at home", "did not change adherence",
         "read this sentence differently"], start=1,
    ):  # fmt: skip
        run(db_target, "excerpt", "trial", "--quote", quote, "--rigour", "high")
        assert n
    run(db_target, "configuration", "T1", "--topic", "adherence", "--initial",
        "--title", "Trust", "--context", "trusted worker", "--mechanism", "reasoning: confidence",
        "--outcome", "home monitoring")  # fmt: skip
    run(db_target, "configuration", "T2", "--topic", "adherence", "--initial", "--title", "Access")
    run(db_target, "configuration", "T3", "--topic", "adherence", "--initial", "--title", "Idle")
    run(db_target, "configuration", "T4", "--topic", "adherence", "--initial", "--title", "Split")
    run(db_target, "code", "1", "T1")
    run(db_target, "code", "2", "T2", "--stance", "refutes")
    run(db_target, "--reviewer", "ann", "code", "3", "T4", "--stance", "supports")
    run(db_target, "--reviewer", "ben", "code", "3", "T4", "--stance", "refutes")
    return store


def test_each_standing_reads_as_itself_everywhere(review: Store) -> None:
    target = review.target
    run(target, "verdict", "T1", "--confirm", "--rationale", "one high-rigour excerpt")
    run(target, "verdict", "T2", "--confirm", "--rationale", "refuted in villages")
    model = json.loads(run(target, "model", "--format", "json"))
    entries = {c["identifier"]: c for t in model["topics"] for c in t["configurations"]}
    assert entries["T1"]["status"] == "supported: 1 supporting excerpt"
    assert entries["T2"]["status"] == "not supported: 1 refuting excerpt"
    assert entries["T3"]["status"] == "untested: no evidence coded"
    assert entries["T4"]["standing"] == "awaiting_verdict"
    assert {e["style"] for k, e in entries.items() if k != "T1"} == {"struck"}
    text = run(target, "model", "--format", "text")
    assert "[no evidence]" not in text and "not supported: 1 refuting excerpt" in text
    # C, M and O are shown even without a statement; the mechanism keeps its kind.
    assert entries["T1"]["contexts"] == ["trusted worker"]
    assert entries["T1"]["mechanisms"] == ["reasoning: confidence"]
    for fmt in ("html", "md"):
        shown = render_report(review, "model", fmt).content
        assert isinstance(shown, str)
        assert "untested: no evidence coded" in shown and "trusted worker" in shown
        assert "not supported: 1 refuting excerpt" in shown
    # status counts standings, not verdicts: an untested configuration is not "not supported".
    status = json.loads(run(target, "status", "--json"))
    assert status["configurations"]["by_topic"]["adherence"]["by_standing"] == {
        "awaiting_verdict": 1, "not_supported": 1, "supported": 1, "untested": 1,
    }  # fmt: skip
    # RAMESES: only configurations judged supported can rest on a single excerpt.
    strengths = dict((i.number, a) for i, a in assess(gather(review)))[16]
    assert "Supported by a single excerpt: T1" in strengths.supplied
    assert "Untested (no evidence coded): T3" in strengths.supplied


def test_verdicts_need_evidence_and_one_choice(review: Store) -> None:
    target = review.target
    both = refused(target, "verdict", "T1", "--supported", "--not-supported", "--rationale", "x")
    assert "exactly one of" in both and "--supported and --not-supported" in both
    none = refused(target, "verdict", "T3", "--not-supported", "--rationale", "none")
    assert "no evidence coded: it is untested" in none
    run(target, "verdict", "T1", "--supported", "--rationale", "ok")
    run(target, "verdict", "T1", "--untested", "--rationale", "coded in error")
    assert json.loads(run(target, "theory", "T1", "--json"))["standing"] == "awaiting_verdict"


def test_opposite_stances_are_flagged_for_reconciliation(review: Store) -> None:
    target = review.target
    evidence = json.loads(run(target, "evidence", "T4", "--json"))["configurations"][0]
    assert evidence["to_reconcile"][0]["stances"] == {"refutes": ["ben"], "supports": ["ann"]}
    assert "Reconcile T4: excerpt 3: refutes (ben), supports (ann)" in run(target, "evidence", "T4")
    pooled = refused(target, "verdict", "T4", "--confirm", "--rationale", "pooled")
    assert "reconcile the codings first" in pooled
    findings = json.loads(run(target, "check", "--json"))
    kinds = {(f["kind"], f["subject"]) for f in findings}
    assert ("coding_conflict", "configuration:T4") in kinds
    assert ("no_evidence", "configuration:T3") in kinds
    # A reviewer who weighs both may still decide, with a rationale.
    run(target, "verdict", "T4", "--refined", "--rationale", "both readings hold in part")


def test_code_new_takes_a_statement_and_parses_mechanism_kinds(review: Store) -> None:
    target = review.target
    run(target, "code", "2", "N1", "--new", "--topic", "adherence",
        "--statement", "If no clinic is near, then visits matter less",
        "--context", "no clinic nearby", "--mechanism", "reasoning: visits feel optional",
        "--mechanism", "Resource:  monthly visit")  # fmt: skip
    item = json.loads(run(target, "theory", "N1", "--json"))
    assert item["statement"] == "If no clinic is near, then visits matter less"
    assert item["mechanisms"] == [
        {"text": "visits feel optional", "kind": "reasoning"},
        {"text": "monthly visit", "kind": "resource"},
    ]
    assert item["origin"] == "inductive" and item["partial"] is True
    assert "add --new" in refused(target, "code", "2", "T1", "--statement", "x")
