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
    """Write a new version of a memo; the previous versions stay readable. Memos are the
    team's shared notes: anyone who may edit adds a version (nothing is overwritten), and
    the event names the author of the version it follows when that was someone else."""
    if not text.strip():
        raise InvalidInput("a memo needs some text")
    subject = memo_subject(configuration)
    with store.transaction() as connection:
        if configuration:
            theory_repo.configuration_id(connection, configuration)  # NotFound if unknown
        key, who = reviews_repo.resolve_reviewer(connection, reviewer)
        earlier = memos_repo.memo_history(connection, subject)
        version = memos_repo.add_memo_version(connection, subject, text, who)
        detail: dict[str, object] = {"version": version}
        if earlier and earlier[-1].reviewer_key != key:
            detail["follows"] = {"version": earlier[-1].version, "of": earlier[-1].reviewer_key}
        append_event(connection, "memo.written", key, subject, detail)
        return memos_repo.memo_history(connection, subject)[-1]


def memo_history(store: Store, configuration: str | None) -> list[Memo]:
    """Every version of a memo, oldest first."""
    with store.reading() as connection:
        return memos_repo.memo_history(connection, memo_subject(configuration))
