"""Prioritised screening: rank unscreened records by how likely a reviewer is to include them.

Plain arrays in, plain arrays out: a service feeds this module the records' text and the
decisions a reviewer can see, and keeps what it returns; nothing here reads a store.

The model is continuous active learning as Cormack and Grossman's baseline model
implementation (BMI, TREC Total Recall 2015-16) runs it, on features like ASReview's:

* **Features**: title, abstract and keywords as word 1- and 2-grams, hashed into a fixed
  number of columns (no vocabulary to hold, so 100,000 records fit in a few hundred MB and a
  new record's row never changes the others'), log-scaled term frequency times inverse
  document frequency, each row of unit length.
* **Model**: logistic regression fitted to the decisions so far plus a fresh random sample
  of unscreened records treated, for this fit only, as excluded ("presumed non-relevant" in
  BMI). With one include and one exclude, the sample is what tells the model which terms
  are merely common; as decisions accumulate it weighs less and less. Classes are balanced,
  since includes are rare.
* **Query**: the highest score first ("max" in ASReview's terms).

The settings were chosen by leave-one-set-out over eleven labelled reviews (bench/screening.py
and bench/README.md), never on one set's figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

# 2**20 columns: collisions among a review's few hundred thousand distinct 1-2-grams are
# rare enough not to matter to a linear model, and a row's size does not depend on it.
HASHED_COLUMNS = 2**20
# Text beyond this many characters of one record adds nothing to a ranking but time.
TEXT_CHARS = 20_000
# Records hashed at once while building features: bounds the float64 scratch space.
_CHUNK = 4_096
FEATURES_VERSION = "hash-1-2gram-logtf-idf-l2-v1"


@dataclass(frozen=True)
class RankingSettings:
    """What a ranking depends on besides the data; recorded with every refit."""

    model: str = "logistic-regression+presumed-excluded"
    regularisation_c: float = 3.0  # liblinear's C: higher fits the decisions more closely
    presumed_excluded: int = 100  # random unscreened records taken as excluded per fit
    presumed_weight: float = 1.0  # their weight against a real decision's 1
    # Exclusions a fit learns from: the most recent (the records the model last ranked
    # highest, so those nearest the boundary between include and exclude) and a random
    # sample of the older ones. Every include is kept. Bounding them keeps a refit's cost
    # the same on the 100th decision as on the 10,000th.
    recent_excluded: int = 150
    older_excluded: int = 50
    features: str = FEATURES_VERSION

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_SETTINGS = RankingSettings()


@dataclass(frozen=True)
class Features:
    """Rows of a review's records in a fixed order (the caller keeps which record is which
    row), as L2-normalised TF-IDF over hashed 1-2-grams. Only the hashed columns some record
    uses are kept (``columns``, sorted), so a fit and a ranking work on those alone."""

    matrix: sp.csr_matrix
    idf: FloatArray  # per kept column
    columns: IntArray  # the hashed column of each kept column

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    def kept(self, hashed: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Kept-column numbers of ``hashed`` columns, and which of them are kept at all."""
        at = np.searchsorted(self.columns, hashed)
        at = np.minimum(at, max(len(self.columns) - 1, 0))
        found = self.columns[at] == hashed if len(self.columns) else np.zeros(len(hashed), bool)
        return at, found


def record_text(title: str, abstract: str, keywords: Sequence[str] = ()) -> str:
    """What the model reads of a record: one string, the same in a review and a simulation."""
    return "\n".join(part for part in (title, abstract, "; ".join(keywords)) if part)


def _hasher() -> HashingVectorizer:
    return HashingVectorizer(
        ngram_range=(1, 2),
        n_features=HASHED_COLUMNS,
        alternate_sign=False,
        norm=None,
        strip_accents="unicode",
        lowercase=True,
        dtype=np.float32,
    )


def _counts(texts: Iterable[str]) -> sp.csr_matrix:
    """Raw term counts of hashed 1-2-grams, built in chunks so the scratch space stays small."""
    hasher = _hasher()
    parts: list[sp.csr_matrix] = []
    chunk: list[str] = []
    for text in texts:
        chunk.append(text[:TEXT_CHARS])
        if len(chunk) == _CHUNK:
            parts.append(hasher.transform(chunk).tocsr())
            chunk = []
    if chunk or not parts:
        parts.append(hasher.transform(chunk).tocsr())
    matrix = sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
    return sp.csr_matrix(matrix, dtype=np.float32)


