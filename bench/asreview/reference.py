"""Simulate ASReview LAB's default model on labelled CSV sets: the reference side of
bench/screening.py.

Runs under bench/.venv-asreview/bin/python (made by bench/asreview/setup.sh), never under
Realist's .venv: it imports asreview, numpy, pandas and the standard library, not realist.

    bench/.venv-asreview/bin/python bench/asreview/reference.py RUNS.json [--out FILE] [--jobs N]
    bench/.venv-asreview/bin/python bench/asreview/reference.py --self-check

RUNS.json is {"runs": [{"set": "ACEInhibitors", "data": "/abs/path.csv", "seed": 1,
"prior_included": [row], "prior_excluded": [row]}, ...]}, rows 0-based in the file order of
the CSV's data rows (the header is not a row; fully blank lines are skipped, as csv.DictReader
and pandas both do). One JSON line per run is written, in input order (see README.md).

What is simulated is what `asreview simulate DATA.csv --prior-idx ... --seed S --n-stop -1`
does with ASReview's default AI (ELAS u4): the same ASReview classes (load_dataset,
ActiveLearningCycle.from_meta(get_ai_config()), the top-down cycle that only runs while the
training set lacks a class, Simulate) and the same seeding (numpy.random.seed(seed), which
LinearSVC's liblinear solver draws its seed from). Nothing of the model is reimplemented.
Truth is the CSV's label_included column, read here and checked against what ASReview read.
"""

from __future__ import annotations

import argparse
import atexit
import csv
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

import numpy as np

# Importing asreview imports synergy_dataset, which installs a requests-cache that creates
# synergy_cache.sqlite in the working directory: import it from a scratch directory instead.
_cwd = os.getcwd()
_scratch = tempfile.mkdtemp(prefix="asreview-reference-")
atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
os.chdir(_scratch)
try:
    from asreview.data.loader import load_dataset
    from asreview.learner import ActiveLearningCycle
    from asreview.models.models import get_ai_config
    from asreview.models.queriers import TopDown
    from asreview.models.stoppers import IsFittable
    from asreview.simulation.simulate import Simulate
finally:
    os.chdir(_cwd)

LABEL_COLUMN = "label_included"
PROGRESS_EVERY_SECONDS = 20.0


class ReferenceError(Exception):
    """A run that cannot be simulated faithfully (unreadable row, misaligned rows, bad priors)."""


# --------------------------------------------------------------------------------------
# Reading the CSV ourselves, and checking ASReview read the same rows in the same order.
# --------------------------------------------------------------------------------------


def read_truth(path: str) -> tuple[list[dict[str, str]], np.ndarray]:
    """The CSV's data rows (file order) and their label_included as 0/1.

    Fails naming the column and line when the column is missing or holds anything but 0/1.
    """
    csv.field_size_limit(sys.maxsize)
    rows: list[dict[str, str]] = []
    labels: list[int] = []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or LABEL_COLUMN not in reader.fieldnames:
            raise ReferenceError(
                f"{path}: no '{LABEL_COLUMN}' column (columns: {reader.fieldnames})"
            )
        for row in reader:
            value = (row.get(LABEL_COLUMN) or "").strip()
            if value not in ("0", "1"):
                raise ReferenceError(
                    f"{path}: line {reader.line_num} (row {len(rows)}): "
                    f"'{LABEL_COLUMN}' is {value!r}, expected 0 or 1"
                )
            rows.append(row)
            labels.append(int(value))
    return rows, np.asarray(labels, dtype=np.int64)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return str(value)


