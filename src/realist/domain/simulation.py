"""Replaying screening on a labelled set: the order prioritised screening would have shown.

As ASReview's simulation mode does it: start from a few random prior includes and excludes,
then repeatedly refit the model on every label so far (the true label of each record shown
is revealed as a reviewer would have decided it) and screen the highest-ranked record next.
Pure arrays: :mod:`realist.services.simulation` reads the file and reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from realist.domain import ranking
from realist.domain.ranking import DEFAULT_SETTINGS, Features, RankingSettings

IntArray = npt.NDArray[np.int64]


def choose_priors(
    labels: npt.ArrayLike, included: int, excluded: int, seed: int
) -> tuple[list[int], list[int]]:
    """Random prior includes and excludes (row numbers), the same for the same seed: the
    benchmark hands exactly these to ASReview too."""
    truth = np.asarray(labels, dtype=np.int64)
    relevant, irrelevant = np.flatnonzero(truth == 1), np.flatnonzero(truth == 0)
    if included > len(relevant) or excluded > len(irrelevant):
        raise ValueError(
            f"asked for {included} prior includes and {excluded} excludes; the data has "
            f"{len(relevant)} relevant and {len(irrelevant)} irrelevant records"
        )
    rng = np.random.default_rng(seed)
    chosen_in = rng.choice(relevant, size=included, replace=False)
    chosen_out = rng.choice(irrelevant, size=excluded, replace=False)
    return [int(r) for r in chosen_in], [int(r) for r in chosen_out]


def refit_seed(seed: int, step: int) -> int:
    """The seed of the refit after ``step`` labels: recorded, so any refit can be redone."""
    return int(np.random.SeedSequence([seed, step]).generate_state(1)[0])


@dataclass
class SimulatedScreening:
    """The order records were screened in (rows, priors first) and what it cost."""

    order: IntArray
    priors: int
    refits: int  # models fitted; after the last relevant record the rest keep its order
    step_seconds: list[float] = field(default_factory=list)  # each refit plus ranking, wall
    step_cpu_seconds: list[float] = field(default_factory=list)  # the same, CPU time


def simulate(
    features: Features,
    labels: npt.ArrayLike,
    prior_included: list[int],
    prior_excluded: list[int],
    *,
    seed: int,
    settings: RankingSettings = DEFAULT_SETTINGS,
    on_step: Callable[[int, int], None] | None = None,
    refit_to_end: bool = False,
) -> SimulatedScreening:
    """Screen every record in the order the model would show them, refitting after every
    label. Once every relevant record is found the labels still to come are all 0, so the
    rest is ordered by the last model without refitting: no figure (recall, WSS, where the
    stopping rule fires) depends on the order of the irrelevant remainder. With
    ``refit_to_end`` every step is refitted anyway (to time steps as ASReview's full runs do)."""
    truth = np.asarray(labels, dtype=np.int64)
    total, relevant = len(truth), int(truth.sum())
    screened = np.zeros(total, dtype=bool)
    order: list[int] = [*prior_included, *prior_excluded]
    screened[order] = True
    found = int(truth[order].sum())
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    model = None
    while not screened.all():
        if found == relevant and model is not None and not refit_to_end:
            break
        start, cpu = time.perf_counter(), time.process_time()
        shown = np.asarray(order)
        waiting = np.flatnonzero(~screened)
        model = ranking.fit(
            features,
            shown[truth[shown] == 1],
            shown[truth[shown] == 0],
            waiting,
            seed=refit_seed(seed, len(order)),
            settings=settings,
        )
        if model is None:  # only one kind of label so far: take the next record in file order
            best = int(waiting[0])
        else:
            row_scores = ranking.scores(model, features)
            best = int(waiting[np.argmax(row_scores[waiting])])
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
        order.append(best)
        screened[best] = True
        found += int(truth[best])
        if on_step:
            on_step(len(order), total)
    if not screened.all():
        assert model is not None
        rest = ranking.order(ranking.scores(model, features), np.flatnonzero(~screened))
        order.extend(int(r) for r in rest)
    return SimulatedScreening(
        order=np.asarray(order, dtype=np.int64),
        priors=len(prior_included) + len(prior_excluded),
        refits=len(seconds),
        step_seconds=seconds,
        step_cpu_seconds=cpu_seconds,
    )
