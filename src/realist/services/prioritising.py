"""Prioritised screening: each queue ranked by how likely its records are to be included,
learning from every decision; the same ranking in `realist screen`, the web page, single and
dual screening.

Where each part lives:

* :mod:`realist.domain.ranking` is the model, on plain arrays: features, fit, scores, reasons.
* This module feeds it, from :mod:`realist.services.ranking_inputs`: features (title,
  abstract and keywords of every standing record) built once and kept per process, and the
  decisions a queue may learn from. A ranking is made per queue: a stage and whose
  decisions it learns from (single screening: everyone's; dual screening: one reviewer's
  own and those revealed to them, never another's blinded vote).
* :mod:`realist.services.refits` runs the refits on a background thread, so a card never
  waits for one; a small review's ranking is made on the spot (a few milliseconds).
* :mod:`realist.services.screening_queue` asks a ranking only for an order: the database
  still decides which records are left to screen, so the ranking can never lose, repeat or
  change anything.

Every ranking made is recorded (``ranking_fit``): the model's settings and seed, the decision
and event it was made through, and the number of records, so it can be made again.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from realist.domain import ranking
from realist.domain.screening import ScreeningMode, Stage
from realist.domain.screening_order import (
    DEFAULT_ORDER,
    ORDER_WORDS,
    SEED_LIMIT,
    ScreeningOrder,
    random_keys,
    random_order,
)
from realist.errors import InvalidInput
from realist.services import queue_reading
from realist.services import ranking_inputs as inputs
from realist.services.refits import Worker
from realist.settings import setting
from realist.store import Store
from realist.store import ranking as ranking_repo
from realist.store import reviews as reviews_repo
from realist.store.batches import STANDING_COUNT
from realist.store.events import append_event
from realist.store.ranking import OrderSetting
from realist.store.schema import record as record_table
from realist.store.schema import review as review_table
from realist.store.schema_analysis import event as event_table

IntArray = npt.NDArray[np.int64]

# whose queue: a store, a stage, and a reviewer's id in dual screening (None: everyone's)
Scope = tuple[str, Stage, int | None]

RECHECK_SECONDS = 2.0  # a big review's queue looks for others' changes this often, at most

__all__ = [
    "QueueOrder",
    "Ranking",
    "decided",
    "explanation",
    "fits",
    "orders",
    "queue_order",
    "queue_order_in",
    "set_order",
    "wait",
    "warm",
]


# --- the order setting ---------------------------------------------------------------------


def orders(store: Store) -> dict[Stage, OrderSetting]:
    """Each stage's queue order (prioritised, file or random with its seed)."""
    with store.reading() as connection:
        return ranking_repo.get_orders(connection)


def set_order(
    store: Store,
    stage: Stage,
    order: ScreeningOrder,
    reviewer: str | None,
    seed: int | None = None,
) -> OrderSetting:
    """Set the order one stage's queues hand records out in; an event records it. Random
    order takes ``seed`` or draws one, and records it: the same seed gives the same order."""
    if seed is not None and order is not ScreeningOrder.RANDOM:
        raise InvalidInput("only random order takes a seed")
    if seed is not None and not 0 <= seed < SEED_LIMIT:
        raise InvalidInput(f"a seed is a whole number from 0 to {SEED_LIMIT - 1}")
    if order is ScreeningOrder.RANDOM and seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    chosen = OrderSetting(order, seed)
    with store.transaction() as connection:
        key, _ = reviews_repo.resolve_reviewer(connection, reviewer)
        before = ranking_repo.get_orders(connection)[stage]
        ranking_repo.set_order(connection, stage, chosen)
        detail: dict[str, object] = {"stage": stage.value, "order": order.value}
        if seed is not None:
            detail["seed"] = seed
        detail["was"] = before.order.value
        append_event(connection, "screening.order_set", key, "review", detail)
    return chosen


