"""``realist simulate``: replay prioritised screening on a labelled export and measure it.

Reads any file ``realist import`` reads (CSV or TSV with a label column, RIS with a label
tag, ...), so the benchmark sets and a reviewer's own finished screening both work. Rows are
numbered 0, 1, ... in the order the records are read (file order).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from realist.domain import ranking, screening_metrics, simulation, stopping
from realist.domain.ranking import DEFAULT_SETTINGS, RankingSettings
from realist.domain.screening_metrics import OrderFigures
from realist.domain.stopping import DEFAULT_STOPPING, StoppingSettings
from realist.errors import InvalidInput
from realist.importers import Problem, parse

DEFAULT_LABEL_COLUMN = "label_included"
_INCLUDED = {"1", "1.0", "yes", "y", "true", "included", "include", "relevant"}
_EXCLUDED = {"0", "0.0", "no", "n", "false", "excluded", "exclude", "irrelevant"}
# ASReview writes its labels into RIS notes this way; its users' RIS files carry them.
_ASREVIEW_NOTES = {"asreview_relevant": 1, "asreview_irrelevant": 0}


@dataclass
class LabelledSet:
    """Records of a labelled file: the text the model reads, and each record's label."""

    texts: list[str]
    labels: np.ndarray
    problems: list[Problem]


def read_labelled(path: Path, label_column: str = DEFAULT_LABEL_COLUMN) -> LabelledSet:
    """Records and labels of ``path``. Refused (:class:`InvalidInput`, naming the file, the
    column and the line) when no record has the label column, or a record's label is not
    one of 1/0, yes/no, true/false, included/excluded."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read ({error.strerror})") from error
    result = parse(data, path.name)
    if not result.records:
        raise InvalidInput(f"{path}: no records read" + _first_problem(result.problems))
    wanted = label_column.casefold()
    labels: list[int] = []
    seen_column = False
    for position, record in enumerate(result.records):
        values = [value for tag, value in record.raw if tag.strip().casefold() == wanted]
        where = f"{path.name}:{record.source_line or position + 1}"
        if not values:
            noted = _asreview_note(record.raw)
            if noted is None:
                raise InvalidInput(f"{where}: record {position} has no {label_column!r} label")
            labels.append(noted)
            continue
        seen_column = True
        value = values[0].strip().casefold()
        if value in _INCLUDED:
            labels.append(1)
        elif value in _EXCLUDED:
            labels.append(0)
        else:
            raise InvalidInput(
                f"{where}: {label_column!r} is {values[0][:40]!r}; expected 1 or 0 "
                "(or yes/no, true/false, included/excluded)"
            )
    if not seen_column and not labels:
        raise InvalidInput(f"{path}: no column or tag named {label_column!r}")
    texts = [ranking.record_text(r.title, r.abstract, r.keywords) for r in result.records]
    return LabelledSet(
        texts=texts, labels=np.asarray(labels, dtype=np.int64), problems=result.problems
    )


def _first_problem(problems: list[Problem]) -> str:
    return f" ({problems[0]})" if problems else ""


def _asreview_note(raw: list[tuple[str, str]]) -> int | None:
    for tag, value in raw:
        if tag.strip().upper() == "N1":
            for word, label in _ASREVIEW_NOTES.items():
                if word in value.casefold():
                    return label
    return None


@dataclass
class SimulationReport:
    """What ``realist simulate`` prints and writes."""

    records: int
    relevant: int
    seed: int
    prior_included: list[int]
    prior_excluded: list[int]
    order: np.ndarray  # rows in the order screened, priors first
    figures: OrderFigures
    stop_position: int  # records screened when the stopping rule fired (records if never)
    recall_at_stop: float
    refits: int
    median_step_seconds: float
    feature_seconds: float
    settings: RankingSettings
    stopping: StoppingSettings

    def as_dict(self) -> dict[str, object]:
        """The ``--json`` shape (docs/CLI.md)."""
        return {
            "records": self.records,
            "relevant": self.relevant,
            "seed": self.seed,
            "prior_included": self.prior_included,
            "prior_excluded": self.prior_excluded,
            "wss_95": round(self.figures.wss_95, 4),
            "recall_10": round(self.figures.recall_10, 4),
            "recall_25": round(self.figures.recall_25, 4),
            "erf_10": round(self.figures.erf_10, 4),
            "stop": {
                "rule": "BUSCAR hypergeometric test (Callaghan and Müller-Hansen 2020)",
                "target_recall": self.stopping.target_recall,
                "confidence": self.stopping.confidence,
                "screened": self.stop_position,
                "share_screened": round(self.stop_position / self.records, 4),
                "recall": round(self.recall_at_stop, 4),
            },
            "refits": self.refits,
            "median_step_ms": round(self.median_step_seconds * 1000, 2),
            "model": self.settings.as_dict(),
        }


def simulate(
    labelled: LabelledSet,
    *,
    prior_included: int = 1,
    prior_excluded: int = 1,
    seed: int = 1,
    settings: RankingSettings = DEFAULT_SETTINGS,
    stopping_settings: StoppingSettings = DEFAULT_STOPPING,
    on_step: Callable[[int, int], None] | None = None,
) -> SimulationReport:
    """Replay screening of ``labelled`` from random priors (see
    :func:`realist.domain.simulation.simulate`) and measure the order."""
    labels = labelled.labels
    relevant = int(labels.sum())
    if relevant == 0:
        raise InvalidInput("no record is labelled relevant: there is nothing to find")
    if relevant == len(labels):
        raise InvalidInput("every record is labelled relevant: there is nothing to rank")
    try:
        included, excluded = simulation.choose_priors(labels, prior_included, prior_excluded, seed)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
    start = time.perf_counter()
    features = ranking.build_features(labelled.texts)
    feature_seconds = time.perf_counter() - start
    run = simulation.simulate(
        features, labels, included, excluded, seed=seed, settings=settings, on_step=on_step
    )
    in_order = labels[run.order]
    stop = stopping.first_stop(in_order, len(labels), stopping_settings)
    return SimulationReport(
        records=len(labels),
        relevant=relevant,
        seed=seed,
        prior_included=included,
        prior_excluded=excluded,
        order=run.order,
        figures=screening_metrics.figures(in_order),
        stop_position=stop,
        recall_at_stop=float(in_order[:stop].sum()) / relevant,
        refits=run.refits,
        median_step_seconds=float(np.median(run.step_seconds)) if run.step_seconds else 0.0,
        feature_seconds=feature_seconds,
        settings=settings,
        stopping=stopping_settings,
    )
