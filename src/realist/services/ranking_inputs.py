"""What a ranking is made from, read from the store: the records' features (built once and
kept per process), and the decisions a queue may learn from.

Features are kept per store, keyed by what changes when the records change (how many stand,
and the latest event that changed them: an import, a merge, a deleted batch), so an edited,
merged or new record makes them be built again; row *i* is the *i*-th standing record by id.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain import ranking
from realist.domain.screening import CriterionKind, Outcome, ScreeningMode, Stage
from realist.domain.screening_order import ScreeningOrder
from realist.services.queue_reading import decisions, standing_ids
from realist.store import ranking as ranking_repo
from realist.store import reviews as reviews_repo
from realist.store import screening as screening_repo
from realist.store.batches import STANDING_COUNT, VISIBLE
from realist.store.ranking import OrderSetting
from realist.store.schema import concept_block
from realist.store.schema import record as record_table
from realist.store.schema import review as review_table
from realist.store.schema_analysis import event as event_table

IntArray = npt.NDArray[np.int64]

RECORD_CHANGES = (
    "records.imported",
    "batch.deleted",
    "duplicates.found",
    "duplicates.confirmed",
    "duplicates.unmerged",
    "duplicates.merged_by_hand",
    "qdpx.imported",
    "record.changed",
)
KEPT_FEATURES = 2  # stores whose features a process keeps (a server has one)

# --- features ------------------------------------------------------------------------------


def record_text(title: str, abstract: str, keywords: Iterable[str]) -> str:
    """A record's text as the model reads it: title, abstract and keywords."""
    return f"{title}\n{abstract}\n{'; '.join(keywords)}"


@dataclass(frozen=True)
class FeatureSet:
    """Features of the standing records, row *i* being record ``ids[i]`` (ascending)."""

    key: tuple[int, int]
    ids: IntArray
    features: ranking.Features

    def rows(self, record_ids: IntArray) -> IntArray:
        """The row of each record, -1 for a record without one."""
        found = np.searchsorted(self.ids, record_ids)
        found = np.minimum(found, max(len(self.ids) - 1, 0))
        hit = (self.ids[found] == record_ids) if len(self.ids) else np.zeros(len(record_ids), bool)
        return np.where(hit, found, -1).astype(np.int64)


_features: OrderedDict[str, FeatureSet] = OrderedDict()
_features_lock = threading.Lock()  # one build at a time: a build is seconds on a big review

_STANDING_TEXTS = sa.select(
    record_table.c.id, record_table.c.title, record_table.c.abstract, record_table.c.keywords
).where(record_table.c.duplicate_of.is_(None), VISIBLE)
_RECORDS_CHANGED = sa.select(sa.func.max(event_table.c.id)).where(
    event_table.c.action.in_(RECORD_CHANGES)
)
LATEST_EVENT = sa.select(sa.func.max(event_table.c.id))


def _records_key(connection: Connection) -> tuple[int, int]:
    """What the features depend on: how many records stand, and the latest event that
    changed records (an import, a merge, a deleted batch). Two cheap indexed reads."""
    standing = int(connection.execute(STANDING_COUNT).scalar() or 0)
    return standing, int(connection.execute(_RECORDS_CHANGED).scalar() or 0)


def features_for(store_key: str, connection: Connection) -> FeatureSet:
    """The store's features as of this connection's snapshot: kept, or built now."""
    with _features_lock:
        key = _records_key(connection)
        kept = _features.get(store_key)
        if kept is not None and kept.key == key:
            _features.move_to_end(store_key)
            return kept
        ids: list[int] = []
        texts: list[str] = []
        for row in connection.execute(_STANDING_TEXTS.order_by(record_table.c.id)):
            ids.append(int(row.id))
            texts.append(record_text(row.title, row.abstract, row.keywords or []))
        built = FeatureSet(key, np.asarray(ids, dtype=np.int64), ranking.build_features(texts))
        _features[store_key] = built
        _features.move_to_end(store_key)
        while len(_features) > KEPT_FEATURES:
            _features.popitem(last=False)
        return built


@dataclass(frozen=True)
class Reading:
    """What a refit reads, in one snapshot."""

    mode: ScreeningMode
    setting: OrderSetting
    through_event: int
    standing: IntArray
    eligible: IntArray
    decisions: list[Any]
    features: FeatureSet | None
    query: str


def read(store_key: str, connection: Connection, stage: Stage) -> Reading:
    setting = ranking_repo.get_orders(connection)[stage]
    mode = ScreeningMode(connection.execute(sa.select(review_table.c.screening_mode)).scalar_one())
    standing = standing_ids(connection)
    eligible = standing
    if stage is Stage.FULL_TEXT:
        passed = screening_repo.settled_query(Stage.TITLE_ABSTRACT, mode)
        wanted = {Outcome.INCLUDED.value, Outcome.MAYBE.value}  # as screening.GOES_TO_FULL_TEXT
        rows: list[Any] = list(connection.execute(passed).all())
        through = [int(r[0]) for r in rows if r[1] in wanted]
        eligible = np.intersect1d(standing, np.asarray(through, dtype=np.int64))
    prioritised = setting.order is ScreeningOrder.PRIORITISED
    return Reading(
        mode=mode,
        setting=setting,
        through_event=int(connection.execute(LATEST_EVENT).scalar() or 0),
        standing=standing,
        eligible=eligible,
        decisions=decisions(connection, stage),
        features=features_for(store_key, connection) if prioritised else None,
        query=query_text(connection) if prioritised else "",
    )


_BLOCK_TERMS = sa.select(concept_block.c.terms).order_by(concept_block.c.position)
_SEARCH_SYNTAX = re.compile(r"\[[^\]]*\]|[?\"()]|\b(?:AND|OR|NOT|NEAR/\d+|ADJ\d*)\b")
_WILDCARD = re.compile(r"(\w+)\*")
# A truncated term (mentor*) stands for the words it begins; the features keep no
# vocabulary to look them up in, so the usual English endings stand in for them.
ENDINGS = ("", "s", "es", "ed", "er", "ers", "ing", "ings", "ion", "ions", "al", "ship", "ment")


def _expanded(text: str) -> str:
    text = _SEARCH_SYNTAX.sub(" ", text)
    return _WILDCARD.sub(lambda m: " ".join(m.group(1) + e for e in ENDINGS), text).replace(
        "*", " "
    )


def query_text(connection: Connection) -> str:
    """The cold start's query: the review's inclusion terms, inclusion criteria and search
    concept blocks (field tags and operators taken out, truncated terms spelt out)."""
    parts = list(screening_repo.list_terms(connection)[CriterionKind.INCLUSION])
    parts += [
        c.text
        for c in reviews_repo.list_criteria(connection)
        if c.kind is CriterionKind.INCLUSION and not c.retired
    ]
    for terms in connection.execute(_BLOCK_TERMS).scalars():
        parts += [str(t) for t in terms or []]
    return " ".join(_expanded(p) for p in parts if p.strip())[:20_000]


# At title/abstract a maybe goes on to full text as an include does: the reviewer wants to
# see records like it early, so it teaches the model what an include teaches. At full text a
# maybe (or a report not retrieved) says nothing about relevance: it is left out.
