"""Title/abstract screening against the stopping rule, as `realist status` and the dashboard
show it: counts that add up, the rule's verdict, and no vote a reviewer may not yet see.
Real stores, SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from prioritising_kit import RELEVANT_IDS, TA, make_review
from realist.cli.app import cli
from realist.domain.screening import Decision, ScreeningMode
from realist.errors import InvalidInput
from realist.services import screening
from realist.services.reviews import review_status
from realist.services.screening_progress import stopping_progress

INC, EXC = Decision.INCLUDE, Decision.EXCLUDE


def test_progress_counts_the_records_screened_in_order(db_target: str, tmp_path: Path) -> None:
    store = make_review(db_target, tmp_path)  # 15 records, 6, 11 and 15 relevant
    assert stopping_progress(store, None).verdict.screened == 0
    order = [6, 1, 11, 2, 3]
    for record_id in order:
        decision = INC if record_id in RELEVANT_IDS else EXC
        screening.screen(store, record_id, TA, decision, "ann")
    screening.screen(store, 4, TA, Decision.MAYBE, "ann")  # a maybe counts as relevant
    progress = stopping_progress(store, None)
    assert progress.found == [1, 1, 2, 2, 2, 3]
    v = progress.verdict
    assert (v.screened, v.total, v.relevant_found, v.since_last_relevant) == (6, 15, 3, 0)
    assert not v.may_stop and "Not yet" in v.statement
    shown = review_status(store, problems=False).stopping
    assert shown["screened"] == 6 and shown["relevant_found"] == 3 and shown["may_stop"] is False
    for record_id in range(1, 16):  # the rest, all excluded: every record screened
        if record_id not in order and record_id != 4:
            screening.screen(store, record_id, TA, EXC, "ann")
    done = stopping_progress(store, None).verdict
    assert done.may_stop and done.screened == done.total == 15
    assert done.statement == "Every record has been screened."
    store.close()


def test_in_dual_screening_a_reviewer_sees_only_what_is_not_blind_to_them(
    db_target: str, tmp_path: Path
) -> None:
    store = make_review(db_target, tmp_path)
    screening.set_screening_mode(store, ScreeningMode.DUAL, "ann")
    for record_id in (6, 11, 15):
        screening.screen(store, record_id, TA, INC, "bob")  # bob's votes, blind to ann
    screening.screen(store, 1, TA, EXC, "ann")
    ann = stopping_progress(store, "ann")
    assert ann.whose == "ann" and ann.found == [0] and ann.verdict.relevant_found == 0
    bob = stopping_progress(store, "bob")
    assert bob.verdict.screened == 3 and bob.verdict.relevant_found == 3
    screening.screen(store, 6, TA, INC, "ann")  # now both votes on 6 are in
    assert stopping_progress(store, "ann").found == [0, 1]
    store.close()


def test_the_rules_settings_are_checked(
    db_target: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = make_review(db_target, tmp_path)
    monkeypatch.setenv("REALIST_STOPPING_TARGET_RECALL", "0.8")
    assert stopping_progress(store, None).verdict.settings.target_recall == 0.8
    monkeypatch.setenv("REALIST_STOPPING_CONFIDENCE", "1.5")
    with pytest.raises(InvalidInput, match="confidence must be between 0 and 1"):
        stopping_progress(store, None)
    monkeypatch.setenv("REALIST_STOPPING_CONFIDENCE", "high")
    with pytest.raises(InvalidInput, match="REALIST_STOPPING_CONFIDENCE must be a number"):
        stopping_progress(store, None)
    store.close()


def test_status_says_where_screening_stands_against_the_rule(
    db_target: str, tmp_path: Path
) -> None:
    store = make_review(db_target, tmp_path)
    for record_id in (6, 1, 2):
        screening.screen(store, record_id, TA, INC if record_id == 6 else EXC, "ann")
    store.close()
    result = CliRunner().invoke(cli, ["--db", db_target, "status"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "Stopping rule (title and abstract): 1 relevant found in 3 of 15 screened." in (
        result.output
    )
    assert "2 records screened since the last relevant one (a count, not a stopping rule)" in (
        result.output
    )