# --- rankings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranking:
    """One queue's order at one moment: ``ranked`` record ids, most likely include first.

    Only records undecided (by the queue's reviewers) when it was made are in it; the queue
    asks the database which of them still wait."""

    stage: Stage
    scope: int | None  # reviewer id in dual screening; None: everyone's decisions
    order: ScreeningOrder
    seed: int | None  # random order's seed
    kind: str  # "model", "cold_start" or "random"
    ranked: IntArray
    ceiling: int  # the highest record id it knew: records above came later
    through_event: int
    signature: str
    features: inputs.FeatureSet | None = None
    model: ranking.FittedModel | None = None  # cold start: similarity to the review's terms
    included: int = 0
    excluded: int = 0
    has_query: bool = False
    _sorted: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    _rank: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    # How many of the first ranked records the queue found decided (or merged) since: no
    # query need ask about them again. Shared by the copies :func:`replace` makes.
    gone: list[int] = field(default_factory=lambda: [0], repr=False, compare=False)
    # Ranked records found decided (or merged) since, wherever they stand: no query need
    # ask about them again either. A decision taken back leaves it (see :func:`decided`).
    passed: set[int] = field(default_factory=set, repr=False, compare=False)
    # Reasons of records, made once per ranking (the first few ahead of time: see _refit).
    explained: dict[int, ranking.Explanation] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_id = np.argsort(self.ranked, kind="stable")
        object.__setattr__(self, "_sorted", self.ranked[by_id])
        object.__setattr__(self, "_rank", by_id.astype(np.int64))

    def position(self, record_id: int) -> int | None:
        """Where the record stands in the ranking (0 first), None if it is not in it."""
        at = int(np.searchsorted(self._sorted, record_id))
        if at < len(self._sorted) and int(self._sorted[at]) == record_id:
            return int(self._rank[at])
        return None

    @property
    def static(self) -> bool:
        """Whether every record's place is fixed in advance (random order: by its key), so
        a record decided since can still be placed: see :meth:`places_before`."""
        return self.kind == "random"

    def places_before(self, record_id: int) -> int:
        """How many ranked records come before ``record_id`` (ranked or not) in a static
        order: where the queue goes on after it."""
        at = self.position(record_id)
        if at is not None:
            return at
        seed = self.seed or 0
        keys = random_keys(seed, self.ranked)
        mine = random_keys(seed, np.asarray([record_id], dtype=np.int64))[0]
        return int(np.count_nonzero((keys < mine) | ((keys == mine) & (self.ranked < record_id))))

    def span(self, start: int, size: int) -> list[int]:
        """``size`` record ids from position ``start``."""
        return [int(r) for r in self.ranked[start : start + size]]

    def __len__(self) -> int:
        return len(self.ranked)


_rankings: dict[Scope, Ranking] = {}
_checked: dict[Scope, float] = {}  # when a queue last asked for a refit (big reviews)
_standing: dict[str, int] = {}  # records standing when last counted, per store
_modes: dict[str, ScreeningMode] = {}  # the screening mode a card last read, per store
_lock = threading.Lock()


_recent: list[str] = []  # stores with rankings here, the latest used last


def _forget_all_but_recent(store_key: str) -> None:
    """Keep the rankings of the few stores used last (a server has one; a test run opens
    hundreds): each holds a model and the features it was made with. Under ``_lock``."""
    if store_key in _recent:
        _recent.remove(store_key)
    _recent.append(store_key)
    while len(_recent) > inputs.KEPT_FEATURES:
        gone = _recent.pop(0)
        for scope in [s for s in _rankings if s[0] == gone]:
            del _rankings[scope]
            _checked.pop(scope, None)
        _standing.pop(gone, None)
        _modes.pop(gone, None)
        for kept in [k for k in _who if k[0] == gone]:
            del _who[kept]


def _store_key(store: Store) -> str:
    return url_key(store.url)


@lru_cache(maxsize=64)
def url_key(url: sa.URL) -> str:
    """A store's key in the caches here: its URL without a password."""
    return url.render_as_string(hide_password=True)


def _scope(store: Store, stage: Stage, mode: ScreeningMode, who: int) -> Scope:
    return (_store_key(store), stage, None if mode is ScreeningMode.SINGLE else who)


