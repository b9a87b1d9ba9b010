"""Prioritised screening against ASReview LAB, side by side in one run (issue 13).

    python bench/screening.py                    # every set, seeds 1-3, ASReview alongside
    python bench/screening.py --sets NSAIDS,ADHD --seeds 1 2 3 4 5
    python bench/screening.py --skip-asreview    # Realist's figures only (no reference venv)
    python bench/screening.py --select           # the leave-one-set-out choice of settings
    python bench/screening.py --latency-only     # step time against ASReview, scaling, memory

Protocol, the same for both tools: for each labelled set in ../shared/benchmarks/screening/
and each seed, 1 random prior include and 1 random prior exclude (the same rows for both,
from ``realist.domain.simulation.choose_priors``), a refit after every label, truth from
``label_included``. Figures as asreview-insights defines them (realist.domain.screening_metrics).
The reference is ASReview LAB 3.0.8's default model, run by bench/asreview/reference.py in its
own virtualenv (bench/asreview/setup.sh makes it; asreview is never a Realist dependency).

Stopping: Realist's rule (realist.domain.stopping) on Realist's orders, against BUSCAR as
buscarpy computes it (bench/asreview/buscar.py) on ASReview's orders: the share of records
screened when each stops and the recall there.

Latency: the median refit-and-rank step of each tool on the largest set (ACEInhibitors, 2,544
records), measured one tool at a time with nothing else running, and Realist's step on
generated reviews of 2,500 to 100,000 records (per-record cost must not grow). Memory: the
peak resident size above the process's baseline while 100,000 records are ranked.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# ../shared/benchmarks beside the project; REALIST_BENCHMARKS points elsewhere (a worktree).
SETS_DIR = (
    Path(os.environ.get("REALIST_BENCHMARKS", ROOT.parent / "shared" / "benchmarks")) / "screening"
)
ASREVIEW_PY = ROOT / "bench" / ".venv-asreview" / "bin" / "python"
REFERENCE = ROOT / "bench" / "asreview" / "reference.py"
BUSCAR = ROOT / "bench" / "asreview" / "buscar.py"
LATENCY_SET = "ACEInhibitors"
SCALE_SIZES = (2_500, 10_000, 25_000, 50_000, 100_000)


@dataclass
class Run:
    set: str
    seed: int
    order: list[int]
    step_seconds: list[float]
    step_cpu_seconds: list[float] = field(default_factory=list)


def load_set(path: Path) -> tuple[list[str], np.ndarray]:
    """A benchmark set as Realist reads it, checked row for row against the csv module: the
    row numbers both tools use must be the same rows."""
    from realist.services.simulation import read_labelled

    labelled = read_labelled(path)
    with path.open(newline="", encoding="utf-8") as handle:
        truth = [int(float(row["label_included"])) for row in csv.DictReader(handle)]
    if truth != labelled.labels.tolist():
        raise SystemExit(f"{path.name}: Realist read {len(labelled.labels)} rows, csv {len(truth)}")
    return labelled.texts, labelled.labels


def realist_run(
    job: tuple[str, int, str], overrides: dict | None = None, *, refit_to_end: bool = False
) -> Run:
    from dataclasses import replace

    from realist.domain import ranking, simulation

    name, seed, path = job
    texts, labels = load_set(Path(path))
    included, excluded = simulation.choose_priors(labels, 1, 1, seed)
    features = ranking.build_features(texts)
    settings = replace(ranking.DEFAULT_SETTINGS, **(overrides or {}))
    run = simulation.simulate(
        features,
        labels,
        included,
        excluded,
        seed=seed,
        settings=settings,
        refit_to_end=refit_to_end,
    )
    return Run(name, seed, run.order.tolist(), run.step_seconds, run.step_cpu_seconds)


# The candidate settings --select chooses among (each a change to DEFAULT_SETTINGS): the
# default, its neighbours, and the logistic regression of BMI that was the default before.
CANDIDATES: list[dict] = [
    {},
    {"regularisation_c": 0.11},
    {"regularisation_c": 1.0},
    {"presumed_excluded": 0},
    {"presumed_excluded": 100},
    {"include_ratio": 1.0},
    {
        "model": "logistic-regression",
        "regularisation_c": 3.0,
        "include_ratio": 1.0,
        "presumed_excluded": 100,
        "recent_excluded": 150,
        "older_excluded": 50,
    },
]


def _candidate_run(job: tuple[int, str, int, str]) -> tuple[int, str, int, float]:
    from realist.domain import screening_metrics

    index, name, seed, path = job
    run = realist_run((name, seed, path), CANDIDATES[index])
    truth = load_set(Path(path))[1]
    return index, name, seed, screening_metrics.wss(truth[run.order])


def select(args: argparse.Namespace, sets: list[Path]) -> None:
    """Leave-one-set-out: for each set, the candidate with the best mean WSS@95 over the
    other sets, and the figure that choice gets on the set left out."""
    jobs = [
        (i, p.stem, seed, str(p))
        for i in range(len(CANDIDATES))
        for p in sets
        for seed in args.seeds
    ]
    with ProcessPoolExecutor(args.jobs) as pool:
        found = list(pool.map(_candidate_run, jobs))
    wss: dict[tuple[int, str], list[float]] = {}
    for index, name, _, value in found:
        wss.setdefault((index, name), []).append(value)
    mean = {key: statistics.mean(values) for key, values in wss.items()}
    names = [p.stem for p in sets]
    rows, held_out, chosen_count = [], [], [0] * len(CANDIDATES)
    for left_out in names:
        others = [n for n in names if n != left_out]
        best = max(
            range(len(CANDIDATES)), key=lambda i: statistics.mean(mean[i, n] for n in others)
        )
        chosen_count[best] += 1
        held_out.append(mean[best, left_out])
        rows.append([left_out, json.dumps(CANDIDATES[best]), f"{mean[best, left_out]:.3f}"])
    print(table(["set left out", "chosen on the other sets", "WSS@95 on the set left out"], rows))
    print(f"\nmean WSS@95 on the sets left out: {statistics.mean(held_out):.3f}")
    print(
        table(
            ["candidate", "mean WSS@95 over all sets", "chosen in folds"],
            [
                [
                    json.dumps(c),
                    f"{statistics.mean(mean[i, n] for n in names):.3f}",
                    str(chosen_count[i]),
                ]
                for i, c in enumerate(CANDIDATES)
            ],
        )
    )


def asreview_runs(jobs: list[tuple[str, int, str]], processes: int) -> dict[tuple[str, int], Run]:
    from realist.domain import simulation

    runs = []
    for name, seed, path in jobs:
        _, labels = load_set(Path(path))
        included, excluded = simulation.choose_priors(labels, 1, 1, seed)
        runs.append(
            {
                "set": name,
                "data": path,
                "seed": seed,
                "prior_included": included,
                "prior_excluded": excluded,
            }
        )
    with tempfile.TemporaryDirectory() as scratch:
        spec, out = Path(scratch, "runs.json"), Path(scratch, "asreview.jsonl")
        spec.write_text(json.dumps({"runs": runs}))
        subprocess.run(
            [
                str(ASREVIEW_PY),
                str(REFERENCE),
                str(spec),
                "--out",
                str(out),
                "--jobs",
                str(processes),
            ],
            check=True,
        )
        found = {}
        for line in out.read_text().splitlines():
            item = json.loads(line)
            found[item["set"], item["seed"]] = Run(
                item["set"],
                item["seed"],
                item["order"],
                item["step_seconds"],
                item.get("step_cpu_seconds", []),
            )
    return found


def buscar_stops(orders: dict[str, list[int]], sizes: dict[str, int]) -> dict[str, dict]:
    """Where BUSCAR (buscarpy, unchanged) stops on each order of labels."""
    with tempfile.TemporaryDirectory() as scratch:
        spec, out = Path(scratch, "orders.jsonl"), Path(scratch, "buscar.jsonl")
        spec.write_text(
            "".join(
                json.dumps({"key": key, "labels_in_order": labels, "n": sizes[key]}) + "\n"
                for key, labels in orders.items()
            )
        )
        subprocess.run(
            [str(ASREVIEW_PY), str(BUSCAR), str(spec), "--out", str(out), "--every", "auto"],
            check=True,
        )
        return {json.loads(line)["key"]: json.loads(line) for line in out.read_text().splitlines()}


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def quality(args: argparse.Namespace, sets: list[Path]) -> dict:
    from realist.domain import screening_metrics, stopping

    jobs = [(p.stem, seed, str(p)) for p in sets for seed in args.seeds]
    labels = {p.stem: load_set(p)[1] for p in sets}
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        ours = {(r.set, r.seed): r for r in pool.map(realist_run, jobs)}
    print(f"Realist: {len(jobs)} runs in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    theirs = {} if args.skip_asreview else asreview_runs(jobs, args.jobs)

    per_set, stops = [], []
    for path in sets:
        name, truth = path.stem, labels[path.stem]
        row = {"set": name, "records": len(truth), "relevant": int(truth.sum())}
        for tool, runs in (("realist", ours), ("asreview", theirs)):
            figures = [
                screening_metrics.figures(truth[runs[name, s].order])
                for s in args.seeds
                if (name, s) in runs
            ]
            if figures:
                row[tool] = {
                    "wss_95": statistics.mean(f.wss_95 for f in figures),
                    "recall_10": statistics.mean(f.recall_10 for f in figures),
                    "recall_25": statistics.mean(f.recall_25 for f in figures),
                }
        per_set.append(row)
        for seed in args.seeds:
            in_order = truth[ours[name, seed].order]
            at = stopping.first_stop(in_order, len(truth))
            stops.append(
                {
                    "set": name,
                    "seed": seed,
                    "records": len(truth),
                    "realist_stop": at,
                    "realist_recall": float(in_order[:at].sum() / truth.sum()),
                }
            )
    if theirs:
        orders = {
            f"{s['set']}/{s['seed']}": truth_order(
                labels[s["set"]], theirs[s["set"], s["seed"]].order
            )
            for s in stops
        }
        sizes = {key: len(value) for key, value in orders.items()}
        busy = buscar_stops(orders, sizes)
        for s in stops:
            found = busy[f"{s['set']}/{s['seed']}"]
            s["buscar_stop"], s["buscar_recall"] = found["stop_position"], found["recall_at_stop"]
    return {
        "per_set": per_set,
        "stops": stops,
        # Realist's labels in the order screened, for bench/stopping_bias.py.
        "orders": {
            f"{name}/{seed}": {
                "labels": truth_order(labels[name], run.order),
                "n": len(labels[name]),
            }
            for (name, seed), run in ours.items()
        },
        "step_seconds": {"realist": [t for r in ours.values() for t in r.step_seconds]},
    }


def truth_order(truth: np.ndarray, order: list[int]) -> list[int]:
    return truth[order].astype(int).tolist()


def report_quality(result: dict, asreview: bool) -> None:
    rows, wss_gaps = [], []
    for item in result["per_set"]:
        ours = item["realist"]
        row = [item["set"], f"{item['records']:,}", str(item["relevant"]), f"{ours['wss_95']:.3f}"]
        if asreview:
            ref = item["asreview"]
            wss_gaps.append(ours["wss_95"] - ref["wss_95"])
            row += [
                f"{ref['wss_95']:.3f}",
                f"{ours['wss_95'] - ref['wss_95']:+.3f}",
                f"{ours['recall_10']:.3f}",
                f"{ref['recall_10']:.3f}",
                f"{ours['recall_10'] - ref['recall_10']:+.3f}",
            ]
        else:
            row += [f"{ours['recall_10']:.3f}", f"{ours['recall_25']:.3f}"]
        rows.append(row)
    mean = {
        tool: {
            k: statistics.mean(i[tool][k] for i in result["per_set"])
            for k in ("wss_95", "recall_10")
        }
        for tool in (("realist", "asreview") if asreview else ("realist",))
    }
    if asreview:
        headers = [
            "set",
            "records",
            "relevant",
            "WSS@95 Realist",
            "ASReview",
            "Δ",
            "recall@10% Realist",
            "ASReview",
            "Δ",
        ]
        rows.append(
            [
                "**mean**",
                "",
                "",
                f"{mean['realist']['wss_95']:.3f}",
                f"{mean['asreview']['wss_95']:.3f}",
                f"{mean['realist']['wss_95'] - mean['asreview']['wss_95']:+.3f}",
                f"{mean['realist']['recall_10']:.3f}",
                f"{mean['asreview']['recall_10']:.3f}",
                f"{mean['realist']['recall_10'] - mean['asreview']['recall_10']:+.3f}",
            ]
        )
    else:
        headers = ["set", "records", "relevant", "WSS@95", "recall@10%", "recall@25%"]
        rows.append(
            [
                "**mean**",
                "",
                "",
                f"{mean['realist']['wss_95']:.3f}",
                f"{mean['realist']['recall_10']:.3f}",
                "",
            ]
        )
    print(table(headers, rows))
    if asreview:
        d_wss = mean["realist"]["wss_95"] - mean["asreview"]["wss_95"]
        d_r10 = mean["realist"]["recall_10"] - mean["asreview"]["recall_10"]
        print(f"\ngoal mean WSS@95 ≥ ASReview + 0.05: {d_wss:+.3f} -> {_met(d_wss >= 0.05)}")
        print(
            f"goal no set below ASReview by more than 0.02: worst {min(wss_gaps):+.3f} -> "
            f"{_met(min(wss_gaps) >= -0.02)}"
        )
        print(f"goal mean recall@10% ≥ ASReview + 0.05: {d_r10:+.3f} -> {_met(d_r10 >= 0.05)}")

    stops = result["stops"]
    print("\nStopping (target recall 95%, confidence 95%), per run:")
    rows = []
    for s in stops:
        row = [
            f"{s['set']}/{s['seed']}",
            f"{s['realist_stop'] / s['records']:.1%}",
            f"{s['realist_recall']:.3f}",
        ]
        if "buscar_stop" in s:
            row += [f"{s['buscar_stop'] / s['records']:.1%}", f"{s['buscar_recall']:.3f}"]
        rows.append(row)
    headers = ["run", "Realist: screened at stop", "recall"]
    if asreview:
        headers += ["BUSCAR on ASReview: screened", "recall"]
    print(table(headers, rows))
    reliable = statistics.mean(s["realist_recall"] >= 0.95 for s in stops)
    share = statistics.mean(s["realist_stop"] / s["records"] for s in stops)
    print(
        f"\nRealist's rule: recall ≥ 95% at the stop in {reliable:.1%} of {len(stops)} runs "
        f"(goal ≥ 95%: {_met(reliable >= 0.95)}); mean share screened {share:.1%}"
    )
    if asreview:
        b_reliable = statistics.mean(s["buscar_recall"] >= 0.95 for s in stops)
        b_share = statistics.mean(s["buscar_stop"] / s["records"] for s in stops)
        print(
            f"BUSCAR on ASReview's orders: recall ≥ 95% in {b_reliable:.1%}; mean share "
            f"screened {b_share:.1%}; Realist's share is {share / b_share:.2f}× BUSCAR's "
            f"(goal < 1: {_met(share < b_share)})"
        )


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def generated_texts(count: int, seed: int = 7) -> tuple[list[str], np.ndarray]:
    """A review of ``count`` records made of the benchmark sets' titles and abstracts, each
    record a random title with another record's abstract (timing only)."""
    pool_t, pool_a, pool_y = [], [], []
    for path in sorted(SETS_DIR.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                pool_t.append(row.get("title") or "")
                pool_a.append(row.get("abstract") or "")
                pool_y.append(int(float(row["label_included"])))
    rng = np.random.default_rng(seed)
    titles = rng.integers(0, len(pool_t), count)
    abstracts = rng.integers(0, len(pool_a), count)
    texts = [f"{pool_t[t]}\n{pool_a[a]}" for t, a in zip(titles, abstracts, strict=True)]
    return texts, np.asarray([pool_y[a] for a in abstracts])


def step_latency(count: int, labelled: int = 200, steps: int = 30) -> dict:
    """Median refit-and-rank of Realist's model on a generated review of ``count`` records
    with ``labelled`` decisions made (as a reviewer part-way through)."""
    from realist.domain import ranking

    texts, labels = generated_texts(count)
    start = time.perf_counter()
    features = ranking.build_features(texts)
    built = time.perf_counter() - start
    rng = np.random.default_rng(1)
    relevant, irrelevant = np.flatnonzero(labels == 1), np.flatnonzero(labels == 0)
    included = rng.choice(relevant, size=min(20, len(relevant)), replace=False)
    excluded = rng.choice(irrelevant, size=labelled - len(included), replace=False)
    waiting = np.setdiff1d(np.arange(count), np.concatenate([included, excluded]))
    times = []
    for step in range(steps):
        start = time.process_time()
        model = ranking.fit(features, included, excluded, waiting, seed=step)
        assert model is not None
        row_scores = ranking.scores(model, features)
        int(waiting[np.argmax(row_scores[waiting])])
        times.append(time.process_time() - start)
    return {"records": count, "features_seconds": built, "median_step": statistics.median(times)}


def memory_child(count: int) -> None:
    """Run in a fresh process: the peak resident memory above the baseline while ``count``
    records are featurised, fitted and ranked, printed as JSON."""
    texts, labels = generated_texts(count)
    from realist.domain import ranking  # imported before the baseline: it is part of it

    baseline = _peak_kb()
    features = ranking.build_features(texts)
    model = ranking.fit(
        features,
        np.flatnonzero(labels == 1)[:20],
        np.flatnonzero(labels == 0)[:180],
        np.arange(count),
        seed=1,
    )
    assert model is not None
    ranking.order(ranking.scores(model, features), np.arange(count))
    print(json.dumps({"records": count, "peak_above_baseline_mb": (_peak_kb() - baseline) / 1024}))


def _peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def latency(args: argparse.Namespace) -> None:
    """Both tools screen the whole of one set, refitting after every label to the last
    record, one tool at a time. The goal is judged on each step's CPU time (the process's own
    work, which other load on a shared machine does not inflate); wall time is shown beside."""
    path = SETS_DIR / f"{LATENCY_SET}.csv"
    print(f"\nStep latency on {LATENCY_SET}, seed 1, every record, one tool at a time:")
    ours = realist_run((LATENCY_SET, 1, str(path)), refit_to_end=True)
    ours_cpu = statistics.median(ours.step_cpu_seconds)
    line = (
        f"- Realist: median refit+rank {ours_cpu * 1000:.1f} ms CPU "
        f"({statistics.median(ours.step_seconds) * 1000:.1f} ms wall) over "
        f"{len(ours.step_cpu_seconds)} steps"
    )
    if not args.skip_asreview:
        theirs = asreview_runs([(LATENCY_SET, 1, str(path))], 1)[LATENCY_SET, 1]
        theirs_cpu = statistics.median(theirs.step_cpu_seconds)
        line += (
            f"\n- ASReview: median refit+rank {theirs_cpu * 1000:.1f} ms CPU "
            f"({statistics.median(theirs.step_seconds) * 1000:.1f} ms wall) over "
            f"{len(theirs.step_cpu_seconds)} steps\n- Realist/ASReview (CPU) = "
            f"{ours_cpu / theirs_cpu:.2f} (goal ≤ 0.25: {_met(ours_cpu <= theirs_cpu / 4)})"
        )
    print(line)
    print("\nRealist's step as the review grows (200 decisions made, 30 refits each):")
    rows, first = [], None
    for count in SCALE_SIZES:
        found = step_latency(count)
        first = first or found
        per_record = found["median_step"] / count
        rows.append(
            [
                f"{count:,}",
                f"{found['features_seconds']:.1f} s",
                f"{found['median_step'] * 1000:.1f} ms",
                f"{per_record / (first['median_step'] / first['records']):.2f}",
            ]
        )
    print(
        table(
            ["records", "features (once)", "median refit+rank (CPU)", "per-record cost vs 2,500"],
            rows,
        )
    )
    child = subprocess.run(
        [sys.executable, __file__, "--memory-child", str(SCALE_SIZES[-1])],
        check=True,
        capture_output=True,
        text=True,
    )
    memory = json.loads(child.stdout)
    print(
        f"\nMemory: {memory['records']:,} records featurised, fitted and ranked: peak "
        f"{memory['peak_above_baseline_mb']:.0f} MB above the process's baseline "
        f"(goal ≤ 1024: {_met(memory['peak_above_baseline_mb'] <= 1024)})"
    )


def _sets(args: argparse.Namespace) -> list[Path]:
    wanted = set(args.sets.split(",")) if args.sets else None
    sets = [p for p in sorted(SETS_DIR.glob("*.csv")) if not wanted or p.stem in wanted]
    if not sets:
        raise SystemExit(f"no screening sets in {SETS_DIR}")
    return sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", help="comma-separated set names (default: all)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--skip-asreview", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument(
        "--latency-only", action="store_true", help="only the step time, scaling and memory"
    )
    parser.add_argument(
        "--select",
        action="store_true",
        help="choose the model's settings leave-one-set-out (Realist only)",
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    if args.select:
        select(args, _sets(args))
        return
    if not args.skip_asreview and not ASREVIEW_PY.exists():
        raise SystemExit(
            "the ASReview reference is not set up: run bench/asreview/setup.sh "
            "(or pass --skip-asreview)"
        )
    if args.latency_only:
        latency(args)
        return
    sets = _sets(args)
    result = quality(args, sets)
    print(f"# Prioritised screening, {len(sets)} sets × seeds {args.seeds}\n")
    report_quality(result, not args.skip_asreview)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    if not args.skip_latency:
        latency(args)


if __name__ == "__main__":
    main()
