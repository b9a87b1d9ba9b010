"""Memos on configurations and on the review, with every earlier version kept."""

from __future__ import annotations

from realist.domain.theory import Memo
from realist.errors import InvalidInput
from realist.store import Store
from realist.store import memos as memos_repo
from realist.store import reviews as reviews_repo
from realist.store import theory as theory_repo
from realist.store.events import append_event


def memo_subject(configuration: str | None) -> str:
    """The subject key of a memo: one configuration's, or the review's."""
    return f"configuration:{configuration}" if configuration else "review"


def write_memo(store: Store, configuration: str | None, text: str, reviewer: str | None) -> Memo:
    """Write a new version of a memo; the previous versions stay readable."""
    if not text.strip():
        raise InvalidInput("a memo needs some text")
    subject = memo_subject(configuration)
    with store.transaction() as connection:
        if configuration:
            theory_repo.configuration_id(connection, configuration)  # NotFound if unknown
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        version = memos_repo.add_memo_version(connection, subject, text, who)
        append_event(connection, "memo.written", key, subject, {"version": version})
        return memos_repo.memo_history(connection, subject)[-1]


def memo_history(store: Store, configuration: str | None) -> list[Memo]:
    """Every version of a memo, oldest first."""
    with store.reading() as connection:
        return memos_repo.memo_history(connection, memo_subject(configuration))
