"""The order a screening queue hands out records in: prioritised, file or random.

Per review and stage. Prioritised ranks the records by how likely the reviewer is to
include them (:mod:`realist.domain.ranking`); file order is the order the records were
imported in (their ids); random is a permutation fixed by a seed, recorded with the
setting, so that the same seed always gives the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from realist.domain.screening import Stage

IntArray = npt.NDArray[np.int64]


class ScreeningOrder(StrEnum):
    PRIORITISED = "prioritised"  # most likely to be included first (active learning)
    FILE = "file"  # record order (as imported)
    RANDOM = "random"  # a seeded permutation


# Ranking pays at title/abstract, where most records are excluded; at full text the
# records left are few and all plausible, so the queue keeps record order unless asked.
DEFAULT_ORDER = {
    Stage.TITLE_ABSTRACT: ScreeningOrder.PRIORITISED,
    Stage.FULL_TEXT: ScreeningOrder.FILE,
}

ORDER_WORDS = {
    ScreeningOrder.PRIORITISED: "prioritised",
    ScreeningOrder.FILE: "file order",
    ScreeningOrder.RANDOM: "random",
}

SEED_LIMIT = 2**31  # seeds are kept in an INTEGER column on both databases


def random_keys(seed: int, record_ids: Sequence[int] | IntArray) -> npt.NDArray[np.uint64]:
    """Each record's place in the random order of ``seed``: SplitMix64 of the record id
    mixed with the seed. A record's key depends only on the seed and its own id, so records
    imported later fall into place without moving the others, and the order can be
    recomputed from the seed alone."""
    ids = np.asarray(record_ids, dtype=np.int64).astype(np.uint64)
    mixed = ids ^ (np.full(ids.shape, seed % SEED_LIMIT, dtype=np.uint64) << np.uint64(32))
    z = mixed + np.uint64(0x9E3779B97F4A7C15)  # unsigned arithmetic wraps, as SplitMix64 wants
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def random_order(seed: int, record_ids: Sequence[int] | IntArray) -> IntArray:
    """``record_ids`` in the random order of ``seed`` (ties, which need equal keys, by id)."""
    ids = np.asarray(record_ids, dtype=np.int64)
    return ids[np.lexsort((ids, random_keys(seed, ids)))]
