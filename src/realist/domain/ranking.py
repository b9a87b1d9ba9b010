"""Prioritised screening: rank unscreened records by how likely a reviewer is to include them.

Plain arrays in, plain arrays out: a service feeds this module the records' text and the
decisions a reviewer can see, and keeps what it returns; nothing here reads a store.

The model is continuous active learning as ASReview's default (ELAS u4) and Cormack and
Grossman's baseline model implementation (BMI, TREC Total Recall 2015-16) run it:

* **Features**: title, abstract and keywords as word 1- and 2-grams, hashed into a fixed
  number of columns (no vocabulary to hold, so 100,000 records fit in a few hundred MB and a
  new record's row never changes the others'), log-scaled term frequency times inverse
  document frequency, each row of unit length. A model learns from the terms at least two
  records share; the terms of one record alone are kept for the cold start only.
* **Model**: a linear support vector machine (squared hinge loss, as ASReview's) fitted to
  the decisions so far, the includes weighing 9.8 times as much in all as the exclusions
  (ASReview's ratio: includes are rare and each says more), plus a few random unscreened
  records treated, for this fit only, as excluded ("presumed non-relevant" in BMI): with one
  include and one exclude they are what tells the model which terms are merely common.
  Logistic regression, BMI's own model, is a setting.
* **Query**: the highest score first ("max" in ASReview's terms).

The settings were chosen by leave-one-set-out over eleven labelled reviews (bench/screening.py
--select and bench/README.md), never on one set's figures.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize
from sklearn.svm import _liblinear
from sklearn.utils import murmurhash3_32

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
_ENTRIES = 1 << 22  # entries of the features weighted at once (a 16 MB scratch array)
# Terms in fewer records than this are left out of what a model learns from (see Features).
MIN_RECORDS_PER_TERM = 2
FEATURES_VERSION = "hash-1-2gram-logtf-idf-l2-df2-v2"


LINEAR_SVM = "linear-svm"  # squared hinge loss, as ASReview's default model
LOGISTIC_REGRESSION = "logistic-regression"


@dataclass(frozen=True)
class RankingSettings:
    """What a ranking depends on besides the data; recorded with every refit."""

    model: str = LINEAR_SVM  # or LOGISTIC_REGRESSION
    regularisation_c: float = 0.3  # liblinear's C: higher fits the decisions more closely
    # The includes' total weight over the exclusions' (decided and presumed): 1 balances the
    # classes; more leans the model towards what was included (ASReview's "ratio").
    include_ratio: float = 9.8
    # liblinear's stopping tolerance: 1e-2 ranks as 1e-4 does over the 11 benchmark sets
    # (WSS@95 within 0.001) in about two thirds of the time.
    tolerance: float = 1e-2
    presumed_excluded: int = 20  # random unscreened records taken as excluded per fit
    presumed_weight: float = 1.0  # their weight against a decided exclusion's
    # Exclusions a fit learns from: the most recent (the records the model last ranked
    # highest, so those nearest the boundary between include and exclude) and a random
    # sample of the older ones. Every include is kept. Bounding them keeps a refit's cost
    # the same on the 10,000th decision as on the 5,000th.
    recent_excluded: int = 400
    older_excluded: int = 100
    features: str = FEATURES_VERSION

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_SETTINGS = RankingSettings()


@dataclass(frozen=True)
class Features:
    """Rows of a review's records in a fixed order (the caller keeps which record is which
    row), as L2-normalised TF-IDF over hashed 1-2-grams. Only the hashed columns at least two
    records use are kept in ``matrix`` (``columns``, sorted), so a fit and a ranking work on
    those alone: a term of one record tells a model nothing about any other record, and
    learning from the others ranks better and costs less (bench/README.md, issue 13).

    The terms of one record alone are in ``rare`` (weighted as in the whole row, before the
    rest was scaled to unit length again): only the cold start reads them, since a review's
    own inclusion term may be in one record only, and that record should then come first."""

    matrix: sp.csr_matrix
    idf: FloatArray  # per kept column
    columns: IntArray  # the hashed column of each kept column
    rare: sp.csr_matrix | None = None  # columns: ``rare_columns``
    rare_columns: IntArray | None = None  # sorted hashed columns of terms of one record

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    def kept(self, hashed: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        """Kept-column numbers of ``hashed`` columns, and which of them are kept at all."""
        return _kept_in(self.columns, hashed)


def _kept_in(columns: IntArray, hashed: IntArray) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Where each of ``hashed`` is in the sorted ``columns``, and whether it is there."""
    at = np.searchsorted(columns, hashed)
    at = np.minimum(at, max(len(columns) - 1, 0))
    found = columns[at] == hashed if len(columns) else np.zeros(len(hashed), bool)
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
    if chunk:
        parts.append(hasher.transform(chunk).tocsr())
    if not parts:  # no records
        return sp.csr_matrix((0, HASHED_COLUMNS), dtype=np.float32)
    matrix = sp.vstack(parts, format="csr") if len(parts) > 1 else parts[0]
    return sp.csr_matrix(matrix, dtype=np.float32)


