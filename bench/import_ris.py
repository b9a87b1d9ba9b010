"""Import throughput: a generated 100k-record RIS file, end to end into a review, against
rispy's bare parse of the same file, in the same run.

    .venv/bin/python bench/import_ris.py [--records 100000]

Goal (records issue): end-to-end import at least half as fast as rispy's parse, and memory
that does not grow with the file beyond the file itself (records are inserted in chunks).
Each measurement runs in its own process so peak memory (max RSS) is its own.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORDS = [
    "peer",
    "support",
    "perinatal",
    "depression",
    "mothers",
    "postnatal",
    "anxiety",
    "volunteer",
    "telephone",
    "group",
    "intervention",
    "randomised",
    "trial",
    "qualitative",
    "outcomes",
    "wellbeing",
    "community",
    "health",
    "visitor",
    "midwife",
    "programme",
    "evaluation",
    "stigma",
    "isolation",
]


def generate(path: Path, count: int, seed: int = 1) -> None:
    """Records shaped like a Scopus export: authors, title, journal, abstract, keywords."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize()
            out.write("TY  - JOUR\n")
            for _ in range(rng.randint(1, 8)):
                out.write(f"AU  - {rng.choice(WORDS).capitalize()}, {rng.choice('ABCDEFGH')}.\n")
            out.write(f"TI  - {title} {n}\n")
            out.write(f"T2  - Journal of {rng.choice(WORDS).capitalize()} Studies\n")
            out.write(f"PY  - {rng.randint(1990, 2024)}\nVL  - {rng.randint(1, 60)}\n")
            out.write(f"IS  - {rng.randint(1, 12)}\nSP  - {rng.randint(1, 900)}\n")
            out.write(f"DO  - 10.{rng.randint(1000, 9999)}/j.{n}\n")
            abstract = " ".join(rng.choice(WORDS) for _ in range(rng.randint(120, 260)))
            out.write(f"AB  - {abstract}\n")
            for _ in range(rng.randint(2, 6)):
                out.write(f"KW  - {rng.choice(WORDS)}\n")
            out.write("DB  - Scopus\nER  - \n\n")


def _peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def run_rispy(path: str) -> dict[str, float]:
    import rispy

    started = time.perf_counter()
    with open(path, encoding="utf-8") as handle:
        entries = rispy.load(handle)
    return {
        "seconds": time.perf_counter() - started,
        "records": len(entries),
        "peak_mb": _peak_mb(),
    }


def run_realist(path: str) -> dict[str, float]:
    from realist.services.imports import import_file
    from realist.services.reviews import init_review

    with tempfile.TemporaryDirectory() as folder:
        store = init_review(str(Path(folder) / "bench.realist"), "bench", "bench")
        started = time.perf_counter()
        done = import_file(store, Path(path), source_name="Scopus")
        seconds = time.perf_counter() - started
        store.close()
    # Large files are parsed by forked worker processes: the largest one's peak is reported
    # too, minus the file, whose pages it shares with the importer (and counts in its own).
    return {
        "seconds": seconds,
        "records": done.imported,
        "peak_mb": _peak_mb(),
        "worker_peak_mb": _peak_mb(resource.RUSAGE_CHILDREN),
    }


def measure(kind: str, path: Path) -> dict[str, float]:
    """One measurement in a fresh process, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(json.loads(output))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        kind, path = args.measure
        print(json.dumps(run_rispy(path) if kind == "rispy" else run_realist(path)))
        return
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for count in sorted({args.records // 4, args.records // 2, args.records}):
            path = Path(folder) / f"records-{count}.ris"
            generate(path, count)
            size_mb = path.stat().st_size / 2**20
            bare, ours = measure("rispy", path), measure("realist", path)
            rows.append((count, size_mb, bare, ours))
        print(
            f"{'records':>8} {'file MB':>8} {'rispy s':>8} {'import s':>9} "
            f"{'rec/s':>8} {'speed vs rispy':>15} {'peak MB':>8} {'peak-file MB':>13} "
            f"{'worker peak-file MB':>20}"
        )
        for count, size_mb, bare, ours in rows:
            print(
                f"{count:>8} {size_mb:>8.1f} {bare['seconds']:>8.2f} {ours['seconds']:>9.2f} "
                f"{count / ours['seconds']:>8.0f} {bare['seconds'] / ours['seconds']:>14.2f}x "
                f"{ours['peak_mb']:>8.0f} {ours['peak_mb'] - size_mb:>13.0f} "
                f"{ours['worker_peak_mb'] - size_mb:>20.0f}"
            )
        count, size_mb, bare, ours = rows[-1]
        ratio = bare["seconds"] / ours["seconds"]
        print(
            f"\nEnd-to-end import of {count:,} records: {count / ours['seconds']:,.0f} records/s, "
            f"{ratio:.2f}x rispy's bare parse (goal >= 0.5x): "
            + ("met" if ratio >= 0.5 else "NOT met")
        )


if __name__ == "__main__":
    main()