def _refit(scope: Scope, store: Store) -> None:
    """Make one queue's ranking from the store as it is now, publish it, and have it
    recorded. Unchanged inputs (another reviewer's blind vote, say) make no new ranking."""
    store_key, stage, whose = scope
    began = time.perf_counter()
    if whose == WARM:
        with store.reading() as connection:
            inputs.features_for(store_key, connection)
        return
    with store.reading() as connection:
        seen = inputs.read(store_key, connection, stage)
    with _lock:
        _standing[store_key] = len(seen.standing)
    if (whose is None) != (seen.mode is ScreeningMode.SINGLE) or (
        seen.setting.order is ScreeningOrder.FILE
    ):
        with _lock:
            _rankings.pop(scope, None)  # another mode or order now: nothing to rank
        return
    visible = queue_reading.visible(seen.decisions, stage, whose)
    decided = np.asarray(sorted(visible.decided), dtype=np.int64)
    candidates = np.setdiff1d(seen.eligible, decided)  # sorted: file order among ties
    with _lock:
        before = _rankings.get(scope)
    made = (
        _random(seen, candidates, before)
        if seen.setting.order is ScreeningOrder.RANDOM
        else _prioritised(seen, visible, decided, candidates, before)
    )
    same = made is before  # the same inputs: nothing to make again, or to record
    made = replace(made, stage=stage, scope=whose, through_event=seen.through_event)
    with _lock:
        _rankings[scope] = made
        _forget_all_but_recent(store_key)
    if same:
        return
    detail: dict[str, Any]
    if made.kind == "model" and made.model is not None:
        detail = made.model.describe()
    elif made.kind == "random":
        detail = {"seed": made.seed}
    else:
        detail = {"query": seen.query[:2000], "training": _training(made)}
    values = {
        "stage": stage,
        "reviewer_id": whose,
        "queue_order": made.order,
        "kind": made.kind,
        "through_decision": visible.through or None,
        "through_event": seen.through_event,
        "records": len(seen.standing),
        "ranked": len(made),
        "features": ranking.FEATURES_VERSION if made.features else "",
        "detail": detail,
        "seconds": round(time.perf_counter() - began, 4),
    }
    # Written here, on the thread that made it (the worker's, or a small review's request
    # after its decision was committed): never inside a decision's transaction.
    with store.transaction() as connection:
        ranking_repo.insert_fit(connection, values)
    if len(seen.standing) > _inline_records():  # a small review's are made as cheaply later
        _explain_first(store, made)


EXPLAINED_AHEAD = 8  # records whose reasons a new ranking makes before any card asks


def _explain_first(store: Store, made: Ranking) -> None:
    """Make the reasons of the first records of a new ranking now, on the thread that made
    it: they are the next cards, which then need not (a card's reasons cost about as much
    as the rest of the card). In single screening the records others hold come first, so
    as many more as reviewers have cards here."""
    if made.model is None or made.features is None:
        return
    ahead = EXPLAINED_AHEAD
    if made.scope is None:
        store_key = _store_key(store)
        with _lock:
            ahead += sum(1 for known in _who if known[0] == store_key)
    first = made.span(0, ahead)
    with store.reading() as connection:
        rows = connection.execute(_TEXTS, {"ids": first}).all()
    for row in rows:
        explanation(made, int(row.id), inputs.record_text(row.title, row.abstract, row.keywords))


_TEXTS = sa.select(
    record_table.c.id, record_table.c.title, record_table.c.abstract, record_table.c.keywords
).where(record_table.c.id.in_(sa.bindparam("ids", expanding=True)))


def explanation(made: Ranking, record_id: int, text: str) -> ranking.Explanation | None:
    """The model's score of a ranked record and the terms that pushed it up
    (:func:`realist.domain.ranking.explain`), made once per ranking; None for a record the
    ranking has no row or model for. ``text`` is the record's text (:func:`record_text`)."""
    found = made.explained.get(record_id)
    if found is not None:
        return found
    if made.model is None or made.features is None:
        return None
    row = int(made.features.rows(np.asarray([record_id], dtype=np.int64))[0])
    if row < 0:
        return None
    found = ranking.explain(made.model, made.features.features, row, text)
    made.explained[record_id] = found
    return found


def _training(made: Ranking) -> dict[str, int]:
    return {"included": made.included, "excluded": made.excluded}


def _signature(*parts: object) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part.tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
        digest.update(b"|")
    return digest.hexdigest()


def _random(seen: inputs.Reading, candidates: IntArray, before: Ranking | None) -> Ranking:
    seed = seen.setting.seed or 0
    signature = _signature("random", seed, candidates)
    if before is not None and before.signature == signature:
        return before
    return Ranking(
        stage=Stage.TITLE_ABSTRACT,
        scope=None,
        order=ScreeningOrder.RANDOM,
        seed=seed,
        kind="random",
        ranked=random_order(seed, candidates),
        ceiling=int(seen.standing[-1]) if len(seen.standing) else 0,
        through_event=0,
        signature=signature,
    )