def load_aligned(path: str, name: str, rows: list[dict[str, str]], labels: np.ndarray):
    """Load the file with ASReview's own reader and map its record ids to our row indices.

    ASReview keeps `dataset_row` (its pandas row index) on every record and numbers records
    0..N-1 as its feature-matrix rows. We require that every CSV data row became exactly one
    record, with the same title, abstract and label; anything else fails here, naming the row.
    Returns (ASReview's record DataFrame, row_of_record array, notes dict).
    """
    try:
        db = load_dataset(path, dataset_id=name)
    except Exception as exc:  # ASReview's own message names the row it could not read
        raise ReferenceError(f"{path}: ASReview could not read the file: {exc}") from exc
    df = db.input.get_df()
    n = len(rows)
    if len(df) != n:
        raise ReferenceError(f"{path}: ASReview read {len(df)} records, the CSV has {n} data rows")
    record_ids = df["record_id"].to_numpy(dtype=np.int64)
    if not np.array_equal(record_ids, np.arange(n)):
        raise ReferenceError(f"{path}: ASReview's record ids are not 0..{n - 1}")
    row_of_record = df["dataset_row"].to_numpy(dtype=np.int64)
    if sorted(row_of_record.tolist()) != list(range(n)):
        missing = sorted(set(range(n)) - set(row_of_record.tolist()))[:10]
        raise ReferenceError(f"{path}: ASReview has no record for rows {missing}")

    read_as_empty: list[dict[str, Any]] = []
    for record_id in range(n):
        row_index = int(row_of_record[record_id])
        row = rows[row_index]
        for column in ("title", "abstract"):
            ours = row.get(column) or ""
            theirs = _text(df.at[record_id, column])
            if ours == theirs:
                continue
            if theirs == "" and ours.strip() != "":
                # pandas reads the strings 'NA', 'null', 'None', 'nan'... as missing.
                read_as_empty.append({"row": row_index, "column": column, "csv": ours[:40]})
                continue
            if theirs == "" and ours.strip() == "":
                continue  # whitespace-only: empty to both TF-IDF and us
            raise ReferenceError(
                f"{path}: row {row_index} ({column}) reads differently in ASReview: "
                f"csv {ours[:60]!r} vs asreview {theirs[:60]!r}"
            )
        included = df.at[record_id, "included"] if "included" in df.columns else None
        if included is None or (isinstance(included, float) and np.isnan(included)):
            raise ReferenceError(f"{path}: ASReview read no label for row {row_index}")
        if int(included) != int(labels[row_index]):
            raise ReferenceError(
                f"{path}: row {row_index}: ASReview's label {int(included)} differs from "
                f"'{LABEL_COLUMN}' {int(labels[row_index])} (did it pick another label column?)"
            )

    dup_of = df["duplicate_of"] if "duplicate_of" in df.columns else None
    n_dups = int(dup_of.notna().sum()) if dup_of is not None else 0
    empty_text = int(
        sum(
            1
            for rid in range(n)
            if not (_text(df.at[rid, "title"]).strip() or _text(df.at[rid, "abstract"]).strip())
        )
    )
    notes = {
        # ASReview marks records whose cleaned title+abstract equal another's as duplicates
        # on import; `asreview simulate` ignores the marks unless --group-similar-records,
        # so here every record is screened and labelled on its own, as by default.
        "asreview_marked_duplicates": n_dups,
        "empty_title_and_abstract": empty_text,
        "read_as_empty_by_asreview": read_as_empty,
    }
    return df, row_of_record, notes


# --------------------------------------------------------------------------------------
# The timed cycle: ASReview's ActiveLearningCycle, with fit and rank timed.
# --------------------------------------------------------------------------------------


class TimedCycle(ActiveLearningCycle):
    """ASReview's ActiveLearningCycle, unchanged, with its fit and rank calls timed.

    Step time = wall time of cycle.fit (balancer sample weights + LinearSVC.fit on the
    labelled rows) + wall time of cycle.rank (decision_function on the unlabelled rows + the
    Max querier's argsort), measured with time.perf_counter around ASReview's own calls.
    Not counted: Simulate's bookkeeping between them (slicing the sparse feature matrix,
    np.setdiff1d for the pool, pandas.concat of the results), nor the one-off TF-IDF
    transform (feature_seconds). `loop_seconds` is the wall time between the starts of two
    consecutive fits, i.e. the whole simulated step including that bookkeeping.
    step_cpu_seconds is the same window in process CPU time (time.process_time): on a shared
    machine wall time includes waiting for a core, CPU time does not.
    """

    def start_timing(self, label: str, n_records: int) -> None:
        self.step_seconds: list[float] = []
        self.step_cpu_seconds: list[float] = []
        self.loop_seconds: list[float] = []
        self.feature_seconds = 0.0
        self._label = label
        self._n_records = n_records
        self._fit_seconds = 0.0
        self._fit_cpu_seconds = 0.0
        self._last_fit_start: float | None = None
        self._started = time.perf_counter()
        self._last_progress = self._started

    def transform(self, X):
        t0 = time.perf_counter()
        out = super().transform(X)
        self.feature_seconds += time.perf_counter() - t0
        return out

    def fit(self, X, y):
        t0, c0 = time.perf_counter(), time.process_time()
        if self._last_fit_start is not None:
            self.loop_seconds.append(t0 - self._last_fit_start)
        self._last_fit_start = t0
        out = super().fit(X, y)
        self._fit_seconds = time.perf_counter() - t0
        self._fit_cpu_seconds = time.process_time() - c0
        return out

    def rank(self, X):
        t0, c0 = time.perf_counter(), time.process_time()
        out = super().rank(X)
        t1, c1 = time.perf_counter(), time.process_time()
        self.step_seconds.append(self._fit_seconds + (t1 - t0))
        self.step_cpu_seconds.append(self._fit_cpu_seconds + (c1 - c0))
        if t1 - self._last_progress >= PROGRESS_EVERY_SECONDS:
            self._last_progress = t1
            done = self._n_records - X.shape[0]
            rate = done / (t1 - self._started)
            _progress(f"{self._label}: {done}/{self._n_records} labelled, {rate:.1f} records/s")
        return out


