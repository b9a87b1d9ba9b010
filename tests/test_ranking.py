"""The ranking model, the simulation figures and the stopping rule, on plain arrays."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer

from realist.domain import ranking, screening_metrics, simulation, stopping

TEXTS = [
    "Nurse-led clinics improve glycaemic control in adults with type 2 diabetes",  # include
    "Hip fracture surgery within 48 hours and mortality in older people",  # exclude
    "Orthopaedic rehabilitation after knee replacement: a cohort study",
    "Community health workers and diabetes self-management in rural clinics",
    "Total hip replacement outcomes in a national joint registry",
    "Practice nurses delivering diabetes education: glycaemic control at one year",
    "Surgical site infection after hip surgery",
]


def test_an_obviously_relevant_record_comes_first() -> None:
    features = ranking.build_features(TEXTS)
    model = ranking.fit(features, [0], [1], [2, 3, 4, 5, 6], seed=1)
    assert model is not None
    ranked = ranking.order(ranking.scores(model, features), [2, 3, 4, 5, 6])
    assert ranked[0] == 5  # nurses, diabetes, glycaemic control: like the include
    assert set(ranked[:2].tolist()) == {3, 5}


def test_no_model_until_one_include_and_one_exclude() -> None:
    features = ranking.build_features(TEXTS)
    assert ranking.fit(features, [0], [], [1, 2], seed=1) is None
    assert ranking.fit(features, [], [1], [0, 2], seed=1) is None


def test_cold_start_ranks_by_what_the_review_looks_for() -> None:
    features = ranking.build_features(TEXTS)
    scores = ranking.query_scores(features, ["diabetes", "nurse-led OR practice nurse*"])
    ranked = ranking.order(scores, range(len(TEXTS)))
    assert set(ranked[:3].tolist()) == {0, 3, 5}
    nothing = ranking.query_scores(features, ["", "  "])
    assert ranking.order(nothing, range(len(TEXTS))).tolist() == list(range(len(TEXTS)))


def test_terms_of_one_record_are_left_to_the_cold_start() -> None:
    features = ranking.build_features(TEXTS)
    # "registry" is in record 4 alone: not learnt from, yet kept, for the cold start.
    assert features.rare is not None and features.rare_columns is not None
    assert features.matrix.nnz + features.rare.nnz == ranking._counts(TEXTS).nnz  # none lost
    assert set(np.diff(features.rare.tocsc().indptr).tolist()) == {1}  # one record each
    assert np.allclose(np.linalg.norm(features.matrix.toarray(), axis=1), 1.0, atol=1e-5)
    registry = ranking._columns(["registry"])
    assert registry[0] in features.rare_columns and registry[0] not in features.columns
    ranked = ranking.order(ranking.query_scores(features, ["national registry"]), range(7))
    assert ranked[0] == 4
    model = ranking.query_model(features, ["registry"])
    assert model is not None
    why = ranking.explain(model, features, 4, TEXTS[4])
    assert [r.term for r in why.reasons] == ["registry"] and why.score > 0


@given(st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=40))
@settings(max_examples=60, deadline=None)
def test_a_terms_column_is_the_one_the_feature_hasher_gives_it(terms: list[str]) -> None:
    # The card's reasons find a term's part of the score by its column: a column computed
    # differently from the hasher's would name terms the record's score never used.
    hasher = HashingVectorizer(
        analyzer=lambda term: [term],
        n_features=ranking.HASHED_COLUMNS,
        alternate_sign=False,
        norm=None,
    )
    expected = hasher.transform(terms).tocsr().indices
    assert ranking._columns(terms).tolist() == expected.tolist()


def test_the_same_inputs_and_seed_give_the_same_model() -> None:
    features = ranking.build_features(TEXTS * 40)
    first = ranking.fit(features, [0], [1], range(2, 280), seed=5)
    again = ranking.fit(features, [0], [1], range(2, 280), seed=5)
    assert first is not None and again is not None
    assert np.array_equal(first.weights, again.weights)
    described = first.describe()
    assert described["seed"] == 5
    assert described["training"] == {
        "included": 1,
        "excluded": 1,
        "excluded_used": 1,
        "presumed_excluded": ranking.DEFAULT_SETTINGS.presumed_excluded,
    }


@pytest.mark.parametrize("model", [ranking.LINEAR_SVM, ranking.LOGISTIC_REGRESSION])
@pytest.mark.parametrize("seed", [0, 7, 2**30])
def test_liblinear_called_directly_fits_as_scikit_learns_estimators(model: str, seed: int) -> None:
    """The fit calls scikit-learn's liblinear module itself (its estimators' input checks
    cost a third of a refit): the weights must be theirs to the bit, for both models."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    features = ranking.build_features([f"{t} {i % 13} {i % 7}" for i, t in enumerate(TEXTS * 30)])
    rng = np.random.default_rng(seed)
    rows = rng.choice(features.rows, size=60, replace=False)
    labels = (rng.random(60) < 0.2).astype(np.float64)
    labels[:2] = [1, 0]
    weights = rng.uniform(0.1, 3, 60)
    settings = replace(ranking.DEFAULT_SETTINGS, model=model, regularisation_c=0.7)
    ours, intercept = ranking._liblinear_fit(
        features.matrix[rows], labels, weights, settings=settings, seed=seed
    )
    options = {"C": 0.7, "dual": True, "tol": settings.tolerance, "max_iter": 1000}
    estimator = (
        LinearSVC(random_state=seed, **options)
        if model == ranking.LINEAR_SVM
        else LogisticRegression(solver="liblinear", random_state=seed, **options)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(features.matrix[rows], labels, sample_weight=weights)
    assert np.array_equal(ours, estimator.coef_[0].astype(np.float32))
    assert intercept == float(estimator.intercept_[0])


def test_reasons_are_terms_of_the_record_that_pushed_it_up() -> None:
    features = ranking.build_features(TEXTS)
    model = ranking.fit(features, [0, 3], [1, 4], [2, 5, 6], seed=1)
    assert model is not None
    explained = ranking.explain(model, features, 5, TEXTS[5])
    terms = [reason.term for reason in explained.reasons]
    assert terms and "diabetes" in terms
    assert all(reason.weight > 0 for reason in explained.reasons)
    assert all(term in TEXTS[5].lower() for term in terms)
    assert 0 < ranking.unit_interval(explained.score) < 1
    ranked = ranking.scores(model, features)
    for row, text in enumerate(TEXTS):  # the card's score is the one the queue ranked by
        assert ranking.explain(model, features, row, text).score == pytest.approx(
            ranked[row], abs=1e-5
        )
    cold = ranking.query_model(features, ["registry", "diabetes"])
    assert cold is not None
    by_query = ranking.scores(cold, features)
    assert ranking.explain(cold, features, 4, TEXTS[4]).score == pytest.approx(
        by_query[4], abs=1e-5
    )


@pytest.mark.parametrize("row", range(len(TEXTS)))
def test_reasons_are_the_largest_parts_of_the_score_found_term_by_term(row: int) -> None:
    # An independent reckoning on dense rows: each term of the text, its hashed column, the
    # row's value there times the model's weight, shared and one-record terms alike.
    features = ranking.build_features(TEXTS)
    cold = ranking.query_model(features, ["diabetes registry nurse"])
    fitted = ranking.fit(features, [0, 3], [1, 4], [2, 5, 6], seed=1)
    assert cold is not None and fitted is not None and features.rare is not None
    assert features.rare_columns is not None
    for model in (cold, fitted):
        expected: dict[str, float] = {}
        terms, hashed = ranking.terms_of(TEXTS[row])
        parts = [(features.matrix, features.columns, model.weights)]
        if model.rare_weights is not None:
            parts.append((features.rare, features.rare_columns, model.rare_weights))
        for matrix, columns, weights in parts:
            dense = matrix[row].toarray()[0]
            for term, column in zip(terms, hashed.tolist(), strict=True):
                at = np.flatnonzero(columns == column)
                if len(at) and dense[at[0]] * weights[at[0]] > 0:
                    expected[term] = float(dense[at[0]] * weights[at[0]])
        best = sorted(expected.items(), key=lambda item: (-item[1], item[0]))[:3]
        found = ranking.explain(model, features, row, TEXTS[row]).reasons
        assert [r.term for r in found] == [term for term, _ in best]
        assert [r.weight for r in found] == pytest.approx([weight for _, weight in best])


def test_records_without_text_and_other_scripts_are_ranked() -> None:
    texts = ["", "糖尿病 看護師 教育", "Diabète et infirmières", "   ", *TEXTS]
    features = ranking.build_features(texts)
    model = ranking.fit(features, [1], [0], range(2, len(texts)), seed=1)
    assert model is not None
    scores = ranking.scores(model, features)
    assert np.isfinite(scores).all() and scores.shape == (len(texts),)


@pytest.mark.parametrize("texts", [[], ["x"], ["", "  "], ["a b", "c d", "e"], ["word", "other"]])
def test_reviews_whose_records_share_no_term_keep_file_order(texts: list[str]) -> None:
    features = ranking.build_features(texts)
    assert features.rows == len(texts)
    rows = list(range(len(texts)))
    assert ranking.order(ranking.query_scores(features, ["word"]), rows)[:1].tolist() == (
        [0] if texts else []
    )
    if len(texts) >= 2:
        model = ranking.fit(features, [0], [1], rows[2:], seed=1)
        if model is not None:  # (terms, though none shared: learnt from all of them)
            assert np.isfinite(ranking.scores(model, features)).all()


def test_figures_of_a_hand_computed_order() -> None:
    # 10 records, 4 relevant, found at positions 1, 2, 5 and 9.
    labels = [1, 1, 0, 0, 1, 0, 0, 0, 1, 0]
    figures = screening_metrics.figures(labels)
    # k = floor(0.95 * 4) = 3, found at position 5: (3 * 10 / 4 - 5) / 10 = 0.25
    assert figures.wss_95 == pytest.approx(0.25)
    assert figures.recall_10 == pytest.approx(0.25)  # ceil(1.0) = 1 record: 1 of 4
    assert figures.recall_25 == pytest.approx(0.5)  # ceil(2.5) = 3 records: 2 of 4
    assert figures.erf_10 == pytest.approx(0.15)
    assert screening_metrics.wss([0, 0, 0, 1], 0.95) == 0.0  # k = 0: nothing to save


@given(st.lists(st.integers(0, 1), min_size=2, max_size=60).filter(lambda x: sum(x) > 0))
def test_wss_is_bounded_and_recall_is_a_share(labels: list[int]) -> None:
    figures = screening_metrics.figures(labels)
    assert -1 <= figures.wss_95 < 1
    assert 0 <= figures.recall_10 <= figures.recall_25 <= 1


def test_the_stopping_p_value_by_hand() -> None:
    # 3 relevant found in the first 3 of 10 screened of 100, then 7 irrelevant in a row.
    labels = [1, 1, 1] + [0] * 7
    # Target 0.95: recall below it means at least floor(3/0.95 + 1 - 3) = 1 relevant
    # unfound. The urn of the last m holds 90 + m records; drawing m with 0 relevant has
    # probability (90 + m - 1 choose m) / (90 + m choose m) = 90 / (90 + m): smallest at m = 7.
    assert stopping.p_value(labels, 100, 0.95) == pytest.approx(90 / 97)
    assert stopping.p_value([0, 0, 0], 100, 0.95) == 1.0  # nothing found: nothing to test
    said = stopping.verdict(labels, 100)
    assert not said.may_stop and said.since_last_relevant == 7
    assert "Not yet" in said.statement and "95%" in said.statement


def test_stopping_fires_when_nearly_everything_is_screened() -> None:
    labels = [1] * 20 + [0] * 980
    at = stopping.first_stop(labels, 1000)
    said = stopping.verdict(labels[:at], 1000)
    assert said.may_stop and "With 95% confidence at least 95%" in said.statement
    assert not stopping.verdict(labels[: at - 1], 1000).may_stop


@pytest.mark.parametrize("bias", [2.0, 5.0, 20.0])
def test_the_stopping_rule_keeps_its_confidence_on_synthetic_rankings(bias: float) -> None:
    """Rankings drawn as biased urns (a relevant record is ``bias`` times as likely to come
    next as an irrelevant one, as buscarpy's generator makes them): recall at the stop must
    reach the target in at least 95% of runs. (In random order, bias 1, checking after every
    record is a test repeated many times and reached the target in 85% of such runs: the
    rule assumes a ranking better than random, as domain.stopping says.)"""
    rng = np.random.default_rng(int(bias))
    reached, runs = 0, 120
    for _ in range(runs):
        total = int(rng.integers(300, 1500))
        relevant = max(3, int(total * rng.uniform(0.01, 0.1)))
        weights = np.where(np.arange(total) < relevant, bias, 1.0)
        order = rng.choice(total, size=total, replace=False, p=weights / weights.sum())
        labels = (order < relevant).astype(int)
        at = stopping.first_stop(labels, total)
        reached += labels[:at].sum() >= math.ceil(0.95 * relevant) - 1e-9
    assert reached / runs >= 0.95


def test_simulation_screens_every_row_once_priors_first() -> None:
    texts = TEXTS * 10
    labels = np.array([1 if "diabetes" in t else 0 for t in texts])
    features = ranking.build_features(texts)
    included, excluded = simulation.choose_priors(labels, 1, 1, seed=3)
    run = simulation.simulate(features, labels, included, excluded, seed=3)
    assert run.order[:2].tolist() == [*included, *excluded]
    assert sorted(run.order.tolist()) == list(range(len(texts)))
    # every relevant record comes before any irrelevant one but the prior exclude
    assert labels[run.order][: labels.sum() + 1].sum() == labels.sum()
    again = simulation.simulate(features, labels, included, excluded, seed=3)
    assert np.array_equal(run.order, again.order)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 3), st.integers(1, 3))