def build_features(texts: Sequence[str]) -> Features:
    """Features for records whose text is ``texts`` (one string per record: title, abstract
    and keywords joined, see :func:`record_text`). Linear in the total text; float32 to halve
    the memory."""
    counts = _counts(texts)
    columns, kept = np.unique(counts.indices, return_inverse=True)
    matrix = sp.csr_matrix(
        (np.log1p(counts.data, dtype=np.float32), kept.ravel(), counts.indptr),  # sublinear tf
        shape=(counts.shape[0], len(columns)),
    )
    rows = max(matrix.shape[0], 1)
    document_frequency = np.bincount(matrix.indices, minlength=len(columns))
    idf = np.log((1.0 + rows) / (1.0 + document_frequency)) + 1.0  # as scikit-learn's smooth idf
    matrix.data *= idf[matrix.indices].astype(np.float32)
    normalize(matrix, copy=False)  # each row of unit length, in place
    return Features(matrix=matrix, idf=idf, columns=columns.astype(np.int64))


@dataclass(frozen=True)
class FittedModel:
    """A fitted ranking model and what it was fitted on: enough to reproduce it."""

    weights: Float32Array  # one per kept column of the features
    intercept: float
    settings: RankingSettings
    seed: int
    included: int  # decisions the fit learnt from
    excluded: int
    presumed_excluded: int
    excluded_used: int  # of ``excluded``: the recent ones and a sample of the older

    def describe(self) -> dict[str, Any]:
        """What an audit trail records of a refit."""
        return {
            "settings": self.settings.as_dict(),
            "seed": self.seed,
            "training": {
                "included": self.included,
                "excluded": self.excluded,
                "excluded_used": self.excluded_used,
                "presumed_excluded": self.presumed_excluded,
            },
        }


def fit(
    features: Features,
    included_rows: Sequence[int],
    excluded_rows: Sequence[int],
    unscreened_rows: Sequence[int] | IntArray,
    *,
    seed: int,
    settings: RankingSettings = DEFAULT_SETTINGS,
) -> FittedModel | None:
    """Fit the model to a reviewer's decisions; None until there is at least one include and
    one exclude (the caller then uses :func:`query_scores`). ``excluded_rows`` are in the
    order they were decided (the latest last). The same inputs and seed give the same
    model."""
    if not len(included_rows) or not len(excluded_rows):
        return None
    rng = np.random.default_rng(seed)
    decided_excluded = len(excluded_rows)
    learnt_excluded = _bounded(np.asarray(excluded_rows, dtype=np.int64), settings, rng)
    unscreened = np.asarray(unscreened_rows, dtype=np.int64)
    presumed = (
        rng.choice(unscreened, size=settings.presumed_excluded, replace=False)
        if len(unscreened) > settings.presumed_excluded
        else unscreened
    )
    rows = np.concatenate([np.asarray(included_rows), learnt_excluded, presumed]).astype(np.int64)
    labels = np.concatenate(
        [np.ones(len(included_rows)), np.zeros(len(learnt_excluded) + len(presumed))]
    )
    weights = np.concatenate(
        [
            np.ones(len(included_rows) + len(learnt_excluded)),
            np.full(len(presumed), settings.presumed_weight),
        ]
    )
    model = LogisticRegression(
        C=settings.regularisation_c,
        class_weight="balanced",
        solver="liblinear",
        dual=True,  # far fewer rows than columns
        random_state=seed,
        max_iter=1000,
    )
    model.fit(features.matrix[rows], labels, sample_weight=weights)
    full = model.coef_[0].astype(np.float32)  # as the features: no upcast per ranking
    return FittedModel(
        weights=full,
        intercept=float(model.intercept_[0]),
        settings=settings,
        seed=seed,
        included=len(included_rows),
        excluded=decided_excluded,
        excluded_used=len(learnt_excluded),
        presumed_excluded=len(presumed),
    )


def _bounded(excluded: IntArray, settings: RankingSettings, rng: np.random.Generator) -> IntArray:
    """The exclusions a fit learns from (see :class:`RankingSettings`)."""
    if len(excluded) <= settings.recent_excluded + settings.older_excluded:
        return excluded
    older = excluded[: -settings.recent_excluded] if settings.recent_excluded else excluded
    sampled = rng.choice(older, size=settings.older_excluded, replace=False)
    recent = excluded[len(excluded) - settings.recent_excluded :]
    return np.concatenate([np.sort(sampled), recent])