def _progress(message: str) -> None:
    print(f"[reference] {message}", file=sys.stderr, flush=True)


def _ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{1000 * seconds:.1f} ms"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


# --------------------------------------------------------------------------------------
# One run.
# --------------------------------------------------------------------------------------


def simulate_run(run: dict[str, Any], label: str = "") -> dict[str, Any]:
    """Simulate one run to the last record and return its output line (a dict)."""
    started = time.perf_counter()
    name = str(run["set"])
    path = str(run["data"])
    seed = int(run["seed"])
    prior_included = [int(i) for i in run.get("prior_included", [])]
    prior_excluded = [int(i) for i in run.get("prior_excluded", [])]
    label = label or f"{name} seed {seed}"

    rows, labels = read_truth(path)
    n = len(rows)
    for kind, wanted, indices in (
        ("prior_included", 1, prior_included),
        ("prior_excluded", 0, prior_excluded),
    ):
        for i in indices:
            if not 0 <= i < n:
                raise ReferenceError(f"{label}: {kind} row {i} is outside 0..{n - 1}")
            if labels[i] != wanted:
                raise ReferenceError(
                    f"{label}: {kind} row {i} has {LABEL_COLUMN}={labels[i]}, not {wanted}"
                )
    priors = prior_included + prior_excluded
    if len(set(priors)) != len(priors):
        raise ReferenceError(f"{label}: a prior row is given twice: {priors}")

    df, row_of_record, notes = load_aligned(path, name, rows, labels)
    record_of_row = np.empty(n, dtype=np.int64)
    record_of_row[row_of_record] = np.arange(n)
    # Labels in record order (ASReview's feature-matrix order), from label_included.
    record_labels = labels[row_of_record]

    # As `asreview simulate --seed S` does: seed numpy's global state, from which
    # LinearSVC's solver seed is drawn at every fit (the ELAS u4 config sets no random_state).
    np.random.seed(seed)

    ai = get_ai_config()  # the default: ELAS u4
    cycle = TimedCycle.from_meta(ai["value"])
    cycle.start_timing(label, n)
    cycles = [ActiveLearningCycle(querier=TopDown(), stopper=IsFittable()), cycle]
    sim = Simulate(df, record_labels, cycles, stopper=-1, print_progress=False)
    if priors:
        sim.label(record_of_row[priors])  # priors labelled first, in the given order
    sim.review()

    results = sim._results
    order_records = results["record_id"].to_numpy(dtype=np.int64)
    if len(order_records) != n or len(set(order_records.tolist())) != n:
        raise ReferenceError(
            f"{label}: ASReview labelled {len(order_records)} records "
            f"({len(set(order_records.tolist()))} distinct) of {n}"
        )
    order = row_of_record[order_records].tolist()
    if order[: len(priors)] != priors:
        raise ReferenceError(f"{label}: the order does not start with the priors")
    if not np.array_equal(results["label"].to_numpy(dtype=np.int64), labels[order]):
        raise ReferenceError(f"{label}: ASReview's recorded labels differ from the truth")

    meta = asdict(cycle.to_meta())
    wall = time.perf_counter() - started
    steps = cycle.step_seconds
    return {
        "set": name,
        "seed": seed,
        "order": order,
        "step_seconds": [round(s, 6) for s in steps],
        "step_cpu_seconds": [round(s, 6) for s in cycle.step_cpu_seconds],
        "asreview_version": package_version("asreview"),
        "model": _jsonable(
            {
                "ai": ai["name"],
                "label": ai["label"],
                **meta,
                "seeding": "numpy.random.seed(seed) before the run, as `asreview simulate --seed`",
                "group_similar_records": False,
                "refit": "after every label (n_query 1)",
                "start_cycle": "top-down until both classes are labelled (none with 1+1 priors)",
                "scikit_learn_version": package_version("scikit-learn"),
            }
        ),
        "n_records": n,
        "n_included": int(labels.sum()),
        "prior_included": prior_included,
        "prior_excluded": prior_excluded,
        "feature_seconds": round(cycle.feature_seconds, 6),
        "step_median_seconds": round(statistics.median(steps), 6) if steps else None,
        "step_cpu_median_seconds": (
            round(statistics.median(cycle.step_cpu_seconds), 6) if steps else None
        ),
        "loop_median_seconds": (
            round(statistics.median(cycle.loop_seconds), 6) if cycle.loop_seconds else None
        ),
        "wall_seconds": round(wall, 3),
        **notes,
    }


