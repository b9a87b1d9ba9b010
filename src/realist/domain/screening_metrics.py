"""How well a screening order found the relevant records: the figures of a simulation.

Definitions as asreview-insights gives them, so that Realist's figures and ASReview's can be
set side by side. With R relevant records among N, screened in a given order (priors first):

* recall after x: the share of the R found among the first ⌈x·N⌉ records screened;
* WSS@95 (work saved over sampling): with k = ⌊0.95·R⌋ and p the number of records screened
  when the k-th relevant one is found, (k·N/R − p)/N, the share of the work a reviewer saves
  against screening in random order to reach 95% recall;
* ERF after x (extra relevant records found): recall after x minus x, the share of R found
  beyond what random order finds on average.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class OrderFigures:
    records: int
    relevant: int
    wss_95: float
    recall_10: float
    recall_25: float
    erf_10: float


def found_curve(labels_in_order: Sequence[int] | np.ndarray) -> np.ndarray:
    """Relevant records found after each record screened (the recall curve's numerator)."""
    return np.cumsum(np.asarray(labels_in_order, dtype=np.int64))


def recall_after(labels_in_order: Sequence[int] | np.ndarray, share: float) -> float:
    """The share of the relevant records found among the first ⌈share·N⌉ screened."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    relevant = int(labels.sum())
    if relevant == 0:
        raise ValueError("no relevant record: recall is undefined")
    screened = math.ceil(share * len(labels))
    return int(labels[:screened].sum()) / relevant


def wss(labels_in_order: Sequence[int] | np.ndarray, recall: float = 0.95) -> float:
    """Work saved over sampling at ``recall`` (asreview-insights' definition)."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    total, relevant = len(labels), int(labels.sum())
    if relevant == 0:
        raise ValueError("no relevant record: WSS is undefined")
    wanted = math.floor(recall * relevant)
    if wanted == 0:
        return 0.0  # nothing needs finding: no work to save
    reached = int(np.argmax(found_curve(labels) >= wanted)) + 1
    return (wanted * total / relevant - reached) / total


def figures(labels_in_order: Sequence[int] | np.ndarray) -> OrderFigures:
    """Every figure of one screening order (the labels of the records in the order they
    were screened, priors first: 1 relevant, 0 not)."""
    labels = np.asarray(labels_in_order, dtype=np.int64)
    recall_10 = recall_after(labels, 0.10)
    return OrderFigures(
        records=len(labels),
        relevant=int(labels.sum()),
        wss_95=wss(labels, 0.95),
        recall_10=recall_10,
        recall_25=recall_after(labels, 0.25),
        erf_10=recall_10 - 0.10,
    )
