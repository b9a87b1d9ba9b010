"""Exploration, not Realist's model: other features for the ranking, on the 11 labelled sets.

Each variant builds a ranking's features differently and replays screening exactly as
``bench/screening.py`` does for Realist (``realist.domain.simulation.simulate``, the default
settings, 1 random prior include and exclude per seed). It prints each set's WSS@95 and
recall after 10% screened, and the mean against the per-set ASReview figures given in
bench/README.md (the run of ASReview is in ``bench/screening.py``; it is not repeated here).

    python bench/screening_features.py default lsa:200:0.7 keyword-terms char:0.5

Variants: ``default``; ``lsa:DIMS:WEIGHT`` (latent semantic analysis of the default
features appended); ``keyword-terms`` / ``author-terms`` (each keyword / author as one
whole term besides the words); ``no-keywords``; ``title-twice``; ``stemmed`` (Snowball);
``char:WEIGHT`` (character 3-5-grams besides the words). bench/README.md has the figures.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

sys.path.insert(0, str(Path(__file__).parent))
from screening import SETS_DIR, load_set

# ASReview LAB 3.0.8 (ELAS u4), seeds 1-3, from the run in bench/README.md: WSS@95, recall@10%.
ASREVIEW = {
    "ACEInhibitors": (0.782, 0.829),
    "ADHD": (0.756, 0.733),
    "Antihistamines": (0.241, 0.417),
    "AtypicalAntipsychotics": (0.318, 0.374),
    "BetaBlockers": (0.716, 0.762),
    "Estrogens": (0.395, 0.271),
    "Kitchenham_2010": (0.717, 0.741),
    "NSAIDS": (0.722, 0.569),
    "OralHypoglycemics": (0.169, 0.255),
    "ProtonPumpInhibitors": (0.429, 0.654),
    "UrinaryIncontinence": (0.399, 0.508),
}
_WORD = re.compile(r"(?u)\b\w\w+\b")


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _term(prefix: str, text: str) -> str:
    return prefix + re.sub(r"\W+", "_", text.strip().lower()).strip("_")


def _rebuilt_texts(path: Path, variant: str) -> list[str]:
    """Each record's text rebuilt from the CSV's fields the way ``variant`` reads them."""
    texts = []
    for row in _csv_rows(path):
        title, abstract = row.get("title", ""), row.get("abstract", "")
        keywords = [k for k in (row.get("keywords") or "").split(";") if k.strip()]
        authors = [a for a in (row.get("authors") or "").split(";") if a.strip()]
        parts = [title, abstract]
        if variant != "no-keywords":
            parts.append("; ".join(keywords))
        if variant == "title-twice":
            parts.append(title)
        if variant == "keyword-terms":
            parts.append(" . ".join(_term("kw", k) for k in keywords))
        if variant == "author-terms":
            parts.append(" . ".join(_term("au", a) for a in authors))
        texts.append("\n".join(p for p in parts if p))
    return texts


def _char_grams(texts: list[str]) -> sp.csr_matrix:
    from sklearn.feature_extraction.text import HashingVectorizer

    hasher = HashingVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 5),
        n_features=2**20,
        alternate_sign=False,
        norm=None,
        dtype=np.float32,
    )
    counts = hasher.transform(texts).tocsr()
    counts.data = np.log1p(counts.data)
    in_records = np.bincount(counts.indices, minlength=2**20)
    counts.data *= (np.log((1 + counts.shape[0]) / (1 + in_records)) + 1)[counts.indices]
    return normalize(counts[:, np.flatnonzero(in_records >= 2)])


def features(variant: str, path: Path, texts: list[str]):  # type: ignore[no-untyped-def]
    from realist.domain import ranking

    name, _, arguments = variant.partition(":")
    if name == "default":
        return ranking.build_features(texts)
    if name == "lsa":
        from sklearn.decomposition import TruncatedSVD

        dims, weight = arguments.split(":")
        base = ranking.build_features(texts)
        latent = TruncatedSVD(int(dims), random_state=0, n_iter=5).fit_transform(base.matrix)
        latent = normalize(latent) * float(weight)
        matrix = sp.hstack([base.matrix, sp.csr_matrix(latent.astype(np.float32))], "csr")
        return replace(base, matrix=matrix)
    if name == "char":
        weight = float(arguments)
        base = ranking.build_features(texts)
        matrix = sp.hstack(
            [base.matrix * np.sqrt(1 - weight**2), _char_grams(texts) * weight], "csr"
        )
        return replace(base, matrix=matrix.astype(np.float32))
    if name == "stemmed":
        import snowballstemmer

        stemmer = snowballstemmer.stemmer("english")

        def stem(text: str) -> str:
            lines = text.lower().split("\n")
            return "\n".join(" ".join(stemmer.stemWords(_WORD.findall(line))) for line in lines)

        return ranking.build_features([stem(text) for text in texts])
    if name in ("keyword-terms", "author-terms", "no-keywords", "title-twice"):
        return ranking.build_features(_rebuilt_texts(path, name))
    raise SystemExit(f"unknown variant {variant!r}")


def run(job: tuple[str, str, int]) -> tuple[str, str, float, float]:
    from realist.domain import screening_metrics, simulation

    variant, path, seed = job
    texts, labels = load_set(Path(path))
    found = features(variant, Path(path), texts)
    included, excluded = simulation.choose_priors(labels, 1, 1, seed)
    order = simulation.simulate(found, labels, included, excluded, seed=seed).order
    truth = labels[order]
    return (
        variant,
        Path(path).stem,
        screening_metrics.wss(truth),
        screening_metrics.recall_after(truth, 0.1),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    sets = sorted(SETS_DIR.glob("*.csv"), key=lambda p: -p.stat().st_size)  # longest first
    for variant in args.variants:
        start = time.perf_counter()
        jobs = [(variant, str(path), seed) for path in sets for seed in args.seeds]
        figures: dict[str, list[tuple[float, float]]] = {}
        with ProcessPoolExecutor(args.jobs) as pool:
            for _, name, wss, recall in pool.map(run, jobs):
                figures.setdefault(name, []).append((wss, recall))
        wss_gaps, recall_gaps = [], []
        for name in sorted(figures):
            wss, recall = np.mean(figures[name], axis=0)
            theirs_wss, theirs_recall = ASREVIEW[name]
            wss_gaps.append(wss - theirs_wss)
            recall_gaps.append(recall - theirs_recall)
            print(
                f"  {name:24s} WSS@95 {wss:.3f} ({wss - theirs_wss:+.3f})"
                f"  recall@10% {recall:.3f} ({recall - theirs_recall:+.3f})"
            )
        print(
            f"{variant}: mean ΔWSS@95 {np.mean(wss_gaps):+.3f}, worst set {min(wss_gaps):+.3f},"
            f" mean Δrecall@10% {np.mean(recall_gaps):+.3f} against ASReview"
            f" ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