def scores(model: FittedModel, features: Features) -> FloatArray:
    """Every row's score: higher means more likely to be included."""
    return np.asarray(features.matrix @ model.weights + model.intercept, dtype=np.float64)


def query_model(features: Features, query_texts: Sequence[str]) -> FittedModel | None:
    """The cold start as a linear model: what the review says it looks for (its inclusion
    terms, inclusion criteria and the search strategy's concept blocks), weighted as a
    record's terms are and scaled to unit length, so a record's score is its cosine
    similarity to the query (0 to 1) and its reasons are found as a fitted model's are.
    None when the query has no term any record uses."""
    text = " ".join(t for t in query_texts if t.strip())
    if not text.strip() or not features.rows:
        return None
    query = _counts([text])
    at, found = features.kept(query.indices.astype(np.int64))
    weights = np.zeros(len(features.columns), dtype=np.float32)
    weights[at[found]] = np.log1p(query.data[found]) * features.idf[at[found]]
    norm = float(np.linalg.norm(weights))
    if norm == 0.0:
        return None
    return FittedModel(
        weights=weights / np.float32(norm),
        intercept=0.0,
        settings=replace(DEFAULT_SETTINGS, model="cold-start: similarity to the query"),
        seed=0,
        included=0,
        excluded=0,
        presumed_excluded=0,
        excluded_used=0,
    )


def query_scores(features: Features, query_texts: Sequence[str]) -> FloatArray:
    """The cold start's scores (see :func:`query_model`); all zero when there is nothing to
    compare with, and the caller keeps file order among ties."""
    model = query_model(features, query_texts)
    if model is None:
        return np.zeros(features.rows)
    return np.asarray(features.matrix @ model.weights, dtype=np.float64)


def order(row_scores: FloatArray, rows: Sequence[int] | IntArray) -> IntArray:
    """``rows`` from the highest score to the lowest; ties keep the order given (file order),
    so a ranking with nothing to go on is the plain queue."""
    candidates = np.asarray(rows, dtype=np.int64)
    return candidates[np.argsort(-row_scores[candidates], kind="stable")]


@dataclass(frozen=True)
class Reason:
    term: str
    weight: float  # the term's part of the record's score


@dataclass(frozen=True)
class Explanation:
    score: float
    reasons: list[Reason] = field(default_factory=list)


def explain(
    model: FittedModel, features: Features, row: int, text: str, top: int = 3
) -> Explanation:
    """The score of one record and the terms of its text that pushed it up most: what the
    screening card shows under "why this record". ``text`` is the record's text, as given
    to :func:`build_features` (hashing keeps no vocabulary: the terms come from the text)."""
    vector = features.matrix[row]
    part = vector.data * model.weights[vector.indices]
    contribution = dict(zip(vector.indices.tolist(), part.tolist(), strict=True))
    terms = sorted(set(_hasher().build_analyzer()(text[:TEXT_CHARS])))
    at, kept = features.kept(_columns(terms))
    found = [
        Reason(term, contribution.get(int(column), 0.0) if is_kept else 0.0)
        for term, column, is_kept in zip(terms, at, kept, strict=True)
    ]
    pushing = sorted((r for r in found if r.weight > 0), key=lambda r: (-r.weight, r.term))
    return Explanation(score=scores_of_row(model, features, row), reasons=pushing[:top])


def scores_of_row(model: FittedModel, features: Features, row: int) -> float:
    return float((features.matrix[row] @ model.weights)[0] + model.intercept)


def _columns(terms: Sequence[str]) -> IntArray:
    """The hashed column of each term, as the feature hasher computes it."""
    if not terms:
        return np.zeros(0, dtype=np.int64)
    single = HashingVectorizer(
        analyzer=lambda term: [term], n_features=HASHED_COLUMNS, alternate_sign=False, norm=None
    )
    matrix = single.transform(terms).tocsr()
    return np.asarray(matrix.indices, dtype=np.int64)


def unit_interval(score: float) -> float:
    """A score as a probability-like figure between 0 and 1 for display."""
    return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))