def _prioritised(
    seen: inputs.Reading,
    visible: queue_reading.Visible,
    decided: IntArray,
    candidates: IntArray,
    before: Ranking | None,
) -> Ranking:
    built = seen.features
    assert built is not None
    labelled = np.asarray(sorted(visible.labels), dtype=np.int64)
    labels = np.asarray([visible.labels[int(r)] for r in labelled], dtype=np.int64)
    rows = built.rows(labelled)
    # A record merged away since it was decided keeps its decision but has no row.
    included = rows[(rows >= 0) & (labels == 1)]
    excluded = rows[(rows >= 0) & (labels == 0)]
    candidate_rows = built.rows(candidates)
    candidate_rows = candidate_rows[candidate_rows >= 0]
    taken = np.union1d(built.rows(decided), built.rows(labelled))
    unscreened = np.setdiff1d(np.arange(built.features.rows, dtype=np.int64), taken)
    seed = visible.through  # a function of what this queue sees, and nothing else
    signature = _signature(
        built.key, seed, included, excluded, taken, candidate_rows, seen.query,
        ranking.DEFAULT_SETTINGS,
    )  # fmt: skip
    if before is not None and before.signature == signature:
        return before
    model = ranking.fit(built.features, included, excluded, unscreened, seed=seed)
    kind = "model"
    if model is not None:
        scores = ranking.scores(model, built.features)
    else:
        kind = "cold_start"
        scores = ranking.query_scores(built.features, [seen.query])
        model = _query_model(built, seen.query)
    ordered = ranking.order(scores, candidate_rows)
    return Ranking(
        stage=Stage.TITLE_ABSTRACT,
        scope=None,
        order=ScreeningOrder.PRIORITISED,
        seed=None,
        kind=kind,
        ranked=built.ids[ordered],
        ceiling=int(built.ids[-1]) if len(built.ids) else 0,
        through_event=0,
        signature=signature,
        features=built,
        model=model,
        included=len(included),
        excluded=len(excluded),
        has_query=bool(seen.query.strip()),
    )


def _query_model(built: inputs.FeatureSet, query: str) -> ranking.FittedModel | None:
    """The cold start as a linear model (:func:`realist.domain.ranking.query_model`)."""
    return ranking.query_model(built.features, [query])


def _share() -> float:
    try:
        return float(setting("ranking_background_share"))
    except ValueError:
        return 0.2


_worker: Worker[Scope] = Worker(_refit, "realist-ranking", _share)


# --- what a screening card asks --------------------------------------------------------------


@dataclass(frozen=True)
class QueueOrder:
    """How one reviewer's queue is ordered right now: the setting, and the ranking to use
    (None: record order, because the order is file order or the ranking is not ready)."""

    order: ScreeningOrder
    seed: int | None
    ranking: Ranking | None
    failed: str = ""  # the latest ranking's error, if it failed

    @property
    def words(self) -> str:
        return ORDER_WORDS[self.order]


def _inline_records() -> int:
    try:
        return int(setting("ranking_inline_records"))
    except ValueError:
        return 0


# The reviewer id a card last resolved, by store and key: what a decision's refit request
# goes by (a stale one only asks for a refit nobody needs; cards always resolve again).
_who: dict[tuple[str, str], int] = {}


def _setting(stage: Stage) -> sa.Select[Any]:
    """The latest event and the stage's order, in one round trip (every card)."""
    order = ranking_repo.screening_order
    at_stage = order.c.stage == stage
    return sa.select(
        sa.select(sa.func.max(event_table.c.id)).scalar_subquery().label("latest"),
        sa.select(order.c.queue_order).where(at_stage).scalar_subquery().label("order"),
        sa.select(order.c.seed).where(at_stage).scalar_subquery().label("seed"),
    )


_SETTING = {stage: _setting(stage) for stage in Stage}


def queue_order(store: Store, stage: Stage, reviewer: str | None) -> QueueOrder:
    """The order for ``reviewer``'s next card at ``stage`` (one short read). A ranking older
    than the store's latest change is refitted: here and now on a small review
    (``ranking_inline_records``), else in the background while this card uses the last one."""
    with store.reading() as connection:
        _, who = reviews_repo.resolve_reviewer(connection, reviewer)
        mode = ScreeningMode(
            connection.execute(sa.select(review_table.c.screening_mode)).scalar_one()
        )
        return queue_order_in(connection, store, stage, reviewer, who, mode)