def build_features(texts: Sequence[str]) -> Features:
    """Features for records whose text is ``texts`` (one string per record: title, abstract
    and keywords joined, see :func:`record_text`). Linear in the total text; float32 to halve
    the memory."""
    counts = _counts(texts)
    rows = max(counts.shape[0], 1)
    # Each hashed column appears at most once in a row, so counting a column's entries
    # counts its records. Done over the 2^20 hashed columns, with no sort and no int64 copy
    # of the entries: at 100,000 records those would be the biggest arrays of all.
    in_records = np.bincount(counts.indices, minlength=HASHED_COLUMNS)
    shared = in_records >= MIN_RECORDS_PER_TERM
    used = in_records > 0
    if not shared.any():  # (one record, or records sharing no term: keep them all)
        shared = used
    rare = used & ~shared
    # In place and a slice at a time: at 100,000 records every copy of the entries is
    # another 100 MB or more (the memory goal is 1 GiB for all of it).
    data = counts.data
    np.log1p(data, out=data)  # sublinear tf
    idf = (np.log((1.0 + rows) / (1.0 + in_records)) + 1.0).astype(np.float32)  # smooth idf
    for start in range(0, len(data), _ENTRIES):
        data[start : start + _ENTRIES] *= idf[counts.indices[start : start + _ENTRIES]]
    whole = sp.csr_matrix((data, counts.indices, counts.indptr), shape=counts.shape, copy=False)
    if whole.nnz:  # (records with no word of two letters or more have no terms at all)
        normalize(whole, copy=False)  # the whole row of unit length, before the rare go
    data = whole.data
    rare_part = _columns_of(counts.indptr, counts.indices, data, rare, counts.shape[0])
    matrix = _columns_of(counts.indptr, counts.indices, data, shared, counts.shape[0])
    del counts, data, whole
    if matrix.shape[1]:
        normalize(matrix, copy=False)  # the shared terms of each row of unit length again
    for part in (matrix, rare_part):
        part.sort_indices()  # (they are: the hasher's are; explain relies on it)
    return Features(
        matrix=matrix,
        idf=idf[shared].astype(np.float64),
        columns=np.flatnonzero(shared).astype(np.int64),
        rare=rare_part if rare.any() else None,
        rare_columns=np.flatnonzero(rare).astype(np.int64) if rare.any() else None,
    )