def _worker(args: tuple[int, int, dict[str, Any]]) -> tuple[int, dict[str, Any] | None, str]:
    k, total, run = args
    label = f"run {k + 1} of {total}: {run.get('set')} seed {run.get('seed')}"
    try:
        return k, simulate_run(run, label), ""
    except Exception as exc:
        detail = "" if isinstance(exc, ReferenceError) else "\n" + traceback.format_exc()
        message = str(exc) if str(exc).startswith(label) else f"{label}: {exc}"
        return k, None, f"FAILED {message}{detail}"


def run_all(runs: list[dict[str, Any]], out, jobs: int) -> int:
    """Simulate every run, writing one JSON line per run in input order. Returns exit code."""
    total = len(runs)
    tasks = [(k, total, run) for k, run in enumerate(runs)]
    done: dict[int, dict[str, Any]] = {}
    next_to_write = 0
    failures: list[str] = []
    started = time.perf_counter()

    def handle(k: int, result: dict[str, Any] | None, error: str) -> None:
        nonlocal next_to_write
        if result is None:
            failures.append(error)
            _progress(error)
            return
        rate = result["n_records"] / result["wall_seconds"]
        _progress(
            f"run {k + 1} of {total} done: {result['set']} seed {result['seed']}, "
            f"{result['n_records']} records in {result['wall_seconds']:.1f} s "
            f"({rate:.1f} records/s, median step {_ms(result['step_median_seconds'])} wall, "
            f"{_ms(result['step_cpu_median_seconds'])} CPU)"
        )
        done[k] = result
        while next_to_write in done:
            out.write(json.dumps(done.pop(next_to_write)) + "\n")
            out.flush()
            next_to_write += 1

    for k, run in enumerate(runs):
        _progress(f"run {k + 1} of {total} queued: {run.get('set')} seed {run.get('seed')}")
    if jobs <= 1:
        for task in tasks:
            handle(*_worker(task))
            if failures:
                break
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for k, result, error in pool.map(_worker, tasks):
                handle(k, result, error)
                if failures:
                    pool.shutdown(wait=False, cancel_futures=True)
                    break
    _progress(
        f"{len(done) + next_to_write} of {total} runs in {time.perf_counter() - started:.1f} s"
    )
    if failures:
        _progress(f"FAILED ({len(failures)}); runs after the failure were not written")
        return 2
    return 0


# --------------------------------------------------------------------------------------
# Self-check: a small synthetic set through the whole path, plus the loud failures.
# --------------------------------------------------------------------------------------


def _write_csv(path: Path, rows: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)


class _Checks:
    """Collects named checks and prints them as ok/FAIL lines with a pytest-like tally."""

    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []

    def __call__(self, name: str, passed: bool, detail: str = "") -> None:
        self.results.append((name, bool(passed), detail))

    def fails(self, name: str, call, expect_in: str = "") -> None:
        """Check that call() raises ReferenceError (whose message holds expect_in)."""
        try:
            call()
        except ReferenceError as exc:
            self(name, expect_in in str(exc), str(exc)[:160])
            return
        self(name, False, "no error")

    def report(self) -> int:
        for name, passed, detail in self.results:
            print(f"{'ok  ' if passed else 'FAIL'} {name}{': ' + detail if detail else ''}")
        passed = sum(p for _, p, _ in self.results)
        print(f"{passed} passed, {len(self.results) - passed} failed")
        return 0 if passed == len(self.results) else 1