def test_priors_are_random_rows_of_the_right_labels(seed: int, inc: int, exc: int) -> None:
    labels = np.array([1, 0, 0, 1, 0, 1, 0, 0])
    included, excluded = simulation.choose_priors(labels, inc, exc, seed)
    assert len(set(included)) == inc and all(labels[r] == 1 for r in included)
    assert len(set(excluded)) == exc and all(labels[r] == 0 for r in excluded)
    assert simulation.choose_priors(labels, inc, exc, seed) == (included, excluded)
    with pytest.raises(ValueError):
        simulation.choose_priors(labels, 4, 1, seed)


def _p_value_over_every_window(labels: list[int], total: int, target: float) -> float:
    """The rule's p-value the long way: the last m records for every m (as BUSCAR tests)."""
    from scipy.stats import hypergeom

    found, screened = sum(labels), len(labels)
    smallest = 1.0
    for m in range(1, screened + 1):
        recent = sum(labels[screened - m :])
        missing_at_least = math.floor(found / target + 1 - (found - recent))
        urn = total - screened + m
        if missing_at_least > urn:
            return 0.0
        smallest = min(smallest, float(hypergeom.cdf(recent, urn, missing_at_least, m)))
    return smallest


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 1), min_size=1, max_size=120),
    st.integers(0, 200),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_the_p_value_tests_the_windows_that_matter(labels: list[int], unscreened: int,
                                                   target: float) -> None:  # fmt: skip
    """Testing only the longest window for each count of relevant records gives the same
    p-value as testing every window."""
    total = len(labels) + unscreened
    expected = _p_value_over_every_window(labels, total, target) if sum(labels) else 1.0
    assert stopping.p_value(labels, total, target) == pytest.approx(expected, rel=1e-9, abs=1e-300)