def _columns_of(
    indptr: npt.NDArray[np.int32],
    indices: npt.NDArray[np.int32],
    data: Float32Array,
    wanted: npt.NDArray[np.bool_],
    rows: int,
) -> sp.csr_matrix:
    """The entries of a CSR matrix in the ``wanted`` hashed columns, renumbered in the order
    of those columns (``np.flatnonzero(wanted)``), as a new CSR matrix."""
    keep = wanted[indices]
    count = np.int32 if len(indices) < np.iinfo(np.int32).max else np.int64
    before = np.concatenate([np.zeros(1, count), np.cumsum(keep, dtype=count)])
    number = np.cumsum(wanted, dtype=np.int32) - 1  # a wanted hashed column's new number
    return sp.csr_matrix(
        (data[keep], number[indices[keep]], before[indptr]),
        shape=(rows, int(wanted.sum())),
    )


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
    rare_weights: Float32Array | None = None  # the cold start's, on ``Features.rare``

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
    if not len(included_rows) or not len(excluded_rows) or not features.matrix.shape[1]:
        return None  # (no terms at all: nothing to learn from, the queue keeps file order)
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
    excluded_weight = len(included_rows) / (
        settings.include_ratio * (len(learnt_excluded) + settings.presumed_weight * len(presumed))
    )
    weights = np.concatenate(
        [
            np.ones(len(included_rows)),
            np.full(len(learnt_excluded), excluded_weight),
            np.full(len(presumed), excluded_weight * settings.presumed_weight),
        ]
    )
    weights *= len(weights) / weights.sum()  # mean 1, so that C means the same at any size
    full, intercept = _liblinear_fit(
        features.matrix[rows], labels, weights, settings=settings, seed=seed
    )
    return FittedModel(
        weights=full,
        intercept=intercept,
        settings=settings,
        seed=seed,
        included=len(included_rows),
        excluded=decided_excluded,
        excluded_used=len(learnt_excluded),
        presumed_excluded=len(presumed),
    )


# liblinear's solver numbers: the dual of L2-regularised squared hinge loss (LinearSVC's with
# dual=True) and of L2-regularised logistic regression (LogisticRegression's liblinear, dual).
_LIBLINEAR_SOLVERS = {LINEAR_SVM: 1, LOGISTIC_REGRESSION: 7}