def _toy_rows() -> list[dict[str, str]]:
    rng = np.random.default_rng(7)
    filler = ["weather", "rainfall", "river", "erosion", "soil", "crop", "harvest", "tractor"]
    filler += ["market", "price", "wheat", "railway", "bridge", "steel", "concrete", "bus"]
    rows: list[dict[str, str]] = []
    for i in range(80):
        words = " ".join(rng.choice(filler, 12))
        title = f"Study {i} of {words[:30]}"
        rows.append({"record_id": str(i + 1), "title": title, "abstract": words})
        rows[-1]["label_included"] = "0"
    for i in (5, 17, 33, 48, 61, 77):  # the relevant ones share a distinctive vocabulary
        rows[i]["title"] = f"Statin myopathy trial {i}"
        rows[i]["abstract"] = "statin myopathy randomised trial muscle pain creatine kinase"
        rows[i]["label_included"] = "1"
    rows[20]["abstract"] = ""  # empty abstract
    rows[21]["title"], rows[21]["abstract"] = "", ""  # empty record
    rows[22]["title"], rows[22]["abstract"] = rows[23]["title"], rows[23]["abstract"]  # duplicate
    rows[24]["title"] = "NA"  # pandas reads this as missing
    return rows


def self_check() -> int:
    """Runs the synthetic checks; prints what each found and returns 0 when all hold."""
    check = _Checks()
    rows = _toy_rows()
    n = len(rows)
    with tempfile.TemporaryDirectory() as tmp:
        good = Path(tmp) / "toy.csv"
        _write_csv(good, rows)
        run = {"set": "toy", "data": str(good), "seed": 1}
        run |= {"prior_included": [5], "prior_excluded": [0]}
        a = simulate_run(run)
        b = simulate_run(run)
        order, steps = a["order"], a["step_seconds"]
        check("order is a permutation of all rows", sorted(order) == list(range(n)), str(n))
        check("priors first", order[:2] == [5, 0], str(order[:2]))
        check("one step per record after the priors", len(steps) == n - 2, str(len(steps)))
        found = order[2:7]
        check(
            "the 5 other relevant rows come next", sorted(found) == [17, 33, 48, 61, 77], str(found)
        )
        check("same seed, same order", a["order"] == b["order"])
        dups = a["asreview_marked_duplicates"]
        check("the duplicate is marked by ASReview", dups == 1, str(dups))
        empty = a["read_as_empty_by_asreview"]
        check("'NA' title noted as read empty", any(x["row"] == 24 for x in empty), str(empty))
        model = a["model"]
        check("model is ELAS u4", model["ai"] == "elas_u4" and model["classifier"] == "svm")

        swapped = [dict(r) for r in rows]
        swapped[30], swapped[31] = swapped[31], swapped[30]
        swapped_labels = np.asarray([int(r["label_included"]) for r in swapped])
        # As if ASReview had read the rows in another order than the CSV's.
        check.fails(
            "misaligned rows fail naming the row",
            lambda: load_aligned(str(good), "toy", swapped, swapped_labels),
            "row 30",
        )

        buffer = io.StringIO()
        code = run_all([run, {**run, "seed": 2, "prior_included": [17]}], buffer, jobs=2)
        lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
        check(
            "--jobs 2 writes both runs in input order, seed 1 as when run alone",
            code == 0 and [x["seed"] for x in lines] == [1, 2] and lines[0]["order"] == order,
            f"exit {code}, {len(lines)} lines",
        )

        bad = [dict(r) for r in rows]
        bad[40]["label_included"] = "maybe"
        bad_path = Path(tmp) / "bad.csv"
        _write_csv(bad_path, bad)
        check.fails(
            "bad label fails naming the line",
            lambda: simulate_run({**run, "data": str(bad_path)}),
            "line 42",
        )
        check.fails(
            "an excluded row given as prior include fails",
            lambda: simulate_run({**run, "prior_included": [0]}),
            "prior_included row 0",
        )
        numeric = [{**r, "title": str(len(r["title"]))} for r in rows]  # pandas reads ints
        numeric_path = Path(tmp) / "numeric.csv"
        _write_csv(numeric_path, numeric)
        check.fails(
            "an all-numeric title column fails loudly, naming the row",
            lambda: simulate_run({**run, "data": str(numeric_path)}),
            "row 0",
        )
    return check.report()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="?", help='JSON file {"runs": [...]}')
    parser.add_argument("--out", help="write the JSON lines here (default: stdout)")
    parser.add_argument("--jobs", type=int, default=1, help="runs simulated at once (processes)")
    parser.add_argument("--self-check", action="store_true", help="run the built-in checks")
    args = parser.parse_args(argv)
    if args.self_check:
        return self_check()
    if not args.runs:
        parser.error("give a runs JSON file, or --self-check")
    with open(args.runs, encoding="utf-8") as handle:
        runs = json.load(handle)["runs"]
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            return run_all(runs, out, args.jobs)
    return run_all(runs, sys.stdout, args.jobs)


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.exit(main())
