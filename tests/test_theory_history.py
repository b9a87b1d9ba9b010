"""Editing a configuration keeps its history; memos keep their earlier versions."""

from __future__ import annotations

import pytest

from realist.domain.theory import Role
from realist.errors import InvalidInput, NotFound
from realist.services.memos import memo_history, write_memo
from realist.services.theories import edit_configuration, show_theory
from realist.store import Store
from realist.store.events import list_events


def test_editing_keeps_the_previous_version(demo_store: Store) -> None:
    before = show_theory(demo_store, "1")
    evidence = before.evidence
    after = edit_configuration(
        demo_store,
        "1",
        "sa",
        "sharper wording after second coder",
        statement="If a mother fears judgement, then she seeks peers, because peers accept.",
        set_parts={Role.CONTEXT: ["fear of judgement by family", "no peers nearby"]},
    )
    assert after.configuration.statement.startswith("If a mother fears judgement")
    assert [c.text for c in after.configuration.contexts] == [
        "fear of judgement by family",
        "no peers nearby",
    ]
    assert after.evidence == evidence  # codings survive a rewording
    assert len(after.history) == 1
    entry = after.history[0]
    assert entry.reviewer_key == "sa" and entry.why == "sharper wording after second coder"
    assert entry.snapshot["statement"] == before.configuration.statement
    assert entry.snapshot["contexts"] == [c.text for c in before.configuration.contexts]
    second = edit_configuration(demo_store, "1", None, "typo", title="Renamed")
    assert [v.version for v in second.history] == [1, 2]
    assert second.history[1].reviewer_key == "jm"  # no reviewer named: the owner acts
    with demo_store.reading() as connection:
        actions = [e.action for e in list_events(connection, subject="configuration:1")]
    assert actions == ["configuration.edited", "configuration.edited"]


def test_memos_keep_every_version(demo_store: Store) -> None:
    write_memo(demo_store, "N1", "First thoughts", "jm")
    latest = write_memo(demo_store, "N1", "Revised after team meeting", "cm")
    assert latest.version == 2
    history = memo_history(demo_store, "N1")
    assert [(m.text, m.reviewer_key) for m in history] == [
        ("First thoughts", "jm"),
        ("Revised after team meeting", "cm"),
    ]
    assert memo_history(demo_store, None) == []
    with pytest.raises(NotFound):
        write_memo(demo_store, "X99", "no such configuration", "jm")
    with pytest.raises(InvalidInput):
        write_memo(demo_store, "N1", "   ", "jm")
    with pytest.raises(NotFound, match="no reviewer 'zz'"):
        write_memo(demo_store, "N1", "who?", "zz")