def _liblinear_fit(
    rows: sp.csr_matrix,
    labels: FloatArray,
    weights: FloatArray,
    *,
    settings: RankingSettings,
    seed: int,
) -> tuple[Float32Array, float]:
    """liblinear's solver called as scikit-learn's LinearSVC(dual=True) and
    LogisticRegression(solver="liblinear", dual=True) call it, with the same arguments and
    seed, so the weights are the same to the bit (tests/test_ranking.py checks both against
    those estimators). Calling it directly leaves out their input checks, which cost a third
    of a refit at 2,500 records (bench/README.md, issue 13): here the inputs are ours and
    already right (CSR, two classes, finite weights). The module is scikit-learn's private
    one, which is why pyproject.toml bounds scikit-learn's version."""
    solver = _LIBLINEAR_SOLVERS.get(settings.model)
    if solver is None:
        raise ValueError(f"unknown ranking model {settings.model!r}")
    _liblinear.set_verbosity_wrap(0)
    raw, _ = _liblinear.train_wrap(
        rows.astype(np.float64),  # liblinear reads doubles (the features are float32)
        np.ascontiguousarray(labels, dtype=np.float64),
        True,  # sparse
        solver,
        settings.tolerance,
        1.0,  # bias: an intercept column of 1 (intercept_scaling 1)
        settings.regularisation_c,
        np.ones(2),  # class weights: the sample weights carry the balance
        1000,  # max_iter: a fit stopped there still ranks, the order is what matters
        np.random.RandomState(seed).randint(np.iinfo("i").max),  # as check_random_state
        0.1,  # epsilon (unused by these solvers)
        np.ascontiguousarray(weights, dtype=np.float64),
    )
    return raw[0, :-1].astype(np.float32), float(raw[0, -1])  # float32, as the features


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
    found = features.matrix @ model.weights + model.intercept
    if model.rare_weights is not None and features.rare is not None:
        found += features.rare @ model.rare_weights
    return np.asarray(found, dtype=np.float64)


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
    hashed = query.indices.astype(np.int64)
    at, found = features.kept(hashed)
    weights = np.zeros(len(features.columns), dtype=np.float32)
    weights[at[found]] = np.log1p(query.data[found]) * features.idf[at[found]]
    rare_weights = None
    if features.rare_columns is not None:
        rare_at, rare_found = _kept_in(features.rare_columns, hashed)
        rare_weights = np.zeros(len(features.rare_columns), dtype=np.float32)
        # A term of one record has the highest idf there is.
        rare_idf = math.log((1.0 + features.rows) / 2.0) + 1.0
        rare_weights[rare_at[rare_found]] = np.log1p(query.data[rare_found]) * rare_idf
    norm = math.hypot(
        float(np.linalg.norm(weights)),
        float(np.linalg.norm(rare_weights)) if rare_weights is not None else 0.0,
    )
    if norm == 0.0:
        return None
    return FittedModel(
        weights=weights / np.float32(norm),
        rare_weights=None if rare_weights is None else rare_weights / np.float32(norm),
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
    return scores(model, features)


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
    terms, hashed = terms_of(text)
    parts, score = _term_parts(_row(features.matrix, row), model.weights, features.columns, hashed)
    if model.rare_weights is not None and features.rare is not None:
        assert features.rare_columns is not None  # (set together)
        rare = _row(features.rare, row)
        rare_parts, rare_score = _term_parts(
            rare, model.rare_weights, features.rare_columns, hashed
        )
        parts += rare_parts  # (a column is either shared or of one record)
        score += rare_score
    pushing = np.flatnonzero(parts > 0)
    # The largest parts first; among equal parts (terms sharing a column), the terms in
    # alphabetical order, as they come.
    best = pushing[np.argsort(-parts[pushing], kind="stable")][:top]
    return Explanation(
        score=score + model.intercept,
        reasons=[Reason(terms[at], float(parts[at])) for at in best],
    )


@lru_cache(maxsize=512)
def terms_of(text: str) -> tuple[tuple[str, ...], IntArray]:
    """The distinct terms of a record's text (sorted) and the hashed column of each. Kept
    for the last few hundred texts: a queue's next records are explained again by every
    new ranking (a card's reasons cost more than the rest of the card when made afresh)."""
    terms = tuple(sorted(set(_hasher().build_analyzer()(text[:TEXT_CHARS]))))
    hashed = _columns(terms)
    hashed.setflags(write=False)  # shared by every caller
    return terms, hashed


def _row(matrix: sp.csr_matrix, row: int) -> tuple[IntArray, FloatArray]:
    """One row's columns (ascending) and values, read straight from the CSR arrays (a
    scipy row slice costs a tenth of a millisecond)."""
    start, stop = int(matrix.indptr[row]), int(matrix.indptr[row + 1])
    return matrix.indices[start:stop], matrix.data[start:stop]


def _term_parts(
    vector: tuple[IntArray, FloatArray],
    weights: Float32Array,
    columns: IntArray,
    hashed: IntArray,
) -> tuple[FloatArray, float]:
    """Each term's part of one row's score from ``columns`` (0 for a term whose hashed
    column is not among them), and the row's whole score from them (every column's part,
    whether a term was found for it or not: two terms may share a hashed column)."""
    indices, data = vector
    if not len(indices):  # (a record with none of these terms)
        return np.zeros(len(hashed)), 0.0
    part = data.astype(np.float64) * weights[indices]
    at, kept = _kept_in(columns, hashed)
    where = np.minimum(np.searchsorted(indices, at), len(indices) - 1)
    parts = np.where(kept & (indices[where] == at), part[where], 0.0)
    return parts, float(part.sum())


def _columns(terms: Sequence[str]) -> IntArray:
    """The hashed column of each term, as the feature hasher computes it: MurmurHash3 of
    the term's UTF-8 (seed 0), its absolute value modulo the columns (scikit-learn's rule,
    with its case for the one value whose absolute value overflows). One call per term is a
    fifth of the cost of the hasher's own transform on a card's few hundred terms."""
    columns = np.empty(len(terms), dtype=np.int64)
    for at, term in enumerate(terms):
        hashed = int(murmurhash3_32(term, seed=0))
        columns[at] = _INT32_MIN_COLUMN if hashed == -(2**31) else abs(hashed) % HASHED_COLUMNS
    return columns


_INT32_MIN_COLUMN = (2**31 - 1 - (HASHED_COLUMNS - 1)) % HASHED_COLUMNS


def unit_interval(score: float) -> float:
    """A score as a probability-like figure between 0 and 1 for display."""
    return 1.0 / (1.0 + math.exp(-max(min(score, 50.0), -50.0)))