def queue_order_in(
    connection: Connection,
    store: Store,
    stage: Stage,
    reviewer: str | None,
    who: int,
    mode: ScreeningMode,
) -> QueueOrder:
    """:func:`queue_order` in the card's own reading (``connection``, which must not be in
    a write transaction: a small review's ranking is made here, on its own connections)."""
    store_key = _store_key(store)
    row = connection.execute(_SETTING[stage]).one()
    chosen = (
        OrderSetting(ScreeningOrder(row.order), row.seed)
        if row.order is not None
        else OrderSetting(DEFAULT_ORDER[stage])
    )
    if chosen.order is ScreeningOrder.FILE:
        return QueueOrder(chosen.order, None, None)
    scope = _scope(store, stage, mode, who)
    standing = _standing_count(store_key, connection)
    with _lock:
        _who[(store_key, reviewer or "")] = who
        _modes[store_key] = mode
    current = _usable(scope, chosen)
    if current is None or current.through_event < int(row.latest or 0):
        if standing <= _inline_records():  # made on the spot
            if not _worker.run_now(scope, store):  # a run under way took too long
                _worker.request(scope, store)
            return QueueOrder(chosen.order, chosen.seed, _usable(scope, chosen), _failed(scope))
        now = time.monotonic()
        with _lock:
            due = current is None or now - _checked.get(scope, 0.0) >= RECHECK_SECONDS
            if due:
                _checked[scope] = now
        if due:
            _worker.request(scope, store)
    return QueueOrder(chosen.order, chosen.seed, current, _failed(scope))


def _failed(scope: Scope) -> str:
    return _worker.failures.get(scope, "")


def _usable(scope: Scope, chosen: OrderSetting) -> Ranking | None:
    """The queue's latest ranking, if it was made for the order now set."""
    with _lock:
        found = _rankings.get(scope)
    if found is None or found.order is not chosen.order:
        return None
    if found.order is ScreeningOrder.RANDOM and found.seed != chosen.seed:
        return None
    return found


def decided(
    store: Store,
    stage: Stage,
    reviewer: str | None,
    record_id: int | None = None,
    taken_back: bool = False,
) -> None:
    """A decision on ``record_id`` was saved (or ``taken_back``): ask for the queue it
    teaches to be ranked again. In dual screening only the deciding reviewer's: the others
    cannot see it yet. Nothing is read: only a queue this process has shown a card of has a
    ranking here to refresh (`realist screen --decide` has none); a small review's is made
    on the spot by the next card instead. Meanwhile the queue's ranking knows the record is
    decided (its next card need not ask), or waits again."""
    store_key = _store_key(store)
    with _lock:
        who = _who.get((store_key, reviewer or ""))
        mode = _modes.get(store_key)
        standing = _standing.get(store_key)
    if who is None or mode is None:
        return
    scope = _scope(store, stage, mode, who)  # a mode changed since: that refit does nothing
    with _lock:
        current = _rankings.get(scope)
        if current is not None and record_id is not None:
            if taken_back:  # it waits again, in its ranked place
                current.passed.discard(record_id)
                at = current.position(record_id)
                if at is not None and at < current.gone[0]:
                    current.gone[0] = at
            else:
                current.passed.add(record_id)
    if current is None or standing is None or standing <= _inline_records():
        return
    with _lock:
        _checked[scope] = time.monotonic()
    _worker.request(scope, store)


def _standing_count(store_key: str, connection: Connection) -> int:
    """Records standing, as last counted here (counted now the first time)."""
    with _lock:
        known = _standing.get(store_key)
    if known is None:
        known = int(connection.execute(STANDING_COUNT).scalar() or 0)
        with _lock:
            _standing[store_key] = known
    return known


WARM = -1  # a scope that only builds the features


def warm(store: Store) -> None:
    """Build a big review's features in the background now (a server starting), so the
    first cards need not wait for them; a small review's are built on its first card."""
    with store.reading() as connection:
        prioritised = any(
            s.order is ScreeningOrder.PRIORITISED
            for s in ranking_repo.get_orders(connection).values()
        )
        standing = _standing_count(_store_key(store), connection)
    if prioritised and standing > _inline_records():
        _worker.request((_store_key(store), Stage.TITLE_ABSTRACT, WARM), store)


def wait(timeout: float = 60.0) -> bool:
    """Wait for the rankings asked for to be made and recorded (a command that ends, a
    test); False if ``timeout`` seconds passed first."""
    return _worker.wait(timeout)


def fits(
    store: Store, stage: Stage | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """The rankings recorded, newest first."""
    with store.reading() as connection:
        return ranking_repo.list_fits(connection, stage, limit)
